// Where the attention kernels (fast-attention.wgsl, fast-attention-tiled.wgsl)
// read q, k, v and the mask: each operand's offset and four strides (signed,
// in elements) are consecutive words of params. Prepended as the "attention-index" helper.

/** Offset of element (a, b, c, d) of the operand whose offset and strides start at params[p]. */
fn at4(p: u32, a: u32, b: u32, c: u32, d: u32) -> u32 {
  return bitcast<u32>(bitcast<i32>(params[p]) + i32(a) * bitcast<i32>(params[p + 1u]) + i32(b) * bitcast<i32>(params[p + 2u])
    + i32(c) * bitcast<i32>(params[p + 3u]) + i32(d) * bitcast<i32>(params[p + 4u]));
}
