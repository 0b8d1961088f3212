// MLX's printed form of an array: `array([[1, 2],\n       [3, 4]], dtype=int32)`,
// numbers as MLX's C++ streams print them, bools as true/false (the C++ and JS
// spelling; MLX's Python repr says True/False), dims longer than 6 summarized
// as first 3, ..., last 3; and mx.print, which reads arrays from any device and
// prints them like console.log.
//
// Floats print as `std::ostream << float` does (MLX converts float16 and
// bfloat16 to float first, which is exact): by default C's `%g` with 6
// significant digits; once a precision p is set (MLX's set_printoptions),
// `std::fixed` with p decimals, C's `%.pf`. Both round the exact binary value
// correctly, an exact decimal tie to even as glibc's printf does (1.203125 prints
// 1.20312), where JS's toFixed/toPrecision round ties up; so the digits come
// from BigInt arithmetic on the float's significand here. nan, inf and -inf
// print as C prints them in either notation; -0 keeps its sign ("-0", "-0.00").
// A complex number prints its real part, then "+" and its imaginary part when
// that is >= 0 or nan (so an imaginary -0 prints "+-0", as MLX prints it), else
// "-" and its magnitude.

import { checkInt } from "./argument-checks.js";
import { MxArray } from "./array.js";
import { checkOptions } from "./ops/strict-options.js";
import type { DType } from "./dtype.js";
import { describeValue, opError } from "./errors.js";
import { rowMajorStrides } from "./shape.js";
import { decodeElement, type Scalar, type TypedArray } from "./storage.js";

/**
 * MLX's print options. `precision` is -1 by default: floats print as C++
 * streams print them, `%g` with 6 significant digits (`1.12346`, `1e-05`,
 * `1.23457e+06`). A precision p from 0 up prints them in fixed notation with
 * p decimal places, as MLX's `std::fixed` does: p = 2 prints `1.12`, `0.90`,
 * `1234.57`, `0.00`.
 */
export interface PrintOptions {
  precision: number;
}

const DEFAULT_PRECISION = -1;
/** The most decimals a precision may ask for: enough to print any float64 exactly (2^-1074 has 1074). */
const MAX_PRECISION = 1074;
let options: PrintOptions = { precision: DEFAULT_PRECISION };

/**
 * Sets how arrays print (MLX's `mx.set_printoptions`): `precision`, the
 * decimal places of floats, printed in fixed notation (0 to 1074); -1 or
 * `undefined` restores MLX's default, `%g` with 6 significant digits.
 * @example
 * ```ts
 * mx.setPrintoptions({ precision: 3 });
 * mx.array([3.14159, 1234.5]).toString(); // "array([3.142, 1234.500], dtype=float32)"
 * mx.setPrintoptions({ precision: undefined });
 * mx.array([3.14159, 1234.5]).toString(); // "array([3.14159, 1234.5], dtype=float32)"
 * ```
 */
export function setPrintoptions(o: { precision?: number | undefined }): void {
  options = checkedOptions("setPrintoptions", o);
}

/** Print options `o` of op `op` (setPrintoptions or printoptions) checked, absent fields at their defaults. */
function checkedOptions(op: string, o: { precision?: number | undefined }): PrintOptions {
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw opError(op, `options must be an object such as { precision }, got ${describeValue(o)}`, [], "type");
  checkOptions(op, o, ["precision"], false);
  const p = o.precision ?? DEFAULT_PRECISION;
  return { precision: checkInt(op, "precision", p, -1, MAX_PRECISION) };
}

/**
 * The current print options (MLX's `mx.get_printoptions`): `precision` is -1
 * (MLX's default, `%g` with 6 significant digits) unless set.
 * @example
 * ```ts
 * mx.getPrintoptions().precision; // -1
 * ```
 */
export function getPrintoptions(): PrintOptions {
  return { ...options };
}

/**
 * Runs `fn` with print options `o`, then restores the previous ones (MLX's
 * `with mx.printoptions(...)`).
 * @example
 * ```ts
 * mx.printoptions({ precision: 2 }, () => mx.array([2.71828, 0.9]).toString()); // "array([2.72, 0.90], dtype=float32)"
 * ```
 */
export function printoptions<T>(o: { precision?: number | undefined }, fn: () => T): T {
  const next = checkedOptions("printoptions", o);
  if (typeof fn !== "function") throw opError("printoptions", `fn must be a function, got ${describeValue(fn)}`, [], "type");
  const saved = options;
  options = next;
  try {
    return fn();
  } finally {
    options = saved;
  }
}

// ---- exact decimal digits of a float64 ----

const f64 = new Float64Array(1);
const bits64 = new BigUint64Array(f64.buffer);

/** `[m, e]` with |x| = m * 2^e exactly, for a finite nonzero x. */
function binaryValue(x: number): [bigint, number] {
  f64[0] = x;
  const b = bits64[0]!;
  const biased = Number((b >> 52n) & 0x7ffn);
  const fraction = b & 0xfffffffffffffn;
  return biased === 0 ? [fraction, -1074] : [fraction | (1n << 52n), biased - 1075];
}

const powers10: bigint[] = [1n];
/** 10^k as a BigInt, for k >= 0. */
function pow10(k: number): bigint {
  for (let i = powers10.length; i <= k; i++) powers10.push(powers10[i - 1]! * 10n);
  return powers10[k]!;
}

