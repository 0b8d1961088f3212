// mx.random: MLX's splittable Threefry PRNG. Keys are uint32 arrays of shape
// [2]; without a key, draws take the next key of a global sequence (seeded
// by time, or by seed()). Samplers compose ops exactly as MLX's do, so
// streams match MLX bit for bit.

import { checkInt, type PositionalThen } from "./argument-checks.js";
import { MxArray } from "./array.js";
import { asOp, checkOptions, noExtraArguments } from "./ops/strict-options.js";
import { float16, bfloat16, float32, int32, isDType, isFloating, isInexact, uint32, type DType } from "./dtype.js";
import { describeValue, opError, shapeStr } from "./errors.js";
import { RandomBits } from "./primitives/misc.js";
import { broadcastShapes, checkShape, MAX_DIM, sameShape } from "./shape.js";
import { checkKey, samplerArgs } from "./random-checks.js";
import { keyWords, nextKey, restartSequence } from "./random-key-sequence.js";
import { add, astype, divide, erfinv, floor, less, maximum, minimum, multiply, subtract } from "./ops/elementwise.js";
import { constant, node, opStream, streamOf, toArray, type ArrayLike, type OpOptions } from "./ops/base.js";
import type { Stream } from "./device.js";

export { state } from "./random-key-sequence.js";
export * from "./random-extra.js";
export * from "./random-permutation.js";
export * from "./random-multivariate.js";

export interface KeyOptions extends OpOptions {
  /** The PRNG key to draw with (from `key` or `split`); the global sequence's next key when absent. */
  key?: MxArray | undefined;
}

/**
 * Seeds the global key sequence that draws without a `key` use, so a program
 * gives the same numbers on every run (without a seed it starts from the clock).
 * @example
 * ```ts
 * mx.random.seed(42);
 * const first = await mx.random.uniform(0, 1, [2]).tolist();
 * mx.random.seed(42);
 * await mx.random.uniform(0, 1, [2]).tolist(); // [0.9559812545776367, 0.4032725691795349]
 * first; // [0.9559812545776367, 0.4032725691795349]
 * ```
 */
export function seed(s: number | bigint): void {
  noExtraArguments("random.seed", arguments, 1);
  restartSequence(keyWords(checkSeed("random.seed", s)));
}

/**
 * A PRNG key from a non-negative integer seed: the uint32 pair
 * `[seed >> 32, seed & 0xffffffff]`, as MLX. Pass it as `{ key }` to a sampler
 * for reproducible draws, and `split` it for independent ones.
 * @example
 * ```ts
 * await mx.random.key(0).tolist(); // [0, 0]
 * await mx.random.key(2 ** 32 + 5).tolist(); // [1, 5]
 * ```
 */
export function key(s: number | bigint, o?: OpOptions): MxArray {
  noExtraArguments("random.key", arguments, 2);
  const words = keyWords(checkSeed("random.key", s));
  checkOptions("random.key", o);
  return constant(words, [2], uint32, opStream("random.key", o));
}

/** A seed: a non-negative integer (a number or a bigint; the low 64 bits count). */
function checkSeed(op: string, s: unknown): number | bigint {
  if (typeof s === "bigint" || (typeof s === "number" && Number.isInteger(s) && s >= 0)) return s;
  throw opError(op, `seed must be a non-negative integer, got ${describeValue(s)}`, [], "type");
}

/** Option `dtype` of sampler `op`: an mx dtype, or `dflt` when absent. */
function dtypeOption(op: string, dtype: unknown, dflt: DType): DType {
  if (dtype === undefined) return dflt;
  if (!isDType(dtype)) throw opError(op, `dtype must be an mx dtype, got ${describeValue(dtype)}`, [], "type");
  return dtype;
}

/** The key `op` draws with: `k` checked, or the global sequence's next key when absent. */
function keyFor(op: string, k: MxArray | undefined, o?: OpOptions): MxArray {
  checkKey(op, k);
  return k ?? nextKey(streamOf(o));
}

export interface BitsOptions extends KeyOptions {
  /** Bytes per element: 4 (uint32, the default), 2 (uint16) or 1 (uint8). */
  width?: 1 | 2 | 4 | undefined;
}

