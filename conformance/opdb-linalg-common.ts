// The input generators the op-database entries of mx.linalg share: matrices
// of values in [-1, 1] (batched, in any layout), square cases, and the
// diagonally dominant X + 3 I that keeps a solve or an inverse well conditioned.

import fc from "fast-check";
import * as mx from "../index.js";
import type { InputCase, Layout } from "./arbitraries.js";
import type { Params } from "./opdb.js";

export const LINALG_FLOATS = [mx.float32, mx.float64];

/** A matrix input (batch dims of 1 to 3, then rows x cols) with values in [-1, 1] held exactly by `d`. */
export function matrixArb(d: mx.DType, batch: readonly number[], rows: number, cols: number): fc.Arbitrary<InputCase> {
  const shape = [...batch, rows, cols];
  const size = shape.reduce((a, b) => a * b, 1);
  return fc.record({
    dtype: fc.constant(d.name),
    shape: fc.constant(shape),
    values: fc.array(fc.double({ min: -1, max: 1, noNaN: true }).map((v) => (d === mx.float32 ? Math.fround(v) : v)), { minLength: size, maxLength: size }),
    layout: fc.constantFrom<Layout>("contiguous", "transposed", "strided"),
  });
}

export const batchArb = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 });

/** Cases of one square (n x n, n in 1..4) input with `params`. */
export const squareCases = (params: fc.Arbitrary<Params>) => (d: mx.DType) =>
  fc.tuple(batchArb, fc.integer({ min: 1, max: 4 }), params).chain(([b, n, p]) => fc.record({ inputs: matrixArb(d, b, n, n).map((x) => [x]), params: fc.constant(p) }));

/** X + 3 I: the diagonal in [2, 4] dominates rows of at most four entries in [-1, 1], so it is well conditioned. */
export function diagonallyDominant(x: mx.MxArray, o: mx.OpOptions): mx.MxArray {
  const n = x.shape.at(-1)!;
  return mx.add(x, mx.multiply(mx.eye(n, n, 0, { dtype: x.dtype, ...o }), 3, o), o);
}
