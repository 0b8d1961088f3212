// Reduction inputs built on the device (no host array of their size): small
// values (i * 7) % 5 with chosen extremes at chosen places, for tests of
// argmax/argmin's first index over long arrays and many rows.

import * as mx from "../../index.js";

type Stream = { stream: mx.StreamOrDevice };

/** `n` small values (i * 7) % 5 of `dtype`, with value `v` at each index `at` of `marks`. */
export function marked(n: number, dtype: mx.DType, marks: readonly (readonly [number, number])[], o: Stream): mx.MxArray {
  const i = mx.arange(n, { dtype: mx.int32, ...o });
  let x = mx.astype(mx.remainder(mx.multiply(i, 7, o), 5, o), dtype, o);
  for (const [at, v] of marks) x = mx.where(mx.equal(i, at, o), v, x, o);
  return x;
}

/** Rows [firsts.length, n] of small values (column * 7) % 5 of `dtype`, row r holding 9 at firsts[r], three places later and at its last element. */
export function markedRows(firsts: readonly number[], n: number, dtype: mx.DType, o: Stream): mx.MxArray {
  const col = mx.reshape(mx.arange(n, { dtype: mx.int32, ...o }), [1, n], o);
  const f = mx.array(firsts.map((v) => [v]), mx.int32, o);
  const hit = mx.logicalOr(mx.logicalOr(mx.equal(col, f, o), mx.equal(col, mx.add(f, 3, o), o), o), mx.equal(col, n - 1, o), o);
  return mx.where(hit, 9, mx.astype(mx.remainder(mx.multiply(col, 7, o), 5, o), dtype, o), o);
}
