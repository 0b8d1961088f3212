// eigh and eigvalsh: eigenvalues (ascending) and, with `vectors`, the
// eigenvectors (columns) of a symmetric (complex64: Hermitian) matrix given
// by one triangle. One primitive, one or two outputs; the derivative rules
// are first-order perturbation theory (defined where the eigenvalues are
// distinct), for real matrices (complex64 has none, as MLX's eigh has none).

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, on } from "./autodiff.js";
import { checkFloatOrComplexMatrixInput, gapInverse, mm, mT, readTriangle, realDtypeOf, symmetricOf } from "./linalg-rules.js";
import { ops } from "./ops-ref.js";
import { nodes } from "../ops/base.js";

/** `w` (..., n) as diagonal matrices (..., n, n). */
function diagMatrix(w: MxArray): MxArray {
  const n = w.shape.at(-1)!;
  return ops.multiply(ops.expandDims(w, -2, on(w)), ops.eye(n, n, 0, { dtype: w.dtype, ...on(w) }), on(w));
}

/** The diagonal of the matrices `m` (..., n, n). */
export function diagOf(m: MxArray): MxArray {
  const n = m.shape.at(-1)!;
  return ops.sum(ops.multiply(m, ops.eye(n, n, 0, { dtype: m.dtype, ...on(m) }), on(m)), { axis: -1, ...on(m) });
}

export class Eigh extends Primitive {
  readonly name = "eigh";
  /** Square matrices, float32, float64 or complex64 (Hermitian: its eigenvalues float32, the vectors complex64, as MLX's). */
  override validate(inputs: readonly Spec[]): void {
    checkFloatOrComplexMatrixInput(this.name, inputs, true);
  }
  constructor(
    readonly upper: boolean,
    readonly vectors: boolean,
  ) {
    super();
  }
  override params() {
    return { upper: this.upper, vectors: this.vectors };
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a]: readonly Spec[]): readonly Spec[] {
    const w = { shape: a!.shape.slice(0, -1), dtype: realDtypeOf(a!.dtype) };
    return this.vectors ? [w, { shape: a!.shape, dtype: a!.dtype }] : [w];
  }
  /** Sbar = V (diag(wbar) + F o (V^T Vbar)) V^T with F_ij = 1 / (w_j - w_i), seen through the triangle read. */
  override vjpOutputs([a]: readonly MxArray[], [wbar, vbar]: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    const [w, v] = this.vectors ? outputs : nodes(new Eigh(this.upper, true), [a!], a!.stream);
    const o = on(a!);
    let inner: MxArray | null = wbar ? diagMatrix(wbar) : null;
    if (vbar) {
      const rot = ops.multiply(gapInverse(w!), mm(mT(v!), vbar), o);
      inner = inner ? ops.add(inner, rot, o) : rot;
    }
    return [inner ? readTriangle(mm(v!, inner, mT(v!)), this.upper) : null];
  }
  /** dw = diag(V^T dS V), dV = V (F o (V^T dS V)). */
  override jvpOutputs([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    if (!t) return outputs.map(() => null);
    const [w, v] = this.vectors ? outputs : nodes(new Eigh(this.upper, true), [a!], a!.stream);
    const m = mm(mT(v!), symmetricOf(t, this.upper), v!);
    const dw = diagOf(m);
    return this.vectors ? [dw, mm(v!, ops.multiply(gapInverse(w!), m, on(m)))] : [dw];
  }
  override vmapOutputs([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray[], number[]] {
    const x = batchFirst(a!, axis!);
    const outs = nodes(new Eigh(this.upper, this.vectors), [x], x.stream);
    return [outs, outs.map(() => 0)];
  }
}
