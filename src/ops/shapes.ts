// Shape and layout ops composed from the layout primitives: flip, roll,
// tile, repeat, unflatten, unstack, permuteDims/concat (aliases), atleast*,
// meshgrid, broadcastShapes, and the triangle and diagonal ops (tri, tril,
// triu, diagonal, diag, trace). No new primitives: transforms go through the parts.

import { MxArray } from "../array.js";
import { bool, float32, isDType, type DType } from "../dtype.js";
import { checkInt, type PositionalThen } from "../argument-checks.js";
import { samplerArgs } from "../random-checks.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { broadcastShapes as broadcastShapeList, checkShape, MAX_DIM, normalizeAxes, normalizeAxis } from "../shape.js";
import { checkArrayLike, checkResultShape, flatShape, node, onStream, opStream, streamOf, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { Unflatten, unflattenParts } from "../primitives/layout.js";
import { arange, zeros, type DTypeOptions } from "./creation.js";
import { astype, greaterEqual, where } from "./elementwise.js";
import { broadcastArrays, broadcastTo, concatenate, expandDims, pad, reshape, slice, transpose, type SliceBound } from "./layout.js";
import { sum } from "./reduction.js";
import { isPlainObject } from "../transforms/tree.js";
import { asOp, axisThenOptions, checkOptions, noExtraArguments, valuesThenDtype } from "./strict-options.js";

function arr(op: string, x: ArrayLike, o?: OpOptions): MxArray {
  return toArray(op, checkArrayLike(op, x), opStream(op, o, x));
}

/** `axis` as a list of integers (one number, or a list). */
function axisList(op: string, axis: unknown): number[] {
  const list = typeof axis === "number" ? [axis] : axis;
  if (!Array.isArray(list)) throw opError(op, `axis must be an integer or a list of integers, got ${describeValue(axis)}`, [], "type");
  return list.map((a) => checkInt(op, "axis", a));
}

/** An axis given in an options object, `{ axis, stream }`. */
export type AxisOption<T> = { axis?: T | null | undefined } & OpOptions;

/**
 * `x` reversed along `axis` (an axis or a list; all axes by default), as MLX:
 * a negative-step slice, so a view of `x`'s buffer.
 * @example
 * ```ts
 * await mx.flip(mx.array([[1, 2], [3, 4]])).tolist(); // [[4, 3], [2, 1]]
 * await mx.flip(mx.array([[1, 2], [3, 4]]), 1).tolist(); // [[2, 1], [4, 3]]
 * ```
 */
export function flip(x: ArrayLike, axisOrOpts?: number | readonly number[] | null | AxisOption<number | readonly number[]>, options?: OpOptions): MxArray {
  noExtraArguments("flip", arguments, 3);
  return asOp("flip", () => {
    const { axis, ...o } = axisThenOptions<AxisOption<number | readonly number[]>>("flip", axisOrOpts, options, ["axis"]);
    const a = arr("flip", x, o);
    const axes = axis === undefined || axis === null ? [...a.shape.keys()] : normalizeAxes("flip", axisList("flip", axis), a.ndim, "axis", [a]);
    if (axes.length === 0) return a;
    const start: SliceBound[] = a.shape.map((n, i) => (axes.includes(i) ? n - 1 : 0));
    const stop: SliceBound[] = a.shape.map((n, i) => (axes.includes(i) ? -n - 1 : n));
    return slice(a, start, stop, a.shape.map((_, i) => (axes.includes(i) ? -1 : 1)), o);
  });
}

/** `a` rolled by `shift` along one axis: the last `shift` elements come first. */
function rollAxis(a: MxArray, shift: number, ax: number, o: OpOptions): MxArray {
  const n = a.shape[ax]!;
  if (n === 0) return a;
  const cut = ((((-shift) % n) + n) % n);
  if (cut === 0) return a;
  const lo = slice(a, a.shape.map((_, i) => (i === ax ? cut : null)), a.shape.map(() => null), undefined, o);
  const hi = slice(a, a.shape.map(() => null), a.shape.map((_, i) => (i === ax ? cut : null)), undefined, o);
  return concatenate([lo, hi], { axis: ax, stream: o.stream });
}

/**
 * Elements shifted by `shift` positions along `axis` (an axis or a list, one
 * shift each or one for all; positionally or as `{ axis }`), wrapping around; without `axis` the flattened
 * array is rolled (by the sum of the shifts) and reshaped back, as MLX.
 * @example
 * ```ts
 * await mx.roll(mx.arange(5), 2).tolist(); // [3, 4, 0, 1, 2]
 * await mx.roll(mx.array([[1, 2, 3], [4, 5, 6]]), -1, 1).tolist(); // [[2, 3, 1], [5, 6, 4]]
 * await mx.roll(mx.array([[1, 2], [3, 4]]), [1, 1], [0, 1]).tolist(); // [[4, 3], [2, 1]]
 * await mx.roll(mx.arange(4), 1, { axis: 0 }).tolist(); // [3, 0, 1, 2]
 * ```
 */
export function roll(x: ArrayLike, shift: number | readonly number[], axis?: number | readonly number[] | null | AxisOption<number | readonly number[]>, o?: OpOptions): MxArray {
  noExtraArguments("roll", arguments, 4);
  return asOp("roll", () => {
    ({ axis, ...o } = axisThenOptions<AxisOption<number | readonly number[]>>("roll", axis, o, ["axis"]));
    const a = arr("roll", x, o);
    const s = onStream(o, opStream("roll", o, a));
    const shifts = (Array.isArray(shift) ? shift : [shift]).map((v) => checkInt("roll", "shift", v));
    if (axis === undefined || axis === null) {
      const total = shifts.reduce((p, v) => p + v, 0);
      return reshape(rollAxis(reshape(a, flatShape("roll", a, "the input", "no axis"), s), total, 0, s), a.shape, s);
    }
    const axes = axisList("roll", axis).map((ax) => normalizeAxis("roll", ax, a.ndim, "axis", [a]));
    if (typeof axis === "number") return rollAxis(a, shifts.reduce((p, v) => p + v, 0), axes[0]!, s);
    if (shifts.length !== 1 && shifts.length !== axes.length) {
      throw opError("roll", `needs one shift per axis or one for all, got ${shifts.length} shifts for ${axes.length} axes`, [a], "value");
    }
    return axes.reduce((r, ax, i) => rollAxis(r, shifts.length === 1 ? shifts[0]! : shifts[i]!, ax, s), a);
  });
}

/**
 * `x` repeated `reps` times along each axis (a number repeats the last axis);
 * `reps` longer than `x.ndim` adds leading axes, as NumPy's tile.
 * @example
 * ```ts
 * await mx.tile(mx.array([1, 2]), 2).tolist(); // [1, 2, 1, 2]
 * await mx.tile(mx.array([1, 2]), [2, 1]).tolist(); // [[1, 2], [1, 2]]
 * ```
 */
export function tile(x: ArrayLike, reps: number | readonly number[], o?: OpOptions): MxArray {
  noExtraArguments("tile", arguments, 3);
  return asOp("tile", () => {
    checkOptions("tile", o);
    const a = arr("tile", x, o);
    const s = onStream(o, opStream("tile", o, a));
    const r = (Array.isArray(reps) ? [...reps] : [reps]).map((v) => checkInt("tile", "reps", v, 0));
    const past = r.findIndex((v) => v > MAX_DIM);
    if (past >= 0) throw opError("tile", `reps must hold integers of at most 2^31 - 1 (each is the size of an axis it makes), got ${describeValue(reps)}`, [a], "range");
    const nd = Math.max(r.length, a.ndim);
    const full = [...Array(nd - r.length).fill(1), ...r] as number[];
    const shape = [...Array(nd - a.ndim).fill(1), ...a.shape] as number[];
    const result = checkResultShape("tile", shape.map((n, i) => n * full[i]!), `reps ${JSON.stringify(reps)}`, [a]);
    const expanded = shape.flatMap((n) => [1, n]);
    const broad = shape.flatMap((n, i) => [full[i]!, n]);
    const tiled = broadcastTo(reshape(a, expanded, s), broad, s);
    return reshape(tiled, result, s);
  });
}

/**
 * Each element repeated `repeats` times along `axis` (positionally or as
 * `{ axis }`); without an axis the
 * flattened array is repeated.
 * @example
 * ```ts
 * await mx.repeat(mx.array([[1, 2], [3, 4]]), 2).tolist(); // [1, 1, 2, 2, 3, 3, 4, 4]
 * await mx.repeat(mx.array([[1, 2], [3, 4]]), 2, 0).tolist(); // [[1, 2], [1, 2], [3, 4], [3, 4]]
 * await mx.repeat(mx.array([[1, 2]]), 2, { axis: 1 }).tolist(); // [[1, 1, 2, 2]]
 * ```
 */
export function repeat(x: ArrayLike, repeats: number, axis?: number | null | AxisOption<number>, o?: OpOptions): MxArray {
  noExtraArguments("repeat", arguments, 4);
  return asOp("repeat", () => {
    ({ axis, ...o } = axisThenOptions<AxisOption<number>>("repeat", axis, o, ["axis"]));
    const a0 = arr("repeat", x, o);
    const s = onStream(o, opStream("repeat", o, a0));
    const k = checkInt("repeat", "repeats", repeats, 0);
    if (k > MAX_DIM) throw opError("repeat", `repeats must be at most 2^31 - 1 (the size of the new axis it makes), got ${k}`, [a0], "range");
    const flat = axis === undefined || axis === null;
    const a = flat ? reshape(a0, flatShape("repeat", a0, "the input", "no axis"), s) : a0;
    const ax = normalizeAxis("repeat", flat ? 0 : checkInt("repeat", "axis", axis), a.ndim, "axis", [a]);
    const result = checkResultShape("repeat", a.shape.map((n, i) => (i === ax ? n * k : n)), `repeats ${k} along axis ${ax} of size ${a.shape[ax]}`, [a0]);
    const wide = [...a.shape.slice(0, ax + 1), k, ...a.shape.slice(ax + 1)];
    const out = broadcastTo(expandDims(a, ax + 1, s), wide, s);
    return reshape(out, result, s);
  });
}

/**
 * Axis `axis` split into several axes of `shape` (one entry may be -1); the
 * inverse of `flatten`.
 * @example
 * ```ts
 * mx.unflatten(mx.zeros([2, 12]), 1, [3, 4]).shape; // [2, 3, 4]
 * mx.unflatten(mx.zeros([6]), 0, [-1, 2]).shape; // [3, 2]
 * ```
 */
export function unflatten(x: ArrayLike, axis: number, shape: readonly number[], o?: OpOptions): MxArray {
  noExtraArguments("unflatten", arguments, 4);
  return asOp("unflatten", () => {
    checkOptions("unflatten", o);
    const a = arr("unflatten", x, o);
    const ax = normalizeAxis("unflatten", checkInt("unflatten", "axis", axis), a.ndim, "axis", [a]);
    const parts = unflattenParts("unflatten", shape, ax, a.shape[ax]!, [a]);
    // the parts of an empty axis may be any size: each must still be a dimension
    const result = checkResultShape("unflatten", [...a.shape.slice(0, ax), ...parts, ...a.shape.slice(ax + 1)], `shape ${JSON.stringify(shape)}`, [a]);
    if (parts.length === 1) return a;
    // the request (with its -1) is kept, so a shapeless trace splits other sizes of the axis
    return node(new Unflatten(ax, [...shape], [...result]), [a], streamOf(o, a));
  });
}

/**
 * The slices of `x` along `axis` (default 0), each without that axis; the
 * inverse of `stack`.
 * @example
 * ```ts
 * const [a, b] = mx.unstack(mx.array([[1, 2], [3, 4]]));
 * await a!.tolist(); // [1, 2]
 * await mx.unstack(mx.array([[1, 2], [3, 4]]), { axis: 1 })[1]!.tolist(); // [2, 4]
 * ```
 */
export function unstack(x: ArrayLike, o: { axis?: number | undefined } & OpOptions = {}): MxArray[] {
  noExtraArguments("unstack", arguments, 2);
  return asOp("unstack", () => {
    checkOptions("unstack", o, ["axis"]);
    const a = arr("unstack", x, o);
    if (a.ndim === 0) throw opError("unstack", "cannot unstack a scalar", [a], "value");
    const ax = normalizeAxis("unstack", checkInt("unstack", "axis", o.axis ?? 0), a.ndim, "axis", [a]);
    const s = onStream(o, opStream("unstack", o, a));
    const rest = a.shape.filter((_, i) => i !== ax);
    return [...Array(a.shape[ax]!).keys()].map((i) =>
      reshape(slice(a, a.shape.map((_, d) => (d === ax ? i : null)), a.shape.map((_, d) => (d === ax ? i + 1 : null)), undefined, s), rest, s),
    );
  });
}

/**
 * MLX's (and the array API's) name for `transpose`: axes permuted by `axes`,
 * reversed without it.
 * @example
 * ```ts
 * mx.permuteDims(mx.zeros([2, 3, 4]), [2, 0, 1]).shape; // [4, 2, 3]
 * ```
 */
export function permuteDims(x: ArrayLike, axes?: readonly number[] | null, o?: OpOptions): MxArray {
  noExtraArguments("permuteDims", arguments, 3);
  return asOp("permuteDims", () => {
    checkOptions("permuteDims", o);
    return transpose(x, axes ?? undefined, o);
  });
}

/**
 * MLX's (and the array API's) name for `concatenate`; the axis may also be
 * given positionally.
 * @example
 * ```ts
 * await mx.concat([mx.array([1]), mx.array([2, 3])]).tolist(); // [1, 2, 3]
 * await mx.concat([mx.array([[1]]), mx.array([[2]])], 1).tolist(); // [[1, 2]]
 * ```
 */
export function concat(arrays: readonly ArrayLike[], axis?: number | null | ({ axis?: number | null | undefined } & OpOptions), o?: OpOptions): MxArray {
  noExtraArguments("concat", arguments, 3);
  return asOp("concat", () => {
    if (typeof axis === "object" && axis !== null) {
      checkOptions("concat", axis, ["axis"]);
      if (o !== undefined) throw opError("concat", "give the options once: concat(arrays, axis, { stream }) or concat(arrays, { axis, stream })", [], "type");
      return concatenate(arrays, axis);
    }
    checkOptions("concat", o);
    return concatenate(arrays, { ...o, axis: axis === undefined ? 0 : axis });
  });
}

/**
 * The shape that NumPy's broadcasting gives the shapes together.
 * @example
 * ```ts
 * mx.broadcastShapes([2, 1], [3]); // [2, 3]
 * mx.broadcastShapes([1], [4, 1, 2], [5, 1]); // [4, 5, 2]
 * ```
 */
export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  return asOp("broadcastShapes", () => {
    if (shapes.length === 0) throw opError("broadcastShapes", "needs at least one shape", [], "value");
    for (const s of shapes) checkShape("broadcastShapes", s);
    return [...broadcastShapeList("broadcastShapes", ...shapes)];
  });
}

