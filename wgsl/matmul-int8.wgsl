// 8-bit integer matmul on the adapter's subgroup matrices (Dawn's
// chromium_experimental_subgroup_matrix; tensor cores on NVIDIA): C = A @ B
// for int8 x int8 (or uint8 x uint8) with exact 32-bit integer accumulation,
// stored as float32 (the sum rounded once, as the reference rounds its exact
// float64 sum). A workgroup of WM x WN subgroups owns a TILE_M x TILE_N tile
// of C, each subgroup FM x FN fragments of it. K is walked one fragment depth
// (KS) at a time: each step's A and B tiles are staged in workgroup memory (two
// stages, rows padded so that 16-byte rows of a fragment fall on distinct banks)
// by 4- or 16-byte loads (zero past M, N or K), the next step's loads issued
// before this step's products. Subgroup offsets differ within a workgroup, so
// the subgroup-matrix uniformity diagnostic is off: every subgroup runs the
// same straight-line code with its own offsets.
// Slots (filled by backends/webgpu/matmul-int8.ts): R (i32 or u32), UNIT_A, UNIT_B (the operands'
//   load units), SG (subgroup size), WN (subgroups along N), THREADS, SA_WORDS, SB_WORDS, TILE_M, TILE_N, KS, ACCS, REGS, LOADS, STAGE_FIRST,
//   STAGE_NEXT, MMAS, EPILOGUE (the generated code).
// params: [M, N, K, tiles along N, tiles per batch, workgroups, a offset, a batch stride, b offset,
//   b batch stride, lda, ldb] (in elements, each operand's a multiple of its load unit's bytes)
enable chromium_experimental_subgroup_matrix;
diagnostic(off, chromium.subgroup_matrix_uniformity);

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<{{UNIT_A}}>;
@group(0) @binding(3) var<storage, read> b: array<{{UNIT_B}}>;

var<workgroup> sa: array<{{R}}, {{SA_WORDS}}>;
var<workgroup> sb: array<{{R}}, {{SB_WORDS}}>;

@compute @workgroup_size({{THREADS}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= params[5]) { return; }
  let M = params[0];
  let N = params[1];
  let K = params[2];
  let batch = g / params[4];
  let t = g % params[4];
  let row0 = (t / params[3]) * {{TILE_M}}u;
  let col0 = (t % params[3]) * {{TILE_N}}u;
  let a_base = params[6] + batch * params[7];
  let b_base = params[8] + batch * params[9];
  let lda = params[10];
  let ldb = params[11];
  let sgi = lid / {{SG}}u;
  let lane = lid % {{SG}}u;
  let wm = sgi / {{WN}}u;
  let wn = sgi % {{WN}}u;
  {{ACCS}}
  let steps = (K + {{KS}}u - 1u) / {{KS}}u;
  {
    let k0 = 0u;
    {{REGS}}
    {{LOADS}}
    {{STAGE_FIRST}}
  }
  workgroupBarrier();
  for (var s = 0u; s < steps; s++) {
    let cur = s % 2u;
    let more = s + 1u < steps;
    let k0 = (s + 1u) * {{KS}}u;
    {{REGS}}
    if (more) {
      {{LOADS}}
    }
    {{MMAS}}
    if (more) {
      {{STAGE_NEXT}}
    }
    workgroupBarrier();
  }
  let c_base = batch * M * N;
  {{EPILOGUE}}
}
