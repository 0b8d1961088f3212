// Quantized matrix-vector product (one row of x per batch, transposed
// weights: out[n] = sum_k x[k] W[n, k]). A workgroup of WG lanes is teams of
// TEAM lanes (one subgroup where the device has a fixed size), each team
// owning ROWS rows of w: lane l of a team takes the units (UNIT consecutive
// values of K, inside one group) l, l + TEAM, ..., reading its x straight from
// global memory (no workgroup staging, no barrier in the loop) and its rows'
// packed words, UNROLL units' loads of every row issued before any is used.
// The loop bodies are generated (backends/webgpu/qmv-codegen.ts) as
// straight-line code on named variables; the last partial step of units
// (K / UNIT not a multiple of UNROLL * TEAM) runs unit by unit, guarded.
// A team's lanes are summed by subgroupAdd when every team is exactly one full
// subgroup (checked), else through workgroup memory.
// Slots (names in double braces): ENABLE: "enable subgroups;" or nothing; HELPERS: the helper
//   sources (after the directive); X: binding 2 with x_quad(e, q) (x[e + 4q..e + 4q + 3]); W: binding 3
//   as in1 (u32 words) or w_vec (vec2/vec4 words); GROUPS: the scales (and biases) bindings from 4
//   with scale_at(e), bias_at(e) and decode(code); TEAM, ROWS, WG, UNIT, UNROLL; SUBGROUP_ARGS: the
//   subgroup builtins of main, or nothing; ROW_SETUP, MAIN_UNITS (UNROLL units), TAIL_UNIT (one
//   unit), SUMS: the generated code.
// params: [N, K, words per row of w, groups per row of w, batches, row tiles, offsets of x, w, scales, biases]
{{ENABLE}}

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{HELPERS}}
{{X}}
{{W}}
{{GROUPS}}

const TEAM = {{TEAM}}u;
const ROWS = {{ROWS}}u;
const WG = {{WG}}u;
const UNIT = {{UNIT}}u;
/** Units a team covers per iteration of its main loop. */
const STEP = {{UNROLL}}u * TEAM;

/** The lanes' partial sums when a team is not one full subgroup. */
var<workgroup> scratch: array<f32, WG * ROWS>;
/** Set when some team is not one full subgroup (then the sums go through `scratch`). */
var<workgroup> misfit: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32{{SUBGROUP_ARGS}}) {
  let N = params[0];
  let K = params[1];
  let wpr = params[2];
  let gpr = params[3];
  let row_tiles = params[5];
  let g = wid.x + wid.y * nwg.x;
  // the dispatch's spare workgroups (past batches * row tiles) read in bounds, loop over nothing and write nothing
  let valid = g < params[4] * row_tiles;
  let batch = min(g / row_tiles, params[4] - 1u);
  let team = t / TEAM;
  let lane = t % TEAM;
  let n0 = (g % row_tiles) * (WG / TEAM * ROWS) + team * ROWS;
  let xrow = params[6] + batch * K;
  let units = select(0u, K / UNIT, valid);
  let full = units / STEP * STEP;
  {{ROW_SETUP}}
  for (var base = 0u; base < full; base += STEP) {
    let u = base + lane;
    {{MAIN_UNITS}}
  }
  for (var base = full; base < units; base += TEAM) {
    let u = base + lane;
    if (u < units) {
    {{TAIL_UNIT}}
    }
  }
  {{SUMS}}
}