function atleast(op: string, nd: 1 | 2 | 3, x: ArrayLike, o?: OpOptions): MxArray {
  checkOptions(op, o);
  const a = arr(op, x, o);
  if (a.ndim >= nd) return a;
  const sh = a.shape;
  const shape = nd === 1 ? [1] : nd === 2 ? (a.ndim === 0 ? [1, 1] : [1, sh[0]!]) : a.ndim === 0 ? [1, 1, 1] : a.ndim === 1 ? [1, sh[0]!, 1] : [sh[0]!, sh[1]!, 1];
  return reshape(a, shape, o);
}

/**
 * `x` with at least one axis (a scalar becomes shape [1]).
 * @example
 * ```ts
 * mx.atleast1d(mx.array(3)).shape; // [1]
 * ```
 */
export function atleast1d(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("atleast1d", arguments, 2);
  return asOp("atleast1d", () => {
    return atleast("atleast1d", 1, x, o);
  });
}

/**
 * `x` with at least two axes: a scalar becomes [1, 1], a vector [1, n].
 * @example
 * ```ts
 * mx.atleast2d(mx.array([1, 2])).shape; // [1, 2]
 * ```
 */
export function atleast2d(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("atleast2d", arguments, 2);
  return asOp("atleast2d", () => {
    return atleast("atleast2d", 2, x, o);
  });
}

