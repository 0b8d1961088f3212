// Elementwise map into a 64-bit output (int64/uint64, two u32 words per
// element, wgsl/int64.wgsl): each workgroup writes 1024 consecutive output
// elements, each invocation four of them 256 apart. Inputs are addressed as in
// elementwise.wgsl (strides per input, zero where broadcast; the linear variant
// reads one merged dimension's offset and stride once, the rows variant two
// merged dims' and each element's row and column).
// Slots (written as the name in double braces) filled by backends/webgpu/elementwise.ts:
//   INPUTS  bindings and load_<k>(e) functions, one per input (from binding 2 on)
//   SETUP   statements run once per invocation (the linear and rows variants' offsets and strides; rows: cols)
//   LOADS   statements loading the inputs a, b, c at output element e
//   ELEMENT_INDEX  the rows variant's (row, column) rc of element e and each input's offset p<k> there
//   EXPR    the element's value (a vec2<u32>) from a, b, c
// params: [n, ndim, shape[ndim], then per input: offset, strides[ndim] (i32 bits)],
// read by offset_of, linear_of and rows_of (wgsl/elementwise-index.wgsl)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = params[0];
  let first = (wid.x + wid.y * nwg.x) * 1024u + lid;
  {{SETUP}}
  for (var w = 0u; w < 4u; w++) {
    let e = first + w * 256u;
    if (e >= n) { return; }
    {{ELEMENT_INDEX}}
    {{LOADS}}
    let v: vec2<u32> = {{EXPR}};
    out_words[2u * e] = v.x;
    out_words[2u * e + 1u] = v.y;
  }
}
