// clipGradNorm, as MLX's optimizers.clip_grad_norm: rescales a gradient tree
// so that its global 2-norm is at most maxNorm.

import { MxArray } from "../array.js";
import { float32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import * as ops from "../ops/index.js";
import { asOp } from "../ops/strict-options.js";
import { treeFlatten, treeMapWithPath } from "../transforms/utils.js";
import { checkNumber } from "./checks.js";

/**
 * The gradients scaled by `min(maxNorm / (‖g‖ + 1e-6), 1)`, where ‖g‖ is the
 * 2-norm of all the gradients together, and that norm (MLX's
 * `clip_grad_norm`; the result is `[clipped, totalNorm]`).
 * @example
 * ```ts
 * const [clipped, norm] = mx.optimizers.clipGradNorm({ w1: mx.array([3, 0], mx.float32), w2: mx.array([4], mx.float32) }, 1);
 * await norm.item(); // 5
 * const w1 = (clipped as { w1: mx.MxArray }).w1;
 * Math.abs(await w1.max().toNumber() - 0.6) < 1e-6; // true
 * ```
 */
export function clipGradNorm<T>(grads: T, maxNorm: number): [T, MxArray] {
  const op = "optimizers.clipGradNorm";
  checkNumber(op, "maxNorm", maxNorm, 0);
  const leaves = treeFlatten(grads);
  const arrays = leaves.map(([k, g]) => {
    if (!(g instanceof MxArray)) throw opError(op, `grads '${k || "(root)"}' must be an array, got ${describeValue(g)}`, [], "type");
    if (g.isDisposed) throw opError(op, `grads '${k || "(root)"}' is a disposed array`, [], "value");
    return g;
  });
  return asOp(op, () => {
    const squared = arrays.map((g) => ops.sum(ops.square(g)));
    const total = ops.sqrt(squared.length ? squared.slice(1).reduce((a, b) => ops.add(a, b), squared[0]!) : ops.array(0, float32));
    const normalizer = ops.minimum(ops.divide(maxNorm, ops.add(total, 1e-6)), 1);
    return [treeMapWithPath((_, g) => ops.multiply(g as MxArray, normalizer), grads) as T, total];
  });
}
