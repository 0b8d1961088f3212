// Elementwise and reduction ops composed from existing ones, as MLX composes
// them: positive, trunc, degrees, radians, real/imag/conj, nanToNum,
// logicalXor, isposinf/isneginf, countNonzero, median, asarray and the
// window functions (bartlett, hanning, hamming, blackman).

import { checkInt, type PositionalThen } from "../argument-checks.js";
import { samplerArgs } from "../random-checks.js";
import { MxArray, type NestedList } from "../array.js";
import { bfloat16, bool, complex64, float16, float32, float64, int32, isInexact, isIntegral, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { MAX_DIM, normalizeAxes } from "../shape.js";
import { boolOption, checkArrayLike, opStream, onStream, toArray, type ArrayLike, type AxisOptions, type OpOptions } from "./base.js";
import { arange, array, full, ones } from "./creation.js";
import { abs, add, astype, ceil, cos, equal, floor, isnan, less, multiply, negative, notEqual, sin, square, subtract, where } from "./elementwise.js";
import { expandDims, flatten, reshape, slice, squeeze, stack, transpose } from "./layout.js";
import { take } from "./indexing.js";
import { unflatten } from "./shapes.js";
import { view } from "./view.js";
import { any, sum } from "./reduction.js";
import { sort } from "./sort.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";

function arr(op: string, x: ArrayLike, o?: OpOptions): MxArray {
  checkOptions(op, o);
  return toArray(op, checkArrayLike(op, x), opStream(op, o, x));
}

/** The float dtype an op computes in: the input's when inexact, else float32. */
const atLeastFloat = (d: DType) => (isInexact(d) ? d : float32);

/**
 * `x` itself (MLX's unary plus).
 * @example
 * ```ts
 * await mx.positive(mx.array([-1, 2])).tolist(); // [-1, 2]
 * ```
 */
export function positive(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("positive", arguments, 2);
  return asOp("positive", () => {
    return arr("positive", x, o);
  });
}

/**
 * Rounds toward zero; integers and bool are returned as they are.
 * @example
 * ```ts
 * await mx.trunc(mx.array([-1.7, 1.7, 2])).tolist(); // [-1, 1, 2]
 * ```
 */
export function trunc(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("trunc", arguments, 2);
  return asOp("trunc", () => {
    const a = arr("trunc", x, o);
    if (a.dtype === complex64) throw opError("trunc", "complex64 is not supported; valid: real dtypes", [a], "type");
    if (isIntegral(a.dtype)) return a;
    const s = onStream(o, a.stream);
    return where(less(a, 0, s), ceil(a, s), floor(a, s), s);
  });
}

/**
 * Radians to degrees (`x * 180 / pi`), in float32 for integer inputs.
 * @example
 * ```ts
 * await mx.degrees(mx.array([Math.PI], mx.float64)).tolist(); // [180]
 * ```
 */
export function degrees(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("degrees", arguments, 2);
  return asOp("degrees", () => {
    const a = arr("degrees", x, o);
    const s = onStream(o, a.stream);
    return multiply(astype(a, atLeastFloat(a.dtype), s), 180 / Math.PI, s);
  });
}

/**
 * Degrees to radians (`x * pi / 180`), in float32 for integer inputs.
 * @example
 * ```ts
 * await mx.radians(mx.array([180], mx.float64)).tolist(); // [3.141592653589793]
 * ```
 */
export function radians(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("radians", arguments, 2);
  return asOp("radians", () => {
    const a = arr("radians", x, o);
    const s = onStream(o, a.stream);
    return multiply(astype(a, atLeastFloat(a.dtype), s), Math.PI / 180, s);
  });
}

/**
 * The float32 parts of complex64 `a` (a 0-d one as [1]) as a [..., n, 2]
 * array (real, imaginary), read from its bytes: exact for every value. Only
 * ops that follow the input's shape, so a shapeless trace serves every shape.
 */
function complexParts(a: MxArray, s: OpOptions): MxArray {
  return unflatten(view(a.ndim === 0 ? expandDims(a, 0, s) : a, float32, s), -1, [-1, 2], s);
}

/** `x` of complexParts' leading shape back to `a`'s (a 0-d `a` was viewed as [1]). */
const asShapeOf = (x: MxArray, a: MxArray, s: OpOptions): MxArray => (a.ndim === 0 ? squeeze(x, 0, s) : x);

/**
 * The real part of a complex64 array, as float32; a real array is returned
 * as it is.
 * @example
 * ```ts
 * await mx.real(mx.array([{ re: 1, im: 2 }], mx.complex64)).tolist(); // [1]
 * ```
 */
export function real(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("real", arguments, 2);
  return asOp("real", () => {
    const a = arr("real", x, o);
    return a.dtype === complex64 ? astype(a, float32, onStream(o, a.stream)) : a;
  });
}

/**
 * The imaginary part of a complex64 array, as float32 (zeros of the input's
 * dtype for a real array): the part's bits, whatever the other part holds
 * (an infinite or NaN real part included).
 * @example
 * ```ts
 * await mx.imag(mx.array([{ re: 1, im: 2 }], mx.complex64)).tolist(); // [2]
 * await mx.imag(mx.array([{ re: Infinity, im: 3 }], mx.complex64)).tolist(); // [3]
 * ```
 */
export function imag(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("imag", arguments, 2);
  return asOp("imag", () => {
    const a = arr("imag", x, o);
    const s = onStream(o, a.stream);
    if (a.dtype !== complex64) return full(a.shape, 0, a.dtype, s);
    return asShapeOf(take(complexParts(a, s), 1, -1, s), a, s);
  });
}

/**
 * The complex conjugate (the imaginary part's sign flipped, the real part's
 * bits kept, for every value); a real array is returned as it is. Exported
 * as `conj` and `conjugate`.
 * @example
 * ```ts
 * await mx.conj(mx.array([{ re: 1, im: 2 }], mx.complex64)).tolist(); // [{ re: 1, im: -2 }]
 * ```
 */
export function conjugate(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("conjugate", arguments, 2);
  return asOp("conjugate", () => {
    const a = arr("conjugate", x, o);
    if (a.dtype !== complex64) return a;
    const s = onStream(o, a.stream);
    const parts = complexParts(a, s);
    const flipped = stack([take(parts, 0, -1, s), negative(take(parts, 1, -1, s), s)], -1, s);
    return asShapeOf(view(flatten(flipped, -2, -1, s), complex64, s), a, s);
  });
}

/**
 * The complex conjugate; the same function as `conjugate`.
 * @example
 * ```ts
 * await mx.conj(mx.array([3])).tolist(); // [3]
 * ```
 */
export const conj = conjugate;

const FLOAT_MAX = new Map<DType, number>([[float16, 65504], [bfloat16, 3.3895313892515355e38], [float32, 3.4028234663852886e38], [float64, Number.MAX_VALUE]]);

export interface NanToNumOptions extends OpOptions {
  /** What NaN becomes (default 0). */
  nan?: number | undefined;
  /** What +inf becomes (default: the dtype's largest finite value). */
  posinf?: number | null | undefined;
  /** What -inf becomes (default: the dtype's lowest finite value). */
  neginf?: number | null | undefined;
}

/**
 * NaN and infinities replaced by finite numbers: NaN by `nan` (default 0), +inf
 * by `posinf`, -inf by `neginf` (defaults: the dtype's largest and lowest finite
 * values); integer and bool arrays are returned as they are. MLX's
 * `nan_to_num(a, nan, posinf, neginf)`: those positionally (null: the
 * default), or in the options.
 * @example
 * ```ts
 * await mx.nanToNum(mx.array([NaN, Infinity, -Infinity, 1]), { posinf: 9 }).tolist(); // [0, 9, -3.4028234663852886e+38, 1]
 * await mx.nanToNum(mx.array([NaN, Infinity, -Infinity, 1]), 5, 9, -9).tolist(); // [5, 9, -9, 1]
 * await mx.nanToNum(mx.array([NaN, Infinity]), 0, null, { neginf: -1 }).tolist(); // [0, 3.4028234663852886e+38]
 * ```
 */
export function nanToNum(x: ArrayLike, ...rest: PositionalThen<[["nan", number], ["posinf", number], ["neginf", number]], NanToNumOptions>): MxArray {
  noExtraArguments("nanToNum", arguments, 5);
  return asOp("nanToNum", () => {
    const o = samplerArgs<NanToNumOptions>("nanToNum", rest, ["nan", "posinf", "neginf"]);
    const a = toArray("nanToNum", checkArrayLike("nanToNum", x), opStream("nanToNum", o, x));
    for (const k of ["nan", "posinf", "neginf"] as const) {
      const v = o[k];
      if (v !== undefined && v !== null && typeof v !== "number") throw opError("nanToNum", `${k} must be a number, got ${describeValue(v)}`, [a], "type");
    }
    if (a.dtype === complex64) throw opError("nanToNum", "complex64 is not supported; valid: real dtypes", [a], "type");
    if (!isInexact(a.dtype)) return a;
    const s = onStream(o, a.stream);
    const max = FLOAT_MAX.get(a.dtype)!;
    const value = (v: number) => toArray("nanToNum", v, s.stream, a.dtype);
    let out = where(isnan(a, s), value(o.nan ?? 0), a, s);
    out = where(equal(a, Infinity, s), value(o.posinf ?? max), out, s);
    return where(equal(a, -Infinity, s), value(o.neginf ?? -max), out, s);
  });
}

/**
 * Elementwise exclusive or of the truth values (non-zero is true), as bool.
 * @example
 * ```ts
 * await mx.logicalXor(mx.array([true, true, false]), mx.array([true, false, false])).tolist(); // [false, true, false]
 * await mx.logicalXor(mx.array([0, 2]), 1).tolist(); // [true, false]
 * ```
 */
export function logicalXor(x: ArrayLike, y: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("logicalXor", arguments, 3);
  return asOp("logicalXor", () => {
    checkOptions("logicalXor", o);
    const s = onStream(o, opStream("logicalXor", o, x, y));
    const a = toArray("logicalXor", checkArrayLike("logicalXor", x, "first input"), s.stream);
    const b = toArray("logicalXor", checkArrayLike("logicalXor", y, "second input"), s.stream);
    return notEqual(astype(a, bool, s), astype(b, bool, s), s);
  });
}

function infTest(op: "isposinf" | "isneginf", x: ArrayLike, o?: OpOptions): MxArray {
  const a = arr(op, x, o);
  const s = onStream(o, a.stream);
  if (a.dtype === complex64) throw opError(op, "complex64 is not supported; valid: real dtypes", [a], "type");
  if (!isInexact(a.dtype)) return full(a.shape, false, bool, s);
  return equal(a, op === "isposinf" ? Infinity : -Infinity, s);
}

/**
 * Whether each element is +inf, as bool (always false for integers).
 * @example
 * ```ts
 * await mx.isposinf(mx.array([Infinity, -Infinity, 1])).tolist(); // [true, false, false]
 * ```
 */
export function isposinf(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("isposinf", arguments, 2);
  return asOp("isposinf", () => {
    return infTest("isposinf", x, o);
  });
}

/**
 * Whether each element is -inf, as bool (always false for integers).
 * @example
 * ```ts
 * await mx.isneginf(mx.array([Infinity, -Infinity, 1])).tolist(); // [false, true, false]
 * ```
 */
export function isneginf(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("isneginf", arguments, 2);
  return asOp("isneginf", () => {
    return infTest("isneginf", x, o);
  });
}

/** The trailing arguments of a reduction `op` taken as MLX's `(axis, keepdims)` positionally, then the options (keys checked). */
function axisKeepdimsArgs(op: string, rest: readonly unknown[]): AxisOptions {
  const o = samplerArgs<AxisOptions>(op, rest, ["axis", "keepdims"]);
  boolOption(op, "keepdims", o.keepdims);
  return o;
}

/** MLX's `(axis, keepdims)` of a reduction, positionally then the options, or the options alone. */
export type AxisKeepdimsArgs = PositionalThen<[["axis", number | readonly number[]], ["keepdims", boolean]], AxisOptions>;

/**
 * The number of non-zero elements over `axis` (an axis or a list; all axes by
 * default), with `keepdims`, as int32; `(axis, keepdims)` positionally (null:
 * the default), or in the options.
 * @example
 * ```ts
 * await mx.countNonzero(mx.array([[0, 1], [2, 3]])).item(); // 3
 * await mx.countNonzero(mx.array([[0, 1], [2, 3]]), 0).tolist(); // [1, 2]
 * await mx.countNonzero(mx.array([[0, 1], [2, 3]]), 1, true).tolist(); // [[1], [2]]
 * ```
 */
export function countNonzero(x: ArrayLike, ...rest: AxisKeepdimsArgs): MxArray {
  noExtraArguments("countNonzero", arguments, 4);
  return asOp("countNonzero", () => {
    const p = axisKeepdimsArgs("countNonzero", rest);
    const a = toArray("countNonzero", checkArrayLike("countNonzero", x), opStream("countNonzero", p, x));
    const s = onStream(p, a.stream);
    return sum(astype(notEqual(a, toArray("countNonzero", 0, s.stream, a.dtype), s), int32, s), { axis: p.axis, keepdims: p.keepdims, stream: s.stream });
  });
}

/**
 * The median over `axis` (an axis or a list; all axes by default), with
 * `keepdims`: the middle element of the sorted values, or half the sum of the
 * two middle ones, in the input's float dtype (float32 for integers); NaN
 * when the values hold one, as MLX. MLX's `median(a, axis, keepdims)`: those
 * positionally (null: the default), or in the options.
 * @example
 * ```ts
 * await mx.median(mx.array([3, 1, 2])).item(); // 2
 * await mx.median(mx.array([[1, 4], [2, 8]]), 1).tolist(); // [2.5, 5]
 * await mx.median(mx.array([[1, 4], [2, 8]]), 1, true).tolist(); // [[2.5], [5]]
 * await mx.median(mx.array([[1, 4], [2, 8]]), null, true).tolist(); // [[3]]
 * ```
 */
export function median(x: ArrayLike, ...rest: AxisKeepdimsArgs): MxArray {
  noExtraArguments("median", arguments, 4);
  return asOp("median", () => {
    const p = axisKeepdimsArgs("median", rest);
    const a = toArray("median", checkArrayLike("median", x), opStream("median", p, x));
    if (a.dtype === complex64) throw opError("median", "complex64 is not ordered; valid: real dtypes", [a], "type");
    const s = onStream(p, a.stream);
    const axes = normalizeAxes("median", p.axis, a.ndim, "axis", [a]);
    const kept = [...a.shape.keys()].filter((i) => !axes.includes(i));
    const n = axes.reduce((m, i) => m * a.shape[i]!, 1);
    if (n === 0) throw opError("median", "cannot take the median of an empty axis", [a], "value");
    const flat = reshape(transpose(a, [...kept, ...axes], s), [...kept.map((i) => a.shape[i]!), n], s);
    const sorted = sort(flat, { axis: -1, stream: s.stream });
    const dtype = atLeastFloat(a.dtype);
    const lead = kept.map(() => null);
    const at = (i: number) => astype(slice(sorted, [...lead, i], [...lead, i + 1], undefined, s), dtype, s);
    const mp = Math.floor(n / 2);
    let m = n % 2 ? at(mp) : multiply(add(at(mp), at(mp - 1), s), 0.5, s);
    // sorting moves NaN last, out of the middle: propagate it as max, min and mean do
    if (isInexact(a.dtype)) m = where(any(isnan(flat, s), { axis: -1, keepdims: true, stream: s.stream }), toArray("median", NaN, s.stream, dtype), m, s);
    const out = reshape(m, kept.map((i) => a.shape[i]!), s);
    return p.keepdims ? reshape(out, a.shape.map((d, i) => (axes.includes(i) ? 1 : d)), s) : out;
  });
}

/**
 * An mx array from `x` (nested lists, typed arrays, scalars or an mx array),
 * converted to `dtype` when given; an mx array of that dtype is returned as it
 * is (NumPy's asarray: no copy).
 * @example
 * ```ts
 * const a = mx.array([1, 2]);
 * mx.asarray(a) === a; // true
 * mx.asarray([1, 2], mx.float16).dtype.name; // "float16"
 * ```
 */
export function asarray(x: NestedList | ArrayBufferView | MxArray, dtype?: DType | null, o?: OpOptions): MxArray {
  noExtraArguments("asarray", arguments, 3);
  return asOp("asarray", () => {
    checkOptions("asarray", o);
    if (x instanceof MxArray && (dtype === undefined || dtype === null || dtype === x.dtype)) return x;
    return array(x, dtype, o);
  });
}

/** arange(0, M) in float32, and the factor that scales it; [] for M < 1, [1] for M = 1. */
function window(op: string, M: number, o: OpOptions | undefined, build: (n: MxArray, s: OpOptions & { stream: MxArray["stream"] }) => MxArray): MxArray {
  checkOptions(op, o);
  checkInt(op, "M", M, undefined, MAX_DIM);
  const s = onStream(o, opStream(op, o));
  if (M < 1) return full([0], 0, float32, s);
  if (M === 1) return ones([1], float32, s);
  return build(arange(0, M, { dtype: float32, stream: s.stream }), s);
}

/**
 * The Bartlett (triangular) window of `M` points, float32:
 * `1 - |2n / (M - 1) - 1|`.
 * @example
 * ```ts
 * await mx.bartlett(5).tolist(); // [0, 0.5, 1, 0.5, 0]
 * ```
 */
export function bartlett(M: number, o?: OpOptions): MxArray {
  noExtraArguments("bartlett", arguments, 2);
  return asOp("bartlett", () => {
    return window("bartlett", M, o, (n, s) => subtract(1, abs(subtract(multiply(n, 2 / (M - 1), s), 1, s), s), s));
  });
}

/**
 * The Hann window of `M` points, float32: `sin(pi n / (M - 1))^2`.
 * @example
 * ```ts
 * await mx.round(mx.multiply(mx.hanning(5), 1000)).tolist(); // [0, 500, 1000, 500, 0]
 * ```
 */
export function hanning(M: number, o?: OpOptions): MxArray {
  noExtraArguments("hanning", arguments, 2);
  return asOp("hanning", () => {
    return window("hanning", M, o, (n, s) => square(sin(multiply(n, Math.PI / (M - 1), s), s), s));
  });
}

/**
 * The Hamming window of `M` points, float32: `0.54 - 0.46 cos(2 pi n / (M - 1))`.
 * @example
 * ```ts
 * await mx.hamming(3).tolist(); // [0.08000001311302185, 1, 0.08000001311302185]
 * ```
 */
export function hamming(M: number, o?: OpOptions): MxArray {
  noExtraArguments("hamming", arguments, 2);
  return asOp("hamming", () => {
    return window("hamming", M, o, (n, s) => subtract(0.54, multiply(0.46, cos(multiply(n, (2 * Math.PI) / (M - 1), s), s), s), s));
  });
}

/**
 * The Blackman window of `M` points, float32:
 * `0.34 - 0.5 cos(x) + 0.16 cos(x)^2` with `x = 2 pi n / (M - 1)` (MLX's form,
 * NumPy's `0.42 - 0.5 cos(x) + 0.08 cos(2x)`).
 * @example
 * ```ts
 * await mx.blackman(3).tolist(); // [0, 1, 0]
 * ```
 */
export function blackman(M: number, o?: OpOptions): MxArray {
  noExtraArguments("blackman", arguments, 2);
  return asOp("blackman", () => {
    return window("blackman", M, o, (n, s) => {
      const c = cos(multiply(n, (2 * Math.PI) / (M - 1), s), s);
      return add(subtract(0.34, multiply(0.5, c, s), s), multiply(0.16, square(c, s), s), s);
    });
  });
}
