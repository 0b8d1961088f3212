// luFactor: the LU factorization with partial pivoting, P^T A = L U, as
// three outputs: the packed LU (L's strict lower triangle, its unit diagonal
// implied, and U), LAPACK's pivots (0-based) and the row indices `perm` with
// A = L[perm] U. Derivatives of the packed LU with the pivots held fixed
// (defined where U's leading block is invertible); a tall matrix is
// [L1; L2] U with L2 = B2 U^-1, a wide one L [U1 | U2] with U2 = L^-1 B2
// (B = P^T A).

import type { MxArray } from "../array.js";
import { uint32 } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkMatrixInput } from "./checks.js";
import { batchFirst, on } from "./autodiff.js";
import { TriInv } from "./linalg-cholesky.js";
import { mm, mT } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";
import { nodes } from "../ops/base.js";

/** The block rows [r0, r1) x columns [c0, c1) of the matrices `x`. */
function block(x: MxArray, r0: number, r1: number, c0: number, c1: number): MxArray {
  const nd = x.ndim;
  const start = x.shape.map((_, i) => (i === nd - 2 ? r0 : i === nd - 1 ? c0 : 0));
  const stop = x.shape.map((d, i) => (i === nd - 2 ? r1 : i === nd - 1 ? c1 : d));
  return ops.slice(x, start, stop, undefined, on(x));
}

/** The rows of `x` taken in the order `rows` (..., m): x[rows]. */
const takeRows = (x: MxArray, rows: MxArray) => ops.takeAlongAxis(x, ops.expandDims(rows, -1, on(rows)), -2, on(x));

/** The k x k unit lower-triangular L and upper-triangular U of a packed k x k block. */
function unpack(lu: MxArray): [MxArray, MxArray] {
  const o = on(lu), k = lu.shape.at(-1)!;
  return [ops.add(ops.tril(lu, -1, o), ops.eye(k, k, 0, { dtype: lu.dtype, ...o }), o), ops.triu(lu, 0, o)];
}

const inverse = (t: MxArray, upper: boolean) => node(new TriInv(upper), [t], t.stream);

/** The cotangent of B = L U (square, no pivoting) from those of L and U: L^-T (tril(L^T Lbar, -1) + triu(Ubar U^T)) U^-T. */
function squareVjp(l: MxArray, u: MxArray, lbar: MxArray, ubar: MxArray): MxArray {
  const o = on(l);
  const inner = ops.add(ops.tril(mm(mT(l), lbar), -1, o), ops.triu(mm(ubar, mT(u)), 0, o), o);
  return mm(mT(inverse(l, false)), inner, mT(inverse(u, true)));
}

/** The tangents (dL, dU) of B = L U (square) for dB: X = L^-1 dB U^-1, dL = L tril(X, -1), dU = triu(X) U. */
function squareJvp(l: MxArray, u: MxArray, db: MxArray): [MxArray, MxArray] {
  const o = on(l);
  const x = mm(inverse(l, false), db, inverse(u, true));
  return [mm(l, ops.tril(x, -1, o)), mm(ops.triu(x, 0, o), u)];
}

export class LUFactor extends Primitive {
  readonly name = "luFactor";
  /** Matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, false);
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a]: readonly Spec[]): readonly Spec[] {
    const sh = a!.shape, m = sh.at(-2)!, n = sh.at(-1)!, batch = sh.slice(0, -2);
    return [{ shape: sh, dtype: a!.dtype }, { shape: [...batch, Math.min(m, n)], dtype: uint32 }, { shape: [...batch, m], dtype: uint32 }];
  }
  override vjpOutputs([a]: readonly MxArray[], [g]: readonly (MxArray | null)[], [lu, , perm]: readonly MxArray[]): (MxArray | null)[] {
    if (!g) return [null];
    const [m, n] = [a!.shape.at(-2)!, a!.shape.at(-1)!], k = Math.min(m, n), o = on(a!);
    const [l, u] = unpack(block(lu!, 0, k, 0, k));
    const [gl, gu] = [ops.tril(block(g, 0, k, 0, k), -1, o), ops.triu(block(g, 0, k, 0, k), 0, o)];
    let gb: MxArray;
    if (m > n) {
      // B2 = L2 U: L2 = B2 U^-1, so Ubar gains -L2^T L2bar U^-T and B2bar = L2bar U^-T
      const [l2, gl2] = [block(lu!, k, m, 0, k), block(g, k, m, 0, k)];
      const uit = mT(inverse(u, true));
      gb = ops.concatenate([squareVjp(l, u, gl, ops.subtract(gu, mm(mT(l2), gl2, uit), o)), mm(gl2, uit)], { axis: -2, ...o });
    } else if (m < n) {
      // B2 = L U2: U2 = L^-1 B2, so Lbar gains -L^-T U2bar U2^T and B2bar = L^-T U2bar
      const [u2, gu2] = [block(lu!, 0, k, k, n), block(g, 0, k, k, n)];
      const lit = mT(inverse(l, false));
      gb = ops.concatenate([squareVjp(l, u, ops.subtract(gl, mm(lit, gu2, mT(u2)), o), gu), mm(lit, gu2)], { axis: -1, ...o });
    } else gb = squareVjp(l, u, gl, gu);
    // A = P B with A[i] = B[perm[i]]
    return [takeRows(gb, perm!)];
  }
  override jvpOutputs([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], [lu, , perm]: readonly MxArray[]): (MxArray | null)[] {
    if (!t) return [null, null, null];
    const [m, n] = [a!.shape.at(-2)!, a!.shape.at(-1)!], k = Math.min(m, n), o = on(a!);
    const [l, u] = unpack(block(lu!, 0, k, 0, k));
    // B = P^T A: row perm[i] of B is row i of A
    const db = takeRows(t, ops.argsort(perm!, { axis: -1, ...o }));
    const [dl, du] = squareJvp(l, u, block(db, 0, k, 0, k));
    let dlu = ops.add(dl, du, o);
    if (m > n) {
      const dl2 = mm(ops.subtract(block(db, k, m, 0, n), mm(block(lu!, k, m, 0, k), du), o), inverse(u, true));
      dlu = ops.concatenate([dlu, dl2], { axis: -2, ...o });
    } else if (m < n) {
      const du2 = mm(inverse(l, false), ops.subtract(block(db, 0, m, k, n), mm(dl, block(lu!, 0, k, k, n)), o));
      dlu = ops.concatenate([dlu, du2], { axis: -1, ...o });
    }
    return [dlu, null, null];
  }
  override vmapOutputs([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray[], number[]] {
    const x = batchFirst(a!, axis!);
    const outs = nodes(new LUFactor(), [x], x.stream);
    return [outs, outs.map(() => 0)];
  }
}
