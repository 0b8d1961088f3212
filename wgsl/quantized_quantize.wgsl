// MLX's quantization, one invocation per group of GS values along the last
// axis. MODE 0 (affine; float32 steps as MLX's CPU kernel): the group's min
// and max, the scale (max - min) / (2^BITS - 1) signed toward the edge of
// larger magnitude, the edge made exact, then each value round((w - bias) /
// scale) clamped. MODE 1 (mxfp4 / mxfp8) and 2 (nvfp4): the scale from the
// largest magnitude over 6 (BITS 4) or 448 (BITS 8) as e8m0 (1) or e4m3 (2)
// bits (nvfp4 with a global scale: the scale times scale_enc() = 448 * 6 /
// globalScale first), each value times scale_enc() / scale as e2m1 or e4m3 bits. Codes
// are packed little-end first. OUT picks what this dispatch writes:
// 0: the scales (float32 words; the scale bits as u32 words in MODE 1 and 2),
// 1: the biases (float32 words), one per group, 2: the packed words (the
// group's GS * BITS / 32 words, which no other group touches).
// Slots (names in double braces): X: input binding 2 with load_0; BITS, GS; OUT; MODE;
//   ENC: fn scale_enc() -> f32 (1, or 448 * 6 over the global scale at binding 3).
// params: [groups, offset of x, offset of the global scale]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{X}}
{{ENC}}

const BITS = {{BITS}}u;
const GS = {{GS}}u;
const WORDS = GS * BITS / 32u;

/** Code q at value j of the group's words: bits [j * BITS, (j + 1) * BITS). */
fn put(words: ptr<function, array<u32, WORDS>>, j: u32, q: u32) {
  let bit = j * BITS;
  let wd = bit >> 5u;
  let sh = bit & 31u;
  (*words)[wd] = (*words)[wd] | (q << sh);
  if (sh + BITS > 32u) { (*words)[wd + 1u] = (*words)[wd + 1u] | (q >> (32u - sh)); }
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = (wid.x + wid.y * nwg.x) * 64u + t;
  if (g >= params[0]) { return; }
  let base = params[1] + g * GS;
  var words: array<u32, WORDS>;
  for (var i = 0u; i < WORDS; i++) { words[i] = 0u; }
  if ({{MODE}}u != 0u) {
    var amax = 0.0;
    // NaN is skipped (as MLX's max), and so is below
    for (var j = 0u; j < GS; j++) { let a = abs(load_0(base + j)); if (amax < a) { amax = a; } }
    let sdec = (amax / select(448.0, 6.0, BITS == 4u)) * scale_enc();
    var code = 0u;
    var scale = 0.0;
    if ({{MODE}}u == 2u) { code = e4m3_encode(sdec); scale = e4m3_decode(code); } else { code = e8m0_encode(sdec); scale = e8m0_decode(code); }
    if ({{OUT}}u == 0u) { out_words[g] = code; return; }
    let inv = select(div_f(scale_enc(), scale), 0.0, scale == 0.0);
    for (var j = 0u; j < GS; j++) {
      let v = load_0(base + j) * inv;
      put(&words, j, select(e2m1_encode(v), e4m3_encode(v), BITS == 8u));
    }
    for (var i = 0u; i < WORDS; i++) { out_words[g * WORDS + i] = words[i]; }
    return;
  }
  var lo = inf_f32();
  var hi = -inf_f32();
  for (var j = 0u; j < GS; j++) {
    let v = load_0(base + j);
    if (v < lo) { lo = v; }
    if (hi < v) { hi = v; }
  }
  let n_bins = f32((1u << BITS) - 1u);
  let toward_min = abs(lo) > abs(hi);
  var scale = max(div_f(hi - lo, n_bins), 1e-7);
  scale = select(-scale, scale, toward_min);
  let edge = select(hi, lo, toward_min);
  let q0 = round(div_f(edge, scale));
  var bias = 0.0;
  if (q0 != 0.0) {
    scale = div_f(edge, q0);
    bias = edge;
  }
  if ({{OUT}}u == 0u) { out_words[g] = bitcast<u32>(scale); return; }
  if ({{OUT}}u == 1u) { out_words[g] = bitcast<u32>(bias); return; }
  for (var j = 0u; j < GS; j++) {
    let q = round(div_f(load_0(base + j) - bias, scale));
    put(&words, j, select(u32(clamp(q, 0.0, n_bins)), 0u, is_nan(q)));
  }
  for (var i = 0u; i < WORDS; i++) { out_words[g * WORDS + i] = words[i]; }
}
