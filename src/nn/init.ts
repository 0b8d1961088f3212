// nn.init, as MLX's mlx.nn.init: each function returns an initializer, a
// function from an array (its shape) to a freshly drawn array of that shape.
// Fans are MLX's: fanIn = shape[-1] and fanOut = shape[0], both times the receptive field.

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import { DType, float32 } from "../dtype.js";
import { cpu } from "../device.js";
import { qr } from "../linalg/qr.js";
import * as ops from "../ops/index.js";
import * as random from "../random.js";
import { checkArray, checkChoice, checkNumber, keywords } from "./checks.js";
import { opError } from "../errors.js";
import { noExtraArguments } from "../ops/strict-options.js";

/** A function that fills an array of `a`'s shape. */
export type Initializer = (a: MxArray) => MxArray;

export interface DTypeOption {
  /** The dtype of the arrays drawn (default float32). */
  dtype?: DType | undefined;
}

/** MLX's `dtype` parameter, positional or in the options. */
export type DTypeParameter = ["dtype", DType];

function dtypeOf(op: string, o: { dtype?: unknown }): DType {
  const d = o.dtype ?? float32;
  if (!(d instanceof DType)) throw opError(op, `dtype must be an mx dtype (e.g. mx.float32), got ${String(d)}`, [], "type");
  return d;
}

/**
 * Every element `value`; MLX's `dtype` comes positionally or in the options.
 * @example
 * ```ts
 * await mx.nn.init.constant(0.5)(mx.zeros([2])).tolist(); // [0.5, 0.5]
 * mx.nn.init.constant(1, mx.int32)(mx.zeros([2])).dtype.name; // "int32"
 * ```
 */
export function constant(value: number, ...rest: KeywordArgs<[DTypeParameter], DTypeOption>): Initializer {
  const op = "nn.init.constant";
  noExtraArguments(op, arguments, 2);
  checkNumber(op, "value", value);
  const dtype = dtypeOf(op, keywords(op, rest, ["dtype"]));
  return (a) => ops.full(checkArray(op, a, "a").shape, value, dtype);
}

export interface NormalInitOptions extends DTypeOption {
  mean?: number | undefined;
  std?: number | undefined;
}

/**
 * Draws from N(mean, std^2) (defaults 0 and 1); MLX's `mean`, `std` and
 * `dtype` come positionally in MLX's order or, from any of them on, in the options.
 * @example
 * ```ts
 * mx.nn.init.normal({ std: 0.02 })(mx.zeros([3, 2])).shape; // [3, 2]
 * mx.nn.init.normal(0, 0.02)(mx.zeros([3, 2])).shape; // [3, 2]
 * ```
 */
export function normal(...rest: KeywordArgs<[["mean", number], ["std", number], DTypeParameter], NormalInitOptions>): Initializer {
  const op = "nn.init.normal";
  noExtraArguments(op, arguments, 3);
  const p = keywords(op, rest, ["mean", "std", "dtype"]);
  const mean = checkNumber(op, "mean", p.mean ?? 0);
  const std = checkNumber(op, "std", p.std ?? 1, 0);
  const dtype = dtypeOf(op, p);
  return (a) => random.normal(checkArray(op, a, "a").shape, { loc: mean, scale: std, dtype });
}

export interface UniformInitOptions extends DTypeOption {
  low?: number | undefined;
  high?: number | undefined;
}

/**
 * Draws from U(low, high) (defaults 0 and 1); MLX's `low`, `high` and
 * `dtype` come positionally in MLX's order or, from any of them on, in the options.
 * @example
 * ```ts
 * const w = mx.nn.init.uniform({ low: -1, high: 1 })(mx.zeros([100]));
 * (await mx.all(mx.lessEqual(mx.abs(w), 1)).item()); // true
 * const v = mx.nn.init.uniform(-1, 1, mx.float16)(mx.zeros([100]));
 * v.dtype.name; // "float16"
 * ```
 */
export function uniform(...rest: KeywordArgs<[["low", number], ["high", number], DTypeParameter], UniformInitOptions>): Initializer {
  const op = "nn.init.uniform";
  noExtraArguments(op, arguments, 3);
  const p = keywords(op, rest, ["low", "high", "dtype"]);
  const low = checkNumber(op, "low", p.low ?? 0);
  const high = checkNumber(op, "high", p.high ?? 1, low);
  const dtype = dtypeOf(op, p);
  return (a) => random.uniform(low, high, checkArray(op, a, "a").shape, { dtype });
}

/**
 * The identity matrix of a square 2-D array's shape; MLX's `dtype` comes
 * positionally or in the options.
 * @example
 * ```ts
 * await mx.nn.init.identity()(mx.zeros([2, 2])).tolist(); // [[1, 0], [0, 1]]
 * ```
 */
export function identity(...rest: KeywordArgs<[DTypeParameter], DTypeOption>): Initializer {
  const op = "nn.init.identity";
  noExtraArguments(op, arguments, 1);
  const dtype = dtypeOf(op, keywords(op, rest, ["dtype"]));
  return (a) => {
    const s = checkArray(op, a, "a").shape;
    if (s.length !== 2 || s[0] !== s[1]) throw opError(op, `a must be a square 2-D array, got shape (${s.join(", ")})`, [], "value");
    return ops.eye(s[0]!, undefined, undefined, { dtype });
  };
}