/**
 * `x` with at least three axes: a scalar becomes [1, 1, 1], a vector
 * [1, n, 1], a matrix [m, n, 1].
 * @example
 * ```ts
 * mx.atleast3d(mx.zeros([2, 3])).shape; // [2, 3, 1]
 * ```
 */
export function atleast3d(x: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("atleast3d", arguments, 2);
  return asOp("atleast3d", () => {
    return atleast("atleast3d", 3, x, o);
  });
}

export interface MeshgridOptions extends OpOptions {
  /** Only the broadcastable axes, no broadcast (default false). */
  sparse?: boolean | undefined;
  /** "xy" (Cartesian, default: the first two outputs swap axes) or "ij" (matrix). */
  indexing?: "xy" | "ij" | undefined;
}

/**
 * Coordinate grids from 1-D coordinate vectors (each array is flattened),
 * as NumPy's meshgrid. MLX's `meshgrid(*arrays, sparse, indexing)`: the arrays
 * spread (`meshgrid(x, y, { indexing })`) or as one list.
 * @example
 * ```ts
 * const [X, Y] = mx.meshgrid([mx.array([1, 2, 3]), mx.array([4, 5])]);
 * await X!.tolist(); // [[1, 2, 3], [1, 2, 3]]
 * await Y!.tolist(); // [[4, 4, 4], [5, 5, 5]]
 * mx.meshgrid([mx.array([1, 2, 3]), mx.array([4, 5])], { indexing: "ij" })[0]!.shape; // [3, 2]
 * mx.meshgrid(mx.array([1, 2, 3]), mx.array([4, 5]), { indexing: "ij" })[1]!.shape; // [3, 2]
 * ```
 */
