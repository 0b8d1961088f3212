// Argument checks shared by mx.nn: every error starts with `[nn.<name>]`
// (the function or class the user called) and names the argument at fault,
// as the ops do. Built on the ops' own helpers.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { checkOptions } from "../ops/strict-options.js";
import { checkInt, isIntIn } from "../argument-checks.js";
import { isPlainObject } from "../transforms/tree.js";

export { checkBool, checkChoice, checkInt, checkNumber } from "../argument-checks.js";

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

/**
 * MLX's keyword arguments that a layer or function takes positionally
 * (`new nn.Linear(i, o, bias)`), accepted also as the trailing options object
 * the rest of nn takes (`new nn.Linear(i, o, { bias: false })`). `given` are
 * the trailing arguments as received, `names` their names in order. A plain
 * object among them is the options object: it comes last and holds only the
 * names from its position on (those before it are given positionally).
 * Returns each name's value (undefined where not given), to be checked by the caller.
 */
export function keywords(op: string, given: readonly unknown[], names: readonly string[]): Record<string, unknown> {
  const at = given.findIndex((v) => isPlainObject(v));
  if (at < 0) return Object.fromEntries(names.map((n, i) => [n, given[i]]));
  const late = given.findIndex((v, i) => i > at && v !== undefined);
  if (late >= 0) throw opError(op, `got ${describeValue(given[late])} after the options object { ${names.slice(at).join(", ")} }; the options come last`, [], "type");
  const o = given[at] as Record<string, unknown>;
  checkOptions(op, o, names.slice(at), false);
  return Object.fromEntries(names.map((n, i) => [n, i < at ? given[i] : o[n]]));
}
