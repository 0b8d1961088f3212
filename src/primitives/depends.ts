// depends(inputs, dependencies): outputs identical to `inputs` that cannot be
// computed before `dependencies` are (MLX's Depends). One primitive with an
// output per input; its kernel hands out views of the inputs' buffers.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchAll } from "./layout.js";
import { ops } from "./ops-ref.js";
import { checkInt } from "./checks.js";

export class Depends extends Primitive {
  readonly name = "depends";
  /** How many of the inputs are passed through (the rest are the dependencies). */
  constructor(readonly count: number) {
    super();
  }
  override params(): Record<string, unknown> {
    return { count: this.count };
  }
  /** At least one input passes through, and no more than there are (its kernel hands out views of the first `count`). */
  override validate(inputs: readonly Spec[]): void {
    checkInt(this.name, "count", this.count, 1, inputs.length);
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs(inputs: readonly Spec[]): readonly Spec[] {
    return inputs.slice(0, this.count).map((x) => ({ shape: x.shape, dtype: x.dtype }));
  }
  /** The cotangents go to the passed-through inputs; the dependencies get none (zero). */
  override vjpOutputs(inputs: readonly MxArray[], cotangents: readonly (MxArray | null)[]): (MxArray | null)[] {
    return inputs.map((_, i) => (i < this.count ? (cotangents[i] ?? null) : null));
  }
  override jvpOutputs(_inputs: readonly MxArray[], tangents: readonly (MxArray | null)[]): (MxArray | null)[] {
    return tangents.slice(0, this.count);
  }
  /** Every passed-through output gets the batch at axis 0 (an unbatched input is broadcast to the batch). */
  override vmapOutputs(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray[], number[]] {
    // (the dependencies' batched copies are never read: the node takes them as they are)
    const through = batchAll(inputs, axes).slice(0, this.count);
    return [ops.depends(through, inputs.slice(this.count)), through.map(() => 0)];
  }
}
