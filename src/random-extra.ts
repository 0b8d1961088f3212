// More of mx.random, composed from uniform exactly as MLX composes them (so
// the same key gives MLX's numbers): gumbel, truncatedNormal, laplace and
// categorical (the Gumbel-max trick; 1-D logits sample by inverse CDF).

import type { MxArray } from "./array.js";
import { float32, isFloating, promoteTypes, uint32, type DType } from "./dtype.js";
import { describeValue, opError, shapeStr } from "./errors.js";
import { broadcastShapes, checkShape, normalizeAxis, sameShape } from "./shape.js";
import { checkArrayLike, opStream, onStream, toArray, type ArrayLike } from "./ops/base.js";
import { abs, add, astype, divide, equal, erf, erfinv, exp, isinf, log, log1p, maximum, minimum, multiply, negative, sign, subtract, where } from "./ops/elementwise.js";
import { expandDims, reshape } from "./ops/layout.js";
import { argmax, max, sum } from "./ops/reduction.js";
import { cumsum } from "./ops/scan.js";
import { searchsorted } from "./ops/sort.js";
import { asOp, noExtraArguments } from "./ops/strict-options.js";
import type { PositionalThen } from "./argument-checks.js";
import { samplerArgs } from "./random-checks.js";
import { uniform, type KeyOptions, type UniformOptions } from "./random.js";

function floatDType(op: string, d: DType | undefined): DType {
  const dtype = d ?? float32;
  if (!isFloating(dtype)) throw opError(op, `dtype must be a real floating-point dtype, got ${describeValue(dtype)}`, [], "type");
  return dtype;
}

/**
 * Samples from the standard Gumbel distribution, `-log(-log(u))` for uniform
 * `u`; float32 unless `dtype` is another float type. MLX's
 * `gumbel(shape, dtype, key)`: dtype and key positionally, or in the options.
 * @example
 * ```ts
 * mx.random.gumbel([2, 3], { key: mx.random.key(0) }).shape; // [2, 3]
 * mx.random.gumbel([2], mx.float16, mx.random.key(0)).dtype.name; // "float16"
 * ```
 */
export function gumbel(shape: readonly number[] = [], ...rest: PositionalThen<[["dtype", DType], ["key", MxArray]], UniformOptions>): MxArray {
  noExtraArguments("random.gumbel", arguments, 4);
  return asOp("random.gumbel", () => {
    const o = samplerArgs<UniformOptions>("random.gumbel", rest, ["dtype", "key"]);
    const dtype = floatDType("random.gumbel", o.dtype);
    const s = onStream(o, opStream("random.gumbel", o));
    const u = uniform(0, 1, [...checkShape("random.gumbel", shape)], { dtype, key: o.key, stream: s.stream });
    return negative(log(negative(log(u, s), s), s), s);
  });
}

/**
 * Samples from the standard normal distribution truncated to [lower, upper]
 * (numbers or arrays, broadcast to `shape`, which defaults to their broadcast
 * shape): the inverse error function of uniform samples between erf(lower/√2)
 * and erf(upper/√2), clipped to the bounds; float32 unless `dtype`. MLX's
 * `truncated_normal(lower, upper, shape, dtype, key)`: shape, dtype and key
 * positionally, or in the options.
 * @example
 * ```ts
 * const x = mx.random.truncatedNormal(-1, 1, [1000], { key: mx.random.key(0) });
 * await mx.all(mx.logicalAnd(mx.greaterEqual(x, -1), mx.lessEqual(x, 1))).item(); // true
 * mx.random.truncatedNormal(-1, 1, [2], mx.float16, mx.random.key(0)).dtype.name; // "float16"
 * mx.random.truncatedNormal(mx.zeros([3]), 1, { key: mx.random.key(0) }).shape; // [3]
 * ```
 */
