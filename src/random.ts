// mx.random: MLX's splittable Threefry PRNG. Keys are uint32 arrays of shape
// [2]; without a key, draws take the next key of a global sequence (seeded
// by time, or by seed()). Samplers compose ops exactly as MLX's do, so
// streams match MLX bit for bit.

import { MxArray } from "./array.js";
import { float16, bfloat16, float32, int32, int64, isFloating, isInexact, uint32, uint64, type DType } from "./dtype.js";
import { opError, shapeStr } from "./errors.js";
import { RandomBits } from "./primitives/misc.js";
import { broadcastShapes, checkShape, sameShape } from "./shape.js";
import { threefryBytes } from "./threefry.js";
import {
  add, astype, bitwiseOr, divide, erfinv, leftShift, less, lessEqual, minimum, multiply, remainder, subtract, where,
} from "./ops/elementwise.js";
import { reshape, split as splitRows } from "./ops/layout.js";
import { constant, node, streamOf, toArray, type ArrayLike, type OpOptions } from "./ops/base.js";

export interface KeyOptions extends OpOptions {
  /** The PRNG key to draw with (from `key` or `split`); the global sequence's next key when absent. */
  key?: MxArray | undefined;
}

function keyWords(seed: number | bigint): Uint32Array {
  const s = BigInt.asUintN(64, BigInt(seed));
  return new Uint32Array([Number(s >> 32n), Number(s & 0xffffffffn)]);
}

/** The global key sequence, held on the host: next() splits it and keeps the first half. */
let globalKey = keyWords(Date.now());

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
  if (typeof s !== "bigint" && !(Number.isInteger(s) && s >= 0)) throw opError("random.seed", `seed must be a non-negative integer, got ${s}`, [], "type");
  globalKey = keyWords(s);
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
  if (typeof s !== "bigint" && !(Number.isInteger(s) && s >= 0)) throw opError("random.key", `seed must be a non-negative integer, got ${s}`, [], "type");
  return constant(keyWords(s), [2], uint32, streamOf(o));
}

function nextKey(o?: OpOptions): MxArray {
  const words = new Uint32Array(threefryBytes(globalKey[0]!, globalKey[1]!, 16).buffer.slice(0));
  globalKey = words.slice(0, 2);
  return constant(words.slice(2, 4), [2], uint32, streamOf(o));
}

function checkKey(op: string, k: MxArray | undefined, o?: OpOptions): MxArray {
  if (k === undefined) return nextKey(o);
  if (!(k instanceof MxArray) || k.dtype !== uint32 || !sameShape(k.shape, [2])) {
    throw opError(op, `key must be a uint32 array of shape (2,) (from mx.random.key)`, k instanceof MxArray ? [k] : [], "type");
  }
  return k;
}

/**
 * Raw random bits of `shape`: uint32 elements (`width` 4, the default), uint16
 * (2) or uint8 (1). With a `key` the result depends only on the key.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.bits([2], { key }).tolist(); // [928981903, 3453687069]
 * mx.random.bits([2], { key, width: 1 }).dtype.name; // "uint8"
 * ```
 */
export function bits(shape: readonly number[] = [], o: KeyOptions & { width?: 1 | 2 | 4 | undefined } = {}): MxArray {
  const width = o.width ?? 4;
  if (width !== 1 && width !== 2 && width !== 4) throw opError("random.bits", `width must be 1, 2 or 4 bytes, got ${width}`, [], "value");
  const sh = checkShape("random.bits", [...shape]);
  return node(new RandomBits(sh, width), [checkKey("random.bits", o.key, o)], streamOf(o));
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
  if (!Number.isInteger(num) || num < 1) throw opError("random.split", `num must be a positive integer, got ${num}`, [], "value");
  return bits([num, 2], { key: checkKey("random.split", k, o), stream: o?.stream });
}

/** float16 / bfloat16 value just below 1, and nextafter(1f, 0) for float32. */
function belowOne(dtype: DType): number {
  if (dtype === float32) return 1 - 2 ** -24;
  if (dtype === float16) return 1 - 2 ** -11;
  if (dtype === bfloat16) return 1 - 2 ** -8;
  throw opError("random.uniform", `unsupported dtype ${dtype.name}; valid: float32, float16, bfloat16`, [], "type");
}

export interface UniformOptions extends KeyOptions {
  dtype?: DType | undefined;
}

/**
 * Samples uniform in [low, high) (defaults 0 and 1; arrays broadcast to `shape`),
 * float32 unless `dtype` is another float type. MLX's sampler: the same key
 * gives MLX's numbers.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.uniform(0, 1, [3], { key }).tolist(); // [0.9653214812278748, 0.3146817088127136, 0.6330299973487854]
 * ```
 */