export function meshgrid(arrays: readonly ArrayLike[], o?: MeshgridOptions): MxArray[];
/**
 * MLX's `meshgrid(*arrays, sparse, indexing)`: the coordinate arrays spread
 * (mx arrays), then optionally the options.
 * @example
 * ```ts
 * const [X, Y] = mx.meshgrid(mx.array([1, 2, 3]), mx.array([4, 5]));
 * await X!.tolist(); // [[1, 2, 3], [1, 2, 3]]
 * mx.meshgrid(mx.array([1, 2, 3]), mx.array([4, 5]), { sparse: true })[1]!.shape; // [2, 1]
 * ```
 */
export function meshgrid(...arraysThenOptions: [MxArray, ...MxArray[]] | [MxArray, ...MxArray[], MeshgridOptions]): MxArray[];
export function meshgrid(...args: unknown[]): MxArray[] {
  return asOp("meshgrid", () => {
    const [arrays, o] = meshgridArgs(args);
    checkOptions("meshgrid", o, ["sparse", "indexing"]);
    const indexing = o.indexing ?? "xy";
    if (indexing !== "xy" && indexing !== "ij") throw opError("meshgrid", `indexing must be "xy" or "ij", got ${describeValue(indexing)}`, [], "value");
    const as = arrays.map((x) => arr("meshgrid", x, o));
    const n = as.length;
    const s = onStream(o, opStream("meshgrid", o, ...as));
    const outs = as.map((a, i) => {
      // "xy" puts the first vector along axis 1 and the second along axis 0
      const at = indexing === "xy" && n > 1 && i < 2 ? 1 - i : i;
      const shape = checkResultShape("meshgrid", [...Array(n).keys()].map((d) => (d === at ? a.size : 1)), `arrays[${i}] flattened (shape ${shapeStr(a.shape)})`, [a]);
      return reshape(a, shape, s);
    });
    return o.sparse ? outs : broadcastArrays(outs, s);
  });
}

