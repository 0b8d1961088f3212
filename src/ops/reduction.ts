// Reduction ops over an axis or axes (default: all), with keepdims: sum,
// prod, max, min, all, any, argmax, argmin, logsumexp, softmax, and the
// composites mean, var and std.

import { MxArray } from "../array.js";
import { bool, complex64, float32, float64, int64, is16BitFloat, is64BitInt, isInexact, type DType } from "../dtype.js";
import { getBackend } from "../../backends/backend.js";
import { opError } from "../errors.js";
import { ArgReduce, checkArgAxis, checkReducible, LogSumExp, Reduce, Softmax, widenedSumDType, type ReduceOp } from "../primitives/reduce.js";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";
import type { PositionalThen } from "../argument-checks.js";
import { samplerArgs } from "../random-checks.js";
import { boolOption, checkArrayLike, flatView, intOption, node, opStream, streamOf, toArray, type ArrayLike, type AxisOptions, type OpOptions } from "./base.js";
import { abs, astype, divide, greaterEqual, less, multiply, notEqual, sign, sqrt, square, subtract, where } from "./elementwise.js";
import { reshape } from "./layout.js";
import { complexArgExtreme, complexExtreme } from "./reduce-complex.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { NumberOfElements } from "../primitives/element-count.js";

/** Options may also be given as just the axis. */
export type AxisArg = AxisOptions | number | readonly number[];

/**
 * The arguments of a reduction after its input: MLX's positional-or-keyword
 * parameters `P` positionally (null: the default), then the options `O`, or
 * the options alone (PositionalThen); or an axis `A` or the options, then the
 * options.
 */
export type ReductionArgs<P extends readonly (readonly [string, unknown])[], O, A> =
  | PositionalThen<P, O>
  | [axisOrOptions?: A | O | null | undefined, options?: O | undefined];

/** MLX's `(axis, keepdims)` of a reduction positionally (null: the default), then the options, or the options alone. */
export type ReduceArgs = ReductionArgs<[["axis", number | readonly number[]], ["keepdims", boolean]], AxisOptions, number | readonly number[]>;

/** The keys of a reduction's options object besides `stream`. */
const AXIS_KEYS = ["axis", "keepdims"];

/** The options of a reduction: MLX's positional arguments `names` (null: the default) then an options object, or the options object alone; keys checked. */
function opts<T extends AxisOptions>(op: string, rest: readonly unknown[], names: readonly string[] = AXIS_KEYS): T {
  // an object that is neither a list of axes nor an array where the axis or the options go: meant as the options
  const first = rest[0];
  if (typeof first === "object" && first !== null && !Array.isArray(first) && !(first instanceof MxArray)) checkOptions(op, first, names);
  return samplerArgs<T>(op, rest, names);
}

function input(op: string, x: ArrayLike, o: AxisOptions): MxArray {
  checkArrayLike(op, x);
  const a = toArray(op, x, opStream(op, o, x));
  boolOption(op, "keepdims", o.keepdims);
  return a;
}

function reduceOp(op: ReduceOp) {
  return function (x: ArrayLike, ...rest: ReduceArgs): MxArray {
    noExtraArguments(op, arguments, 4);
    return asOp(op, () => {
      const p = opts(op, rest);
      let a = input(op, x, p);
      const axes = normalizeAxes(op, p.axis, a.ndim, "axis", [a]);
      checkReducible(op, a, axes);
      if (a.dtype === complex64 && (op === "max" || op === "min")) return complexExtreme(a, axes, p.keepdims ?? false, op, { stream: streamOf(p, a) });
      if (op === "all" || op === "any") a = a.dtype === bool ? a : astype(a, bool, { stream: p.stream });
      // MLX's sum/prod dtype: integers narrower than 32 bits accumulate in int32 or uint32 (bool: int32, the primitive's own rule),
      // read as they are (no widened copy)
      const widened = (op === "sum" || op === "prod") && a.dtype.kind !== "float" && a.dtype !== bool ? widenedSumDType(a.dtype) : undefined;
      return node(new Reduce(op, axes, p.keepdims ?? false, widened), [a], streamOf(p, a));
    });
  };
}

/**
 * Sum over `axis` (an axis or a list; all axes by default), dropping the reduced
 * axes unless `keepdims`. Integers narrower than 32 bits and bool accumulate in
 * int32 (uint32 for unsigned); floats accumulate in higher precision.
 * @example
 * ```ts
 * const m = mx.array([[1, 2], [3, 4]]);
 * await mx.sum(m).item(); // 10
 * await mx.sum(m, 0).tolist(); // [4, 6]
 * await mx.sum(m, { axis: 1, keepdims: true }).tolist(); // [[3], [7]]
 * await mx.sum(m, 1, true).tolist(); // [[3], [7]]
 * await mx.sum(mx.array([200, 100], mx.uint8)).item(); // 300
 * ```
 */
