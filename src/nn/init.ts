// nn.init, as MLX's mlx.nn.init: each function returns an initializer, a
// function from an array (its shape) to a freshly drawn array of that shape.
// Fans are MLX's: fanIn = shape[-1] and fanOut = shape[0], both times the receptive field.

import type { MxArray } from "../array.js";
import { DType, float32 } from "../dtype.js";
import { cpu } from "../device.js";
import { qr } from "../linalg/qr.js";
import * as ops from "../ops/index.js";
import * as random from "../random.js";
import { checkArray, checkChoice, checkNumber, options } from "./checks.js";
import { opError } from "../errors.js";

/** A function that fills an array of `a`'s shape. */
export type Initializer = (a: MxArray) => MxArray;

export interface DTypeOption {
  /** The dtype of the arrays drawn (default float32). */
  dtype?: DType | undefined;
}

function dtypeOf(op: string, o: DTypeOption): DType {
  const d = o.dtype ?? float32;
  if (!(d instanceof DType)) throw opError(op, `dtype must be an mx dtype (e.g. mx.float32), got ${String(d)}`, [], "type");
  return d;
}

/**
 * Every element `value`.
 * @example
 * ```ts
 * await mx.nn.init.constant(0.5)(mx.zeros([2])).tolist(); // [0.5, 0.5]
 * ```
 */
export function constant(value: number, o: DTypeOption = {}): Initializer {
  const op = "nn.init.constant";
  checkNumber(op, "value", value);
  const dtype = dtypeOf(op, options(op, o, ["dtype"]));
  return (a) => ops.full(checkArray(op, a, "a").shape, value, dtype);
}

export interface NormalInitOptions extends DTypeOption {
  mean?: number | undefined;
  std?: number | undefined;
}

/**
 * Draws from N(mean, std^2) (defaults 0 and 1).
 * @example
 * ```ts
 * mx.nn.init.normal({ std: 0.02 })(mx.zeros([3, 2])).shape; // [3, 2]
 * ```
 */
