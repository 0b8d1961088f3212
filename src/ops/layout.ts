// Layout ops: reshape and its relatives (flatten, squeeze, expandDims),
// transpose/swapaxes/moveaxis, broadcasting, slice/split, concatenate/stack
// and pad. Each resolves its arguments and builds layout primitives.

import { MxArray } from "../array.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { Broadcast, BroadcastAxes, checkBroadcastTo, checkConcatShapes, checkPadPairs, checkReshapeSize, Concatenate, Flatten, inferredShape, InferredReshape, isPermutation, Pad, Reshape, Slice, Squeeze, ExpandDims, Transpose } from "../primitives/layout.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { broadcastShapes, checkShape, MAX_DIM, normalizeAxes, normalizeAxis, sameShape, sizeOf } from "../shape.js";
import { int32, promoteTypes } from "../dtype.js";
import type { Stream } from "../device.js";
import { checkArrayLike, checkResultShape, constant, fillArray, flatShape, node, opStream, streamOf, toArray, type ArrayLike, type JsScalar, type OpOptions } from "./base.js";
import { astype } from "./elementwise.js";
import { IndexSlice, indexSlice } from "./index-slice.js";
import { dynamicSlice, pickAlong } from "./dynamic-slice.js";
import { asOp, axisThenOptions, checkOptions, noExtraArguments } from "./strict-options.js";

/** The input as an array, after the options are checked (`keys`: the op's own besides `stream`). */
function arr(op: string, x: ArrayLike, o?: OpOptions, keys: readonly string[] = []): MxArray {
  checkOptions(op, o, keys);
  return toArray(op, checkArrayLike(op, x), opStream(op, o, x));
}

/** `v` as a JS list (argument `name` of `op`), else an error saying what it should hold. */
function listArg(op: string, v: unknown, name: string, holds: string, inputs: readonly MxArray[] = []): readonly unknown[] {
  if (!Array.isArray(v)) throw opError(op, `${name} must be a list of ${holds}, got ${describeValue(v)}`, inputs, "type");
  return v;
}

/**
 * The elements of `x` in row-major order in a new shape of the same size; one
 * entry may be -1, inferred from the others. A view: no data is copied.
 * @example
 * ```ts
 * await mx.reshape(mx.arange(6), [2, -1]).tolist(); // [[0, 1, 2], [3, 4, 5]]
 * ```
 */
export function reshape(x: ArrayLike, shape: readonly number[], o?: OpOptions): MxArray {
  noExtraArguments("reshape", arguments, 3);
  return asOp("reshape", () => {
    const a = arr("reshape", x, o);
    if (!Array.isArray(shape) || !shape.every((d, i) => i in shape && Number.isInteger(d) && d >= -1)) {
      throw opError("reshape", `shape must be an array of integers >= -1, got ${describeValue(shape)}`, [a], "type");
    }
    const infer = shape.filter((d) => d === -1).length;
    if (infer > 1) throw opError("reshape", `only one dimension can be -1, got ${shapeStr(shape)}`, [a], "value");
    const big = shape.findIndex((d) => d > MAX_DIM);
    if (big >= 0) throw opError("reshape", `dimension ${big} of shape ${JSON.stringify(shape)} is ${shape[big]}; dimensions must be at most 2^31 - 1`, [a], "value");
    const out = infer ? inferredShape("reshape", a.shape, shape, [a]) : checkSameSize(a, shape);
    // a shapeless trace keeps the -1 (MLX's Reshape does), inferred from each call's input size, so it builds the node even for the input's own shape
    if (infer && inShapelessTrace()) return node(new InferredReshape(0, [...shape], out), [a], streamOf(o, a));
    if (sameShape(out, a.shape)) return a;
    return node(new Reshape(out), [a], streamOf(o, a));
  });
}

/** `shape` (no -1) when it holds the elements of `a`, counted exactly past 2^53 - 1 (a broadcast view costs no memory), else an error naming reshape. */
function checkSameSize(a: MxArray, shape: readonly number[]): number[] {
  if (Number.isSafeInteger(a.size)) checkReshapeSize("reshape", a.size, shape, [a]);
  else {
    const exact = (s: readonly number[]) => s.reduce((p, d) => p * BigInt(d), 1n);
    const size = exact(a.shape), n = exact(shape);
    if (n !== size) throw opError("reshape", `cannot reshape ${size} elements into shape ${shapeStr(shape)} (${n} elements)`, [a], "value");
  }
  return [...shape];
}

export interface FlattenOptions extends OpOptions {
  startAxis?: number | undefined;
  endAxis?: number | undefined;
}

