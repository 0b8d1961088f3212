// Argument checks shared by mx.nn: every error starts with `[nn.<name>]`
// (the function or class the user called) and names the argument at fault,
// as the ops do. Built on the ops' own helpers.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { checkOptions } from "../ops/strict-options.js";
import { checkInt, isIntIn } from "../argument-checks.js";

export { checkBool, checkChoice, checkInt, checkNumber } from "../argument-checks.js";
export { keywords, keywordArgs, type KeywordArgs, type PositionalThenOptions } from "../keyword-args.js";

/** `x` when it is a live mx array; else an error naming `op` and the argument `name`. */
export function checkArray(op: string, x: unknown, name: string): MxArray {
  if (!(x instanceof MxArray)) {
    throw opError(op, `${name} must be an mx array, got ${Array.isArray(x) ? "a JS array (wrap it with mx.array)" : describeValue(x)}`, [], "type");
  }
  if (x.isDisposed) throw opError(op, `${name} was disposed and can no longer be used`, [x], "value");
  return x;
}

/** A layer's size argument `name`: an integer from `min` to 2^24 (capped so a typo cannot allocate gigabytes). */
export function checkSize(op: string, name: string, v: unknown, min: number): number {
  return checkInt(op, name, v, min, 2 ** 24);
}

/** A function. */
export function checkFunction<T>(op: string, v: unknown, name: string): T {
  if (typeof v !== "function") throw opError(op, `${name} must be a function, got ${describeValue(v)}`, [], "type");
  return v as T;
}

/** An options object (or undefined) holding only `allowed` keys; returned as an object. */
export function options<T extends object>(op: string, o: T | undefined, allowed: readonly string[]): Partial<T> {
  checkOptions(op, o, allowed, false);
  return o ?? {};
}

/** One integer (>= min, <= 2^16) per spatial axis, given once for all `n` axes or as a list of `n`. */
export function checkPerAxis(op: string, v: unknown, name: string, n: number, min: number): number[] {
  const list = typeof v === "number" ? Array<number>(n).fill(v) : v;
  if (!Array.isArray(list) || list.length !== n || !list.every((d) => isIntIn(d, min, 2 ** 16))) {
    throw new TypeError(`[${op}] ${name} must be an integer >= ${min} or a list of ${n} of them, got ${describeValue(v)}`);
  }
  return list as number[];
}
