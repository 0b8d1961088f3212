// Indexing ops: take / takeAlongAxis / putAlongAxis / sliceUpdate, and the
// indexing surface (`index` for x[...], `indexUpdate` for x.at[...]): basic
// indices lower to views (slice, reshape), integer arrays to a gather or a
// scatter along one axis. Index arrays are checked here (integer dtypes,
// shapes); their values wrap once when negative and clamp into the axis.

import { MxArray, type NestedList } from "../array.js";
import { asOp, axisThenOptions, checkOptions, noExtraArguments } from "./strict-options.js";
import { bool, float32, int32, int64, isInexact, isInteger, isIntegerNumber, type DType } from "../dtype.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { checkIndexedAxis, GatherAxis, indicesAlong, ScatterAxis, SliceUpdate, Take, takeShape, type ScatterMode } from "../primitives/indexing.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { regionOutside, Slice } from "../primitives/layout.js";
import { broadcastShapes, MAX_DIM, normalizeAxis, sameShape, sizeOf } from "../shape.js";
import type { Stream } from "../device.js";
import { checkArrayLike, flatShape, flatView, node, opStream, streamOf, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { array, arange } from "./creation.js";
import { add, astype, logicalAnd, maximum, minimum, multiply, negative, reciprocal, where, less } from "./elementwise.js";
import { cumsum } from "./scan.js";
import { broadcastTo, expandDims, flatten, reshape, transpose } from "./layout.js";
import { IndexSlice, indexSlice } from "./index-slice.js";
import { dynamicSliceUpdate } from "./dynamic-slice.js";

export { IndexSlice };

/**
 * A slice index entry, Python's `slice(...)` (also `mx.slice(start, stop, step)`): `s(stop)`, `s(start, stop)` or
 * `s(start, stop, step)`; null (or leaving an argument out) takes the default.
 * @example
 * ```ts
 * await mx.index(mx.arange(10), mx.s(1, 8, 3)).tolist(); // [1, 4, 7]
 * await mx.index(mx.arange(5), mx.s(null, null, -1)).tolist(); // [4, 3, 2, 1, 0]
 * ```
 */
export function s(start?: number | null, stop?: number | null, step?: number | null): IndexSlice {
  noExtraArguments("s", arguments, 3);
  return indexSlice("s", arguments.length === 1 ? [start] : [start, stop, step]);
}

/** A JS list of integers (nested for a multi-dimensional index array; bigints too), read as `mx.array` reads it. */
export type IndexList = readonly (number | bigint | IndexList)[];

/** A JS list of booleans (nested as the mask's shape): a mask, for `x.at(mask).set(v)` only. */
export type MaskList = readonly (boolean | MaskList)[];

/**
 * One entry of an index, as in MLX / NumPy: an integer (negative counts from
 * the end), a slice (`mx.s(...)` or a string `"1:3"`, `"::2"`, `":"`,
 * `"::-1"`), `null` for a new axis, `"..."` for the axes not named, or an
 * integer array (an `mx` array of any integer dtype, or a JS list of integers,
 * whose dtype is inferred as `mx.array` infers it: int32, int64 past int32's
 * range; a fraction is an error). A boolean mask (a bool array, a JS list of
 * booleans, or `true` / `false`) is taken alone and by `x.at(mask).set(v)`
 * only, as MLX's `x[mask] = v`: reading through a mask would give a shape
 * that depends on the data (MLX refuses it too).
 */
export type IndexEntry = number | string | IndexSlice | null | MxArray | IndexList | boolean | MaskList;

type Entry =
  | { kind: "slice"; start: number | null; stop: number | null; step: number | null }
  | { kind: "int"; i: number }
  | { kind: "new" }
  | { kind: "array"; a: MxArray };

const FULL: Entry = { kind: "slice", start: null, stop: null, step: null };

function parseSliceString(op: string, text: string): Entry {
  const parts = text.split(":");
  const bad = () => opError(op, `cannot read the index ${JSON.stringify(text)}: expected "start:stop:step" with optional integers, or "..."`, [], "value");
  if (parts.length < 2 || parts.length > 3) throw bad();
  const nums = parts.map((p) => {
    const t = p.trim();
    if (t === "") return null;
    if (!/^[-+]?\d+$/.test(t)) throw bad();
    return Number(t);
  });
  if (nums[2] === 0) throw opError(op, `slice step must not be 0 in ${JSON.stringify(text)}`, [], "value");
  return { kind: "slice", start: nums[0] ?? null, stop: nums[1] ?? null, step: nums[2] ?? null };
}

/** An index array: an integer-dtype mx array, or a JS list of integers (see jsIndexArray); a bool one is refused (see maskRefusal). */
function indexArray(op: string, v: MxArray | IndexList | MaskList, name: string, stream: Stream): MxArray {
  if (!(v instanceof MxArray) && !Array.isArray(v)) throw opError(op, `${name} must be an integer array (an mx array or nested JS arrays of integers), got ${describeValue(v)}`, [], "type");
  const a = v instanceof MxArray ? v : jsIndexArray(op, v, name, stream);
  if (a.dtype === bool) throw maskRefusal(op, `${name} must have an integer dtype, got bool`, [a]);
  if (!isInteger(a.dtype)) throw opError(op, `${name} must have an integer dtype, got ${a.dtype.name}`, [a], "type");
  return a;
}

/**
 * A JS index list as an array of the dtype `mx.array` infers for it, as MLX
 * reads a list index (int32, int64 past int32's range, bool for booleans),
 * but a list of fractions (or of whole numbers past int64's range, floats) is
 * an error naming `op` and the argument, as MLX refuses a float index array;
 * an empty list is an empty int32 index (NumPy's rule). Errors name `op` and the argument.
 */
function jsIndexArray(op: string, v: IndexList | MaskList, name: string, stream: Stream): MxArray {
  let a: MxArray;
  try {
    a = array(v as NestedList, { stream });
  } catch (e) {
    throw opError(op, `${name}: ${(e as Error).message.replace(/^\[array\] /, "")}`, [], e instanceof TypeError ? "type" : "value");
  }
  if (a.size === 0 && a.dtype === float32) return array(v as NestedList, int32, { stream });
  if (isInteger(a.dtype) || a.dtype === bool) return a;
  const leaves = (v as readonly unknown[]).flat(Infinity);
  const bad = leaves.find((x) => typeof x === "object" || (typeof x === "number" && !isIntegerNumber(x)));
  const what = typeof bad === "object" ? "a complex value" : Number.isInteger(bad) ? `${String(bad)} (past int64's range, so a float)` : String(bad);
  throw opError(op, `${name} must hold integers (a JS list of integers or an integer mx array), got ${what}`, [], "type");
}

/** The error for a bool index array where an integer one is needed (a mask only updates, alone, by set). */
function maskRefusal(op: string, head: string, inputs: readonly MxArray[]): Error {
  const why = op.startsWith("at.") || op === "indexUpdate"
    ? "a boolean mask is taken alone (the whole index) and by set only: x.at(mask).set(v), MLX's x[mask] = v; for other updates use mx.where(mask, ..., x)"
    : "boolean indices are not supported for reading (the result's shape would depend on the data; MLX refuses x[mask] too); a mask updates through x.at(mask).set(v), or select with mx.where(mask, a, b)";
  return opError(op, `${head}: ${why}`, [...inputs], "type");
}

/** The entries with the ellipsis expanded into full slices, one consuming entry per axis of `x` (nulls apart). */
function parseIndex(op: string, x: MxArray, idx: readonly IndexEntry[]): Entry[] {
  const entries: (Entry | "...")[] = idx.map((v, k) => {
    if (v === null) return { kind: "new" };
    if (v === "...") return "...";
    if (typeof v === "number") {
      if (!Number.isInteger(v)) throw opError(op, `index ${k} must be an integer, got ${v}`, [x], "type");
      return { kind: "int", i: v };
    }
    if (typeof v === "string") return parseSliceString(op, v);
    if (typeof v === "boolean") throw maskRefusal(op, `index ${k} must be an integer, a slice, null, "..." or an integer array, got the boolean ${v}`, [x]);
    if (v instanceof IndexSlice) return { kind: "slice", start: v.start, stop: v.stop, step: v.step };
    if (v instanceof MxArray || Array.isArray(v)) return { kind: "array", a: indexArray(op, v as MxArray | IndexList, `index ${k}`, x.stream) };
    throw opError(op, `index ${k} must be an integer, a slice (mx.s or "start:stop:step"), null, "..." or an integer array, got ${describeValue(v)}`, [x], "type");
  });
  const ellipses = entries.filter((e) => e === "...").length;
  if (ellipses > 1) throw opError(op, `an index can have only one ellipsis ("..."), got ${ellipses}`, [x], "value");
  const consumed = entries.filter((e) => e !== "..." && e.kind !== "new").length;
  if (consumed > x.ndim) throw opError(op, `too many indices: ${consumed} for an array of ${x.ndim} dimension${x.ndim === 1 ? "" : "s"}`, [x], "range");
  const fill = Array<Entry>(x.ndim - consumed).fill(FULL);
  const at = entries.indexOf("...");
  const list = at < 0 ? [...entries, ...fill] : [...entries.slice(0, at), ...fill, ...entries.slice(at + 1)];
  return list as Entry[];
}

/** Python slice bounds on an axis of size n: first element, step and count. */
function sliceBounds(n: number, e: { start: number | null; stop: number | null; step: number | null }): { start: number; step: number; count: number } {
  const step = e.step ?? 1;
  const clampAt = (v: number | null, dflt: number, lo: number, hi: number) => (v === null ? dflt : Math.min(Math.max(v < 0 ? v + n : v, lo), hi));
  const b = step > 0 ? clampAt(e.start, 0, 0, n) : clampAt(e.start, n - 1, -1, n - 1);
  const end = step > 0 ? clampAt(e.stop, n, 0, n) : clampAt(e.stop, -1, -1, n - 1);
  const count = Math.max(0, Math.ceil((step > 0 ? end - b : b - end) / Math.abs(step)));
  return { start: count === 0 ? 0 : b, step, count };
}

/** An integer index wrapped once and checked against the axis (static, so checked here). */
function intIndex(op: string, x: MxArray, i: number, axis: number): number {
  const n = x.shape[axis]!;
  if (i < -n || i >= n) throw opError(op, `index ${i} is out of bounds for axis ${axis} with size ${n}`, [x], "range");
  return i < 0 ? i + n : i;
}

/** The strided view of x that the slice and integer entries select per axis (integers keep a size-1 axis; arrays keep the whole axis). */
function basicView(op: string, x: MxArray, entries: readonly Entry[], arraysPresent: boolean): MxArray {
  const start: number[] = [], step: number[] = [], shape: number[] = [];
  let axis = 0;
  for (const e of entries) {
    if (e.kind === "new") continue;
    const n = x.shape[axis]!;
    if (e.kind === "slice") {
      const b = sliceBounds(n, e);
      start.push(b.start), step.push(b.step), shape.push(b.count);
    } else if (e.kind === "int" && !arraysPresent) {
      start.push(intIndex(op, x, e.i, axis)), step.push(1), shape.push(1);
    } else start.push(0), step.push(1), shape.push(n);
    axis++;
  }
  // in a shapeless trace only whole slices (their bounds taking every element of any size) skip the node
  if (sameShape(shape, x.shape) && step.every((k) => k === 1) && (!inShapelessTrace() || entries.every((e) => e.kind === "new" || wholeSlice(e)))) return x;
  return node(new Slice(start, step, shape), [x], x.stream);
}

/** A slice entry that takes every element of an axis of any size: start 0 or none, no stop, step 1 or none. */
function wholeSlice(e: Entry): boolean {
  return e.kind === "slice" && (e.start ?? 0) === 0 && e.stop === null && (e.step ?? 1) === 1;
}

/** gatherAxis with the shape checks every gather needs: a and indices agree except along `axis`. */
function gatherAlong(op: string, a: MxArray, indices: MxArray, axis: number, stream: Stream): MxArray {
  checkIndexedAxis(op, a, indices, axis, "cannot take elements from");
  return node(new GatherAxis(axis), [a, indices], stream);
}

/**
 * `x[...idx]`: each entry indexes one axis (see {@link IndexEntry}). Without
 * arrays the result is a view (slice, reshape). Integer arrays (and, when one is
 * present, integers) broadcast together as NumPy's advanced indices: their
 * dims replace the indexed axes when those entries are adjacent once `"..."`
 * is expanded into full slices (MLX's rule: an `"..."` that stands for no
 * axis separates nothing, where NumPy moves the dims first), and come first
 * otherwise (a slice, `null` or a non-empty `"..."` between them). JS lists
 * of integers are index arrays (int32, int64 past int32's range); fractions
 * and booleans are errors. Array values wrap once when negative and clamp
 * into the axis (MLX leaves out-of-bounds values undefined); integers out of
 * bounds are an error.
 * @example
 * ```ts
 * const x = mx.reshape(mx.arange(12), [3, 4]);
 * await mx.index(x, 1).tolist(); // [4, 5, 6, 7]
 * await mx.index(x, ":", "1:3").tolist(); // [[1, 2], [5, 6], [9, 10]]
 * await mx.index(x, "::-1", -1).tolist(); // [11, 7, 3]
 * mx.index(x, null, "...").shape; // [1, 3, 4]
 * await mx.index(x, mx.array([2, 0]), mx.array([-1, 1])).tolist(); // [11, 1]
 * await mx.index(x, [0, 0], "1:3").tolist(); // [[1, 2], [1, 2]]
 * ```
 */
export function index(x: ArrayLike, ...idx: IndexEntry[]): MxArray {
  return asOp("index", () => {
    const op = "index";
    const a = toArray(op, checkArrayLike(op, x), streamOf(undefined, x));
    const entries = parseIndex(op, a, idx);
    const arraysPresent = entries.some((e) => e.kind === "array");
    const v = basicView(op, a, entries, arraysPresent);
    if (!arraysPresent) {
      // only new axes (and whole axes): expandDims, which a shapeless trace replays on other shapes
      if (entries.every((e) => e.kind === "new" || wholeSlice(e))) {
        const axes = entries.flatMap((e, i) => (e.kind === "new" ? [i] : []));
        return axes.length ? expandDims(a, axes) : a;
      }
      const shape: number[] = [];
      let axis = 0;
      for (const e of entries) {
        if (e.kind === "new") shape.push(1);
        else if (e.kind === "slice") shape.push(v.shape[axis++]!);
        else axis++;
      }
      return reshape(v, shape);
    }
    return advancedIndex(op, v, entries);
  });
}

/**
 * How advanced entries (integer arrays; integers count as 0-d arrays then)
 * index v: the broadcast index shape B, one flat index into the advanced axes
 * merged row-major (`flat`, B's shape), v's axes advanced first (`order`),
 * the merged sizes, and NumPy's placement of B among the other result dims
 * (`before` and `after`, size-1 dims for new axes included).
 */
interface AdvancedPlan {
  B: number[];
  flat: MxArray;
  order: number[];
  M: number;
  rest: number[];
  before: number[];
  after: number[];
}

function advancedPlan(op: string, v: MxArray, entries: readonly Entry[]): AdvancedPlan {
  const stream = v.stream;
  const advAxes: number[] = [], restAxes: number[] = [], advPositions: number[] = [];
  const indices: (MxArray | number)[] = [];
  let axis = 0;
  entries.forEach((e, k) => {
    if (e.kind === "new") return;
    if (e.kind === "array" || e.kind === "int") {
      advAxes.push(axis), advPositions.push(k);
      indices.push(e.kind === "array" ? e.a : intIndex(op, v, e.i, axis));
    } else restAxes.push(axis);
    axis++;
  });
  const B = broadcastShapes(op, ...indices.map((i) => (typeof i === "number" ? [] : i.shape)));
  const dims = advAxes.map((ax) => v.shape[ax]!);
  const rest = restAxes.map((ax) => v.shape[ax]!);
  const M = sizeOf(dims);
  if (M === 0 && sizeOf(B) > 0) throw opError(op, `cannot index an axis of size 0 with a non-empty index array`, [v], "range");
  let flat: MxArray;
  if (indices.length === 1) flat = indices[0] as MxArray;
  else {
    const dt: DType = M > 2 ** 31 - 1 ? int64 : int32;
    let stride = 1;
    let acc: MxArray | null = null;
    for (let k = indices.length - 1; k >= 0; k--) {
      const n = dims[k]!, ik = indices[k]!;
      let term: MxArray;
      if (typeof ik === "number") term = toArray(op, ik * stride, stream, dt);
      else {
        // as the kernels do: signed values wrap once, then every value clamps into the axis; values
        // the cast could wrap (uint32, 64-bit) clamp into [-n, n) first, in their own dtype
        const top = Math.max(n - 1, 0);
        const narrowing = ik.dtype.size >= dt.size && (ik.dtype.kind === "uint" || ik.dtype.size > dt.size);
        const held = !narrowing ? ik : ik.dtype.kind === "uint" ? minimum(ik, top, { stream }) : maximum(minimum(ik, top, { stream }), -n, { stream });
        const i = astype(held, dt, { stream });
        const wrapped = where(less(i, 0, { stream }), add(i, n, { stream }), i, { stream });
        term = multiply(minimum(maximum(wrapped, 0, { stream }), top, { stream }), stride, { stream });
      }
      acc = acc ? add(acc, term, { stream }) : term;
      stride *= n;
    }
    flat = broadcastTo(acc!, B, { stream });
  }
  // NumPy's placement: adjacent advanced entries keep their place, others put their dims first
  const inPlace = advPositions.every((p, i) => i === 0 || p === advPositions[i - 1]! + 1);
  const split = inPlace ? advPositions[0]! : 0;
  const before: number[] = [], after: number[] = [];
  let r = 0;
  entries.forEach((e, k) => {
    if (e.kind === "array" || e.kind === "int") return;
    const d = e.kind === "new" ? 1 : rest[r++]!;
    (k < split ? before : after).push(d);
  });
  return { B, flat, order: [...advAxes, ...restAxes], M, rest, before, after };
}

/** The axis permutation taking [B, before, after] to [before, B, after]. */
function placeB(b: number, p: number, ndim: number): number[] {
  return [...Array(p).keys()].map((i) => b + i).concat([...Array(b).keys()], [...Array(ndim - b - p).keys()].map((i) => b + p + i));
}

/** Entries with integer arrays on the basic view v: one gather along the merged advanced axes. */
function advancedIndex(op: string, v: MxArray, entries: readonly Entry[]): MxArray {
  const { B, flat, order, M, rest, before, after } = advancedPlan(op, v, entries);
  const nB = sizeOf(B);
  const merged = reshape(transpose(v, order), [M, ...rest]);
  const along = broadcastTo(reshape(flat, [nB, ...rest.map(() => 1)]), [nB, ...rest]);
  const gathered = gatherAlong(op, merged, along, 0, v.stream);
  const withNew = reshape(gathered, [...B, ...before, ...after]);
  return before.length === 0 ? withNew : transpose(withNew, placeB(B.length, before.length, withNew.ndim));
}

/**
 * An update through integer arrays and full slices (":") only: x's advanced
 * axes merged first, one scatter along them with a column per element of the
 * other axes (each output element scans only its column's updates).
 */
function advancedUpdate(op: string, a: MxArray, entries: readonly Entry[], v: MxArray, mode: ScatterMode): MxArray {
  const { B, flat, order, M, rest, before, after } = advancedPlan(op, a, entries);
  const nB = sizeOf(B), R = sizeOf(rest);
  const selected = [...before, ...B, ...after];
  let updates = updatesFor(op, v, selected);
  // [before, B, after] -> [B, before, after]: the inverse of placeB
  if (before.length) updates = transpose(updates, [...Array(B.length).keys()].map((i) => before.length + i).concat([...before.keys()], [...after.keys()].map((i) => before.length + B.length + i)));
  const merged = reshape(transpose(a, order), [M, R]);
  const along = broadcastTo(reshape(flat, [nB, 1]), [nB, R]);
  const scattered = node(new ScatterAxis(0, mode), [merged, along, reshape(updates, [nB, R])], a.stream);
  const unmerged = reshape(scattered, order.map((ax) => a.shape[ax]!));
  return transpose(unmerged, order.map((_, i) => order.indexOf(i)));
}

/** How an indexed update combines: MLX's x.at[...] methods, and "set" for x[...] = v. */
export type IndexUpdateMode = "set" | "add" | "subtract" | "multiply" | "divide" | "maximum" | "minimum";

const MODES: readonly IndexUpdateMode[] = ["set", "add", "subtract", "multiply", "divide", "maximum", "minimum"];

/** `value` broadcast to `shape`, leading size-1 dims beyond its rank dropped first (as MLX). */
function updatesFor(op: string, value: MxArray, shape: readonly number[], note = ""): MxArray {
  let u = value;
  const extra = u.ndim - shape.length;
  const refuse = () => opError(op, `cannot broadcast the update of shape ${shapeStr(value.shape)} to ${shapeStr(shape)}${note}`, [value], "value");
  if (extra > 0) {
    if (u.shape.slice(0, extra).some((d) => d !== 1)) throw refuse();
    u = reshape(u, u.shape.slice(extra));
  }
  const fits = u.ndim <= shape.length && u.shape.every((d, i) => d === 1 || d === shape[shape.length - u.ndim + i]);
  if (!fits) throw refuse();
  return broadcastTo(u, shape);
}

/**
 * `x` with the elements `index(x, ...idx)` selects updated by `value` (broadcast
 * to that selection, cast to x's dtype): MLX's `x[idx] = value` ("set") and
 * `x.at[idx].add(value)` and its siblings; a new array, x is unchanged.
 * Updates that land on one element (duplicate indices) all apply, in row-major
 * order of the selection: "add" sums them, "set" keeps the last (MLX leaves
 * which one stays unspecified). "subtract" adds -value, "divide" multiplies by
 * 1 / value, as MLX; "divide" takes float and complex arrays only (as NumPy's
 * np.divide.at). A boolean mask alone as `idx` ("set" only) is MLX's
 * `x[mask] = value` (see {@link ArrayAt.set}).
 * @example
 * ```ts
 * const x = mx.zeros([4], mx.int32);
 * await mx.indexUpdate(x, [mx.array([0, 0, 2])], 1, "add").tolist(); // [2, 0, 1, 0]
 * await mx.indexUpdate(x, ["1:3"], mx.array([5, 6], mx.int32), "set").tolist(); // [0, 5, 6, 0]
 * ```
 */
export function indexUpdate(x: ArrayLike, idx: readonly IndexEntry[], value: ArrayLike, mode: IndexUpdateMode = "set"): MxArray {
  noExtraArguments("indexUpdate", arguments, 4);
  return updateAs("indexUpdate", x, idx, value, mode);
}

/** indexUpdate as public op `op` (`indexUpdate`, or `at.set` and its siblings for x.at(...).set(v)). */
function updateAs(op: string, x: ArrayLike, idx: readonly IndexEntry[], value: ArrayLike, mode: IndexUpdateMode): MxArray {
  return asOp(op, () => {
    const a = toArray(op, checkArrayLike(op, x), streamOf(undefined, x));
    if (!Array.isArray(idx)) throw opError(op, `idx must be a list of index entries (e.g. [0, "1:3", mx.array([0, 2])]), got ${describeValue(idx)}`, [a], "type");
    if (!MODES.includes(mode)) throw opError(op, `mode must be one of ${MODES.join(", ")}, got ${describeValue(mode)}`, [a], "value");
    // NumPy refuses np.divide.at on integers too: a quotient scattered into an integer array is no integer
    if (mode === "divide" && !isInexact(a.dtype)) {
      throw opError(op, `cannot divide an array of dtype ${a.dtype.name} in place: its quotients are not ${a.dtype.name}s (valid: float and complex dtypes; cast x first, e.g. x.astype(mx.float32))`, [a], "type");
    }
    const o = { stream: a.stream };
    let v = toArray(op, checkArrayLike(op, value, "value"), a.stream, a.dtype);
    let m: ScatterMode;
    if (mode === "subtract") (v = negative(v, o)), (m = "add");
    else if (mode === "divide") (v = reciprocal(v, o)), (m = "multiply");
    else m = mode;
    v = astype(v, a.dtype, o);
    const mask = idx.length === 1 ? maskOf(op, idx[0], a.stream) : undefined;
    if (mask) {
      if (mode !== "set") throw maskRefusal(op, "index 0 is a boolean mask", [a, mask]);
      return maskedSet(op, a, mask, v);
    }
    const entries = parseIndex(op, a, idx);
    const advanced = entries.some((e) => e.kind === "array");
    // maximum/minimum always scatter: the scatter's derivative gives a tie to both sides (MLX's at[].maximum), the
    // elementwise maximum of a basic view only to the update
    if (!advanced && m !== "maximum" && m !== "minimum") return basicUpdate(op, a, entries, v, m);
    const full = (e: Entry) => e.kind === "array" || e.kind === "int" || (e.kind === "slice" && e.start === null && e.stop === null && e.step === null);
    if (advanced && entries.every(full)) return advancedUpdate(op, a, entries, v, m);
    // the flat positions the index selects, found by indexing the positions themselves
    const posType = a.size > 2 ** 31 - 1 ? int64 : int32;
    const positions = index(reshape(arange(0, a.size, 1, { dtype: posType, ...o }), a.shape), ...idx);
    const updates = updatesFor(op, v, positions.shape);
    const flat = node(new ScatterAxis(0, m), [reshape(a, [a.size]), reshape(positions, [positions.size]), reshape(updates, [updates.size])], a.stream);
    return reshape(flat, a.shape);
  });
}

/** The mask a lone index entry is: a bool mx array, a JS boolean, or a non-empty JS list of booleans only (mx.array infers bool). */
function maskOf(op: string, e: IndexEntry | undefined, stream: Stream): MxArray | undefined {
  if (typeof e === "boolean") return toArray(op, e, stream, bool, "index 0");
  if (e instanceof MxArray) return e.dtype === bool ? e : undefined;
  if (!Array.isArray(e)) return undefined;
  const leaves = (e as readonly unknown[]).flat(Infinity);
  return leaves.length > 0 && leaves.every((x) => typeof x === "boolean") ? jsIndexArray(op, e as MaskList, "index 0", stream) : undefined;
}

/** Whether `shape` broadcasts to `target` of the same rank (each dim 1 or equal). */
function broadcastsTo(shape: readonly number[], target: readonly number[]): boolean {
  return shape.length === target.length && shape.every((d, i) => d === 1 || d === target[i]);
}

/**
 * MLX's `x[mask] = v` (`masked_scatter`): `mask` (bool) has the shape of x's
 * first k dims (exactly, or 0-d), and each true position takes the next row
 * of `v`, in row-major order: `v`'s rows lie along its axis 0 (of any length),
 * each of x's remaining shape (or broadcasting to it); a `v` of fewer
 * dimensions broadcasts to one row per mask element (so a scalar fills every
 * true position). Built from cumsum, take and where, so every backend runs
 * it: a true position's row is the count of trues before it. A mask with more
 * trues than `v` has rows leaves the extra positions unchanged (MLX's cpu
 * raises; data-dependent, so no error here).
 */
function maskedSet(op: string, a: MxArray, mask: MxArray, v: MxArray): MxArray {
  const o = { stream: a.stream };
  const k = mask.ndim;
  if (k > a.ndim) throw opError(op, `the boolean mask of shape ${shapeStr(mask.shape)} has more dimensions than the array of shape ${shapeStr(a.shape)}`, [a, mask], "value");
  if (!sameShape(mask.shape, a.shape.slice(0, k))) {
    throw opError(op, `the boolean mask of shape ${shapeStr(mask.shape)} must equal the leading dimensions of the array's shape ${shapeStr(a.shape)} (a mask does not broadcast)`, [a, mask], "value");
  }
  const rest = a.shape.slice(k), rows = sizeOf(mask.shape), R = sizeOf(rest);
  const refuse = () =>
    opError(op, `cannot use the value of shape ${shapeStr(v.shape)} with a mask of shape ${shapeStr(mask.shape)} on an array of shape ${shapeStr(a.shape)}: the value's rows (along its axis 0) must broadcast to ${shapeStr(rest)}, or the whole value to ${shapeStr([rows, ...rest])}`, [a, mask, v], "value");
  let vrows: MxArray;
  if (v.ndim > rest.length + 1) throw refuse();
  if (v.ndim < rest.length + 1) {
    const padded = [...Array<number>(rest.length + 1 - v.ndim).fill(1), ...v.shape];
    if (!broadcastsTo(padded, [rows, ...rest])) throw refuse();
    vrows = broadcastTo(reshape(v, padded, o), [rows, ...rest], o);
  } else {
    if (!broadcastsTo(v.shape.slice(1), rest)) throw refuse();
    vrows = broadcastTo(v, [v.shape[0]!, ...rest], o);
  }
  const count = vrows.shape[0]!;
  if (rows === 0 || R === 0 || count === 0) return a;
  const m = reshape(mask, [rows], o);
  // the row of v each true position takes: the trues before it
  const rank = cumsum(m, { inclusive: false, dtype: rows > 2 ** 31 - 1 ? int64 : int32, ...o });
  const picked = take(reshape(vrows, [count, R], o), rank, 0, o);
  const write = count >= rows ? m : logicalAnd(m, less(rank, count, o), o);
  return reshape(where(reshape(write, [rows, 1], o), picked, reshape(a, [rows, R], o), o), a.shape, o);
}

/**
 * MLX's `x.at[idx]` (as `x.at(...idx)`): the indexed updates of `x` at the
 * elements `idx` selects, each returning a new array (see {@link indexUpdate}
 * for broadcasting and duplicates).
 */
export class ArrayAt {
  constructor(
    readonly x: MxArray,
    readonly idx: readonly IndexEntry[],
  ) {}
  /**
   * The selected elements replaced by `value` (the last of duplicates stays).
   * A boolean mask as the whole index (a bool array of x's leading dims, a JS
   * list of booleans, or `true`) is MLX's `x[mask] = v`: each true position
   * takes the next row of `value` in row-major order, or `value` broadcast
   * (a scalar fills them all); positions past `value`'s rows keep x's values.
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.zeros([3], mx.int32), [mx.array([0, 2])]).set(7).tolist(); // [7, 0, 7]
   * const x = mx.array([1, 2, 3, 4]);
   * await x.at(mx.greater(x, 2)).set(0).tolist(); // [1, 2, 0, 0]
   * await x.at([true, false, true, false]).set(mx.array([8, 9])).tolist(); // [8, 2, 9, 4]
   * ```
   */
  set(value: ArrayLike): MxArray {
    return updateAs("at.set", this.x, this.idx, value, "set");
  }
  /**
   * `value` added at the selected elements; duplicates add up.
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.zeros([3], mx.int32), [mx.array([0, 0])]).add(1).tolist(); // [2, 0, 0]
   * ```
   */
  add(value: ArrayLike): MxArray {
    return updateAs("at.add", this.x, this.idx, value, "add");
  }
  /**
   * `value` subtracted at the selected elements; duplicates subtract each.
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.zeros([3], mx.int32), ["1:"]).subtract(2).tolist(); // [0, -2, -2]
   * ```
   */
  subtract(value: ArrayLike): MxArray {
    return updateAs("at.subtract", this.x, this.idx, value, "subtract");
  }
  /**
   * The selected elements multiplied by `value`; duplicates multiply each.
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.ones([3], mx.int32), [mx.array([1, 1])]).multiply(3).tolist(); // [1, 9, 1]
   * ```
   */
  multiply(value: ArrayLike): MxArray {
    return updateAs("at.multiply", this.x, this.idx, value, "multiply");
  }
  /**
   * The selected elements divided by `value` (multiplied by 1 / value, as MLX).
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.ones([2], mx.float32), [0]).divide(4).tolist(); // [0.25, 1]
   * ```
   */
  divide(value: ArrayLike): MxArray {
    return updateAs("at.divide", this.x, this.idx, value, "divide");
  }
  /**
   * The selected elements raised to `value` where it is larger.
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.array([1, 5, 2]), [":"]).maximum(3).tolist(); // [3, 5, 3]
   * ```
   */
  maximum(value: ArrayLike): MxArray {
    return updateAs("at.maximum", this.x, this.idx, value, "maximum");
  }
  /**
   * The selected elements lowered to `value` where it is smaller.
   * @example
   * ```ts
   * await new mx.ArrayAt(mx.array([1, 5, 2]), [mx.array([1, 2])]).minimum(3).tolist(); // [1, 3, 2]
   * ```
   */
  minimum(value: ArrayLike): MxArray {
    return updateAs("at.minimum", this.x, this.idx, value, "minimum");
  }
}

/** An update through slices and integers only: one strided region of x. */
function basicUpdate(op: string, a: MxArray, entries: readonly Entry[], v: MxArray, mode: ScatterMode): MxArray {
  const region = basicView(op, a, entries, false);
  const selected: number[] = [];
  let axis = 0;
  for (const e of entries) {
    if (e.kind === "new") selected.push(1);
    else if (e.kind === "slice") selected.push(region.shape[axis++]!);
    else axis++;
  }
  const updates = reshape(updatesFor(op, v, selected), region.shape);
  if (region.size === 0) return a;
  const o = { stream: a.stream };
  const current = region;
  const combined = mode === "set" ? updates : astype(COMBINE[mode](current, updates, o), a.dtype, o);
  if (region === a) return combined;
  const slice = region.primitive as Slice;
  return node(new SliceUpdate(slice.start, slice.step), [a, combined], a.stream);
}

const COMBINE: Record<Exclude<ScatterMode, "set">, (x: MxArray, y: MxArray, o: OpOptions) => MxArray> = { add, multiply, maximum, minimum };

/** The index array of `take` and friends, from an array or a JS integer. */
function takeIndices(op: string, indices: ArrayLike | IndexList, stream: Stream): MxArray {
  if (typeof indices === "number") {
    if (!Number.isInteger(indices)) throw opError(op, `indices must be integers, got ${indices}`, [], "type");
    return toArray(op, indices, stream, Math.abs(indices) > 2 ** 31 - 1 ? int64 : int32, "indices");
  }
  if (indices instanceof MxArray || Array.isArray(indices)) return indexArray(op, indices as MxArray | IndexList, "indices", stream);
  throw opError(op, `indices must be an integer array or a JS integer, got ${describeValue(indices)}`, [], "type");
}

/**
 * Elements of `a` at `indices` along `axis` (MLX's `take`); without an axis,
 * of the flattened `a`. The result's shape is a's with `axis` replaced by the
 * indices' shape. Negative indices count from the end; out-of-bounds values
 * clamp into the axis (MLX leaves them undefined).
 * @example
 * ```ts
 * const x = mx.array([[1, 2, 3], [4, 5, 6]]);
 * await mx.take(x, mx.array([2, 0]), 1).tolist(); // [[3, 1], [6, 4]]
 * await mx.take(x, mx.array([[0], [-1]])).tolist(); // [[1], [6]]
 * await mx.take(x, 1, 0).tolist(); // [4, 5, 6]
 * ```
 */
export function take(a: ArrayLike, indices: ArrayLike | IndexList, axisOrOptions?: number | null | ({ axis?: number | null | undefined } & OpOptions), options?: OpOptions): MxArray {
  noExtraArguments("take", arguments, 4);
  return asOp("take", () => {
    const op = "take";
    const o = axisThenOptions<{ axis?: number | null | undefined } & OpOptions>(op, axisOrOptions, options, ["axis"]);
    const axis = o.axis;
    const s = opStream(op, o, a, indices);
    let x = toArray(op, checkArrayLike(op, a), s);
    const idx = takeIndices(op, indices, s);
    // a shapeless trace flattens by the input's shape and takes by a rule of both shapes (replayed on new ones)
    const shapeless = inShapelessTrace();
    if (axis === undefined || axis === null) x = shapeless ? flatten(x, 0, -1, { stream: s }) : flatView(x, s);
    const ax = normalizeAxis(op, axis ?? 0, x.ndim, "axis", [x]);
    if (typeof indices === "number") intIndex(op, x, indices, ax);
    // indices of more than 2^31 - 1 elements have no flat axis for GatherAxis: Take reads them in their shape
    if (shapeless || idx.size > MAX_DIM) {
      checkIndexedAxis(op, x, idx, ax, "cannot take elements from");
      return node(new Take(ax), [x, idx], s);
    }
    const g = gatherAlong(op, x, indicesAlong(x.shape, idx, ax), ax, s);
    return reshape(g, takeShape(x.shape, idx.shape, ax), { stream: s });
  });
}

/** a and indices of one rank, broadcast together except along `axis` (the along-axis ops' rule). */
function alongAxis(op: string, a: MxArray, indices: MxArray, axis: number | null | undefined, s: Stream): { x: MxArray; idx: MxArray; ax: number } {
  let x = a, idx = indices;
  if (axis === undefined || axis === null) {
    x = reshape(x, flatShape(op, x, "a"), { stream: s });
    idx = reshape(idx, flatShape(op, idx, "indices"), { stream: s });
  }
  if (idx.ndim !== x.ndim) throw opError(op, `indices of shape ${shapeStr(idx.shape)} must have the rank of the array (${x.ndim})`, [x, idx], "value");
  const ax = normalizeAxis(op, axis ?? 0, x.ndim, "axis", [x]);
  return { x, idx, ax };
}

/**
 * Elements of `a` picked along `axis` by `indices` of the same rank (MLX's
 * `take_along_axis`; NumPy's rule): the other axes broadcast between `a` and
 * `indices`. Without an axis, both are flattened first.
 * @example
 * ```ts
 * const x = mx.array([[10, 30, 20], [60, 40, 50]]);
 * await mx.takeAlongAxis(x, mx.argmax(x, { axis: 1, keepdims: true }), 1).tolist(); // [[30], [60]]
 * await mx.takeAlongAxis(x, mx.array([[1, 0, 1]]), 0).tolist(); // [[60, 30, 50]]
 * ```
 */
export function takeAlongAxis(a: ArrayLike, indices: MxArray | IndexList, axisOrOptions?: number | null | ({ axis?: number | null | undefined } & OpOptions), options?: OpOptions): MxArray {
  noExtraArguments("takeAlongAxis", arguments, 4);
  return asOp("takeAlongAxis", () => {
    const op = "takeAlongAxis";
    const o = axisThenOptions<{ axis?: number | null | undefined } & OpOptions>(op, axisOrOptions, options, ["axis"]);
    const axis = o.axis;
    const s = opStream(op, o, a, indices);
    const r = alongAxis(op, toArray(op, checkArrayLike(op, a), s), indexArray(op, indices, "indices", s), axis, s);
    const { ax } = r;
    const common = broadcastShapes(op, r.x.shape.map((d, i) => (i === ax ? 1 : d)), r.idx.shape.map((d, i) => (i === ax ? 1 : d)));
    const x = broadcastTo(r.x, common.map((d, i) => (i === ax ? r.x.shape[ax]! : d)), { stream: s });
    const idx = broadcastTo(r.idx, common.map((d, i) => (i === ax ? r.idx.shape[ax]! : d)), { stream: s });
    return gatherAlong(op, x, idx, ax, s);
  });
}

/**
 * `a` with `values` written along `axis` at `indices` (MLX's `put_along_axis`,
 * NumPy's rule; a new array): `indices` broadcast to a's shape except along
 * `axis`, `values` to the indices' shape, cast to a's dtype. Where indices
 * repeat, the last value in row-major order stays. Without an axis, `a` is
 * flattened and the result takes a's shape again.
 * @example
 * ```ts
 * const x = mx.zeros([2, 3], mx.int32);
 * await mx.putAlongAxis(x, mx.array([[2], [0]]), mx.array([[7], [8]], mx.int32), 1).tolist(); // [[0, 0, 7], [8, 0, 0]]
 * ```
 */
export function putAlongAxis(a: ArrayLike, indices: MxArray | IndexList, values: ArrayLike, axis?: number | null, o?: OpOptions): MxArray {
  noExtraArguments("putAlongAxis", arguments, 5);
  return asOp("putAlongAxis", () => {
    const op = "putAlongAxis";
    checkOptions(op, o);
    const s = opStream(op, o, a, indices, values);
    const x0 = toArray(op, checkArrayLike(op, a), s);
    const { x, idx: i0, ax } = alongAxis(op, x0, indexArray(op, indices, "indices", s), axis, s);
    const target = x.shape.map((d, i) => (i === ax ? i0.shape[ax]! : d));
    const common = broadcastShapes(op, i0.shape, target);
    if (!sameShape(common, target)) throw opError(op, `indices of shape ${shapeStr(i0.shape)} do not broadcast to ${shapeStr(target)} (the array's shape except along axis ${ax})`, [x, i0], "value");
    const idx = broadcastTo(i0, target, { stream: s });
    const v = astype(toArray(op, checkArrayLike(op, values, "values"), s, x.dtype), x.dtype, { stream: s });
    const updates = updatesFor(op, v, target, axis === undefined || axis === null ? "; without an axis, a and indices are flattened" : "");
    checkIndexedAxis(op, x, idx, ax, "cannot put elements into");
    const out = node(new ScatterAxis(ax, "set"), [x, idx, updates], s);
    return reshape(out, x0.shape, { stream: s });
  });
}

/**
 * `a` with `update` written into the region that starts at `start` (MLX's
 * `slice_update`, with static starts): `start[i]` is the start on axis
 * `axes[i]` (default: the first axes), other axes start at 0; the region has
 * the update's shape (left-padded with 1s to a's rank) and must lie inside `a`.
 * Negative starts count from the end. A new array; `a` is unchanged.
 *
 * With `start` an mx integer array (MLX's dynamic form, read when the graph
 * runs; a port of MLX's list form writes `mx.array([...])`), the update's
 * missing leading axes broadcast to a's, except the sliced ones (extent 1),
 * as MLX; a start that would put the update past the axis is clamped to keep
 * it inside (MLX leaves it undefined).
 * @example
 * ```ts
 * const x = mx.zeros([3, 3], mx.int32);
 * await mx.sliceUpdate(x, mx.ones([2, 2], mx.int32), [1, 1]).tolist(); // [[0, 0, 0], [0, 1, 1], [0, 1, 1]]
 * await mx.sliceUpdate(x, mx.array([5, 6, 7], mx.int32), [2], [0]).tolist(); // [[0, 0, 0], [0, 0, 0], [5, 6, 7]]
 * await mx.sliceUpdate(x, mx.array([5, 6], mx.int32), mx.array([1]), [1]).tolist(); // [[0, 5, 6], [0, 5, 6], [0, 5, 6]]
 * ```
 */
export function sliceUpdate(a: ArrayLike, update: ArrayLike, start: readonly number[] | MxArray, axes?: readonly number[] | null, o?: OpOptions): MxArray {
  noExtraArguments("sliceUpdate", arguments, 5);
  return asOp("sliceUpdate", () => {
    const op = "sliceUpdate";
    checkOptions(op, o);
    const s = opStream(op, o, a, update);
    const x = toArray(op, checkArrayLike(op, a), s);
    if (start instanceof MxArray) return dynamicSliceUpdate(op, x, update, start, axes, s);
    let u = toArray(op, checkArrayLike(op, update, "update"), s, x.dtype);
    if (u.ndim > x.ndim) throw opError(op, `update of rank ${u.ndim} is larger than the array's rank ${x.ndim}`, [x, u], "value");
    u = astype(reshape(u, [...Array<number>(x.ndim - u.ndim).fill(1), ...u.shape], { stream: s }), x.dtype, { stream: s });
    if (!Array.isArray(start)) throw opError(op, `start must be a list of integers, got ${describeValue(start)}`, [x], "type");
    if (axes !== undefined && axes !== null && !Array.isArray(axes)) throw opError(op, `axes must be a list of integers or null, got ${describeValue(axes)}`, [x], "type");
    const ax = (axes ?? start.map((_, i) => i)).map((v) => normalizeAxis(op, v, x.ndim, "axes", [x]));
    if (start.length !== ax.length || !start.every(Number.isInteger)) {
      throw opError(op, `start must be ${ax.length} integers (one per axis in axes), got ${describeValue(start)}`, [x], "type");
    }
    const starts = x.shape.map(() => 0);
    ax.forEach((d, i) => (starts[d] = start[i]! < 0 ? start[i]! + x.shape[d]! : start[i]!));
    const d = regionOutside(x.shape, starts, starts.map(() => 1), u.shape);
    if (d >= 0) throw opError(op, `the update (shape ${shapeStr(u.shape)}) starting at ${starts[d]} does not fit axis ${d} of size ${x.shape[d]}`, [x, u], "range");
    if (u.size === 0) return x;
    return node(new SliceUpdate(starts, starts.map(() => 1)), [x, u], s);
  });
}
