// The rotary positional encoding of mx.fast.rope: inputs x (at least 3-D,
// (B, ..., T, D)), offset (int32, 0-d or one per B) and optionally freqs
// (float32, dims / 2 of them, replacing base). Linear in x: its vjp is the
// rotation by the negated angle, its jvp the rotation of the tangent.

import type { MxArray } from "../array.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, batchSize, on } from "./autodiff.js";

export class RoPE extends Primitive {
  readonly name = "rope";
  constructor(
    readonly dims: number,
    readonly traditional: boolean,
    /** Ignored when freqs is an input. */
    readonly base: number,
    readonly scale: number,
    /** false: the inverse rotation (the vjp). */
    readonly forward: boolean,
  ) {
    super();
  }
  override params() {
    return { dims: this.dims, traditional: this.traditional, base: this.base, scale: this.scale, forward: this.forward };
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  private inverse(): RoPE {
    return new RoPE(this.dims, this.traditional, this.base, this.scale, !this.forward);
  }
  override vjp([, offset, freqs]: readonly MxArray[], g: MxArray): (MxArray | null)[] {
    const rest = freqs ? [offset!, freqs] : [offset!];
    return [node(this.inverse(), [g, ...rest], g.stream), null, ...(freqs ? [null] : [])];
  }
  override jvp([, offset, freqs]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? node(this, [t, offset!, ...(freqs ? [freqs] : [])], t.stream) : null;
  }
  /**
   * Only x batched: the batch goes right after B (it joins the middle axes).
   * A batched offset or freqs: the rotation per example, stacked.
   */
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const [x, ...rest] = inputs;
    if (axes.slice(1).every((a) => a === null)) {
      const moved = ops.moveaxis(x!, axes[0]!, 1, on(x!));
      return [node(this, [moved, ...rest], moved.stream), 1];
    }
    const o = on(x!);
    const n = batchSize(inputs, axes);
    const pick = (a: MxArray, axis: number | null, k: number) => (axis === null ? a : ops.take(batchFirst(a, axis), k, 0, o));
    const each = Array.from({ length: n }, (_, k) => node(this, inputs.map((a, i) => pick(a, axes[i]!, k)), x!.stream));
    return [ops.stack(each, { axis: 0, ...o }), 0];
  }
}
