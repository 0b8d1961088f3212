// Where an elementwise kernel (elementwise.wgsl, elementwise64.wgsl) reads
// input k at output element e: params [n, ndim, shape[ndim], then per input
// offset, strides[ndim] (i32 bits)]; the linear variant (ndim 1) reads one
// merged dimension's offset and stride, the rows variant (ndim 2) an
// element's row and column once for all inputs. Prepended as the
// "elementwise-index" helper.

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

/** Input k's (offset, row stride, column stride) when the map has two merged dims (params[1] is 2). */
fn rows_of(k: u32) -> vec3<i32> {
  let base = 4u + 3u * k;
  return vec3<i32>(bitcast<i32>(params[base]), bitcast<i32>(params[base + 1u]), bitcast<i32>(params[base + 2u]));
}

/** Output element e's (row, column) when the map has two merged dims: one division for all inputs. */
fn row_col(e: u32) -> vec2<u32> {
  let row = e / params[3];
  return vec2<u32>(row, e - row * params[3]);
}

/** The (row, column) after rc's in a map of two merged dims. */
fn next_row_col(rc: vec2<u32>) -> vec2<u32> {
  let wraps = rc.y + 1u == params[3];
  return vec2<u32>(rc.x + select(0u, 1u, wraps), select(rc.y + 1u, 0u, wraps));
}