export function truncatedNormal(lower: ArrayLike, upper: ArrayLike, ...rest: PositionalThen<[["shape", readonly number[]], ["dtype", DType], ["key", MxArray]], TruncatedNormalOptions>): MxArray {
  noExtraArguments("random.truncatedNormal", arguments, 6);
  return asOp("random.truncatedNormal", () => {
    const op = "random.truncatedNormal";
    const o = samplerArgs<TruncatedNormalOptions>(op, rest, ["shape", "dtype", "key"]);
    const shape = o.shape;
    const dtype = floatDType(op, o.dtype);
    const s = onStream(o, opStream(op, o, lower, upper));
    const lo = astype(toArray(op, checkArrayLike(op, lower, "lower"), s.stream, dtype), dtype, s);
    const hi = astype(toArray(op, checkArrayLike(op, upper, "upper"), s.stream, dtype), dtype, s);
    const sh = shape === undefined || shape === null ? broadcastShapes(op, lo.shape, hi.shape) : [...checkShape(op, shape)];
    const sqrt2 = toArray(op, Math.SQRT2, s.stream, dtype);
    const a = erf(divide(lo, sqrt2, s), s);
    const b = erf(divide(hi, sqrt2, s), s);
    const out = multiply(sqrt2, erfinv(uniform(a, b, sh, { dtype, key: o.key, stream: s.stream }), s), s);
    return maximum(minimum(hi, out, s), lo, s);
  });
}

export interface TruncatedNormalOptions extends UniformOptions {
  /** The output shape (default: the broadcast shape of lower and upper). */
  shape?: readonly number[] | undefined;
}

export interface LaplaceOptions extends UniformOptions {
  /** The mean (default 0). */
  loc?: number | undefined;
  /** The scale (default 1). */
  scale?: number | undefined;
}

/**
 * Samples from the Laplace distribution with mean `loc` (default 0) and scale
 * `scale` (default 1) by the inverse CDF of uniform samples in (-1, 1);
 * float32 unless `dtype`. MLX's `laplace(shape, dtype, loc, scale, key)`:
 * those positionally, or in the options.
 * @example
 * ```ts
 * mx.random.laplace([3], { key: mx.random.key(0), loc: 2 }).shape; // [3]
 * const key = mx.random.key(0);
 * await mx.allclose(mx.random.laplace([3], mx.float32, 2, 0.5, key), mx.random.laplace([3], { loc: 2, scale: 0.5, key })).item(); // true
 * ```
 */
export function laplace(shape: readonly number[] = [], ...rest: PositionalThen<[["dtype", DType], ["loc", number], ["scale", number], ["key", MxArray]], LaplaceOptions>): MxArray {
  noExtraArguments("random.laplace", arguments, 6);
  return asOp("random.laplace", () => {
    const op = "random.laplace";
    const o = samplerArgs<LaplaceOptions>(op, rest, ["dtype", "loc", "scale", "key"]);
    const dtype = floatDType(op, o.dtype);
    for (const k of ["loc", "scale"] as const) if (o[k] !== undefined && typeof o[k] !== "number") throw opError(op, `${k} must be a number, got ${typeof o[k]}`, [], "type");
    const s = onStream(o, opStream(op, o));
    // low: the float32 just above -1
    const u = uniform(-(1 - 2 ** -24), 1, [...checkShape(op, shape)], { dtype: float32, key: o.key, stream: s.stream });
    let out = astype(multiply(sign(u, s), log1p(multiply(toArray(op, -1, s.stream, dtype), abs(u, s), s), s), s), dtype, s);
    if (o.scale !== undefined && o.scale !== 1) out = multiply(toArray(op, o.scale, s.stream, dtype), out, s);
    if (o.loc !== undefined && o.loc !== 0) out = add(toArray(op, o.loc, s.stream, dtype), out, s);
    return out;
  });
}

export interface CategoricalOptions extends KeyOptions {
  /** The axis of the categories in `logits` (default -1). */
  axis?: number | undefined;
  /** The output shape; it must broadcast with the logits' shape without `axis`. */
  shape?: readonly number[] | undefined;
  /** Draws per distribution, added as the last axis (not with `shape`). */
  numSamples?: number | undefined;
}

