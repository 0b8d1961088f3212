// Argument handling of mx.fft: MLX's positional arguments (`fft(a, n, axis)`,
// `fftn(a, s, axes)`) or the same names in a trailing options object, the
// norm names, and the checks of sizes and axes every transform shares.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import type { OpOptions } from "../ops/base.js";
import { checkOptions } from "../ops/strict-options.js";

/** How a transform is scaled: "backward" (1/n on the inverse, the default), "ortho" (1/sqrt(n) both ways) or "forward" (1/n on the forward). */
export type FftNorm = "backward" | "ortho" | "forward";

export interface FftNormOptions extends OpOptions {
  /** "backward" (default), "ortho" or "forward". */
  norm?: FftNorm | undefined;
}

/** An options object: a plain object (not a list, not an array). */
export const isOptions = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof MxArray);

/**
 * The options of `op(a, p0, p1, ..., options)`: the positional values named
 * `names` merged into the trailing options object (which may come at any
 * position after the array, ending the positional ones); a value given both
 * ways is an error, as is an unknown key.
 */
export function fftOptions<T extends OpOptions>(op: string, positional: readonly unknown[], names: readonly string[], allowed: readonly string[]): T {
  const at = positional.findIndex(isOptions);
  const values = at < 0 ? [...positional] : positional.slice(0, at);
  const rest = at < 0 ? [] : positional.slice(at + 1);
  if (rest.some((v) => v !== undefined)) throw opError(op, `got an options object and a further argument ${describeValue(rest.find((v) => v !== undefined))}; pass the options last, once`, [], "type");
  while (values.length && values[values.length - 1] === undefined) values.pop();
  // a value past the named ones sits where the options object goes
  if (values.length > names.length) throw opError(op, `options must be an object such as { ${[...allowed, "stream"].join(", ")} }, got ${describeValue(values[names.length])}`, [], "type");
  const o = (at < 0 ? {} : positional[at]) as Record<string, unknown>;
  checkOptions(op, o, allowed);
  const merged: Record<string, unknown> = { ...o };
  values.forEach((v, i) => {
    const name = names[i]!;
    if (v === undefined) return;
    if (o[name] !== undefined) throw opError(op, `${name} given twice: ${describeValue(v)} and { ${name}: ${describeValue(o[name])} }`, [], "value");
    merged[name] = v;
  });
  return merged as T;
}

/** The norm option, checked. */
export function parseNorm(op: string, norm: unknown): FftNorm {
  if (norm === undefined) return "backward";
  if (norm === "backward" || norm === "ortho" || norm === "forward") return norm;
  throw opError(op, `norm must be one of 'backward', 'ortho', 'forward', got ${describeValue(norm)}`, [], "value");
}

/** A transform length: a positive integer. */
export function checkSize(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw opError(op, `${name} must be a positive integer, got ${describeValue(v)}`, [], "type");
  if (v <= 0 || v >= 2 ** 31) throw opError(op, `${name} must be a positive integer below 2^31, got ${v}`, [], "value");
  return v;
}

/** A list of integers (sizes or axes). */
export function intList(op: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw opError(op, `${name} must be a list of integers, got ${describeValue(v)}`, [], "type");
  return Array.from(v as unknown[], (x) => {
    if (typeof x !== "number" || !Number.isInteger(x)) throw opError(op, `${name} must be a list of integers, got ${describeValue(v)}`, [], "type");
    return x;
  });
}
