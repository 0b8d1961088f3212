// The lazy Array: a node of the computation graph (primitive + inputs) until
// evaluated, then a strided view of a backend buffer. Reading data evaluates;
// evaluated nodes drop their primitive and inputs so intermediates can be freed.
// Small arrays read from a device without synchronous reads keep a host copy,
// so that printing them afterwards shows their values.

import type { Tensor } from "../backends/backend.js";
import { getBackend } from "../backends/backend.js";
import type { DType } from "./dtype.js";
import { describe, opError, shapeStr } from "./errors.js";
import { evaluate, evaluateSync } from "./eval.js";
import { releaseSlot, tidyScopes, unwatchArray, watchArray, type DataSlot } from "./memory.js";
import type { Primitive } from "./primitive.js";
import { formatArray } from "./print.js";
import { sizeOf } from "./shape.js";
import { decodeElement, type Scalar, type TypedArray } from "./storage.js";
import type { Stream } from "./device.js";
import * as ops from "./ops/index.js";
import type { ArrayLike, OpOptions } from "./ops/index.js";

export type NestedList = Scalar | NestedList[];

let nextId = 0;

/** Arrays up to this many bytes keep the elements of their last read on the host (webgpu), for toString. */
const HOST_COPY_MAX_BYTES = 64 * 1024;

