// Sorting and selection ops: sort, argsort, partition, argpartition (one
// axis, default -1, null flattens; stable, NaN last, -0 equal to +0, as
// NumPy's kind="stable"), topk (the k largest) and searchsorted.

import { MxArray } from "../array.js";
import { complex64, isFloating, uint32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkSortAxis, kthOf, SortIndices, SortValues } from "../primitives/sort.js";
import { normalizeAxis } from "../shape.js";
import type { Stream } from "../device.js";
import { checkArrayLike, flatShape, node, onStream, opStream, resultType, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { astype, isnan, less, lessEqual, logicalAnd, logicalNot, logicalOr } from "./elementwise.js";
import { expandDims, reshape, slice } from "./layout.js";
import { sum } from "./reduction.js";
import { asOp, axisThenOptions, checkOptions, noExtraArguments } from "./strict-options.js";

export interface SortOptions extends OpOptions {
  /** The axis to sort along (default -1); null sorts the flattened array. */
  axis?: number | null | undefined;
}

/** The input, the resolved axis (the array flattened when the axis is null) and the stream of `op`. */
function along(op: string, x: ArrayLike, o: SortOptions): { a: MxArray; axis: number; s: Stream } {
  const s = opStream(op, o, x);
  let a = toArray(op, checkArrayLike(op, x, "a"), s);
  if (a.dtype === complex64) throw opError(op, "complex64 is not ordered; valid: real dtypes", [a], "type");
  if (o.axis === null) a = reshape(a, flatShape(op, a), { stream: s });
  if (a.ndim === 0) throw opError(op, "the input must have at least one dimension (or pass axis: null)", [a], "value");
  if (o.axis !== null && o.axis !== undefined && typeof o.axis !== "number") throw opError(op, `axis must be an integer or null, got ${describeValue(o.axis)}`, [a], "type");
  const axis = normalizeAxis(op, o.axis ?? -1, a.ndim, "axis", [a]);
  checkSortAxis(op, a, axis);
  return { a, axis, s };
}

/** The options of `op`: an options object, or the axis alone (a number, or null to flatten). */
function sortOpts(op: string, axisOrOptions: SortOptions | number | null | undefined, options: SortOptions | undefined): SortOptions {
  return axisThenOptions<SortOptions>(op, axisOrOptions, options, ["axis"]);
}

/**
 * A sorted copy of `a` along `axis` (default -1; null sorts the flattened
 * array). Stable; NaN goes last; -0 and +0 compare equal (they keep their order).
 * The axis may be given positionally.
 * @example
 * ```ts
 * await mx.sort(mx.array([3, 1, 2])).tolist(); // [1, 2, 3]
 * await mx.sort(mx.array([[4, 1], [0, 3]]), 0).tolist(); // [[0, 1], [4, 3]]
 * await mx.sort(mx.array([2, NaN, -1])).tolist(); // [-1, 2, NaN]
 * ```
 */
export function sort(a: ArrayLike, axisOrOptions?: SortOptions | number | null, options?: SortOptions): MxArray {
  noExtraArguments("sort", arguments, 3);
  return asOp("sort", () => {
    const p = sortOpts("sort", axisOrOptions, options);
    const { a: x, axis, s } = along("sort", a, p);
    return node(new SortValues(axis, null), [x], s);
  });
}

/**
 * The indices (uint32) that sort `a` along `axis` (default -1; null: the
 * flattened array). Stable: equal elements keep their order; NaN goes last.
 * @example
 * ```ts
 * await mx.argsort(mx.array([3, 1, 2, 1])).tolist(); // [1, 3, 2, 0]
 * mx.argsort(mx.array([3, 1])).dtype.name; // "uint32"
 * ```
 */
export function argsort(a: ArrayLike, axisOrOptions?: SortOptions | number | null, options?: SortOptions): MxArray {
  noExtraArguments("argsort", arguments, 3);
  return asOp("argsort", () => {
    const p = sortOpts("argsort", axisOrOptions, options);
    const { a: x, axis, s } = along("argsort", a, p);
    return node(new SortIndices(axis, null), [x], s);
  });
}

/**
 * A copy of `a` in which the element at position `kth` along `axis` (default
 * -1; null: the flattened array) is the one a sort would put there, those
 * before it are no greater and those after it no smaller (NaN counts as the
 * largest). The order inside each side is unspecified (mlx-ts writes them sorted).
 * @example
 * ```ts
 * const p = await mx.partition(mx.array([5, 1, 4, 2, 3]), 2).tolist();
 * (p as number[])[2]; // 3
 * ```
 */
export function partition(a: ArrayLike, kth: number, axisOrOptions?: SortOptions | number | null, options?: SortOptions): MxArray {
  noExtraArguments("partition", arguments, 4);
  return asOp("partition", () => {
    const p = sortOpts("partition", axisOrOptions, options);
    const { a: x, axis, s } = along("partition", a, p);
    return node(new SortValues(axis, kthOf("partition", kth, x, axis)), [x], s);
  });
}

/**
 * The indices (uint32) that partition `a` at `kth` along `axis` (default -1;
 * null: the flattened array), as `partition` orders the values.
 * @example
 * ```ts
 * const i = await mx.argpartition(mx.array([5, 1, 4, 2, 3]), 1).tolist();
 * (i as number[])[1]; // 3
 * ```
 */
export function argpartition(a: ArrayLike, kth: number, axisOrOptions?: SortOptions | number | null, options?: SortOptions): MxArray {
  noExtraArguments("argpartition", arguments, 4);
  return asOp("argpartition", () => {
    const p = sortOpts("argpartition", axisOrOptions, options);
    const { a: x, axis, s } = along("argpartition", a, p);
    return node(new SortIndices(axis, kthOf("argpartition", kth, x, axis)), [x], s);
  });
}

/**
 * The `k` largest elements of `a` along `axis` (default -1; null: the
 * flattened array), as MLX: the last `k` of a partition at -k, so not
 * necessarily in sorted order (mlx-ts gives them ascending). NaN counts as the largest.
 * @example
 * ```ts
 * await mx.topk(mx.array([4, 9, 1, 7]), 2).tolist(); // [7, 9]
 * ```
 */
export function topk(a: ArrayLike, k: number, axisOrOptions?: SortOptions | number | null, options?: SortOptions): MxArray {
  noExtraArguments("topk", arguments, 4);
  return asOp("topk", () => {
    const p = sortOpts("topk", axisOrOptions, options);
    const { a: x, axis, s: stream } = along("topk", a, p);
    const n = x.shape[axis]!;
    if (!Number.isInteger(k) || k < 0 || k > n) throw opError("topk", `k must be an integer from 0 to ${n} (the axis length), got ${describeValue(k)}`, [x], typeof k === "number" ? "range" : "type");
    if (k === n) return x;
    const s = onStream(p, stream);
    const parted = k === 0 ? x : partition(x, -k, { ...s, axis });
    return slice(parted, x.shape.map((_, i) => (i === axis ? n - k : 0)), x.shape, undefined, s);
  });
}

export interface SearchSortedOptions extends OpOptions {
  /** "left" (default): the first index that keeps the order; "right": the last. */
  side?: "left" | "right" | undefined;
}

/**
 * For each value, the index (uint32) at which inserting it into the 1-D
 * ascending `sortedSequence` keeps it sorted: with side "left" (default) the
 * count of elements less than it, with "right" the count less than or equal.
 * NaN orders after every number (NumPy). Both inputs are promoted to one dtype.
 * The side may be given positionally.
 * @example
 * ```ts
 * const a = mx.array([1, 2, 2, 4]);
 * await mx.searchsorted(a, mx.array([0, 2, 3, 5])).tolist(); // [0, 1, 3, 4]
 * await mx.searchsorted(a, mx.array([0, 2, 3, 5]), "right").tolist(); // [0, 3, 3, 4]
 * ```
 */
export function searchsorted(sortedSequence: ArrayLike, values: ArrayLike, o?: SearchSortedOptions | "left" | "right"): MxArray {
  noExtraArguments("searchsorted", arguments, 3);
  return asOp("searchsorted", () => {
    const op = "searchsorted";
    if (typeof o !== "string") checkOptions(op, o, ["side"]);
    const p: SearchSortedOptions = typeof o === "string" ? { side: o } : (o ?? {});
    const side = p.side ?? "left";
    if (side !== "left" && side !== "right") throw opError(op, `side must be "left" or "right", got ${describeValue(side)}`, [], "value");
    const stream = opStream(op, p, sortedSequence, values);
    const s = onStream(p, stream);
    const dtype = resultType(checkArrayLike(op, sortedSequence, "sortedSequence"), checkArrayLike(op, values, "values"));
    const seq = toArray(op, sortedSequence, stream, dtype);
    const v = toArray(op, values, stream, dtype);
    if (seq.ndim !== 1) throw opError(op, `sortedSequence must be 1-D, got ${seq.ndim} dimensions`, [seq], "value");
    if (dtype === complex64) throw opError(op, "complex64 is not ordered; valid: real dtypes", [seq, v], "type");
    const a = astype(seq, dtype, s);
    const x = expandDims(astype(v, dtype, s), -1, s);
    // NaN-aware order (NaN after every number): left counts a < x, right counts a <= x
    let counted: MxArray;
    if (!isFloating(dtype)) counted = side === "left" ? less(a, x, s) : lessEqual(a, x, s);
    else if (side === "left") counted = logicalOr(less(a, x, s), logicalAnd(isnan(x, s), logicalNot(isnan(a, s), s), s), s);
    else counted = logicalOr(lessEqual(a, x, s), isnan(x, s), s);
    return astype(sum(counted, { axis: -1, ...s }), uint32, s);
  });
}
