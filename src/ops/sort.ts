// Sorting and selection ops: sort, argsort, partition, argpartition (one
// axis, default -1, null flattens; stable, NaN last, -0 equal to +0, as
// NumPy's kind="stable"; complex64 in MLX's order), topk (the k largest) and
// searchsorted (a binary search per value).

import { MxArray } from "../array.js";
import { complex64, isFloating, uint32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkSortAxis, kthOf, SortIndices, SortValues } from "../primitives/sort.js";
import { normalizeAxis } from "../shape.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import type { Stream } from "../device.js";
import { checkArrayLike, flatShape, node, onStream, opStream, resultType, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { complexOrder } from "./complex-order.js";
import { zerosLike } from "./creation.js";
import { add, astype, isnan, less, lessEqual, logicalAnd, logicalNot, logicalOr, minimum, multiply, where } from "./elementwise.js";
import { take, takeAlongAxis } from "./indexing.js";
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
  if (o.axis === null) a = reshape(a, flatShape(op, a), { stream: s });
  if (a.ndim === 0) throw opError(op, "the input must have at least one dimension (or pass axis: null)", [a], "value");
  if (o.axis !== null && o.axis !== undefined && typeof o.axis !== "number") throw opError(op, `axis must be an integer or null, got ${describeValue(o.axis)}`, [a], "type");
  const axis = normalizeAxis(op, o.axis ?? -1, a.ndim, "axis", [a]);
  checkSortAxis(op, a, axis);
  return { a, axis, s };
}

/**
 * The sorted (kth null) or partitioned values of `x` along `axis`; complex64
 * is fully sorted (by `complexOrder`), a valid partition at every kth.
 */
function ordered(x: MxArray, axis: number, kth: number | null, s: Stream): MxArray {
  if (x.dtype === complex64) return takeAlongAxis(x, complexOrder(x, axis, { stream: s }), axis, { stream: s });
  return node(new SortValues(axis, kth), [x], s);
}

/** The indices (uint32) that sort (kth null) or partition `x` along `axis`, complex64 as `ordered`. */
function orderOf(x: MxArray, axis: number, kth: number | null, s: Stream): MxArray {
  if (x.dtype === complex64) return complexOrder(x, axis, { stream: s });
  return node(new SortIndices(axis, kth), [x], s);
}

/** The options of `op`: an options object, or the axis alone (a number, or null to flatten). */
function sortOpts(op: string, axisOrOptions: SortOptions | number | null | undefined, options: SortOptions | undefined): SortOptions {
  return axisThenOptions<SortOptions>(op, axisOrOptions, options, ["axis"]);
}

/**
 * A sorted copy of `a` along `axis` (default -1; null sorts the flattened
 * array). Stable; NaN goes last; -0 and +0 compare equal (they keep their order).
 * complex64 sorts as MLX: by real part, then imaginary part, an element with
 * NaN in either part last (NumPy orders those by where the NaN is); its
 * partition, argpartition and topk are this full sort. The axis may be given
 * positionally.
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
    return ordered(x, axis, null, s);
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
    return orderOf(x, axis, null, s);
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
    return ordered(x, axis, kthOf("partition", kth, x, axis), s);
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
    return orderOf(x, axis, kthOf("argpartition", kth, x, axis), s);
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

/**
 * For each of `values`, how many leading elements of the 1-D `seq` are
 * `before` it (true on a prefix of `seq`, as a NaN-aware comparison is on an
 * ascending sequence), as uint32: a binary search run on every value at
 * once, one elementwise round per bit of the length m (O(values log m)).
 * A shapeless trace counts every pair instead (O(values m)): the rounds and
 * probes follow the traced length, which the replay on other shapes would keep.
 */
function prefixCount(seq: MxArray, values: MxArray, before: (element: MxArray, value: MxArray) => MxArray, s: OpOptions): MxArray {
  if (inShapelessTrace()) return astype(sum(before(seq, expandDims(values, -1, s)), { axis: -1, ...s }), uint32, s);
  const m = seq.shape[0]!;
  if (m === 0) return zerosLike(values, uint32, s);
  let step = 1;
  while (step * 2 <= m) step *= 2;
  // count: how many leading elements are known to be before the value; each round extends it by step when seq[count + step - 1] is
  let count = multiply(astype(before(take(seq, step - 1, 0, s), values), uint32, s), step, s);
  for (step /= 2; step >= 1; step /= 2) {
    const reachable = lessEqual(count, m - step, s);
    const probe = add(minimum(count, m - step, s), step - 1, s);
    const advance = logicalAnd(reachable, before(take(seq, probe, 0, s), values), s);
    count = where(advance, add(count, step, s), count, s);
  }
  return count;
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
 * A binary search for each value (O(log m) steps, MLX's and NumPy's method):
 * on a sequence that is not ascending the index is unspecified. The side may
 * be given positionally.
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
    const x = astype(v, dtype, s);
    // NaN-aware order (NaN after every number): left counts elements < x, right elements <= x
    let before: (element: MxArray, value: MxArray) => MxArray;
    if (!isFloating(dtype)) before = side === "left" ? (e, val) => less(e, val, s) : (e, val) => lessEqual(e, val, s);
    else if (side === "left") before = (e, val) => logicalOr(less(e, val, s), logicalAnd(isnan(val, s), logicalNot(isnan(e, s), s), s), s);
    else before = (e, val) => logicalOr(lessEqual(e, val, s), isnan(val, s), s);
    return prefixCount(a, x, before, s);
  });
}
