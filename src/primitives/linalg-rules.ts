// Matrix helpers the linear-algebra primitives share: the input check of the
// factorizations that take complex64, the transpose of the last two axes,
// the symmetric matrix a factorization sees in the triangle it reads, the
// gradient restricted to that triangle, and the eigenvalue-gap matrix
// 1 / (w_j - w_i).

import type { MxArray } from "../array.js";
import { complex64, float32, float64 } from "../dtype.js";
import { opError, type Described } from "../errors.js";
import type { Spec } from "../primitive.js";
import { on } from "./autodiff.js";
import { checkInputCount } from "./checks.js";
import { ops } from "./ops-ref.js";

/**
 * The one input of svd, eig and eigh, which take complex64 too (MLX's
 * check_float_or_complex): float32, float64 or complex64 matrices of at least
 * two dimensions, square when `square`.
 */
export function checkFloatOrComplexMatrixInput(op: string, inputs: readonly Spec[], square: boolean): void {
  checkInputCount(op, inputs, 1);
  const a = inputs[0]!;
  if (a.dtype !== float32 && a.dtype !== float64 && a.dtype !== complex64) throw opError(op, `a must be float32 or float64 (or complex64), got ${a.dtype.name} (cast it with mx.astype)`, [a], "type");
  checkMatrixShape(op, a, square);
}

/** Throws (naming `op`) unless `x` (argument `name`) has at least 2 dimensions, square in its last two when `square` (checkMatrix's shape rules, whatever the dtype). */
export function checkMatrixShape(op: string, x: Described, square: boolean, name = "a"): void {
  if (x.shape.length < 2) throw opError(op, `${name} must have at least 2 dimensions (a matrix or a batch of them), got ${x.shape.length}`, [x], "value");
  if (square && x.shape.at(-1) !== x.shape.at(-2)) throw opError(op, `${name} must be square in its last two dimensions, got ${x.shape.at(-2)} x ${x.shape.at(-1)}`, [x], "value");
}

/** The dtype of the real values (singular values, eigenvalues of a Hermitian matrix) of a factorization of `d`: float32 for complex64, else d. */
export const realDtypeOf = (d: Spec["dtype"]) => (d === complex64 ? float32 : d);

/** `x` with its last two axes swapped. */
export function mT(x: MxArray): MxArray {
  return ops.swapaxes(x, -1, -2, on(x));
}

/** The product of matrices (batched), on the first's stream. */
export function mm(...xs: MxArray[]): MxArray {
  return xs.reduce((a, b) => ops.matmul(a, b, on(a)));
}

/** The identity matching the last axis of `x`, in x's dtype, times `scale`. */
function identityLike(x: MxArray, scale = 1): MxArray {
  const n = x.shape.at(-1)!;
  const eye = ops.eye(n, n, 0, { dtype: x.dtype, ...on(x) });
  return scale === 1 ? eye : ops.multiply(eye, scale, on(x));
}

/** The symmetric matrix whose lower (or upper) triangle is that of `a`: what a factorization reading that triangle sees. */
export function symmetricOf(a: MxArray, upper: boolean): MxArray {
  const o = on(a);
  const tri = upper ? ops.triu(a, 0, o) : ops.tril(a, 0, o);
  return ops.subtract(ops.add(tri, mT(tri), o), ops.multiply(a, identityLike(a), o), o);
}

/**
 * The gradient with respect to the entries a factorization reads (the lower,
 * or upper, triangle of a symmetric matrix), from `g`, a gradient with respect
 * to the symmetric matrix it sees: that triangle of g + g^T, the diagonal counted once.
 */
export function readTriangle(g: MxArray, upper: boolean): MxArray {
  const o = on(g);
  const s = ops.add(g, mT(g), o);
  const tri = upper ? ops.triu(s, 0, o) : ops.tril(s, 0, o);
  return ops.subtract(tri, ops.multiply(s, identityLike(s, 0.5), o), o);
}

/** The lower (or upper) triangle of `x` with its diagonal halved. */
export function halfTriangle(x: MxArray, upper: boolean): MxArray {
  const o = on(x);
  const tri = upper ? ops.triu(x, 0, o) : ops.tril(x, 0, o);
  return ops.subtract(tri, ops.multiply(x, identityLike(x, 0.5), o), o);
}

/** The matrix f_ij = 1 / (w_j - w_i) off the diagonal and 0 on it, for values `w` (..., n). */
export function gapInverse(w: MxArray): MxArray {
  const o = on(w);
  const diff = ops.subtract(ops.expandDims(w, -2, o), ops.expandDims(w, -1, o), o);
  const eye = identityLike(diff);
  // the diagonal (0 / 0) is replaced by 0
  return ops.where(ops.greater(eye, 0, o), 0, ops.divide(1, ops.add(diff, eye, o), o), o);
}
