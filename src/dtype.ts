// The 14 MLX dtypes, their categories, and MLX's type-promotion rules
// (JAX-like lattice), including weak JS-number scalars.
// Everything here is pure metadata; no backend is involved.

import { describeValue, opError } from "./errors.js";

export type DTypeName =
  | "bool" | "uint8" | "uint16" | "uint32" | "uint64"
  | "int8" | "int16" | "int32" | "int64"
  | "float16" | "bfloat16" | "float32" | "float64" | "complex64";

export type DTypeKind = "bool" | "uint" | "int" | "float" | "complex";

/**
 * One of MLX's 14 element types (`mx.float32`, `mx.int32`, `mx.bool`, ...):
 * its name, its kind and its size in bytes. There is one instance per type,
 * so dtypes compare with `===`.
 */
export class DType {
  constructor(
    readonly name: DTypeName,
    readonly kind: DTypeKind,
    /** Bytes per element. */
    readonly size: number,
  ) {}
  /**
   * The dtype's name, as MLX prints it.
   * @example
   * ```ts
   * String(mx.float32); // "float32"
   * `${mx.bfloat16}`; // "bfloat16"
   * ```
   */
  toString(): string {
    return this.name;
  }
}

export const bool = new DType("bool", "bool", 1);
export const uint8 = new DType("uint8", "uint", 1);
export const uint16 = new DType("uint16", "uint", 2);
export const uint32 = new DType("uint32", "uint", 4);
export const uint64 = new DType("uint64", "uint", 8);
export const int8 = new DType("int8", "int", 1);
export const int16 = new DType("int16", "int", 2);
export const int32 = new DType("int32", "int", 4);
export const int64 = new DType("int64", "int", 8);
export const float16 = new DType("float16", "float", 2);
export const bfloat16 = new DType("bfloat16", "float", 2);
export const float32 = new DType("float32", "float", 4);
export const float64 = new DType("float64", "float", 8);
export const complex64 = new DType("complex64", "complex", 8);

export const ALL_DTYPES: readonly DType[] = [
  bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64,
  float16, bfloat16, float32, float64, complex64,
];

const byName = new Map<string, DType>(ALL_DTYPES.map((d) => [d.name, d]));

export function dtypeFromName(name: string): DType {
  const d = byName.get(name);
  if (!d) throw new TypeError(`unknown dtype '${name}'; valid dtypes: ${ALL_DTYPES.join(", ")}`);
  return d;
}

export function isDType(x: unknown): x is DType {
  return x instanceof DType;
}

/** `d` when it is a dtype, else an error naming `op`. */
function checkDType(op: string, d: unknown): DType {
  if (d instanceof DType) return d;
  throw opError(op, `dtype must be an mx dtype (e.g. mx.float32), got ${describeValue(d)}`, [], "type");
}

/**
 * Whether `d` is a real floating-point dtype (float16, bfloat16, float32,
 * float64): the dtypes gradients are taken in.
 * @example
 * ```ts
 * mx.isFloating(mx.bfloat16); // true
 * mx.isFloating(mx.complex64); // false
 * ```
 */
export const isFloating = (d: DType) => checkDType("isFloating", d).kind === "float";
/**
 * Whether `d` is a floating-point or complex dtype (MLX's `inexact`).
 * @example
 * ```ts
 * mx.isInexact(mx.complex64); // true
 * mx.isInexact(mx.int32); // false
 * ```
 */
export const isInexact = (d: DType) => checkDType("isInexact", d).kind === "float" || d.kind === "complex";
/**
 * Whether `d` is a signed or unsigned integer dtype (bool is not).
 * @example
 * ```ts
 * mx.isInteger(mx.uint8); // true
 * mx.isInteger(mx.bool); // false
 * ```
 */
export const isInteger = (d: DType) => checkDType("isInteger", d).kind === "int" || d.kind === "uint";
export const isIntegral = (d: DType) => isInteger(d) || d === bool;
export const is64BitInt = (d: DType) => d === int64 || d === uint64;
/** float16 or bfloat16: the floats stored two to a 32-bit word. */
export const is16BitFloat = (d: DType | undefined) => d === float16 || d === bfloat16;

/** Integer range of an integer dtype as JS numbers (64-bit ranges are approximate). */
export function intRange(d: DType): [number, number] {
  const bits = d.size * 8;
  return d.kind === "uint" ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
}

function signedOfSize(size: number): DType {
  return size === 1 ? int8 : size === 2 ? int16 : size === 4 ? int32 : int64;
}