/** MLX's fans: fanIn = shape[-1], fanOut = shape[0], each times the product of the axes between. */
function fans(op: string, a: MxArray): [number, number] {
  const s = checkArray(op, a, "a").shape;
  if (s.length < 2) throw opError(op, `a needs at least 2 axes to have a fan-in and fan-out, got shape (${s.join(", ")})`, [], "value");
  const field = s.slice(1, -1).reduce((p, d) => p * d, 1);
  return [s[s.length - 1]! * field, s[0]! * field];
}

export interface GainOptions {
  /** Scales the standard deviation or the bound (default 1). */
  gain?: number | undefined;
}

/** Glorot initializers take MLX's `gain` (default 1), positionally or in the options. */
export type GainInitializer = (a: MxArray, ...rest: KeywordArgs<[["gain", number]], GainOptions>) => MxArray;

/** The gain of a Glorot initializer's call (after `a`), as `op`'s error names it. */
function gainOf(op: string, args: IArguments): number {
  noExtraArguments(op, args, 2);
  return checkNumber(op, "gain", keywords(op, Array.from(args).slice(1), ["gain"]).gain ?? 1);
}

/**
 * Glorot (Xavier) normal: N(0, gain^2 * 2 / (fanIn + fanOut)); MLX's
 * `dtype` comes positionally or in the options, and so does the
 * initializer's `gain`.
 * @example
 * ```ts
 * mx.nn.init.glorotNormal()(mx.zeros([4, 3])).shape; // [4, 3]
 * mx.nn.init.glorotNormal(mx.float16)(mx.zeros([4, 3]), 2).dtype.name; // "float16"
 * ```
 */
export function glorotNormal(...rest: KeywordArgs<[DTypeParameter], DTypeOption>): GainInitializer {
  const op = "nn.init.glorotNormal";
  noExtraArguments(op, arguments, 1);
  const dtype = dtypeOf(op, keywords(op, rest, ["dtype"]));
  return function (a: MxArray, ..._rest: unknown[]) {
    const [fanIn, fanOut] = fans(op, a);
    const std = gainOf(op, arguments) * Math.sqrt(2 / (fanIn + fanOut));
    return random.normal(a.shape, { scale: std, dtype });
  };
}

/**
 * Glorot (Xavier) uniform: U(-l, l) with l = gain * sqrt(6 / (fanIn + fanOut));
 * `dtype` and the initializer's `gain` as glorotNormal's.
 * @example
 * ```ts
 * const w = mx.nn.init.glorotUniform()(mx.zeros([3, 3]));
 * await mx.all(mx.lessEqual(mx.abs(w), 1)).item(); // true
 * const v = mx.nn.init.glorotUniform()(mx.zeros([3, 3]), { gain: 0.5 });
 * await mx.all(mx.lessEqual(mx.abs(v), 0.5)).item(); // true
 * ```
 */
export function glorotUniform(...rest: KeywordArgs<[DTypeParameter], DTypeOption>): GainInitializer {
  const op = "nn.init.glorotUniform";
  noExtraArguments(op, arguments, 1);
  const dtype = dtypeOf(op, keywords(op, rest, ["dtype"]));
  return function (a: MxArray, ..._rest: unknown[]) {
    const [fanIn, fanOut] = fans(op, a);
    const limit = gainOf(op, arguments) * Math.sqrt(6 / (fanIn + fanOut));
    return random.uniform(-limit, limit, a.shape, { dtype });
  };
}

/** Which fan scales the variance of a He initializer (MLX's "fan_in" and "fan_out"). */
export type FanMode = "fanIn" | "fanOut";

export interface HeOptions {
  /** Which fan scales the variance (default "fanIn"). */
  mode?: FanMode | undefined;
  gain?: number | undefined;
}

/** He initializers take MLX's `mode` and `gain`, positionally in MLX's order or, from either on, in the options. */
export type HeInitializer = (a: MxArray, ...rest: KeywordArgs<[["mode", FanMode], ["gain", number]], HeOptions>) => MxArray;

/** gain / sqrt(fan) for a He initializer's call (`a`, then mode and gain). */
function heScale(op: string, a: MxArray, args: IArguments): number {
  noExtraArguments(op, args, 3);
  const p = keywords(op, Array.from(args).slice(1), ["mode", "gain"]);
  const mode = checkChoice(op, "mode", p.mode ?? "fanIn", ["fanIn", "fanOut"]);
  const [fanIn, fanOut] = fans(op, a);
  return checkNumber(op, "gain", p.gain ?? 1) / Math.sqrt(mode === "fanIn" ? fanIn : fanOut);
}

/**
 * He (Kaiming) normal: N(0, gain^2 / fan); MLX's `dtype` comes positionally
 * or in the options, and so do the initializer's `mode` and `gain`.
 * @example
 * ```ts
 * mx.nn.init.heNormal()(mx.zeros([4, 3]), { mode: "fanOut" }).shape; // [4, 3]
 * mx.nn.init.heNormal()(mx.zeros([4, 3]), "fanOut", 2).shape; // [4, 3]
 * ```
 */
