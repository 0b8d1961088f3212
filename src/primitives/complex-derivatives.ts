// The rules of the elementwise primitives on complex64, in MLX's convention
// (src/transforms/complex-rules.ts): a holomorphic f has jvp t * f'(z) and
// vjp ct * conj(f'(z)); |z| (real-valued) has jvp Re(conj(sign z) t) and
// vjp ct * sign z. An op without a complex derivative throws, naming it.

import type { MxArray } from "../array.js";
import { complex64 } from "../dtype.js";
import { ops } from "./ops-ref.js";
import { on, unbroadcast } from "./autodiff.js";
import { BINARY_DERIVATIVES, UNARY_DERIVATIVES, UNARY_JVP_DERIVATIVES } from "./derivatives.js";
import type { BinaryOp, UnaryOp } from "./elementwise.js";

/** f'(z) of a holomorphic unary op (as the jvp computes it when `forward`), or an error naming it. */
function derivative(op: UnaryOp, x: MxArray, y: MxArray, forward = false): MxArray {
  // MLX gives sign zeros as for reals, but z / |z| varies with z: refused rather than a wrong zero
  if (op === "sign") throw new Error(`[sign] has no complex64 derivative: z / |z| is not holomorphic and not constant`);
  const d = (forward ? UNARY_JVP_DERIVATIVES[op] : undefined) ?? UNARY_DERIVATIVES[op];
  if (!d) throw new Error(`[${op}] has no complex64 derivative`);
  return d(x, y);
}

const conj = (z: MxArray) => ops.conjugate(z, on(z));

/** The cotangent of a unary op's complex64 input (null for stopGradient, which blocks it). */
export function complexUnaryVjp(op: UnaryOp, x: MxArray, ct: MxArray, y: MxArray): MxArray | null {
  if (op === "stopGradient") return null;
  const o = on(ct);
  // |z|: the real cotangent along sign(z) = z / |z|
  if (op === "abs") return ops.multiply(ops.astype(ct, complex64, o), ops.sign(x, o), o);
  return ops.multiply(ct, conj(derivative(op, x, y)), o);
}

/** The tangent of a unary op's output given its complex64 input's tangent `t`. */
export function complexUnaryJvp(op: UnaryOp, x: MxArray, t: MxArray, y: MxArray): MxArray | null {
  if (op === "stopGradient") return null;
  const o = on(t);
  if (op === "abs") return ops.real(ops.multiply(t, conj(ops.sign(x, o)), o), o);
  return ops.multiply(t, derivative(op, x, y, true), o);
}

function partials(op: BinaryOp, a: MxArray, b: MxArray, y: MxArray): [MxArray | null, MxArray | null] {
  const d = BINARY_DERIVATIVES[op];
  if (!d) throw new Error(`[${op}] has no complex64 derivative`);
  return d(a, b, y);
}

/** The cotangents of a binary op's complex64 inputs, each summed back to its shape. */
export function complexBinaryVjp(op: BinaryOp, a: MxArray, b: MxArray, ct: MxArray, y: MxArray): (MxArray | null)[] {
  const [da, db] = partials(op, a, b, y);
  const o = on(ct);
  return [da && unbroadcast(ops.multiply(ct, conj(da), o), a.shape), db && unbroadcast(ops.multiply(ct, conj(db), o), b.shape)];
}

/** The output's tangent of a binary op on complex64 inputs (null tangents are zero). */
export function complexBinaryJvp(op: BinaryOp, a: MxArray, b: MxArray, [ta, tb]: readonly (MxArray | null)[], y: MxArray): MxArray | null {
  const [da, db] = partials(op, a, b, y);
  const sa = ta && da ? ops.multiply(ta, da, on(ta)) : null;
  const sb = tb && db ? ops.multiply(tb, db, on(tb)) : null;
  const t = sa && sb ? ops.add(sa, sb, on(sa)) : sa ?? sb;
  return t ? ops.broadcastTo(t, y.shape, on(t)) : null;
}