/**
 * Raw random bits of `shape`: uint32 elements (`width` 4, the default), uint16
 * (2) or uint8 (1). With a `key` the result depends only on the key. MLX's
 * `bits(shape, width, key)`: width and key positionally, or in the options.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.bits([2], { key }).tolist(); // [928981903, 3453687069]
 * mx.random.bits([2], { key, width: 1 }).dtype.name; // "uint8"
 * mx.random.bits([], 2, key).dtype.name; // "uint16"
 * mx.random.bits([], 2, { key }).dtype.name; // "uint16"
 * ```
 */
export function bits(shape: readonly number[] = [], ...rest: PositionalThen<[["width", 1 | 2 | 4], ["key", MxArray]], BitsOptions>): MxArray {
  noExtraArguments("random.bits", arguments, 4);
  return asOp("random.bits", () => {
    const o = samplerArgs<BitsOptions>("random.bits", rest, ["width", "key"]);
    const s = opStream("random.bits", o);
    const width = o.width ?? 4;
    if (width !== 1 && width !== 2 && width !== 4) throw opError("random.bits", `width must be 1, 2 or 4 bytes, got ${describeValue(width)}`, [], "value");
    return bitsOf("random.bits", checkShape("random.bits", shape), width, o.key, s);
  });
}

/** Random bits for sampler `op` (its shape checked), with its key or the global sequence's next. */
function bitsOf(op: string, shape: readonly number[], width: 1 | 2 | 4, k: MxArray | undefined, s: Stream): MxArray {
  return node(new RandomBits([...shape], width), [keyFor(op, k, { stream: s })], s);
}

/**
 * `num` (default 2) new independent keys from `key`, as an array of shape
 * [num, 2]; iterating it gives the keys, as MLX users write
 * `const [k1, k2] = mx.random.split(key)`.
 * @example
 * ```ts
 * const [k1, k2] = mx.random.split(mx.random.key(0));
 * await k1!.tolist(); // [4146024105, 967050713]
 * await k2!.tolist(); // [2718843009, 1272950319]
 * ```
 */
export function split(k: MxArray, num = 2, o?: OpOptions): MxArray {
  noExtraArguments("random.split", arguments, 3);
  return asOp("random.split", () => {
    checkOptions("random.split", o);
    const s = opStream("random.split", o);
    if (k === undefined) throw opError("random.split", "key must be a uint32 array of shape (2,) (from mx.random.key), got undefined", [], "type");
    checkInt("random.split", "num", num, 1, MAX_DIM);
    return bitsOf("random.split", [num, 2], 4, k, s);
  });
}

/** float16 / bfloat16 value just below 1, and nextafter(1f, 0) for float32. */
function belowOne(op: string, dtype: DType): number {
  if (dtype === float32) return 1 - 2 ** -24;
  if (dtype === float16) return 1 - 2 ** -11;
  if (dtype === bfloat16) return 1 - 2 ** -8;
  throw opError(op, `unsupported dtype ${dtype.name}; valid: float32, float16, bfloat16`, [], "type");
}

export interface UniformOptions extends KeyOptions {
  dtype?: DType | undefined;
}

/**
 * Samples uniform in [low, high) (defaults 0 and 1; arrays broadcast to `shape`),
 * float32 unless `dtype` is another float type. MLX's sampler: the same key
 * gives MLX's numbers. MLX's `uniform(low, high, shape, dtype, key)`: dtype
 * and key positionally, or in the options.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.uniform(0, 1, [3], { key }).tolist(); // [0.9653214812278748, 0.3146817088127136, 0.6330299973487854]
 * await mx.random.uniform(0, 1, [3], mx.float32, key).tolist(); // [0.9653214812278748, 0.3146817088127136, 0.6330299973487854]
 * ```
 */
export function uniform(low: ArrayLike = 0, high: ArrayLike = 1, shape: readonly number[] = [], ...rest: PositionalThen<[["dtype", DType], ["key", MxArray]], UniformOptions>): MxArray {
  noExtraArguments("random.uniform", arguments, 6);
  return asOp("random.uniform", () => {
    const o = samplerArgs<UniformOptions>("random.uniform", rest, ["dtype", "key"]);
    const s = opStream("random.uniform", o);
    return uniformOf("random.uniform", low, high, checkShape("random.uniform", shape), dtypeOption("random.uniform", o.dtype, float32), o.key, s);
  });
}

