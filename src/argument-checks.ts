// The checks of plain argument values that the ops, primitives, nn and
// optimizers share (integers, finite numbers, booleans, one of a list): each
// returns the value or throws opError naming the op called, the argument at
// fault and what it takes.

import { describeValue, opError } from "./errors.js";

/** `v` as the messages write a bound: 2^k or 2^k - 1 for the large powers of two (2^31 - 1, not 2147483647; -(2^31 - 1)). */
export function boundText(v: number): string {
  if (v < 0) {
    const text = boundText(-v);
    return text.includes(" ") ? `-(${text})` : `-${text}`;
  }
  for (const [d, tail] of [[0, ""], [1, " - 1"]] as const) {
    const k = Math.round(Math.log2(v + d));
    if (k >= 16 && 2 ** k === v + d) return `2^${k}${tail}`;
  }
  return String(v);
}

/** " from lo to hi", " >= lo", " <= hi" or nothing, for the bounds that are set. */
function rangeText(lo: number, hi: number): string {
  const hasLo = lo > -Number.MAX_SAFE_INTEGER;
  const hasHi = hi < Number.MAX_SAFE_INTEGER;
  if (hasLo && hasHi) return ` from ${boundText(lo)} to ${boundText(hi)}`;
  if (hasLo) return ` >= ${boundText(lo)}`;
  return hasHi ? ` <= ${boundText(hi)}` : "";
}

/** Whether `v` is an integer from `lo` to `hi`. */
export function isIntIn(v: unknown, lo: number, hi: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= lo && v <= hi;
}

/** `v` (argument `name` of `op`) as an integer from `lo` to `hi` (a safe integer where unbounded): a TypeError for a value that is not a number, a RangeError for any other. */
export function checkInt(op: string, name: string, v: unknown, lo = -Number.MAX_SAFE_INTEGER, hi = Number.MAX_SAFE_INTEGER): number {
  if (isIntIn(v, lo, hi)) return v;
  // an integer past the unstated bounds: they are the safe integers
  const unsafe = Number.isInteger(v) && !Number.isSafeInteger(v) && rangeText(lo, hi) === "";
  const what = unsafe ? "a safe integer (at most 2^53 - 1 in magnitude)" : `an integer${rangeText(lo, hi)}`;
  throw opError(op, `${name} must be ${what}, got ${describeValue(v)}`, [], typeof v === "number" ? "range" : "type");
}

/** `v` (argument `name` of `op`) as a finite number from `lo` to `hi` (each bound left out where `open` says). */
export function checkNumber(op: string, name: string, v: unknown, lo = -Infinity, hi = Infinity, open: { lo?: boolean; hi?: boolean } = {}): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw opError(op, `${name} must be a finite number, got ${describeValue(v)}`, [], "type");
  if ((open.lo ? v <= lo : v < lo) || (open.hi ? v >= hi : v > hi)) {
    const range = lo > -Infinity && hi < Infinity ? ` in ${open.lo ? "(" : "["}${lo}, ${hi}${open.hi ? ")" : "]"}` : lo > -Infinity ? ` ${open.lo ? ">" : ">="} ${lo}` : ` ${open.hi ? "<" : "<="} ${hi}`;
    throw opError(op, `${name} must be a finite number${range}, got ${v}`, [], "range");
  }
  return v;
}

/** `v` (argument `name` of `op`) as a boolean. */
export function checkBool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw opError(op, `${name} must be a boolean, got ${describeValue(v)}`, [], "type");
  return v;
}

/** `v` (argument `name` of `op`) as one of `choices`. */
export function checkChoice<T>(op: string, name: string, v: unknown, choices: readonly T[]): T {
  if (!choices.includes(v as T)) throw opError(op, `${name} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${describeValue(v)}`);
  return v as T;
}

/** What an options object may hold after the parameters `Taken` were given positionally. */
export type OptionsWithout<O, Taken extends string> = [Taken] extends [never] ? O : Omit<O, Taken>;

/**
 * The argument lists of MLX's positional-or-keyword parameters `P` ([name,
 * type] pairs in MLX's order) after a function's leading arguments: any
 * leading part of them given positionally (null or undefined: MLX's None,
 * the default), then optionally the options object `O` without the names
 * given positionally. `mx.random.normal(shape, ...rest)` takes
 * `normal([2], mx.float16, 0, 1, key)`, `normal([2], mx.float16, { key })`
 * and `normal([2], { key })`, and refuses `normal([2], mx.float16, { dtype })`.
 */
export type PositionalThen<P extends readonly (readonly [string, unknown])[], O, Given extends unknown[] = [], Taken extends string = never> =
  | [...Given, (OptionsWithout<O, Taken> | undefined)?]
  | (P extends readonly [readonly [infer N extends string, infer T], ...infer Rest extends readonly (readonly [string, unknown])[]]
    ? PositionalThen<Rest, O, [...Given, T | null | undefined], Taken | N>
    : never);
