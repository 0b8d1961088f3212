// Where the attention kernels (fast-attention.wgsl, -tiled.wgsl, -blocked.wgsl)
// read q, k, v and the mask (each operand's offset and four strides, signed,
// in elements, are consecutive words of params), and where the tiled kernels store
// an output row. Prepended as the "attention-index" helper.

/** Offset of element (a, b, c, d) of the operand whose offset and strides start at params[p]. */
fn at4(p: u32, a: u32, b: u32, c: u32, d: u32) -> u32 {
  return bitcast<u32>(bitcast<i32>(params[p]) + i32(a) * bitcast<i32>(params[p + 1u]) + i32(b) * bitcast<i32>(params[p + 2u])
    + i32(c) * bitcast<i32>(params[p + 3u]) + i32(d) * bitcast<i32>(params[p + 4u]));
}

/** Row i's output vec4 columns c0 (a0) and c1 (a1) divided by the row's sum l (0 when it has no key, NaN when every score was -inf). */
fn put_row(i: u32, a0: vec4<f32>, a1: vec4<f32>, l: f32, Lq: u32, Lkv: u32, bh: u32, DV: u32, c0: u32, c1: u32) {
  if (i >= Lq) { return; }
  let row = (bh * Lq + i) * DV;
  for (var y = 0u; y < 4u; y++) {
    var o0 = a0[y] / l;
    var o1 = a1[y] / l;
    if (l == 0.0) {
      o0 = select(nan_f32(), 0.0, Lkv == 0u);
      o1 = o0;
    }
    if (c0 * 4u + y < DV) { out_words[row + c0 * 4u + y] = bitcast<u32>(o0); }
    if (c1 * 4u + y < DV) { out_words[row + c1 * 4u + y] = bitcast<u32>(o1); }
  }
}
