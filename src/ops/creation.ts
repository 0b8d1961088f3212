// Array creation: mx.array from nested lists, typed arrays and scalars;
// zeros/ones/full (broadcast views of one scalar), the *Like variants (in a
// shapeless trace by a rule of the array's shape), arange, linspace, eye and
// identity.

import { checkInt, type OptionsWithout, type PositionalThen } from "../argument-checks.js";
import { MxArray, type NestedList } from "../array.js";
import {
  bool, complex64, fitsIntegerDType, float32, float64, int16, int32, int64, int8, intRangeText, isDType, isInexact,
  isIntegerNumber, scalarDefaultDType, uint16, uint32, uint64, uint8, type DType,
} from "../dtype.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { nestedListShape } from "../convert.js";
import { getBackend } from "../../backends/backend.js";
import { Broadcast, BroadcastAxes } from "../primitives/layout.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { Arange } from "../primitives/misc.js";
import { broadcastShapes, checkShape, MAX_DIM, sameShape } from "../shape.js";
import type { Complex, TypedArray } from "../storage.js";
import { asOp, checkOptions, dtypeThenOptions, noExtraArguments, valuesThenDtype } from "./strict-options.js";
import { checkArrayLike, constant, encodeValues, fillArray, node, opStream, streamOf, type JsScalar, type OpOptions } from "./base.js";
import { add, astype, divide, equal, multiply, subtract } from "./elementwise.js";
import { broadcastTo, reshape } from "./layout.js";
import { positionalOrOptions } from "./matmul-args.js";

type Leaf = JsScalar | Complex;

function isComplex(x: unknown): x is Complex {
  return typeof x === "object" && x !== null && typeof (x as Complex).re === "number" && typeof (x as Complex).im === "number";
}

function typedArrayDType(t: ArrayBufferView): DType | undefined {
  if (t instanceof Float32Array) return float32;
  if (t instanceof Float64Array) return float64;
  if (t instanceof Int32Array) return int32;
  if (t instanceof Uint8Array || t instanceof Uint8ClampedArray) return uint8;
  if (t instanceof Int8Array) return int8;
  if (t instanceof Uint16Array) return uint16;
  if (t instanceof Int16Array) return int16;
  if (t instanceof Uint32Array) return uint32;
  if (t instanceof BigInt64Array) return int64;
  if (t instanceof BigUint64Array) return uint64;
  return undefined;
}

/** Shape and row-major leaves of a nested list; ragged lists are an error. */
function flattenNested(value: NestedList): { shape: number[]; leaves: Leaf[] } {
  const shape = nestedListShape(value);
  const leaves: Leaf[] = [];
  const walk = (v: unknown, dim: number, path: string) => {
    if (dim === shape.length) {
      if (Array.isArray(v)) throw opError("array", `ragged nested list: element ${path} is a list where a scalar was expected`, [], "value");
      if (typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint" && !isComplex(v)) {
        throw opError("array", `element ${path || "value"} has type ${v === null ? "null" : typeof v}; valid: number, boolean, bigint, {re, im}`, [], "type");
      }
      leaves.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw opError("array", `ragged nested list: element ${path || "value"} should be a list of length ${shape[dim]}`, [], "value");
    }
    for (let i = 0; i < v.length; i++) {
      // forEach would skip the holes of a sparse list ([1, , 3]) and leave the buffer short
      if (!(i in v)) throw opError("array", `element ${path}[${i}] is a hole in a sparse list; every element needs a value`, [], "value");
      walk(v[i], dim + 1, `${path}[${i}]`);
    }
  };
  walk(value, 0, "");
  return { shape, leaves };
}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/**
 * MLX's inference: complex, else bool, else float32 with any fraction (or any
 * whole number past int64's range, which only a float can be: Python's 1e20),
 * else int32, widened to int64 past int32's range; an empty list is float32.
 * A bigint past int64's range is an error, as MLX's OverflowError for such a
 * Python int (with a dtype given, mx.array casts it instead).
 */
