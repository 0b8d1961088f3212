// Layout primitives: reshape, transpose, broadcast and slice (views of the
// input's buffer where the strides allow), concatenate and pad (copies).
// Parameters are fully resolved by the ops: no negative axes, no defaults.

import { Primitive, type Spec } from "../primitive.js";

/** A primitive whose one parameter is its output shape (the dtype is the input's). */
abstract class ToShape extends Primitive {
  constructor(readonly shape: readonly number[]) {
    super();
  }
  override params() {
    return { shape: this.shape };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.shape, dtype: x!.dtype };
  }
}

/** Same elements in row-major order, new shape. */
export class Reshape extends ToShape {
  readonly name = "reshape";
}

export class Transpose extends Primitive {
  readonly name = "transpose";
  constructor(readonly perm: readonly number[]) {
    super();
  }
  override params() {
    return { perm: this.perm };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.perm.map((p) => x!.shape[p]!), dtype: x!.dtype };
  }
}

/** Broadcast to `shape` (same rank as the input after the op left-pads it with a reshape). */
export class Broadcast extends ToShape {
  readonly name = "broadcast";
}

/** Per axis: elements start, start+step, ... (count of them given), step may be negative. */
export class Slice extends Primitive {
  readonly name = "slice";
  constructor(
    readonly start: readonly number[],
    readonly step: readonly number[],
    readonly shape: readonly number[],
  ) {
    super();
  }
  override params() {
    return { start: this.start, step: this.step, shape: this.shape };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: this.shape, dtype: x!.dtype };
  }
}

export class Concatenate extends Primitive {
  readonly name = "concatenate";
  constructor(readonly axis: number) {
    super();
  }
  override params() {
    return { axis: this.axis };
  }
  output(inputs: readonly Spec[]): Spec {
    const shape = [...inputs[0]!.shape];
    shape[this.axis] = inputs.reduce((s, x) => s + x.shape[this.axis]!, 0);
    return { shape, dtype: inputs[0]!.dtype };
  }
}

/** Constant padding; the pad value is the second input (a 0-d array of the same dtype). */
export class Pad extends Primitive {
  readonly name = "pad";
  constructor(
    readonly low: readonly number[],
    readonly high: readonly number[],
  ) {
    super();
  }
  override params() {
    return { low: this.low, high: this.high };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape.map((n, i) => n + this.low[i]! + this.high[i]!), dtype: x!.dtype };
  }
}
