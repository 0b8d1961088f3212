// Elementwise ops: promotion (with weak scalars), broadcasting and domain
// checks, then one Unary/Binary/Where/AsType node. Also the composites
// clip, isclose, allclose and arrayEqual.

import { checkInt } from "../argument-checks.js";
import { MxArray } from "../array.js";
import { bool, complex64, float32, float64, is16BitFloat, isInexact, isInteger, isIntegral, uint16, uint32, uint64, uint8, type DType, isDType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import {
  AsType, BINARY_OPS, Binary, UNARY_OPS, Unary, Where,
  type BinaryOp, type ElementwiseInfo, type UnaryOp,
} from "../primitives/elementwise.js";
import { broadcastShapes, sameShape } from "../shape.js";
import { boolOption, checkArrayLike, node, numberOption, onStream, opStream, resultType, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { all } from "./reduction.js";
import { expandDims, squeeze } from "./layout.js";
import { view } from "./view.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";
import type { PositionalThen } from "../argument-checks.js";
import { samplerArgs } from "../random-checks.js";
import { MATH_MODE_OPS, callMathMode, type MathMode } from "../math-mode.js";

/** The options of an op whose float32 function on webgpu has a math mode (src/math-mode.ts). */
export interface MathOptions extends OpOptions {
  /** This call's math mode on webgpu (default: the one mx.setMathMode chose). */
  mathMode?: MathMode | undefined;
}

/**
 * `x` converted to `dtype` (the same array when it already has it). Float to
 * integer truncates toward zero and saturates (NaN gives 0), integer to integer
 * wraps, anything to bool is `x != 0`.
 * @example
 * ```ts
 * await mx.astype(mx.array([1.7, -1.7, 300]), mx.uint8).tolist(); // [1, 0, 255]
 * await mx.astype(mx.array([2, 0]), mx.bool).tolist(); // [true, false]
 * ```
 */
export function astype(x: MxArray, dtype: DType, o?: OpOptions): MxArray {
  noExtraArguments("astype", arguments, 3);
  return asOp("astype", () => {
    if (!(x instanceof MxArray)) throw opError("astype", `input must be an mx array, got ${describeValue(x)}`, [], "type");
    if (x.isDisposed) throw opError("astype", "input was disposed and can no longer be used", [x], "value");
    if (!isDType(dtype)) throw opError("astype", `dtype must be an mx dtype (e.g. mx.float32), got ${describeValue(dtype)}`, [x], "type");
    checkOptions("astype", o);
    const s = opStream("astype", o, x);
    if (x.dtype === dtype) return x;
    return node(new AsType(dtype), [x], s);
  });
}

/** The dtype an op computes in, after its domain rule (float ops lift integers to float32). */
function domainDType(op: string, info: ElementwiseInfo, d: DType, inputs: MxArray[]): DType {
  if (d === complex64 && !info.complex) {
    throw opError(op, `complex64 is not supported; valid: real dtypes`, inputs, "type");
  }
  switch (info.domain) {
    case "float":
      return isInexact(d) ? d : float32;
    case "integer":
      if (!isIntegral(d)) throw opError(op, `requires bool or integer inputs, got ${d.name}`, inputs, "type");
      return d;
    default:
      return d;
  }
}

function unaryOp(op: UnaryOp) {
  // immutable: one instance per math mode serves every node
  const prims = { precise: new Unary(op), fast: new Unary(op, "fast") };
  const moded = MATH_MODE_OPS.has(op);
  return function (x: ArrayLike, o?: OpOptions): MxArray {
    noExtraArguments(op, arguments, 2);
    return asOp(op, () => {
      checkOptions(op, o, moded ? ["mathMode"] : []);
      const prim = prims[moded ? callMathMode(op, o as MathOptions | undefined) : "precise"];
      const s = opStream(op, o, x);
      const a = toArray(op, x, s);
      if (a.dtype === bool && (op === "negative" || op === "sign")) {
        throw opError(op, `not supported for bool; use logicalNot`, [a], "type");
      }
      const d = domainDType(op, UNARY_OPS[op], a.dtype, [a]);
      return node(prim, [astype(a, d, { stream: s })], s);
    });
  };
}

/** A unary op with a per-call math mode (one of MATH_MODE_OPS). */
const unaryMathOp = (op: UnaryOp) => unaryOp(op) as (x: ArrayLike, o?: MathOptions) => MxArray;

/** A binary op: one node of `op` on the promoted operands. */
function binaryOp(op: BinaryOp) {
  // immutable: one instance per math mode serves every node
  const prims = { precise: new Binary(op), fast: new Binary(op, "fast") };
  const moded = MATH_MODE_OPS.has(op);
  return function (x: ArrayLike, y: ArrayLike, o?: OpOptions): MxArray {
    noExtraArguments(op, arguments, 3);
    return asOp(op, () => {
      checkArrayLike(op, x, "first input");
      checkArrayLike(op, y, "second input");
      checkOptions(op, o, moded ? ["mathMode"] : []);
      const prim = prims[moded ? callMathMode(op, o as MathOptions | undefined) : "precise"];
      const s = opStream(op, o, x, y);
      const common = resultType(x, y);
      const a = toArray(op, x, s, common, "first input");
      const b = toArray(op, y, s, common, "second input");
      if (common === bool && op === "subtract") throw opError(op, `not supported for bool; use logicalXor via notEqual`, [a, b], "type");
      const d = domainDType(op, BINARY_OPS[op], common, [a, b]);
      const so = { stream: s };
      return node(prim, [astype(a, d, so), astype(b, d, so)], s);
    });
  };
}

/** A binary op with a per-call math mode (one of MATH_MODE_OPS). */
const binaryMathOp = (op: BinaryOp) => binaryOp(op) as (x: ArrayLike, y: ArrayLike, o?: MathOptions) => MxArray;

/**
 * Elementwise absolute value, in the input's dtype (complex64 gives its float32
 * magnitude). Signed integers wrap: the smallest value stays negative.
 * @example
 * ```ts
 * await mx.abs(mx.array([-2, 3])).tolist(); // [2, 3]
 * await mx.abs(mx.array([-2147483648])).tolist(); // [-2147483648]
 * ```
 */
export const abs = unaryOp("abs");
/**
 * Elementwise `-x`, in the input's dtype; integers wrap, unsigned ones modulo
 * 2^bits. Not defined for bool (use `logicalNot`).
 * @example
 * ```ts
 * await mx.negative(mx.array([1, -2])).tolist(); // [-1, 2]
 * await mx.negative(mx.array([1], mx.uint8)).tolist(); // [255]
 * ```
 */
export const negative = unaryOp("negative");
/**
 * Elementwise sign: -1, 0 or 1 in the input's dtype. NaN stays NaN and -0
 * stays -0. Not defined for bool.
 * @example
 * ```ts
 * await mx.sign(mx.array([-2.5, 0, 3, NaN])).tolist(); // [-1, 0, 1, NaN]
 * ```
 */
export const sign = unaryOp("sign");
/**
 * Elementwise floor (rounds toward -inf), in the input's dtype; integers are
 * returned unchanged.
 * @example
 * ```ts
 * await mx.floor(mx.array([-1.5, 1.5])).tolist(); // [-2, 1]
 * ```
 */
export const floor = unaryOp("floor");
/**
 * Elementwise ceiling (rounds toward +inf), in the input's dtype; integers are
 * returned unchanged.
 * @example
 * ```ts
 * await mx.ceil(mx.array([-1.5, 1.5])).tolist(); // [-1, 2]
 * ```
 */
export const ceil = unaryOp("ceil");

/** round's options: MLX's `decimals` by name, beside the stream. */
export interface RoundOptions extends OpOptions {
  /** Decimal places (default 0; negative: to tens, hundreds, ...). */
  decimals?: number | undefined;
}

/**
 * Elementwise rounding to the nearest integer, halves to even (as NumPy and
 * MLX), in the input's dtype; the sign of zero is kept. With `decimals` d, to
 * that many decimal places (d < 0: to a multiple of 10^-d), still in the
 * input's dtype. Floats as MLX: `round(x * s) * (1 / s)` with `s = 10^d` and
 * `1 / s` rounded to float32 (float64 for a float64 input), so every step is
 * correctly rounded on every backend; float16 and bfloat16 scale in float32
 * (MLX scales in their own dtype, where float16's 10^5 is inf) and round back
 * once; values from 2^(p - 1) on (p the significand's bits, where every
 * value is an integer) are returned as they are for d > 0. Integers are
 * returned as they are for d > 0 and rounded to the nearest multiple (halves
 * to even) exactly for d < 0, wrapping like integer arithmetic: int8 127 to
 * -1 decimals is 130, which wraps to -126, as MLX's and NumPy's cast back do.
 * complex64 rounds each part apart by the float32 rule (as NumPy rounds the
 * parts), so an overflowing or non-finite part leaves the other intact.
 * @example
 * ```ts
 * await mx.round(mx.array([0.5, 1.5, 2.5, -0.5])).tolist(); // [0, 2, 2, -0]
 * await mx.round(mx.array([1.234, 25]), 1).tolist(); // [1.2000000476837158, 25]
 * await mx.round(mx.array([15, 25, 126]), -1).tolist(); // [20, 20, 130]
 * ```
 */
export function round(x: ArrayLike, decimals?: number | RoundOptions, options?: OpOptions): MxArray {
  noExtraArguments("round", arguments, 3);
  return asOp("round", () => {
    const o: RoundOptions | undefined = typeof decimals === "object" ? decimals : options;
    if (typeof decimals === "object" && options !== undefined) throw opError("round", "got an options object and a further argument; the options come last", [], "type");
    checkOptions("round", o, typeof decimals === "object" ? ["decimals"] : []);
    const d = decimals === undefined || typeof decimals === "object" ? (o?.decimals ?? 0) : decimals;
    checkInt("round", "decimals", d);
    if (d === 0) return roundHalfEven(x, o);
    const stream = opStream("round", o, x);
    const a = toArray("round", checkArrayLike("round", x), stream);
    const s = { stream };
    if (isIntegral(a.dtype)) return d > 0 ? a : roundToPowerOfTen(a, -d, s);
    if (a.dtype === complex64) return roundParts(a, d, s);
    const f = is16BitFloat(a.dtype) ? astype(a, float32, s) : a;
    const wide = a.dtype === float64;
    const back = (r: MxArray) => (r.dtype === a.dtype ? r : astype(r, a.dtype, s));
    // the largest power of ten the computing dtype holds (float32: 10^38, float64: 10^308); its
    // reciprocal and those of larger powers are subnormal or 0 (a GPU may flush them), 10^(D + 1) is inf
    const D = wide ? 308 : 38;
    const ten = (k: number) => (wide ? 10 ** k : Math.fround(10 ** k));
    const inverse = (k: number) => (wide ? 1 / ten(k) : Math.fround(1 / ten(k)));
    if (d < 0) {
      const k = -d;
      // every finite value is nearer 0 than 10^k: its signed zero (NumPy's sign); NaN and infinities stay
      if (k > D) return back(where(less(abs(f, s), Infinity, s), multiply(f, 0, s), f, s));
      // MLX's scale 10^d and its reciprocal, in float32 (float64 for float64: MLX rounds even those to float32);
      // 10^-D is subnormal: divide by 10^D instead
      const r = k < D ? multiply(roundHalfEven(multiply(f, ten(d), s), s), inverse(d), s) : multiply(roundHalfEven(divide(f, ten(k), s), s), ten(k), s);
      return back(r);
    }
    // x 10^d (two factors past 10^D; inf for every nonzero x past 10^(2 D)), rounded, then scaled back:
    // times MLX's 1 / 10^d where that is a normal number, else divided by the factors
    const y = d <= D ? multiply(f, ten(d), s) : multiply(multiply(f, ten(D), s), ten(d - D), s);
    const n = roundHalfEven(y, s);
    const r = d < D ? multiply(n, inverse(d), s) : d === D ? divide(n, ten(D), s) : divide(divide(n, ten(d - D), s), ten(D), s);
    // every value from 2^(p - 1) on is an integer, which rounding to d > 0 places keeps; so is every value
    // whose x 10^d overflows (its d-th decimal is below its precision); NaN and infinities are kept too
    const integral = { float16: 2 ** 10, bfloat16: 2 ** 7, float32: 2 ** 23, float64: 2 ** 52 }[a.dtype.name as "float16"]!;
    return where(logicalAnd(less(abs(a, s), integral, s), less(abs(y, s), Infinity, s), s), back(r), a, s);
  });
}
/**
 * complex64 `a` rounded to `d` decimals part by part, each part by the float32 rule (NumPy rounds the parts
 * apart): its (re, im) pairs viewed as float32 along a new last axis and back. round's derivative is zero, and
 * a bitcast has none: the view is cut from the gradient at both ends, so x's tangent and cotangent are zeros.
 */
function roundParts(a: MxArray, d: number, s: OpOptions): MxArray {
  const parts = view(stopGradient(expandDims(a, -1, s), s), float32, s);
  return stopGradient(squeeze(view(round(parts, d, s), complex64, s), -1, s), s);
}
/**
 * Integer `a` rounded to the nearest multiple f = 10^k (k >= 1), halves to even, in its dtype (wrapping).
 * With r = x mod 2f (Python's, 0 <= r < 2f), x - r is an even multiple of f, and x rounds to it, to the
 * next one (f/2 < r, or r = 3f/2 with its odd multiple) or to the one after (r >= 3f/2): eight
 * elementwise steps. Where 2f is past the dtype (int8 k = 2, uint64 k = 19, and 10^k past it), every x
 * lies within 2f of 0 and rounds to -f, 0, f or 2f by comparisons alone. bool: 0 or 1, both nearer 0.
 */
function roundToPowerOfTen(a: MxArray, k: number, s: OpOptions): MxArray {
  if (a.dtype === bool) return logicalAnd(a, false, s);
  const bits = a.dtype.size * 8;
  const signed = a.dtype.kind === "int";
  const width = BigInt(bits);
  const lo = signed ? -(2n ** (width - 1n)) : 0n;
  const hi = signed ? 2n ** (width - 1n) - 1n : 2n ** width - 1n;
  // a scalar of a's dtype (wrapped into its range)
  const scalar = (v: bigint) => {
    const w = signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
    return bits === 64 ? w : Number(w);
  };
  const f = 10n ** BigInt(Math.min(k, 21));
  const half = f / 2n;
  if (2n * f <= hi) {
    const r = remainder(a, scalar(2n * f), s);
    const even = subtract(a, r, s);
    const up = where(greater(r, scalar(half), s), add(even, scalar(f), s), even, s);
    return where(greaterEqual(r, scalar(3n * half), s), add(even, scalar(2n * f), s), up, s);
  }
  const zero = multiply(a, 0, s);
  if (half >= hi) return zero;
  let rounded = where(greater(a, scalar(half), s), scalar(f), zero, s);
  if (3n * half <= hi) rounded = where(greaterEqual(a, scalar(3n * half), s), scalar(2n * f), rounded, s);
  return -half > lo ? where(less(a, scalar(-half), s), scalar(-f), rounded, s) : rounded;
}
const roundHalfEven = unaryOp("round");
/**
 * Elementwise `x * x`, in the input's dtype (integers wrap).
 * @example
 * ```ts
 * await mx.square(mx.array([3, -4])).tolist(); // [9, 16]
 * ```
 */
export const square = unaryOp("square");
/**
 * Elementwise square root. Integer and bool inputs compute in float32; negative
 * inputs give NaN.
 * @example
 * ```ts
 * await mx.sqrt(mx.array([4, 2, -1])).tolist(); // [2, 1.4142135381698608, NaN]
 * ```
 */
export const sqrt = unaryMathOp("sqrt");
/**
 * Elementwise reciprocal square root `1 / sqrt(x)`. Integer and bool inputs
 * compute in float32; 0 gives Infinity.
 * @example
 * ```ts
 * await mx.rsqrt(mx.array([4, 0])).tolist(); // [0.5, Infinity]
 * ```
 */
export const rsqrt = unaryMathOp("rsqrt");
/**
 * Elementwise `1 / x`. Integer and bool inputs compute in float32; ±0 gives
 * ±Infinity.
 * @example
 * ```ts
 * await mx.reciprocal(mx.array([2, 0, -0], mx.float32)).tolist(); // [0.5, Infinity, -Infinity]
 * ```
 */
export const reciprocal = unaryOp("reciprocal");
/**
 * Elementwise e^x. Integer and bool inputs compute in float32. On webgpu,
 * `{ mathMode: "fast" }` runs the driver's builtin for this call (see
 * mx.setMathMode; the same option is on every function it lists).
 * @example
 * ```ts
 * await mx.exp(mx.array([0, 1])).tolist(); // [1, 2.7182817459106445]
 * await mx.exp(mx.array([0]), { mathMode: "fast" }).tolist(); // [1]
 * ```
 */
export const exp = unaryMathOp("exp");
/**
 * Elementwise `e^x - 1`, accurate for small `x` where `exp(x) - 1` loses its
 * digits. Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.expm1(mx.array([1e-10, 1])).tolist(); // [1.000000013351432e-10, 1.718281865119934]
 * ```
 */
export const expm1 = unaryMathOp("expm1");
/**
 * Elementwise natural logarithm. Integer and bool inputs compute in float32;
 * 0 gives -Infinity and negative inputs NaN.
 * @example
 * ```ts
 * await mx.log(mx.array([1, 0, -1])).tolist(); // [0, -Infinity, NaN]
 * ```
 */
export const log = unaryMathOp("log");
/**
 * Elementwise base-2 logarithm. Integer and bool inputs compute in float32;
 * 0 gives -Infinity and negative inputs NaN.
 * @example
 * ```ts
 * await mx.log2(mx.array([8, 0.5])).tolist(); // [3, -1]
 * ```
 */
export const log2 = unaryMathOp("log2");
/**
 * Elementwise base-10 logarithm. Integer and bool inputs compute in float32;
 * 0 gives -Infinity and negative inputs NaN.
 * @example
 * ```ts
 * await mx.log10(mx.array([1000, 0.01])).tolist(); // [3, -2]
 * ```
 */
export const log10 = unaryMathOp("log10");
/**
 * Elementwise `log(1 + x)`, accurate for small `x`. Integer and bool inputs
 * compute in float32; -1 gives -Infinity.
 * @example
 * ```ts
 * await mx.log1p(mx.array([1e-10, -1])).tolist(); // [1.000000013351432e-10, -Infinity]
 * ```
 */
export const log1p = unaryMathOp("log1p");
/**
 * Elementwise sine (radians). Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.sin(mx.array([0, Math.PI / 2])).tolist(); // [0, 1]
 * ```
 */
export const sin = unaryMathOp("sin");
/**
 * Elementwise cosine (radians). Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.cos(mx.array([0, Math.PI])).tolist(); // [1, -1]
 * ```
 */
export const cos = unaryMathOp("cos");
/**
 * Elementwise tangent (radians). Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.tan(mx.array([0, Math.PI / 4])).tolist(); // [0, 1]
 * ```
 */
export const tan = unaryMathOp("tan");
/**
 * Elementwise inverse sine, in radians. Integer and bool inputs compute in
 * float32; inputs outside [-1, 1] give NaN.
 * @example
 * ```ts
 * await mx.arcsin(mx.array([1, 2])).tolist(); // [1.5707963705062866, NaN]
 * ```
 */
export const arcsin = unaryMathOp("arcsin");
/**
 * Elementwise inverse cosine, in radians. Integer and bool inputs compute in
 * float32; inputs outside [-1, 1] give NaN.
 * @example
 * ```ts
 * await mx.arccos(mx.array([1, -1])).tolist(); // [0, 3.1415927410125732]
 * ```
 */
export const arccos = unaryMathOp("arccos");
/**
 * Elementwise inverse tangent, in radians (in (-π/2, π/2)). Integer and bool
 * inputs compute in float32. For the angle of a point use `arctan2`.
 * @example
 * ```ts
 * await mx.arctan(mx.array([1, Infinity])).tolist(); // [0.7853981852531433, 1.5707963705062866]
 * ```
 */
export const arctan = unaryMathOp("arctan");
/**
 * Elementwise hyperbolic sine. Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.sinh(mx.array([0, 1])).tolist(); // [0, 1.175201177597046]
 * ```
 */
export const sinh = unaryMathOp("sinh");
/**
 * Elementwise hyperbolic cosine. Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.cosh(mx.array([0, 1])).tolist(); // [1, 1.5430806875228882]
 * ```
 */
export const cosh = unaryMathOp("cosh");
/**
 * Elementwise hyperbolic tangent, in (-1, 1) and ±1 once it rounds there.
 * Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.tanh(mx.array([0, 20])).tolist(); // [0, 1]
 * ```
 */
export const tanh = unaryMathOp("tanh");
/**
 * Elementwise inverse hyperbolic sine. Integer and bool inputs compute in
 * float32.
 * @example
 * ```ts
 * await mx.arcsinh(mx.array([0, 1])).tolist(); // [0, 0.8813735842704773]
 * ```
 */
export const arcsinh = unaryMathOp("arcsinh");
/**
 * Elementwise inverse hyperbolic cosine. Integer and bool inputs compute in
 * float32; inputs below 1 give NaN.
 * @example
 * ```ts
 * await mx.arccosh(mx.array([1, 0.5])).tolist(); // [0, NaN]
 * ```
 */
export const arccosh = unaryMathOp("arccosh");
/**
 * Elementwise inverse hyperbolic tangent. Integer and bool inputs compute in
 * float32; ±1 gives ±Infinity and inputs beyond them NaN.
 * @example
 * ```ts
 * await mx.arctanh(mx.array([0.5, 1])).tolist(); // [0.5493061542510986, Infinity]
 * ```
 */
export const arctanh = unaryMathOp("arctanh");
/**
 * Elementwise logistic function `1 / (1 + e^-x)`. Integer and bool inputs
 * compute in float32.
 * @example
 * ```ts
 * await mx.sigmoid(mx.array([0, 100])).tolist(); // [0.5, 1]
 * ```
 */
export const sigmoid = unaryMathOp("sigmoid");
/**
 * Elementwise Gauss error function. Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.erf(mx.array([0, 1])).tolist(); // [0, 0.8427007794380188]
 * ```
 */
export const erf = unaryOp("erf");
/**
 * Elementwise inverse of `erf`, on [-1, 1]: ±1 give ±Infinity and inputs
 * beyond them NaN. Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.erfinv(mx.array([0, 0.5, 1])).tolist(); // [0, 0.4769362807273865, Infinity]
 * ```
 */
export const erfinv = unaryOp("erfinv");
/**
 * Elementwise test for NaN, as a bool array (always false for integers and bool).
 * @example
 * ```ts
 * await mx.isnan(mx.array([1, NaN, Infinity])).tolist(); // [false, true, false]
 * ```
 */
export const isnan = unaryOp("isnan");
/**
 * Elementwise test for +Infinity or -Infinity, as a bool array (always false for
 * integers and bool).
 * @example
 * ```ts
 * await mx.isinf(mx.array([1, NaN, -Infinity])).tolist(); // [false, false, true]
 * ```
 */
export const isinf = unaryOp("isinf");
/**
 * Elementwise test for a finite value (neither infinite nor NaN), as a bool
 * array (always true for integers and bool).
 * @example
 * ```ts
 * await mx.isfinite(mx.array([1, NaN, Infinity])).tolist(); // [true, false, false]
 * ```
 */
export const isfinite = unaryOp("isfinite");
/**
 * Elementwise logical not, as a bool array: true where `x` is zero (false),
 * false elsewhere (NaN counts as true).
 * @example
 * ```ts
 * await mx.logicalNot(mx.array([0, 2])).tolist(); // [true, false]
 * ```
 */
export const logicalNot = unaryOp("logicalNot");
/**
 * Elementwise bitwise not (`~x`) of integer or bool arrays, in their dtype;
 * float inputs are an error.
 * @example
 * ```ts
 * await mx.bitwiseInvert(mx.array([0, 5], mx.uint8)).tolist(); // [255, 250]
 * await mx.bitwiseInvert(mx.array([0, 5])).tolist(); // [-1, -6]
 * ```
 */
export const bitwiseInvert = unaryOp("bitwiseInvert");
/**
 * `x` unchanged, but no gradient flows through it: transforms treat it as a
 * constant.
 * @example
 * ```ts
 * const f = (x: mx.MxArray) => mx.multiply(x, mx.stopGradient(x));
 * await mx.grad(f)(mx.array(3, mx.float32)).item(); // 3
 * ```
 */
export const stopGradient = unaryOp("stopGradient");

/**
 * Elementwise `x + y`, with broadcasting and MLX's type promotion (a JS number
 * adopts the array's dtype unless it needs a float). Integers wrap.
 * @example
 * ```ts
 * await mx.add(mx.array([1, 2]), 0.5).tolist(); // [1.5, 2.5]
 * await mx.add(mx.array([127], mx.int8), 1).tolist(); // [-128]
 * ```
 */
export const add = binaryOp("add");
/**
 * Elementwise `x - y`, with broadcasting and type promotion; integers wrap. Not
 * defined for two bool arrays (use `notEqual` for their xor).
 * @example
 * ```ts
 * await mx.subtract(mx.array([5, 1]), mx.array([2, 3])).tolist(); // [3, -2]
 * ```
 */
export const subtract = binaryOp("subtract");
/**
 * Elementwise `x * y`, with broadcasting and type promotion; integers wrap.
 * @example
 * ```ts
 * await mx.multiply(mx.array([[1], [2]]), mx.array([3, 4])).tolist(); // [[3, 4], [6, 8]]
 * await mx.multiply(mx.array([16], mx.uint8), 16).tolist(); // [0]
 * ```
 */
export const multiply = binaryOp("multiply");
/**
 * Elementwise true division `x / y`: integer and bool inputs compute in
 * float32. Division by zero gives ±Infinity, or NaN for 0 / 0.
 * @example
 * ```ts
 * await mx.divide(mx.array([1, 3]), 2).tolist(); // [0.5, 1.5]
 * await mx.divide(mx.array([1, -1, 0]), 0).tolist(); // [Infinity, -Infinity, NaN]
 * ```
 */
export const divide = binaryOp("divide");
/**
 * Elementwise `floor(x / y)`, in the promoted dtype. Floats are MLX's
 * `floor(divide(x, y))`: the quotient rounded to the dtype, then floored
 * (`floorDivide(1, 0.1)` is 10, where NumPy's `1 // 0.1` is 9). Integers stay
 * integers, rounding toward -inf as Python's `//`; integer division by zero
 * gives 0. The gradient is zero.
 * @example
 * ```ts
 * await mx.floorDivide(mx.array([7, -7, 7]), mx.array([2, 2, 0])).tolist(); // [3, -4, 0]
 * await mx.floorDivide(mx.array([7.5, -7.5]), 2).tolist(); // [3, -4]
 * await mx.floorDivide(1, mx.array([0.1])).tolist(); // [10]
 * ```
 */
export const floorDivide = binaryOp("floorDivide");
/**
 * Elementwise remainder of `floorDivide`, with the sign of the divisor (Python's
 * `%`), in the promoted dtype. Integer remainder by zero gives 0.
 * @example
 * ```ts
 * await mx.remainder(mx.array([7, -7, 7]), mx.array([3, 3, -3])).tolist(); // [1, 2, -2]
 * await mx.remainder(mx.array([5.5, -5.5]), 2).tolist(); // [1.5, 0.5]
 * ```
 */
export const remainder = binaryOp("remainder");
/**
 * Elementwise `x ** y`, in the promoted dtype: integer powers of integers stay
 * integers (and wrap); a float exponent makes the result float32.
 * @example
 * ```ts
 * await mx.power(mx.array([2, 3]), 3).tolist(); // [8, 27]
 * await mx.power(mx.array([2, 4]), 0.5).tolist(); // [1.4142135381698608, 2]
 * ```
 */
export const power = binaryMathOp("power");
/**
 * Elementwise larger of `x` and `y`, with broadcasting and type promotion; NaN
 * in either gives NaN.
 * @example
 * ```ts
 * await mx.maximum(mx.array([1, NaN, 5]), mx.array([3, 2, 4])).tolist(); // [3, NaN, 5]
 * ```
 */
export const maximum = binaryOp("maximum");
/**
 * Elementwise smaller of `x` and `y`, with broadcasting and type promotion; NaN
 * in either gives NaN.
 * @example
 * ```ts
 * await mx.minimum(mx.array([1, NaN, 5]), mx.array([3, 2, 4])).tolist(); // [1, NaN, 4]
 * ```
 */
export const minimum = binaryOp("minimum");
/**
 * Elementwise `log(e^x + e^y)`, computed without overflow for large inputs.
 * Integer and bool inputs compute in float32.
 * @example
 * ```ts
 * await mx.logaddexp(mx.array([0, 1000]), mx.array([0, 1000])).tolist(); // [0.6931471824645996, 1000.6931762695312]
 * ```
 */
export const logaddexp = binaryMathOp("logaddexp");
/**
 * Elementwise angle of the point `(x, y)` for `arctan2(y, x)`, in radians in
 * [-π, π], with the quadrant from both signs. Integer and bool inputs compute
 * in float32.
 * @example
 * ```ts
 * await mx.arctan2(mx.array([1, 1, -1]), mx.array([1, -1, 0])).tolist(); // [0.7853981852531433, 2.356194496154785, -1.5707963705062866]
 * ```
 */
export const arctan2 = binaryMathOp("arctan2");
/**
 * Elementwise bitwise and of integer or bool arrays (with broadcasting and type
 * promotion); float inputs are an error.
 * @example
 * ```ts
 * await mx.bitwiseAnd(mx.array([12]), 10).tolist(); // [8]
 * ```
 */
export const bitwiseAnd = binaryOp("bitwiseAnd");
/**
 * Elementwise bitwise or of integer or bool arrays (with broadcasting and type
 * promotion); float inputs are an error.
 * @example
 * ```ts
 * await mx.bitwiseOr(mx.array([12]), 10).tolist(); // [14]
 * ```
 */
export const bitwiseOr = binaryOp("bitwiseOr");
/**
 * Elementwise bitwise exclusive or of integer or bool arrays (with broadcasting
 * and type promotion); float inputs are an error.
 * @example
 * ```ts
 * await mx.bitwiseXor(mx.array([12]), 10).tolist(); // [6]
 * ```
 */
export const bitwiseXor = binaryOp("bitwiseXor");
/**
 * Elementwise `x << y` for integer or bool arrays, in the promoted dtype; bits
 * shifted out are lost, and a shift by the bit width or more gives 0.
 * @example
 * ```ts
 * await mx.leftShift(mx.array([1, 1, 1], mx.uint8), mx.array([3, 7, 8], mx.uint8)).tolist(); // [8, 128, 0]
 * ```
 */
export const leftShift = binaryOp("leftShift");
/**
 * Elementwise `x >> y` for integer or bool arrays, in the promoted dtype:
 * arithmetic (sign-filling) for signed integers, logical for unsigned ones.
 * @example
 * ```ts
 * await mx.rightShift(mx.array([-16, 16]), 2).tolist(); // [-4, 4]
 * ```
 */
export const rightShift = binaryOp("rightShift");
/**
 * Elementwise `x == y`, as a bool array (with broadcasting and type promotion);
 * NaN equals nothing, itself included.
 * @example
 * ```ts
 * await mx.equal(mx.array([1, NaN]), mx.array([1, NaN])).tolist(); // [true, false]
 * ```
 */
export const equal = binaryOp("equal");
/**
 * Elementwise `x != y`, as a bool array (with broadcasting and type promotion);
 * true wherever either is NaN.
 * @example
 * ```ts
 * await mx.notEqual(mx.array([1, NaN]), mx.array([1, NaN])).tolist(); // [false, true]
 * ```
 */
export const notEqual = binaryOp("notEqual");
/**
 * Elementwise `x < y`, as a bool array (with broadcasting and type promotion);
 * false wherever either is NaN.
 * @example
 * ```ts
 * await mx.less(mx.array([1, 2, 3]), 2).tolist(); // [true, false, false]
 * ```
 */
export const less = binaryOp("less");
/**
 * Elementwise `x <= y`, as a bool array (with broadcasting and type promotion);
 * false wherever either is NaN.
 * @example
 * ```ts
 * await mx.lessEqual(mx.array([1, 2, 3]), 2).tolist(); // [true, true, false]
 * ```
 */
export const lessEqual = binaryOp("lessEqual");
/**
 * Elementwise `x > y`, as a bool array (with broadcasting and type promotion);
 * false wherever either is NaN.
 * @example
 * ```ts
 * await mx.greater(mx.array([1, 2, 3]), 2).tolist(); // [false, false, true]
 * ```
 */
export const greater = binaryOp("greater");
/**
 * Elementwise `x >= y`, as a bool array (with broadcasting and type promotion);
 * false wherever either is NaN.
 * @example
 * ```ts
 * await mx.greaterEqual(mx.array([1, 2, 3]), 2).tolist(); // [false, true, true]
 * ```
 */
export const greaterEqual = binaryOp("greaterEqual");
/**
 * Elementwise logical and, as a bool array: true where both are non-zero.
 * @example
 * ```ts
 * await mx.logicalAnd(mx.array([true, true, false]), mx.array([1, 0, 1])).tolist(); // [true, false, false]
 * ```
 */
export const logicalAnd = binaryOp("logicalAnd");
/**
 * Elementwise logical or, as a bool array: true where either is non-zero.
 * @example
 * ```ts
 * await mx.logicalOr(mx.array([true, false, false]), mx.array([0, 2, 0])).tolist(); // [true, true, false]
 * ```
 */
export const logicalOr = binaryOp("logicalOr");

/**
 * Elements of `x` where `condition` is true (non-zero), else of `y`; the three
 * broadcast together and `x` and `y` promote to a common dtype.
 * @example
 * ```ts
 * const x = mx.array([-1, 2, -3]);
 * await mx.where(mx.greater(x, 0), x, 0).tolist(); // [0, 2, 0]
 * ```
 */
export function where(condition: ArrayLike, x: ArrayLike, y: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("where", arguments, 4);
  return asOp("where", () => {
    checkArrayLike("where", condition, "condition");
    checkArrayLike("where", x, "x");
    checkArrayLike("where", y, "y");
    checkOptions("where", o);
    const s = opStream("where", o, condition, x, y);
    const so = { stream: s };
    const d = resultType(x, y);
    const c = astype(toArray("where", condition, s, bool, "condition"), bool, so);
    const a = astype(toArray("where", x, s, d, "x"), d, so);
    const b = astype(toArray("where", y, s, d, "y"), d, so);
    return node(new Where(), [c, a, b], s);
  });
}

/**
 * Limits values to [min, max]: `minimum(maximum(x, min), max)`; either bound
 * may be null, not both. NaN stays NaN.
 * @example
 * ```ts
 * await mx.clip(mx.array([-5, 0.5, 5, NaN]), 0, 1).tolist(); // [0, 0.5, 1, NaN]
 * await mx.clip(mx.array([-5, 5]), null, 1).tolist(); // [-5, 1]
 * ```
 */
export function clip(x: ArrayLike, min: ArrayLike | null, max: ArrayLike | null, o?: OpOptions): MxArray {
  noExtraArguments("clip", arguments, 4);
  return asOp("clip", () => {
    checkArrayLike("clip", x);
    const lo = min ?? null, hi = max ?? null; // undefined: no bound, as null
    if (lo !== null) checkArrayLike("clip", lo, "min");
    if (hi !== null) checkArrayLike("clip", hi, "max");
    if (lo === null && hi === null) throw opError("clip", "at least one of min and max must be given", [], "value");
    checkOptions("clip", o);
    const s = opStream("clip", o, x, lo, hi);
    const arrays = [x, lo, hi].filter((v): v is MxArray => v instanceof MxArray);
    if (arrays.some((a) => a.dtype === complex64)) throw opError("clip", "complex64 is not ordered; valid: real dtypes", arrays, "type");
    broadcastShapes("clip", ...arrays.map((a) => a.shape));
    let out = toArray("clip", x, s);
    if (lo !== null) out = maximum(out, lo, { stream: s });
    if (hi !== null) out = minimum(out, hi, { stream: s });
    return out;
  });
}

export interface CloseOptions extends OpOptions {
  rtol?: number | undefined;
  atol?: number | undefined;
  equalNan?: boolean | undefined;
}

/** MLX's `(rtol, atol, equal_nan)` of isclose and allclose positionally (null: the default), then the options, or the options alone. */
export type CloseArgs = PositionalThen<[["rtol", number], ["atol", number], ["equalNan", boolean]], CloseOptions>;

/** MLX's `equal_nan` of arrayEqual positionally (null: the default), then the options, or the options alone. */
export type ArrayEqualArgs = PositionalThen<[["equalNan", boolean]], { equalNan?: boolean | undefined } & OpOptions>;

const CLOSE_NAMES = ["rtol", "atol", "equalNan"];

/**
 * Elementwise `|a - b| <= atol + rtol * |b|` (defaults rtol 1e-5, atol 1e-8),
 * as a bool array; infinities are close only to themselves and NaN to nothing
 * unless `equalNan`. Integer operands compare their exact |a - b| (no
 * overflow, no float32 rounding) with that bound in float32, as MLX computes it.
 * @example
 * ```ts
 * await mx.isclose(mx.array([1, 1.1, NaN]), mx.array([1.000001, 1, NaN])).tolist(); // [true, false, false]
 * await mx.isclose(mx.array([NaN]), mx.array([NaN]), { equalNan: true }).tolist(); // [true]
 * await mx.isclose(mx.array([1, NaN]), mx.array([1.1, NaN]), 0.2, 0, true).tolist(); // [true, true]
 * ```
 */
export function isclose(a: ArrayLike, b: ArrayLike, ...rest: CloseArgs): MxArray {
  noExtraArguments("isclose", arguments, 6);
  return asOp("isclose", () => {
    return closeness("isclose", a, b, rest);
  });
}

/** isclose of `a` and `b` with the trailing arguments `rest` (CloseArgs). */
function closeness(op: string, a: ArrayLike, b: ArrayLike, rest: readonly unknown[]): MxArray {
  checkArrayLike(op, a, "first input");
  checkArrayLike(op, b, "second input");
  const o = samplerArgs<CloseOptions>(op, rest, CLOSE_NAMES);
  const s = opStream(op, o, a, b);
  const rtol = numberOption(op, "rtol", o.rtol) ?? 1e-5, atol = numberOption(op, "atol", o.atol) ?? 1e-8;
  const equalNan = boolOption(op, "equalNan", o.equalNan);
  const d = resultType(a, b);
  const so = { stream: s };
  const x = toArray(op, a, s, d, "first input");
  const y = toArray(op, b, s, d, "second input");
  broadcastShapes(op, x.shape, y.shape);
  if (isInteger(d)) return integerCloseness(x, y, rtol, atol, so);
  const diff = abs(subtract(astype(x, isInexact(d) ? d : float32, so), astype(y, isInexact(d) ? d : float32, so), so), so);
  const bound = add(multiply(abs(y, so), rtol, so), atol, so);
  // an infinite b is close only to itself (|inf - -inf| <= inf would pass the bound)
  let out = logicalOr(logicalAnd(lessEqual(diff, bound, so), isfinite(y, so), so), equal(x, y, so), so);
  if (equalNan) out = logicalOr(out, logicalAnd(isnan(x, so), isnan(y, so), so), so);
  return out;
}

/** The unsigned dtype of each integer width in bytes: it holds |a - b| of any two integers of that width. */
const UNSIGNED_OF_SIZE: Record<number, DType> = { 1: uint8, 2: uint16, 4: uint32, 8: uint64 };

/**
 * isclose of integer arrays `x`, `y` (one dtype), exact for every width: |x - y|
 * is the larger minus the smaller in the unsigned dtype of that width (no
 * overflow, no float rounding), and it is within MLX's float32 bound
 * atol + rtol * |y| exactly when it is within the bound's floor, which the
 * saturating cast carries into that dtype exactly (a bound past its range
 * passes every pair, a negative or NaN one only equal pairs).
 */
function integerCloseness(x: MxArray, y: MxArray, rtol: number, atol: number, so: OpOptions): MxArray {
  const u = UNSIGNED_OF_SIZE[x.dtype.size]!;
  const gap = subtract(astype(maximum(x, y, so), u, so), astype(minimum(x, y, so), u, so), so);
  const bound = add(multiply(abs(astype(y, float32, so), so), rtol, so), atol, so);
  return lessEqual(gap, astype(floor(bound, so), u, so), so);
}

/**
 * Whether every element pair is close by `isclose`'s rule, as a bool scalar
 * array (`a` and `b` broadcast).
 * @example
 * ```ts
 * await mx.allclose(mx.array([1, 2]), mx.array([1, 2.00001])).item(); // true
 * await mx.allclose(mx.array([1, 2]), mx.array([1, 2.1]), { atol: 0.2 }).item(); // true
 * await mx.allclose(mx.array([1, 2]), mx.array([1, 2.1]), 1e-5, 0.2).item(); // true
 * ```
 */
export function allclose(a: ArrayLike, b: ArrayLike, ...rest: CloseArgs): MxArray {
  noExtraArguments("allclose", arguments, 6);
  return asOp("allclose", () => {
    const close = closeness("allclose", a, b, rest);
    return all(close, { stream: close.stream });
  });
}

/**
 * True when shapes match and all elements are equal, as a bool scalar array;
 * dtypes may differ. NaN equals NaN only with `equalNan`.
 * @example
 * ```ts
 * await mx.arrayEqual(mx.array([1, 2]), mx.array([1, 2], mx.float32)).item(); // true
 * await mx.arrayEqual(mx.array([1, 2]), mx.array([1, 2, 3])).item(); // false
 * await mx.arrayEqual(mx.array([1, NaN]), mx.array([1, NaN]), true).item(); // true
 * ```
 */
export function arrayEqual(a: ArrayLike, b: ArrayLike, ...rest: ArrayEqualArgs): MxArray {
  noExtraArguments("arrayEqual", arguments, 4);
  return asOp("arrayEqual", () => {
    checkArrayLike("arrayEqual", a, "first input");
    checkArrayLike("arrayEqual", b, "second input");
    let o: { equalNan?: boolean | undefined } & OpOptions = samplerArgs("arrayEqual", rest, ["equalNan"]);
    const s = opStream("arrayEqual", o, a, b);
    const equalNan = boolOption("arrayEqual", "equalNan", o.equalNan);
    o = onStream(o, s);
    const x = toArray("arrayEqual", a, s, undefined, "first input");
    const y = toArray("arrayEqual", b, s, undefined, "second input");
    if (!sameShape(x.shape, y.shape)) return toArray("arrayEqual", false, s, bool);
    let eq = equal(x, y, o);
    if (equalNan) eq = logicalOr(eq, logicalAnd(isnan(x, o), isnan(y, o), o), o);
    return all(eq, o);
  });
}