function inferDType(leaves: readonly Leaf[]): DType {
  if (leaves.length === 0) return float32;
  if (leaves.some(isComplex)) return complex64;
  if (leaves.every((v) => typeof v === "boolean")) return bool;
  const wide = leaves.find((v) => typeof v === "bigint" && !fitsIntegerDType(v, int64));
  if (wide !== undefined) throw opError("array", `the bigint ${wide}n is out of range for int64 (${intRangeText(int64)}), the dtype integers infer; pass a dtype (e.g. mx.uint64) or a number`, [], "value");
  if (leaves.some((v) => typeof v === "number" && !isIntegerNumber(v))) return float32;
  if (leaves.some((v) => typeof v === "bigint" || (typeof v === "number" && (v < INT32_MIN || v > INT32_MAX)))) return int64;
  return int32;
}

/**
 * An array from nested lists, a typed array (1-D, its dtype unless one is given),
 * a scalar, or another array (a new array of its own with the same values,
 * converted with `astype` when `dtype` differs).
 * Without a dtype, numbers infer int32 when all are integers (int64 past int32's
 * range) else float32 (a whole number past int64's range, 1e20, counts as a
 * float); booleans infer bool, `{re, im}` values complex64.
 * @example
 * ```ts
 * const x = mx.array([[1, 2], [3, 4]]);
 * x.dtype.name; // "int32"
 * x.shape; // [2, 2]
 * mx.array([1.5, 2]).dtype.name; // "float32"
 * await mx.array([1, 2], mx.float16).tolist(); // [1, 2]
 * await mx.array(new Uint8Array([7, 8])).tolist(); // [7, 8]
 * ```
 */
export function array(value: NestedList | ArrayBufferView | MxArray, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("array", arguments, 3);
  return asOp("array", () => {
    const { dtype, o } = dtypeAndOptions("array", dtypeOrOptions, options);
    if (dtype !== undefined && !isDType(dtype)) throw opError("array", `dtype must be an mx dtype, got ${describeValue(dtype)}`, [], "type");
    checkOptions("array", o);
    const s = opStream("array", o);
    if (value instanceof MxArray) return newArrayOf(dtype ? astype(value, dtype, o) : value, value, o);
    if (ArrayBuffer.isView(value)) {
      const natural = typedArrayDType(value);
      if (!natural) throw opError("array", `unsupported typed array ${value.constructor.name}`, [], "type");
      const t = value as unknown as TypedArray;
      const d = dtype ?? natural;
      if (d === natural) return constant(t.slice(), [t.length], d, s);
      return constant(encodeValues(Array.from(t as ArrayLike<Leaf>), d), [t.length], d, s);
    }
    const { shape, leaves } = flattenNested(value as NestedList);
    const d = dtype ?? inferDType(leaves);
    return constant(encodeValues(leaves, d), shape, d, s);
  });
}

/**
 * A dtype argument that may instead be the options object `{ dtype, stream }`
 * (MLX's keyword arguments, `mx.zeros([2], { stream: mx.webgpu })`), split
 * into the dtype and the options; options given in both places are an error.
 */
function dtypeAndOptions(op: string, dtypeOrOptions: DType | DTypeOptions | null | undefined, o: OpOptions | undefined): { dtype: DType | undefined; o: OpOptions | undefined } {
  if (dtypeOrOptions === null || dtypeOrOptions === undefined || isDType(dtypeOrOptions) || typeof dtypeOrOptions !== "object") return { dtype: dtypeOrOptions ?? undefined, o };
  if (o !== undefined) throw opError(op, "got an options object in place of the dtype and options after it: pass { dtype, stream } once", [], "type");
  checkOptions(op, dtypeOrOptions, ["dtype"]);
  const { dtype, ...rest } = dtypeOrOptions;
  return { dtype, o: rest };
}

function fillDType(op: string, dtype: DType | undefined, dflt: DType): DType {
  if (dtype === undefined || dtype === null) return dflt;
  if (!isDType(dtype)) throw opError(op, `dtype must be an mx dtype, got ${describeValue(dtype)}`, [], "type");
  return dtype;
}

function toShape(op: string, shape: number | readonly number[]): number[] {
  return [...checkShape(op, typeof shape === "number" ? [shape] : shape)];
}