/** meshgrid's arguments: one list of arrays then the options, or the arrays spread (not lists) then the options. */
function meshgridArgs(args: readonly unknown[]): [readonly ArrayLike[], MeshgridOptions] {
  if (Array.isArray(args[0])) {
    if (args.length > 2) throw opError("meshgrid", `takes a list of arrays then the options, or the arrays spread; got ${describeValue(args[2])} after the options`, [], "type");
    return [args[0] as ArrayLike[], (args[1] ?? {}) as MeshgridOptions];
  }
  if (args.length === 0 || args[0] === undefined) throw opError("meshgrid", "expects a list of arrays, or the arrays spread", [], "type");
  const last = args[args.length - 1];
  const withOptions = isPlainObject(last);
  const arrays = withOptions ? args.slice(0, -1) : [...args];
  arrays.forEach((a, i) => {
    if (!(a instanceof MxArray)) throw opError("meshgrid", `the spread arrays must be mx arrays, got ${describeValue(a)} as arrays[${i}]; pass a list to mix in plain values`, [], "type");
  });
  return [arrays as MxArray[], (withOptions ? last : {}) as MeshgridOptions];
}

/**
 * An `n` x `m` matrix (`m` defaults to `n`) of ones at and below diagonal `k`
 * (k > 0: above the main diagonal), zeros elsewhere; float32 unless `dtype`.
 * @example
 * ```ts
 * await mx.tri(3).tolist(); // [[1, 0, 0], [1, 1, 0], [1, 1, 1]]
 * await mx.tri(2, 3, 1, { dtype: mx.int32 }).tolist(); // [[1, 1, 0], [1, 1, 1]]
 * ```
 */
