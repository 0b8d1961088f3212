// linalg.triInv: the inverse of triangular matrices (MLX's
// mx.linalg.tri_inv), batched over leading axes.

import type { MxArray } from "../array.js";
import { TriInv } from "../primitives/linalg-cholesky.js";
import { node, type ArrayLike, type OpOptions } from "../ops/base.js";
import { boolFlag, flagOrOptions, linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

export interface TriInvOptions extends OpOptions {
  /** `a` is upper triangular (its upper triangle is read); default lower. */
  upper?: boolean | undefined;
}

/**
 * The inverse of each triangular matrix in the last two axes of `a` (float32
 * or float64), by substitution in float64 rounded once. Only the triangle
 * named by `upper` (default lower) is read; the result is triangular the
 * same way. An exact zero on the diagonal (a singular triangle) is an error
 * when the result is evaluated, naming the matrix of the batch and the row, as
 * MLX's (LAPACK trtri's info). Runs on the cpu (float64) and, as float32 GPU
 * kernels, on webgpu and metal (MLX: the cpu only). `upper` may be passed
 * positionally.
 * @example
 * ```ts
 * const l = mx.array([[2, 0], [1, 4]], mx.float32);
 * await mx.linalg.triInv(l, { stream: mx.cpu }).tolist(); // [[0.5, 0], [-0.125, 0.25]]
 * ```
 */
export function triInv(a: ArrayLike, upper?: boolean | TriInvOptions, o?: TriInvOptions): MxArray {
  noExtraArguments("linalg.triInv", arguments, 3);
  return asOp("linalg.triInv", () => {
    const op = "linalg.triInv";
    const opts = flagOrOptions<TriInvOptions>(op, "upper", upper, o);
    const { x, s } = linalgInput(op, a, opts, ["upper"]);
    return node(new TriInv(boolFlag(op, "upper", opts.upper)), [x], s);
  });
}