/**
 * An array of `shape` filled with `value` (a JS scalar or an array that
 * broadcasts to `shape`); its dtype is `dtype`, else the value's. It is a
 * broadcast view of one element, so it costs no memory per element.
 * @example
 * ```ts
 * await mx.full([2, 2], 7).tolist(); // [[7, 7], [7, 7]]
 * await mx.full([3], mx.array([1, 2, 3]), mx.float32).tolist(); // [1, 2, 3]
 * ```
 */
export function full(shape: number | readonly number[], value: JsScalar | MxArray, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("full", arguments, 4);
  const { dtype, o } = dtypeAndOptions("full", dtypeOrOptions, options);
  return filled("full", shape, value, dtype, o);
}

/**
 * `value` (of `dtype`, else its own) in `shape`: the *Like ops give `like`,
 * the array whose shape it is, and while a shapeless trace runs the value is
 * broadcast by a rule of like's shape (BroadcastAxes against it, MLX's
 * full_like), so a replay follows the new shape.
 */
function filled(op: string, shape: number | readonly number[], value: JsScalar | MxArray, dtype: DType | undefined, o: OpOptions | undefined, like?: MxArray): MxArray {
  return asOp(op, () => {
    const sh = toShape(op, shape);
    if (!(value instanceof MxArray) && typeof value !== "number" && typeof value !== "boolean" && typeof value !== "bigint") {
      throw opError(op, `value must be a number, boolean, bigint or mx array, got ${describeValue(value)}`, [], "type");
    }
    if (value instanceof MxArray) {
      checkArrayLike(op, value, "value");
      if (!sameShape(broadcastShapes(op, value.shape, sh), sh)) throw opError(op, `value of shape ${shapeStr(value.shape)} cannot be broadcast to shape ${shapeStr(sh)}`, [value], "value");
    }
    checkOptions(op, o);
    const s = opStream(op, o, value);
    const d = fillDType(op, dtype, value instanceof MxArray ? value.dtype : scalarDefaultDType(value));
    const v = value instanceof MxArray ? astype(value, d, o) : fillArray(op, value, s, d, "value");
    if (like !== undefined && inShapelessTrace()) return node(new BroadcastAxes(0, op), [v, like], s);
    return newArrayOf(broadcastTo(v, sh, o), v, o);
  });
}

/**
 * `x`, or a view of it when it is `source` itself (a 0-d `zeros` is the
 * library's cached scalar; `mx.array(a)` is `a`): the caller gets an array of
 * its own, so disposing it never disposes what others share.
 */
function newArrayOf(x: MxArray, source: MxArray, o: OpOptions | undefined): MxArray {
  return x === source ? node(new Broadcast([...x.shape]), [x], streamOf(o, x)) : x;
}

/**
 * An array of `shape` filled with zeros, float32 unless `dtype` is given.
 * The dtype may also come in an options object, `{ dtype, stream }`, as
 * MLX's keywords do (so may `ones`, `full` and `array`'s).
 * @example
 * ```ts
 * await mx.zeros([2, 3], mx.int32).tolist(); // [[0, 0, 0], [0, 0, 0]]
 * mx.zeros([2], { dtype: mx.int8, stream: mx.cpu }).dtype.name; // "int8"
 * ```
 */
export function zeros(shape: number | readonly number[], dtypeOrOptions: DType | DTypeOptions | null = float32, options?: OpOptions): MxArray {
  noExtraArguments("zeros", arguments, 3);
  const { dtype, o } = dtypeAndOptions("zeros", dtypeOrOptions, options);
  return filled("zeros", shape, 0, fillDType("zeros", dtype, float32), o);
}

/**
 * An array of `shape` filled with ones, float32 unless `dtype` is given.
 * @example
 * ```ts
 * await mx.ones(2).tolist(); // [1, 1]
 * ```
 */
export function ones(shape: number | readonly number[], dtypeOrOptions: DType | DTypeOptions | null = float32, options?: OpOptions): MxArray {
  noExtraArguments("ones", arguments, 3);
  const { dtype, o } = dtypeAndOptions("ones", dtypeOrOptions, options);
  return filled("ones", shape, 1, fillDType("ones", dtype, float32), o);
}

/**
 * Zeros with the shape of `x`, in its dtype unless `dtype` is given
 * (positionally, as NumPy's zeros_like, or in the options).
 * @example
 * ```ts
 * const z = mx.zerosLike(mx.array([[1, 2]]));
 * z.dtype.name; // "int32"
 * await z.tolist(); // [[0, 0]]
 * ```
 */
