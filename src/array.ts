// The lazy Array: a node of the computation graph (primitive + inputs) until
// evaluated, then a strided view of a backend buffer. Reading data evaluates;
// evaluated nodes drop their primitive and inputs so intermediates can be freed.

import type { Tensor } from "../backends/backend.js";
import { getBackend } from "../backends/backend.js";
import type { DType } from "./dtype.js";
import { describe } from "./errors.js";
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
    unwatchArray(this.slot);
    releaseSlot(this.slot);
    this.detachInputs();
  }

  /** Drops the graph edges (after evaluation or disposal), releasing inputs that tidy marked and nothing else needs. */
  detachInputs(): void {
    const inputs = this.inputs;
    this.primitive = null;
    this.inputs = [];
    for (const x of inputs) if (--x.pendingUses === 0 && x.releaseAfterUse && x.isEvaluated) x.dispose();
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
    await evaluate([this]);
    const t = this.tensor();
    return (await t.buffer.backend.read(t)) as TypedArray;
  }

  /** Like `data()`, synchronously; only for backends that can read without a device round trip. */
  dataSync(): TypedArray {
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
    return nest(this.shape, this.dtype, await this.data());
  }

  /** The value of a one-element array. */
  async item(): Promise<Scalar> {
    if (this.size !== 1) throw new Error(`[item] only one-element arrays convert to a scalar, got ${describe(this)}`);
    return decodeElement(this.dtype, await this.data(), 0);
  }

  /** Synchronous `item()` where the backend allows it. */
  itemSync(): Scalar {
    if (this.size !== 1) throw new Error(`[item] only one-element arrays convert to a scalar, got ${describe(this)}`);
    return decodeElement(this.dtype, this.dataSync(), 0);
  }

  /** MLX's printed form, e.g. `array([1, 2.5], dtype=float32)`. Evaluates where reads are synchronous. */
  toString(): string {
    if (this.disposed) return `array(<disposed>, shape=(${this.shape.join(", ")}), dtype=${this.dtype.name})`;
    const backend = getBackend(this.stream.device.backend);
    if (!backend.capabilities.syncRead) {
      return `array(<lazy: await data() to read>, shape=(${this.shape.join(", ")}), dtype=${this.dtype.name})`;
    }
    return formatArray(this.shape, this.dtype, this.dataSync());
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
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
  var(o?: ops.VarOptions | number | number[]) { return ops.variance(this, o); }
  std(o?: ops.VarOptions | number | number[]) { return ops.std(this, o); }
  max(o?: ops.AxisArg) { return ops.max(this, o); }
  min(o?: ops.AxisArg) { return ops.min(this, o); }
  all(o?: ops.AxisArg) { return ops.all(this, o); }
  any(o?: ops.AxisArg) { return ops.any(this, o); }
  argmax(o?: ops.ArgOptions) { return ops.argmax(this, o); }
  argmin(o?: ops.ArgOptions) { return ops.argmin(this, o); }
  logsumexp(o?: ops.AxisArg) { return ops.logsumexp(this, o); }
  reshape(...shape: (number | number[])[]) { return ops.reshape(this, shape.flat()); }
  flatten(o?: ops.FlattenOptions) { return ops.flatten(this, o); }
  squeeze(axis?: number | number[], o?: OpOptions) { return ops.squeeze(this, axis, o); }
  expandDims(axis: number | number[], o?: OpOptions) { return ops.expandDims(this, axis, o); }
  transpose(...axes: (number | number[])[]) { return ops.transpose(this, axes.length ? axes.flat() : undefined); }
  swapaxes(a1: number, a2: number, o?: OpOptions) { return ops.swapaxes(this, a1, a2, o); }
  moveaxis(src: number, dst: number, o?: OpOptions) { return ops.moveaxis(this, src, dst, o); }
  broadcastTo(shape: readonly number[], o?: OpOptions) { return ops.broadcastTo(this, shape, o); }
  split(indicesOrSections: number | number[], o?: { axis?: number } & OpOptions) { return ops.split(this, indicesOrSections, o); }
  slice(start: ops.SliceBound[], stop: ops.SliceBound[], step?: number[], o?: OpOptions) { return ops.slice(this, start, stop, step, o); }
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
