// The diagonal-block step of the blocked triangular solves: X = L^-1 B in
// place, L the lower triangle of an nb x nb block (nb <= 32; its unit
// diagonal implied when unit is 1; the strict upper part not read) and B an
// nb x ncols view, both in one workspace buffer. A workgroup of 256 takes 8
// right-hand-side columns of one matrix: L and the 32 x 8 block of B in
// workgroup memory, then column by column of L the pivot row is divided by
// the diagonal and the rows below are updated in parallel. With tri_rhs, B
// is known lower triangular (an inverse being formed, the block's first row
// being row row0 of it): its elements above the diagonal stay exact zeros.
// No slots. params: [batch, nb, ncols, chunks, l_off, l_bs, l_rs, l_cs,
//   b_off, b_bs, b_rs, b_cs, unit, tri_rhs, row0]

@group(0) @binding(0) var<storage, read_write> ws: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

var<workgroup> l: array<array<f32, 33>, 32>;
var<workgroup> x: array<array<f32, 8>, 32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  let nb = params[1];
  let ncols = params[2];
  let chunks = params[3];
  let b = g / chunks;
  if (b >= params[0]) { return; }
  let l_base = p_i(4) + i32(b) * p_i(5);
  let b_base = p_i(8) + i32(b) * p_i(9);
  for (var e = 0u; e < 4u; e++) {
    let idx = t + e * 256u;
    let r = idx / 32u;
    let q = idx % 32u;
    var v = 0.0;
    if (r < nb && q <= r) { v = ws[u32(l_base + i32(r) * p_i(6) + i32(q) * p_i(7))]; }
    l[r][q] = v;
  }
  let i = t / 8u;
  let c = t % 8u;
  let col = (g % chunks) * 8u + c;
  let in_range = i < nb && col < ncols;
  let at = u32(b_base + i32(i) * p_i(10) + i32(col) * p_i(11));
  var v = 0.0;
  if (in_range) { v = ws[at]; }
  x[i][c] = v;
  workgroupBarrier();
  let unit = params[12] == 1u;
  let zero = params[13] == 1u && params[14] + i < col;
  for (var j = 0u; j < nb; j++) {
    if (i == j && !unit && !zero) { x[i][c] = x[i][c] / l[j][j]; }
    workgroupBarrier();
    if (i > j && !zero) { x[i][c] = x[i][c] - l[i][j] * x[j][c]; }
    workgroupBarrier();
  }
  if (in_range) { ws[at] = x[i][c]; }
}