/** Uniform samples for sampler `op` (arguments checked but for low and high). */
function uniformOf(op: string, low: ArrayLike, high: ArrayLike, sh: readonly number[], dtype: DType, k: MxArray | undefined, s: Stream): MxArray {
  if (!isFloating(dtype)) throw opError(op, `can only generate uniform numbers with a real floating point dtype, got ${dtype.name}`, [], "type");
  const o = { stream: s };
  const lo = astype(toArray(op, low, s, dtype, "low"), dtype, o);
  const hi = astype(toArray(op, high, s, dtype, "high"), dtype, o);
  const outShape = broadcastShapes(op, sh, lo.shape, hi.shape);
  if (!sameShape(outShape, sh)) {
    throw opError(op, `cannot generate random values of shape ${shapeStr(sh)} from broadcast shape ${shapeStr(outShape)}`, [lo, hi], "value");
  }
  const range = subtract(hi, lo, o);
  const upper = toArray(op, belowOne(op, dtype), s, float32);
  const maxval = toArray(op, 4294967295, s, float32);
  let out = divide(bitsOf(op, sh, 4, k, s), maxval, o);
  out = astype(minimum(out, upper, o), dtype, o);
  return add(multiply(range, out, o), lo, o);
}

export interface NormalOptions extends UniformOptions {
  loc?: ArrayLike | undefined;
  scale?: ArrayLike | undefined;
}

/**
 * Samples from the normal distribution with mean `loc` (default 0) and standard
 * deviation `scale` (default 1), float32 unless `dtype` is another float type.
 * MLX's sampler (the inverse error function of uniform samples). MLX's
 * `normal(shape, dtype, loc, scale, key)`: those positionally, or in the options.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.normal([3], { key }).tolist(); // [1.816087245941162, -0.4826229512691498, 0.3398892283439636]
 * await mx.random.normal([2], { key, loc: 10, scale: 2 }).tolist(); // [8.430468559265137, 11.712890625]
 * await mx.random.normal([2], mx.float32, 10, 2, key).tolist(); // [8.430468559265137, 11.712890625]
 * await mx.random.normal([2], mx.float32, 10, 2, { key }).tolist(); // [8.430468559265137, 11.712890625]
 * ```
 */
export function normal(shape: readonly number[] = [], ...rest: PositionalThen<[["dtype", DType], ["loc", ArrayLike], ["scale", ArrayLike], ["key", MxArray]], NormalOptions>): MxArray {
  noExtraArguments("random.normal", arguments, 6);
  return asOp("random.normal", () => {
    const op = "random.normal";
    const o = samplerArgs<NormalOptions>(op, rest, ["dtype", "loc", "scale", "key"]);
    const s = opStream(op, o);
    const sh = checkShape(op, shape);
    const dtype = dtypeOption(op, o.dtype, float32);
    if (!isFloating(dtype)) throw opError(op, `can only generate normal numbers with a floating point dtype, got ${dtype.name}`, [], "type");
    const so = { stream: s };
    const loc = o.loc === undefined ? undefined : astype(toArray(op, o.loc, s, dtype, "loc"), dtype, so);
    const scaleArg = o.scale === undefined ? undefined : astype(toArray(op, o.scale, s, dtype, "scale"), dtype, so);
    broadcastShapes(op, sh, ...[loc, scaleArg].flatMap((a) => (a ? [a.shape] : [])));
    const samples = uniformOf(op, -(1 - 2 ** -24), 1, sh, float32, o.key, s);
    let scale = toArray(op, Math.SQRT2, s, dtype);
    if (scaleArg) scale = multiply(scale, scaleArg, so);
    let out = multiply(scale, astype(erfinv(samples, so), dtype, so), so);
    if (loc) out = add(loc, out, so);
    return out;
  });
}