/**
 * Merges the axes from `startAxis` (default 0) to `endAxis` (default -1, the
 * last) into one; a scalar becomes shape [1].
 * @example
 * ```ts
 * mx.flatten(mx.zeros([2, 3, 4])).shape; // [24]
 * mx.flatten(mx.zeros([2, 3, 4]), { startAxis: 1 }).shape; // [2, 12]
 * ```
 */
export function flatten(x: ArrayLike, startAxis?: number | FlattenOptions, endAxis?: number | FlattenOptions, options?: FlattenOptions): MxArray {
  noExtraArguments("flatten", arguments, 4);
  return asOp("flatten", () => {
    // MLX's positional flatten(x, start_axis, end_axis, stream): the axes given positionally, then the options object
    const rest = [startAxis, endAxis, options];
    const at = rest.findIndex((v) => v !== null && typeof v === "object");
    if (at >= 0 && rest.some((v, i) => i > at && v !== undefined)) throw opError("flatten", "got an options object and a further argument; the options come last", [], "type");
    checkOptions("flatten", rest[at], ["startAxis", "endAxis"]);
    let o: FlattenOptions = { ...(rest[at] as FlattenOptions | undefined) };
    const [first, last] = rest.slice(0, at < 0 ? 2 : at);
    if (first !== undefined) o = { ...o, startAxis: first as number };
    if (last !== undefined) o = { ...o, endAxis: last as number };
    const a = arr("flatten", x, o, ["startAxis", "endAxis"]);
    const so = { stream: o.stream };
    if (a.ndim === 0) return reshape(a, [1], so);
    const start = normalizeAxis("flatten", o.startAxis ?? 0, a.ndim, "startAxis", [a]);
    const end = normalizeAxis("flatten", o.endAxis ?? -1, a.ndim, "endAxis", [a]);
    if (start > end) throw opError("flatten", `startAxis ${o.startAxis} must not come after endAxis ${o.endAxis}`, [a], "range");
    if (start === end) return a;
    const shape = [...a.shape.slice(0, start), sizeOf(a.shape.slice(start, end + 1)), ...a.shape.slice(end + 1)];
    checkResultShape("flatten", shape, `merging axes ${start} to ${end} (startAxis, endAxis) of sizes ${shapeStr(a.shape.slice(start, end + 1))}`, [a]);
    return node(new Flatten(start, end, shape), [a], streamOf(so, a));
  });
}

/**
 * Removes size-1 axes: the given ones (each must have size 1), or all of them.
 * @example
 * ```ts
 * mx.squeeze(mx.zeros([1, 3, 1])).shape; // [3]
 * mx.squeeze(mx.zeros([1, 3, 1]), 0).shape; // [3, 1]
 * ```
 */
export function squeeze(x: ArrayLike, axisOrOptions?: number | readonly number[] | null | ({ axis?: number | readonly number[] | null | undefined } & OpOptions), options?: OpOptions): MxArray {
  noExtraArguments("squeeze", arguments, 3);
  return asOp("squeeze", () => {
    const o = axisThenOptions<{ axis?: number | readonly number[] | null | undefined } & OpOptions>("squeeze", axisOrOptions, options, ["axis"]);
    const axis = o.axis;
    const a = arr("squeeze", x, o, ["axis"]);
    if (inShapelessTrace() && (axis === undefined || axis === null)) {
      throw opError("squeeze", "without axes removes the traced shape's size-1 axes, which other shapes need not have: in a shapeless trace name the axes (squeeze(x, axes))", [a], "value");
    }
    const axes = axis === undefined || axis === null ? a.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes("squeeze", axis, a.ndim, "axis", [a]);
    for (const ax of axes) {
      if (a.shape[ax] !== 1) throw opError("squeeze", `cannot squeeze axis ${ax} of size ${a.shape[ax]} (only size-1 axes)`, [a], "value");
    }
    const shape = a.shape.filter((_, i) => !axes.includes(i));
    // a shapeless trace keeps the rule; a replay checks the axes are still size 1
    if (inShapelessTrace()) return node(new Squeeze([...new Set(axes)].sort((p, q) => p - q), shape), [a], streamOf(o, a));
    return reshape(a, shape, { stream: o.stream });
  });
}

/**
 * Inserts size-1 axes at the given positions of the result (negative positions
 * count from its end).
 * @example
 * ```ts
 * mx.expandDims(mx.array([1, 2]), 0).shape; // [1, 2]
 * mx.expandDims(mx.array([1, 2]), [0, -1]).shape; // [1, 2, 1]
 * ```
 */
