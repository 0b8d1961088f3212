// The trailing update of the blocked factorizations and solves: C = beta C +
// alpha A B on views of one workspace buffer (A: M x K, B: K x N, C: M x N,
// each with its own signed offset and batch, row and column strides; C never
// overlaps A or B). A workgroup of 256 computes a 64 x 64 tile of C, 4 x 4
// elements an invocation, through 16-deep slices of A and B staged in
// workgroup memory. With lower_only, tiles wholly above the diagonal are skipped.
// No slots. params: [batch, M, N, K, tiles_m, tiles_n, a_off, a_bs, a_rs, a_cs,
//   b_off, b_bs, b_rs, b_cs, c_off, c_bs, c_rs, c_cs, alpha (f32 bits), beta (0 or 1), lower_only]

@group(0) @binding(0) var<storage, read_write> ws: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

var<workgroup> ta: array<array<f32, 64>, 16>;
var<workgroup> tb: array<array<f32, 64>, 16>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  let M = params[1];
  let N = params[2];
  let K = params[3];
  let per = params[4] * params[5];
  let b = g / per;
  if (b >= params[0]) { return; }
  let i0 = ((g % per) / params[5]) * 64u;
  let j0 = ((g % per) % params[5]) * 64u;
  if (params[20] == 1u && i0 + 63u < j0) { return; }
  let a_base = p_i(6) + i32(b) * p_i(7);
  let b_base = p_i(10) + i32(b) * p_i(11);
  let c_base = p_i(14) + i32(b) * p_i(15);
  let a_rs = p_i(8);
  let a_cs = p_i(9);
  let b_rs = p_i(12);
  let b_cs = p_i(13);
  // a view whose rows are adjacent in memory (a transposed one) is read down its columns
  let a_by_rows = abs(a_rs) == 1 && abs(a_cs) != 1;
  let b_by_rows = abs(b_rs) == 1 && abs(b_cs) != 1;
  let tx = t % 16u;
  let ty = t / 16u;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * 256u;
      // A: 64 rows x 16 columns, consecutive invocations along A's contiguous axis
      let ar = select(idx / 16u, idx % 64u, a_by_rows);
      let ak = select(idx % 16u, idx / 64u, a_by_rows);
      var av = 0.0;
      if (i0 + ar < M && k0 + ak < K) { av = ws[u32(a_base + i32(i0 + ar) * a_rs + i32(k0 + ak) * a_cs)]; }
      ta[ak][ar] = av;
      // B: 16 rows x 64 columns, likewise
      let bk = select(idx / 64u, idx % 16u, b_by_rows);
      let bc = select(idx % 64u, idx / 16u, b_by_rows);
      var bv = 0.0;
      if (k0 + bk < K && j0 + bc < N) { bv = ws[u32(b_base + i32(k0 + bk) * b_rs + i32(j0 + bc) * b_cs)]; }
      tb[bk][bc] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let bb = vec4f(tb[kk][tx], tb[kk][tx + 16u], tb[kk][tx + 32u], tb[kk][tx + 48u]);
      acc0 += ta[kk][ty] * bb;
      acc1 += ta[kk][ty + 16u] * bb;
      acc2 += ta[kk][ty + 32u] * bb;
      acc3 += ta[kk][ty + 48u] * bb;
    }
    workgroupBarrier();
  }
  let alpha = bitcast<f32>(params[18]);
  let accumulate = params[19] == 1u;
  let rows = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var x = 0u; x < 4u; x++) {
    let i = i0 + ty + 16u * x;
    if (i >= M) { break; }
    let r = rows[x];
    for (var y = 0u; y < 4u; y++) {
      let j = j0 + tx + 16u * y;
      if (j < N) {
        let c = u32(c_base + i32(i) * p_i(16) + i32(j) * p_i(17));
        let v = alpha * r[y];
        ws[c] = select(v, ws[c] + v, accumulate);
      }
    }
  }
}
