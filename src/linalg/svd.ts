// linalg.svd: the singular value decomposition (MLX's mx.linalg.svd): the
// full U and V^T with the singular values, or the values alone.

import type { MxArray } from "../array.js";
import { SVD } from "../primitives/linalg-svd.js";
import { nodes, type ArrayLike, type OpOptions } from "../ops/base.js";
import { boolFlag, flagOrOptions, linalgInput } from "./checks.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";

export interface SvdOptions extends OpOptions {
  /** Return [U, S, Vt] (true, the default) or the singular values S alone (false). */
  computeUV?: boolean | undefined;
}

/**
 * The singular values alone (`computeUV` false, positionally as in MLX or as
 * an option) of each matrix in the last two axes of `a`: min(m, n) of them,
 * non-negative and descending. See the other signature for the factors.
 * @example
 * ```ts
 * const a = mx.array([[3, 0], [0, -2], [0, 0]], mx.float32);
 * await mx.linalg.svd(a, false, { stream: mx.cpu }).tolist(); // [3, 2]
 * await mx.linalg.svd(a, { computeUV: false, stream: mx.cpu }).tolist(); // [3, 2]
 * ```
 */
export function svd(a: ArrayLike, computeUV: false | (SvdOptions & { computeUV: false }), o?: OpOptions): MxArray;
/**
 * The singular value decomposition A = U diag(S) Vt of each matrix (m x n) in
 * the last two axes of `a` (float32, float64 or complex64): U (m x m) and Vt
 * (n x n) orthogonal (unitary for complex64, Vt then V^H), S (min(m, n))
 * non-negative and descending (float32 for complex64, as MLX's); with
 * `computeUV: false` S alone. Singular vectors are defined up to sign (a
 * phase for complex64). Computed by one-sided Jacobi rotations in float64
 * (complex128), the matrix scaled by a power of two first (any float64
 * scale is safe), and rounded once. Runs on the cpu stream only, as in MLX.
 * Gradients for real inputs (complex64 has none, as MLX's svd has none).
 * `computeUV` may be passed positionally.
 * @example
 * ```ts
 * const a = mx.array([[3, 0], [0, -2], [0, 0]], mx.float32);
 * const [u, s, vt] = mx.linalg.svd(a, { stream: mx.cpu });
 * await s.tolist(); // [3, 2]
 * [u.shape, vt.shape]; // [[3, 3], [2, 2]]
 * ```
 */
export function svd(a: ArrayLike, computeUV?: true | SvdOptions, o?: SvdOptions): [MxArray, MxArray, MxArray];
export function svd(a: ArrayLike, computeUV?: boolean | SvdOptions, o?: SvdOptions): MxArray | [MxArray, MxArray, MxArray] {
  noExtraArguments("linalg.svd", arguments, 3);
  return asOp("linalg.svd", () => {
    const op = "linalg.svd";
    const opts = flagOrOptions<SvdOptions>(op, "computeUV", computeUV, o);
    const { x, s } = linalgInput(op, a, opts, ["computeUV"], false);
    const uv = opts.computeUV === undefined ? true : boolFlag(op, "computeUV", opts.computeUV);
    const outs = nodes(new SVD(uv), [x], s);
    return uv ? [outs[0]!, outs[1]!, outs[2]!] : outs[0]!;
  });
}
