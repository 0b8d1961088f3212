// Shape arithmetic: sizes, row-major strides, broadcasting and axis
// normalization, with errors that name the op.

import { describeValue, opError, shapeStr, type Described } from "./errors.js";

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** NumPy broadcasting of several shapes. */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  if (shapes.length === 2) {
    // common cases without the general loop: equal shapes, or one side a scalar
    const [a, b] = shapes as [readonly number[], readonly number[]];
    if (b.length === 0 || sameShape(a, b)) return a as number[];
    if (a.length === 0) return b as number[];
  }
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      const d = s[i]!;
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw opError(op, `shapes ${shapes.map(shapeStr).join(" and ")} cannot be broadcast together (dimension ${i - s.length} is ${d} vs ${out[j]}; sizes must match or be 1)`);
      }
    }
  }
  return out;
}

/** The largest dimension MLX allows (its shapes hold int32). */
export const MAX_DIM = 2 ** 31 - 1;

/** `shape` as a list of dimensions (argument `name` of `op`): non-negative integers of at most 2^31 - 1. */
export function checkShape(op: string, shape: unknown, name = "shape"): number[] {
  if (!Array.isArray(shape)) throw opError(op, `${name} must be an array of non-negative integers, got ${describeValue(shape)}`, [], "type");
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (!(i in shape) || typeof d !== "number" || !Number.isInteger(d) || d < 0) {
      throw opError(op, `${name} must be an array of non-negative integers, got ${describeValue(shape)} (dimension ${i} is ${i in shape ? describeValue(d) : "a hole"})`, [], "type");
    }
    if (d > MAX_DIM) throw opError(op, `dimension ${i} of ${name} ${JSON.stringify(shape)} is ${d}; dimensions must be at most 2^31 - 1`, [], "value");
  }
  return shape as number[];
}

/** `axis` (argument `name` of `op`) as an index into `ndim` axes; `inputs` are the arrays the error lists. */
export function normalizeAxis(op: string, axis: unknown, ndim: number, name = "axis", inputs: readonly Described[] = []): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) throw opError(op, `${name} must be an integer, got ${describeValue(axis)}`, inputs, "type");
  if (axis < -ndim || axis >= ndim) {
    throw opError(op, `${name} ${axis} is out of bounds for an array with ${ndim} dimension${ndim === 1 ? "" : "s"} (valid: ${-ndim} to ${ndim - 1})`, inputs, "range");
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Axes (argument `name` of `op`) as a sorted, de-duplicated list; `undefined` and `null` mean every axis. */
export function normalizeAxes(op: string, axis: unknown, ndim: number, name = "axis", inputs: readonly Described[] = []): number[] {
  if (axis === undefined || axis === null) return [...Array(ndim).keys()];
  const list: unknown = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) throw opError(op, `${name} must be a number or an array of numbers, got ${describeValue(axis)}`, inputs, "type");
  const out = list.map((a) => normalizeAxis(op, a, ndim, name, inputs));
  if (new Set(out).size !== out.length) throw opError(op, `duplicate axes in ${name} ${JSON.stringify(list)}`, inputs, "range");
  return out.sort((a, b) => a - b);
}
