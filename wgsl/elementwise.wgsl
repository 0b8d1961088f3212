// Elementwise map: one invocation per output word (1, 2 or 4 elements for
// 32-, 16- and 8-bit outputs, so no two invocations write the same word).
// Each input is read through its own strides (zero where broadcast).
// Slots (written as the name in double braces) filled by backends/webgpu/elementwise.ts:
//   INPUTS  bindings and load_<k>(e) functions, one per input (from binding 2 on)
//   EPW     elements per output word; BITS: bits per element
//   LOADS   statements loading the inputs a, b, c at output element e
//   EXPR    the element's value from a, b, c
//   PACK    pack_<out dtype>(...) of the value `v`
// params: [n, ndim, shape[ndim], then per input: offset, strides[ndim] (i32 bits)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

fn offset_of(k: u32, e: u32) -> u32 {
  let nd = params[1];
  let base = 2u + nd + k * (1u + nd);
  if (nd == 0u) { return params[base]; }
  if (nd == 1u) {
    // one merged dimension (contiguous or broadcast operands): no index arithmetic
    return u32(bitcast<i32>(params[base]) + i32(e) * bitcast<i32>(params[base + 1u]));
  }
  var rem = e;
  var off = bitcast<i32>(params[base]);
  for (var d = i32(nd) - 1; d >= 0; d--) {
    let dim = params[2u + u32(d)];
    off += i32(rem % dim) * bitcast<i32>(params[base + 1u + u32(d)]);
    rem = rem / dim;
  }
  return u32(off);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let word = gid.x + gid.y * nwg.x * 256u;
  let n = params[0];
  if (word * {{EPW}}u >= n) { return; }
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      {{LOADS}}
      let v = {{EXPR}};
      bits = bits | ({{PACK}} << (j * {{BITS}}u));
    }
  }
  out_words[word] = bits;
}