export function zerosLike(x: MxArray, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("zerosLike", arguments, 3);
  const { dtype, ...o } = dtypeThenOptions<DTypeOptions>("zerosLike", dtypeOrOptions, options, ["dtype"]);
  const like = likeArray("zerosLike", x);
  return filled("zerosLike", like.shape, 0, fillDType("zerosLike", dtype, like.dtype), o, like);
}

/** `x` when it is an mx array (the *Like ops read only its shape and dtype). */
function likeArray(op: string, x: unknown): MxArray {
  if (x instanceof MxArray) return x;
  throw opError(op, `input must be an mx array, got ${describeValue(x)}`, [], "type");
}
/**
 * Ones with the shape of `x`, in its dtype unless `dtype` is given
 * (positionally or in the options).
 * @example
 * ```ts
 * await mx.onesLike(mx.array([1.5, 2])).tolist(); // [1, 1]
 * ```
 */
export function onesLike(x: MxArray, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("onesLike", arguments, 3);
  const { dtype, ...o } = dtypeThenOptions<DTypeOptions>("onesLike", dtypeOrOptions, options, ["dtype"]);
  const like = likeArray("onesLike", x);
  return filled("onesLike", like.shape, 1, fillDType("onesLike", dtype, like.dtype), o, like);
}
/**
 * `value` in the shape of `x` and its dtype unless `dtype` is given
 * (positionally or in the options); the value is converted to that dtype.
 * @example
 * ```ts
 * await mx.fullLike(mx.array([1, 2]), 9).tolist(); // [9, 9]
 * await mx.fullLike(mx.array([1, 2]), 2.7).tolist(); // [2, 2]
 * ```
 */
export function fullLike(x: MxArray, value: JsScalar, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("fullLike", arguments, 4);
  const { dtype, ...o } = dtypeThenOptions<DTypeOptions>("fullLike", dtypeOrOptions, options, ["dtype"]);
  const like = likeArray("fullLike", x);
  return filled("fullLike", like.shape, value, fillDType("fullLike", dtype, like.dtype), o, like);
}

export interface DTypeOptions extends OpOptions {
  dtype?: DType | undefined;
}

/**
 * Evenly spaced values in [start, stop): `arange(stop)`, `arange(start, stop)`
 * or `arange(start, stop, step)`, each with an optional trailing `{ dtype, stream }`.
 * The dtype is int32 when all bounds are integers (int64 when one is outside
 * int32's range), else float32. A float element i is the exact value
 * `start + i * step` rounded once to the dtype, the same bits on every
 * backend (`arange(0, 1, 0.1)` holds 0.5 at index 5). As MLX: an infinite
 * step gives `[start]` when it points from start towards stop and `[]`
 * otherwise; an integer dtype steps by `int(start + step) - int(start)`.
 * @example
 * ```ts
 * await mx.arange(5).tolist(); // [0, 1, 2, 3, 4]
 * await mx.arange(1, 2, 0.25).tolist(); // [1, 1.25, 1.5, 1.75]
 * mx.arange(0, 3, { dtype: mx.float32 }).dtype.name; // "float32"
 * ```
 */
