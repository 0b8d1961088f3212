// Reduction primitives: sum/prod/max/min/all/any over a set of axes, the
// arg-reductions, and the fused softmax / logsumexp (numerically stable,
// computed in one pass by each backend). Axes are normalized and sorted.

import type { MxArray } from "../array.js";
import { bool, DType, float32, int32, is16BitFloat, isInexact, sumDType, uint32 } from "../dtype.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { describeValue, opError, type Described } from "../errors.js";
import { batchFirst, keptShape, on, shiftAxes } from "./autodiff.js";
import { checkAxes, checkAxis, checkBool, checkInputCount } from "./checks.js";

/** Throws (naming `op`) when `op` is max or min and one of `axes` of `x` is empty: they have no identity to give it. */
export function checkReducible(op: string, x: Described, axes: readonly number[]): void {
  if ((op === "max" || op === "min") && axes.some((ax) => x.shape[ax] === 0)) throw opError(op, `cannot reduce over an empty axis (no identity for ${op})`, [x], "value");
}

/** Throws (naming `op`, argmax or argmin) when `axis` of `x` is empty: it holds no index to give. */
export function checkArgAxis(op: string, x: Described, axis: number): void {
  if (x.shape[axis] === 0) throw opError(op, `cannot take ${op} of an empty axis`, [x], "value");
}

export type ReduceOp = "sum" | "prod" | "max" | "min" | "all" | "any";

function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((n, i) => {
    if (!axes.includes(i)) out.push(n);
    else if (keepdims) out.push(1);
  });
  return out;
}

