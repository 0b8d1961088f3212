// linalg.inv: the inverse of square matrices (MLX's mx.linalg.inv), batched
// over leading axes.

import type { MxArray } from "../array.js";
import { Inverse } from "../primitives/linalg-solve.js";
import { node, type ArrayLike, type OpOptions } from "../ops/base.js";
import { linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

/**
 * The inverse of each square matrix in the last two axes of `a` (float32 or
 * float64), by LU factorization with partial pivoting in float64, rounded
 * once. A matrix with an exact zero pivot (singular) is an error when the
 * result is evaluated, as in MLX. Runs on the cpu (float64) and, as float32 GPU kernels, on webgpu and metal (MLX: the cpu only).
 * @example
 * ```ts
 * const a = mx.array([[4, 7], [2, 6]], mx.float64);
 * await mx.linalg.inv(a, { stream: mx.cpu }).tolist(); // [[0.6000000000000001, -0.7000000000000001], [-0.2, 0.4]]
 * ```
 */
export function inv(a: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("linalg.inv", arguments, 2);
  return asOp("linalg.inv", () => {
    const { x, s } = linalgInput("linalg.inv", a, o, []);
    return node(new Inverse(), [x], s);
  });
}
