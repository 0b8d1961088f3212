// Sorting primitives along one axis: sort and argsort (stable, NaN last, -0
// equal to +0, as NumPy's kind="stable"), partition and argpartition (kth in
// its sorted place; every backend's kernel writes the sorted order, a valid partition).
// Gradients follow the permutation: gathers through the order and its inverse.

import type { MxArray } from "../array.js";
import { isFloating, uint32 } from "../dtype.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, on } from "./autodiff.js";

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
