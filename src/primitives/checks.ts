// The checks the primitives' `validate` rules share (src/primitive.ts says when
// they run): input counts, ranks and dtypes; integers, booleans, choices, axes,
// shapes and matrices. Each throws an Error "[primitive] ..." naming the parameter.

import { DType, float32, float64 } from "../dtype.js";
import { describeValue, opError, type Described } from "../errors.js";
import type { Spec } from "../primitive.js";
import { checkShape } from "../shape.js";
import { isIntIn } from "../argument-checks.js";

export { checkBool, checkChoice, checkInt, checkNumber } from "../argument-checks.js";

/** Throws unless there are `min` to `max` inputs. */
export function checkInputCount(op: string, inputs: readonly Spec[], min: number, max = min): void {
  if (inputs.length < min || inputs.length > max) {
    throw opError(op, `takes ${min === max ? min : `${min} to ${max}`} input${max === 1 ? "" : "s"}, got ${inputs.length}`, inputs);
  }
}

/** `v` (parameter `name`) as a dtype. */
export function checkDType(op: string, name: string, v: unknown): DType {
  if (!(v instanceof DType)) throw opError(op, `${name} must be a dtype, got ${describeValue(v)}`, [], "type");
  return v;
}

/** `v` (parameter `name`) as `length` integers (any length when undefined), each from `lo` to `hi`. */
export function checkIntList(op: string, name: string, v: unknown, length: number | undefined, lo: number, hi: number): number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length) || !v.every((x) => isIntIn(x, lo, hi))) {
    throw opError(op, `${name} must be ${length ?? "a list of"} integers from ${lo} to ${hi}, got ${describeValue(v)}`, [], "range");
  }
  return v as number[];
}

/** `v` (parameter `name`) as an axis of an input of `ndim` dimensions (non-negative: the ops resolved it). */
export function checkAxis(op: string, name: string, v: unknown, ndim: number): number {
  if (!isIntIn(v, 0, ndim - 1)) throw opError(op, `${name} must be an axis of an input of ${ndim} dimension${ndim === 1 ? "" : "s"} (0 to ${ndim - 1}), got ${describeValue(v)}`, [], "range");
  return v;
}

/** `v` (parameter `name`) as distinct axes of an input of `ndim` dimensions, in increasing order when `sorted`. */
export function checkAxes(op: string, name: string, v: unknown, ndim: number, sorted: boolean): number[] {
  const ok = Array.isArray(v) && v.every((a, i) => isIntIn(a, 0, ndim - 1) && (sorted ? i === 0 || a > v[i - 1] : v.indexOf(a) === i));
  if (!ok) throw opError(op, `${name} must be distinct${sorted ? " increasing" : ""} axes of an input of ${ndim} dimension${ndim === 1 ? "" : "s"}, got ${describeValue(v)}`, [], "range");
  return v as number[];
}

/** `v` (parameter `name`) as a shape (`length` dimensions when given) of non-negative integers of at most 2^31 - 1. */
export function checkDims(op: string, name: string, v: unknown, length?: number): number[] {
  const shape = checkShape(op, v, name);
  if (length !== undefined && shape.length !== length) throw opError(op, `${name} must have ${length} dimension${length === 1 ? "" : "s"}, got ${describeValue(v)}`, [], "value");
  return shape;
}

/** Throws unless every spec of `specs` (named `names`) has the first one's dtype. */
export function checkSameDType(op: string, specs: readonly Spec[], names: readonly string[]): void {
  const k = specs.findIndex((s) => s.dtype !== specs[0]!.dtype);
  if (k > 0) throw opError(op, `${names[0]} and ${names[k]} must have one dtype, got ${specs[0]!.dtype.name} and ${specs[k]!.dtype.name}`, specs, "type");
}

/** Throws unless the spec (input `name`) has `ndim` dimensions, or at least `ndim` when `atLeast`. */
export function checkRank(op: string, name: string, s: Spec, ndim: number, atLeast = false): void {
  if (atLeast ? s.shape.length < ndim : s.shape.length !== ndim) {
    throw opError(op, `${name} must have ${atLeast ? "at least " : ""}${ndim} dimension${ndim === 1 ? "" : "s"}, got shape (${s.shape.join(", ")})`, [s], "value");
  }
}

/** Throws (naming `op`) unless `x` (argument `name`) is float32 or float64 of at least 2 dimensions, square in its last two when `square`. */
export function checkMatrix(op: string, x: Described, square: boolean, name = "a"): void {
  if (x.dtype !== float32 && x.dtype !== float64) throw opError(op, `${name} must be float32 or float64, got ${x.dtype.name} (cast it with mx.astype)`, [x], "type");
  if (x.shape.length < 2) throw opError(op, `${name} must have at least 2 dimensions (a matrix or a batch of them), got ${x.shape.length}`, [x], "value");
  if (square && x.shape.at(-1) !== x.shape.at(-2)) throw opError(op, `${name} must be square in its last two dimensions, got ${x.shape.at(-2)} x ${x.shape.at(-1)}`, [x], "value");
}

/** A factorization's one input: matrices (square ones when `square`) the kernels walk row by row. */
export function checkMatrixInput(op: string, inputs: readonly Spec[], square: boolean): void {
  checkInputCount(op, inputs, 1);
  checkMatrix(op, inputs[0]!, square);
}
