// det and slogdet: the determinant of square matrices, or its sign and the
// log of its absolute value, from an LU factorization with partial pivoting.
// Derivatives through A^-T (d log|det A| = tr(A^-1 dA)), so defined where A
// is invertible; the sign is piecewise constant.

import type { MxArray } from "../array.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkMatrixInput } from "./checks.js";
import { batchFirst, on } from "./autodiff.js";
import { Inverse } from "./linalg-solve.js";
import { mT } from "./linalg-rules.js";
import { node, ops } from "./ops-ref.js";
import { nodes } from "../ops/base.js";

/** A^-T of the matrices `a`. */
const inverseT = (a: MxArray) => mT(node(new Inverse(), [a], a.stream));

/** `s` (...) as (..., 1, 1), to scale matrices. */
const asMatrixScale = (s: MxArray) => ops.expandDims(s, [-1, -2], on(s));

/** tr(A^-1 T) for matrices A and tangents T. */
const traceSolve = (a: MxArray, t: MxArray) => ops.sum(ops.multiply(inverseT(a), t, on(t)), { axis: [-2, -1], ...on(t) });

export class Det extends Primitive {
  readonly name = "det";
  /** Square matrices, float32 or float64. */
  override validate(inputs: readonly Spec[]): void {
    checkMatrixInput(this.name, inputs, true);
  }
  output([a]: readonly Spec[]): Spec {
    return { shape: a!.shape.slice(0, -2), dtype: a!.dtype };
  }
  /** Abar = dbar det(A) A^-T. */
  override vjp([a]: readonly MxArray[], ct: MxArray, out: MxArray): (MxArray | null)[] {
    return [ops.multiply(asMatrixScale(ops.multiply(ct, out, on(ct))), inverseT(a!), on(ct))];
  }
  override jvp([a]: readonly MxArray[], [t]: readonly (MxArray | null)[], out: MxArray): MxArray | null {
    return t ? ops.multiply(out, traceSolve(a!, t), on(out)) : null;
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
