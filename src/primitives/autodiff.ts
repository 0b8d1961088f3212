// Helpers the primitives' vjp / jvp / vmap rules share: summing a cotangent
// back to a broadcast input's shape, moving batch axes, and lining batched
// operands up for broadcasting. Rules are written with ops, on the stream of
// the node they differentiate.

import type { MxArray } from "../array.js";
import { ops } from "./ops-ref.js";
import type { OpOptions } from "../ops/index.js";

/** The options that put an op on `x`'s stream. */
export function on(x: MxArray): OpOptions {
  return { stream: x.stream };
}

/** `ct` (of a broadcast result) summed back to `shape`: over added leading dims and dims broadcast from 1. */
export function unbroadcast(ct: MxArray, shape: readonly number[]): MxArray {
  if (ct.shape.length === shape.length && ct.shape.every((d, i) => d === shape[i])) return ct;
  const lead = ct.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.ndim; i++) if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  const summed = axes.length ? ops.sum(ct, { axis: axes, keepdims: true, ...on(ct) }) : ct;
  return ops.reshape(summed, shape, on(ct));
}

/** `x` with its batch axis (or none) first. */
export function batchFirst(x: MxArray, axis: number | null): MxArray {
  return axis === null || axis === 0 ? x : ops.moveaxis(x, axis, 0, on(x));
}

/** The batch size of batched inputs (they agree; vmap checks). */
export function batchSize(inputs: readonly MxArray[], axes: readonly (number | null)[]): number {
  const k = axes.findIndex((a) => a !== null);
  return inputs[k]!.shape[axes[k]!]!;
}

/**
 * Elementwise operands lined up for broadcasting with the batch first: batched
 * ones get the batch at axis 0 and size-1 dims after it up to the widest
 * operand's rank, unbatched ones stay (NumPy broadcasting pads them in front).
 */
export function alignBatched(inputs: readonly MxArray[], axes: readonly (number | null)[]): MxArray[] {
  const rank = Math.max(...inputs.map((x, i) => x.ndim - (axes[i] === null ? 0 : 1)));
  return inputs.map((x, i) => {
    if (axes[i] === null) return x;
    const b = batchFirst(x, axes[i]!);
    const missing = rank - (b.ndim - 1);
    if (missing === 0) return b;
    return ops.expandDims(b, Array.from({ length: missing }, (_, k) => k + 1), on(b));
  });
}

/** The sum of two optional tangents or cotangents (null is zero). */
export function addOptional(a: MxArray | null, b: MxArray | null): MxArray | null {
  if (!a) return b;
  if (!b) return a;
  return ops.add(a, b, on(a));
}

/** Axes of a reduction result with keepdims: the kept-dims shape of `x` reduced over `axes`. */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** After moving the batch to axis 0: each axis shifted by one. */
export function shiftAxes(axes: readonly number[]): number[] {
  return axes.map((a) => a + 1);
}
