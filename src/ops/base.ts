// Shared plumbing of the ops: option types, turning JS scalars into arrays
// with weak-type promotion, building graph nodes, and uploading constants
// to the stream's backend.

import { getBackend } from "../../backends/backend.js";
import { MxArray } from "../array.js";
import { Device, Stream, toStream, type StreamOrDevice } from "../device.js";
import { complex64, fitsIntegerDType, int64, intRangeText, isInteger, promoteTypes, promoteWithScalar, scalarDefaultDType, uint64, type DType } from "../dtype.js";
import { checkInt } from "../argument-checks.js";
import { currentOp, describeValue, opError, type Described } from "../errors.js";
import { numberToStorage } from "../convert.js";
import { uploadTensor } from "../eval.js";
import { outsideTidy } from "../memory.js";
import type { Primitive, Spec } from "../primitive.js";
import { Reshape } from "../primitives/layout.js";
import { MAX_DIM } from "../shape.js";
import { storageCtor, type Complex, type TypedArray } from "../storage.js";

export type JsScalar = number | boolean | bigint;
export type ArrayLike = MxArray | JsScalar;

export interface OpOptions {
  stream?: StreamOrDevice | undefined;
}

export interface AxisOptions extends OpOptions {
  axis?: number | readonly number[] | null | undefined;
  keepdims?: boolean | undefined;
}

/**
 * The stream an op runs on: `o.stream` when given, else the placement rule of
 * src/device.ts applied to the op's array inputs (JS scalars in `inputs` are ignored).
 */
export function streamOf(o?: OpOptions, ...inputs: readonly unknown[]): Stream {
  return toStream(o?.stream, inputs);
}

/**
 * `streamOf` at the entry of op `op`, with the arguments checked: `o` must be an
 * options object (or absent) and its stream a Device or a Stream of an available
 * backend; the errors name `op`.
 */
export function opStream(op: string, o: OpOptions | undefined, ...inputs: readonly unknown[]): Stream {
  if (o === undefined) return toStream(undefined, inputs);
  if (o === null || typeof o !== "object" || Array.isArray(o) || o instanceof MxArray) {
    throw opError(op, `options must be an object such as { stream }, got ${describeValue(o)}`, [], "type");
  }
  const s: unknown = o.stream;
  if (s !== undefined && !(s instanceof Stream) && !(s instanceof Device)) {
    throw opError(op, `stream must be a Device or a Stream (mx.cpu, mx.gpu, mx.webgpu, mx.metal, or mx.newStream(device)), got ${describeValue(s)}`, [], "type");
  }
  try {
    return toStream(s, inputs);
  } catch (e) {
    throw opError(op, `stream ${String(s)}: ${(e as Error).message}`);
  }
}

/**
 * The options a composite op hands the ops it is built from: the stream `s`
 * only (so they all run where it does; its own options are not theirs).
 */
export function onStream(_o: OpOptions | undefined, s: Stream): { stream: Stream } {
  return { stream: s };
}

export function isJsScalar(x: unknown): x is JsScalar {
  return typeof x === "number" || typeof x === "boolean" || typeof x === "bigint";
}

/** A dimension for a message: exact, or about its value where a number holds it no more. */
function dimText(d: number): string {
  return Number.isSafeInteger(d) ? String(d) : `about ${d.toPrecision(3)}`;
}

/**
 * `shape`, the result shape op `op` computed from its arguments, or an error
 * naming the op and what made it (`cause`, the argument at fault: "reps
 * [1073741824]") when a dimension passes 2^31 - 1, the most MLX's shapes hold.
 * Every op that computes a shape (tile, repeat, concatenate, kron, ...)
 * checks it here, when it is called.
 */
export function checkResultShape(op: string, shape: readonly number[], cause: string, inputs: readonly Described[] = []): readonly number[] {
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (!(d <= MAX_DIM)) throw opError(op, `${cause} would make dimension ${i} of the result ${dimText(d)} long; dimensions must be at most 2^31 - 1`, inputs, "value");
  }
  return shape;
}

/** `[x.size]`, the shape of `x` flattened (argument `name` of `op`, flattened because `why`), checked by checkResultShape. */
export function flatShape(op: string, x: Described, name = "the input", why = "axis null"): readonly number[] {
  let n = 1;
  for (const d of x.shape) n *= d;
  if (!(n <= MAX_DIM)) throw opError(op, `${name} flattened (${why}) would have ${dimText(n)} elements along one axis (shape ${shapeText(x.shape)}); dimensions must be at most 2^31 - 1`, [x], "value");
  return [n];
}

const shapeText = (s: readonly number[]) => `(${s.join(", ")}${s.length === 1 ? "," : ""})`;