export function tri(n: number, mOrDtype?: number | null | DType | DTypeOptions, kOrDtype?: number | DType | DTypeOptions, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("tri", arguments, 5);
  return asOp("tri", () => {
    // MLX's tri(n, m, k, dtype, stream): the dtype (then the options) may come at any trailing position
    const { values: [m, k = 0], o } = valuesThenDtype<DTypeOptions>("tri", [mOrDtype, kOrDtype, dtypeOrOptions, options], ["dtype"]);
    checkInt("tri", "n", n, 0, MAX_DIM);
    const cols = checkInt("tri", "m", m ?? n, 0, MAX_DIM);
    const diagonal = checkInt("tri", "k", k);
    const s = onStream(o, opStream("tri", o));
    const rows = reshape(arange(0, n, { stream: s.stream }), [n, 1], s);
    const colsIdx = reshape(arange(-diagonal, cols - diagonal, { stream: s.stream }), [1, cols], s);
    return astype(greaterEqual(rows, colsIdx, s), o.dtype ?? float32, s);
  });
}

function triangle(op: "tril" | "triu", x: ArrayLike, k: number, o?: OpOptions): MxArray {
  checkOptions(op, o);
  const a = arr(op, x, o);
  checkInt(op, "k", k);
  if (a.ndim < 2) throw opError(op, "the array must have at least 2 dimensions", [a], "value");
  const s = onStream(o, opStream(op, o, a));
  const [n, m] = a.shape.slice(-2) as [number, number];
  const zero = toArray(op, 0, s.stream, a.dtype);
  // tril keeps j <= i + k; triu keeps j >= i + k, the complement of tri(k - 1)
  return op === "tril" ? where(tri(n, m, k, { dtype: bool, stream: s.stream }), a, zero, s) : where(tri(n, m, k - 1, { dtype: bool, stream: s.stream }), zero, a, s);
}

/**
 * The lower triangle of the last two axes: elements at and below diagonal `k`
 * (default 0; k > 0 keeps that many diagonals above), zeros above it.
 * @example
 * ```ts
 * await mx.tril(mx.array([[1, 2], [3, 4]])).tolist(); // [[1, 0], [3, 4]]
 * await mx.tril(mx.array([[1, 2], [3, 4]]), -1).tolist(); // [[0, 0], [3, 0]]
 * ```
 */
export function tril(x: ArrayLike, k = 0, o?: OpOptions): MxArray {
  noExtraArguments("tril", arguments, 3);
  return asOp("tril", () => {
    return triangle("tril", x, k, o);
  });
}