export function expandDims(x: ArrayLike, axisOrOptions: number | readonly number[] | ({ axis: number | readonly number[] } & OpOptions), options?: OpOptions): MxArray {
  noExtraArguments("expandDims", arguments, 3);
  return asOp("expandDims", () => {
    const o = axisThenOptions<{ axis?: number | readonly number[] | null | undefined } & OpOptions>("expandDims", axisOrOptions, options, ["axis"]);
    const axis = o.axis;
    const a = arr("expandDims", x, o, ["axis"]);
    const list = typeof axis === "number" ? [axis] : listArg("expandDims", axis, "axis", "axes (or one axis)", [a]);
    const nd = a.ndim + list.length;
    const axes = normalizeAxes("expandDims", list, nd, "axis", [a]);
    const shape: number[] = [];
    let k = 0;
    for (let i = 0; i < nd; i++) shape.push(axes.includes(i) ? 1 : a.shape[k++]!);
    // a shapeless trace keeps the rule (its other axes follow the input's shape)
    if (inShapelessTrace()) return node(new ExpandDims([...axes].sort((p, q) => p - q), shape), [a], streamOf(o, a));
    return reshape(a, shape, { stream: o.stream });
  });
}

/**
 * Permutes the axes: result axis `i` is input axis `axes[i]`; without `axes` the
 * axes are reversed.
 * @example
 * ```ts
 * await mx.transpose(mx.array([[1, 2, 3], [4, 5, 6]])).tolist(); // [[1, 4], [2, 5], [3, 6]]
 * mx.transpose(mx.zeros([2, 3, 4]), [1, 0, 2]).shape; // [3, 2, 4]
 * mx.transpose(mx.zeros([2, 3]), { stream: mx.cpu }).shape; // [3, 2]
 * ```
 */
export function transpose(x: ArrayLike, axes?: readonly number[] | OpOptions, o?: OpOptions): MxArray {
  noExtraArguments("transpose", arguments, 3);
  return asOp("transpose", () => {
    // transpose(x, { stream }): the axes left out
    if (axes !== undefined && axes !== null && !Array.isArray(axes) && typeof axes === "object" && o === undefined) return transpose(x, undefined, axes as OpOptions);
    const a = arr("transpose", x, o);
    const perm =
      axes === undefined || axes === null
        ? [...Array(a.ndim).keys()].reverse()
        : listArg("transpose", axes, "axes", "axes", [a]).map((ax) => normalizeAxis("transpose", ax, a.ndim, "axes", [a]));
    if (!isPermutation(perm, a.ndim)) {
      throw opError("transpose", `axes ${JSON.stringify(axes)} must be a permutation of the ${a.ndim} axes`, [a], "value");
    }
    if (perm.every((p, i) => p === i)) return a;
    return node(new Transpose(perm), [a], streamOf(o, a));
  });
}

/**
 * Exchanges two axes.
 * @example
 * ```ts
 * mx.swapaxes(mx.zeros([2, 3, 4]), 0, 2).shape; // [4, 3, 2]
 * ```
 */
export function swapaxes(x: ArrayLike, axis1: number, axis2: number, o?: OpOptions): MxArray {
  noExtraArguments("swapaxes", arguments, 4);
  return asOp("swapaxes", () => {
    const a = arr("swapaxes", x, o);
    const i = normalizeAxis("swapaxes", axis1, a.ndim, "axis1", [a]), j = normalizeAxis("swapaxes", axis2, a.ndim, "axis2", [a]);
    const perm = [...Array(a.ndim).keys()];
    perm[i] = j;
    perm[j] = i;
    return transpose(a, perm, o);
  });
}

/**
 * Moves axis `source` to position `destination`, the other axes keeping their
 * order; or, given lists of axes (NumPy's rule), each source axis to its
 * destination, the axes must be distinct in each list.
 * @example
 * ```ts
 * mx.moveaxis(mx.zeros([2, 3, 4]), 0, -1).shape; // [3, 4, 2]
 * mx.moveaxis(mx.zeros([2, 3, 4]), [0, 1], [-1, -2]).shape; // [4, 3, 2]
 * ```
 */
