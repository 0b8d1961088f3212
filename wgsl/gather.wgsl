// Gathers that build a new contiguous array: concatenate (each output element
// reads the input whose span along the axis holds it) and pad (interior from
// the input, the rest from the pad value). One invocation per output word.
// Slots (the name in double braces): INPUTS bindings 2.. with load_k;
// EPW, BITS; SOURCE the body of source(e) -> packed element bits, using
// idx (the output multi-index) and in_offset(k, axis_start).
// params: [n, nd, axis, count, out shape[nd], then per input k: start, offset, strides[nd]]
// (pad: axis = count = 0 for the input, params then [low[nd]] and the value's offset)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

var<private> idx: array<u32, 16>;

fn block(k: u32) -> u32 { let nd = params[1]; return 4u + nd + k * (2u + nd); }

fn in_offset(k: u32, axis: u32, shift: u32) -> u32 {
  let nd = params[1];
  let b = block(k);
  var off = bitcast<i32>(params[b + 1u]);
  for (var d = 0u; d < nd; d++) {
    let i = select(idx[d], idx[d] - shift, d == axis);
    off += i32(i) * bitcast<i32>(params[b + 2u + d]);
  }
  return u32(off);
}

fn source(e: u32) -> u32 {
  {{SOURCE}}
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let word = gid.x + gid.y * nwg.x * 256u;
  let n = params[0];
  let nd = params[1];
  if (word * {{EPW}}u >= n) { return; }
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      var rem = e;
      for (var d = i32(nd) - 1; d >= 0; d--) {
        let dim = params[4u + u32(d)];
        idx[u32(d)] = rem % dim;
        rem = rem / dim;
      }
      bits = bits | (source(e) << (j * {{BITS}}u));
    }
  }
  out_words[word] = bits;
}