export const sum = reduceOp("sum");
/**
 * Product over `axis` (an axis or a list; all axes by default), with `keepdims`.
 * Integer dtypes accumulate as `sum` does, and wrap.
 * @example
 * ```ts
 * await mx.prod(mx.array([[1, 2], [3, 4]]), 1).tolist(); // [2, 12]
 * ```
 */
export const prod = reduceOp("prod");
/**
 * Maximum over `axis` (an axis or a list; all axes by default), with `keepdims`.
 * NaN propagates; an empty axis is an error. complex64 orders by real part,
 * then imaginary part, as `maximum`: the result is an element of the input,
 * the first with NaN in either part if any, else the last of equal maxima
 * (in row-major order), as folding `maximum` over the elements.
 * @example
 * ```ts
 * await mx.max(mx.array([[1, 2], [3, 4]]), 0).tolist(); // [3, 4]
 * await mx.max(mx.array([1, NaN, 3])).item(); // NaN
 * ```
 */
export const max = reduceOp("max");
/**
 * Minimum over `axis` (an axis or a list; all axes by default), with `keepdims`.
 * NaN propagates; an empty axis is an error. complex64 as `max` does, with
 * `minimum`'s order.
 * @example
 * ```ts
 * await mx.min(mx.array([[1, 2], [3, 4]])).item(); // 1
 * ```
 */
export const min = reduceOp("min");
/**
 * Whether every element over `axis` (all axes by default) is non-zero, as bool;
 * with `keepdims`.
 * @example
 * ```ts
 * await mx.all(mx.array([1, 0, 2])).item(); // false
 * await mx.all(mx.array([[true, false], [true, true]]), 1).tolist(); // [false, true]
 * ```
 */
export const all = reduceOp("all");
/**
 * Whether some element over `axis` (all axes by default) is non-zero, as bool;
 * with `keepdims`.
 * @example
 * ```ts
 * await mx.any(mx.array([0, 0, 2])).item(); // true
 * ```
 */
export const any = reduceOp("any");

export interface ArgOptions extends OpOptions {
  axis?: number | null | undefined;
  keepdims?: boolean | undefined;
}

/** MLX's `(axis, keepdims)` of argmax and argmin positionally (null: the default), then the options, or the options alone. */
export type ArgReduceArgs = ReductionArgs<[["axis", number], ["keepdims", boolean]], ArgOptions, number>;

function argOp(op: "argmax" | "argmin") {
  return function (x: ArrayLike, ...rest: ArgReduceArgs): MxArray {
    noExtraArguments(op, arguments, 4);
    return asOp(op, () => {
      const p = opts<ArgOptions>(op, rest);
      let a = input(op, x, p);
      const ndim = a.ndim;
      let axis: number;
      if (p.axis === undefined || p.axis === null) {
        a = flatView(a, streamOf(p, a));
        axis = 0;
      } else axis = normalizeAxis(op, p.axis, a.ndim, "axis", [a]);
      checkArgAxis(op, a, axis);
      const which = op === "argmax" ? "max" : "min";
      const out = a.dtype === complex64 ? complexArgExtreme(a, axis, p.keepdims ?? false, which, { stream: streamOf(p, a) }) : node(new ArgReduce(op, axis, p.keepdims ?? false), [a], streamOf(p, a));
      if (p.keepdims && (p.axis === undefined || p.axis === null)) return reshape(out, Array(ndim).fill(1), { stream: p.stream });
      return out;
    });
  };
}

/**
 * Index of the largest element along `axis` (of the flattened array when none
 * is given), as uint32; the first one on ties, and the first NaN if any.
 * complex64 orders by real part, then imaginary part (NaN in either part
 * counts as NaN), as NumPy.
 * @example
 * ```ts
 * await mx.argmax(mx.array([[1, 5], [7, 2]]), 1).tolist(); // [1, 0]
 * await mx.argmax(mx.array([[1, 5], [7, 2]])).item(); // 2
 * await mx.argmax(mx.array([[1, 5], [7, 2]]), 1, true).tolist(); // [[1], [0]]
 * ```
 */
export const argmax = argOp("argmax");
/**
 * Index of the smallest element along `axis` (of the flattened array when none
 * is given), as uint32; the first one on ties, and the first NaN if any;
 * complex64 as `argmax` orders it.
 * @example
 * ```ts
 * await mx.argmin(mx.array([3, 1, 1])).item(); // 1
 * ```
 */