/**
 * MLX's promotion of two dtypes, what binary ops compute in (mlx/dtype.cpp's
 * table, which follows JAX's lattice): bool < ints < floats < complex; mixed
 * signedness widens to a signed type that holds both, uint64 with any signed
 * int gives float32, and float16 with bfloat16 gives float32.
 * @example
 * ```ts
 * mx.promoteTypes(mx.uint8, mx.int8).name; // "int16"
 * mx.promoteTypes(mx.int32, mx.float16).name; // "float16"
 * mx.promoteTypes(mx.float16, mx.bfloat16).name; // "float32"
 * ```
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b && a instanceof DType) return a;
  checkDType("promoteTypes", a);
  checkDType("promoteTypes", b);
  if (a === bool) return b;
  if (b === bool) return a;
  if (a === complex64 || b === complex64) return complex64;
  const af = a.kind === "float", bf = b.kind === "float";
  if (af && bf) {
    if (a === float64 || b === float64) return float64;
    if (a === float32 || b === float32) return float32;
    return float32; // float16 with bfloat16
  }
  if (af) return a;
  if (bf) return b;
  // both integers
  if (a.kind === b.kind) return a.size >= b.size ? a : b;
  const [u, s] = a.kind === "uint" ? [a, b] : [b, a];
  if (u.size < s.size) return s;
  if (u.size === 8) return float32;
  return signedOfSize(u.size * 2);
}

/**
 * Whether a JS number is an integer scalar: integer-valued and within int64's
 * range, [-2^63, 2^63). JS has one number type; a whole number past int64
 * (1e20, 2 ** 64) cannot have been an int for MLX (Python raises for such an
 * int), so it counts as a float, as Python's `1e20` is: float32.
 */
export function isIntegerNumber(x: number): boolean {
  return Number.isInteger(x) && x >= -(2 ** 63) && x < 2 ** 63;
}

/** The dtype of a JS scalar when it must become an array on its own: bool, int32 (int64 past int32's range) or float32 (fractions, and whole numbers past int64's range, see isIntegerNumber); a bigint is int64. */
export function scalarDefaultDType(x: number | boolean | bigint): DType {
  if (typeof x === "boolean") return bool;
  if (typeof x === "bigint") return int64;
  if (!isIntegerNumber(x)) return float32;
  return x < -(2 ** 31) || x > 2 ** 31 - 1 ? int64 : int32;
}

/**
 * Whether the JS scalar `x` lies in the range of the integer dtype `d` (a
 * fraction by its integer part, as a cast truncates it): exact for bigints and
 * for the 64-bit ends, which intRange only approximates. NaN and infinities
 * are not in any range.
 */
export function fitsIntegerDType(x: number | bigint, d: DType): boolean {
  if (typeof x === "bigint") {
    const bits = BigInt(d.size * 8);
    return d.kind === "uint" ? x >= 0n && x < 1n << bits : x >= -(1n << (bits - 1n)) && x < 1n << (bits - 1n);
  }
  if (!Number.isFinite(x)) return false;
  const t = Math.trunc(x);
  // 2^(bits-1) and 2^bits are exact doubles; the largest values below them are not always
  const bits = d.size * 8;
  return d.kind === "uint" ? t >= 0 && t < 2 ** bits : t >= -(2 ** (bits - 1)) && t < 2 ** (bits - 1);
}

/** The range of an integer dtype for messages, exact ("-128 to 127", "0 to 18446744073709551615"). */
export function intRangeText(d: DType): string {
  const bits = BigInt(d.size * 8);
  return d.kind === "uint" ? `0 to ${(1n << bits) - 1n}` : `${-(1n << (bits - 1n))} to ${(1n << (bits - 1n)) - 1n}`;
}

/** The dtype of a sum or product of `d`'s elements (a reduction, a cumulative scan): int32 for bool (a count of the trues), else `d`. */
export function sumDType(d: DType): DType {
  return d === bool ? int32 : d;
}

/**
 * Promotion of an array dtype with a weak JS scalar (MLX/JAX weak types):
 * the scalar adopts the array's dtype unless its kind is higher
 * (a non-integer number with an integer or bool array gives float32, as
 * does a whole number past int64's range, see isIntegerNumber, unless the
 * array is uint64 and holds it; an integer number with a bool array gives int32).
 * The ops then check that an integer scalar lies in the dtype's range (toArray).
 */
export function promoteWithScalar(d: DType, x: number | boolean | bigint): DType {
  if (typeof x === "boolean") return d;
  if (typeof x === "bigint") return d === bool ? int64 : d;
  // a whole number in [2^63, 2^64) is uint64's too (as a bigint there is)
  if (isIntegerNumber(x) || (d === uint64 && Number.isInteger(x) && x >= 0 && x < 2 ** 64)) return d === bool ? int32 : d;
  return isInexact(d) ? d : float32;
}
