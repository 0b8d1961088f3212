// The panel step of the blocked LU factorization with partial pivoting: the
// rows x nb panel (nb <= 32) of each matrix factored in place by a workgroup
// of 256, in the workspace buffer. Per column: the pivot (the first largest
// |value|, as LAPACK's getrf) by a parallel reduction, the two rows swapped
// across the panel, the column scaled and the panel's trailing columns
// updated, rows in parallel. The pivots (row indices from the panel's top,
// as f32) are stored for the swap kernel; an exact zero pivot sets the
// matrix's singular flag (to 1.0) and leaves its column unscaled.
// No slots. params: [batch, rows, nb, a_off, a_bs, a_rs, a_cs, piv_off, piv_bs, flag_off]

@group(0) @binding(0) var<storage, read_write> ws: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

var<workgroup> best_v: array<f32, 256>;
var<workgroup> best_i: array<u32, 256>;

var<private> base: i32;

fn at(r: u32, c: u32) -> u32 { return u32(base + i32(r) * p_i(5) + i32(c) * p_i(6)); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= params[0]) { return; }
  let rows = params[1];
  let nb = params[2];
  base = p_i(3) + i32(b) * p_i(4);
  let piv = p_i(7) + i32(b) * p_i(8);
  for (var j = 0u; j < nb; j++) {
    var bv = -1.0;
    var bi = j;
    for (var r = j + t; r < rows; r += 256u) {
      let v = abs(ws[at(r, j)]);
      if (v > bv) { bv = v; bi = r; }
    }
    best_v[t] = bv;
    best_i[t] = bi;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
      if (t < s) {
        let ov = best_v[t + s];
        let oi = best_i[t + s];
        if (ov > best_v[t] || (ov == best_v[t] && oi < best_i[t])) { best_v[t] = ov; best_i[t] = oi; }
      }
      workgroupBarrier();
    }
    let p = best_i[0];
    if (p != j && t < nb) {
      let x = ws[at(j, t)];
      ws[at(j, t)] = ws[at(p, t)];
      ws[at(p, t)] = x;
    }
    if (t == 0u) { ws[u32(piv + i32(j))] = f32(p); }
    storageBarrier();
    let d = ws[at(j, j)];
    if (d == 0.0 && t == 0u) { ws[params[9] + b] = 1.0; }
    if (d != 0.0) {
      for (var r = j + 1u + t; r < rows; r += 256u) {
        let f = ws[at(r, j)] / d;
        ws[at(r, j)] = f;
        for (var c = j + 1u; c < nb; c++) { ws[at(r, c)] = ws[at(r, c)] - f * ws[at(j, c)]; }
      }
    }
    storageBarrier();
  }
}
