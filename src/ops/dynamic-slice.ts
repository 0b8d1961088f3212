// MLX's dynamic slicing: mx.slice(a, start, axes, sliceSize) and
// mx.sliceUpdate(a, update, start, axes) with the start indices in an mx
// array (read when the graph runs), composed from take's primitive and where, so
// every backend and transform has them.

import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { int32, int64, isInteger } from "../dtype.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { normalizeAxis } from "../shape.js";
import { checkArrayLike, node, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { arange } from "./creation.js";
import { add, astype, clip, greaterEqual, less, logicalAnd, subtract, where } from "./elementwise.js";
import { Take } from "../primitives/indexing.js";
import { broadcastTo, reshape, slice } from "./layout.js";

/** The elements of `a` at 1-D `index` along `axis` (take's primitive, built directly: ops that layout.ts holds use it, and indexing.ts imports layout.ts). */
export function pickAlong(a: MxArray, index: MxArray, axis: number, s: Stream): MxArray {
  return node(new Take(axis), [a, index], s);
}

/** The axes of dynamic slice op `op` (MLX's checks): one distinct axis of `a` per start index, normalized; `start` a 0-D or 1-D integer array. */
function startAxes(op: string, a: MxArray, start: MxArray, axes: unknown): number[] {
  if (start.ndim > 1) throw opError(op, `the start indices must be a 0-D or 1-D array, got shape ${shapeStr(start.shape)}`, [a, start], "value");
  if (!isInteger(start.dtype)) throw opError(op, `the start indices must be integers, got ${start.dtype.name}`, [a, start], "type");
  const list = axes === undefined || axes === null ? [...Array(start.size).keys()] : axes;
  if (!Array.isArray(list)) throw opError(op, `axes must be a list of integers, got ${describeValue(axes)}`, [a], "type");
  if (list.length !== start.size) throw opError(op, `${start.size} start indices for ${list.length} axes; give one per axis`, [a, start], "value");
  const out = list.map((v: unknown) => normalizeAxis(op, v as number, a.ndim, "axes", [a]));
  if (new Set(out).size !== out.length) throw opError(op, `axes must not repeat, got ${describeValue(axes)}`, [a], "value");
  return out;
}

/**
 * Start index `i` of `start`, clamped so a window of `size` elements stays
 * inside an axis of `n` (MLX reads outside the array there): an int32 scalar.
 */
function clampedStart(start: MxArray, i: number, n: number, size: number, o: OpOptions): MxArray {
  const v = reshape(slice(reshape(start, [start.size], o), [i], [i + 1], undefined, o), [], o);
  return astype(clip(astype(v, int64, o), 0, n - size, o), int32, o);
}

/** `a[start : start + size]` on the sliced axes of dynamic slice `op`, `a[0 : size]` on the others (sizes checked). */
export function dynamicSlice(op: string, a: MxArray, start: MxArray, axes: unknown, sliceSize: unknown, s: Stream): MxArray {
  const o = { stream: s };
  const ax = startAxes(op, a, start, axes);
  if (!Array.isArray(sliceSize) || sliceSize.length !== a.ndim || !sliceSize.every((v, d) => Number.isInteger(v) && v >= 0 && v <= a.shape[d]!)) {
    throw opError(op, `sliceSize must hold one size per axis of the array (shape ${shapeStr(a.shape)}), each from 0 to the axis's size, got ${describeValue(sliceSize)}`, [a], "value");
  }
  const sizes = sliceSize as number[];
  // the axes without a start index begin at 0
  let out = slice(a, a.shape.map(() => 0), a.shape.map((n, d) => (ax.includes(d) ? n : sizes[d]!)), undefined, o);
  ax.forEach((d, i) => {
    const index = add(arange(0, sizes[d]!, { dtype: int32, ...o }), clampedStart(start, i, a.shape[d]!, sizes[d]!, o), o);
    out = pickAlong(out, index, d, s);
  });
  return out;
}

/**
 * `a` with `update` written at the start indices on `axes` (MLX's rule: the
 * update's missing leading axes broadcast to a's, except sliced ones, which
 * get extent 1): a gather of the update over a's shape, kept where it falls
 * inside the window.
 */
export function dynamicSliceUpdate(op: string, a: MxArray, update: ArrayLike, start: MxArray, axes: unknown, s: Stream): MxArray {
  const o = { stream: s };
  const ax = startAxes(op, a, start, axes);
  let u = astype(toArray(op, checkArrayLike(op, update, "update"), s, a.dtype, "update"), a.dtype, o);
  if (u.ndim > a.ndim) throw opError(op, `update of rank ${u.ndim} is larger than the array's rank ${a.ndim}`, [a, u], "value");
  const lead = a.ndim - u.ndim;
  const window = a.shape.map((n, d) => (d < lead ? (ax.includes(d) ? 1 : n) : Math.min(u.shape[d - lead]!, n)));
  u = broadcastTo(u, window, o);
  if (u.size === 0) return a;
  let gathered = u;
  let inside: MxArray | undefined;
  a.shape.forEach((n, d) => {
    const i = ax.indexOf(d), size = window[d]!;
    if (i < 0 && size === n) return; // the whole axis
    const first = i < 0 ? toArray(op, 0, s, int32) : clampedStart(start, i, n, size, o);
    const offset = subtract(arange(0, n, { dtype: int32, ...o }), first, o);
    gathered = pickAlong(gathered, clip(offset, 0, size - 1, o), d, s);
    const along = reshape(logicalAnd(greaterEqual(offset, 0, o), less(offset, size, o), o), a.shape.map((m, k) => (k === d ? m : 1)), o);
    inside = inside ? logicalAnd(inside, along, o) : along;
  });
  return inside ? where(inside, gathered, a, o) : gathered;
}
