// The two layout primitives MLX exposes for memory layout: AsStrided (a view
// of a flat array through given element strides and offset; the op checks
// every reachable index lies inside the array) and Contiguous (the same
// values in a row-major buffer, copied only when the input is not already).

import type { MxArray } from "../array.js";
import { describeValue, opError, shapeStr, type Described } from "../errors.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, on } from "./autodiff.js";
import { checkDims, checkInputCount, checkRank } from "./checks.js";

/**
 * Throws (naming `op`) unless `strides` hold one integer per axis of `shape`,
 * `offset` is a non-negative integer, and every element the view reaches lies
 * among the `size` elements of the flat input (a view of no elements reaches none).
 */
export function checkStridedView(op: string, size: number, shape: readonly number[], strides: unknown, offset: unknown, inputs: readonly Described[]): void {
  if (!Array.isArray(strides) || !strides.every((v) => Number.isInteger(v)) || strides.length !== shape.length) {
    throw opError(op, `strides must be ${shape.length} integers (one per axis of shape ${shapeStr(shape)}), got ${describeValue(strides)}`, inputs, "value");
  }
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0) throw opError(op, `offset must be a non-negative integer, got ${describeValue(offset)}`, inputs, typeof offset === "number" ? "value" : "type");
  if (shape.every((d) => d > 0)) {
    const st = strides as number[];
    const lo = offset + shape.reduce((s, d, i) => s + Math.min(0, (d - 1) * st[i]!), 0);
    const hi = offset + shape.reduce((s, d, i) => s + Math.max(0, (d - 1) * st[i]!), 0);
    if (lo < 0 || hi >= size) {
      throw opError(op, `shape ${shapeStr(shape)}, strides ${shapeStr(st)} and offset ${offset} reach elements ${lo} to ${hi}, outside the ${size} elements of the input`, inputs, "range");
    }
  }
}

/** Output element (i0, i1, ...) is input element offset + sum(i_k * strides[k]) of a 1-D input. */
export class AsStrided extends Primitive {
  readonly name = "asStrided";
  constructor(
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
  ) {
    super();
  }
  override params() {
    return { shape: this.shape, strides: this.strides, offset: this.offset };
  }
  /** The input is flat (the op flattens it); shape, strides and offset reach only its elements (the op's rule). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkRank(this.name, "the input", inputs[0]!, 1);
    checkStridedView(this.name, inputs[0]!.shape[0]!, checkDims(this.name, "shape", this.shape), this.strides, this.offset, inputs);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.shape, dtype: x!.dtype };
  }
  /** Each input element gets the sum of the cotangents of the outputs that read it (a scatter-add of their indices). */
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    const n = x!.size;
    const idx = ops.reshape(node(new AsStrided(this.shape, this.strides, this.offset), [ops.arange(0, n, o)], ct.stream), [ct.size], o);
    return [ops.indexUpdate(ops.zeros([n], ct.dtype, o), [idx], ops.reshape(ct, [ct.size], o), "add")];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? node(new AsStrided(this.shape, this.strides, this.offset), [t], t.stream) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    const [B, n] = b.shape as [number, number];
    const flat = ops.reshape(b, [B * n], on(b));
    return [node(new AsStrided([B, ...this.shape], [n, ...this.strides], this.offset), [flat], b.stream), 0];
  }
}

/** The input's values in a row-major buffer (or column-major when allowed). */
export class Contiguous extends Primitive {
  readonly name = "contiguous";
  constructor(readonly allowColMajor: boolean) {
    super();
  }
  override params() {
    return { allowColMajor: this.allowColMajor };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  override vjp(_x: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    return [ct];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ?? null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new Contiguous(this.allowColMajor), [b], b.stream), 0];
  }
}