export function normal(o: NormalInitOptions = {}): Initializer {
  const op = "nn.init.normal";
  const p = options(op, o, ["mean", "std", "dtype"]);
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
 * Draws from U(low, high) (defaults 0 and 1).
 * @example
 * ```ts
 * const w = mx.nn.init.uniform({ low: -1, high: 1 })(mx.zeros([100]));
 * (await mx.all(mx.lessEqual(mx.abs(w), 1)).item()); // true
 * ```
 */
export function uniform(o: UniformInitOptions = {}): Initializer {
  const op = "nn.init.uniform";
  const p = options(op, o, ["low", "high", "dtype"]);
  const low = checkNumber(op, "low", p.low ?? 0);
  const high = checkNumber(op, "high", p.high ?? 1, low);
  const dtype = dtypeOf(op, p);
  return (a) => random.uniform(low, high, checkArray(op, a, "a").shape, { dtype });
}

/**
 * The identity matrix of a square 2-D array's shape.
 * @example
 * ```ts
 * await mx.nn.init.identity()(mx.zeros([2, 2])).tolist(); // [[1, 0], [0, 1]]
 * ```
 */
export function identity(o: DTypeOption = {}): Initializer {
  const op = "nn.init.identity";
  const dtype = dtypeOf(op, options(op, o, ["dtype"]));
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

/** Glorot/He initializers take a gain (default 1). */
export type GainInitializer = (a: MxArray, gain?: number) => MxArray;

/**
 * Glorot (Xavier) normal: N(0, gain^2 * 2 / (fanIn + fanOut)).
 * @example
 * ```ts
 * mx.nn.init.glorotNormal()(mx.zeros([4, 3])).shape; // [4, 3]
 * ```
 */
export function glorotNormal(o: DTypeOption = {}): GainInitializer {
  const op = "nn.init.glorotNormal";
  const dtype = dtypeOf(op, options(op, o, ["dtype"]));
  return (a, gain = 1) => {
    const [fanIn, fanOut] = fans(op, a);
    const std = checkNumber(op, "gain", gain) * Math.sqrt(2 / (fanIn + fanOut));
    return random.normal(a.shape, { scale: std, dtype });
  };
}

/**
 * Glorot (Xavier) uniform: U(-l, l) with l = gain * sqrt(6 / (fanIn + fanOut)).
 * @example
 * ```ts
 * const w = mx.nn.init.glorotUniform()(mx.zeros([3, 3]));
 * await mx.all(mx.lessEqual(mx.abs(w), 1)).item(); // true
 * ```
 */
export function glorotUniform(o: DTypeOption = {}): GainInitializer {
  const op = "nn.init.glorotUniform";
  const dtype = dtypeOf(op, options(op, o, ["dtype"]));
  return (a, gain = 1) => {
    const [fanIn, fanOut] = fans(op, a);
    const limit = checkNumber(op, "gain", gain) * Math.sqrt(6 / (fanIn + fanOut));
    return random.uniform(-limit, limit, a.shape, { dtype });
  };
}

export interface HeOptions {
  /** Which fan scales the variance (default "fanIn"). */
  mode?: "fanIn" | "fanOut" | undefined;
  gain?: number | undefined;
}

/** He initializers take the fan mode and gain. */
export type HeInitializer = (a: MxArray, o?: HeOptions) => MxArray;

function heScale(op: string, a: MxArray, o: HeOptions | undefined): number {
  const p = options(op, o, ["mode", "gain"]);
  const mode = checkChoice(op, "mode", p.mode ?? "fanIn", ["fanIn", "fanOut"]);
  const [fanIn, fanOut] = fans(op, a);
  return checkNumber(op, "gain", p.gain ?? 1) / Math.sqrt(mode === "fanIn" ? fanIn : fanOut);
}

/**
 * He (Kaiming) normal: N(0, gain^2 / fan).
 * @example
 * ```ts
 * mx.nn.init.heNormal()(mx.zeros([4, 3]), { mode: "fanOut" }).shape; // [4, 3]
 * ```
 */
export function heNormal(o: DTypeOption = {}): HeInitializer {
  const op = "nn.init.heNormal";
  const dtype = dtypeOf(op, options(op, o, ["dtype"]));
  return (a, ho) => random.normal(a.shape, { scale: heScale(op, a, ho), dtype });
}

/**
 * He (Kaiming) uniform: U(-l, l) with l = gain * sqrt(3 / fan).
 * @example
 * ```ts
 * const w = mx.nn.init.heUniform()(mx.zeros([3, 3]));
 * await mx.all(mx.lessEqual(mx.abs(w), 1)).item(); // true
 * ```
 */
export function heUniform(o: DTypeOption = {}): HeInitializer {
  const op = "nn.init.heUniform";
  const dtype = dtypeOf(op, options(op, o, ["dtype"]));
  return (a, ho) => {
    const limit = heScale(op, a, ho) * Math.sqrt(3);
    return random.uniform(-limit, limit, a.shape, { dtype });
  };
}

/**
 * A sparse 2-D matrix: N(mean, std^2) draws with a fraction `sparsity` of
 * each row's entries (rounded up) set to zero, at random places.
 * @example
 * ```ts
 * const w = mx.nn.init.sparse(0.5)(mx.zeros([3, 4]));
 * await mx.sum(mx.equal(w, 0), 1).tolist(); // [2, 2, 2]
 * ```
 */
export function sparse(sparsity: number, o: NormalInitOptions = {}): Initializer {
  const op = "nn.init.sparse";
  checkNumber(op, "sparsity", sparsity, 0, 1);
  const p = options(op, o, ["mean", "std", "dtype"]);
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
 * factorisation of a normal draw, its columns' signs fixed by R's diagonal.
 * @example
 * ```ts
 * const q = mx.nn.init.orthogonal()(mx.zeros([3, 3]));
 * await mx.allclose(mx.matmul(q, q.T), mx.eye(3), { atol: 1e-5 }).item(); // true
 * ```
 */
export function orthogonal(o: OrthogonalOptions = {}): Initializer {
  const op = "nn.init.orthogonal";
  const p = options(op, o, ["gain", "dtype"]);
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