export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[], o?: OpOptions): MxArray {
  noExtraArguments("moveaxis", arguments, 4);
  return asOp("moveaxis", () => {
    const a = arr("moveaxis", x, o);
    const axes = (name: string, v: unknown) => {
      const list = typeof v === "number" ? [v] : listArg("moveaxis", v, name, "axes (or one axis)", [a]);
      const out = list.map((ax) => normalizeAxis("moveaxis", ax as number, a.ndim, name, [a]));
      if (new Set(out).size !== out.length) throw opError("moveaxis", `${name} has repeated axes ${describeValue(v)}`, [a], "value");
      return out;
    };
    const src = axes("source", source), dst = axes("destination", destination);
    if (src.length !== dst.length) {
      throw opError("moveaxis", `source and destination must name as many axes, got ${describeValue(source)} and ${describeValue(destination)}`, [a], "value");
    }
    const perm = [...Array(a.ndim).keys()].filter((i) => !src.includes(i));
    for (const [to, from] of dst.map((d, i) => [d, src[i]!] as const).sort((p, q) => p[0] - q[0])) perm.splice(to, 0, from);
    return transpose(a, perm, o);
  });
}

/**
 * `x` broadcast to `shape` by NumPy's rules (size-1 axes repeat, missing leading
 * axes are added); a view, no data is copied.
 * @example
 * ```ts
 * await mx.broadcastTo(mx.array([1, 2]), [2, 2]).tolist(); // [[1, 2], [1, 2]]
 * ```
 */
export function broadcastTo(x: ArrayLike, shape: readonly number[], o?: OpOptions): MxArray {
  noExtraArguments("broadcastTo", arguments, 3);
  return asOp("broadcastTo", () => {
    const a = arr("broadcastTo", x, o);
    checkShape("broadcastTo", shape);
    if (sameShape(a.shape, shape)) return a;
    checkBroadcastTo("broadcastTo", a.shape, shape, [a]);
    const padded = a.ndim < shape.length ? reshape(a, [...Array(shape.length - a.ndim).fill(1), ...a.shape], o) : a;
    if (sameShape(padded.shape, shape)) return padded;
    return node(new Broadcast([...shape]), [padded], streamOf(o, a));
  });
}

/**
 * The arrays broadcast to their common shape (NumPy's rules).
 * @example
 * ```ts
 * const [a, b] = mx.broadcastArrays([mx.array([[1], [2]]), mx.array([3, 4])]);
 * await a!.tolist(); // [[1, 1], [2, 2]]
 * await b!.tolist(); // [[3, 4], [3, 4]]
 * ```
 */
export function broadcastArrays(arrays: readonly ArrayLike[], o?: OpOptions): MxArray[] {
  noExtraArguments("broadcastArrays", arguments, 2);
  return asOp("broadcastArrays", () => {
    checkOptions("broadcastArrays", o);
    const as = listArg("broadcastArrays", arrays, "arrays", "arrays").map((x, i) => toArray("broadcastArrays", x as ArrayLike, opStream("broadcastArrays", o, x), undefined, `arrays[${i}]`));
    const shape = broadcastShapes("broadcastArrays", ...as.map((a) => a.shape));
    // a shapeless trace broadcasts each by a rule of all the inputs' shapes (MLX's dynamic broadcast_arrays), replayed on new shapes
    if (as.length > 1 && inShapelessTrace()) return as.map((a, i) => node(new BroadcastAxes(0, "broadcastArrays"), [a, ...as.filter((_, j) => j !== i)], streamOf(o, a)));
    return as.map((a) => broadcastTo(a, shape, o));
  });
}

/** A slice bound: an index (negative counts from the end) or null for the default. */
export type SliceBound = number | null;

/**
 * Python slicing per axis, `x[start[i]:stop[i]:step[i]]`: negative indices count
 * from the end, bounds clamp as in NumPy, null means the default, and axes
 * beyond the given lists are kept whole.
 * @example
 * ```ts
 * await mx.slice(mx.arange(10), [1], [8], [3]).tolist(); // [1, 4, 7]
 * await mx.slice(mx.arange(5), [null], [null], [-1]).tolist(); // [4, 3, 2, 1, 0]
 * await mx.slice(mx.array([[1, 2, 3], [4, 5, 6]]), [0, 1], [1, null]).tolist(); // [[2, 3]]
 * ```
 */
export function slice(x: ArrayLike, start: readonly SliceBound[], stop: readonly SliceBound[], step?: readonly number[], o?: OpOptions): MxArray;
/**
 * MLX's dynamic slice, `mx.slice(a, start_indices, axes, slice_size)`: the
 * start indices are an mx integer array (0-D or 1-D, read when the graph runs),
 * one per axis of `axes`; `sliceSize` gives the result's size on every axis
 * (axes not in `axes` start at 0). A start that would put the window past
 * the axis is clamped to keep it inside (MLX leaves it undefined). Lists of
 * starts are the static (start, stop, step) form above: a port of MLX's
 * `mx.slice(a, [1, 2], ...)` writes `mx.slice(a, mx.array([1, 2]), ...)`.
 * @example
 * ```ts
 * const x = mx.reshape(mx.arange(16), [4, 4]);
 * await mx.slice(x, mx.array([1, 2]), [0, 1], [2, 2]).tolist(); // [[6, 7], [10, 11]]
 * await mx.slice(x, mx.array([3]), [1], [2, 1]).tolist(); // [[3], [7]]
 * ```
 */
