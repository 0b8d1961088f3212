// det and slogdet: the determinant of square matrices, or its sign and the
// log of its absolute value, from an LU factorization with partial pivoting.
// det's derivatives through the cofactor matrix adj(A)^T (d det A =
// tr(adj(A) dA)), defined at every matrix, singular ones included (the
// cofactor primitive); slogdet's through A^-T (d log|det A| = tr(A^-1 dA)),
// so where A is invertible; the sign is piecewise constant.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkMatrixInput } from "./checks.js";
import { batchFirst, on } from "./autodiff.js";
import { Inverse } from "./linalg-solve.js";
import { mm, mT } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";
import { nodes } from "../ops/base.js";

/** A^-T of the matrices `a`. */
const inverseT = (a: MxArray) => mT(node(new Inverse(), [a], a.stream));

/** `s` (...) as (..., 1, 1), to scale matrices. */
const asMatrixScale = (s: MxArray) => ops.expandDims(s, [-1, -2], on(s));

/** <X, Y> = sum of X * Y over the last two axes (tr(X^T Y)) of matrices. */
const inner = (x: MxArray, y: MxArray) => ops.sum(ops.multiply(x, y, on(y)), { axis: [-2, -1], ...on(y) });

/** tr(A^-1 T) for matrices A and tangents T. */
const traceSolve = (a: MxArray, t: MxArray) => inner(inverseT(a), t);

/**
 * The cofactor matrix adj(A)^T of square matrices: det(A) A^-T where A is
 * invertible, and its continuous extension (a polynomial in A's entries) at
 * singular ones, where it is computed from the SVD. The gradient of det.
 */
export class Cofactor extends Primitive {
  readonly name = "cofactor";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape, dtype: a!.dtype };
  }
  /** With C = det(A) A^-T and B = A^-T: dC = <B, dA> C - C dA^T B, so Abar = <Cbar, B> C - C Cbar^T B (A invertible). */
  override vjp([a]: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    const b = inverseT(a!), o = on(ct);
    return [ops.subtract(ops.multiply(asMatrixScale(inner(ct, b)), out, o), mm(out, mT(ct), b), o)];
  }
  override jvp([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    if (!t) return null;
    const b = inverseT(a!), o = on(out);
    return ops.subtract(ops.multiply(asMatrixScale(inner(b, t)), out, o), mm(out, mT(t), b), o);
  }
  override vmap([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const x = batchFirst(a!, axis!);
    return [node(new Cofactor(), [x], x.stream), 0];
  }
}

/** The cofactor matrices of `a`. */
const cofactor = (a: MxArray) => node(new Cofactor(), [a], a.stream);

export class Det extends Primitive {
  readonly name = "det";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape.slice(0, -2), dtype: a!.dtype };
  }
  /** Abar = dbar adj(A)^T (det(A) A^-T where A is invertible), defined at singular matrices too. */
  override vjp([a]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    return [ops.multiply(asMatrixScale(ct), cofactor(a!), on(ct))];
  }
  override jvp([a]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    return t ? inner(cofactor(a!), t) : null;
  }
  override vmap([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const x = batchFirst(a!, axis!);
    return [node(new Det(), [x], x.stream), 0];
  }
}

export class Slogdet extends Primitive {
  readonly name = "slogdet";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a]: readonly Spec[]): readonly Spec[] {
    const s = { shape: a!.shape.slice(0, -2), dtype: a!.dtype };
    return [s, s];
  }
  /** Abar = lbar A^-T (the sign passes nothing back). */
  override vjpOutputs([a]: readonly MxArray[], [, lbar]: readonly (MxArray | null)[]): (MxArray | null)[] {
    return [lbar ? ops.multiply(asMatrixScale(lbar), inverseT(a!), on(lbar)) : null];
  }
  override jvpOutputs([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], [sign]: readonly MxArray[]): (MxArray | null)[] {
    return t ? [ops.zerosLike(sign!, on(sign!)), traceSolve(a!, t)] : [null, null];
  }
  override vmapOutputs([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray[], number[]] {
    const x = batchFirst(a!, axis!);
    return [nodes(new Slogdet(), [x], x.stream), [0, 0]];
  }
}