export function uniform(low: ArrayLike = 0, high: ArrayLike = 1, shape: readonly number[] = [], o: UniformOptions = {}): MxArray {
  const dtype = o.dtype ?? float32;
  if (!isFloating(dtype)) throw opError("random.uniform", `can only generate uniform numbers with a real floating point dtype, got ${dtype.name}`, [], "type");
  const s = streamOf(o);
  const lo = astype(toArray("random.uniform", low, s, dtype), dtype, o);
  const hi = astype(toArray("random.uniform", high, s, dtype), dtype, o);
  const range = subtract(hi, lo, o);
  const sh = checkShape("random.uniform", [...shape]);
  const outShape = broadcastShapes("random.uniform", sh, range.shape);
  if (!sameShape(outShape, sh)) {
    throw opError("random.uniform", `cannot generate random values of shape ${shapeStr(sh)} from broadcast shape ${shapeStr(outShape)}`, [], "value");
  }
  const upper = toArray("random.uniform", belowOne(dtype), s, float32);
  const maxval = toArray("random.uniform", 4294967295, s, float32);
  let out = divide(bits(sh, { key: o.key, stream: o.stream }), maxval, o);
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
 * MLX's sampler (the inverse error function of uniform samples).
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.normal([3], { key }).tolist(); // [1.816087245941162, -0.4826229512691498, 0.3398892283439636]
 * await mx.random.normal([2], { key, loc: 10, scale: 2 }).tolist(); // [8.430468559265137, 11.712890625]
 * ```
 */
export function normal(shape: readonly number[] = [], o: NormalOptions = {}): MxArray {
  const dtype = o.dtype ?? float32;
  if (!isFloating(dtype)) throw opError("random.normal", `can only generate normal numbers with a floating point dtype, got ${dtype.name}`, [], "type");
  const s = streamOf(o);
  const samples = uniform(-(1 - 2 ** -24), 1, shape, { key: o.key, stream: o.stream, dtype: float32 });
  let scale = toArray("random.normal", Math.SQRT2, s, dtype);
  if (o.scale !== undefined) scale = multiply(scale, astype(toArray("random.normal", o.scale, s, dtype), dtype, o), o);
  let out = multiply(scale, astype(erfinv(samples, o), dtype, o), o);
  if (o.loc !== undefined) out = add(astype(toArray("random.normal", o.loc, s, dtype), dtype, o), out, o);
  return out;
}

/**
 * Integers uniform in [low, high), int32 unless `dtype` is another integer type:
 * raw 32-bit draws reduced modulo the range in unsigned arithmetic, then offset
 * by low (MLX's integer-space sampler; int64 and uint64 combine two draws). An
 * empty interval (high <= low) gives low.
 * @example
 * ```ts
 * await mx.random.randint(0, 10, [5], { key: mx.random.key(0) }).tolist(); // [3, 0, 0, 8, 1]
 * ```
 */
export function randint(low: ArrayLike, high: ArrayLike, shape: readonly number[] = [], o: UniformOptions = {}): MxArray {
  const dtype = o.dtype ?? int32;
  if (isInexact(dtype)) throw opError("random.randint", `randint only accepts integer dtypes and bool, got ${dtype.name}`, [], "type");
  const s = streamOf(o);
  const wide = dtype.size === 8;
  const [signedT, unsignedT] = wide ? [int64, uint64] : [int32, uint32];
  const cmpT = dtype.kind === "uint" ? unsignedT : signedT;
  const lo = astype(toArray("random.randint", low, s, signedT), signedT, o);
  const hi = astype(toArray("random.randint", high, s, signedT), signedT, o);
  const sh = checkShape("random.randint", [...shape]);
  const rangeShape = broadcastShapes("random.randint", lo.shape, hi.shape);
  if (!sameShape(broadcastShapes("random.randint", sh, rangeShape), sh)) {
    throw opError("random.randint", `cannot generate random values of shape ${shapeStr(sh)} from broadcast shape ${shapeStr(rangeShape)}`, [lo, hi], "value");
  }
  const empty = lessEqual(astype(toArray("random.randint", high, s, cmpT), cmpT, o), astype(toArray("random.randint", low, s, cmpT), cmpT, o), o);
  const range = subtract(astype(hi, unsignedT, o), astype(lo, unsignedT, o), o);
  const safeRange = where(empty, toArray("random.randint", 1, s, unsignedT), range, o);
  let raw: MxArray;
  if (wide) {
    const [k1, k2] = o.key ? splitPair(checkKey("random.randint", o.key, o), o) : [undefined, undefined];
    const loBits = bits(sh, { key: k1, stream: o.stream });
    const hiBits = bits(sh, { key: k2, stream: o.stream });
    raw = bitwiseOr(leftShift(astype(hiBits, uint64, o), 32, o), astype(loBits, uint64, o), o);
  } else raw = bits(sh, { key: o.key, stream: o.stream });
  const offset = remainder(raw, safeRange, o);
  return astype(add(astype(lo, unsignedT, o), offset, o), dtype, o);
}

/** MLX's split(key) into two keys of shape [2]. */
function splitPair(k: MxArray, o?: OpOptions): [MxArray, MxArray] {
  const keys = split(k, 2, o);
  const rows = splitRows(keys, 2, { axis: 0, stream: o?.stream });
  return [reshape(rows[0]!, [2], o), reshape(rows[1]!, [2], o)];
}

/**
 * Booleans that are true with probability `p` (a number or a float array, default
 * 0.5), of `shape` (default: the shape of `p`).
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * await mx.random.bernoulli(0.5, [5], { key }).tolist(); // [false, true, true, false, false]
 * await mx.random.bernoulli(mx.array([0, 1], mx.float32), undefined, { key }).tolist(); // [false, true]
 * ```
 */
export function bernoulli(p: ArrayLike = 0.5, shape?: readonly number[], o: KeyOptions = {}): MxArray {
  const s = streamOf(o);
  const pa = toArray("random.bernoulli", p, s, float32);
  if (!isFloating(pa.dtype)) throw opError("random.bernoulli", `probability p must be a float type`, [pa], "type");
  const sh = shape ? checkShape("random.bernoulli", [...shape]) : [...pa.shape];
  if (!sameShape(broadcastShapes("random.bernoulli", sh, pa.shape), sh)) {
    throw opError("random.bernoulli", `shape of p ${shapeStr(pa.shape)} is incompatible with shape ${shapeStr(sh)}`, [pa], "value");
  }
  const upper = toArray("random.bernoulli", 4294967808, s, float32); // nextafter(float(UINT32_MAX), FLT_MAX)
  return less(bits(sh, { key: o.key, stream: o.stream }), multiply(pa, upper, o), o);
}
