// Where an elementwise kernel (elementwise.wgsl, elementwise64.wgsl, compile's
// fused.wgsl) reads input k at output element e: params [n, ndim, shape[ndim],
// then per input offset, strides[ndim] (i32 bits)]; the linear variant (ndim 1)
// reads one merged dimension's offset and stride, the rows variant (ndim 2)
// steps an element's row and column (and each input's offset) from the last
// one's, with no division. Prepended as the "elementwise-index" helper.

/** Element e's offset in input k, for any number of dimensions. */
fn offset_of(k: u32, e: u32) -> u32 {
  let nd = params[1];
  let base = 2u + nd + k * (1u + nd);
  var rem = e;
  var off = bitcast<i32>(params[base]);
  for (var d = i32(nd) - 1; d >= 0; d--) {
    let dim = params[2u + u32(d)];
    off += i32(rem % dim) * bitcast<i32>(params[base + 1u + u32(d)]);
    rem = rem / dim;
  }
  return u32(off);
}

/** Input k's (offset, stride) when the map is linear (params[1] is 1). */
fn linear_of(k: u32) -> vec2<i32> {
  return vec2<i32>(bitcast<i32>(params[3u + 2u * k]), bitcast<i32>(params[4u + 2u * k]));
}

/** Input k's rows_layout when the map has two merged dims (params[1] is 2, params[3] columns). */
fn rows_of(k: u32) -> vec4<i32> {
  return rows_layout(4u + 3u * k, params[3]);
}

/**
 * The input whose (offset, row stride, column stride) start at params[at], in
 * rows of `cols` columns: those three and the step from a row's last column
 * to the next row's first (w). i32 arithmetic wraps, so every sum of them is
 * the offset's bits.
 */
fn rows_layout(at: u32, cols: u32) -> vec4<i32> {
  let row = bitcast<i32>(params[at + 1u]);
  let col = bitcast<i32>(params[at + 2u]);
  return vec4<i32>(bitcast<i32>(params[at]), row, col, row - i32(cols - 1u) * col);
}

/** Element e's (row, column) in rows of `cols` columns. */
fn row_col(e: u32, cols: u32) -> vec2<u32> {
  let row = e / cols;
  return vec2<u32>(row, e - row * cols);
}

/** (row, column) rc moved on by span d (row_col of the elements it spans) in rows of `cols` columns: a carry, no division. */
fn advance_row_col(rc: vec2<u32>, d: vec2<u32>, cols: u32) -> vec2<u32> {
  let wraps = rc.y >= cols - d.y;
  return vec2<u32>(rc.x + d.x + select(0u, 1u, wraps), select(rc.y + d.y, rc.y - (cols - d.y), wraps));
}

/** An input's offset (of its rows_layout l) at (row, column) rc. */
fn rows_offset(l: vec4<i32>, rc: vec2<u32>) -> i32 {
  return l.x + i32(rc.x) * l.y + i32(rc.y) * l.z;
}
