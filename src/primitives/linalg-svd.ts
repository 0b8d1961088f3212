// svd: singular values (descending) and, with `uv`, the full U (m x m) and
// V^T (n x n; V^H of a complex64 matrix) of a matrix, one primitive with one
// or three outputs. The derivative rules (real matrices; complex64 has none,
// as MLX's svd has none at all): the values' for any shape; the vectors' for
// square matrices with distinct singular values (a non-square matrix's extra
// singular vectors are any basis of a complement, so have no derivative).

import type { MxArray } from "../array.js";
import { opError } from "../errors.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, on } from "./autodiff.js";
import { diagOf } from "./linalg-eigh.js";
import { checkFloatOrComplexMatrixInput, gapInverse, mm, mT, realDtypeOf } from "./linalg-rules.js";
import { ops } from "./ops-ref.js";
import { nodes } from "../ops/base.js";

/** `x` with its last axis scaled by `s` (x S), or its second to last (S x) when `left`. */
function scaled(x: MxArray, s: MxArray, left = false): MxArray {
  return ops.multiply(x, ops.expandDims(s, left ? -1 : -2, on(s)), on(x));
}

export class SVD extends Primitive {
  readonly name = "svd";
  /** Matrices, float32, float64 or complex64 (its singular values float32, U and V^H complex64, as MLX's). */
  override validate(inputs: readonly Spec[]): void {
    checkFloatOrComplexMatrixInput(this.name, inputs, false);
  }
  constructor(readonly uv: boolean) {
    super();
  }
  override params() {
    return { uv: this.uv };
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a]: readonly Spec[]): readonly Spec[] {
    const sh = a!.shape, m = sh.at(-2)!, n = sh.at(-1)!, batch = sh.slice(0, -2);
    const s = { shape: [...batch, Math.min(m, n)], dtype: realDtypeOf(a!.dtype) };
    return this.uv ? [{ shape: [...batch, m, m], dtype: a!.dtype }, s, { shape: [...batch, n, n], dtype: a!.dtype }] : [s];
  }
  /** U and V^T cut to their first min(m, n) columns and rows, from this node's outputs or a new factorization. */
  private thin(a: MxArray, outputs: readonly MxArray[]): [MxArray, MxArray, MxArray] {
    const [u, s, vt] = this.uv ? outputs : nodes(new SVD(true), [a], a.stream);
    const k = s!.shape.at(-1)!, o = on(a);
    const nd = a.ndim;
    const stop = (axis: number) => a.shape.map((d, i) => (i === axis ? k : i === nd - 2 || i === nd - 1 ? null : d));
    const start = a.shape.map(() => 0);
    return [ops.slice(u!, start, stop(nd - 1), undefined, o), s!, ops.slice(vt!, start, stop(nd - 2), undefined, o)];
  }
  private checkVectors(a: MxArray, rule: string, ct: readonly (MxArray | null)[]): boolean {
    const vectors = this.uv && (ct[0] !== null || ct[2] !== null);
    if (vectors && a.shape.at(-1) !== a.shape.at(-2)) {
      throw opError("linalg.svd", `the ${rule} of the singular vectors is defined for square matrices only (got ${a.shape.at(-2)} x ${a.shape.at(-1)}); take it through the singular values (computeUV: false)`);
    }
    return vectors;
  }
  /** Abar = U [(F o (U^T Ubar - Ubar^T U)) S + diag(Sbar) + S (F o (V^T Vbar - Vbar^T V))] V^T, F_ij = 1 / (s_j^2 - s_i^2). */
  override vjpOutputs([a]: readonly MxArray[], cts: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    const [ubar, sbar, vtbar] = this.uv ? cts : [null, cts[0]!, null];
    const vectors = this.checkVectors(a!, "vjp", this.uv ? cts : [null, null, null]);
    const [u, s, vt] = this.thin(a!, outputs);
    const o = on(a!);
    let inner = sbar ? ops.multiply(ops.expandDims(sbar, -2, o), ops.eye(s.shape.at(-1)!, undefined, 0, { dtype: s.dtype, ...o }), o) : null;
    if (vectors) {
      const f = gapInverse(ops.square(s, o));
      const skew = (x: MxArray, xbar: MxArray) => ops.subtract(mm(mT(x), xbar), mm(mT(xbar), x), o);
      const add = (x: MxArray) => (inner = inner ? ops.add(inner, x, o) : x);
      if (ubar) add(scaled(ops.multiply(f, skew(u, ubar), o), s));
      if (vtbar) add(scaled(ops.multiply(f, skew(mT(vt), mT(vtbar)), o), s, true));
    }
    return [inner ? mm(u, inner, vt) : null];
  }
  /** dP = U^T dA V: dS = diag(dP), dU = U (F o (dP S + S dP^T)), dV = V (F o (S dP + dP^T S)). */
  override jvpOutputs([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], outputs: readonly MxArray[]): (MxArray | null)[] {
    if (!t) return outputs.map(() => null);
    this.checkVectors(a!, "jvp", [t, null, null]);
    const [u, s, vt] = this.thin(a!, outputs);
    const o = on(a!);
    const dp = mm(mT(u), t, mT(vt));
    const ds = diagOf(dp);
    if (!this.uv) return [ds];
    const f = gapInverse(ops.square(s, o));
    const du = mm(u, ops.multiply(f, ops.add(scaled(dp, s), scaled(mT(dp), s, true), o), o));
    const dv = mm(mT(vt), ops.multiply(f, ops.add(scaled(dp, s, true), scaled(mT(dp), s), o), o));
    return [du, ds, mT(dv)];
  }
  override vmapOutputs([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray[], number[]] {
    const x = batchFirst(a!, axis!);
    const outs = nodes(new SVD(this.uv), [x], x.stream);
    return [outs, outs.map(() => 0)];
  }
}