export function arange(...args: (number | DType | DTypeOptions | undefined)[]): MxArray {
  while (args.length && args[args.length - 1] === undefined) args.pop(); // arange(0, 5, undefined) is arange(0, 5)
  // (an options object or dtype first, then more: not options, a misplaced start)
  if (args.length > 1 && typeof args[0] !== "number") throw opError("arange", `start must be a number, got ${describeValue(args[0])}`, [], "type");
  // a dtype after the numbers (MLX's arange(start, stop, step, dtype)), then options, or options alone
  const { values, o } = valuesThenDtype<DTypeOptions>("arange", args, ["dtype"]);
  const nums = values as number[];
  if (nums.length < 1 || nums.length > 3 || !nums.every((v) => typeof v === "number" && !Number.isNaN(v))) {
    throw opError("arange", `expects (stop), (start, stop) or (start, stop, step) with numbers, got (${nums.map(describeValue).join(", ")})`, [], "type");
  }
  const s = opStream("arange", o);
  const [start, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw opError("arange", `start and stop must be finite, got ${start} and ${stop}`, [], "value");
  if (step === 0) throw opError("arange", "step must not be 0", [], "value");
  const integral = [start, stop, step].every(isIntegerNumber);
  const wide = [start, stop].some((v) => v < INT32_MIN || v > INT32_MAX);
  const dtype = fillDType("arange", o.dtype, integral ? (wide ? int64 : int32) : float32);
  if (dtype === bool) throw opError("arange", "bool is not a valid dtype for arange", [], "type");
  let count: number;
  if (!Number.isFinite(step)) count = (step > 0 && start < stop) || (step < 0 && start > stop) ? 1 : 0;
  else count = Math.max(0, Math.ceil((stop - start) / step));
  if (count > MAX_DIM) throw opError("arange", `(${start}, ${stop}, ${step}) has ${count} elements; at most 2^31 - 1`, [], "value");
  if (isInexact(dtype)) return node(new Arange(start, Number.isFinite(step) ? step : 0, count, dtype), [], s);
  // integer dtypes step as MLX's kernels do: start and start + step converted to the dtype (toward zero) first
  const first = Math.trunc(start);
  const intStep = Number.isFinite(step) ? Math.trunc(start + step) - first : 0;
  return node(new Arange(first, intStep, count, dtype), [], s);
}

export interface LinspaceOptions extends DTypeOptions {
  /** Whether `stop` is the last value (true, the default: the step is (stop - start) / (num - 1)) or the next one past it (false: (stop - start) / num). */
  endpoint?: boolean | undefined;
}

/**
 * `num` (default 50) evenly spaced values from start to stop (inclusive unless
 * `endpoint` is false), float32 unless `dtype` says otherwise. Computed as MLX
 * does, `(1 - t) * start + t * stop` for `t = i / (num - 1)` (`i / num` without
 * the endpoint) in float32 (float64 for a float64 result), so both ends are
 * exact; integer dtypes truncate that float32 value toward zero, as MLX does
 * (`linspace(0, 100, 101, int32)` holds 52 where NumPy has 53). MLX's
 * `linspace(start, stop, num, endpoint, dtype)`: those positionally, or in the
 * options; the dtype may also come straight after num (or after stop).
 * @example
 * ```ts
 * await mx.linspace(0, 1, 5).tolist(); // [0, 0.25, 0.5, 0.75, 1]
 * await mx.linspace(0, 1, 4, false).tolist(); // [0, 0.25, 0.5, 0.75]
 * await mx.linspace(0, 10, 5, { endpoint: false, dtype: mx.int32 }).tolist(); // [0, 2, 4, 6, 8]
 * await mx.linspace(0, 10, 5, false, mx.int32).tolist(); // [0, 2, 4, 6, 8]
 * ```
 */
export function linspace(start: number, stop: number, ...rest: PositionalThen<[["num", number], ["endpoint", boolean], ["dtype", DType]], LinspaceOptions>): MxArray;
/**
 * `linspace(start, stop, num, dtype)`: the dtype straight after num (the endpoint included unless the options say otherwise).
 * @example
 * ```ts
 * await mx.linspace(0, 10, 3, mx.int32).tolist(); // [0, 5, 10]
 * ```
 */
export function linspace(start: number, stop: number, num: number | null | undefined, dtype: DType, options?: OptionsWithout<LinspaceOptions, "dtype">): MxArray;
/**
 * `linspace(start, stop, dtype)`: 50 values of `dtype`.
 * @example
 * ```ts
 * mx.linspace(0, 1, mx.float16).shape; // [50]
 * ```
 */
export function linspace(start: number, stop: number, dtype: DType, options?: OptionsWithout<LinspaceOptions, "dtype">): MxArray;
export function linspace(start: number, stop: number, ...rest: unknown[]): MxArray {
  noExtraArguments("linspace", arguments, 6);
  return asOp("linspace", () => {
    // MLX's linspace(start, stop, num, endpoint, dtype, stream); a dtype (or the options) may end the positional values early
    const { values, o: late } = valuesThenDtype<LinspaceOptions>("linspace", rest, ["dtype", "endpoint"]);
    // a null dtype (MLX's None) is the default; anything else there is not a dtype
    const positional = values.length === 3 && values[2] === null ? values.slice(0, 2) : values;
    const o = positionalOrOptions("linspace", [...positional, late], ["num", "endpoint"], ["dtype"]) as LinspaceOptions & { num?: unknown };
    const num = (o.num ?? 50) as number;
    if (typeof start !== "number") throw opError("linspace", `start must be a number, got ${describeValue(start)}`, [], "type");
    if (typeof stop !== "number") throw opError("linspace", `stop must be a number, got ${describeValue(stop)}`, [], "type");
    checkInt("linspace", "num", num, 0, MAX_DIM);
    const endpoint = o.endpoint ?? true;
    if (typeof endpoint !== "boolean") throw opError("linspace", `endpoint must be a boolean, got ${describeValue(endpoint)}`, [], "type");
    const s = opStream("linspace", o);
    const dtype = fillDType("linspace", o.dtype, float32);
    if (dtype === bool || dtype === complex64) throw opError("linspace", `dtype must be a real number dtype, got ${dtype.name}`, [], "type");
    const so = { stream: s };
    // a float result: the cpu reference blends in float64 and rounds once, GPU backends (and MLX) in float32. An
    // integer result truncates MLX's float32 blend, whose roundings are then part of the value (linspace(0, 100, 101,
    // int32)[53] is 52, the float64 blend would give 53): every backend blends in float32, each step rounded once
    const inner = dtype === float64 || (isInexact(dtype) && getBackend(s.device.backend).capabilities.dtypes.has(float64)) ? float64 : float32;
    if (num === 1) return astype(full([1], start, inner, so), dtype, so);
    const t = divide(arange(0, num, { dtype: inner, stream: s }), Math.max(endpoint ? num - 1 : num, 1), so);
    const blend = add(multiply(subtract(1, t, so), start, so), multiply(t, stop, so), so);
    return astype(blend, dtype, so);
  });
}

/**
 * An `n` x `m` matrix (`m` defaults to `n`) with ones on diagonal `k` (k > 0:
 * above the main diagonal, k < 0: below) and zeros elsewhere; float32 unless
 * `dtype` is given.
 * @example
 * ```ts
 * await mx.eye(2, 3, 1).tolist(); // [[0, 1, 0], [0, 0, 1]]
 * ```
 */
export function eye(n: number, m?: number | null | DType | DTypeOptions, k?: number | DType | DTypeOptions, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("eye", arguments, 5);
  // MLX's eye(n, m, k, dtype, stream): the dtype (then the options) may come at any trailing position
  const { values: [cols, diagonal = 0], o } = valuesThenDtype<DTypeOptions>("eye", [m, k, dtypeOrOptions, options], ["dtype"]);
  return eyeOf("eye", n, cols as number | null | undefined, diagonal as number, o);
}

function eyeOf(op: string, n: number, m: number | null | undefined, k: number, o: DTypeOptions): MxArray {
  return asOp(op, () => {
    checkInt(op, "n", n, 0, MAX_DIM);
    if (m !== undefined && m !== null) checkInt(op, "m", m, 0, MAX_DIM);
    const cols = m ?? n;
    checkInt(op, "k", k);
    checkOptions(op, o, ["dtype"]);
    const so = { stream: opStream(op, o) };
    const dtype = fillDType(op, o.dtype, float32);
    const rows = reshape(arange(0, n, so), [n, 1], so);
    const colsIdx = reshape(arange(-k, cols - k, so), [1, cols], so);
    return astype(equal(rows, colsIdx, so), dtype, so);
  });
}

/**
 * The `n` x `n` identity matrix, float32 unless `dtype` is given.
 * @example
 * ```ts
 * await mx.identity(2, { dtype: mx.int32 }).tolist(); // [[1, 0], [0, 1]]
 * ```
 */
export function identity(n: number, dtypeOrOptions?: DType | DTypeOptions | null, options?: OpOptions): MxArray {
  noExtraArguments("identity", arguments, 3);
  return eyeOf("identity", n, n, 0, dtypeThenOptions<DTypeOptions>("identity", dtypeOrOptions, options, ["dtype"]));
}