export function slice(x: ArrayLike, start: MxArray, axes: readonly number[], sliceSize: readonly number[], o?: OpOptions): MxArray;
/**
 * Python's `slice(stop)`, `slice(start, stop)` or `slice(start, stop, step)`
 * as an index entry (the same object as `mx.s`; null takes the default), for
 * `x.get(...)`, `x.at(...)` and `mx.index`.
 * @example
 * ```ts
 * await mx.arange(10).get(mx.slice(1, 8, 3)).tolist(); // [1, 4, 7]
 * await mx.arange(5).get(mx.slice(null, null, -1)).tolist(); // [4, 3, 2, 1, 0]
 * ```
 */
export function slice(start: number | null, stop?: number | null, step?: number | null): IndexSlice;
export function slice(x: ArrayLike | null, start?: readonly SliceBound[] | MxArray | number | null, stop?: readonly SliceBound[] | readonly number[] | number | null, step?: readonly number[] | number | null, o?: OpOptions): MxArray | IndexSlice {
  // a number or null first, no list of starts after it: the index-slice form (an array to slice comes with lists)
  if ((typeof x === "number" || x === null) && !Array.isArray(start) && !(start instanceof MxArray)) {
    noExtraArguments("slice", arguments, 3);
    return indexSlice("slice", arguments.length === 1 ? [x] : [x, start, stop]);
  }
  noExtraArguments("slice", arguments, 5);
  return asOp("slice", () => {
    const a = arr("slice", x as ArrayLike, o);
    if (start instanceof MxArray) return dynamicSlice("slice", a, start, stop, step, opStream("slice", o, a, start));
    const lists = {
      start: listArg("slice", start, "start", "indices (or null)", [a]),
      stop: listArg("slice", stop, "stop", "indices (or null)", [a]),
      step: step === undefined || step === null ? [] : listArg("slice", step, "step", "non-zero integers", [a]),
    };
    for (const [name, list] of Object.entries(lists)) {
      if (list.length > a.ndim) throw opError("slice", `${name} has ${list.length} entries for ${a.ndim} axes`, [a], "value");
    }
    const starts: number[] = [], steps: number[] = [], shape: number[] = [];
    for (let i = 0; i < a.ndim; i++) {
      const n = a.shape[i]!;
      const st = lists.step[i] ?? 1;
      if (typeof st !== "number" || !Number.isInteger(st) || st === 0) throw opError("slice", `step must be a non-zero integer, got ${describeValue(st)} on axis ${i}`, [a], "value");
      const clampIdx = (name: string, v: unknown, dflt: number, lo: number, hi: number) => {
        if (v === null || v === undefined) return dflt;
        if (typeof v !== "number" || !Number.isInteger(v)) throw opError("slice", `${name} must hold integers or null, got ${describeValue(v)} on axis ${i}`, [a], "type");
        const w = v < 0 ? v + n : v;
        return Math.min(Math.max(w, lo), hi);
      };
      const b = st > 0 ? clampIdx("start", lists.start[i], 0, 0, n) : clampIdx("start", lists.start[i], n - 1, -1, n - 1);
      const e = st > 0 ? clampIdx("stop", lists.stop[i], n, 0, n) : clampIdx("stop", lists.stop[i], -1, -1, n - 1);
      const count = st > 0 ? Math.max(0, Math.ceil((e - b) / st)) : Math.max(0, Math.ceil((b - e) / -st));
      starts.push(count === 0 ? 0 : b);
      steps.push(st);
      shape.push(count);
    }
    // in a shapeless trace only bounds that take every element of any size (start 0 or null, stop null, step 1) skip the node
    const whole = (i: number) => (lists.start[i] ?? 0) === 0 && (lists.stop[i] ?? null) === null && (lists.step[i] ?? 1) === 1;
    if (sameShape(shape, a.shape) && steps.every((s) => s === 1) && (!inShapelessTrace() || a.shape.every((_, i) => whole(i)))) return a;
    return node(new Slice(starts, steps, shape), [a], streamOf(o, a));
  });
}

