// MLX's dequantization: one invocation per output value, scale * value +
// bias in float32 (the code: bits [i * BITS, (i + 1) * BITS) of its row's
// packed words, little-end first), written as float32 words.
// Slots (names in double braces): W: input binding 2 with load_0; GROUPS: the
//   scales (and biases, or nvfp4's global scale) bindings from 3 with scale_at(e),
//   bias_at(e) and decode(code); BITS, GS.
// params: [values, values per row, words per row, offsets of w, scales, biases (or the global scale)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{W}}
{{GROUPS}}

const BITS = {{BITS}}u;
const GS = {{GS}}u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let e = (wid.x + wid.y * nwg.x) * 256u + t;
  if (e >= params[0]) { return; }
  let K = params[1];
  let row = e / K;
  let i = e % K;
  let bit = i * BITS;
  let wd = params[3] + row * params[2] + (bit >> 5u);
  let sh = bit & 31u;
  var v = in0[wd] >> sh;
  if (sh + BITS > 32u) { v = v | (in0[wd + 1u] << (32u - sh)); }
  let q = decode(v & ((1u << BITS) - 1u));
  let gi = row * (K / GS) + i / GS;
  out_words[e] = bitcast<u32>(fma(scale_at(params[4] + gi), q, bias_at(params[5] + gi)));
}
