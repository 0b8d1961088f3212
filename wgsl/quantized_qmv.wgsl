// Quantized matrix-vector product (one row of x per batch, transposed
// weights: out[n] = sum_k x[k] W[n, k]), weights streamed as whole packed
// words and unpacked in registers. A workgroup of 256 is teams of TEAM lanes,
// each team owning COLS output columns; per step, lane l of every team takes
// unit step * TEAM + l of K (UNIT values in UNIT_WORDS consecutive words, so
// a team's reads of one row are contiguous; a unit lies inside one group).
// The step's x is staged once in workgroup memory for all teams (laid out so a
// team's lanes read distinct banks); each lane
// reads every column's words first, then folds s * dot(x, code) + b * sum(x).
// A team's lanes are summed by subgroupAdd when the team is exactly one full
// subgroup (checked here), else through workgroup memory.
// Slots (names in double braces): ENABLE: "enable subgroups;" or nothing; HELPERS: the
//   helper sources (after the directive); X, W: input bindings 2, 3 with load_0, load_1; GROUPS: the
//   scales (and biases) bindings from 4 with scale_at(e), bias_at(e) and decode(code); BITS, GS,
//   UNIT_WORDS, TEAM, COLS; SCRATCH: floats of workgroup memory (max of 256 * COLS and (TEAM + 1) * UNIT);
//   SUBGROUP_ARGS: the subgroup builtins of main, or nothing; SUBGROUP_SUM: the statements
//   summing acc into total by subgroups and setting by_subgroup.
// params: [N, K, words per row of w, groups per row of w, batches, column tiles, offsets of x, w, scales, biases]
{{ENABLE}}

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{HELPERS}}
{{X}}
{{W}}
{{GROUPS}}

const BITS = {{BITS}}u;
const GS = {{GS}}u;
const MASK = (1u << BITS) - 1u;
const UNIT_WORDS = {{UNIT_WORDS}}u;
const UNIT = UNIT_WORDS * 32u / BITS;
const TEAM = {{TEAM}}u;
const COLS = {{COLS}}u;
const COLS_PER_GROUP = 256u / TEAM * COLS;

/** x of one step's units, read by every team; after the loop, the lanes' partial sums when summed here. */
var<workgroup> scratch: array<f32, {{SCRATCH}}>;
/** Set when some team is not one full subgroup (then the sums go through `scratch`). */
var<workgroup> misfit: u32;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32{{SUBGROUP_ARGS}}) {
  let N = params[0];
  let K = params[1];
  let wpr = params[2];
  let gpr = params[3];
  let col_tiles = params[5];
  let g = wid.x + wid.y * nwg.x;
  let valid_group = g < params[4] * col_tiles;
  let batch = g / col_tiles;
  let team = t / TEAM;
  let lane = t % TEAM;
  let n0 = (g % col_tiles) * COLS_PER_GROUP + team * COLS;
  var acc: array<f32, COLS>;
  for (var j = 0u; j < COLS; j++) { acc[j] = 0.0; }
  let has_columns = valid_group && n0 < N;
  // rows of w for this team's columns (the last real column stands in for those past N)
  var row: array<u32, COLS>;
  for (var j = 0u; j < COLS; j++) { row[j] = batch * N + min(n0 + j, N - 1u); }
  let xrow = params[6] + min(batch, params[4] - 1u) * K;
  let units = K / UNIT;
  for (var step = 0u; step * TEAM < units; step++) {
    workgroupBarrier();
    for (var i = t; i < TEAM * UNIT; i += 256u) {
      let k = step * TEAM * UNIT + i;
      // value (unit i / UNIT, index i % UNIT) at (i % UNIT) * (TEAM + 1) + i / UNIT: a team's lanes then read
      // one index of their units from TEAM consecutive floats (distinct banks; UNIT apart they would share one)
      if (k < K) { scratch[(i % UNIT) * (TEAM + 1u) + i / UNIT] = load_0(xrow + k); }
    }
    workgroupBarrier();
    let u = step * TEAM + lane;
    if (has_columns && u < units) {
      // every column's words first, so their reads are in flight together
      var wl: array<u32, COLS * UNIT_WORDS>;
      for (var j = 0u; j < COLS; j++) {
        let base = params[7] + row[j] * wpr + u * UNIT_WORDS;
        for (var i = 0u; i < UNIT_WORDS; i++) { wl[j * UNIT_WORDS + i] = in1[base + i]; }
      }
      var xr: array<f32, UNIT>;
      var sx = 0.0;
      for (var i = 0u; i < UNIT; i++) {
        xr[i] = scratch[i * (TEAM + 1u) + lane];
        sx += xr[i];
      }
      let gi = u * UNIT / GS;
      for (var j = 0u; j < COLS; j++) {
        var dot = 0.0;
        for (var i = 0u; i < UNIT; i++) {
          let bit = i * BITS;
          let at = j * UNIT_WORDS + (bit >> 5u);
          let sh = bit & 31u;
          var c = wl[at] >> sh;
          if (sh + BITS > 32u) { c = c | (wl[at + 1u] << (32u - sh)); }
          dot = fma(xr[i], decode(c & MASK), dot);
        }
        let e = row[j] * gpr + gi;
        acc[j] += scale_at(params[8] + e) * dot + bias_at(params[9] + e) * sx;
      }
    }
  }
  var total: array<f32, COLS>;
  var by_subgroup = false;
  {{SUBGROUP_SUM}}
  if (!by_subgroup) {
    workgroupBarrier();
    for (var j = 0u; j < COLS; j++) { scratch[t * COLS + j] = acc[j]; }
    workgroupBarrier();
    for (var s = TEAM / 2u; s > 0u; s = s >> 1u) {
      if (lane < s) { for (var j = 0u; j < COLS; j++) { scratch[t * COLS + j] += scratch[(t + s) * COLS + j]; } }
      workgroupBarrier();
    }
    for (var j = 0u; j < COLS; j++) { total[j] = scratch[t * COLS + j]; }
  }
  if (valid_group && lane == 0u) {
    for (var j = 0u; j < COLS; j++) {
      if (n0 + j < N) { out_words[batch * N + n0 + j] = bitcast<u32>(total[j]); }
    }
  }
}
