// eig and eigvals: the eigenvalues and, with `vectors`, the right
// eigenvectors (columns) of a general real or complex64 square matrix,
// always complex64 as in MLX. One primitive, one or two outputs; no derivative rules (MLX
// defines none), vmap moves the batch axes first.

import type { MxArray } from "../array.js";
import { complex64 } from "../dtype.js";
import { Primitive, type Spec } from "../primitive.js";
import { checkFloatOrComplexMatrixInput } from "./linalg-rules.js";
import { batchFirst } from "./autodiff.js";
import { nodes } from "../ops/base.js";

export class Eig extends Primitive {
  readonly name = "eig";
  /** Square matrices, float32, float64 or complex64. */
  override validate(inputs: readonly Spec[]): void {
    checkFloatOrComplexMatrixInput(this.name, inputs, true);
  }
  constructor(readonly vectors: boolean) {
    super();
  }
  override params() {
    return { vectors: this.vectors };
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  override outputs([a]: readonly Spec[]): readonly Spec[] {
    const w = { shape: a!.shape.slice(0, -1), dtype: complex64 };
    return this.vectors ? [w, { shape: a!.shape, dtype: complex64 }] : [w];
  }
  override vmapOutputs([a]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray[], number[]] {
    const x = batchFirst(a!, axis!);
    const outs = nodes(new Eig(this.vectors), [x], x.stream);
    return [outs, outs.map(() => 0)];
  }
}
