// Scans along an axis (of the flattened array when none is given): cumsum,
// cumprod, cummax, cummin and logcumsumexp, forward or reversed, inclusive or
// exclusive, each one Scan node (complex64's cummax, cummin and logcumsumexp
// are built from ops, scan-complex.ts); and diff, NumPy's n-th discrete difference.

import { MxArray } from "../array.js";
import { bool, complex64, float32, isDType, isInexact, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { Scan, type ScanOp } from "../primitives/scan.js";
import { normalizeAxis } from "../shape.js";
import { boolOption, checkArrayLike, flatShape, intOption, node, opStream, streamOf, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { astype, notEqual, subtract } from "./elementwise.js";
import { reshape, slice } from "./layout.js";
import { complexLogcumsumexp, complexRunningExtreme } from "./scan-complex.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";

export interface ScanOptions extends OpOptions {
  /** The axis to scan along; the flattened array when null or absent. */
  axis?: number | null | undefined;
  /** Scan from the last element to the first. */
  reverse?: boolean | undefined;
  /** Whether output i includes input i (true, the default) or only the elements before it. */
  inclusive?: boolean | undefined;
}

export interface CastScanOptions extends ScanOptions {
  /** Cast the input to this dtype before scanning. */
  dtype?: DType | undefined;
}

/** The options of a scan from `(axis?, options?)` or `(options?)`; an axis given both ways must agree. */
function scanOptions<T extends ScanOptions>(op: string, a?: number | null | T, b?: T): T {
  if (Array.isArray(a) || a instanceof MxArray) throw opError(op, `axis must be an integer or null (a scan takes one axis), got ${describeValue(a)}`, [], "type");
  if (a === undefined || a === null || typeof a === "number") {
    if (b !== undefined && (typeof b !== "object" || b === null)) throw opError(op, `options must be an object, got ${describeValue(b)}`, [], "type");
    if (a !== undefined && b?.axis !== undefined && b.axis !== a) throw opError(op, `axis given twice: ${a} and { axis: ${describeValue(b.axis)} }`, [], "value");
    return { ...(b as T), axis: a === undefined ? b?.axis : a };
  }
  if (typeof a !== "object") throw opError(op, `axis must be an integer, null or an options object, got ${describeValue(a)}`, [], "type");
  if (b !== undefined) throw opError(op, "got an options object and a third argument; pass the options once", [], "type");
  return a;
}

/** The options every scan takes; cumsum and cumprod also take `dtype`. */
const SCAN_KEYS = ["axis", "reverse", "inclusive"];

/** The input of a scan (cast, prepared, flattened without an axis) and its resolved axis and flags. */
function scanInput(op: string, kind: ScanOp, x: ArrayLike, o: CastScanOptions, prepare: (a: MxArray) => MxArray): { a: MxArray; axis: number; reverse: boolean; inclusive: boolean } {
  checkOptions(op, o, kind === "sum" || kind === "prod" ? [...SCAN_KEYS, "dtype"] : SCAN_KEYS);
  let a = toArray(op, checkArrayLike(op, x), opStream(op, o, x));
  const so = { stream: o.stream };
  const reverse = boolOption(op, "reverse", o.reverse), inclusive = boolOption(op, "inclusive", o.inclusive);
  if (o.dtype !== undefined) {
    if (!isDType(o.dtype)) throw opError(op, `dtype must be an mx dtype, got ${describeValue(o.dtype)}`, [a], "type");
    a = astype(a, o.dtype, so);
  }
  a = prepare(a);
  let axis: number;
  if (o.axis === undefined || o.axis === null) {
    a = reshape(a, flatShape(op, a), so);
    axis = 0;
  } else axis = normalizeAxis(op, o.axis, a.ndim, "axis", [a]);
  return { a, axis, reverse: reverse ?? false, inclusive: inclusive ?? true };
}

/** One Scan node; complex64's cummax and cummin through complexRunningExtreme (the Scan kernels order real dtypes only). */
function scanOp(op: string, kind: ScanOp, x: ArrayLike, o: CastScanOptions): MxArray {
  const { a, axis, reverse, inclusive } = scanInput(op, kind, x, o, (v) => v);
  if (a.dtype === complex64 && (kind === "max" || kind === "min")) return complexRunningExtreme(a, axis, kind, reverse, inclusive, { stream: streamOf(o, a) });
  return node(new Scan(kind, axis, reverse, inclusive), [a], streamOf(o, a));
}

/**
 * Cumulative sum along `axis` (of the flattened array when none is given).
 * `reverse` scans from the end; `inclusive: false` leaves element i out of
 * output i (an exclusive scan, starting at 0). bool counts in int32; other
 * dtypes keep theirs (integers wrap); `dtype` casts the input first. Floats
 * accumulate in higher precision on the cpu.
 * @example
 * ```ts
 * await mx.cumsum(mx.array([1, 2, 3, 4])).tolist(); // [1, 3, 6, 10]
 * await mx.cumsum(mx.array([[1, 2], [3, 4]]), 0).tolist(); // [[1, 2], [4, 6]]
 * await mx.cumsum(mx.array([1, 2, 3]), { reverse: true, inclusive: false }).tolist(); // [5, 3, 0]
 * ```
 */
export function cumsum(x: ArrayLike, axis?: number | null | CastScanOptions, o?: CastScanOptions): MxArray {
  noExtraArguments("cumsum", arguments, 3);
  return asOp("cumsum", () => {
    return scanOp("cumsum", "sum", x, scanOptions("cumsum", axis, o));
  });
}

/**
 * Cumulative product along `axis` (of the flattened array when none is given),
 * with `reverse`, `inclusive` (an exclusive scan starts at 1) and `dtype` as
 * `cumsum`. The dtype is the input's (integers wrap; bool gives bool).
 * @example
 * ```ts
 * await mx.cumprod(mx.array([1, 2, 3, 4])).tolist(); // [1, 2, 6, 24]
 * await mx.cumprod(mx.array([1, 2, 3]), { inclusive: false }).tolist(); // [1, 1, 2]
 * ```
 */
export function cumprod(x: ArrayLike, axis?: number | null | CastScanOptions, o?: CastScanOptions): MxArray {
  noExtraArguments("cumprod", arguments, 3);
  return asOp("cumprod", () => {
    return scanOp("cumprod", "prod", x, scanOptions("cumprod", axis, o));
  });
}

/**
 * Running maximum along `axis` (of the flattened array when none is given),
 * with `reverse` and `inclusive` as `cumsum` (an exclusive scan starts at the
 * dtype's lowest value, -inf for floats). NaN propagates from where it
 * appears, as NumPy's `maximum.accumulate`. complex64 orders by real part,
 * then imaginary part: each output is an input element (the first with NaN
 * in either part from where it appears, else the latest of equal maxima in
 * scan order), and an exclusive scan starts at -inf - inf i.
 * @example
 * ```ts
 * await mx.cummax(mx.array([1, 3, 2, 5])).tolist(); // [1, 3, 3, 5]
 * await mx.cummax(mx.array([1, NaN, 2])).tolist(); // [1, NaN, NaN]
 * ```
 */
export function cummax(x: ArrayLike, axis?: number | null | ScanOptions, o?: ScanOptions): MxArray {
  noExtraArguments("cummax", arguments, 3);
  return asOp("cummax", () => {
    return scanOp("cummax", "max", x, scanOptions("cummax", axis, o));
  });
}

/**
 * Running minimum along `axis` (of the flattened array when none is given),
 * with `reverse` and `inclusive` as `cumsum` (an exclusive scan starts at the
 * dtype's highest value, inf for floats). NaN propagates, as NumPy's
 * `minimum.accumulate`. complex64 as `cummax` does, with `minimum`'s order;
 * an exclusive scan starts at inf + inf i.
 * @example
 * ```ts
 * await mx.cummin(mx.array([3, 1, 2, 0])).tolist(); // [3, 1, 1, 0]
 * await mx.cummin(mx.array([3, 1, 2, 0]), { reverse: true }).tolist(); // [0, 0, 0, 0]
 * ```
 */
export function cummin(x: ArrayLike, axis?: number | null | ScanOptions, o?: ScanOptions): MxArray {
  noExtraArguments("cummin", arguments, 3);
  return asOp("cummin", () => {
    return scanOp("cummin", "min", x, scanOptions("cummin", axis, o));
  });
}

/**
 * Running `log(sum(exp(x)))` along `axis` (of the flattened array when none is
 * given), with `reverse` and `inclusive` as `cumsum` (an exclusive scan starts
 * at -inf), computed stably (each step is a logaddexp). Integer and bool
 * inputs compute in float32. complex64 gives the principal branch of
 * log(cumsum(exp(z))) (imaginary part in (-pi, pi]), in ceil(log2 n) rounds
 * of elementwise steps.
 * @example
 * ```ts
 * await mx.logcumsumexp(mx.array([0, 0, 0, 0])).tolist(); // [0, 0.6931471824645996, 1.0986123085021973, 1.3862943649291992]
 * await mx.logcumsumexp(mx.array([1000, 1000])).tolist(); // [1000, 1000.6931762695312]
 * ```
 */
export function logcumsumexp(x: ArrayLike, axis?: number | null | ScanOptions, o?: ScanOptions): MxArray {
  noExtraArguments("logcumsumexp", arguments, 3);
  return asOp("logcumsumexp", () => {
    const p = scanOptions("logcumsumexp", axis, o);
    const { a, axis: ax, reverse, inclusive } = scanInput("logcumsumexp", "logaddexp", x, p, (v) => (isInexact(v.dtype) ? v : astype(v, float32, { stream: p.stream })));
    if (a.dtype === complex64) return complexLogcumsumexp(a, ax, reverse, inclusive, { stream: streamOf(p, a) });
    return node(new Scan("logaddexp", ax, reverse, inclusive), [a], streamOf(p, a));
  });
}

export interface DiffOptions extends OpOptions {
  /** How many times to take the difference (default 1). */
  n?: number | undefined;
  /** The axis (default -1, the last). */
  axis?: number | undefined;
}

/**
 * The `n`-th discrete difference along `axis` (default: the first difference
 * along the last axis), as NumPy's `diff`: `x[1:] - x[:-1]`, taken `n` times,
 * so the axis shrinks by `n` (to 0 at least). bool differences are
 * `x[1:] != x[:-1]`, as NumPy's.
 * @example
 * ```ts
 * await mx.diff(mx.array([1, 4, 9, 16])).tolist(); // [3, 5, 7]
 * await mx.diff(mx.array([1, 4, 9, 16]), 2).tolist(); // [2, 2]
 * await mx.diff(mx.array([[1, 2], [5, 8]]), { axis: 0 }).tolist(); // [[4, 6]]
 * ```
 */
export function diff(x: ArrayLike, n?: number | DiffOptions, axis?: number | DiffOptions, o?: DiffOptions): MxArray {
  noExtraArguments("diff", arguments, 4);
  return asOp("diff", () => {
    const isOptions = (v: unknown): v is DiffOptions => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof MxArray);
    if ((isOptions(n) && (axis !== undefined || o !== undefined)) || (isOptions(axis) && o !== undefined)) {
      throw opError("diff", "got an options object and further arguments; pass the options once", [], "type");
    }
    const options = isOptions(n) ? n : isOptions(axis) ? axis : o;
    checkOptions("diff", options, ["n", "axis"]);
    const given = (k: "n" | "axis", v: number | undefined) => {
      if (v !== undefined && options?.[k] !== undefined && options[k] !== v) throw opError("diff", `${k} given twice: ${v} and { ${k}: ${describeValue(options[k])} }`, [], "value");
      return v ?? options?.[k];
    };
    const p: DiffOptions = { ...options, n: given("n", isOptions(n) ? undefined : n), axis: given("axis", isOptions(axis) ? undefined : axis) };
    const on = { stream: opStream("diff", options, x) };
    let a = toArray("diff", checkArrayLike("diff", x), on.stream);
    const times = intOption("diff", "n", p.n, 0) ?? 1;
    if (a.ndim === 0) throw opError("diff", "needs an array of at least one dimension", [a], "value");
    const ax = normalizeAxis("diff", p.axis ?? -1, a.ndim, "axis", [a]);
    // after as many differences as the axis is long it is empty, and stays so
    const rounds = Math.min(times, a.shape[ax]!);
    for (let i = 0; i < rounds; i++) {
      const len = a.shape[ax]!;
      const lo = a.shape.map(() => 0), hi = [...a.shape];
      lo[ax] = Math.min(1, len);
      hi[ax] = Math.max(len - 1, 0);
      const upper = slice(a, lo, a.shape, undefined, on), lower = slice(a, a.shape.map(() => 0), hi, undefined, on);
      a = a.dtype === bool ? notEqual(upper, lower, on) : subtract(upper, lower, on);
    }
    return a;
  });
}
