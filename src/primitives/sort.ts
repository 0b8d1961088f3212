// Sorting primitives along one axis: sort and argsort (stable, NaN last, -0
// equal to +0, as NumPy's kind="stable"), partition and argpartition (kth in
// its sorted place; every backend's kernel writes the sorted order, a valid partition).
// Gradients follow the permutation: gathers through the order and its inverse.

import type { MxArray } from "../array.js";
import { isFloating, uint32 } from "../dtype.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, on } from "./autodiff.js";
import { describeValue, opError, type Described } from "../errors.js";
import { checkAxis, checkInputCount } from "./checks.js";

/** Indices along one axis are uint32. */
const MAX_AXIS = 2 ** 32 - 1;

/** Throws (naming `op`) when axis `axis` of `x` is longer than uint32 indices address. */
export function checkSortAxis(op: string, x: Described, axis: number): void {
  if (x.shape[axis]! > MAX_AXIS) throw opError(op, `the axis has ${x.shape[axis]} elements; uint32 indices address at most 2^32 - 1`, [x], "value");
}

/** `kth` (negative counts from the end) as a position along axis `axis` of `x`, or an error naming `op`. */
export function kthOf(op: string, kth: unknown, x: Described, axis: number): number {
  const n = x.shape[axis]!;
  if (typeof kth !== "number" || !Number.isInteger(kth)) throw opError(op, `kth must be an integer, got ${describeValue(kth)}`, [x], "type");
  const k = kth < 0 ? kth + n : kth;
  if (k < 0 || k >= n) throw opError(op, `kth ${kth} is out of range for an axis of ${n} elements (valid: ${-n} to ${n - 1})`, [x], "range");
  return k;
}

/** An order along `axis` (non-negative); `kth` is the position a partition fixes (null: a full sort). */
abstract class AxisOrder extends Primitive {
  constructor(
    readonly axis: number,
    readonly kth: number | null,
  ) {
    super();
  }
  override params() {
    return this.kth === null ? { axis: this.axis } : { axis: this.axis, kth: this.kth };
  }
  /** An axis of the input; kth, when given, a position along it (resolved: not negative). */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const x = inputs[0]!;
    const axis = checkAxis(this.name, "axis", this.axis, x.shape.length);
    checkSortAxis(this.name, x, axis);
    if (this.kth !== null && kthOf(this.name, this.kth, x, axis) !== this.kth) throw opError(this.name, `kth ${this.kth} must be resolved (not negative)`, inputs, "range");
  }
}

/** The sorted (or partitioned) values: the input permuted along `axis` by the matching index primitive. */
export class SortValues extends AxisOrder {
  get name(): "sort" | "partition" {
    return this.kth === null ? "sort" : "partition";
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  /** The source index of each output element (what the matching index primitive computes). */
  private order(x: MxArray): MxArray {
    return node(new SortIndices(this.axis, this.kth), [x], x.stream);
  }
  /** The cotangent sent back to where each output came from: a gather through the inverse permutation (the argsort of the order). */
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    if (!isFloating(x!.dtype)) return [null];
    const o = on(ct);
    const inverse = ops.argsort(this.order(x!), { axis: this.axis, ...o });
    return [ops.takeAlongAxis(ct, inverse, this.axis, o)];
  }
  /** The tangent permuted as the values are. */
  override jvp([x]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    if (!t || !isFloating(x!.dtype)) return null;
    return ops.takeAlongAxis(t, this.order(x!), this.axis, on(t));
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new SortValues(this.axis + 1, this.kth), [b], b.stream), 0];
  }
}

/** The source indices (uint32) of the sorted (or partitioned) order along `axis`. */
export class SortIndices extends AxisOrder {
  get name(): "argsort" | "argpartition" {
    return this.kth === null ? "argsort" : "argpartition";
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: uint32 };
  }
  override vjp(): (MxArray | null)[] {
    return [null];
  }
  override jvp(): MxArray | null {
    return null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new SortIndices(this.axis + 1, this.kth), [b], b.stream), 0];
  }
}