/**
 * The backstop behind checkResultShape: a node whose shape has a dimension
 * past 2^31 - 1 is refused as it is built, naming the op the user called and
 * the step (an op that computes a shape names its argument first). A reshape
 * only regroups elements that exist: inside an op it may hold them on one
 * flat axis (argmax over every element of a broadcast view); the reshape and
 * flatten ops check the shapes users ask for themselves.
 */
function checkNodeShape(prim: Primitive, shape: readonly number[], inputs: readonly Described[]): void {
  if (prim instanceof Reshape) return;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i]! <= MAX_DIM) continue;
    const step = prim.errorName, op = currentOp() ?? step;
    const what = op === step ? "its result" : `its ${step} step`;
    throw opError(op, `${what} would have shape (${shape.map(dimText).join(", ")}): dimension ${i} is past 2^31 - 1, the most a dimension holds`, inputs, "value");
  }
}

/**
 * `x`'s elements on one axis, for an op that reads them so (argmax over every
 * element, take without an axis): a view whose axis may pass 2^31 - 1 when the
 * op's result does not (the reshape op refuses that to users; see checkNodeShape).
 */
export function flatView(x: MxArray, stream: Stream): MxArray {
  return x.ndim === 1 ? x : node(new Reshape([x.size]), [x], stream);
}

/** A graph node: the primitive's output rule gives its shape and dtype. */
export function node(prim: Primitive, inputs: MxArray[], stream: Stream): MxArray {
  const spec = prim.output(inputs);
  checkNodeShape(prim, spec.shape, inputs);
  return new MxArray(spec.shape, spec.dtype, stream, prim, inputs);
}

/** The sibling nodes of a primitive with several outputs, one per output spec, filled by one kernel call. */
export function nodes(prim: Primitive, inputs: MxArray[], stream: Stream): MxArray[] {
  return siblingNodes(prim, inputs, stream, prim.outputs(inputs));
}

/** The sibling nodes of a primitive with several outputs, with the given output specs (a replayed trace's). */
export function siblingNodes(prim: Primitive, inputs: MxArray[], stream: Stream, specs: readonly Spec[]): MxArray[] {
  for (const spec of specs) checkNodeShape(prim, spec.shape, inputs);
  const outs = specs.map((spec) => new MxArray(spec.shape, spec.dtype, stream, prim, inputs));
  outs.forEach((a, i) => {
    a.siblings = outs;
    a.outputIndex = i;
  });
  return outs;
}

/** An evaluated array holding `words` (storage words of `dtype`, row-major). */
export function constant(words: TypedArray, shape: readonly number[], dtype: DType, stream: Stream): MxArray {
  const tensor = uploadTensor(getBackend(stream.device.backend), dtype, shape, words);
  return new MxArray(shape, dtype, stream, null, [], tensor);
}

/** Storage words for JS values converted to `dtype` (see convert.ts for the rules). */
export function encodeValues(values: readonly (JsScalar | Complex)[], dtype: DType): TypedArray {
  const words = new (storageCtor(dtype))(values.length * (dtype === complex64 ? 2 : 1));
  const conv = numberToStorage(dtype);
  const big = dtype.size === 8 && dtype.kind !== "float" && dtype.kind !== "complex";
  values.forEach((v, i) => {
    if (typeof v === "object") {
      if (dtype !== complex64) throw opError("array", `complex value {re: ${v.re}, im: ${v.im}} cannot be stored as ${dtype.name}; use complex64`, [], "type");
      words[2 * i] = v.re;
      words[2 * i + 1] = v.im;
      return;
    }
    const x = typeof v === "boolean" ? (v ? 1 : 0) : v;
    if (typeof x === "bigint") {
      if (big) (words as BigInt64Array)[i] = x;
      else if (dtype.kind === "bool") words[i] = x !== 0n ? 1 : 0;
      else words[i] = conv(Number(x)) as number;
      return;
    }
    const w = conv(x);
    if (dtype === complex64) {
      words[2 * i] = w as number;
      words[2 * i + 1] = 0;
    } else (words as unknown as (number | bigint)[])[i] = w;
  });
  return words;
}

/**
 * Scalar constants the ops create are shared (arrays are immutable): a cache per
 * stream and dtype, keyed by value (-0 apart from 0), cleared when it grows large.
 */
const scalarCache = new Map<Stream, Map<DType, Map<JsScalar | "-0", MxArray>>>();
const SCALAR_CACHE_SIZE = 1024;

