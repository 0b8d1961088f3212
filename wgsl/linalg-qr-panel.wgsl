// The panel step of the blocked Householder QR: the rows x nb panel
// (nb <= 32) of each matrix reduced in place by a workgroup of 256 in the
// workspace buffer, column by column: the reflector (LAPACK's convention:
// x -> beta e1, beta = -sign(x0) ||x||, none when x is already zero below its
// first entry) from a parallel sum of squares, its vector v (unit first
// entry) written to V, the dot products of v with the panel's later columns
// (to reflect them) and with V's earlier columns (for T) in one 8-way split
// reduction, the later columns updated rows in parallel; then the upper
// triangular T of the compact WY form H_0 ... H_{nb-1} = I - V T V^T is written.
// No slots. params: [batch, rows, nb, a_off, a_bs, a_rs, a_cs, v_off, v_bs,
//   v_rs, v_cs, t_off, t_bs, t_rs, t_cs]

@group(0) @binding(0) var<storage, read_write> ws: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

var<workgroup> red: array<f32, 256>;
var<workgroup> part: array<array<f32, 32>, 8>;
var<workgroup> dots: array<f32, 32>;
var<workgroup> tmat: array<array<f32, 33>, 32>;
/** The current reflector: tau, then 1 / (alpha - beta) (0 when there is none). */
var<workgroup> coef: array<f32, 2>;

var<private> a_base: i32;
var<private> v_base: i32;

fn a_at(r: u32, c: u32) -> u32 { return u32(a_base + i32(r) * p_i(5) + i32(c) * p_i(6)); }
fn v_at(r: u32, c: u32) -> u32 { return u32(v_base + i32(r) * p_i(9) + i32(c) * p_i(10)); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= params[0]) { return; }
  let rows = params[1];
  let nb = params[2];
  a_base = p_i(3) + i32(b) * p_i(4);
  v_base = p_i(7) + i32(b) * p_i(8);
  let q = t % 32u;
  let g = t / 32u;
  for (var j = 0u; j < nb; j++) {
    var s = 0.0;
    for (var r = j + 1u + t; r < rows; r += 256u) {
      let x = ws[a_at(r, j)];
      s += x * x;
    }
    red[t] = s;
    workgroupBarrier();
    for (var h = 128u; h > 0u; h >>= 1u) {
      if (t < h) { red[t] += red[t + h]; }
      workgroupBarrier();
    }
    if (t == 0u) {
      let alpha = ws[a_at(j, j)];
      let scale = sqrt(red[0]);
      if (scale == 0.0) {
        coef[0] = 0.0;
        coef[1] = 0.0;
      } else {
        let beta = select(1.0, -1.0, alpha >= 0.0) * sqrt(alpha * alpha + scale * scale);
        coef[0] = (beta - alpha) / beta;
        coef[1] = 1.0 / (alpha - beta);
        ws[a_at(j, j)] = beta;
      }
    }
    workgroupBarrier();
    storageBarrier();
    let tau = coef[0];
    let inv_denom = coef[1];
    for (var r = t; r < rows; r += 256u) {
      if (r > j) {
        ws[v_at(r, j)] = ws[a_at(r, j)] * inv_denom;
        ws[a_at(r, j)] = 0.0;
      } else {
        ws[v_at(r, j)] = select(0.0, 1.0, r == j);
      }
    }
    storageBarrier();
    var d = 0.0;
    if (q < nb && q != j) {
      for (var r = j + g; r < rows; r += 8u) {
        d += ws[v_at(r, j)] * select(ws[v_at(r, q)], ws[a_at(r, q)], q > j);
      }
    }
    part[g][q] = d;
    workgroupBarrier();
    if (t < 32u) {
      dots[t] = ((part[0][t] + part[1][t]) + (part[2][t] + part[3][t])) + ((part[4][t] + part[5][t]) + (part[6][t] + part[7][t]));
    }
    workgroupBarrier();
    if (q > j && q < nb) {
      let f = tau * dots[q];
      for (var r = j + g; r < rows; r += 8u) { ws[a_at(r, q)] = ws[a_at(r, q)] - f * ws[v_at(r, j)]; }
    }
    if (t == j) { tmat[j][j] = tau; }
    if (t < j) {
      var acc = 0.0;
      for (var c = t; c < j; c++) { acc += tmat[t][c] * dots[c]; }
      tmat[t][j] = -tau * acc;
    }
    workgroupBarrier();
    storageBarrier();
  }
  let t_base = p_i(11) + i32(b) * p_i(12);
  for (var e = 0u; e < 4u; e++) {
    let idx = t + e * 256u;
    let r = idx / 32u;
    let c = idx % 32u;
    if (r < nb && c < nb) { ws[u32(t_base + i32(r) * p_i(13) + i32(c) * p_i(14))] = select(0.0, tmat[r][c], r <= c); }
  }
}
