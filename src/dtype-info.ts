// Dtype introspection as MLX has it: finfo and iinfo (limits of float and
// integer types), the DtypeCategory hierarchy with issubdtype and isdtype,
// resultType and canCast, and the numeric constants pi, e, eulerGamma, inf,
// nan and newaxis. Pure metadata; no backend is involved.

import { MxArray } from "./array.js";
import { bfloat16, bool, complex64, DType, float16, float32, float64, promoteTypes, promoteWithScalar, scalarDefaultDType } from "./dtype.js";
import { describeValue, opError } from "./errors.js";

/** MLX's abstract dtype categories (`mx.complexfloating`, `mx.floating`, `mx.inexact`, `mx.signedinteger`, `mx.unsignedinteger`, `mx.integer`, `mx.number`, `mx.generic`). */
export enum DtypeCategory {
  complexfloating = "complexfloating",
  floating = "floating",
  inexact = "inexact",
  signedinteger = "signedinteger",
  unsignedinteger = "unsignedinteger",
  integer = "integer",
  number = "number",
  generic = "generic",
}

/** MLX's `mx.complexfloating`: complex64. */
export const complexfloating = DtypeCategory.complexfloating;
/** MLX's `mx.floating`: float16, bfloat16, float32, float64. */
export const floating = DtypeCategory.floating;
/** MLX's `mx.inexact`: the floating and complex dtypes. */
export const inexact = DtypeCategory.inexact;
/** MLX's `mx.signedinteger`: int8, int16, int32, int64. */
export const signedinteger = DtypeCategory.signedinteger;
/** MLX's `mx.unsignedinteger`: uint8, uint16, uint32, uint64. */
export const unsignedinteger = DtypeCategory.unsignedinteger;
/** MLX's `mx.integer`: the signed and unsigned integer dtypes. */
export const integer = DtypeCategory.integer;
/** MLX's `mx.number`: every dtype but bool. */
export const number = DtypeCategory.number;
/** MLX's `mx.generic`: every dtype, bool included. */
export const generic = DtypeCategory.generic;

/** The categories each category lies in (itself included), as MLX's hierarchy: generic > number > {inexact > {floating, complexfloating}, integer > {signed, unsigned}}; bool is only generic. */
const PARENTS: Record<DtypeCategory, readonly DtypeCategory[]> = {
  complexfloating: [DtypeCategory.complexfloating, DtypeCategory.inexact, DtypeCategory.number, DtypeCategory.generic],
  floating: [DtypeCategory.floating, DtypeCategory.inexact, DtypeCategory.number, DtypeCategory.generic],
  inexact: [DtypeCategory.inexact, DtypeCategory.number, DtypeCategory.generic],
  signedinteger: [DtypeCategory.signedinteger, DtypeCategory.integer, DtypeCategory.number, DtypeCategory.generic],
  unsignedinteger: [DtypeCategory.unsignedinteger, DtypeCategory.integer, DtypeCategory.number, DtypeCategory.generic],
  integer: [DtypeCategory.integer, DtypeCategory.number, DtypeCategory.generic],
  number: [DtypeCategory.number, DtypeCategory.generic],
  generic: [DtypeCategory.generic],
};

function categoryOf(d: DType): DtypeCategory {
  switch (d.kind) {
    case "bool":
      return DtypeCategory.generic;
    case "uint":
      return DtypeCategory.unsignedinteger;
    case "int":
      return DtypeCategory.signedinteger;
    case "float":
      return DtypeCategory.floating;
    default:
      return DtypeCategory.complexfloating;
  }
}

const isCategory = (x: unknown): x is DtypeCategory => typeof x === "string" && Object.hasOwn(PARENTS, x);

function checkTypeArg(op: string, name: string, x: unknown): DType | DtypeCategory {
  if (x instanceof DType || isCategory(x)) return x;
  throw opError(op, `${name} must be a dtype (e.g. mx.float32) or a DtypeCategory (e.g. mx.floating), got ${describeValue(x)}`, [], "type");
}

/**
 * Whether `a` (a dtype or a category) lies in `b`: a dtype in its own
 * category and every category above it, a dtype equal to a dtype, as MLX.
 * @example
 * ```ts
 * mx.issubdtype(mx.float16, mx.floating); // true
 * mx.issubdtype(mx.int8, mx.inexact); // false
 * mx.issubdtype(mx.floating, mx.number); // true
 * ```
 */