/**
 * Samples category indices (uint32) from the unnormalized log-probabilities
 * `logits` along `axis` (default -1): by default one draw per distribution,
 * or `shape`, or `numSamples` draws each (as MLX, by the Gumbel-max trick:
 * the argmax of logits plus Gumbel noise; a single distribution sampled to a
 * shape uses the inverse CDF). MLX's
 * `categorical(logits, axis, shape, num_samples, key)`: those positionally,
 * or in the options.
 * @example
 * ```ts
 * const logits = mx.log(mx.array([[0, 1], [1, 0]]));
 * await mx.random.categorical(logits, { key: mx.random.key(0) }).tolist(); // [1, 0]
 * mx.random.categorical(logits, { numSamples: 5, key: mx.random.key(0) }).shape; // [2, 5]
 * mx.random.categorical(logits, -1, null, 5, mx.random.key(0)).shape; // [2, 5]
 * ```
 */
export function categorical(logits: MxArray, ...rest: PositionalThen<[["axis", number], ["shape", readonly number[]], ["numSamples", number], ["key", MxArray]], CategoricalOptions>): MxArray {
  noExtraArguments("random.categorical", arguments, 6);
  return asOp("random.categorical", () => {
    const op = "random.categorical";
    const o = samplerArgs<CategoricalOptions>(op, rest, ["axis", "shape", "numSamples", "key"]);
    const s = onStream(o, opStream(op, o, logits));
    const x = toArray(op, checkArrayLike(op, logits, "logits"), s.stream);
    if (x.ndim === 0) throw opError(op, "logits must have at least one axis", [x], "value");
    if (o.shape !== undefined && o.numSamples !== undefined) throw opError(op, "give at most one of shape and numSamples", [x], "value");
    const axis = normalizeAxis(op, o.axis ?? -1, x.ndim, "axis", [x]);
    if (o.numSamples !== undefined) {
      if (!Number.isInteger(o.numSamples) || o.numSamples < 0) throw opError(op, `numSamples must be a non-negative integer, got ${describeValue(o.numSamples)}`, [x], "value");
      const e = expandDims(x, -1, s);
      const shape = e.shape.filter((_, i) => i !== axis);
      shape[shape.length - 1] = o.numSamples;
      return sample(e, axis, shape, o.key, s);
    }
    const reduced = x.shape.filter((_, i) => i !== axis);
    if (o.shape === undefined) return sample(x, axis, reduced, o.key, s);
    const shape = [...checkShape(op, o.shape, "shape")];
    if (!sameShape(broadcastShapes(op, shape, reduced), shape)) {
      throw opError(op, `shape ${shapeStr(shape)} does not broadcast with the logits' shape without axis ${axis}, ${shapeStr(reduced)}`, [x], "value");
    }
    return sample(x, axis, shape, o.key, s);
  });
}

function sample(logits: MxArray, axis: number, shape: number[], key: MxArray | undefined, s: { stream: MxArray["stream"] }): MxArray {
  const n = logits.shape[axis]!;
  if (n > 0 && logits.size === n && shape.length > 0) return inverseCdf(reshape(logits, [n], s), shape, key, s);
  const offset = axis + shape.length - logits.ndim + 1;
  const noiseShape = [...shape.slice(0, offset), n, ...shape.slice(offset)];
  return argmax(add(gumbel(noiseShape, { key, stream: s.stream }), logits, s), { axis: offset, stream: s.stream });
}

/** One distribution sampled to `shape`: the count of CDF steps at or below a uniform draw scaled by the total. */
function inverseCdf(logits: MxArray, shape: number[], key: MxArray | undefined, s: { stream: MxArray["stream"] }): MxArray {
  const dtype = promoteTypes(logits.dtype, float32);
  const x = astype(logits, dtype, s);
  const m = max(x, { stream: s.stream });
  // exp(x - m) is NaN for an infinite maximum: then uniform over the maximal entries
  const w = where(isinf(m, s), astype(equal(x, m, s), dtype, s), exp(subtract(x, m, s), s), s);
  const cdf = cumsum(w, { axis: 0, inclusive: false, stream: s.stream });
  const u = multiply(uniform(0, 1, shape, { key, stream: s.stream }), sum(w, { stream: s.stream }), s);
  return subtract(searchsorted(cdf, u, { side: "right", stream: s.stream }), toArray("random.categorical", 1, s.stream, uint32), s);
}
