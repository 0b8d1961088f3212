// inv and solve: the inverse of square matrices, and the solution x of
// a x = b (general by LU, or with `triangle` by substitution on the triangle
// of a it names). Derivatives through the same solves; vmap moves the batch
// axes first.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkChoice, checkInputCount, checkMatrix, checkMatrixInput } from "./checks.js";
import { opError } from "../errors.js";
import { batchFirst, batchSize, on } from "./autodiff.js";
import { mm, mT } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";

export type Triangle = "lower" | "upper" | null;

export class Inverse extends Primitive {
  readonly name = "inv";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape, dtype: a!.dtype };
  }
  /** d(A^-1) = -B dA B with B = A^-1. */
  override vjp(_inputs: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    return [ops.negative(mm(mT(out), ct, mT(out)), on(ct))];
  }
  override jvp(_inputs: readonly MxArray[], [t]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    return t ? ops.negative(mm(out, t, out), on(out)) : null;
  }
  override vmap([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const x = batchFirst(a!, axis!);
    return [node(new Inverse(), [x], x.stream), 0];
  }
}

/** The triangle of `x` that `triangle` names (x itself when null). */
function masked(x: MxArray, triangle: Triangle): MxArray {
  if (triangle === null) return x;
  return triangle === "upper" ? ops.triu(x, 0, on(x)) : ops.tril(x, 0, on(x));
}

export class Solve extends Primitive {
  readonly name = "solve";
  constructor(readonly triangle: Triangle) {
    super();
  }
  override params() {
    return { triangle: this.triangle };
  }
  /** a: square matrices (..., n, n); b: (..., n, k) of a's batch and dtype. */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    checkChoice(op, "triangle", this.triangle, [null, "lower", "upper"]);
    checkInputCount(op, inputs, 2);
    const [a, b] = inputs as [Spec, Spec];
    checkMatrix(op, a, true);
    checkMatrix(op, b, false, "b");
    const n = a.shape.length;
    if (b.shape.length !== n || b.shape.at(-2) !== a.shape.at(-1) || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i]) || a.dtype !== b.dtype) {
      throw opError(op, `b must be (..., ${a.shape.at(-1)}, k) matrices of a's batch and dtype, got a ${a.dtype.name}(${a.shape.join(", ")}) and b ${b.dtype.name}(${b.shape.join(", ")})`, inputs, "value");
    }
  }
  output([, b]: readonly Spec[]): Spec {
    return { shape: b!.shape, dtype: b!.dtype };
  }
  /** bbar = A^-T xbar (a solve with A^T, whose triangle is the other one), Abar = -bbar x^T (in the triangle read). */
  override vjp([a]: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    const transposed: Triangle = this.triangle === null ? null : this.triangle === "lower" ? "upper" : "lower";
    const bbar = node(new Solve(transposed), [mT(a!), ct], ct.stream);
    return [masked(ops.negative(mm(bbar, mT(out)), on(ct)), this.triangle), bbar];
  }
  /** dx = A^-1 (db - dA x). */
  override jvp([a]: readonly MxArray[], [ta, tb]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    const o = on(out);
    let rhs: MxArray | null = tb ?? null;
    if (ta) {
      const dax = mm(masked(ta, this.triangle), out);
      rhs = rhs ? ops.subtract(rhs, dax, o) : ops.negative(dax, o);
    }
    return rhs ? node(new Solve(this.triangle), [a!, rhs], out.stream) : null;
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const n = batchSize(inputs, axes);
    const [a, b] = inputs.map((x, i) => (axes[i] === null ? ops.broadcastTo(x, [n, ...x.shape], on(x)) : batchFirst(x, axes[i]!)));
    return [node(new Solve(this.triangle), [a!, b!], b!.stream), 0];
  }
}
