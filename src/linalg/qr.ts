// linalg.qr: the reduced QR factorization (MLX's mx.linalg.qr), batched over
// leading axes.

import type { MxArray } from "../array.js";
import { QR } from "../primitives/linalg-qr.js";
import { nodes, type ArrayLike, type OpOptions } from "../ops/base.js";
import { linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

/**
 * The QR factorization A = Q R of each matrix (m x n) in the last two axes of
 * `a` (float32 or float64): Q (m x k) with orthonormal columns and R (k x n)
 * upper triangular, k = min(m, n), as MLX's (and NumPy's "reduced" mode). By
 * Householder reflections in float64 (LAPACK's sign convention: R's diagonal
 * may be negative), rounded once. Differentiable where R's leading k x k
 * block is invertible. Runs on the cpu (float64) and, as float32 GPU kernels, on webgpu and metal (MLX: the cpu only).
 * @example
 * ```ts
 * const a = mx.array([[2, 3], [1, 2]], mx.float64);
 * const [q, r] = mx.linalg.qr(a, { stream: mx.cpu });
 * await q.tolist(); // [[-0.8944271909999157, -0.4472135954999579], [-0.4472135954999579, 0.8944271909999159]]
 * await r.tolist(); // [[-2.23606797749979, -3.577708763999664], [0, 0.44721359549995787]]
 * ```
 */
export function qr(a: ArrayLike, o?: OpOptions): [MxArray, MxArray] {
  noExtraArguments("linalg.qr", arguments, 2);
  return asOp("linalg.qr", () => {
    const { x, s } = linalgInput("linalg.qr", a, o, [], false);
    const [q, r] = nodes(new QR(), [x], s);
    return [q!, r!];
  });
}
