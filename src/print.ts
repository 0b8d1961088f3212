// MLX's printed form of an array: `array([[1, 2],\n       [3, 4]], dtype=int32)`,
// numbers as C++ streams print them (6 significant digits, %g), bools as
// true/false, dims longer than 6 summarized as first 3, ..., last 3; and
// mx.print, which reads arrays from any device and prints them like console.log.

import { checkInt } from "./argument-checks.js";
import { MxArray } from "./array.js";
import { checkOptions } from "./ops/strict-options.js";
import type { DType } from "./dtype.js";
import { describeValue, opError } from "./errors.js";
import { rowMajorStrides } from "./shape.js";
import { decodeElement, type Scalar, type TypedArray } from "./storage.js";

/** MLX's print options: `precision` is the significant digits of printed floats (MLX's default, C++'s 6). */
export interface PrintOptions {
  precision: number;
}

const DEFAULT_PRECISION = 6;
let options: PrintOptions = { precision: DEFAULT_PRECISION };

/**
 * Sets how arrays print (MLX's `mx.set_printoptions`): `precision`, the
 * significant digits of floats (`undefined` restores MLX's default, 6).
 * @example
 * ```ts
 * mx.setPrintoptions({ precision: 3 });
 * mx.array([3.14159]).toString(); // "array([3.14], dtype=float32)"
 * mx.setPrintoptions({ precision: undefined });
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
  return { precision: checkInt(op, "precision", p, 1, 17) };
}

/**
 * The current print options (MLX's `mx.get_printoptions`).
 * @example
 * ```ts
 * mx.getPrintoptions().precision; // 6
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
 * mx.printoptions({ precision: 2 }, () => mx.array([2.71828]).toString()); // "array([2.7], dtype=float32)"
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

/** C's `%g` with `precision` significant digits (the print options'; 6 by default), as `std::ostream << double` prints. */
export function formatG(x: number, precision = options.precision): string {
  if (x !== x) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mant, expStr] = x.toExponential(precision - 1).split("e") as [string, string];
  const exp = Number(expStr);
  const strip = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= precision) {
    return `${strip(mant)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return strip(x.toFixed(precision - 1 - exp));
}

export function formatScalar(v: Scalar, integer = false): string {
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return integer ? String(v) : formatG(v);
  const im = formatG(Math.abs(v.im));
  return `${formatG(v.re)}${v.im < 0 || Object.is(v.im, -0) ? "-" : "+"}${im}j`;
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
 * (numbers as `%g` with 6 significant digits), read from whatever device holds
 * it (webgpu included). Other values print as console.log prints them.
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