export const argmin = argOp("argmin");

function floatInput(op: string, x: ArrayLike, o: AxisOptions): MxArray {
  const a = input(op, x, o);
  if (a.dtype === complex64) throw opError(op, "complex64 is not supported; valid: real dtypes", [a], "type");
  return isInexact(a.dtype) ? a : astype(a, float32, { stream: o.stream });
}

/**
 * `log(sum(exp(x)))` over `axis` (all axes by default), with `keepdims`, computed
 * stably by subtracting the maximum first. Integer and bool inputs compute in
 * float32.
 * @example
 * ```ts
 * await mx.logsumexp(mx.array([1000, 1000])).item(); // 1000.6931762695312
 * ```
 */
export function logsumexp(x: ArrayLike, ...rest: ReduceArgs): MxArray {
  noExtraArguments("logsumexp", arguments, 4);
  return asOp("logsumexp", () => {
    const p = opts("logsumexp", rest);
    const a = floatInput("logsumexp", x, p);
    return node(new LogSumExp(normalizeAxes("logsumexp", p.axis, a.ndim, "axis", [a]), p.keepdims ?? false), [a], streamOf(p, a));
  });
}

/** MLX's `(axis, precise)` of softmax positionally (null: the default), then the options, or the options alone. */
export type SoftmaxArgs = ReductionArgs<[["axis", number | readonly number[]], ["precise", boolean]], SoftmaxOptions, number | readonly number[]>;

export interface SoftmaxOptions extends OpOptions {
  /** An axis or a list of them; all axes when null or absent. */
  axis?: number | readonly number[] | null | undefined;
  /**
   * MLX's option to compute float16/bfloat16 inputs in float32. Every backend
   * here computes softmax in float32 or wider and rounds once, so it is
   * always in effect; false is accepted and changes nothing.
   */
  precise?: boolean | undefined;
}

/**
 * `exp(x) / sum(exp(x))` over `axis` (all axes by default), computed stably
 * in float32 or wider and rounded once to the input's dtype (MLX's `precise`
 * always holds); the result has the shape of `x`. Integer and bool inputs
 * compute in float32.
 * @example
 * ```ts
 * await mx.softmax(mx.array([0, Math.log(3)])).tolist(); // [0.25, 0.75]
 * await mx.softmax(mx.array([[1, 1], [5, 5]]), 1).tolist(); // [[0.5, 0.5], [0.5, 0.5]]
 * mx.softmax(mx.array([1, 2], mx.float16), { axis: -1, precise: true }).dtype.name; // "float16"
 * mx.softmax(mx.array([1, 2], mx.float16), -1, true).dtype.name; // "float16"
 * ```
 */
export function softmax(x: ArrayLike, ...rest: SoftmaxArgs): MxArray {
  noExtraArguments("softmax", arguments, 4);
  return asOp("softmax", () => {
    const p = opts<SoftmaxOptions>("softmax", rest, ["axis", "precise"]);
    boolOption("softmax", "precise", p.precise);
    const a = floatInput("softmax", x, p);
    return node(new Softmax(normalizeAxes("softmax", p.axis, a.ndim, "axis", [a])), [a], streamOf(p, a));
  });
}

/**
 * max(count - ddof, 0) of `a`'s elements along `axes` (its reciprocal when
 * `inverted`), the divisor of mean and var: a number, rounded to `dtype`
 * where it meets an array; inside a shapeless trace a node that reads the
 * count from the shape the graph runs with (the trace's shape fixed in a
 * number would divide every other shape's sums by it).
 */
function countOf(a: MxArray, axes: number[], dtype: DType, stream: OpOptions["stream"], ddof = 0, inverted = false): number | MxArray {
  const real = dtype === complex64 ? float32 : dtype;
  if (inShapelessTrace()) return node(new NumberOfElements(axes, [], ddof, inverted, real), [a], streamOf({ stream }, a));
  const n = Math.max(sizeOf(axes.map((ax) => a.shape[ax]!)) - ddof, 0);
  return inverted ? 1 / n : n;
}

/** The result dtype of mean/var: the input's float dtype; integers and bool give float32. */
function meanDType(d: DType): DType {
  return isInexact(d) ? d : float32;
}

/** Half-precision inputs are averaged in float32 (as NumPy does), so sums do not overflow. */
function accumulateDType(d: DType): DType {
  return is16BitFloat(d) ? float32 : meanDType(d);
}

