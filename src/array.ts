// The lazy Array: a node of the computation graph (primitive + inputs) until
// evaluated, then a strided view of a backend buffer. Reading data evaluates;
// evaluated nodes drop their primitive and inputs so intermediates can be freed.
// Small arrays read from a device without synchronous reads keep a host copy,
// so that printing them afterwards shows their values.

import type { Tensor } from "../backends/backend.js";
import { getBackend } from "../backends/backend.js";
import type { DType } from "./dtype.js";
import { currentOp, describe, opError, shapeStr } from "./errors.js";
import { evaluate, evaluateSync } from "./eval.js";
import { releaseSlot, tidyScopes, unwatchArray, watchArray, type DataSlot } from "./memory.js";
import type { Primitive } from "./primitive.js";
import { formatArray } from "./print.js";
import { sizeOf } from "./shape.js";
import { decodeElement, type Scalar, type TypedArray } from "./storage.js";
import type { Stream } from "./device.js";
import * as ops from "./ops/index.js";
import type { ArrayLike, IndexEntry, OpOptions } from "./ops/index.js";

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
  /**
   * The arrays one multi-output primitive computes together with this one
   * (itself included, in output order; divmod's quotient and remainder), or
   * null for a single output. One kernel call fills them all.
   */
  siblings: readonly MxArray[] | null = null;
  /** This array's place among its siblings. */
  outputIndex = 0;
  /** The inputs no longer count this array as a pending use (it ran); its edges may remain as a recipe. */
  private edgesConsumed = false;
  /**
   * Released once and needed again: the program holds it and reads it (a
   * lazy constant used every step, say), so it keeps its buffer from now on.
   */
  private recomputed = false;
  /**
   * Edges from the recipes of released arrays (buffer freed, primitive and
   * inputs kept to compute it again) to this one. While above zero, dispose()
   * hides the array from the program but keeps its buffer, or its own recipe,
   * for them; the last of them to let go finishes the disposal.
   */
  private recipeReaders = 0;
  /** This array's buffer was released and its inputs count it in recipeReaders. */
  private readsAsRecipe = false;
  /**
   * The elements (row-major storage words) as last read from a device without
   * synchronous reads, for arrays up to HOST_COPY_MAX_BYTES; plain JS memory,
   * dropped with the array or by dispose(), not counted as device memory.
   */
  private hostCopy: TypedArray | null = null;
  /**
   * The public op whose call built this node, when one was running (a
   * composite: mx.eye builds equal and astype nodes); an error while the node
   * is evaluated names it. Undefined for arrays made outside any.
   * @internal
   */
  readonly builtBy: string | undefined;

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
    this.builtBy = primitive ? currentOp() : undefined;
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
  /**
   * Not disposed, or disposed while a released array's recipe still reads it:
   * eval may still compute it or read its buffer.
   * @internal
   */
  get isLive(): boolean {
    return !this.disposed || this.recipeReaders > 0;
  }

  /**
   * The tensor a kernel reads: `tensor()`, also for an array the program
   * disposed that a released array's recipe still reads.
   * @internal
   */
  inputTensor(): Tensor {
    if (!this.isLive) throw new Error(`array ${describe(this)} was disposed and can no longer be used`);
    const t = this.slot.data;
    if (!t) throw new Error(`array ${describe(this)} is not evaluated`);
    return t;
  }

  /**
   * The evaluated data as a backend tensor (buffer, shape, strides in elements,
   * offset): what kernels and backend authors work with. Throws when the array is
   * not evaluated yet or was disposed.
   * @example
   * ```ts
   * const x = mx.transpose(mx.array([[1, 2], [3, 4]], mx.float32));
   * await mx.eval(x);
   * x.tensor().strides; // [1, 2]
   * ```
   */
  tensor(): Tensor {
    if (this.disposed) throw new Error(`array ${describe(this)} was disposed and can no longer be used`);
    const t = this.slot.data;
    if (!t) throw new Error(`array ${describe(this)} is not evaluated`);
    return t;
  }

  /**
   * Frees the array's buffer now rather than when it is garbage collected
   * (idempotent); using the array afterwards throws. `using x = ...` and `mx.tidy`
   * call it for you.
   * @example
   * ```ts
   * const x = mx.ones([1024, 1024]);
   * await mx.eval(x);
   * x.dispose();
   * x.isDisposed; // true
   * ```
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.hostCopy = null;
    // a released array's recipe reads it: its buffer (or recipe) stays until the last such reader lets go, or the collector finds them all
    if (this.recipeReaders > 0) return;
    MxArray.finishDisposal(this);
  }

  /** Disposed arrays whose buffers and edges are to go now, and whether a loop is draining them. */
  private static readonly disposals: MxArray[] = [];
  private static drainingDisposals = false;

  /**
   * Frees a disposed array's buffer and edges; inputs whose last recipe reader
   * that was join the queue (a loop: a long chain of them must not recurse).
   */
  private static finishDisposal(a: MxArray): void {
    MxArray.disposals.push(a);
    if (MxArray.drainingDisposals) return;
    MxArray.drainingDisposals = true;
    try {
      for (let next = MxArray.disposals.pop(); next; next = MxArray.disposals.pop()) {
        unwatchArray(next.slot);
        releaseSlot(next.slot);
        next.detachInputs();
      }
    } finally {
      MxArray.drainingDisposals = false;
    }
  }

  /**
   * After this array ran: its inputs stop counting it as a pending use (tidy's
   * marked inputs that nothing else needs are disposed), while the edges stay
   * as its recipe until `detachInputs` or `releaseRecomputable`.
   * @internal
   */
  consumeInputs(): void {
    if (this.edgesConsumed) return;
    this.edgesConsumed = true;
    for (const x of this.inputs) if (--x.pendingUses === 0 && x.releaseAfterUse && x.isEvaluated) x.dispose();
    // computed again: it keeps its buffer from now on, so its edges are no recipe any more
    this.dropRecipeReads();
  }

  /** Its inputs stop counting it as a recipe reader; those the program disposed meanwhile go now. */
  private dropRecipeReads(): void {
    if (!this.readsAsRecipe) return;
    this.readsAsRecipe = false;
    for (const x of this.inputs) if (--x.recipeReaders === 0 && x.disposed) MxArray.finishDisposal(x);
  }

  /**
   * Drops the graph edges (after evaluation or disposal), releasing inputs
   * that tidy marked and nothing else needs.
   * @internal
   */
  detachInputs(): void {
    this.consumeInputs();
    this.dropRecipeReads();
    this.primitive = null;
    this.inputs = [];
    this.edgesConsumed = false;
  }

  /**
   * Before a released intermediate is computed again: its inputs count it as a
   * pending use once more, so none of them is released before it has run.
   * @internal
   */
  rearmInputs(): void {
    if (!this.edgesConsumed || this.isEvaluated) return;
    this.edgesConsumed = false;
    this.recomputed = true;
    for (const x of this.inputs) x.pendingUses++;
  }

  /** No unevaluated array reads this one any more (eval releases such intermediates). */
  get unused(): boolean {
    return this.pendingUses === 0;
  }

  /**
   * Frees the buffer of an intermediate whose last reader ran, keeping its
   * primitive and inputs: should user code still hold it and read it later,
   * eval computes it again from them, once: an array computed again keeps its
   * buffer from then on (eval calls this; see src/eval.ts). Its inputs count
   * it as a recipe reader, so disposing one of them keeps what the recipe
   * needs; an input already gone (disposed, by the program or by tidy) makes
   * it keep its buffer instead; so does a primitive that is not
   * `recomputable` (a communication).
   * @internal
   */
  releaseRecomputable(): void {
    if (this.disposed || !this.primitive?.recomputable || !this.edgesConsumed || this.recomputed || this.readsAsRecipe) return;
    for (const x of this.inputs) if (!x.isLive) return;
    this.readsAsRecipe = true;
    for (const x of this.inputs) x.recipeReaders++;
    this.hostCopy = null;
    releaseSlot(this.slot);
  }

  /**
   * Marks an array that user code can no longer reach (tidy created it and did
   * not return it) but unevaluated arrays still read: its buffer is released as
   * soon as the last of them has run.
   * @internal
   */
  releaseWhenConsumed(): void {
    this.releaseAfterUse = true;
    if (this.pendingUses === 0) this.dispose();
  }
  /**
   * `dispose()`, for `using`: the buffer is freed when the declaring block ends.
   * @example
   * ```ts
   * const held: mx.MxArray[] = [];
   * {
   *   using x = mx.ones([1024]);
   *   held.push(x);
   *   await x.sum().item(); // 1024
   * }
   * held[0]!.isDisposed; // true
   * ```
   */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Evaluates the array and returns its elements in row-major order in a new
   * typed array: the storage words of its dtype (float16 and bfloat16 as Uint16
   * words, complex64 as interleaved float32 pairs, 64-bit integers as bigints).
   * @example
   * ```ts
   * await mx.array([[1, 2], [3, 4]], mx.float32).data(); // new Float32Array([1, 2, 3, 4])
   * ```
   */
  async data(): Promise<TypedArray> {
    const words = await this.read("data");
    return words === this.hostCopy ? words.slice() : words;
  }

  /**
   * The elements, from the host copy when there is one; a read from a device
   * without synchronous reads keeps one for a small array. A failing read (a
   * broadcast view too large to copy out) names `op`, the method called.
   */
  private async read(op: string): Promise<TypedArray> {
    if (this.hostCopy) return this.hostCopy;
    await evaluate([this]);
    const t = this.tensor();
    let words: TypedArray;
    try {
      words = (await t.buffer.backend.read(t)) as TypedArray;
    } catch (e) {
      throw readError(op, this, e);
    }
    if (!t.buffer.backend.readSync && this.nbytes <= HOST_COPY_MAX_BYTES) this.hostCopy = words;
    return words;
  }

  /**
   * Like `data()`, synchronously: on backends that read without a device round
   * trip (cpu, metal), and for any array whose host copy a read has kept; else it
   * throws, saying to use `await x.data()`.
   * @example
   * ```ts
   * mx.array([1, 2], mx.int32, { stream: mx.cpu }).dataSync(); // new Int32Array([1, 2])
   * ```
   */
  dataSync(): TypedArray {
    return this.readSync("dataSync");
  }

  /** dataSync for method `op` (dataSync, itemSync, toNumberSync, toString), which a failing read names with its asynchronous counterpart. */
  private readSync(op: "dataSync" | "itemSync" | "toNumberSync" | "toString"): TypedArray {
    if (this.hostCopy) return this.hostCopy.slice();
    const instead = ASYNC_READ[op];
    const backend = getBackend(this.stream.device.backend);
    if (!backend.capabilities.syncRead || !backend.readSync) {
      throw opError(op, `a synchronous read is not possible on backend '${backend.name}': its reads are asynchronous; use '${instead}'`);
    }
    evaluateSync([this]);
    const t = this.tensor();
    const reader = t.buffer.backend.readSync;
    if (!reader) throw opError(op, `the data lives on backend '${t.buffer.backend.name}', which reads asynchronously; use '${instead}'`);
    try {
      return reader.call(t.buffer.backend, t) as TypedArray;
    } catch (e) {
      throw readError(op, this, e);
    }
  }

  /**
   * Evaluates the array and returns its elements as nested JS lists (a scalar
   * for a 0-d array): numbers, booleans (bool), bigints (int64, uint64) or
   * `{re, im}` (complex64).
   * @example
   * ```ts
   * await mx.array([[1, 2], [3, 4]]).tolist(); // [[1, 2], [3, 4]]
   * await mx.array([true, false]).tolist(); // [true, false]
   * ```
   */
  async tolist(): Promise<NestedList> {
    return nest(this.shape, this.dtype, await this.read("tolist"));
  }

  /**
   * The value of a one-element array: a number, a boolean (bool), a bigint
   * (int64, uint64) or `{re, im}` (complex64). Throws for other sizes.
   * @example
   * ```ts
   * await mx.sum(mx.array([1.5, 2])).item(); // 3.5
   * await mx.array([7], mx.int64).item(); // 7n
   * ```
   */
  async item(): Promise<Scalar> {
    checkOneElement("item", this);
    return decodeElement(this.dtype, await this.read("item"), 0);
  }

  /**
   * Synchronous `item()`, where `dataSync()` works.
   * @example
   * ```ts
   * mx.array(true, null, { stream: mx.cpu }).itemSync(); // true
   * ```
   */
  itemSync(): Scalar {
    checkOneElement("item", this);
    return decodeElement(this.dtype, this.readSync("itemSync"), 0);
  }

  /**
   * The value of a one-element float or integer array as a JS number. Throws
   * for bool and complex64 (use `item()`) and for a 64-bit integer beyond
   * 2^53, which a number cannot hold exactly.
   * @example
   * ```ts
   * await mx.array(7, mx.int64).toNumber(); // 7
   * await mx.mean(mx.array([1, 2])).toNumber(); // 1.5
   * ```
   */
  async toNumber(): Promise<number> {
    checkNumeric("toNumber", this);
    return numberOf("toNumber", this, decodeElement(this.dtype, await this.read("toNumber"), 0));
  }

  /**
   * Synchronous `toNumber()`, where `dataSync()` works.
   * @example
   * ```ts
   * mx.array([3], mx.uint8, { stream: mx.cpu }).toNumberSync(); // 3
   * ```
   */
  toNumberSync(): number {
    checkNumeric("toNumberSync", this);
    return numberOf("toNumberSync", this, decodeElement(this.dtype, this.readSync("toNumberSync"), 0));
  }

  /**
   * The slices along the first axis, as lazy arrays (as MLX and NumPy iterate):
   * `for (const row of x)`, `const [k1, k2] = mx.random.split(key)`.
   * @example
   * ```ts
   * const rows: unknown[] = [];
   * for (const row of mx.array([[1, 2], [3, 4]])) rows.push(await row.tolist());
   * rows; // [[1, 2], [3, 4]]
   * ```
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
   * @example
   * ```ts
   * String(mx.array([1.5, 2], mx.float32, { stream: mx.cpu })); // "array([1.5, 2], dtype=float32)"
   * ```
   */
  toString(): string {
    const where = `shape=${shapeStr(this.shape)}, dtype=${this.dtype.name}`;
    if (this.disposed) return `array(<disposed>, ${where})`;
    if (this.hostCopy) return formatArray(this.shape, this.dtype, this.hostCopy);
    const source = this.asyncSource();
    if (source) return `array(<${source}; await mx.print(x) or await x.tolist() to read it>, ${where})`;
    return formatArray(this.shape, this.dtype, this.readSync("toString"));
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
  /**
   * `mx.astype(this, dtype)`: the array converted to `dtype`.
   * @example
   * ```ts
   * await mx.array([1.7, -1.7]).astype(mx.int32).tolist(); // [1, -1]
   * ```
   */
  astype(dtype: DType, o?: OpOptions) { return ops.astype(this, dtype, o); }
  /**
   * `mx.view(this, dtype)`: the array's bytes read as `dtype` (a bitcast; the last axis scales when item sizes differ).
   * @example
   * ```ts
   * await mx.array([1], mx.float32).view(mx.uint32).tolist(); // [1065353216]
   * ```
   */
  view(dtype: DType, o?: OpOptions) { return ops.view(this, dtype, o); }
  /**
   * `mx.add(this, b)`: elementwise sum, with broadcasting and type promotion.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).add(1).tolist(); // [2, 3, 4]
   * ```
   */
  add(b: ArrayLike, o?: OpOptions) { return ops.add(this, b, o); }
  /**
   * `mx.subtract(this, b)`: elementwise difference.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).subtract(1).tolist(); // [0, 1, 2]
   * ```
   */
  subtract(b: ArrayLike, o?: OpOptions) { return ops.subtract(this, b, o); }
  /**
   * `mx.multiply(this, b)`: elementwise product.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).multiply(2).tolist(); // [2, 4, 6]
   * ```
   */
  multiply(b: ArrayLike, o?: OpOptions) { return ops.multiply(this, b, o); }
  /**
   * `mx.divide(this, b)`: elementwise true division (integers give float32).
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).divide(2).tolist(); // [0.5, 1, 1.5]
   * ```
   */
  divide(b: ArrayLike, o?: OpOptions) { return ops.divide(this, b, o); }
  /**
   * `mx.floorDivide(this, b)`: elementwise `floor(this / b)`.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).floorDivide(2).tolist(); // [0, 1, 1]
   * ```
   */
  floorDivide(b: ArrayLike, o?: OpOptions) { return ops.floorDivide(this, b, o); }
  /**
   * `mx.remainder(this, b)`: elementwise remainder, with the divisor's sign.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).remainder(2).tolist(); // [1, 0, 1]
   * ```
   */
  remainder(b: ArrayLike, o?: OpOptions) { return ops.remainder(this, b, o); }
  /**
   * `mx.power(this, b)`: elementwise `this ** b`.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).power(2).tolist(); // [1, 4, 9]
   * ```
   */
  power(b: ArrayLike, o?: OpOptions) { return ops.power(this, b, o); }
  /**
   * `mx.maximum(this, b)`: elementwise larger value (NaN propagates).
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).maximum(2).tolist(); // [2, 2, 3]
   * ```
   */
  maximum(b: ArrayLike, o?: OpOptions) { return ops.maximum(this, b, o); }
  /**
   * `mx.minimum(this, b)`: elementwise smaller value (NaN propagates).
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).minimum(2).tolist(); // [1, 2, 2]
   * ```
   */
  minimum(b: ArrayLike, o?: OpOptions) { return ops.minimum(this, b, o); }
  /**
   * `mx.equal(this, b)`: elementwise `==`, as bool.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).equal(2).tolist(); // [false, true, false]
   * ```
   */
  equal(b: ArrayLike, o?: OpOptions) { return ops.equal(this, b, o); }
  /**
   * `mx.notEqual(this, b)`: elementwise `!=`, as bool.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).notEqual(2).tolist(); // [true, false, true]
   * ```
   */
  notEqual(b: ArrayLike, o?: OpOptions) { return ops.notEqual(this, b, o); }
  /**
   * `mx.less(this, b)`: elementwise `<`, as bool.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).less(2).tolist(); // [true, false, false]
   * ```
   */
  less(b: ArrayLike, o?: OpOptions) { return ops.less(this, b, o); }
  /**
   * `mx.lessEqual(this, b)`: elementwise `<=`, as bool.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).lessEqual(2).tolist(); // [true, true, false]
   * ```
   */
  lessEqual(b: ArrayLike, o?: OpOptions) { return ops.lessEqual(this, b, o); }
  /**
   * `mx.greater(this, b)`: elementwise `>`, as bool.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).greater(2).tolist(); // [false, false, true]
   * ```
   */
  greater(b: ArrayLike, o?: OpOptions) { return ops.greater(this, b, o); }
  /**
   * `mx.greaterEqual(this, b)`: elementwise `>=`, as bool.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).greaterEqual(2).tolist(); // [false, true, true]
   * ```
   */
  greaterEqual(b: ArrayLike, o?: OpOptions) { return ops.greaterEqual(this, b, o); }
  /**
   * `mx.matmul(this, b)`: the matrix product.
   * @example
   * ```ts
   * const m = mx.array([[1, 2], [3, 4]]);
   * await m.matmul(m).tolist(); // [[7, 10], [15, 22]]
   * ```
   */
  matmul(b: ArrayLike, o?: OpOptions) { return ops.matmul(this, b, o); }
  /**
   * `mx.abs(this)`: elementwise absolute value.
   * @example
   * ```ts
   * await mx.array([-1, 2]).abs().tolist(); // [1, 2]
   * ```
   */
  abs(o?: OpOptions) { return ops.abs(this, o); }
  /**
   * `mx.negative(this)`: elementwise `-this`.
   * @example
   * ```ts
   * await mx.array([1, -2]).negative().tolist(); // [-1, 2]
   * ```
   */
  negative(o?: OpOptions) { return ops.negative(this, o); }
  /**
   * `mx.square(this)`: elementwise `this * this`.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).square().tolist(); // [1, 4, 9]
   * ```
   */
  square(o?: OpOptions) { return ops.square(this, o); }
  /**
   * `mx.sqrt(this)`: elementwise square root (integers give float32).
   * @example
   * ```ts
   * await mx.array([4, 9]).sqrt().tolist(); // [2, 3]
   * ```
   */
  sqrt(o?: OpOptions) { return ops.sqrt(this, o); }
  /**
   * `mx.rsqrt(this)`: elementwise `1 / sqrt(this)`.
   * @example
   * ```ts
   * await mx.array([4, 16]).rsqrt().tolist(); // [0.5, 0.25]
   * ```
   */
  rsqrt(o?: OpOptions) { return ops.rsqrt(this, o); }
  /**
   * `mx.reciprocal(this)`: elementwise `1 / this`.
   * @example
   * ```ts
   * await mx.array([2, 4]).reciprocal().tolist(); // [0.5, 0.25]
   * ```
   */
  reciprocal(o?: OpOptions) { return ops.reciprocal(this, o); }
  /**
   * `mx.exp(this)`: elementwise e^x.
   * @example
   * ```ts
   * await mx.array([0, 1]).exp().tolist(); // [1, 2.7182817459106445]
   * ```
   */
  exp(o?: OpOptions) { return ops.exp(this, o); }
  /**
   * `mx.log(this)`: elementwise natural logarithm.
   * @example
   * ```ts
   * await mx.array([1, 4]).log().tolist(); // [0, 1.3862943649291992]
   * ```
   */
  log(o?: OpOptions) { return ops.log(this, o); }
  /**
   * `mx.sin(this)`: elementwise sine.
   * @example
   * ```ts
   * await mx.array([0]).sin().tolist(); // [0]
   * ```
   */
  sin(o?: OpOptions) { return ops.sin(this, o); }
  /**
   * `mx.cos(this)`: elementwise cosine.
   * @example
   * ```ts
   * await mx.array([0]).cos().tolist(); // [1]
   * ```
   */
  cos(o?: OpOptions) { return ops.cos(this, o); }
  /**
   * `mx.round(this, decimals)`: elementwise rounding to `decimals` places
   * (default 0; negative rounds to tens, hundreds, ...), halves to even. MLX's
   * `array.round(decimals)`.
   * @example
   * ```ts
   * await mx.array([0.5, 1.5, -1.2]).round().tolist(); // [0, 2, -1]
   * await mx.array([1.25, 37], mx.float32).round(1, { stream: mx.cpu }).tolist(); // [1.2000000476837158, 37]
   * await mx.array([1234]).round(-2).tolist(); // [1200]
   * ```
   */
  round(decimals?: number, o?: OpOptions): MxArray;
  /**
   * `mx.round(this)` with options only: rounding to integers, halves to even.
   * @example
   * ```ts
   * await mx.array([2.5, 3.5], mx.float32).round({ stream: mx.cpu }).tolist(); // [2, 4]
   * ```
   */
  round(o: ops.RoundOptions): MxArray;
  round(decimals?: number | ops.RoundOptions, o?: OpOptions): MxArray { return o === undefined ? ops.round(this, decimals) : ops.round(this, decimals, o); }
  /**
   * `mx.floor(this)`: elementwise floor.
   * @example
   * ```ts
   * await mx.array([-1.5, 1.5]).floor().tolist(); // [-2, 1]
   * ```
   */
  floor(o?: OpOptions) { return ops.floor(this, o); }
  /**
   * `mx.ceil(this)`: elementwise ceiling.
   * @example
   * ```ts
   * await mx.array([-1.5, 1.5]).ceil().tolist(); // [-1, 2]
   * ```
   */
  ceil(o?: OpOptions) { return ops.ceil(this, o); }
  /**
   * `mx.sum(this, ...)`: sum over an axis or axes (all by default); the same arguments as `mx.sum` after its input
   * (MLX's `axis, keepdims` positionally, then the options, or the options alone).
   * @example
   * ```ts
   * const m = mx.array([[1, 2], [3, 4]]);
   * await m.sum().item(); // 10
   * await m.sum(0).tolist(); // [4, 6]
   * await m.sum(1, true).tolist(); // [[3], [7]]
   * ```
   */
  sum(...rest: ops.ReduceArgs) { return ops.sum(this, ...rest); }
  /**
   * `mx.prod(this, ...)`: product over an axis or axes (all by default).
   * @example
   * ```ts
   * await mx.array([[1, 2], [3, 4]]).prod().item(); // 24
   * ```
   */
  prod(...rest: ops.ReduceArgs) { return ops.prod(this, ...rest); }
  /**
   * `mx.mean(this, ...)`: mean over an axis or axes (all by default).
   * @example
   * ```ts
   * await mx.array([[1, 2], [3, 4]]).mean(1).tolist(); // [1.5, 3.5]
   * ```
   */
  mean(...rest: ops.ReduceArgs) { return ops.mean(this, ...rest); }
  /**
   * `mx.var(this, ...)`: variance over an axis or axes (all by default), with `ddof`; the same arguments as `mx.var` after its input.
   * @example
   * ```ts
   * await mx.array([1, 2, 3, 4]).var().item(); // 1.25
   * await mx.array([[1, 2], [3, 6]]).var(0, true, 1).tolist(); // [[2, 8]]
   * ```
   */
  var(...rest: ops.VarArgs) { return ops.variance(this, ...rest); }
  /**
   * `mx.std(this, ...)`: standard deviation over an axis or axes (all by default), with `ddof`.
   * @example
   * ```ts
   * await mx.array([2, 4, 4, 4, 5, 5, 7, 9]).std().item(); // 2
   * ```
   */
  std(...rest: ops.VarArgs) { return ops.std(this, ...rest); }
  /**
   * `mx.max(this, ...)`: maximum over an axis or axes (all by default).
   * @example
   * ```ts
   * await mx.array([[1, 2], [3, 4]]).max().item(); // 4
   * ```
   */
  max(...rest: ops.ReduceArgs) { return ops.max(this, ...rest); }
  /**
   * `mx.min(this, ...)`: minimum over an axis or axes (all by default).
   * @example
   * ```ts
   * await mx.array([[1, 2], [3, 4]]).min(1).tolist(); // [1, 3]
   * ```
   */
  min(...rest: ops.ReduceArgs) { return ops.min(this, ...rest); }
  /**
   * `mx.all(this, ...)`: whether every element is non-zero, over an axis or axes.
   * @example
   * ```ts
   * await mx.array([1, 0]).all().item(); // false
   * ```
   */
  all(...rest: ops.ReduceArgs) { return ops.all(this, ...rest); }
  /**
   * `mx.any(this, ...)`: whether some element is non-zero, over an axis or axes.
   * @example
   * ```ts
   * await mx.array([1, 0]).any().item(); // true
   * ```
   */
  any(...rest: ops.ReduceArgs) { return ops.any(this, ...rest); }
  /**
   * `mx.argmax(this, ...)`: index of the largest element (of the flattened array, or along `axis`).
   * @example
   * ```ts
   * await mx.array([3, 9, 2]).argmax().item(); // 1
   * ```
   */
  argmax(...rest: ops.ArgReduceArgs) { return ops.argmax(this, ...rest); }
  /**
   * `mx.argmin(this, ...)`: index of the smallest element (of the flattened array, or along `axis`).
   * @example
   * ```ts
   * await mx.array([3, 9, 2]).argmin().item(); // 2
   * ```
   */
  argmin(...rest: ops.ArgReduceArgs) { return ops.argmin(this, ...rest); }
  /**
   * `mx.logsumexp(this, ...)`: `log(sum(exp(this)))`, computed stably.
   * @example
   * ```ts
   * await mx.array([0, 0]).logsumexp().item(); // 0.6931471824645996
   * ```
   */
  logsumexp(...rest: ops.ReduceArgs) { return ops.logsumexp(this, ...rest); }
  /**
   * `mx.reshape(this, shape)`, with the shape as a list or as arguments; one entry may be -1.
   * @example
   * ```ts
   * mx.arange(6).reshape(2, 3).shape; // [2, 3]
   * mx.arange(6).reshape([3, -1]).shape; // [3, 2]
   * ```
   */
  reshape(...shape: (number | readonly number[])[]) { return ops.reshape(this, shape.flatMap((s) => s)); }
  /**
   * `mx.flatten(this, startAxis, endAxis, o)`: axes `startAxis` to `endAxis` (all by default) merged into one.
   * @example
   * ```ts
   * mx.zeros([2, 3, 4]).flatten().shape; // [24]
   * mx.zeros([2, 3, 4]).flatten(0, 1).shape; // [6, 4]
   * ```
   */
  flatten(startAxis?: number | ops.FlattenOptions, endAxis?: number | ops.FlattenOptions, options?: ops.FlattenOptions) { return ops.flatten(this, startAxis, endAxis, options); }
  /**
   * `mx.squeeze(this, axis)`: the given size-1 axes (all of them by default) removed.
   * @example
   * ```ts
   * mx.zeros([1, 3]).squeeze().shape; // [3]
   * ```
   */
  squeeze(axisOrOptions?: number | readonly number[] | null | ({ axis?: number | readonly number[] | null | undefined } & OpOptions), options?: OpOptions) { return ops.squeeze(this, axisOrOptions, options); }
  /**
   * `mx.expandDims(this, axis)`: size-1 axes inserted at the given positions.
   * @example
   * ```ts
   * mx.array([1, 2]).expandDims(0).shape; // [1, 2]
   * ```
   */
  expandDims(axisOrOptions: number | readonly number[] | ({ axis: number | readonly number[] } & OpOptions), options?: OpOptions) { return ops.expandDims(this, axisOrOptions, options); }
  /**
   * `mx.transpose(this, axes)`, with the permutation as a list or as arguments (reversed axes by default).
   * @example
   * ```ts
   * mx.zeros([2, 3, 4]).transpose(2, 0, 1).shape; // [4, 2, 3]
   * mx.zeros([2, 3, 4]).transpose().shape; // [4, 3, 2]
   * ```
   */
  transpose(...axes: (number | readonly number[])[]) { return ops.transpose(this, axes.length ? axes.flatMap((a) => a) : undefined); }
  /**
   * `mx.swapaxes(this, a1, a2)`: two axes exchanged.
   * @example
   * ```ts
   * mx.zeros([2, 3]).swapaxes(0, 1).shape; // [3, 2]
   * ```
   */
  swapaxes(a1: number, a2: number, o?: OpOptions) { return ops.swapaxes(this, a1, a2, o); }
  /**
   * `mx.moveaxis(this, src, dst)`: axis `src` moved to position `dst`.
   * @example
   * ```ts
   * mx.zeros([2, 3, 4]).moveaxis(0, -1).shape; // [3, 4, 2]
   * ```
   */
  moveaxis(src: number, dst: number, o?: OpOptions) { return ops.moveaxis(this, src, dst, o); }
  /**
   * `mx.broadcastTo(this, shape)`: a broadcast view of the array.
   * @example
   * ```ts
   * mx.array([1, 2]).broadcastTo([3, 2]).shape; // [3, 2]
   * ```
   */
  broadcastTo(shape: readonly number[], o?: OpOptions) { return ops.broadcastTo(this, shape, o); }
  /**
   * `mx.split(this, indicesOrSections, o)`: equal sections, or pieces cut at the given indices.
   * @example
   * ```ts
   * const [, high] = mx.arange(4).split(2);
   * await high!.tolist(); // [2, 3]
   * ```
   */
  split(indicesOrSections: number | readonly number[], axisOrOptions?: number | ({ axis?: number | undefined } & OpOptions), options?: OpOptions) { return ops.split(this, indicesOrSections, axisOrOptions, options); }
  /**
   * `mx.slice(this, start, stop, step)`: Python slicing per axis.
   * @example
   * ```ts
   * await mx.arange(10).slice([2], [8], [2]).tolist(); // [2, 4, 6]
   * ```
   */
  slice(start: readonly ops.SliceBound[], stop: readonly ops.SliceBound[], step?: readonly number[], o?: OpOptions) { return ops.slice(this, start, stop, step, o); }

  /**
   * `x[...idx]` (MLX's `x[idx]`): integers, slices (`mx.s(...)` or `"1:3"`), `null`,
   * `"..."` and integer arrays, one entry per axis; see {@link index}.
   * @example
   * ```ts
   * const x = mx.reshape(mx.arange(6), [2, 3]);
   * await x.get(1, "::-1").tolist(); // [5, 4, 3]
   * await x.get(mx.array([1, 0]), 0).tolist(); // [3, 0]
   * ```
   */
  get(...idx: IndexEntry[]): MxArray { return ops.index(this, ...idx); }

  /**
   * MLX's `x.at[idx]`: `.set(v)`, `.add(v)`, `.subtract(v)`, `.multiply(v)`, `.divide(v)`,
   * `.maximum(v)`, `.minimum(v)` each return a new array; duplicate indices accumulate
   * (see {@link indexUpdate}).
   * @example
   * ```ts
   * const x = mx.zeros([4], mx.int32);
   * await x.at(mx.array([0, 0, 2])).add(1).tolist(); // [2, 0, 1, 0]
   * await x.at("1:3").set(5).tolist(); // [0, 5, 5, 0]
   * ```
   */
  at(...idx: IndexEntry[]): ops.ArrayAt { return new ops.ArrayAt(this, idx); }

  /**
   * `mx.cumsum(this, axis)`: running sums along `axis` (all elements, flattened, without one).
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).cumsum().tolist(); // [1, 3, 6]
   * ```
   */
  cumsum(axis?: number | null | ops.CastScanOptions, o?: ops.CastScanOptions) { return ops.cumsum(this, axis, o); }
  /**
   * `mx.cumprod(this, axis)`: running products along `axis`.
   * @example
   * ```ts
   * await mx.array([1, 2, 3]).cumprod().tolist(); // [1, 2, 6]
   * ```
   */
  cumprod(axis?: number | null | ops.CastScanOptions, o?: ops.CastScanOptions) { return ops.cumprod(this, axis, o); }
  /**
   * `mx.cummax(this, axis)`: running maxima along `axis`.
   * @example
   * ```ts
   * await mx.array([1, 3, 2]).cummax().tolist(); // [1, 3, 3]
   * ```
   */
  cummax(axis?: number | null | ops.ScanOptions, o?: ops.ScanOptions) { return ops.cummax(this, axis, o); }
  /**
   * `mx.cummin(this, axis)`: running minima along `axis`.
   * @example
   * ```ts
   * await mx.array([3, 1, 2]).cummin().tolist(); // [3, 1, 1]
   * ```
   */
  cummin(axis?: number | null | ops.ScanOptions, o?: ops.ScanOptions) { return ops.cummin(this, axis, o); }
  /**
   * `mx.logcumsumexp(this, axis)`: running log-sum-exp along `axis`.
   * @example
   * ```ts
   * await mx.array([0, 0], mx.float32).logcumsumexp().tolist(); // [0, 0.6931471824645996]
   * ```
   */
  logcumsumexp(axis?: number | null | ops.ScanOptions, o?: ops.ScanOptions) { return ops.logcumsumexp(this, axis, o); }
  /**
   * `mx.sort(this, axis)`: sorted along `axis` (default the last), NaN last.
   * @example
   * ```ts
   * await mx.array([3, 1, 2]).sort().tolist(); // [1, 2, 3]
   * ```
   */
  sort(axisOrOptions?: ops.SortOptions | number | null, options?: ops.SortOptions) { return ops.sort(this, axisOrOptions, options); }
  /**
   * `mx.argsort(this, axis)`: the indices that sort along `axis` (stable).
   * @example
   * ```ts
   * await mx.array([3, 1, 2]).argsort().tolist(); // [1, 2, 0]
   * ```
   */
  argsort(axisOrOptions?: ops.SortOptions | number | null, options?: ops.SortOptions) { return ops.argsort(this, axisOrOptions, options); }
  /**
   * `mx.partition(this, kth, axis)`: element `kth` in its sorted place, smaller ones before it.
   * @example
   * ```ts
   * await mx.array([3, 1, 2]).partition(0).tolist(); // [1, 2, 3]
   * ```
   */
  partition(kth: number, axisOrOptions?: ops.SortOptions | number | null, options?: ops.SortOptions) { return ops.partition(this, kth, axisOrOptions, options); }
  /**
   * `mx.argpartition(this, kth, axis)`: the indices of `partition`.
   * @example
   * ```ts
   * await mx.array([3, 1, 2]).argpartition(0).tolist(); // [1, 2, 0]
   * ```
   */
  argpartition(kth: number, axisOrOptions?: ops.SortOptions | number | null, options?: ops.SortOptions) { return ops.argpartition(this, kth, axisOrOptions, options); }
  /**
   * `mx.topk(this, k, axis)`: the `k` largest along `axis`, in ascending order.
   * @example
   * ```ts
   * await mx.array([3, 1, 2]).topk(2).tolist(); // [2, 3]
   * ```
   */
  topk(k: number, axisOrOptions?: ops.SortOptions | number | null, options?: ops.SortOptions) { return ops.topk(this, k, axisOrOptions, options); }
  /**
   * `mx.diagonal(this, offset, axis1, axis2)`: the diagonal of the planes of `axis1` and `axis2` (defaults 0 and 1).
   * @example
   * ```ts
   * await mx.reshape(mx.arange(4), [2, 2]).diagonal().tolist(); // [0, 3]
   * ```
   */
  diagonal(...rest: ops.DiagonalArgs) { return ops.diagonal(this, ...rest); }
  /**
   * `mx.diag(this, k)`: a 1-D array's diagonal matrix, or a 2-D array's diagonal.
   * @example
   * ```ts
   * await mx.array([1, 2]).diag().tolist(); // [[1, 0], [0, 2]]
   * ```
   */
  diag(k?: number, o?: OpOptions) { return ops.diag(this, k, o); }
  /**
   * `mx.real(this)`: the real part (complex64 gives float32; real arrays themselves).
   * @example
   * ```ts
   * await mx.array([{ re: 1, im: 2 }], mx.complex64).real.tolist(); // [1]
   * ```
   */
  get real(): MxArray { return ops.real(this); }
  /**
   * `mx.imag(this)`: the imaginary part (complex64 gives float32; zeros for real arrays).
   * @example
   * ```ts
   * await mx.array([{ re: 1, im: 2 }], mx.complex64).imag.tolist(); // [2]
   * ```
   */
  get imag(): MxArray { return ops.imag(this); }
  /**
   * `mx.conj(this)`: the complex conjugate (real arrays unchanged).
   * @example
   * ```ts
   * await mx.array([{ re: 1, im: 2 }], mx.complex64).conj().tolist(); // [{ re: 1, im: -2 }]
   * ```
   */
  conj(o?: OpOptions) { return ops.conj(this, o); }
  /**
   * `mx.log2(this)`.
   * @example
   * ```ts
   * await mx.array([8]).log2().tolist(); // [3]
   * ```
   */
  log2(o?: OpOptions) { return ops.log2(this, o); }
  /**
   * `mx.log10(this)`.
   * @example
   * ```ts
   * await mx.array([100]).log10().tolist(); // [2]
   * ```
   */
  log10(o?: OpOptions) { return ops.log10(this, o); }
  /**
   * `mx.log1p(this)`: log(1 + x), accurate near 0.
   * @example
   * ```ts
   * await mx.array([0]).log1p().tolist(); // [0]
   * ```
   */
  log1p(o?: OpOptions) { return ops.log1p(this, o); }
}

/** A failed read of `a` by method `op`: `[op] reading float32(2, 3): ` before the backend's message. */
/** What to call instead of each synchronous read where reads are asynchronous. */
const ASYNC_READ = { dataSync: "await x.data()", itemSync: "await x.item()", toNumberSync: "await x.toNumber()", toString: "await mx.print(x)" } as const;

function readError(op: string, a: MxArray, e: unknown): unknown {
  if (e instanceof Error && !e.message.startsWith(`[${op}] `)) e.message = `[${op}] reading ${describe(a)}: ${e.message}`;
  return e;
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