/** m * 2^e * 10^k rounded to an integer, an exact tie to even (as glibc's printf rounds). */
function roundScaled(m: bigint, e: number, k: number): bigint {
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (k >= 0) num *= pow10(k);
  else den *= pow10(-k);
  const q = num / den;
  const twiceRest = (num - q * den) * 2n;
  return twiceRest > den || (twiceRest === den && (q & 1n) === 1n) ? q + 1n : q;
}

/** C's spelling of a non-finite x, or undefined. */
function nonFinite(x: number): string | undefined {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  return undefined;
}

const signOf = (x: number) => (x < 0 || Object.is(x, -0) ? "-" : "");

/** Trailing zeros of a fraction removed, and the point when nothing follows it (what `%g` does without `#`). */
const stripZeros = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);

/**
 * C's `%.{precision}g` (6 by default), as `std::ostream << double` prints with
 * the stream's default precision: `precision` significant digits (0 counts as
 * 1) of the exact value, rounded correctly with exact ties to even; exponent
 * form (`1e-05`, `1.23457e+06`) when the decimal exponent is below -4 or at
 * least `precision`; trailing zeros removed.
 */
export function formatG(x: number, precision = 6): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const sign = signOf(x);
  if (x === 0) return `${sign}0`;
  const p = Math.max(1, precision);
  const [m, e] = binaryValue(x);
  const lo = pow10(p - 1);
  const hi = lo * 10n;
  // the decimal exponent of x rounded to p digits: log10's estimate, corrected by at most a step or two
  let exp = Math.floor(Math.log10(Math.abs(x)));
  let q = roundScaled(m, e, p - 1 - exp);
  while (q >= hi) q = roundScaled(m, e, p - 1 - ++exp);
  while (q < lo) q = roundScaled(m, e, p - 1 - --exp);
  const digits = q.toString();
  if (exp < -4 || exp >= p) {
    const mant = stripZeros(`${digits[0]}.${digits.slice(1)}`);
    return `${sign}${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const fixed = exp >= 0 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `0.${"0".repeat(-exp - 1)}${digits}`;
  return sign + stripZeros(fixed);
}

/**
 * C's `%.{decimals}f`, as `std::ostream << std::fixed << std::setprecision(decimals)`
 * prints: every integer digit and `decimals` decimals of the exact value, rounded
 * correctly with exact ties to even; no point when `decimals` is 0; the sign
 * kept on values that round to zero (`-0.00`).
 */
export function formatFixed(x: number, decimals: number): string {
  const special = nonFinite(x);
  if (special !== undefined) return special;
  const digits = (x === 0 ? "0" : roundScaled(...binaryValue(x), decimals).toString()).padStart(decimals + 1, "0");
  const body = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return signOf(x) + body;
}

/** A float as MLX prints it under the current print options. */
function formatFloat(x: number): string {
  return options.precision < 0 ? formatG(x) : formatFixed(x, options.precision);
}

export function formatScalar(v: Scalar, integer = false): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return integer ? String(v) : formatFloat(v);
  // MLX: `im >= 0 || isnan(im)` prints "+" and im itself (so -0 prints "+-0"), else "-" and -im
  const im = v.im >= 0 || v.im !== v.im ? `+${formatFloat(v.im)}` : `-${formatFloat(-v.im)}`;
  return `${formatFloat(v.re)}${im}j`;
}

const EDGE = 3;

export function formatArray(shape: readonly number[], dtype: DType, words: TypedArray): string {
  const integer = dtype.kind === "int" || dtype.kind === "uint";
  const elem = (i: number) => formatScalar(decodeElement(dtype, words, i), integer);
  const strides = rowMajorStrides(shape);
  const sub = (index: number, dim: number): string => {
    const n = shape[dim]!;
    const last = dim === shape.length - 1;
    const prefix = last ? "" : " ".repeat(7 + dim);
    const sep = last ? ", " : ",\n";
    let s = "[";
    for (let i = 0; i < n; i++) {
      if (i > 0) s += prefix;
      if (i === EDGE && n > 2 * EDGE) {
        s += "...";
        i = n - EDGE - 1;
      } else {
        s += last ? elem(index + i * strides[dim]!) : sub(index + i * strides[dim]!, dim + 1);
      }
      if (i !== n - 1) s += sep;
    }
    return s + "]";
  };
  const body = shape.length === 0 ? elem(0) : sub(0, 0);
  return `array(${body}, dtype=${dtype.name})`;
}

/**
 * Prints `values` like console.log, each array in MLX's format with its values
 * (floats as the print options say: by default `%g` with 6 significant digits),
 * read from whatever device holds it (webgpu included). Other values print as
 * console.log prints them.
 * @example
 * ```ts
 * await mx.print("x =", mx.array([1.5, 2])); // x = array([1.5, 2], dtype=float32)
 * await mx.print(mx.arange(10)); // array([0, 1, 2, ..., 7, 8, 9], dtype=int32)
 * ```
 */
export async function print(...values: unknown[]): Promise<void> {
  const texts = await Promise.all(values.map(async (v) => (v instanceof MxArray && !v.isDisposed ? formatArray(v.shape, v.dtype, await v.data()) : v)));
  console.log(...texts);
}