export function issubdtype(a: DType | DtypeCategory, b: DType | DtypeCategory): boolean {
  const x = checkTypeArg("issubdtype", "first argument", a), y = checkTypeArg("issubdtype", "second argument", b);
  if (y instanceof DType) return x === y;
  return PARENTS[x instanceof DType ? categoryOf(x) : x].includes(y);
}

/** The array API's kind names of `isdtype`. */
export type DtypeKindName = "bool" | "signed integer" | "unsigned integer" | "integral" | "real floating" | "complex floating" | "numeric";

const KIND_TEST: Record<DtypeKindName, (d: DType) => boolean> = {
  bool: (d) => d === bool,
  "signed integer": (d) => d.kind === "int",
  "unsigned integer": (d) => d.kind === "uint",
  integral: (d) => d.kind === "int" || d.kind === "uint",
  "real floating": (d) => d.kind === "float",
  "complex floating": (d) => d.kind === "complex",
  numeric: (d) => d.kind !== "bool",
};

/**
 * The array API's kind test: whether `dtype` is of `kind`, a dtype, a kind
 * name ("bool", "signed integer", "unsigned integer", "integral", "real
 * floating", "complex floating", "numeric") or a list of them.
 * @example
 * ```ts
 * mx.isdtype(mx.float32, "real floating"); // true
 * mx.isdtype(mx.uint8, ["signed integer", "bool"]); // false
 * ```
 */
export function isdtype(dtype: DType, kind: DType | DtypeKindName | readonly (DType | DtypeKindName)[]): boolean {
  if (!(dtype instanceof DType)) throw opError("isdtype", `dtype must be an mx dtype, got ${describeValue(dtype)}`, [], "type");
  const kinds = Array.isArray(kind) ? kind : [kind as DType | DtypeKindName];
  return kinds.some((k) => {
    if (k instanceof DType) return k === dtype;
    // (an own key only: "toString" is no kind, and an object is no key)
    const test = typeof k === "string" && Object.hasOwn(KIND_TEST, k) ? KIND_TEST[k as DtypeKindName] : undefined;
    if (!test) throw opError("isdtype", `kind must be a dtype or one of ${Object.keys(KIND_TEST).map((n) => `"${n}"`).join(", ")}, got ${describeValue(k)}`, [], "value");
    return test(dtype);
  });
}

/**
 * The dtype an op on these arrays, dtypes and JS scalars computes in: MLX's
 * promotion, arrays and dtypes strongly, scalars weakly (a JS number takes
 * the arrays' dtype unless its kind is higher).
 * @example
 * ```ts
 * mx.resultType(mx.array([1, 2], mx.int8), 1.5).name; // "float32"
 * mx.resultType(mx.uint8, mx.int8).name; // "int16"
 * mx.resultType(mx.array([1], mx.float16), 3).name; // "float16"
 * ```
 */
export function resultType(...args: (MxArray | DType | number | boolean | bigint)[]): DType {
  if (args.length === 0) throw opError("resultType", "needs at least one array, dtype or scalar", [], "value");
  let d: DType | undefined;
  for (const x of args) {
    const t = x instanceof MxArray ? x.dtype : x instanceof DType ? x : undefined;
    if (t) d = d ? promoteTypes(d, t) : t;
    else if (typeof x !== "number" && typeof x !== "boolean" && typeof x !== "bigint") throw opError("resultType", `arguments must be arrays, dtypes or JS scalars, got ${describeValue(x)}`, [], "type");
  }
  const scalars = args.filter((x): x is number | boolean | bigint => !(x instanceof MxArray) && !(x instanceof DType));
  if (!d) return scalars.map(scalarDefaultDType).reduce(promoteTypes);
  for (const x of scalars) d = promoteWithScalar(d, x);
  return d;
}

/**
 * Whether `from` converts to `to` under NumPy's "safe" rule: every value of
 * `from` is a value of `to` (bool goes anywhere, nothing goes to bool;
 * 64-bit integers to float64 count as safe, as in NumPy).
 * @example
 * ```ts
 * mx.canCast(mx.int8, mx.int16); // true
 * mx.canCast(mx.int32, mx.float32); // false
 * mx.canCast(mx.uint8, mx.float16); // true
 * ```
 */
