// linalg.solve and linalg.solveTriangular: the solution x of a x = b (MLX's
// mx.linalg.solve, solve_triangular), b a vector or a batch of matrices,
// batch axes broadcast as matmul's.

import type { MxArray } from "../array.js";
import { float32, float64, promoteTypes } from "../dtype.js";
import { opError } from "../errors.js";
import { Solve, type Triangle } from "../primitives/linalg-solve.js";
import { broadcastShapes } from "../shape.js";
import { checkArrayLike, node, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { astype } from "../ops/elementwise.js";
import { broadcastTo, expandDims, squeeze } from "../ops/layout.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { boolFlag, cpuOnly, flagOrOptions } from "./checks.js";

export interface SolveTriangularOptions extends OpOptions {
  /** `a` is upper triangular (its upper triangle is read); default lower. */
  upper?: boolean | undefined;
}

/** MLX's checks of solve and solveTriangular, then the Solve node (b a vector: its axis added and removed). */
function solveOf(op: string, a: ArrayLike, b: ArrayLike, o: OpOptions | undefined, allowed: readonly string[], triangle: Triangle): MxArray {
  checkOptions(op, o, allowed);
  checkArrayLike(op, a, "a");
  checkArrayLike(op, b, "b");
  const s = opStream(op, o, a, b);
  cpuOnly(op, s);
  const so = { stream: s };
  const x = toArray(op, a, s, undefined, "a"), y = toArray(op, b, s, undefined, "b");
  if (x.ndim < 2) throw opError(op, `a must have at least 2 dimensions (a matrix or a batch of them), got ${x.ndim}`, [x], "value");
  if (y.ndim < 1) throw opError(op, "b must have at least 1 dimension", [y], "value");
  const n = x.shape.at(-1)!;
  if (x.shape.at(-2) !== n) throw opError(op, `a must be square in its last two dimensions, got ${x.shape.at(-2)} x ${n}`, [x], "value");
  const vector = y.ndim === 1;
  if ((vector ? y.shape[0] : y.shape.at(-2)) !== n) {
    throw opError(op, `the last dimension of a (${n}) must match ${vector ? "the length of b" : "the second to last dimension of b"} (${vector ? y.shape[0] : y.shape.at(-2)})`, [x, y], "value");
  }
  const d = promoteTypes(x.dtype, y.dtype);
  if (d !== float32 && d !== float64) throw opError(op, `a and b must promote to float32 or float64, got ${x.dtype.name} and ${y.dtype.name} (promoting to ${d.name})`, [x, y], "type");
  const rhs = vector ? expandDims(y, -1, so) : y;
  const batch = broadcastShapes(op, x.shape.slice(0, -2), rhs.shape.slice(0, -2));
  const out = node(new Solve(triangle), [broadcastTo(astype(x, d, so), [...batch, n, n], so), broadcastTo(astype(rhs, d, so), [...batch, ...rhs.shape.slice(-2)], so)], s);
  return vector ? squeeze(out, -1, so) : out;
}

/**
 * The solution x of a x = b for square `a` (..., n, n) and `b`, a vector (n)
 * or matrices (..., n, k); batch axes broadcast. By LU factorization with
 * partial pivoting in float64, rounded once to the inputs' promoted dtype
 * (float32 or float64). A singular `a` (an exact zero pivot) is an error when
 * the result is evaluated. Runs on the cpu (float64) and, as float32 GPU kernels, on webgpu and metal (MLX: the cpu only).
 * @example
 * ```ts
 * const a = mx.array([[3, 1], [1, 2]], mx.float32);
 * await mx.linalg.solve(a, mx.array([9, 8], mx.float32), { stream: mx.cpu }).tolist(); // [2, 3]
 * ```
 */
export function solve(a: ArrayLike, b: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("linalg.solve", arguments, 3);
  return asOp("linalg.solve", () => {
    return solveOf("linalg.solve", a, b, o, [], null);
  });
}

/**
 * The solution x of a x = b for triangular `a` (lower, or upper with
 * `upper`; only that triangle is read), `b` a vector or matrices as in
 * `solve`; by substitution in float64, rounded once. An exact zero on the
 * diagonal (a singular triangle) is an error when the result is evaluated,
 * as MLX's (its solve_triangular inverts the triangle). Runs on the cpu (float64) and, as float32 GPU kernels, on webgpu and metal (MLX: the cpu only). `upper`
 * may be passed positionally.
 * @example
 * ```ts
 * const l = mx.array([[2, 0], [1, 4]], mx.float32);
 * await mx.linalg.solveTriangular(l, mx.array([2, 9], mx.float32), { stream: mx.cpu }).tolist(); // [1, 2]
 * ```
 */
export function solveTriangular(a: ArrayLike, b: ArrayLike, upper?: boolean | SolveTriangularOptions, o?: SolveTriangularOptions): MxArray {
  noExtraArguments("linalg.solveTriangular", arguments, 4);
  return asOp("linalg.solveTriangular", () => {
    const op = "linalg.solveTriangular";
    const opts = flagOrOptions<SolveTriangularOptions>(op, "upper", upper, o);
    return solveOf(op, a, b, opts, ["upper"], boolFlag(op, "upper", opts.upper) ? "upper" : "lower");
  });
}