/** A reduction over `axes` (sorted, non-negative), kept as size-1 dims when `keepdims`. */
abstract class AxesReduction extends Primitive {
  constructor(
    readonly axes: readonly number[],
    readonly keepdims: boolean,
  ) {
    super();
  }
  override params() {
    return { axes: this.axes, keepdims: this.keepdims };
  }
  protected outShape(x: Spec): number[] {
    return reducedShape(x.shape, this.axes, this.keepdims);
  }
  /** Sorted distinct axes of the input (the kernels walk them in order). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkAxes(this.name, "axes", this.axes, inputs[0]!.shape.length, true);
    checkBool(this.name, "keepdims", this.keepdims);
  }
}

/**
 * The wider dtype a sum or product of `d` may give directly (reading `d`, not
 * a widened copy of it): int32/uint32 for integers narrower than 32 bits and
 * bool, float32 for float16/bfloat16; undefined for the others.
 */
export function widenedSumDType(d: DType): DType | undefined {
  if (d === bool || (d.size < 4 && d.kind === "int")) return int32;
  if (d.size < 4 && d.kind === "uint") return uint32;
  return is16BitFloat(d) ? float32 : undefined;
}

export class Reduce extends AxesReduction {
  /**
   * `dtype`: a sum's or product's result dtype where it is wider than its
   * input's (widenedSumDType: what the kernels accumulate in anyway), so that
   * no widened copy of the input is made; undefined: the input's (int32 for bool).
   */
  constructor(
    readonly name: ReduceOp,
    axes: readonly number[],
    keepdims: boolean,
    readonly dtype?: DType,
  ) {
    super(axes, keepdims);
  }
  override params() {
    return this.dtype ? { ...super.params(), dtype: this.dtype.name } : super.params();
  }
  /** max and min reduce no empty axis; a result dtype only for a sum or product, and only its input's widenedSumDType. */
  override validate(inputs: readonly Spec[]): void {
    super.validate(inputs);
    checkReducible(this.name, inputs[0]!, this.axes);
    if (this.dtype === undefined) return;
    const x = inputs[0]!;
    if ((this.name !== "sum" && this.name !== "prod") || widenedSumDType(x.dtype) !== this.dtype) {
      const valid = this.name === "sum" || this.name === "prod" ? `${widenedSumDType(x.dtype)?.name ?? "none"} for ${x.dtype.name}` : `none for ${this.name}`;
      throw opError(this.name, `cannot give a result of dtype ${this.dtype instanceof DType ? this.dtype.name : describeValue(this.dtype)} (valid: ${valid})`, [x], "type");
    }
  }
  output([x]: readonly Spec[]): Spec {
    const shape = this.outShape(x!);
    if (this.dtype) return { shape, dtype: this.dtype };
    const dtype = this.name === "all" || this.name === "any" ? bool : this.name === "sum" || this.name === "prod" ? sumDType(x!.dtype) : x!.dtype;
    return { shape, dtype };
  }
  /**
   * `x` with the reduced axes moved last and merged into one (MLX's layout
   * for its prod and max/min rules), the shape it had before the merge, and
   * the permutation back.
   */
  private axesLast(x: MxArray): { flat: MxArray; moved: number[]; back: number[] } {
    const o = on(x);
    const perm = [...x.shape.keys()].filter((i) => !this.axes.includes(i)).concat(this.axes);
    const back = perm.map((_, i) => perm.indexOf(i));
    const moved = perm.map((i) => x.shape[i]!);
    const kept = moved.slice(0, moved.length - this.axes.length);
    const reduced = this.axes.reduce((n, ax) => n * x.shape[ax]!, 1);
    return { flat: ops.reshape(ops.transpose(x, perm, o), [...kept, reduced], o), moved, back };
  }
  /**
   * d(prod)/dx per input element, of x's shape: the product of the other
   * elements, as MLX's Reduce::vjp computes it (an exclusive cumprod from
   * each side, multiplied): no division, so zeros need no special case and
   * a product that underflows leaves the partials that do not.
   */
  private prodPartials(x: MxArray): MxArray {
    const o = on(x);
    if (this.axes.length === 0) return ops.onesLike(x, o);
    const exclusive = (v: MxArray, axis: number) =>
      ops.multiply(ops.cumprod(v, { axis, inclusive: false, ...o }), ops.cumprod(v, { axis, reverse: true, inclusive: false, ...o }), o);
    if (this.axes.length === 1) return exclusive(x, this.axes[0]!);
    const { flat, moved, back } = this.axesLast(x);
    return ops.transpose(ops.reshape(exclusive(flat, -1), moved, o), back, o);
  }
  /**
   * max/min's tangent: `t` at the first extreme over the reduced axes (in
   * their row-major order), as MLX's Reduce::jvp (take_along_axis of the
   * argmax); its vjp splits the cotangent evenly between ties instead.
   */
  private extremeTangent(x: MxArray, t: MxArray, y: MxArray): MxArray {
    const o = on(t);
    const at = ops[this.name === "max" ? "argmax" : "argmin"](this.axesLast(x).flat, -1, true, o);
    return ops.reshape(ops.takeAlongAxis(this.axesLast(t).flat, at, -1, o), y.shape, o);
  }
  override vjp([x]: readonly MxArray[], ct: MxArray, y: MxArray): (MxArray | null)[] {
    if (!isInexact(x!.dtype) || this.name === "all" || this.name === "any") return [null];
    const o = on(ct);
    // a widened sum's cotangent (float32) goes back to its input's dtype
    const narrowed = this.dtype ? ops.astype(ct, x!.dtype, o) : ct;
    const spread = ops.broadcastTo(ops.reshape(narrowed, keptShape(x!.shape, this.axes), o), x!.shape, o);
    if (this.name === "sum") return [spread];
    if (this.name === "prod") return [ops.multiply(spread, this.prodPartials(x!), o)];
    // max/min (MLX's Reduce::vjp): the tied extremes share the cotangent evenly
    const wins = ops.astype(ops.equal(x!, ops.reshape(y, keptShape(x!.shape, this.axes), o), o), x!.dtype, o);
    return [ops.multiply(spread, ops.divide(wins, ops.sum(wins, { axis: [...this.axes], keepdims: true, ...o }), o), o)];
  }
  override jvp([x]: readonly MxArray[], [t]: readonly (MxArray | null)[], y: MxArray): MxArray | null {
    if (!t || !isInexact(x!.dtype) || this.name === "all" || this.name === "any") return null;
    const o = on(t);
    if (this.name === "max" || this.name === "min") return this.extremeTangent(x!, t, y);
    const d = this.name === "sum" ? t : ops.multiply(t, this.prodPartials(x!), o);
    if (this.dtype) return node(new Reduce("sum", this.axes, this.keepdims, this.dtype), [d], d.stream);
    return ops.sum(d, { axis: [...this.axes], keepdims: this.keepdims, ...o });
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new Reduce(this.name, shiftAxes(this.axes), this.keepdims, this.dtype), [b], b.stream), 0];
  }
}