/**
 * Splits `x` along `axis` (default 0) into `n` equal sections, or at the given
 * indices.
 * @example
 * ```ts
 * const parts = mx.split(mx.arange(6), 3);
 * await parts[2]!.tolist(); // [4, 5]
 * const [, middle] = mx.split(mx.arange(6), [1, 4]);
 * await middle!.tolist(); // [1, 2, 3]
 * ```
 */
export function split(x: ArrayLike, indicesOrSections: number | readonly number[], axisOrOptions?: number | ({ axis?: number | undefined } & OpOptions), options?: OpOptions): MxArray[] {
  noExtraArguments("split", arguments, 4);
  return asOp("split", () => {
    const o = axisThenOptions<{ axis?: number | undefined } & OpOptions>("split", axisOrOptions, options, ["axis"]);
    const a = arr("split", x, o, ["axis"]);
    const ax = normalizeAxis("split", o.axis ?? 0, a.ndim, "axis", [a]);
    const n = a.shape[ax]!;
    let cuts: number[];
    if (typeof indicesOrSections === "number") {
      const k = indicesOrSections;
      if (!Number.isInteger(k) || k <= 0 || n % k !== 0) {
        throw opError("split", `cannot split axis ${ax} of size ${n} into ${k} equal sections`, [a], "value");
      }
      cuts = [...Array(k - 1).keys()].map((i) => ((i + 1) * n) / k);
    } else {
      const list = listArg("split", indicesOrSections, "indicesOrSections", "indices (or be a number of sections)", [a]);
      const bad = list.findIndex((c, i) => !(i in list) || typeof c !== "number" || !Number.isInteger(c));
      if (bad >= 0) throw opError("split", `indicesOrSections must hold integer indices, got ${describeValue(list[bad])} at position ${bad}`, [a], "type");
      cuts = list as number[];
    }
    const bounds = [0, ...cuts.map((c) => Math.min(Math.max(c < 0 ? c + n : c, 0), n)), n];
    return bounds.slice(0, -1).map((b, i) => {
      const starts: SliceBound[] = a.shape.map(() => null);
      const stops: SliceBound[] = a.shape.map(() => null);
      starts[ax] = b;
      stops[ax] = Math.max(b, bounds[i + 1]!);
      return slice(a, starts, stops, undefined, { stream: o.stream });
    });
  });
}

/**
 * Joins arrays along `axis` (default 0); the other axes must match and dtypes
 * promote. `axis: null` flattens them first, as MLX.
 * @example
 * ```ts
 * await mx.concatenate([mx.array([[1, 2]]), mx.array([[3, 4]])], { axis: 1 }).tolist(); // [[1, 2, 3, 4]]
 * await mx.concatenate([mx.array([[1, 2]]), mx.array([3])], { axis: null }).tolist(); // [1, 2, 3]
 * ```
 */
export function concatenate(arrays: readonly ArrayLike[], axisOrOptions?: number | null | ({ axis?: number | null | undefined } & OpOptions), options?: OpOptions): MxArray {
  noExtraArguments("concatenate", arguments, 3);
  return asOp("concatenate", () => {
    let o = axisThenOptions<{ axis?: number | null | undefined } & OpOptions>("concatenate", axisOrOptions, options, ["axis"]);
    if (!Array.isArray(arrays) || arrays.length === 0) throw opError("concatenate", `arrays must be a non-empty list of arrays, got ${describeValue(arrays)}`, [], "value");
    let as = arrays.map((x, i) => toArray("concatenate", x, opStream("concatenate", o, x), undefined, `arrays[${i}]`));
    const so = { stream: o.stream };
    if (o.axis === null) {
      as = as.map((a, i) => reshape(a, flatShape("concatenate", a, `arrays[${i}]`), so));
      o = { ...o, axis: 0 };
    }
    const nd = as[0]!.ndim;
    if (nd === 0) throw opError("concatenate", "zero-dimensional arrays cannot be concatenated; use stack", as, "value");
    const ax = normalizeAxis("concatenate", o.axis ?? 0, nd, "axis", as);
    checkConcatShapes("concatenate", as, ax);
    const sizes = as.map((a) => a.shape[ax]!);
    const joined = sizes.reduce((p, q) => p + q, 0);
    if (joined > MAX_DIM) {
      const terms = sizes.length > 6 ? `${sizes.slice(0, 6).join(" + ")} + ...` : sizes.join(" + ");
      checkResultShape("concatenate", as[0]!.shape.map((d, i) => (i === ax ? joined : d)), `the arrays' sizes along axis ${ax} (${terms})`, as);
    }
    const d = as.map((a) => a.dtype).reduce(promoteTypes);
    const cast = as.map((a) => astype(a, d, so));
    if (cast.length === 1) return cast[0]!;
    return node(new Concatenate(ax), cast, streamOf(o, ...cast));
  });
}