export class MxArray {
  readonly id = nextId++;
  /** Graph edges; both are cleared once the array is evaluated. */
  primitive: Primitive | null;
  inputs: MxArray[];
  readonly slot: DataSlot = { data: null };
  private disposed = false;
  /** Unevaluated arrays that have this one as an input (counted once per edge). */
  private pendingUses = 0;
  /** Set by tidy for arrays only its graph may still use: the buffer goes once the last user has run. */
  private releaseAfterUse = false;
  /** The inputs no longer count this array as a pending use (it ran); its edges may remain as a recipe. */
  private edgesConsumed = false;
  /**
   * The elements (row-major storage words) as last read from a device without
   * synchronous reads, for arrays up to HOST_COPY_MAX_BYTES; plain JS memory,
   * dropped with the array or by dispose(), not counted as device memory.
   */
  private hostCopy: TypedArray | null = null;

  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly stream: Stream,
    primitive: Primitive | null,
    inputs: MxArray[],
    data: Tensor | null = null,
  ) {
    this.primitive = primitive;
    this.inputs = inputs;
    for (const x of inputs) x.pendingUses++;
    this.slot.data = data;
    watchArray(this, this.slot);
    tidyScopes[tidyScopes.length - 1]?.add(this);
  }

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get itemsize(): number {
    return this.dtype.size;
  }
  get nbytes(): number {
    return this.size * this.dtype.size;
  }
  get isEvaluated(): boolean {
    return this.slot.data !== null;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The evaluated tensor; throws if the array was disposed. */
  tensor(): Tensor {
    if (this.disposed) throw new Error(`array ${describe(this)} was disposed and can no longer be used`);
    const t = this.slot.data;
    if (!t) throw new Error(`array ${describe(this)} is not evaluated`);
    return t;
  }

  /** Frees the buffer now (idempotent). Using the array afterwards throws. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.hostCopy = null;
    unwatchArray(this.slot);
    releaseSlot(this.slot);
    this.detachInputs();
  }

  /**
   * After this array ran: its inputs stop counting it as a pending use (tidy's
   * marked inputs that nothing else needs are disposed), while the edges stay
   * as its recipe until `detachInputs` or `releaseRecomputable`.
   */
  consumeInputs(): void {
    if (this.edgesConsumed) return;
    this.edgesConsumed = true;
    for (const x of this.inputs) if (--x.pendingUses === 0 && x.releaseAfterUse && x.isEvaluated) x.dispose();
  }

  /** Drops the graph edges (after evaluation or disposal), releasing inputs that tidy marked and nothing else needs. */
  detachInputs(): void {
    this.consumeInputs();
    this.primitive = null;
    this.inputs = [];
    this.edgesConsumed = false;
  }

  /** No unevaluated array reads this one any more (eval releases such intermediates). */
  get unused(): boolean {
    return this.pendingUses === 0;
  }

  /**
   * Frees the buffer of an intermediate whose last reader ran, keeping its
   * primitive and inputs: should user code still hold it and read it later,
   * eval computes it again from them (eval calls this; see src/eval.ts).
   */
  releaseRecomputable(): void {
    if (this.disposed || !this.primitive || !this.edgesConsumed) return;
    this.hostCopy = null;
    releaseSlot(this.slot);
  }

  /**
   * Marks an array that user code can no longer reach (tidy created it and did
   * not return it) but unevaluated arrays still read: its buffer is released as
   * soon as the last of them has run.
   */
  releaseWhenConsumed(): void {
    this.releaseAfterUse = true;
    if (this.pendingUses === 0) this.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Evaluates and returns the elements in row-major order in a new typed array. */
  async data(): Promise<TypedArray> {
    const words = await this.read();
    return words === this.hostCopy ? words.slice() : words;
  }

  /** The elements, from the host copy when there is one; a read from a device without synchronous reads keeps one for a small array. */
  private async read(): Promise<TypedArray> {
    if (this.hostCopy) return this.hostCopy;
    await evaluate([this]);
    const t = this.tensor();
    const words = (await t.buffer.backend.read(t)) as TypedArray;
    if (!t.buffer.backend.readSync && this.nbytes <= HOST_COPY_MAX_BYTES) this.hostCopy = words;
    return words;
  }

  /**
   * Like `data()`, synchronously: on backends that read without a device round
   * trip (cpu, metal), and for any array whose host copy a read has kept.
   */
  dataSync(): TypedArray {
    if (this.hostCopy) return this.hostCopy.slice();
    const backend = getBackend(this.stream.device.backend);
    if (!backend.capabilities.syncRead || !backend.readSync) {
      throw new Error(`dataSync() is not possible on backend '${backend.name}': its reads are asynchronous; use 'await x.data()'`);
    }
    evaluateSync([this]);
    const t = this.tensor();
    const reader = t.buffer.backend.readSync;
    if (!reader) throw new Error(`dataSync(): the data lives on backend '${t.buffer.backend.name}', which reads asynchronously; use 'await x.data()'`);
    return reader.call(t.buffer.backend, t) as TypedArray;
  }

  /** Nested JS lists: numbers, booleans, bigints (64-bit ints) or {re, im} (complex64). */
  async tolist(): Promise<NestedList> {
    return nest(this.shape, this.dtype, await this.read());
  }

  /** The value of a one-element array: a number, a boolean (bool), a bigint (int64, uint64) or {re, im} (complex64). */
  async item(): Promise<Scalar> {
    checkOneElement("item", this);
    return decodeElement(this.dtype, await this.read(), 0);
  }

  /** Synchronous `item()` where `dataSync()` works. */
  itemSync(): Scalar {
    checkOneElement("item", this);
    return decodeElement(this.dtype, this.dataSync(), 0);
  }

  /**
   * The value of a one-element float or integer array as a JS number. Throws
   * for bool and complex64 (use `item()`) and for a 64-bit integer beyond
   * 2^53, which a number cannot hold exactly.
   */
  async toNumber(): Promise<number> {
    checkNumeric("toNumber", this);
    return numberOf("toNumber", this, decodeElement(this.dtype, await this.read(), 0));
  }

  /** Synchronous `toNumber()` where `dataSync()` works. */
  toNumberSync(): number {
    checkNumeric("toNumberSync", this);
    return numberOf("toNumberSync", this, decodeElement(this.dtype, this.dataSync(), 0));
  }

  /**
   * The slices along the first axis, as lazy arrays (as MLX and NumPy iterate):
   * `for (const row of x)`, `const [k1, k2] = mx.random.split(key)`.
   */
  [Symbol.iterator](): IterableIterator<MxArray> {
    if (this.ndim === 0) throw new TypeError(`iteration over a 0-d array (${describe(this)}); use item() or toNumber() for its value`);
    return this.rows();
  }
  private *rows(): IterableIterator<MxArray> {
    const rowShape = this.shape.slice(1);
    for (let i = 0; i < this.shape[0]!; i++) yield ops.reshape(ops.slice(this, [i], [i + 1]), rowShape);
  }

  /**
   * MLX's printed form, e.g. `array([1, 2.5], dtype=float32)`: evaluated where
   * reads are synchronous (cpu, metal), or from the host copy a read kept. An
   * array whose values need an asynchronous read (webgpu) says what to call.
   */
  toString(): string {
    const where = `shape=${shapeStr(this.shape)}, dtype=${this.dtype.name}`;
    if (this.disposed) return `array(<disposed>, ${where})`;
    if (this.hostCopy) return formatArray(this.shape, this.dtype, this.hostCopy);
    const source = this.asyncSource();
    if (source) return `array(<${source}; await mx.print(x) or await x.tolist() to read it>, ${where})`;
    return formatArray(this.shape, this.dtype, this.dataSync());
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Where reading this array needs an asynchronous device read ("on webgpu", "an input on webgpu"), or undefined when a synchronous read works. */
  private asyncSource(): string | undefined {
    const seen = new Set<MxArray>();
    const stack: MxArray[] = [this];
    while (stack.length) {
      const a = stack.pop()!;
      if (seen.has(a)) continue;
      seen.add(a);
      const backend = a.slot.data ? a.slot.data.buffer.backend : getBackend(a.stream.device.backend);
      if (!backend.readSync) return a === this ? `on ${backend.name}` : `an input on ${backend.name}`;
      if (!a.slot.data) stack.push(...a.inputs);
    }
    return undefined;
  }

  // ---- methods mirroring the ops ----
  get T(): MxArray { return ops.transpose(this); }
  astype(dtype: DType, o?: OpOptions) { return ops.astype(this, dtype, o); }
  add(b: ArrayLike, o?: OpOptions) { return ops.add(this, b, o); }
  subtract(b: ArrayLike, o?: OpOptions) { return ops.subtract(this, b, o); }
  multiply(b: ArrayLike, o?: OpOptions) { return ops.multiply(this, b, o); }
  divide(b: ArrayLike, o?: OpOptions) { return ops.divide(this, b, o); }
  floorDivide(b: ArrayLike, o?: OpOptions) { return ops.floorDivide(this, b, o); }
  remainder(b: ArrayLike, o?: OpOptions) { return ops.remainder(this, b, o); }
  power(b: ArrayLike, o?: OpOptions) { return ops.power(this, b, o); }
  maximum(b: ArrayLike, o?: OpOptions) { return ops.maximum(this, b, o); }
  minimum(b: ArrayLike, o?: OpOptions) { return ops.minimum(this, b, o); }
  equal(b: ArrayLike, o?: OpOptions) { return ops.equal(this, b, o); }
  notEqual(b: ArrayLike, o?: OpOptions) { return ops.notEqual(this, b, o); }
  less(b: ArrayLike, o?: OpOptions) { return ops.less(this, b, o); }
  lessEqual(b: ArrayLike, o?: OpOptions) { return ops.lessEqual(this, b, o); }
  greater(b: ArrayLike, o?: OpOptions) { return ops.greater(this, b, o); }
  greaterEqual(b: ArrayLike, o?: OpOptions) { return ops.greaterEqual(this, b, o); }
  matmul(b: ArrayLike, o?: OpOptions) { return ops.matmul(this, b, o); }
  abs(o?: OpOptions) { return ops.abs(this, o); }
  negative(o?: OpOptions) { return ops.negative(this, o); }
  square(o?: OpOptions) { return ops.square(this, o); }
  sqrt(o?: OpOptions) { return ops.sqrt(this, o); }
  rsqrt(o?: OpOptions) { return ops.rsqrt(this, o); }
  reciprocal(o?: OpOptions) { return ops.reciprocal(this, o); }
  exp(o?: OpOptions) { return ops.exp(this, o); }
  log(o?: OpOptions) { return ops.log(this, o); }
  sin(o?: OpOptions) { return ops.sin(this, o); }
  cos(o?: OpOptions) { return ops.cos(this, o); }
  round(o?: OpOptions) { return ops.round(this, o); }
  floor(o?: OpOptions) { return ops.floor(this, o); }
  ceil(o?: OpOptions) { return ops.ceil(this, o); }
  sum(o?: ops.AxisArg) { return ops.sum(this, o); }
  prod(o?: ops.AxisArg) { return ops.prod(this, o); }
  mean(o?: ops.AxisArg) { return ops.mean(this, o); }
  var(o?: ops.VarOptions | number | readonly number[]) { return ops.variance(this, o); }
  std(o?: ops.VarOptions | number | readonly number[]) { return ops.std(this, o); }
  max(o?: ops.AxisArg) { return ops.max(this, o); }
  min(o?: ops.AxisArg) { return ops.min(this, o); }
  all(o?: ops.AxisArg) { return ops.all(this, o); }
  any(o?: ops.AxisArg) { return ops.any(this, o); }
  argmax(o?: ops.ArgOptions) { return ops.argmax(this, o); }
  argmin(o?: ops.ArgOptions) { return ops.argmin(this, o); }
  logsumexp(o?: ops.AxisArg) { return ops.logsumexp(this, o); }
  reshape(...shape: (number | readonly number[])[]) { return ops.reshape(this, shape.flatMap((s) => s)); }
  flatten(o?: ops.FlattenOptions) { return ops.flatten(this, o); }
  squeeze(axis?: number | readonly number[], o?: OpOptions) { return ops.squeeze(this, axis, o); }
  expandDims(axis: number | readonly number[], o?: OpOptions) { return ops.expandDims(this, axis, o); }
  transpose(...axes: (number | readonly number[])[]) { return ops.transpose(this, axes.length ? axes.flatMap((a) => a) : undefined); }
  swapaxes(a1: number, a2: number, o?: OpOptions) { return ops.swapaxes(this, a1, a2, o); }
  moveaxis(src: number, dst: number, o?: OpOptions) { return ops.moveaxis(this, src, dst, o); }
  broadcastTo(shape: readonly number[], o?: OpOptions) { return ops.broadcastTo(this, shape, o); }
  split(indicesOrSections: number | readonly number[], o?: { axis?: number | undefined } & OpOptions) { return ops.split(this, indicesOrSections, o); }
  slice(start: readonly ops.SliceBound[], stop: readonly ops.SliceBound[], step?: readonly number[], o?: OpOptions) { return ops.slice(this, start, stop, step, o); }
}

function checkOneElement(op: string, a: MxArray): void {
  if (a.size !== 1) throw opError(op, `only one-element arrays convert to a scalar, got ${describe(a)}`, [], "value");
}

function checkNumeric(op: string, a: MxArray): void {
  checkOneElement(op, a);
  if (a.dtype.kind === "bool" || a.dtype.kind === "complex") {
    throw opError(op, `needs a float or integer array, got ${describe(a)}; item() gives its value as a ${a.dtype.kind === "bool" ? "boolean" : "{re, im} pair"}`, [], "type");
  }
}

/** Integers up to this magnitude are exact JS numbers. */
const EXACT_INTEGER_LIMIT = 2n ** 53n;

/** A decoded element of a float or integer array as a number: 64-bit integers only when exact. */
function numberOf(op: string, a: MxArray, v: Scalar): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint" && v >= -EXACT_INTEGER_LIMIT && v <= EXACT_INTEGER_LIMIT) return Number(v);
  throw opError(op, `the ${a.dtype.name} value ${String(v)} is beyond 2^53 in magnitude and has no exact JS number; item() gives it as a bigint`, [], "range");
}

function nest(shape: readonly number[], dtype: DType, words: TypedArray): NestedList {
  if (shape.length === 0) return decodeElement(dtype, words, 0);
  let i = 0;
  const build = (dim: number): NestedList[] => {
    const out: NestedList[] = [];
    for (let k = 0; k < shape[dim]!; k++) out.push(dim === shape.length - 1 ? decodeElement(dtype, words, i++) : build(dim + 1));
    return out;
  };
  return build(0);
}
