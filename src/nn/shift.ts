// The shift that MLX's log_softmax and cross_entropy apply before a
// logsumexp: x minus its max along an axis, the max through stopGradient
// (the result's gradient is unchanged; large inputs keep their normaliser).

import type { MxArray } from "../array.js";
import * as ops from "../ops/index.js";

/** `x - stopGradient(max(x, axis, keepdims))`. */
export function shiftedByMax(x: MxArray, axis: number): MxArray {
  return ops.subtract(x, ops.stopGradient(ops.max(x, axis, { keepdims: true })));
}
