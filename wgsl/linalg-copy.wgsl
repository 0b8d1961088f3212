// The batched strided 2D copy of the linear-algebra kernels: out(b, i, j) =
// in(b, i, j) through signed strides (so a view may be transposed or
// reversed), kept where the mode's mask holds and 0 elsewhere; or the
// identity / zeros written without reading; or (mode 5) a move between two
// disjoint views of out's own buffer. One invocation per element.
// No slots. params: [batch, rows, cols, in_off, in_bs, in_rs, in_cs,
//   out_off, out_bs, out_rs, out_cs, mode] (offsets and strides in f32 words,
//   signed); mode 0 all, 1 lower (j <= i), 2 upper (j >= i), 3 identity, 4 zeros, 5 within out.

@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * 256u;
  let rows = params[1];
  let cols = params[2];
  let per = rows * cols;
  if (e >= params[0] * per) { return; }
  let b = i32(e / per);
  let i = (e % per) / cols;
  let j = e % cols;
  let mode = params[11];
  var v = 0.0;
  if (mode == 3u) {
    v = select(0.0, 1.0, i == j);
  } else if (mode == 5u) {
    v = dst[u32(p_i(3) + b * p_i(4) + i32(i) * p_i(5) + i32(j) * p_i(6))];
  } else if (mode != 4u && !(mode == 1u && j > i) && !(mode == 2u && j < i)) {
    v = src[u32(p_i(3) + b * p_i(4) + i32(i) * p_i(5) + i32(j) * p_i(6))];
  }
  dst[u32(p_i(7) + b * p_i(8) + i32(i) * p_i(9) + i32(j) * p_i(10))] = v;
}