/** Index (uint32) of the first max/min along `axis`; NaN counts as the extreme (NumPy). */
export class ArgReduce extends Primitive {
  constructor(
    readonly name: "argmax" | "argmin",
    readonly axis: number,
    readonly keepdims: boolean,
  ) {
    super();
  }
  override params() {
    return { axis: this.axis, keepdims: this.keepdims };
  }
  /** A non-empty axis of the input. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkArgAxis(this.name, inputs[0]!, checkAxis(this.name, "axis", this.axis, inputs[0]!.shape.length));
    checkBool(this.name, "keepdims", this.keepdims);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: reducedShape(x!.shape, [this.axis], this.keepdims), dtype: uint32 };
  }
  override vjp(): (MxArray | null)[] {
    return [null];
  }
  override jvp(): MxArray | null {
    return null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new ArgReduce(this.name, this.axis + 1, this.keepdims), [b], b.stream), 0];
  }
}

/** log(sum(exp(x))) over `axes`, with the max subtracted first. Float inputs only. */
export class LogSumExp extends AxesReduction {
  readonly name = "logsumexp";
  output([x]: readonly Spec[]): Spec {
    return { shape: this.outShape(x!), dtype: x!.dtype };
  }
  /**
   * softmax(x) over the axes, the derivative (as MLX's vjp): computed from x
   * and rounded once, not as exp(x - out), whose out is already rounded to
   * x's dtype (an error of out's ulp in every weight: 1e5 in float32, or 40
   * in float16, weighs [x, x] as 0.4989 or 0.5029 instead of 0.5).
   */
  private weights(x: MxArray): MxArray {
    return ops.softmax(x, { axis: [...this.axes], ...on(x) });
  }
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    const o = on(ct);
    return [ops.multiply(ops.reshape(ct, keptShape(x!.shape, this.axes), o), this.weights(x!), o)];
  }
  override jvp([x]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    if (!t) return null;
    const o = on(t);
    return ops.sum(ops.multiply(t, this.weights(x!), o), { axis: [...this.axes], keepdims: this.keepdims, ...o });
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new LogSumExp(shiftAxes(this.axes), this.keepdims), [b], b.stream), 0];
  }
}

/** exp(x - max) / sum(exp(x - max)) over `axes`; same shape as the input. Float inputs only. */
export class Softmax extends Primitive {
  readonly name = "softmax";
  constructor(readonly axes: readonly number[]) {
    super();
  }
  override params() {
    return { axes: this.axes };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkAxes(this.name, "axes", this.axes, inputs[0]!.shape.length, true);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  /** y * (v - sum(v * y)) over the axes, for a cotangent or tangent v. */
  private project(v: MxArray, y: MxArray): MxArray {
    const o = on(v);
    return ops.multiply(y, ops.subtract(v, ops.sum(ops.multiply(v, y, o), { axis: [...this.axes], keepdims: true, ...o }), o), o);
  }
  override vjp(_x: readonly MxArray[], ct: MxArray, y: MxArray): (MxArray | null)[] {
    return [this.project(ct, y)];
  }
  override jvp(_x: readonly MxArray[], [t]: readonly (MxArray | null)[], y: MxArray): MxArray | null {
    return t ? this.project(t, y) : null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new Softmax(shiftAxes(this.axes)), [b], b.stream), 0];
  }
}
