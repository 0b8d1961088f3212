// The diagonal-block step of the blocked Cholesky factorization: the lower
// factor of an nb x nb block (nb <= 32) in place, a workgroup of 256 per
// matrix with the block in workgroup memory: column by column the pivot's
// square root (NaN when the pivot is not positive, as the cpu reference),
// the column scaled and the trailing triangle updated in parallel. Only the
// lower triangle is read and written.
// No slots. params: [batch, nb, a_off, a_bs, a_rs, a_cs]

@group(0) @binding(0) var<storage, read_write> ws: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

/** A quiet NaN (a variable's bits: a NaN constant does not compile). */
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }

var<workgroup> a: array<array<f32, 33>, 32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = wid.x + wid.y * nwg.x;
  if (b >= params[0]) { return; }
  let nb = params[1];
  let base = p_i(2) + i32(b) * p_i(3);
  for (var e = 0u; e < 4u; e++) {
    let idx = t + e * 256u;
    let r = idx / 32u;
    let q = idx % 32u;
    var v = 0.0;
    if (r < nb && q <= r) { v = ws[u32(base + i32(r) * p_i(4) + i32(q) * p_i(5))]; }
    a[r][q] = v;
  }
  workgroupBarrier();
  for (var j = 0u; j < nb; j++) {
    if (t == 0u) {
      let d = a[j][j];
      a[j][j] = select(nan_f32(), sqrt(d), d > 0.0);
    }
    workgroupBarrier();
    if (t > j && t < nb) { a[t][j] = a[t][j] / a[j][j]; }
    workgroupBarrier();
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * 256u;
      let r = idx / 32u;
      let q = idx % 32u;
      if (q > j && q <= r && r < nb) { a[r][q] = a[r][q] - a[r][j] * a[q][j]; }
    }
    workgroupBarrier();
  }
  for (var e = 0u; e < 4u; e++) {
    let idx = t + e * 256u;
    let r = idx / 32u;
    let q = idx % 32u;
    if (r < nb && q <= r) { ws[u32(base + i32(r) * p_i(4) + i32(q) * p_i(5))] = a[r][q]; }
  }
}
