// Indexing primitives: GatherAxis (take along an axis), Take (MLX's gather
// along one axis, whose output follows the indices' shape: a shapeless
// trace's take), ScatterAxis (put or combine along an axis) and SliceUpdate
// (a strided region replaced). The ops resolve everything first: axes
// non-negative, shapes broadcast, dtypes equal.
// Index values are wrapped once when negative and clamped into the axis by
// every kernel, so no index value ever reaches outside a buffer.

import type { MxArray } from "../array.js";
import { int32, isInteger } from "../dtype.js";
import { opError, shapeStr, type Described } from "../errors.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { sameShape, sizeOf } from "../shape.js";
import { batchFirst, on } from "./autodiff.js";
import { checkAxis, checkChoice, checkInputCount, checkRank, checkSameDType } from "./checks.js";
import { batchAll, checkRegion, Slice } from "./layout.js";

/** How a scatter combines an update with the element it lands on (duplicates fold in row-major order of the updates). */
export type ScatterMode = "set" | "add" | "multiply" | "maximum" | "minimum";

const SCATTER_MODES: readonly ScatterMode[] = ["set", "add", "multiply", "maximum", "minimum"];

/** Throws (naming `op`; `what` says what it does, e.g. "cannot take elements from") when non-empty `indices` index axis `axis` of `a`, which is empty: no index can be clamped into it. */
export function checkIndexedAxis(op: string, a: Described, indices: Described, axis: number, what: string): void {
  if (a.shape[axis] === 0 && sizeOf(indices.shape) > 0) throw opError(op, `${what} axis ${axis} of size 0`, [a, indices], "range");
}

/** The rules of an indexed axis: `axis` an axis of `a`, integer indices of a's rank and shape but along `axis`, and (non-empty) a non-empty axis. */
function checkAlongAxis(op: string, axis: unknown, a: Spec, indices: Spec): void {
  const ax = checkAxis(op, "axis", axis, a.shape.length);
  if (!isInteger(indices.dtype)) throw opError(op, `the indices must have an integer dtype, got ${indices.dtype.name}`, [a, indices], "type");
  if (indices.shape.length !== a.shape.length || indices.shape.some((d, i) => i !== ax && d !== a.shape[i])) {
    throw opError(op, `the indices ${shapeStr(indices.shape)} must have the array's shape ${shapeStr(a.shape)} but along axis ${ax}`, [a, indices], "value");
  }
  checkIndexedAxis(op, a, indices, ax, "cannot index");
}

/**
 * out[..., k, ...] = a[..., indices[..., k, ...], ...] along `axis`. Inputs:
 * a and indices (any integer dtype) with equal shapes except along `axis`;
 * the output has the indices' shape and a's dtype.
 */
export class GatherAxis extends Primitive {
  readonly name = "gatherAxis";
  constructor(readonly axis: number) {
    super();
  }
  override params() {
    return { axis: this.axis };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    checkAlongAxis(this.name, this.axis, inputs[0]!, inputs[1]!);
  }
  output([a, indices]: readonly Spec[]): Spec {
    return { shape: indices!.shape, dtype: a!.dtype };
  }
  /** The cotangent added back at the gathered positions (duplicates accumulate). */
  override vjp([a, indices]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const zeros = ops.zeros(a!.shape, ct.dtype, on(ct));
    return [node(new ScatterAxis(this.axis, "add"), [zeros, indices!, ct], ct.stream), null];
  }
  override jvp([, indices]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? node(new GatherAxis(this.axis), [t, indices!], t.stream) : null;
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const [a, indices] = batchAll(inputs, axes);
    return [node(new GatherAxis(this.axis + 1), [a!, indices!], a!.stream), 0];
  }
}

/** take's output shape: a's with `axis` replaced by the indices' shape. */
export function takeShape(a: readonly number[], indices: readonly number[], axis: number): number[] {
  return [...a.slice(0, axis), ...indices, ...a.slice(axis + 1)];
}

/** `indices` flattened and broadcast along `axis` of `a`'s shape (a's axis replaced by their count): GatherAxis's indices for take. */
export function indicesAlong(a: readonly number[], indices: MxArray, axis: number): MxArray {
  const k = sizeOf(indices.shape);
  const o = on(indices);
  return ops.broadcastTo(ops.reshape(indices, a.map((_, i) => (i === axis ? k : 1)), o), a.map((d, i) => (i === axis ? k : d)), o);
}

