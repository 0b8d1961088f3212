// The View primitive (MLX's `View`): the input's bytes, in row-major order,
// read as another dtype. Equal item sizes keep the shape; otherwise the last
// axis scales by the size ratio. A bitcast has no derivative (as in MLX),
// except complex64 read as float32 pairs and back: the same real numbers
// relabeled, which imag and conjugate are built on.

import type { MxArray } from "../array.js";
import { complex64, float32, type DType } from "../dtype.js";
import { opError, type Described } from "../errors.js";
import { checkDType, checkInputCount } from "./checks.js";
import { Primitive, type Spec } from "../primitive.js";
import { ops } from "./ops-ref.js";
import { on } from "./autodiff.js";

/** Throws (naming `op`) unless `x`'s bytes, row by row, read as whole elements of `to` (a 0-d input: only a dtype of its size). */
export function checkViewable(op: string, x: Described, to: DType): void {
  const [from, size] = [x.dtype.size, to.size];
  if (from === size) return;
  if (x.shape.length === 0) {
    throw opError(op, `an input of 0 dimensions can only be viewed as a dtype of the same size: ${x.dtype.name} has ${from} bytes, dtype ${to.name} ${size}`, [x], "value");
  }
  const last = x.shape[x.shape.length - 1]!;
  if (size > from && last % (size / from) !== 0) {
    throw opError(op, `the input's last axis holds ${last * from} bytes (${last} x ${x.dtype.name}), not a multiple of the ${size} bytes of dtype ${to.name}`, [x], "value");
  }
}

/** The shape of a `from` array of `shape` viewed as `to` (the op checked the last axis divides when `to` is wider). */
export function viewShape(shape: readonly number[], from: DType, to: DType): number[] {
  const out = [...shape];
  if (from.size === to.size || out.length === 0) return out;
  const last = out.length - 1;
  out[last] = from.size > to.size ? out[last]! * (from.size / to.size) : out[last]! / (to.size / from.size);
  return out;
}

/** The output's bytes are the input's row-major bytes, read as `dtype`. */
export class View extends Primitive {
  readonly name = "view";
  /** Its rules treat complex64 themselves (src/transforms/complex-rules.ts): the relabeling's derivative is the same view. */
  readonly complexRule = "as written";
  constructor(readonly dtype: DType) {
    super();
  }
  override params() {
    return { dtype: this.dtype.name };
  }
  /** The output's bytes are the input's: as many, in whole elements of dtype. */
  override validate(inputs: readonly Spec[]): void {
    checkInputCount(this.name, inputs, 1);
    checkViewable(this.name, inputs[0]!, checkDType(this.name, "dtype", this.dtype));
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: viewShape(x!.shape, x!.dtype, this.dtype), dtype: this.dtype };
  }
  /** complex64 as its float32 (real, imaginary) pairs, or back: a linear relabeling, whose derivative is the same view (complex cotangents as MLX's: d/dre + i d/dim). */
  private relabels(from: DType): boolean {
    return (from === complex64 && this.dtype === float32) || (from === float32 && this.dtype === complex64);
  }
  override vjp([x]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    if (this.relabels(x!.dtype)) return [ops.view(ct, x!.dtype, on(ct))];
    throw new Error(`[view] has no vjp: reinterpreting bytes as ${this.dtype.name} is not differentiable (MLX defines none either); use astype for a differentiable conversion`);
  }
  override jvp([x]: readonly MxArray[], [t]: readonly (MxArray | null)[]): MxArray | null {
    if (!t) return null;
    if (this.relabels(x!.dtype)) return ops.view(t, this.dtype, on(t));
    throw new Error(`[view] has no jvp: reinterpreting bytes as ${this.dtype.name} is not differentiable (MLX defines none either); use astype for a differentiable conversion`);
  }
  /** The batch axis stays where it is unless it is the last axis and the item size changes: then it goes first. */
  override vmap([x]: readonly MxArray[], [axis]: readonly (number | null)[]): [MxArray, number] {
    const a = x!, b = axis!;
    if (a.dtype.size === this.dtype.size) return [ops.view(a, this.dtype, on(a)), b];
    if (a.ndim === 1) {
      throw opError("view", `an input of 0 dimensions can only be viewed as a dtype of the same size: ${a.dtype.name} has ${a.dtype.size} bytes, ${this.dtype.name} ${this.dtype.size}`, [], "value");
    }
    const last = b === a.ndim - 1;
    return [ops.view(last ? ops.moveaxis(a, b, 0, on(a)) : a, this.dtype, on(a)), last ? 0 : b];
  }
}
