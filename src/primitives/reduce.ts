// Reduction primitives: sum/prod/max/min/all/any over a set of axes, the
// arg-reductions, and the fused softmax / logsumexp (numerically stable,
// computed in one pass by each backend). Axes are normalized and sorted.

import { bool, int32, uint32 } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";

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
}

export class Reduce extends AxesReduction {
  constructor(
    readonly name: ReduceOp,
    axes: readonly number[],
    keepdims: boolean,
  ) {
    super(axes, keepdims);
  }
  output([x]: readonly Spec[]): Spec {
    const shape = this.outShape(x!);
    const dtype = this.name === "all" || this.name === "any" ? bool : (this.name === "sum" || this.name === "prod") && x!.dtype === bool ? int32 : x!.dtype;
    return { shape, dtype };
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
  output([x]: readonly Spec[]): Spec {
    return { shape: reducedShape(x!.shape, [this.axis], this.keepdims), dtype: uint32 };
  }
}

/** log(sum(exp(x))) over `axes`, with the max subtracted first. Float inputs only. */
export class LogSumExp extends AxesReduction {
  readonly name = "logsumexp";
  output([x]: readonly Spec[]): Spec {
    return { shape: this.outShape(x!), dtype: x!.dtype };
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
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
}