/**
 * out[..., i..., ...] = a[..., indices[i...], ...] along `axis` (MLX's
 * Gather of one axis, its `take`): inputs a and integer indices of any
 * shape; the output is a's shape with `axis` replaced by the indices' shape,
 * in a's dtype. That rule follows both inputs' shapes, so a shapeless trace
 * replays it on new ones (nn.Embedding on other batches and lengths); take
 * builds it only while one runs (its other graph reshapes and broadcasts
 * the indices by fixed shapes). Kernels run it as GatherAxis over views.
 */
export class Take extends Primitive {
  readonly name = "take";
  constructor(readonly axis: number) {
    super();
  }
  override params() {
    return { axis: this.axis };
  }
  /** An axis of a; integer indices; a non-empty axis where there are indices. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    const [a, indices] = inputs as [Spec, Spec];
    checkAxis(this.name, "axis", this.axis, a.shape.length);
    if (!isInteger(indices.dtype)) throw opError(this.name, `the indices must have an integer dtype, got ${indices.dtype.name}`, inputs, "type");
    checkIndexedAxis(this.name, a, indices, this.axis, "cannot take elements from");
  }
  output([a, indices]: readonly Spec[]): Spec {
    return { shape: takeShape(a!.shape, indices!.shape, this.axis), dtype: a!.dtype };
  }
  /** The cotangent added back at the taken positions (duplicates accumulate), as GatherAxis's. */
  override vjp([a, indices]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    const along = indicesAlong(a!.shape, indices!, this.axis);
    const zeros = ops.zeros(a!.shape, ct.dtype, o);
    return [node(new ScatterAxis(this.axis, "add"), [zeros, along, ops.reshape(ct, along.shape, o)], ct.stream), null];
  }
  override jvp([, indices]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? node(new Take(this.axis), [t, indices!], t.stream) : null;
  }
  /**
   * a batched: its axis one on, the batch first. The indices batched: their
   * batch axis lands at `axis`. Both: each entry's indices pick from its own
   * a (GatherAxis over the batch).
   */
  override vmap([a, indices]: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const aAxis = axes[0] ?? null, iAxis = axes[1] ?? null;
    if (iAxis === null) {
      const a0 = batchFirst(a!, aAxis!);
      return [node(new Take(this.axis + 1), [a0, indices!], a0.stream), 0];
    }
    const i0 = batchFirst(indices!, iAxis);
    if (aAxis === null) return [node(new Take(this.axis), [a!, i0], a!.stream), this.axis];
    const a0 = batchFirst(a!, aAxis);
    const [B, ...shape] = a0.shape as [number, ...number[]];
    const k = sizeOf(i0.shape) / B;
    const o = on(a0);
    const along = ops.broadcastTo(ops.reshape(i0, [B, ...shape.map((_, i) => (i === this.axis ? k : 1))], o), [B, ...shape.map((d, i) => (i === this.axis ? k : d))], o);
    const taken = node(new GatherAxis(this.axis + 1), [a0, along], a0.stream);
    return [ops.reshape(taken, [B, ...takeShape(shape, i0.shape.slice(1), this.axis)], o), 0];
  }
}

/**
 * a with updates[..., k, ...] combined into a[..., indices[..., k, ...], ...]
 * along `axis`. Inputs: a, indices (any integer dtype), updates (a's dtype,
 * the indices' shape); a and indices have equal shapes except along `axis`.
 * Updates landing on one element fold in row-major order: "set" keeps the last.
 */