/**
 * Integers uniform in [low, high), int32 unless `dtype` is another integer type
 * (or bool). MLX's sampler: float32 uniform samples in [low, high) floored,
 * cast to `dtype` and clamped to [low, high - 1], so the same key gives MLX's
 * numbers (and, as in MLX, not every integer is reachable once the bounds or
 * the width pass float32's 2**24 integer resolution). MLX's
 * `randint(low, high, shape, dtype, key)`: dtype and key positionally, or in the options.
 * @example
 * ```ts
 * await mx.random.randint(0, 10, [5], { key: mx.random.key(0) }).tolist(); // [5, 0, 3, 8, 5]
 * await mx.random.randint(0, 10, [5], mx.int32, mx.random.key(0)).tolist(); // [5, 0, 3, 8, 5]
 * ```
 */
export function randint(low: ArrayLike, high: ArrayLike, shape: readonly number[] = [], ...rest: PositionalThen<[["dtype", DType], ["key", MxArray]], UniformOptions>): MxArray {
  noExtraArguments("random.randint", arguments, 6);
  return asOp("random.randint", () => {
    const op = "random.randint";
    const o = samplerArgs<UniformOptions>(op, rest, ["dtype", "key"]);
    const s = opStream(op, o);
    const so = { stream: s };
    const sh = checkShape(op, shape);
    const dtype = dtypeOption(op, o.dtype, int32);
    if (isInexact(dtype)) throw opError(op, `randint only accepts integer dtypes and bool, got ${dtype.name}`, [], "type");
    // the bounds keep their own dtypes (a JS integer is int32, or int64 past int32), as MLX's Python converts them
    const lo = toArray(op, low, s, undefined, "low");
    const hi = toArray(op, high, s, undefined, "high");
    const samples = astype(floor(uniformOf(op, lo, hi, sh, float32, o.key, s), so), dtype, so);
    // float32 may round the bounds outward: clamp to [low, high - 1]
    const last = astype(subtract(hi, toArray(op, 1, s, hi.dtype), so), dtype, so);
    return maximum(minimum(samples, last, so), astype(lo, dtype, so), so);
  });
}

export interface BernoulliOptions extends KeyOptions {
  /** The output shape (default: the shape of `p`). */
  shape?: readonly number[] | undefined;
}

/**
 * Booleans that are true with probability `p` (a number or a float array, default
 * 0.5), of `shape` (default: the shape of `p`). MLX's `bernoulli(p, shape, key)`:
 * shape and key positionally, or in the options.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.bernoulli(0.5, [5], { key }).tolist(); // [false, true, true, false, false]
 * await mx.random.bernoulli(0.5, [5], key).tolist(); // [false, true, true, false, false]
 * await mx.random.bernoulli(mx.array([0, 1], mx.float32), { key }).tolist(); // [false, true]
 * await mx.random.bernoulli(mx.array([0, 1], mx.float32), null, key).tolist(); // [false, true]
 * ```
 */
export function bernoulli(p: ArrayLike = 0.5, ...rest: PositionalThen<[["shape", readonly number[]], ["key", MxArray]], BernoulliOptions>): MxArray {
  noExtraArguments("random.bernoulli", arguments, 4);
  return asOp("random.bernoulli", () => {
    const o = samplerArgs<BernoulliOptions>("random.bernoulli", rest, ["shape", "key"]);
    const shape = o.shape;
    const s = opStream("random.bernoulli", o);
    const so = { stream: s };
    const pa = toArray("random.bernoulli", p, s, float32, "p");
    if (!isFloating(pa.dtype)) throw opError("random.bernoulli", `probability p must be a float type, got ${pa.dtype.name}`, [pa], "type");
    const sh = shape === undefined || shape === null ? [...pa.shape] : [...checkShape("random.bernoulli", shape)];
    if (!sameShape(broadcastShapes("random.bernoulli", sh, pa.shape), sh)) {
      throw opError("random.bernoulli", `shape of p ${shapeStr(pa.shape)} is incompatible with shape ${shapeStr(sh)}`, [pa], "value");
    }
    const upper = toArray("random.bernoulli", 4294967808, s, float32); // nextafter(float(UINT32_MAX), FLT_MAX)
    return less(bitsOf("random.bernoulli", sh, 4, o.key, s), multiply(pa, upper, so), so);
  });
}