/**
 * Joins arrays of one shape along a new axis (default 0).
 * @example
 * ```ts
 * await mx.stack([mx.array([1, 2]), mx.array([3, 4])]).tolist(); // [[1, 2], [3, 4]]
 * await mx.stack([mx.array([1, 2]), mx.array([3, 4])], { axis: 1 }).tolist(); // [[1, 3], [2, 4]]
 * ```
 */
export function stack(arrays: readonly ArrayLike[], axisOrOptions?: number | ({ axis?: number | undefined } & OpOptions), options?: OpOptions): MxArray {
  noExtraArguments("stack", arguments, 3);
  return asOp("stack", () => {
    const o = axisThenOptions<{ axis?: number | undefined } & OpOptions>("stack", axisOrOptions, options, ["axis"]);
    if (!Array.isArray(arrays) || arrays.length === 0) throw opError("stack", `arrays must be a non-empty list of arrays, got ${describeValue(arrays)}`, [], "value");
    const as = arrays.map((x, i) => toArray("stack", x, opStream("stack", o, x), undefined, `arrays[${i}]`));
    const nd = as[0]!.ndim;
    for (const a of as) if (!sameShape(a.shape, as[0]!.shape)) throw opError("stack", "all arrays must have the same shape", as, "value");
    const ax = normalizeAxis("stack", o.axis ?? 0, nd + 1, "axis", as);
    return concatenate(as.map((a) => expandDims(a, ax, { stream: o.stream })), { axis: ax, stream: o.stream });
  });
}

export type PadWidth = number | readonly [number] | readonly [number, number] | readonly (readonly [number, number])[];

/**
 * Pads with `constantValue` (default 0), or by `mode` ("edge", "reflect",
 * "symmetric": see PadMode; MLX's modes, which match NumPy's np.pad except
 * where a mirroring width passes the axis on both sides): `padWidth` gives a
 * (low, high) pair per axis, or for every axis alike one number, `[n]`, one
 * pair `[low, high]` or `[[low, high]]`, as MLX.
 * @example
 * ```ts
 * await mx.pad(mx.array([1, 2]), 1).tolist(); // [0, 1, 2, 0]
 * await mx.pad(mx.array([[1]]), [[0, 1], [1, 0]], { constantValue: 9 }).tolist(); // [[9, 1], [9, 9]]
 * await mx.pad(mx.array([1, 2, 3]), 2, "reflect").tolist(); // [3, 2, 1, 2, 3, 2, 1]
 * await mx.pad(mx.array([1, 2, 3]), [2, 1], { mode: "symmetric" }).tolist(); // [2, 1, 1, 2, 3, 3]
 * ```
 */
export function pad(x: ArrayLike, padWidth: PadWidth, modeOrOptions?: PadMode | PadOptions, constantValue?: JsScalar | MxArray | OpOptions, options?: OpOptions): MxArray {
  noExtraArguments("pad", arguments, 5);
  return asOp("pad", () => {
    // MLX's positional pad(x, pad_width, mode, constant_values, stream), or the options object
    const isOptions = (v: unknown) => v !== null && typeof v === "object" && !(v instanceof MxArray);
    let o: PadOptions;
    if (typeof modeOrOptions === "string" || (modeOrOptions === undefined && constantValue !== undefined)) {
      const [fill, given] = isOptions(constantValue) ? [undefined, constantValue] : [constantValue, options];
      if (isOptions(constantValue) && options !== undefined) throw opError("pad", "got an options object and a further argument; the options come last", [], "type");
      checkOptions("pad", given); // mode and constantValue came positionally
      o = { ...(given as OpOptions | undefined), mode: modeOrOptions ?? "constant", ...(fill === undefined ? {} : { constantValue: fill as JsScalar }) };
    } else {
      if (constantValue !== undefined || options !== undefined) throw opError("pad", "got an options object and a further argument; pass the options once, last", [], "type");
      o = modeOrOptions ?? {};
    }
    const mode = o?.mode ?? "constant";
    if (!PAD_MODES.includes(mode)) throw opError("pad", `mode must be one of ${PAD_MODES.map((m) => `"${m}"`).join(", ")}, got ${describeValue(mode)}`, [], "value");
    const a = arr("pad", x, o, ["mode", "constantValue"]);
    let pairs: (readonly [number, number])[];
    const every = (p: readonly [number, number]) => a.shape.map(() => p);
    if (typeof padWidth === "number") pairs = every([padWidth, padWidth]);
    else if (!Array.isArray(padWidth)) pairs = [];
    else if (padWidth.length === 1 && typeof padWidth[0] === "number") pairs = every([padWidth[0], padWidth[0]]);
    else if (padWidth.length === 2 && typeof padWidth[0] === "number") pairs = every(padWidth as unknown as readonly [number, number]);
    else if (padWidth.length === 1 && a.ndim !== 1 && Array.isArray(padWidth[0])) pairs = every(padWidth[0] as unknown as readonly [number, number]);
    else pairs = padWidth as unknown as (readonly [number, number])[];
    checkPadPairs("pad", a.shape, pairs, "padWidth", padWidth, [a]);
    const s = opStream("pad", o, a);
    if (mode === "edge") return padEdge(a, pairs, { stream: s });
    if (mode === "reflect" || mode === "symmetric") return padMirror(a, pairs, mode, s);
    let value = fillArray("pad", o.constantValue ?? 0, s, a.dtype, "constantValue", [a]);
    if (value.size !== 1) throw opError("pad", `constantValue must be one value (a scalar or an array of one element), got shape ${shapeStr(value.shape)}`, [a, value], "value");
    if (value.ndim > 0) value = reshape(value, [], { stream: s });
    return node(new Pad(pairs.map((p) => p[0]), pairs.map((p) => p[1])), [a, astype(value, a.dtype, { stream: s })], s);
  });
}

