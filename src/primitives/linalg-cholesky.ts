// cholesky and triInv: the Cholesky factor of a symmetric positive-definite
// matrix (from the triangle it reads) and the inverse of a triangular matrix.
// Gradients restricted to the triangle each reads, so they match finite
// differences of the entries; vmap moves the batch axis first.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkMatrixInput } from "./checks.js";
import { batchFirst, on } from "./autodiff.js";
import { halfTriangle, mm, mT, readTriangle, symmetricOf } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";

/** The triangle (lower unless `upper`) of `x`. */
function triangle(x: MxArray, upper: boolean): MxArray {
  return upper ? ops.triu(x, 0, on(x)) : ops.tril(x, 0, on(x));
}

export class Cholesky extends Primitive {
  readonly name = "cholesky";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  constructor(readonly upper: boolean) {
    super();
  }
  override params() {
    return { upper: this.upper };
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape, dtype: a!.dtype };
  }
  /** dL = L Φ(L^-1 dS L^-T) (Φ: lower triangle, diagonal halved), adjoint: P = L^-T Φ(L^T Lbar) L^-1 seen through the triangle read. */
  override vjp(_inputs: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    const l = this.upper ? mT(out) : out;
    const lbar = this.upper ? mT(ct) : ct;
    const li = node(new TriInv(false), [l], l.stream);
    const p = mm(mT(li), halfTriangle(mm(mT(l), lbar), false), li);
    return [readTriangle(p, this.upper)];
  }
  override jvp(_inputs: readonly MxArray[], [t]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (!t) return null;
    const l = this.upper ? mT(out) : out;
    const li = node(new TriInv(false), [l], l.stream);
    const dl = mm(l, halfTriangle(mm(li, symmetricOf(t, this.upper), mT(li)), false));
    return this.upper ? mT(dl) : dl;
  }
  override vmap([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const x = batchFirst(a!, axis!);
    return [node(new Cholesky(this.upper), [x], x.stream), 0];
  }
}

export class TriInv extends Primitive {
  readonly name = "triInv";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  constructor(readonly upper: boolean) {
    super();
  }
  override params() {
    return { upper: this.upper };
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape, dtype: a!.dtype };
  }
  /** d(A^-1) = -B dA B with B = A^-1, dA in the triangle read. */
  override vjp(_inputs: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    return [triangle(ops.negative(mm(mT(out), ct, mT(out)), on(ct)), this.upper)];
  }
  override jvp(_inputs: readonly MxArray[], [t]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    return t ? ops.negative(mm(out, triangle(t, this.upper), out), on(out)) : null;
  }
  override vmap([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const x = batchFirst(a!, axis!);
    return [node(new TriInv(this.upper), [x], x.stream), 0];
  }
}