/**
 * The upper triangle of the last two axes: elements at and above diagonal `k`
 * (default 0), zeros below it.
 * @example
 * ```ts
 * await mx.triu(mx.array([[1, 2], [3, 4]])).tolist(); // [[1, 2], [0, 4]]
 * await mx.triu(mx.array([[1, 2], [3, 4]]), 1).tolist(); // [[0, 2], [0, 0]]
 * ```
 */
export function triu(x: ArrayLike, k = 0, o?: OpOptions): MxArray {
  noExtraArguments("triu", arguments, 3);
  return asOp("triu", () => {
    return triangle("triu", x, k, o);
  });
}

export interface DiagonalOptions extends OpOptions {
  /** Which diagonal: 0 the main one (default), > 0 above it, < 0 below. */
  offset?: number | undefined;
  axis1?: number | undefined;
  axis2?: number | undefined;
}

/** MLX's `(offset, axis1, axis2)` of `diagonal`, positionally then the options, or the options alone. */
export type DiagonalArgs = PositionalThen<[["offset", number], ["axis1", number], ["axis2", number]], DiagonalOptions>;

/**
 * The diagonal at `offset` of the 2-D planes spanned by `axis1` and `axis2`
 * (defaults 0 and 1): those axes are removed and the diagonal becomes the last
 * axis, as NumPy. Built from a slice, a reshape and a strided slice, so it is
 * a view where the input is contiguous. MLX's `diagonal(a, offset, axis1,
 * axis2)`: those positionally, or in the options.
 * @example
 * ```ts
 * const m = mx.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
 * await mx.diagonal(m).tolist(); // [1, 5, 9]
 * await mx.diagonal(m, { offset: 1 }).tolist(); // [2, 6]
 * await mx.diagonal(m, -1).tolist(); // [4, 8]
 * await mx.diagonal(m, 0, 1, 0).tolist(); // [1, 5, 9]
 * await mx.diagonal(mx.reshape(mx.arange(8), [2, 2, 2]), 0, 1, 2).tolist(); // [[0, 3], [4, 7]]
 * ```
 */
export function diagonal(x: ArrayLike, ...rest: DiagonalArgs): MxArray {
  noExtraArguments("diagonal", arguments, 5);
  return asOp("diagonal", () => {
    const o = samplerArgs<DiagonalOptions>("diagonal", rest, ["offset", "axis1", "axis2"]);
    return diagonalOf("diagonal", arr("diagonal", x, o), checkInt("diagonal", "offset", o.offset ?? 0), o.axis1 ?? 0, o.axis2 ?? 1, o);
  });
}

function diagonalOf(op: string, a: MxArray, k: number, axis1: number, axis2: number, o: OpOptions): MxArray {
  if (a.ndim < 2) throw opError(op, `the array must have at least 2 dimensions, got ${a.ndim}`, [a], "value");
  const ax1 = normalizeAxis(op, checkInt(op, "axis1", axis1), a.ndim, "axis1", [a]);
  const ax2 = normalizeAxis(op, checkInt(op, "axis2", axis2), a.ndim, "axis2", [a]);
  if (ax1 === ax2) throw opError(op, `axis1 and axis2 must differ, both are ${ax1}`, [a], "value");
  const s = onStream(o, opStream(op, o, a));
  // the plane last: [..., n, m]
  const rest = [...a.shape.keys()].filter((i) => i !== ax1 && i !== ax2);
  const t = transpose(a, [...rest, ax1, ax2], s);
  const batch = rest.map((i) => a.shape[i]!);
  const r0 = Math.max(-k, 0), c0 = Math.max(k, 0);
  const n = t.shape[t.ndim - 2]!, m = t.shape[t.ndim - 1]!;
  const len = Math.max(0, Math.min(n - r0, m - c0));
  if (len === 0) return zeros([...batch, 0], a.dtype, s);
  // rows r0.., columns c0..: element (i, i) of that block sits at i * (cols + 1) in its flattening
  const nulls = batch.map((): SliceBound => null);
  const block = slice(t, [...nulls, r0, c0], [...nulls, r0 + len, m], undefined, s);
  const cols = m - c0;
  const flat = reshape(block, [...batch, len * cols], s);
  return slice(flat, [...nulls, 0], [...nulls, len * cols], [...batch.map(() => 1), cols + 1], s);
}

