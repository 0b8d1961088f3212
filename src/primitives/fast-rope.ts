// The rotary positional encoding of mx.fast.rope: inputs x (at least 3-D,
// (B, ..., T, D)), offset (int32, 0-d or one per B) and optionally freqs
// (float32, dims / 2 of them, replacing base). Linear in x: its vjp is the
// rotation by the negated angle, its jvp the rotation of the tangent.

import type { MxArray } from "../array.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, batchSize, on } from "./autodiff.js";
import { describeValue, opError, type Described } from "../errors.js";
import { float32, int32, isFloating } from "../dtype.js";
import { checkBool, checkNumber, checkInputCount, checkRank } from "./checks.js";

/** `dims` as a positive even integer at most x's last axis, or an error naming `op`. */
export function checkRopeDims(op: string, dims: unknown, x: Described): number {
  const d = x.shape[x.shape.length - 1]!;
  if (typeof dims !== "number" || !Number.isInteger(dims) || dims <= 0 || dims % 2 !== 0 || dims > d) {
    throw opError(op, `dims must be a positive even integer at most the last dimension of x (${d}), got ${describeValue(dims)}`, [x], "value");
  }
  return dims;
}

/** Throws (naming `op`) unless `offset` is a scalar or holds one position per batch entry of x (its first axis). */
export function checkRopeOffset(op: string, offset: Described, x: Described): void {
  if (offset.shape.length > 1) throw opError(op, `offset must have at most one dimension but has shape (${offset.shape.join(", ")})`, [offset]);
  const size = offset.shape.reduce((a, b) => a * b, 1);
  if (size !== 1 && size !== x.shape[0]) throw opError(op, `offset must be a scalar or have one element per batch entry (${x.shape[0]}) but has shape (${offset.shape.join(", ")})`, [x, offset]);
}

/** Throws (naming `op`) unless `freqs` is 1-D with one frequency per rotated pair (dims / 2). */
export function checkRopeFreqs(op: string, freqs: Described, dims: number): void {
  if (freqs.shape.length !== 1 || freqs.shape[0] !== dims / 2) throw opError(op, `freqs must be 1-D with dims / 2 = ${dims / 2} elements, got shape (${freqs.shape.join(", ")})`, [freqs]);
}

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
  /** x float of at least 3 dimensions, dims within its last axis; offset int32, a scalar or one per batch entry; freqs float32, dims / 2 of them. */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    checkInputCount(op, inputs, 2, 3);
    const [x, offset, freqs] = inputs as [Spec, Spec, Spec | undefined];
    checkRank(op, "x", x, 3, true);
    if (!isFloating(x.dtype)) throw opError(op, `x must be floating, got ${x.dtype.name}`, inputs, "type");
    const dims = checkRopeDims(op, this.dims, x);
    checkBool(op, "traditional", this.traditional);
    checkBool(op, "forward", this.forward);
    checkNumber(op, "base", this.base);
    checkNumber(op, "scale", this.scale);
    if (offset.dtype !== int32) throw opError(op, `offset must be int32, got ${offset.dtype.name}`, inputs, "type");
    checkRopeOffset(op, offset, x);
    if (freqs) {
      if (freqs.dtype !== float32) throw opError(op, `freqs must be float32, got ${freqs.dtype.name}`, inputs, "type");
      checkRopeFreqs(op, freqs, dims);
    }
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