/** Whether `a`'s backend holds float64 (the cpu reference does; the GPU backends do not). */
function holdsFloat64(a: MxArray, stream: OpOptions["stream"]): boolean {
  return getBackend(streamOf({ stream }, a).device.backend).capabilities.dtypes.has(float64);
}

/**
 * The sum of `a` over `axes` in accumulateDType: float16/bfloat16 read as they
 * are into a float32 result (no float32 copy of the input), other dtypes
 * through a copy in that dtype.
 */
function accumulatedSum(a: MxArray, axes: number[], keepdims: boolean | undefined, stream: OpOptions["stream"]): MxArray {
  if (is16BitFloat(a.dtype)) return node(new Reduce("sum", axes, keepdims ?? false, float32), [a], streamOf({ stream }, a));
  return sum(astype(a, accumulateDType(a.dtype), { stream }), { axis: axes, keepdims, stream });
}

/**
 * The mean of bool or integer `a` over `axes` as float32, from an exact sum: in
 * float64 where the backend holds it (exact while the partial sums stay below
 * 2^53, and no integer sum wraps), else in int64 (uint64 for uint64; bool in
 * int32, exact below 2^31 elements), then divided once. A 64-bit input whose
 * float32 sum reaches 2^62 (its 64-bit sum may have wrapped) takes the float32
 * sum instead.
 */
function integerMean(a: MxArray, axes: number[], keepdims: boolean | undefined, stream: OpOptions["stream"], wide = integerCopy(a, stream)): MxArray {
  const so = { stream };
  if (holdsFloat64(a, stream)) {
    const s = sum(wide, { axis: axes, keepdims, stream });
    return astype(divide(s, countOf(a, axes, float64, stream), so), float32, so);
  }
  const count = countOf(a, axes, float32, stream);
  const exact = divide(sum(wide, { axis: axes, keepdims, stream }), count, so);
  if (!is64BitInt(a.dtype)) return exact;
  const rough = sum(astype(a, float32, so), { axis: axes, keepdims, stream });
  return where(less(abs(rough, so), 2 ** 62, so), exact, divide(rough, count, so), so);
}

/** What integerMean sums: bool or integer `a` as float64 where the backend holds it, else as it is (bool, 64-bit) or as int64. */
function integerCopy(a: MxArray, stream: OpOptions["stream"]): MxArray {
  if (holdsFloat64(a, stream)) return astype(a, float64, { stream });
  return a.dtype === bool || is64BitInt(a.dtype) ? a : astype(a, int64, { stream });
}

/** mean's value of `a` over `axes` in accumulateDType. */
function accumulatedMean(a: MxArray, axes: number[], keepdims: boolean | undefined, stream: OpOptions["stream"]): MxArray {
  if (!isInexact(a.dtype)) return integerMean(a, axes, keepdims, stream);
  return divide(accumulatedSum(a, axes, keepdims, stream), countOf(a, axes, accumulateDType(a.dtype), stream), { stream });
}

/**
 * The deviations of bool or integer `a` from its mean along `axes`, in float64
 * where the backend holds it, else float32: narrower than 64 bits and float64
 * held, `x` read exactly as float64 less its mean; otherwise `x - k` in int64,
 * k the integer part of integerMean, read as a float (rounded relative to the
 * spread of the values, not to their size; where the values span past 2^63 and
 * the int64 reading wrapped, given back its 2^64) less its own mean, so that a
 * variance loses no more than that rounding.
 */
function integerDeviations(a: MxArray, axes: number[], stream: OpOptions["stream"]): MxArray {
  const so = { stream };
  const real = holdsFloat64(a, stream) ? float64 : float32;
  const centered = (d: MxArray) => subtract(d, divide(sum(d, { axis: axes, keepdims: true, stream }), countOf(a, axes, real, stream), so), so);
  if (real === float64 && !is64BitInt(a.dtype)) return centered(integerCopy(a, stream));
  // one copy of the input (none for 64-bit inputs), read by the mean and the deviations both
  const wide = is64BitInt(a.dtype) ? a : astype(a, int64, so);
  const pivot = astype(integerMean(a, axes, true, stream, real === float32 ? wide : undefined), wide.dtype, so);
  // x - k wraps in 64 bits; read as int64 it is the signed difference, but for values spanning past 2^63
  // (64-bit inputs only), where that reading lost 2^64 (its sign disagrees with x >= k): the 2^64 is given back
  const difference = astype(astype(subtract(wide, pivot, so), int64, so), real, so);
  if (!is64BitInt(a.dtype)) return centered(difference);
  const wrapped = notEqual(greaterEqual(wide, pivot, so), greaterEqual(difference, 0, so), so);
  return centered(where(wrapped, subtract(difference, multiply(sign(difference, so), 2 ** 64, so), so), difference, so));
}

