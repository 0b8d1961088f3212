// qr: the reduced QR factorization A = Q R, Q (m x k) with orthonormal
// columns and R (k x n) upper triangular, k = min(m, n). Derivatives where R's
// leading k x k block is invertible; a wide matrix [X | Y] is handled as the
// square X = Q U with V = Q^T Y.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkMatrixInput } from "./checks.js";
import { batchFirst, on } from "./autodiff.js";
import { TriInv } from "./linalg-cholesky.js";
import { mm, mT } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";
import { nodes } from "../ops/base.js";

/** The columns [from, to) of the matrices `x`. */
function columns(x: MxArray, from: number, to: number): MxArray {
  const nd = x.ndim;
  return ops.slice(x, x.shape.map((_, i) => (i === nd - 1 ? from : 0)), x.shape.map((d, i) => (i === nd - 1 ? to : d)), undefined, on(x));
}

/** The symmetric matrix whose lower triangle (diagonal included) is that of `m`. */
function lowerToSymmetric(m: MxArray): MxArray {
  const o = on(m);
  const strict = ops.tril(m, -1, o);
  return ops.add(ops.add(strict, mT(strict), o), ops.subtract(ops.tril(m, 0, o), strict, o), o);
}

/** R^-1 of the square upper-triangular `r`. */
const upperInverse = (r: MxArray) => node(new TriInv(true), [r], r.stream);

/** The vjp of a tall or square QR (k = n): Abar = (Qbar + Q sym(tril(R Rbar^T - Qbar^T Q))) R^-T. */
function tallVjp(q: MxArray, r: MxArray, qbar: MxArray | null, rbar: MxArray | null): MxArray {
  const o = on(q);
  let m: MxArray | null = rbar ? mm(r, mT(rbar)) : null;
  if (qbar) m = m ? ops.subtract(m, mm(mT(qbar), q), o) : ops.negative(mm(mT(qbar), q), o);
  let b = mm(q, lowerToSymmetric(m!));
  if (qbar) b = ops.add(b, qbar, o);
  return mm(b, mT(upperInverse(r)));
}

/** The jvp of a tall or square QR: with C = dA R^-1 and Ω = tril(Q^T C, -1) minus its transpose, dQ = Q Ω + C - Q Q^T C, dR = (Q^T C - Ω) R. */
function tallJvp(q: MxArray, r: MxArray, da: MxArray): [MxArray, MxArray] {
  const o = on(q);
  const c = mm(da, upperInverse(r));
  const qtc = mm(mT(q), c);
  const low = ops.tril(qtc, -1, o);
  const omega = ops.subtract(low, mT(low), o);
  const dq = ops.add(mm(q, omega), ops.subtract(c, mm(q, qtc), o), o);
  return [dq, mm(ops.subtract(qtc, omega, o), r)];
}

export class QR extends Primitive {
  readonly name = "qr";
  /** Matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, false);
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a]: readonly Spec[]): readonly Spec[] {
    const sh = a!.shape, m = sh.at(-2)!, n = sh.at(-1)!, k = Math.min(m, n), batch = sh.slice(0, -2);
    return [{ shape: [...batch, m, k], dtype: a!.dtype }, { shape: [...batch, k, n], dtype: a!.dtype }];
  }
  /** Tall: tallVjp. Wide [X | Y], R = [U | V]: Ybar = Q Vbar and Xbar = tallVjp(Q, U, Qbar + Y Vbar^T, Ubar). */
  override vjpOutputs([a]: readonly MxArray[], [qbar, rbar]: readonly (MxArray | null)[], [q, r]: readonly MxArray[]): (MxArray | null)[] {
    if (!qbar && !rbar) return [null];
    const [m, n] = [a!.shape.at(-2)!, a!.shape.at(-1)!];
    if (m >= n) return [tallVjp(q!, r!, qbar ?? null, rbar ?? null)];
    const o = on(a!);
    const u = columns(r!, 0, m);
    const vbar = rbar ? columns(rbar, m, n) : null;
    const ubar = rbar ? columns(rbar, 0, m) : null;
    let qb = qbar ?? null;
    if (vbar) {
      const extra = mm(columns(a!, m, n), mT(vbar));
      qb = qb ? ops.add(qb, extra, o) : extra;
    }
    const xbar = tallVjp(q!, u, qb, ubar);
    const ybar = vbar ? mm(q!, vbar) : ops.zerosLike(columns(a!, m, n), o);
    return [ops.concatenate([xbar, ybar], { axis: -1, ...o })];
  }
  /** Tall: tallJvp. Wide: (dQ, dU) from X's square factorization, dV = Q^T (dY - dQ V). */
  override jvpOutputs([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], [q, r]: readonly MxArray[]): (MxArray | null)[] {
    if (!t) return [null, null];
    const [m, n] = [a!.shape.at(-2)!, a!.shape.at(-1)!];
    if (m >= n) return tallJvp(q!, r!, t);
    const o = on(a!);
    const [dq, du] = tallJvp(q!, columns(r!, 0, m), columns(t, 0, m));
    const dv = mm(mT(q!), ops.subtract(columns(t, m, n), mm(dq, columns(r!, m, n)), o));
    return [dq, ops.concatenate([du, dv], { axis: -1, ...o })];
  }
  override vmapOutputs([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray[], number[]] {
    const x = batchFirst(a!, axis!);
    const outs = nodes(new QR(), [x], x.stream);
    return [outs, outs.map(() => 0)];
  }
}
