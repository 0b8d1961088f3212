// linalg.cholesky: the Cholesky factor of symmetric positive-definite
// matrices (MLX's mx.linalg.cholesky), batched over leading axes.

import type { MxArray } from "../array.js";
import { Cholesky } from "../primitives/linalg-cholesky.js";
import { node, type ArrayLike, type OpOptions } from "../ops/base.js";
import { boolFlag, flagOrOptions, linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

export interface CholeskyOptions extends OpOptions {
  /** Return the upper factor U (A = U^T U, read from A's upper triangle) instead of the lower L (A = L L^T, the default). */
  upper?: boolean | undefined;
}

/**
 * The Cholesky factor of each symmetric positive-definite matrix in the last
 * two axes of `a` (float32 or float64): lower triangular L with A = L L^T, or
 * with `upper` the upper U = L^T. Only the triangle of `a` the factor lies in
 * is read. Computed in float64 and rounded once. A matrix that is not
 * positive definite (a pivot not positive, or NaN: LAPACK potrf's info > 0)
 * is an error naming the matrix of the batch and the column when the result
 * is evaluated, as inv and solve report a singular matrix (MLX's cpu
 * returns LAPACK's partial factor unchecked, its source noting that it would
 * rather throw; NumPy raises). Runs on the cpu (float64)
 * and, as float32 GPU kernels, on webgpu and metal (MLX: the cpu only). `upper` may be passed positionally, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[4, 2], [2, 3]], mx.float64);
 * await mx.linalg.cholesky(a, { stream: mx.cpu }).tolist(); // [[2, 0], [1, 1.4142135623730951]]
 * await mx.linalg.cholesky(a, true, { stream: mx.cpu }).tolist(); // [[2, 1], [0, 1.4142135623730951]]
 * ```
 */
export function cholesky(a: ArrayLike, upper?: boolean | CholeskyOptions, o?: CholeskyOptions): MxArray {
  noExtraArguments("linalg.cholesky", arguments, 3);
  return asOp("linalg.cholesky", () => {
    const op = "linalg.cholesky";
    const opts = flagOrOptions<CholeskyOptions>(op, "upper", upper, o);
    const { x, s } = linalgInput(op, a, opts, ["upper"]);
    return node(new Cholesky(boolFlag(op, "upper", opts.upper)), [x], s);
  });
}
