// mx.fast.rmsNorm and mx.fast.layerNorm: MLX's fused normalizations over the
// last axis. Arguments are checked here; x, weight and bias are cast to the
// output dtype (their promoted float type) and handed to one primitive.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { isFloating, type DType } from "../dtype.js";
import { astype } from "../ops/index.js";
import { checkArrayLike, node, opStream, resultType, scalarArray, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { checkAffineShape, LayerNorm, RMSNorm } from "../primitives/fast-norms.js";
import { checkNumber } from "../primitives/checks.js";
import type { Stream } from "../device.js";

/** The input x: an array of at least one dimension. */
function inputOf(op: string, x: ArrayLike, s: Stream): MxArray {
  const a = toArray(op, checkArrayLike(op, x, "x"), s, undefined, "x");
  if (a.ndim === 0) throw opError(op, "x must have at least 1 dimension, got a 0-d array", [a]);
  return a;
}

/** An optional 1-D weight or bias of the last axis's size (null or undefined: none). */
function affineOf(op: string, name: string, p: unknown, x: MxArray): MxArray | null {
  if (p === null || p === undefined) return null;
  if (!(p instanceof MxArray)) throw opError(op, `${name} must be an mx array, null or undefined, got ${describeValue(p)}`, [], "type");
  checkArrayLike(op, p, name);
  checkAffineShape(op, name, p, x);
  return p;
}

function epsOf(op: string, eps: unknown): number {
  // MLX's eps is a C float
  return Math.fround(checkNumber(op, "eps", eps));
}

function outType(op: string, arrays: MxArray[]): DType {
  const t = resultType(...arrays);
  if (!isFloating(t)) throw opError(op, `x${arrays.length > 1 ? ", weight and bias" : ""} must promote to a floating dtype, got ${t.name}`, arrays, "type");
  return t;
}

/**
 * Root-mean-square normalization over the last axis of `x`:
 * `x * rsqrt(mean(x^2) + eps) * weight`. `weight` (1-D, the size of the last
 * axis) may be null for none. The result has the promoted float dtype of x
 * and weight; GPU backends accumulate in float32 whatever the input dtype.
 * @example
 * ```ts
 * await mx.fast.rmsNorm(mx.array([3, 4], mx.float32), null, 0).tolist(); // [0.8485281467437744, 1.1313709020614624]
 * await mx.fast.rmsNorm(mx.array([[1, 1]], mx.float32), mx.array([2, 3], mx.float32), 0).tolist(); // [[2, 3]]
 * ```
 */
export function rmsNorm(x: ArrayLike, weight: MxArray | null | undefined, eps: number, o?: OpOptions): MxArray {
  noExtraArguments("fast.rmsNorm", arguments, 4);
  return asOp("fast.rmsNorm", () => {
    const op = "fast.rmsNorm";
    const s = opStream(op, o, x, weight);
    checkOptions(op, o);
    const a = inputOf(op, x, s);
    const w = affineOf(op, "weight", weight, a);
    const e = epsOf(op, eps);
    const t = outType(op, w ? [a, w] : [a]);
    const wt = w ? astype(w, t, { stream: s }) : scalarArray(1, t, s);
    return node(new RMSNorm(e), [astype(a, t, { stream: s }), wt], s);
  });
}

/**
 * Layer normalization over the last axis of `x`:
 * `(x - mean(x)) * rsqrt(var(x) + eps) * weight + bias`. `weight` and `bias`
 * (1-D, the size of the last axis) may be null for none. The result has the
 * promoted float dtype of the inputs; GPU backends accumulate in float32.
 * @example
 * ```ts
 * await mx.fast.layerNorm(mx.array([1, 3], mx.float32), null, null, 0).tolist(); // [-1, 1]
 * await mx.fast.layerNorm(mx.array([[1, 3]], mx.float32), mx.array([2, 2], mx.float32), mx.array([0, 1], mx.float32), 0).tolist(); // [[-2, 3]]
 * ```
 */
export function layerNorm(x: ArrayLike, weight: MxArray | null | undefined, bias: MxArray | null | undefined, eps: number, o?: OpOptions): MxArray {
  noExtraArguments("fast.layerNorm", arguments, 5);
  return asOp("fast.layerNorm", () => {
    const op = "fast.layerNorm";
    const s = opStream(op, o, x, weight, bias);
    checkOptions(op, o);
    const a = inputOf(op, x, s);
    const w = affineOf(op, "weight", weight, a);
    const b = affineOf(op, "bias", bias, a);
    const e = epsOf(op, eps);
    const t = outType(op, [a, ...(w ? [w] : []), ...(w && b ? [b] : [])]);
    const on = { stream: s };
    const wt = w ? astype(w, t, on) : scalarArray(1, t, s);
    const bt = b ? astype(b, t, on) : scalarArray(0, t, s);
    return node(new LayerNorm(e), [astype(a, t, on), wt, bt], s);
  });
}