export function heNormal(...rest: KeywordArgs<[DTypeParameter], DTypeOption>): HeInitializer {
  const op = "nn.init.heNormal";
  noExtraArguments(op, arguments, 1);
  const dtype = dtypeOf(op, keywords(op, rest, ["dtype"]));
  return function (a: MxArray, ..._rest: unknown[]) {
    return random.normal(a.shape, { scale: heScale(op, a, arguments), dtype });
  };
}

/**
 * He (Kaiming) uniform: U(-l, l) with l = gain * sqrt(3 / fan); `dtype`,
 * `mode` and `gain` as heNormal's.
 * @example
 * ```ts
 * const w = mx.nn.init.heUniform()(mx.zeros([3, 3]));
 * await mx.all(mx.lessEqual(mx.abs(w), 1)).item(); // true
 * ```
 */
export function heUniform(...rest: KeywordArgs<[DTypeParameter], DTypeOption>): HeInitializer {
  const op = "nn.init.heUniform";
  noExtraArguments(op, arguments, 1);
  const dtype = dtypeOf(op, keywords(op, rest, ["dtype"]));
  return function (a: MxArray, ..._rest: unknown[]) {
    const limit = heScale(op, a, arguments) * Math.sqrt(3);
    return random.uniform(-limit, limit, a.shape, { dtype });
  };
}

/**
 * A sparse 2-D matrix: N(mean, std^2) draws with a fraction `sparsity` of
 * each row's entries (rounded up) set to zero, at random places; MLX's
 * `mean`, `std` and `dtype` come positionally in MLX's order or, from any
 * of them on, in the options.
 * @example
 * ```ts
 * const w = mx.nn.init.sparse(0.5)(mx.zeros([3, 4]));
 * await mx.sum(mx.equal(w, 0), 1).tolist(); // [2, 2, 2]
 * mx.nn.init.sparse(0.25, 0, 0.01, mx.float16)(mx.zeros([3, 4])).dtype.name; // "float16"
 * ```
 */
export function sparse(sparsity: number, ...rest: KeywordArgs<[["mean", number], ["std", number], DTypeParameter], NormalInitOptions>): Initializer {
  const op = "nn.init.sparse";
  noExtraArguments(op, arguments, 4);
  checkNumber(op, "sparsity", sparsity, 0, 1);
  const p = keywords(op, rest, ["mean", "std", "dtype"]);
  const mean = checkNumber(op, "mean", p.mean ?? 0);
  const std = checkNumber(op, "std", p.std ?? 1, 0);
  const dtype = dtypeOf(op, p);
  return (a) => {
    const s = checkArray(op, a, "a").shape;
    if (s.length !== 2) throw opError(op, `a must be a 2-D array, got shape (${s.join(", ")})`, [], "value");
    const zeros = Math.ceil(sparsity * s[1]!);
    const rank = ops.argsort(ops.argsort(random.uniform(0, 1, s), 1), 1);
    return ops.where(ops.less(rank, zeros), 0, random.normal(s, { loc: mean, scale: std, dtype }));
  };
}

export interface OrthogonalOptions extends DTypeOption {
  gain?: number | undefined;
}

/**
 * A (semi-)orthogonal 2-D matrix times `gain` (default 1): Q of the QR
 * factorisation of a normal draw, its columns' signs fixed by R's diagonal;
 * MLX's `gain` and `dtype` come positionally in MLX's order or, from either
 * on, in the options.
 * @example
 * ```ts
 * const q = mx.nn.init.orthogonal()(mx.zeros([3, 3]));
 * await mx.allclose(mx.matmul(q, q.T), mx.eye(3), { atol: 1e-5 }).item(); // true
 * const q2 = mx.nn.init.orthogonal(2)(mx.zeros([2, 2]));
 * await mx.allclose(mx.matmul(q2, q2.T), mx.multiply(mx.eye(2), 4), { atol: 1e-5 }).item(); // true
 * ```
 */
export function orthogonal(...rest: KeywordArgs<[["gain", number], DTypeParameter], OrthogonalOptions>): Initializer {
  const op = "nn.init.orthogonal";
  noExtraArguments(op, arguments, 2);
  const p = keywords(op, rest, ["gain", "dtype"]);
  const gain = checkNumber(op, "gain", p.gain ?? 1);
  const dtype = dtypeOf(op, p);
  return (a) => {
    const s = checkArray(op, a, "a").shape;
    if (s.length !== 2) throw opError(op, `a must be a 2-D array, got shape (${s.join(", ")})`, [], "value");
    const [rows, cols] = s as [number, number];
    const n = Math.max(rows, cols);
    const [q, r] = qr(random.normal([n, n]), { stream: cpu });
    const signed = ops.multiply(q, ops.sign(ops.diagonal(r)));
    return ops.astype(ops.multiply(ops.slice(signed, [0, 0], [rows, cols]), gain), dtype);
  };
}
