// divmod(a, b): the quotient and the remainder of floor division, one
// primitive with two outputs (sibling arrays filled by one kernel call).
// Derivatives as the separate ops': the quotient is piecewise constant, the
// remainder's are 1 and -floor(a / b).

import type { MxArray } from "../array.js";
import { isFloating } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { broadcastShapes } from "../shape.js";
import { addOptional, alignBatched, on, unbroadcast } from "./autodiff.js";
import { ops } from "./ops-ref.js";
import { checkInputCount, checkSameDType } from "./checks.js";

export class DivMod extends Primitive {
  readonly name = "divmod";
  /** One dtype for both operands: the kernels read both as the first's. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 2);
    checkSameDType(this.name, inputs, ["the first operand", "the second operand"]);
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a, b]: readonly Spec[]): readonly Spec[] {
    const shape = broadcastShapes("divmod", a!.shape, b!.shape);
    return [{ shape, dtype: a!.dtype }, { shape, dtype: a!.dtype }];
  }
  override vjpOutputs([a, b]: readonly MxArray[], [, ctR]: readonly (MxArray | null)[]): (MxArray | null)[] {
    if (!ctR || !isFloating(a!.dtype)) return [null, null];
    const o = on(ctR);
    return [unbroadcast(ctR, a!.shape), unbroadcast(ops.negative(ops.multiply(ctR, ops.floorDivide(a!, b!, o), o), o), b!.shape)];
  }
  override jvpOutputs([a, b]: readonly MxArray[], [ta, tb]: readonly (MxArray | null)[], [q]: readonly MxArray[]): (MxArray | null)[] {
    if (!isFloating(a!.dtype)) return [null, null];
    const o = on(q!);
    const tr = addOptional(ta ?? null, tb ? ops.negative(ops.multiply(tb, ops.floorDivide(a!, b!, o), o), o) : null);
    return [ops.zerosLike(q!, o), tr ? ops.broadcastTo(tr, q!.shape, o) : null];
  }
  override vmapOutputs(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray[], number[]] {
    const [a, b] = alignBatched(inputs, axes);
    return [ops.divmod(a!, b!, on(a!)), [0, 0]];
  }
}
