// Reduction ops over an axis or axes (default: all), with keepdims: sum,
// prod, max, min, all, any, argmax, argmin, logsumexp, softmax, and the
// composites mean, var and std.

import { MxArray } from "../array.js";
import { bfloat16, bool, complex64, float16, float32, int32, isInexact, uint32, type DType } from "../dtype.js";
import { opError } from "../errors.js";
import { ArgReduce, LogSumExp, Reduce, Softmax, type ReduceOp } from "../primitives/reduce.js";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape.js";
import { checkArrayLike, node, streamOf, toArray, type ArrayLike, type AxisOptions, type OpOptions } from "./base.js";
import { astype, divide, multiply, sqrt, square, subtract } from "./elementwise.js";
import { reshape } from "./layout.js";

/** Options may also be given as just the axis. */
export type AxisArg = AxisOptions | number | readonly number[];

/** Array.isArray, narrowing readonly lists too. */
const isAxisList = (o: unknown): o is readonly number[] => Array.isArray(o);

function opts(o?: AxisArg): AxisOptions {
  return typeof o === "number" || isAxisList(o) ? { axis: o } : (o ?? {});
}

function input(op: string, x: ArrayLike, o: AxisOptions): MxArray {
  return toArray(op, checkArrayLike(op, x), streamOf(o, x));
}

function reduceOp(op: ReduceOp) {
  return (x: ArrayLike, o?: AxisArg): MxArray => {
    const p = opts(o);
    let a = input(op, x, p);
    const axes = normalizeAxes(op, p.axis, a.ndim);
    if (a.dtype === complex64 && op !== "sum" && op !== "prod" && op !== "all" && op !== "any") {
      throw opError(op, "complex64 is not ordered; valid: real dtypes", [a], "type");
    }
    if ((op === "max" || op === "min") && axes.some((ax) => a.shape[ax] === 0)) {
      throw opError(op, `cannot reduce over an empty axis (no identity for ${op})`, [a], "value");
    }
    if (op === "all" || op === "any") a = a.dtype === bool ? a : astype(a, bool, p);
    if (op === "sum" || op === "prod") a = astype(a, accumulatorDType(a.dtype), p);
    return node(new Reduce(op, axes, p.keepdims ?? false), [a], streamOf(p, a));
  };
}

/** MLX's sum/prod dtype: integers narrower than 32 bits (and bool) accumulate in int32 or uint32. */
function accumulatorDType(d: DType): DType {
  if (d === bool) return int32;
  if (d.size < 4 && d.kind === "int") return int32;
  if (d.size < 4 && d.kind === "uint") return uint32;
  return d;
}

export const sum = reduceOp("sum");
export const prod = reduceOp("prod");
export const max = reduceOp("max");
export const min = reduceOp("min");
export const all = reduceOp("all");
export const any = reduceOp("any");

export interface ArgOptions extends OpOptions {
  axis?: number | null | undefined;
  keepdims?: boolean | undefined;
}

function argOp(op: "argmax" | "argmin") {
  return (x: ArrayLike, o: ArgOptions | number = {}): MxArray => {
    const p: ArgOptions = typeof o === "number" ? { axis: o } : o;
    let a = input(op, x, p);
    if (a.dtype === complex64) throw opError(op, "complex64 is not ordered; valid: real dtypes", [a], "type");
    const ndim = a.ndim;
    let axis: number;
    if (p.axis === undefined || p.axis === null) {
      a = reshape(a, [a.size], p);
      axis = 0;
    } else axis = normalizeAxis(op, p.axis, a.ndim);
    if (a.shape[axis] === 0) throw opError(op, `cannot take ${op} of an empty axis`, [a], "value");
    const out = node(new ArgReduce(op, axis, p.keepdims ?? false), [a], streamOf(p, a));
    if (p.keepdims && (p.axis === undefined || p.axis === null)) return reshape(out, Array(ndim).fill(1), p);
    return out;
  };
}

export const argmax = argOp("argmax");
export const argmin = argOp("argmin");

function floatInput(op: string, x: ArrayLike, o: AxisOptions): MxArray {
  const a = input(op, x, o);
  if (a.dtype === complex64) throw opError(op, "complex64 is not supported; valid: real dtypes", [a], "type");
  return isInexact(a.dtype) ? a : astype(a, float32, o);
}

export function logsumexp(x: ArrayLike, o?: AxisArg): MxArray {
  const p = opts(o);
  const a = floatInput("logsumexp", x, p);
  return node(new LogSumExp(normalizeAxes("logsumexp", p.axis, a.ndim), p.keepdims ?? false), [a], streamOf(p, a));
}

export function softmax(x: ArrayLike, o?: AxisArg): MxArray {
  const p = opts(o);
  const a = floatInput("softmax", x, p);
  return node(new Softmax(normalizeAxes("softmax", p.axis, a.ndim)), [a], streamOf(p, a));
}

function countOf(a: MxArray, axes: number[]): number {
  return sizeOf(axes.map((ax) => a.shape[ax]!));
}

/** The result dtype of mean/var: the input's float dtype; integers and bool give float32. */
function meanDType(d: DType): DType {
  return isInexact(d) ? d : float32;
}

/** Half-precision inputs are averaged in float32 (as NumPy does), so sums do not overflow. */
function accumulateDType(d: DType): DType {
  return d === float16 || d === bfloat16 ? float32 : meanDType(d);
}

/** sum / count, in the input's float dtype (integers give float32). */
export function mean(x: ArrayLike, o?: AxisArg): MxArray {
  const p = opts(o);
  const a = input("mean", x, p);
  const axes = normalizeAxes("mean", p.axis, a.ndim);
  const f = astype(a, accumulateDType(a.dtype), p);
  return astype(divide(sum(f, { ...p, axis: axes }), countOf(a, axes), p), meanDType(a.dtype), p);
}

export interface VarOptions extends AxisOptions {
  /** Delta degrees of freedom: the divisor is count - ddof. */
  ddof?: number | undefined;
}

export function variance(x: ArrayLike, o?: VarOptions | number | readonly number[]): MxArray {
  const p: VarOptions = opts(o);
  const a = input("var", x, p);
  const axes = normalizeAxes("var", p.axis, a.ndim);
  const f = astype(a, accumulateDType(a.dtype), p);
  const centered = subtract(f, mean(f, { axis: axes, keepdims: true, stream: p.stream }), p);
  const ss = sum(square(centered, p), { ...p, axis: axes });
  return astype(multiply(ss, 1 / Math.max(countOf(a, axes) - (p.ddof ?? 0), 0), p), meanDType(a.dtype), p);
}

export function std(x: ArrayLike, o?: VarOptions | number | readonly number[]): MxArray {
  const p: VarOptions = opts(o);
  return sqrt(variance(x, p), p);
}