/**
 * For a 1-D `x`: the square matrix with `x` on diagonal `k` (default 0) and
 * zeros elsewhere; for a 2-D `x`: its diagonal `k` (as `diagonal`).
 * @example
 * ```ts
 * await mx.diag(mx.array([1, 2])).tolist(); // [[1, 0], [0, 2]]
 * await mx.diag(mx.array([1, 2]), 1).tolist(); // [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
 * await mx.diag(mx.array([[1, 2], [3, 4]])).tolist(); // [1, 4]
 * ```
 */
export function diag(x: ArrayLike, k = 0, o?: OpOptions): MxArray {
  noExtraArguments("diag", arguments, 3);
  return asOp("diag", () => {
    checkOptions("diag", o);
    const a = arr("diag", x, o);
    checkInt("diag", "k", k);
    const s = onStream(o, opStream("diag", o, a));
    if (a.ndim === 2) return diagonalOf("diag", a, k, 0, 1, s);
    if (a.ndim !== 1) throw opError("diag", `the array must be 1-D or 2-D, got ${a.ndim} dimensions`, [a], "value");
    const n = a.size + Math.abs(k);
    checkResultShape("diag", [n, n], `k ${k} with a vector of ${a.size} elements`, [a]);
    // row i of [len, len + 1] zeros-padded x[:, None] puts x[i] at flat i * (len + 1): the main diagonal of [len, len],
    // the first len rows of the same elements read as [len + 1, len] (no flat axis of len * (len + 1), past 2^31 - 1 from len 46341)
    const len = a.size;
    if (len === 0) return zeros([n, n], a.dtype, s);
    if (len + 1 > MAX_DIM) throw opError("diag", `a vector of ${len} elements is too long: diag builds its matrix from rows of ${len + 1} elements, past 2^31 - 1`, [a], "value");
    const padded = pad(reshape(a, [len, 1], s), [[0, 0], [0, len]], s);
    const square = slice(reshape(padded, [len + 1, len], s), [0], [len], undefined, s);
    const r0 = Math.max(-k, 0), c0 = Math.max(k, 0);
    return k === 0 ? square : pad(square, [[r0, c0], [c0, r0]], s);
  });
}

export interface TraceOptions extends DiagonalOptions {
  /** The dtype of the sum (default: the input's). */
  dtype?: DType | undefined;
}

/**
 * The sum of diagonal `offset` over the planes of `axis1` and `axis2`
 * (defaults 0 and 1), in `dtype` (default: the input's), as MLX. MLX's
 * `trace(a, offset, axis1, axis2, dtype)`: those positionally, or in the options.
 * @example
 * ```ts
 * await mx.trace(mx.array([[1, 2], [3, 4]])).item(); // 5
 * await mx.trace(mx.array([[1, 2], [3, 4]]), { offset: 1 }).item(); // 2
 * await mx.trace(mx.array([[1, 2], [3, 4]]), 0, 0, 1, mx.float32).item(); // 5
 * ```
 */
export function trace(x: ArrayLike, ...rest: PositionalThen<[["offset", number], ["axis1", number], ["axis2", number], ["dtype", DType]], TraceOptions>): MxArray {
  noExtraArguments("trace", arguments, 6);
  return asOp("trace", () => {
    const o = samplerArgs<TraceOptions>("trace", rest, ["offset", "axis1", "axis2", "dtype"]);
    if (o.dtype !== undefined && !isDType(o.dtype)) throw opError("trace", `dtype must be an mx dtype, got ${describeValue(o.dtype)}`, [], "type");
    const a = arr("trace", x, o);
    const s = onStream({ stream: o.stream }, opStream("trace", o, a));
    const d = diagonalOf("trace", a, checkInt("trace", "offset", o.offset ?? 0), o.axis1 ?? 0, o.axis2 ?? 1, s);
    return sum(astype(d, o.dtype ?? a.dtype, s), { axis: -1, stream: s.stream });
  });
}
