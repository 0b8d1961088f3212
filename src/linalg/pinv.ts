// linalg.pinv: the Moore-Penrose pseudo-inverse (MLX's mx.linalg.pinv),
// batched over leading axes.

import type { MxArray } from "../array.js";
import { PseudoInverse } from "../primitives/linalg-pinv.js";
import { node, type ArrayLike, type OpOptions } from "../ops/base.js";
import { linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

/**
 * The pseudo-inverse A+ (n x m) of each matrix A (m x n) in the last two
 * axes of `a` (float32 or float64), with A A+ A = A: V diag(1 / S) U^T from
 * the singular value decomposition, where singular values at most
 * 10 max(m, n) eps max(S) (eps of a's dtype, MLX's cutoff) count as zero.
 * Computed in float64 and rounded once. Differentiable where the rank does
 * not change. Runs on the cpu stream only, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[2, 0], [0, 0], [0, 4]], mx.float32);
 * await mx.linalg.pinv(a, { stream: mx.cpu }).tolist(); // [[0.5, 0, 0], [0, 0, 0.25]]
 * ```
 */
export function pinv(a: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("linalg.pinv", arguments, 2);
  return asOp("linalg.pinv", () => {
    const { x, s } = linalgInput("linalg.pinv", a, o, [], false);
    return node(new PseudoInverse(), [x], s);
  });
}
