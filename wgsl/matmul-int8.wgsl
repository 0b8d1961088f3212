// 8-bit integer matmul on the adapter's subgroup matrices (Dawn's
// chromium_experimental_subgroup_matrix; tensor cores on NVIDIA): C = A @ B
// for int8 x int8 (or uint8 x uint8) with exact 32-bit integer accumulation,
// stored as float32 (the sum rounded once, as the reference rounds its exact
// float64 sum). Each workgroup is one subgroup (so every matrix offset is
// uniform) owning a TILE_M x TILE_N tile of C: FM x FN fragments of MS x NS,
// K walked KS at a time with the fragments loaded straight from the operands
// (row- or column-major, per COLMAJOR_A / COLMAJOR_B). The tile goes through
// workgroup memory to be converted and stored as coalesced float32 rows.
// Slots (filled by backends/webgpu/matmul-int8.ts): R (i32 or u32), SG (subgroup size), MS, NS, KS
//   (the fragment shape), FM, FN, COLMAJOR_A, COLMAJOR_B, ACCS, LOADS, MMAS, STORES (the generated
//   fragment code, on i8 or u8 fragments).
// params: [M, N, K, tiles along N, tiles per batch, workgroups, a offset, a batch stride, b offset,
//   b batch stride, lda, ldb] (offsets and strides in elements; every one a multiple of 4)
enable chromium_experimental_subgroup_matrix;

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<{{R}}>;
@group(0) @binding(3) var<storage, read> b: array<{{R}}>;

const TILE_M = {{FM}}u * {{MS}}u;
const TILE_N = {{FN}}u * {{NS}}u;

var<workgroup> tile: array<{{R}}, TILE_M * TILE_N>;

/** Offset of A's element (row, k): row-major A[m, k] at m lda + k, column-major at k lda + m. */
fn a_at(base: u32, row: u32, k: u32, lda: u32) -> u32 {
  return select(base + row * lda + k, base + k * lda + row, {{COLMAJOR_A}});
}

/** Offset of B's element (k, col): row-major B[k, n] at k ldb + n, column-major at n ldb + k. */
fn b_at(base: u32, k: u32, col: u32, ldb: u32) -> u32 {
  return select(base + k * ldb + col, base + col * ldb + k, {{COLMAJOR_B}});
}

@compute @workgroup_size({{SG}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lane: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g >= params[5]) { return; }
  let M = params[0];
  let N = params[1];
  let K = params[2];
  let batch = g / params[4];
  let t = g % params[4];
  let row0 = (t / params[3]) * TILE_M;
  let col0 = (t % params[3]) * TILE_N;
  let a_base = params[6] + batch * params[7];
  let b_base = params[8] + batch * params[9];
  let lda = params[10];
  let ldb = params[11];
  {{ACCS}}
  for (var k = 0u; k < K; k += {{KS}}u) {
    {{LOADS}}
    {{MMAS}}
  }
  {{STORES}}
  workgroupBarrier();
  let c_base = batch * M * N + row0 * N + col0;
  for (var e = lane; e < TILE_M * TILE_N; e += {{SG}}u) {
    out[c_base + (e / TILE_N) * N + e % TILE_N] = f32(tile[e]);
  }
}
