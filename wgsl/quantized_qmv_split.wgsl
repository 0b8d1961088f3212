// Quantized matrix-vector product, split-K layout (out[n] = sum_k x[k] W[n, k],
// transposed weights), the alternative to quantized_qmv.wgsl picked by
// MLX_TS_QMV_VARIANT. A workgroup of 256 is ROWSETS sets of LANES lanes; each
// set owns COLS rows of w and its lanes split K: lane l takes units l, l +
// LANES, ... (UNIT values in UNIT_WORDS consecutive words inside one group),
// loading every row's words of the unit before unpacking any, with x read
// straight from memory (no barriers in the loop). Each row's group then adds
// s * dot(x, code) + b * sum(x). LINEAR (affine codes of 2, 4 or 8 bits): a
// code is masked in place inside its 16-bit half, or-ed into the mantissa of
// 2^23 (q * 2^sh exactly, no int-to-float conversion), against x * 2^-sh. The
// lanes of a set are summed by subgroupAdd per team of TEAM lanes when each
// team is one full subgroup (checked here), then the teams by a tree in
// workgroup memory; else all lanes by that tree.
// Slots: ENABLE, HELPERS, X, W, GROUPS, SUBGROUP_ARGS, SUBGROUP_SUM as quantized_qmv.wgsl;
//   QUADS: w_quad(e) (words e..e+3 of w, e % 4 == 0) and x_quad(e) (x e..e+3, e % 4 == 0), each one
//   vec4 load from a binding after the others where the layout allows, else four loads;
//   BITS, GS, UNIT_WORDS, TEAM, COLS, LANES (a multiple of TEAM dividing 256), LINEAR (bool);
//   SCRATCH: floats of workgroup memory (256 * COLS).
// params: [N, K, words per row of w, groups per row of w, batches, row tiles, offsets of x, w, scales, biases]
{{ENABLE}}

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{HELPERS}}
{{X}}
{{W}}
{{GROUPS}}
{{QUADS}}

const BITS = {{BITS}}u;
const GS = {{GS}}u;
const MASK = (1u << BITS) - 1u;
const UNIT_WORDS = {{UNIT_WORDS}}u;
const UNIT = UNIT_WORDS * 32u / BITS;
const TEAM = {{TEAM}}u;
const COLS = {{COLS}}u;
const LANES = {{LANES}}u;
const ROWSETS = 256u / LANES;
const LINEAR = {{LINEAR}};

/** The lanes' partial sums (COLS per lane) on the way to one sum per row. */
var<workgroup> scratch: array<f32, {{SCRATCH}}>;
/** Set when some team is not one full subgroup (then the sums go through a tree in `scratch`). */
var<workgroup> misfit: u32;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32{{SUBGROUP_ARGS}}) {
  let N = params[0];
  let K = params[1];
  let wpr = params[2];
  let gpr = params[3];
  let tiles = params[5];
  let g = wid.x + wid.y * nwg.x;
  let valid_group = g < params[4] * tiles;
  let batch = min(g / tiles, params[4] - 1u);
  let lane = t % LANES;
  let team = t / TEAM;
  let n0 = (g % tiles) * ROWSETS * COLS + (t / LANES) * COLS;
  var acc: array<f32, COLS>;
  for (var j = 0u; j < COLS; j++) { acc[j] = 0.0; }
  // rows of w for this set's rows (the last real row stands in for those past N)
  var row: array<u32, COLS>;
  for (var j = 0u; j < COLS; j++) { row[j] = batch * N + min(n0 + j, N - 1u); }
  let xrow = params[6] + batch * K;
  let units = K / UNIT;
  if (valid_group && n0 < N) {
    for (var u = lane; u < units; u += LANES) {
      // every row's words of the unit first, so their reads are in flight together
      var wl: array<u32, COLS * UNIT_WORDS>;
      for (var j = 0u; j < COLS; j++) {
        let base = params[7] + row[j] * wpr + u * UNIT_WORDS;
        if (UNIT_WORDS % 4u == 0u) {
          for (var i = 0u; i < UNIT_WORDS; i += 4u) {
            let q = w_quad(base + i);
            for (var c = 0u; c < 4u; c++) { wl[j * UNIT_WORDS + i + c] = q[c]; }
          }
        } else {
          for (var i = 0u; i < UNIT_WORDS; i++) { wl[j * UNIT_WORDS + i] = in1[base + i]; }
        }
      }
      var xr: array<f32, UNIT>;
      var sx = 0.0;
      for (var i0 = 0u; i0 < UNIT; i0 += 4u) {
        let xq = x_quad(xrow + u * UNIT + i0);
        for (var c = 0u; c < 4u; c++) {
          let i = i0 + c;
          sx += xq[c];
          // LINEAR: the code comes out as q * 2^sh, sh its place in its 16-bit half
          xr[i] = select(xq[c], xq[c] * bitcast<f32>((127u - ((i * BITS) & 15u)) << 23u), LINEAR);
        }
      }
      let gi = u * UNIT / GS;
      for (var j = 0u; j < COLS; j++) {
        var dot = 0.0;
        for (var i = 0u; i < UNIT; i++) {
          let bit = i * BITS;
          let at = j * UNIT_WORDS + (bit >> 5u);
          let sh = bit & 31u;
          if (LINEAR) {
            let half = wl[at] >> (sh & 16u);
            dot = fma(xr[i], bitcast<f32>((half & (MASK << (sh & 15u))) | 0x4b000000u) - 8388608.0, dot);
          } else {
            var c = wl[at] >> sh;
            if (sh + BITS > 32u) { c = c | (wl[at + 1u] << (32u - sh)); }
            dot = fma(xr[i], decode(c & MASK), dot);
          }
        }
        let e = row[j] * gpr + gi;
        acc[j] += scale_at(params[8] + e) * dot + bias_at(params[9] + e) * sx;
      }
    }
  }
  var total: array<f32, COLS>;
  var by_subgroup = false;
  {{SUBGROUP_SUM}}
  // by subgroups each team's first lane holds its team's sum (the others 0), else every lane its own;
  // a tree over the set then adds lanes s apart down to TEAM (or 1) apart
  for (var j = 0u; j < COLS; j++) { scratch[t * COLS + j] = select(acc[j], select(0.0, total[j], t % TEAM == 0u), by_subgroup); }
  workgroupBarrier();
  let nearest = select(1u, TEAM, by_subgroup);
  for (var s = LANES / 2u; s >= nearest; s = s >> 1u) {
    if (lane < s) { for (var j = 0u; j < COLS; j++) { scratch[t * COLS + j] += scratch[(t + s) * COLS + j]; } }
    workgroupBarrier();
  }
  for (var j = 0u; j < COLS; j++) { total[j] = scratch[t * COLS + j]; }
  if (valid_group && lane == 0u) {
    for (var j = 0u; j < COLS; j++) {
      if (n0 + j < N) { out_words[batch * N + n0 + j] = bitcast<u32>(total[j]); }
    }
  }
}
