// linalg.choleskyInv: the inverse of a symmetric positive-definite matrix
// from its Cholesky factor (MLX's mx.linalg.cholesky_inv), composed as MLX
// composes it: the factor's inverse times its transpose.

import type { MxArray } from "../array.js";
import type { ArrayLike } from "../ops/base.js";
import { matmul } from "../ops/linalg.js";
import { swapaxes } from "../ops/layout.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";
import { boolFlag, flagOrOptions, linalgInput } from "./checks.js";
import { triInv, type TriInvOptions } from "./tri-inv.js";

/**
 * The inverse of A = L L^T (or U^T U with `upper`) given its Cholesky factor
 * `L` (..., n, n; float32 or float64; only its triangle is read):
 * L^-T L^-1 (or U^-1 U^-T). An exact zero on the factor's diagonal is an
 * error when the result is evaluated, as MLX's. Runs on the cpu (float64) and, as float32 GPU kernels, on webgpu and metal (MLX: the cpu only). `upper`
 * may be passed positionally.
 * @example
 * ```ts
 * const l = mx.array([[2, 0], [1, 1]], mx.float32); // the factor of [[4, 2], [2, 2]]
 * await mx.linalg.choleskyInv(l, { stream: mx.cpu }).tolist(); // [[0.5, -0.5], [-0.5, 1]]
 * ```
 */
export function choleskyInv(L: ArrayLike, upper?: boolean | TriInvOptions, o?: TriInvOptions): MxArray {
  noExtraArguments("linalg.choleskyInv", arguments, 3);
  return asOp("linalg.choleskyInv", () => {
    const op = "linalg.choleskyInv";
    const opts = flagOrOptions<TriInvOptions>(op, "upper", upper, o);
    const { x, s } = linalgInput(op, L, opts, ["upper"], true, "L");
    const up = boolFlag(op, "upper", opts.upper);
    const so = { stream: s };
    const li = triInv(x, { upper: up, ...so });
    return up ? matmul(li, swapaxes(li, -1, -2, so), so) : matmul(swapaxes(li, -1, -2, so), li, so);
  });
}
