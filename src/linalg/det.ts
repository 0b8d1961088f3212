// linalg.det and linalg.slogdet: determinants of square matrices (MLX's
// mx.linalg.det and slogdet), from an LU factorization with partial
// pivoting, batched over leading axes.

import type { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { bool, float32, is16BitFloat, isInexact, type DType } from "../dtype.js";
import { Det, Slogdet } from "../primitives/linalg-det.js";
import { checkArrayLike, node, nodes, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { astype } from "../ops/elementwise.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { linalgInput } from "./checks.js";

/**
 * The matrix argument of `op`: integers and bool cast to float32 first (as
 * MLX's), float16 and bfloat16 computed in float32; then linalg's checks.
 * `dtype` is the result's: float32 for integers, else a's own.
 */
function detInput(op: string, a: ArrayLike, o: OpOptions | undefined) {
  checkOptions(op, o, []);
  checkArrayLike(op, a, "a");
  const s = opStream(op, o, a);
  const x = toArray(op, a, s, undefined, "a");
  const dtype: DType = isInexact(x.dtype) ? x.dtype : float32;
  const cast = isInexact(x.dtype) && !is16BitFloat(x.dtype) ? x : astype(x.dtype === bool ? astype(x, float32, { stream: s }) : x, float32, { stream: s });
  return { ...linalgInput(op, cast, o, []), dtype };
}

/** `r` in `dtype` (a float16 or bfloat16 input's results rounded back from float32). */
const inDtype = (r: MxArray, dtype: DType, s: Stream) => (r.dtype === dtype ? r : astype(r, dtype, { stream: s }));

/**
 * The determinant of each square matrix in the last two axes of `a`
 * (float32 or float64; integers and bool are cast to float32; float16 and
 * bfloat16 computed in float32 and rounded back), the product of the
 * pivots of an LU factorization with partial pivoting, computed in float64
 * and rounded once; 0 for a singular matrix, 1 for a 0 x 0 one.
 * Differentiable at every matrix: the gradient is the cofactor matrix
 * adj(A)^T (det(A) A^-T where `a` is invertible, from the SVD where it is
 * singular), as MLX's for n <= 3 (MLX has none beyond). Its second
 * derivatives go through A^-1, so exist where `a` is invertible. Runs on the
 * cpu stream only, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float32);
 * await mx.linalg.det(a, { stream: mx.cpu }).item(); // -2
 * ```
 */
export function det(a: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("linalg.det", arguments, 2);
  return asOp("linalg.det", () => {
    const { x, s, dtype } = detInput("linalg.det", a, o);
    return inDtype(node(new Det(), [x], s), dtype, s);
  });
}

/**
 * The sign and the natural log of the absolute value of the determinant of
 * each square matrix in the last two axes of `a` (float32 or float64;
 * integers and bool are cast to float32; float16 and bfloat16 computed in
 * float32 and rounded back): det = sign * exp(logabsdet), without the
 * overflow of the determinant itself. A singular matrix gives sign 0 and
 * logabsdet -Infinity. From an LU factorization in float64, rounded once.
 * logabsdet is differentiable where `a` is invertible (its gradient is
 * A^-T); at an exactly singular matrix, where it has none (MLX's n <= 3
 * formula gives non-finite values there), the gradient is the singular
 * matrix error of inv. Runs on the cpu stream only, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float64);
 * const [sign, logabsdet] = mx.linalg.slogdet(a, { stream: mx.cpu });
 * await sign.item(); // -1
 * await logabsdet.item(); // 0.6931471805599453
 * ```
 */
export function slogdet(a: ArrayLike, o?: OpOptions): [MxArray, MxArray] {
  noExtraArguments("linalg.slogdet", arguments, 2);
  return asOp("linalg.slogdet", () => {
    const { x, s, dtype } = detInput("linalg.slogdet", a, o);
    const [sign, logabsdet] = nodes(new Slogdet(), [x], s);
    return [inDtype(sign!, dtype, s), inDtype(logabsdet!, dtype, s)];
  });
}
