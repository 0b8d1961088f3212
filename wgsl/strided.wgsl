// Strided addressing shared by the segment kernels (reductions, softmax):
// the offset of element `idx` (row-major over `count` dims) of a view whose
// shape starts at params[shape_at] and strides (i32 bits) at params[strides_at].
// Prepended after dtypes.wgsl; expects the kernel's `params` binding. No slots.

fn decompose(shape_at: u32, strides_at: u32, count: u32, idx: u32) -> i32 {
  var rem = idx;
  var off = 0;
  for (var d = i32(count) - 1; d >= 0; d--) {
    let dim = params[shape_at + u32(d)];
    off += i32(rem % dim) * bitcast<i32>(params[strides_at + u32(d)]);
    rem = rem / dim;
  }
  return off;
}