/**
 * How `pad` fills: with `constantValue` (default 0), by repeating each axis's
 * edge elements, or by mirroring the axis about its edge element ("reflect":
 * [1, 2, 3] padded by 2 is [3, 2, 1, 2, 3, 2, 1]) or about its boundary
 * ("symmetric": [2, 1, 1, 2, 3, 3, 2]).
 */
export type PadMode = "constant" | "edge" | "reflect" | "symmetric";

const PAD_MODES: readonly string[] = ["constant", "edge", "reflect", "symmetric"];

export interface PadOptions extends OpOptions {
  mode?: PadMode | undefined;
  constantValue?: JsScalar | undefined;
}

/**
 * Reflect and symmetric padding, as MLX's reflect_pad: position j of a padded
 * axis of n elements reads element j - low of the axis mirrored periodically
 * (period 2(n - 1) about the edge elements for "reflect", 2n about the
 * boundaries for "symmetric"), so widths past the axis keep reflecting; one
 * gather of those indices per padded axis (gradients scatter back).
 */
function padMirror(a: MxArray, pairs: readonly (readonly [number, number])[], mode: "reflect" | "symmetric", s: Stream): MxArray {
  let out = a;
  pairs.forEach(([low, high], axis) => {
    if (low === 0 && high === 0) return;
    const n = out.shape[axis]!;
    if (n === 0) throw opError("pad", `${mode} mode cannot pad axis ${axis} of size 0 (it has nothing to mirror)`, [a], "value");
    const index = new Int32Array(low + n + high).map((_, j) => mirrorIndex(j - low, n, mode === "symmetric"));
    out = pickAlong(out, constant(index, [index.length], int32, s), axis, s);
  });
  return out;
}

/** The element that position `k` (0 the first element, negative before it) of an axis of `n` mirrors, repeating the edges when `withEdge`. */
function mirrorIndex(k: number, n: number, withEdge: boolean): number {
  if (n === 1) return 0;
  const period = withEdge ? 2 * n : 2 * (n - 1);
  const r = ((k % period) + period) % period;
  return r < n ? r : withEdge ? period - 1 - r : period - r;
}

/** Edge padding, axis by axis: the first and last slices broadcast to the pad widths and concatenated around. */
function padEdge(a: MxArray, pairs: readonly (readonly [number, number])[], o: OpOptions): MxArray {
  let out = a;
  pairs.forEach(([low, high], axis) => {
    if (low === 0 && high === 0) return;
    if (out.shape[axis] === 0) throw opError("pad", `edge mode cannot pad axis ${axis} of size 0 (it has no edge)`, [a], "value");
    const edge = (at: number, width: number) => {
      const starts = out.shape.map(() => null as number | null), stops = out.shape.map(() => null as number | null);
      starts[axis] = at;
      stops[axis] = at + 1;
      const sl = slice(out, starts, stops, undefined, o);
      return broadcastTo(sl, out.shape.map((d, i) => (i === axis ? width : d)), o);
    };
    const parts = [...(low ? [edge(0, low)] : []), out, ...(high ? [edge(out.shape[axis]! - 1, high)] : [])];
    out = concatenate(parts, { axis, ...o });
  });
  return out;
}