export function canCast(from: DType | MxArray, to: DType): boolean {
  const f = from instanceof MxArray ? from.dtype : from;
  if (!(f instanceof DType) || !(to instanceof DType)) throw opError("canCast", `from and to must be mx dtypes (from may be an array), got ${describeValue(from)} and ${describeValue(to)}`, [], "type");
  if (f === to || f === bool) return true;
  if (to === bool) return false;
  const mantissa = (d: DType) => (d === float16 ? 11 : d === bfloat16 ? 8 : d === float32 || d === complex64 ? 24 : 53);
  const exponentMax = (d: DType) => (d === float16 ? 15 : d === bfloat16 || d === float32 || d === complex64 ? 127 : 1023);
  if (f.kind === "complex") return false;
  if (f.kind === "float") {
    if (to.kind !== "float" && to.kind !== "complex") return false;
    return mantissa(to) >= mantissa(f) && exponentMax(to) >= exponentMax(f);
  }
  const bits = f.size * 8 - (f.kind === "int" ? 1 : 0); // magnitude bits
  // NumPy counts 64-bit integers to float64 as safe, though values past 2^53 round
  if (to.kind === "float" || to.kind === "complex") return mantissa(to) >= bits || (f.size === 8 && to === float64);
  if (to.kind === "uint") return f.kind === "uint" && to.size >= f.size;
  return f.kind === "int" ? to.size >= f.size : to.size > f.size;
}

/** Limits of a floating-point dtype (MLX's `finfo`). */
export interface FloatInfo {
  dtype: DType;
  /** Bits per element. */
  bits: number;
  /** The largest finite value. */
  max: number;
  /** The lowest finite value (-max). */
  min: number;
  /** The gap between 1 and the next value. */
  eps: number;
  /** The smallest positive normal value. */
  smallestNormal: number;
}

const FINFO: Map<DType, Omit<FloatInfo, "dtype" | "min">> = new Map([
  [float16, { bits: 16, max: 65504, eps: 2 ** -10, smallestNormal: 2 ** -14 }],
  [bfloat16, { bits: 16, max: 3.3895313892515355e38, eps: 2 ** -7, smallestNormal: 2 ** -126 }],
  [float32, { bits: 32, max: 3.4028234663852886e38, eps: 2 ** -23, smallestNormal: 2 ** -126 }],
  [float64, { bits: 64, max: Number.MAX_VALUE, eps: Number.EPSILON, smallestNormal: 2 ** -1022 }],
  [complex64, { bits: 64, max: 3.4028234663852886e38, eps: 2 ** -23, smallestNormal: 2 ** -126 }],
]);

/**
 * The limits of a floating-point (or complex64: its float32 parts) dtype.
 * @example
 * ```ts
 * mx.finfo(mx.float16).max; // 65504
 * mx.finfo(mx.float32).eps; // 1.1920928955078125e-7
 * mx.finfo(mx.bfloat16).bits; // 16
 * ```
 */
export function finfo(dtype: DType): FloatInfo {
  const info = dtype instanceof DType ? FINFO.get(dtype) : undefined;
  if (!info) throw opError("finfo", `dtype must be a floating-point or complex dtype, got ${describeValue(dtype)}`, [], "type");
  return { dtype, ...info, min: -info.max };
}

/** Limits of an integer dtype (MLX's `iinfo`); 64-bit limits are bigints, as they exceed 2^53. */
export interface IntInfo {
  dtype: DType;
  bits: number;
  min: number | bigint;
  max: number | bigint;
}

/**
 * The limits of an integer dtype.
 * @example
 * ```ts
 * mx.iinfo(mx.int8).min; // -128
 * mx.iinfo(mx.uint16).max; // 65535
 * mx.iinfo(mx.int64).max; // 9223372036854775807n
 * ```
 */
export function iinfo(dtype: DType): IntInfo {
  if (!(dtype instanceof DType) || (dtype.kind !== "int" && dtype.kind !== "uint")) {
    throw opError("iinfo", `dtype must be an integer dtype, got ${describeValue(dtype)}`, [], "type");
  }
  const bits = dtype.size * 8;
  if (bits === 64) {
    return dtype.kind === "uint" ? { dtype, bits, min: 0n, max: 2n ** 64n - 1n } : { dtype, bits, min: -(2n ** 63n), max: 2n ** 63n - 1n };
  }
  return dtype.kind === "uint" ? { dtype, bits, min: 0, max: 2 ** bits - 1 } : { dtype, bits, min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 };
}

/** pi. */
export const pi = Math.PI;
/** Euler's number. */
export const e = Math.E;
/** The Euler-Mascheroni constant. */
export const eulerGamma = 0.5772156649015329;
/** Positive infinity. */
export const inf = Infinity;
/** Not a number. */
export const nan = NaN;
/** A new axis in an index (MLX's `None`). */
export const newaxis = null;

