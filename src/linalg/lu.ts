// linalg.luFactor and linalg.lu: the LU factorization with partial pivoting
// (MLX's mx.linalg.lu_factor and lu), compact or unpacked, batched over
// leading axes.

import type { MxArray } from "../array.js";
import { LUFactor } from "../primitives/linalg-lu.js";
import { nodes, type ArrayLike, type OpOptions } from "../ops/base.js";
import { add } from "../ops/elementwise.js";
import { eye } from "../ops/creation.js";
import { slice } from "../ops/layout.js";
import { tril, triu } from "../ops/shapes.js";
import { linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

/**
 * The compact LU factorization of each matrix (m x n) in the last two axes
 * of `a` (float32 or float64), as LAPACK's getrf and MLX's lu_factor: `LU`
 * (m x n) holds U on and above the diagonal and L's entries below it (L's
 * unit diagonal implied), and `pivots` (uint32, min(m, n) of them, 0-based)
 * says that row j was swapped with row pivots[j] at step j. By partial
 * pivoting in float64, rounded once; a singular matrix gives a zero on U's
 * diagonal, not an error. Differentiable (LU, with the pivots fixed) where
 * U's leading block is invertible. Runs on the cpu stream only, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float64);
 * const [lu, pivots] = mx.linalg.luFactor(a, { stream: mx.cpu });
 * await lu.tolist(); // [[3, 4], [0.3333333333333333, 0.6666666666666667]]
 * await pivots.tolist(); // [1, 1]
 * ```
 */
export function luFactor(a: ArrayLike, o?: OpOptions): [MxArray, MxArray] {
  noExtraArguments("linalg.luFactor", arguments, 2);
  return asOp("linalg.luFactor", () => {
    const { x, s } = linalgInput("linalg.luFactor", a, o, [], false);
    const [lu, pivots] = nodes(new LUFactor(), [x], s);
    return [lu!, pivots!];
  });
}

/**
 * The LU factorization of each matrix (m x n) in the last two axes of `a`
 * (float32 or float64) as MLX's lu: [P, L, U] with the row indices P
 * (uint32, m of them), L (m x k, unit lower triangular) and U (k x n, upper
 * triangular), k = min(m, n), such that A = L[P] U (for batches:
 * mx.takeAlongAxis(L, mx.expandDims(P, -1), -2) @ U). By partial pivoting in
 * float64, rounded once. Runs on the cpu stream only, as in MLX.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float64);
 * const [p, l, u] = mx.linalg.lu(a, { stream: mx.cpu });
 * await p.tolist(); // [1, 0]
 * await l.tolist(); // [[1, 0], [0.3333333333333333, 1]]
 * await u.tolist(); // [[3, 4], [0, 0.6666666666666667]]
 * ```
 */
export function lu(a: ArrayLike, o?: OpOptions): [MxArray, MxArray, MxArray] {
  noExtraArguments("linalg.lu", arguments, 2);
  return asOp("linalg.lu", () => {
    const { x, s } = linalgInput("linalg.lu", a, o, [], false);
    const so = { stream: s };
    const [packed, , rows] = nodes(new LUFactor(), [x], s);
    const [m, n] = [x.shape.at(-2)!, x.shape.at(-1)!], k = Math.min(m, n);
    const start = x.shape.map(() => 0);
    const l = slice(tril(packed!, -1, so), start, x.shape.map((d, i) => (i === x.ndim - 1 ? k : d)), undefined, so);
    const u = slice(triu(packed!, 0, so), start, x.shape.map((d, i) => (i === x.ndim - 2 ? k : d)), undefined, so);
    return [rows!, add(l, eye(m, k, 0, { dtype: x.dtype, ...so }), so), u];
  });
}
