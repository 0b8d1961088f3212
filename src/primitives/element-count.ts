// The count of the elements a reduction folds, read from its input's shape
// when the graph runs (MLX's NumberOfElements): mean and var divide by it
// inside a shapeless trace, so one trace serves every shape.

import type { MxArray } from "../array.js";
import { DType } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { opError } from "../errors.js";
import { node } from "./ops-ref.js";
import { batchFirst, shiftAxes } from "./autodiff.js";
import { checkAxes, checkBool, checkDType, checkInputCount, checkInt } from "./checks.js";

/**
 * max(n - ddof, 0) for n the product of the input's sizes along `axes`, or
 * its reciprocal when `inverted`, in a float `dtype` (computed in float64,
 * rounded once); the output has the input's sizes along `keep` (vmap's batch
 * axes: every element the same count). The input's values are never read.
 */
export class NumberOfElements extends Primitive {
  readonly name = "numberOfElements";
  /** A count of the shape has no derivative, and complex inputs change nothing. */
  readonly complexRule = "as written" as const;
  constructor(
    readonly axes: readonly number[],
    readonly keep: readonly number[],
    readonly ddof: number,
    readonly inverted: boolean,
    readonly dtype: DType,
  ) {
    super();
  }
  override params() {
    return { axes: this.axes, keep: this.keep, ddof: this.ddof, inverted: this.inverted, dtype: this.dtype.name };
  }
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    const nd = inputs[0]!.shape.length;
    checkAxes(this.name, "axes", this.axes, nd, true);
    checkAxes(this.name, "keep", this.keep, nd, true);
    checkInt(this.name, "ddof", this.ddof, -(2 ** 53), 2 ** 53);
    checkBool(this.name, "inverted", this.inverted);
    if (checkDType(this.name, "dtype", this.dtype).kind !== "float") throw opError(this.name, `dtype must be a float dtype, got ${this.dtype.name}`, [], "type");
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.keep.map((k) => x!.shape[k]!), dtype: this.dtype };
  }
  /** The value every element holds, for an input of `shape`. */
  value(shape: readonly number[]): number {
    const n = Math.max(this.axes.reduce((p, a) => p * shape[a]!, 1) - this.ddof, 0);
    return this.inverted ? 1 / n : n;
  }
  override vjp(): (MxArray | null)[] {
    return [null];
  }
  override jvp(): MxArray | null {
    return null;
  }
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const b = batchFirst(x!, axis!);
    return [node(new NumberOfElements(shiftAxes(this.axes), [0, ...shiftAxes(this.keep)], this.ddof, this.inverted, this.dtype), [b], b.stream), 0];
  }
}