/**
 * Arithmetic mean over `axis` (all axes by default), with `keepdims`, in the
 * input's float dtype (integers and bool give float32; float16 and bfloat16
 * accumulate in float32).
 * @example
 * ```ts
 * await mx.mean(mx.array([[1, 2], [3, 4]])).item(); // 2.5
 * await mx.mean(mx.array([[1, 2], [3, 4]]), 0).tolist(); // [2, 3]
 * ```
 */
export function mean(x: ArrayLike, ...rest: ReduceArgs): MxArray {
  noExtraArguments("mean", arguments, 4);
  return asOp("mean", () => {
    const p = opts("mean", rest);
    const a = input("mean", x, p);
    const axes = normalizeAxes("mean", p.axis, a.ndim, "axis", [a]);
    return astype(accumulatedMean(a, axes, p.keepdims, p.stream), meanDType(a.dtype), { stream: p.stream });
  });
}

const VAR_KEYS = [...AXIS_KEYS, "ddof"];

export interface VarOptions extends AxisOptions {
  /** Delta degrees of freedom: the divisor is count - ddof. */
  ddof?: number | undefined;
}

/** MLX's `(axis, keepdims, ddof)` of var and std positionally (null: the default), then the options, or the options alone. */
export type VarArgs = ReductionArgs<[["axis", number | readonly number[]], ["keepdims", boolean], ["ddof", number]], VarOptions, number | readonly number[]>;

/**
 * Variance over `axis` (all axes by default): the mean squared deviation from the
 * mean, divided by `count - ddof` (default ddof 0); with `keepdims`. The dtype is
 * `mean`'s. Exported as `mx.var`.
 * @example
 * ```ts
 * await mx.var(mx.array([1, 2, 3, 4])).item(); // 1.25
 * await mx.var(mx.array([1, 2, 3, 4]), { ddof: 1 }).item(); // 1.6666666269302368
 * await mx.var(mx.array([1, 2, 3, 4]), 0, true, 1).tolist(); // [1.6666666269302368]
 * ```
 */
export function variance(x: ArrayLike, ...rest: VarArgs): MxArray {
  noExtraArguments("variance", arguments, 5);
  return asOp("var", () => {
    return varianceOf("var", x, opts("var", rest, VAR_KEYS));
  });
}

function varianceOf(op: string, x: ArrayLike, p: VarOptions): MxArray {
  const a = input(op, x, p);
  const axes = normalizeAxes(op, p.axis, a.ndim, "axis", [a]);
  intOption(op, "ddof", p.ddof);
  const so = { stream: p.stream };
  // float16/bfloat16 minus the float32 mean promote to float32 in the subtraction itself
  const f = is16BitFloat(a.dtype) || !isInexact(a.dtype) ? a : astype(a, accumulateDType(a.dtype), so);
  // the mean of that copy for other dtypes (astype of it to float32 is itself): one copy, not two;
  // integers and bool: deviations from their exact mean (integerDeviations)
  const centered = !isInexact(a.dtype) ? integerDeviations(a, axes, p.stream) : subtract(f, accumulatedMean(f, axes, true, p.stream), so);
  // |x - mean|^2: a complex input has a real (float32) variance, as NumPy and MLX
  const squares = a.dtype === complex64 ? square(abs(centered, so), so) : square(centered, so);
  const ss = sum(squares, { axis: axes, keepdims: p.keepdims, stream: p.stream });
  // MLX's normalization: times 1/n when ddof is 0, else divided by n - ddof (a rounded reciprocal is 1 ulp off)
  const ddof = p.ddof ?? 0;
  const normalized = ddof === 0 ? multiply(ss, countOf(a, axes, ss.dtype, p.stream, 0, true), so) : divide(ss, countOf(a, axes, ss.dtype, p.stream, ddof), so);
  return astype(normalized, a.dtype === complex64 ? float32 : meanDType(a.dtype), so);
}

/**
 * Standard deviation over `axis` (all axes by default): the square root of
 * `var` with the same options (`ddof`, `keepdims`).
 * @example
 * ```ts
 * await mx.std(mx.array([2, 4, 4, 4, 5, 5, 7, 9])).item(); // 2
 * ```
 */
export function std(x: ArrayLike, ...rest: VarArgs): MxArray {
  noExtraArguments("std", arguments, 5);
  return asOp("std", () => {
    const p = opts<VarOptions>("std", rest, VAR_KEYS);
    return sqrt(varianceOf("std", x, p), { stream: p.stream });
  });
}
