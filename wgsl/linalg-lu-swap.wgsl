// The row interchanges of one LU panel applied to the columns beyond it (the
// trailing columns and the right-hand sides): an invocation per column of
// each matrix swaps rows j and piv[j] for j = 0 .. nb-1 in order.
// No slots. params: [batch, ncols, nb, a_off, a_bs, a_rs, a_cs, piv_off, piv_bs]

@group(0) @binding(0) var<storage, read_write> ws: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * 256u;
  let ncols = params[1];
  if (e >= params[0] * ncols) { return; }
  let b = i32(e / ncols);
  let col = base_col(e % ncols);
  let base = p_i(3) + b * p_i(4) + col;
  let piv = p_i(7) + b * p_i(8);
  for (var j = 0u; j < params[2]; j++) {
    let p = u32(ws[u32(piv + i32(j))]);
    if (p != j) {
      let rj = u32(base + i32(j) * p_i(5));
      let rp = u32(base + i32(p) * p_i(5));
      let x = ws[rj];
      ws[rj] = ws[rp];
      ws[rp] = x;
    }
  }
}

fn base_col(c: u32) -> i32 { return i32(c) * p_i(6); }