export class ScatterAxis extends Primitive {
  readonly name = "scatterAxis";
  constructor(
    readonly axis: number,
    readonly mode: ScatterMode,
  ) {
    super();
  }
  override params() {
    return { axis: this.axis, mode: this.mode };
  }
  /** The updates have the indices' shape and a's dtype. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 3);
    const [a, indices, updates] = inputs as [Spec, Spec, Spec];
    checkChoice(this.name, "mode", this.mode, SCATTER_MODES);
    checkAlongAxis(this.name, this.axis, a, indices);
    if (!sameShape(updates.shape, indices.shape)) throw opError(this.name, `the updates ${shapeStr(updates.shape)} must have the indices' shape ${shapeStr(indices.shape)}`, inputs, "value");
    checkSameDType(this.name, [a, updates], ["the array", "the updates"]);
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape, dtype: a!.dtype };
  }
  /**
   * add: the cotangent passes to a, and is gathered for the updates. set: a's
   * share is zero where an update landed; an update's share is the gathered
   * cotangent when it is the one that stayed (the last of its duplicates).
   * maximum / minimum: shares where a value equals the result (MLX's rule).
   */
  override vjp([a, indices, updates]: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    const o = on(ct);
    const gathered = node(new GatherAxis(this.axis), [ct, indices!], ct.stream);
    if (this.mode === "add") return [ct, null, gathered];
    if (this.mode === "maximum" || this.mode === "minimum") {
      // as MLX: the cotangent reaches every element (of a or of the updates) equal to the result it landed in
      const zeros = ops.zerosLike(ct, o);
      const landed = node(new GatherAxis(this.axis), [out, indices!], ct.stream);
      return [ops.where(ops.equal(out, a!, o), ct, zeros, o), null, ops.where(ops.equal(landed, updates!, o), gathered, ops.zerosLike(gathered, o), o)];
    }
    if (this.mode !== "set") throw new Error(`no vjp for scatterAxis in mode "${this.mode}" (MLX has none for a product scatter either)`);
    const cleared = node(new ScatterAxis(this.axis, "set"), [ct, indices!, ops.zerosLike(updates!, o)], ct.stream);
    const k = indices!.shape[this.axis]!;
    const idShape = indices!.shape.map((d, i) => (i === this.axis ? d : 1));
    const ids = ops.broadcastTo(ops.reshape(ops.arange(0, k, 1, { dtype: int32, ...o }), idShape, o), indices!.shape, o);
    const winners = node(new ScatterAxis(this.axis, "set"), [ops.full(a!.shape, -1, int32, o), indices!, ids], ct.stream);
    const stayed = ops.equal(node(new GatherAxis(this.axis), [winners, indices!], ct.stream), ids, o);
    return [cleared, null, ops.where(stayed, gathered, ops.zerosLike(gathered, o), o)];
  }
  override jvp([a, indices, updates]: readonly MxArray[], [ta, , tu]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (!ta && !tu) return null;
    if (this.mode !== "set" && this.mode !== "add") throw new Error(`no jvp for scatterAxis in mode "${this.mode}"`);
    const o = on(out);
    return node(new ScatterAxis(this.axis, this.mode), [ta ?? ops.zerosLike(a!, o), indices!, tu ?? ops.zerosLike(updates!, o)], out.stream);
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const xs = batchAll(inputs, axes);
    return [node(new ScatterAxis(this.axis + 1, this.mode), xs, xs[0]!.stream), 0];
  }
}

/**
 * a with the region start[i], start[i] + step[i], ... (the update's shape
 * along each axis; steps may be negative) replaced by the update (a's dtype,
 * a's rank). The op checks that the region lies inside a.
 */
export class SliceUpdate extends Primitive {
  readonly name = "sliceUpdate";
  constructor(
    readonly start: readonly number[],
    readonly step: readonly number[],
  ) {
    super();
  }
  override params() {
    return { start: this.start, step: this.step };
  }
  /** The update (a's rank and dtype) lands inside a: start and step give its region. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    const [a, update] = inputs as [Spec, Spec];
    checkRank(this.name, "the update", update, a.shape.length);
    checkSameDType(this.name, inputs, ["the array", "the update"]);
    checkRegion(this.name, a, this.start, this.step, update.shape, "the update's shape");
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape, dtype: a!.dtype };
  }
  override vjp([, update]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    const cleared = node(new SliceUpdate(this.start, this.step), [ct, ops.zerosLike(update!, o)], ct.stream);
    return [cleared, node(new Slice(this.start, this.step, update!.shape), [ct], ct.stream)];
  }
  override jvp([a, update]: readonly MxArray[], [ta, tu]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (!ta && !tu) return null;
    const o = on(out);
    return node(new SliceUpdate(this.start, this.step), [ta ?? ops.zerosLike(a!, o), tu ?? ops.zerosLike(update!, o)], out.stream);
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const xs = batchAll(inputs, axes);
    return [node(new SliceUpdate([0, ...this.start], [1, ...this.step]), xs, xs[0]!.stream), 0];
  }
}