export function scalarArray(x: JsScalar, dtype: DType, stream: Stream): MxArray {
  let byDType = scalarCache.get(stream);
  if (!byDType) scalarCache.set(stream, (byDType = new Map()));
  let byValue = byDType.get(dtype);
  if (!byValue) byDType.set(dtype, (byValue = new Map()));
  const key = Object.is(x, -0) ? "-0" : x;
  const hit = byValue.get(key);
  if (hit && !hit.isDisposed) return hit;
  const a = outsideTidy(() => constant(encodeValues([x], dtype), [], dtype, stream));
  if (byValue.size >= SCALAR_CACHE_SIZE) byValue.clear();
  byValue.set(key, a);
  return a;
}

/** Option `name` of `op` when it is a number or absent. */
export function numberOption(op: string, name: string, v: unknown): number | undefined {
  if (v === undefined || typeof v === "number") return v;
  throw opError(op, `${name} must be a number, got ${describeValue(v)}`, [], "type");
}

/** Option `name` of `op` when it is a boolean or absent. */
export function boolOption(op: string, name: string, v: unknown): boolean | undefined {
  if (v === undefined || typeof v === "boolean") return v;
  throw opError(op, `${name} must be a boolean, got ${describeValue(v)}`, [], "type");
}

/** Option `name` of `op` when it is an integer (at least `min`) or absent. */
export function intOption(op: string, name: string, v: unknown, min?: number): number | undefined {
  return v === undefined ? v : checkInt(op, name, v, min);
}

/** `x` when it is an mx array (not disposed) or a JS scalar; else an error naming `op` and the argument `name`. */
export function checkArrayLike(op: string, x: unknown, name = "input"): ArrayLike {
  if (x instanceof MxArray) {
    if (x.isDisposed) throw opError(op, `${name} was disposed and can no longer be used`, [x], "value");
    return x;
  }
  if (isJsScalar(x)) return x;
  throw opError(op, `${name} must be an mx array or a JS number/boolean/bigint, got ${Array.isArray(x) ? "a JS array (wrap it with mx.array)" : describeValue(x)}`, [], "type");
}

/**
 * An array from an array or a scalar (argument `name` of `op`); a scalar takes
 * `dtype` (or its own default dtype). An integer dtype, 64-bit ones included,
 * must hold a finite number (by its integer part) or a bigint: past its range
 * is an error naming `op` and `name`, as MLX's overflow error, never a wrapped value.
 */
export function toArray(op: string, x: ArrayLike, stream: Stream, dtype?: DType, name = "input"): MxArray {
  checkArrayLike(op, x, name);
  if (x instanceof MxArray) return x;
  const d = dtype ?? scalarDefaultDType(x);
  // every integer dtype, 64-bit ones included, and bigints as numbers (MLX: "Converting 1000 to int8 would result in overflow")
  if ((typeof x === "bigint" || (typeof x === "number" && Number.isFinite(x))) && isInteger(d) && !fitsIntegerDType(x, d)) {
    const text = typeof x === "bigint" ? `${x}n` : String(x);
    const wider = [int64, uint64].find((w) => w !== d && fitsIntegerDType(x, w));
    const fix = wider ? `make it an array of a dtype that holds it, e.g. mx.array(${text}, mx.${wider.name})` : "no 64-bit integer holds it; use a float dtype";
    throw opError(op, `the scalar ${text} is out of range for ${d.name} (${intRangeText(d)}) as the ${name}; ${fix}`, [], "value");
  }
  return scalarArray(x, d, stream);
}

/**
 * A fill value (argument `name` of `op`: full's value, pad's constantValue) as
 * an array of `dtype`: a scalar by toArray's rule (int8 1000 is an error, not
 * -24), and NaN or an infinity refused for an integer dtype (it has no
 * integer; NumPy refuses both too); a fraction truncates, as a cast.
 */
export function fillArray(op: string, x: ArrayLike, stream: Stream, dtype: DType, name: string, inputs: readonly MxArray[] = []): MxArray {
  if (typeof x === "number" && !Number.isFinite(x) && isInteger(dtype)) {
    throw opError(op, `${name} ${x} cannot fill an array of dtype ${dtype.name} (valid: finite numbers in its range, ${intRangeText(dtype)})`, [...inputs], "value");
  }
  return toArray(op, x, stream, dtype, name);
}

/** The common dtype of operands: arrays promote strongly, JS scalars weakly. */
export function resultType(...xs: ArrayLike[]): DType {
  let d: DType | undefined;
  for (const x of xs) if (x instanceof MxArray) d = d ? promoteTypes(d, x.dtype) : x.dtype;
  if (!d) return xs.map((x) => scalarDefaultDType(x as JsScalar)).reduce(promoteTypes);
  for (const x of xs) if (!(x instanceof MxArray)) d = promoteWithScalar(d, x);
  return d;
}
