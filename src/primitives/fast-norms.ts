// The fused normalizations of mx.fast over the last axis: rmsNorm (inputs x,
// weight) and layerNorm (x, weight, bias). weight and bias are 1-D of the last
// axis's size, or 0-d (1 and 0) when the user gave none, as in MLX; all share
// the output dtype. The rules are MLX's, written with ops in float32 for 16-bit
// inputs (as MLX's kernels accumulate) and cast back, else in the input's dtype.

import type { MxArray } from "../array.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, batchSize, on } from "./autodiff.js";
import { opError, type Described } from "../errors.js";
import { float32, isFloating, type DType } from "../dtype.js";
import { checkNumber, checkInputCount, checkRank, checkSameDType } from "./checks.js";

/** Throws (naming `op`) unless the weight or bias `p` (argument `name`) is 1-D of the size of x's last axis. */
export function checkAffineShape(op: string, name: string, p: Described, x: Described): void {
  const d = x.shape[x.shape.length - 1]!;
  if (p.shape.length !== 1) throw opError(op, `${name} must have 1 dimension but has ${p.shape.length} (shape (${p.shape.join(", ")}))`, [x, p]);
  if (p.shape[0] !== d) throw opError(op, `${name} must have the size of the last dimension of x (${d}) but has ${p.shape[0]} elements`, [x, p]);
}

/** A norm's inputs: x (at least 1-D, float) and its weight (and bias), each 0-d or 1-D of x's last axis, all of x's dtype. */
function checkNorm(prim: Primitive & { eps: number }, inputs: readonly Spec[], names: readonly string[]): void {
  const op = prim.name;
  checkNumber(op, "eps", prim.eps);
  checkInputCount(op, inputs, names.length);
  const x = inputs[0]!;
  checkRank(op, "x", x, 1, true);
  if (!isFloating(x.dtype)) throw opError(op, `x must be floating, got ${x.dtype.name}`, inputs, "type");
  checkSameDType(op, inputs, names);
  inputs.forEach((p, i) => i > 0 && p.shape.length > 0 && checkAffineShape(op, names[i]!, p, x));
}

/** The dtype a norm's derivative rules compute in: float32 for 16-bit floats (their sums of squares overflow), else the input's. */
const ruleDType = (d: DType): DType => (d.size < 4 ? float32 : d);

/** `arrays` in the rules' dtype (unchanged where it is theirs). */
function widened<T extends MxArray | null>(arrays: readonly T[]): T[] {
  return arrays.map((a) => (a && a.dtype !== ruleDType(a.dtype) ? ops.astype(a, ruleDType(a.dtype), on(a)) : a) as T);
}

/** `a` back in `d` (the rules computed it in ruleDType(d)). */
const narrowed = (a: MxArray | null, d: DType): MxArray | null => (a && a.dtype !== d ? ops.astype(a, d, on(a)) : a);

/** Options of a reduction over the last axis, kept. */
const lastKept = (x: MxArray) => ({ axis: -1, keepdims: true, ...on(x) });

/** Axes of `g` a 1-D weight's cotangent is summed over: all but the last. */
const leading = (g: MxArray) => [...Array(g.ndim - 1).keys()];

/** The cotangent of a weight or bias from `terms` (shaped like x): summed over the leading axes, or 0 for a 0-d one. */
function affineCotangent(p: MxArray, terms: MxArray): MxArray {
  return p.ndim === 0 ? ops.zerosLike(p, on(terms)) : ops.sum(terms, { axis: leading(terms), ...on(terms) });
}

/**
 * vmap of a norm: with only x batched the primitive runs on x with the batch
 * first; with a batched weight or bias, the unweighted norm is scaled and
 * shifted by them, lined up as [batch, 1, ..., 1, last axis].
 */
function vmapNorm(prim: Primitive, inputs: readonly MxArray[], axes: readonly (number | null)[], neutral: readonly number[]): [MxArray, number] {
  const x = inputs[0]!;
  const xb = axes[0] === null ? x : batchFirst(x, axes[0]!);
  if (axes.slice(1).every((a) => a === null)) return [node(prim, [xb, ...inputs.slice(1)], xb.stream), 0];
  const o = on(xb);
  const rank = x.ndim - (axes[0] === null ? 0 : 1);
  const y = node(prim, [xb, ...neutral.map((v) => ops.full([], v, x.dtype, o))], xb.stream);
  const batch = batchSize(inputs, axes);
  const aligned = (p: MxArray, axis: number | null): MxArray => {
    if (axis === null) return p;
    const b = batchFirst(p, axis);
    return ops.reshape(b, [batch, ...Array<number>(rank - (b.ndim - 1)).fill(1), ...b.shape.slice(1)], o);
  };
  const scaled = ops.multiply(y, aligned(inputs[1]!, axes[1]!), o);
  const out = inputs.length > 2 ? ops.add(scaled, aligned(inputs[2]!, axes[2]!), o) : scaled;
  return [ops.broadcastTo(out, [batch, ...out.shape.slice(out.ndim - rank)], o), 0];
}

/** x * rsqrt(mean(x^2) + eps) * weight over the last axis. */
export class RMSNorm extends Primitive {
  readonly name = "rmsNorm";
  constructor(readonly eps: number) {
    super();
  }
  override params() {
    return { eps: this.eps };
  }
  override validate(inputs: readonly Spec[]): void {
    checkNorm(this, inputs, ["x", "weight"]);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  /** rsqrt(mean(x^2) + eps), kept. */
  private inverseRms(x: MxArray): MxArray {
    return ops.rsqrt(ops.add(ops.mean(ops.square(x, on(x)), lastKept(x)), this.eps, on(x)), on(x));
  }
  override vjp(inputs: readonly MxArray[], cotangent: MxArray): (MxArray | null)[] {
    const [x, w, g] = widened([inputs[0]!, inputs[1]!, cotangent]) as [MxArray, MxArray, MxArray];
    const o = on(g);
    const n = this.inverseRms(x);
    const gw = ops.multiply(g, w, o);
    const along = ops.mean(ops.multiply(gw, x, o), lastKept(g));
    const dx = ops.subtract(ops.multiply(gw, n, o), ops.multiply(ops.multiply(x, along, o), ops.power(n, 3, o), o), o);
    return [dx, affineCotangent(w, ops.multiply(g, ops.multiply(x, n, o), o))].map((c) => narrowed(c, cotangent.dtype));
  }
  override jvp(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[]): MxArray | null {
    if (!tangents[0] && !tangents[1]) return null;
    const [x, w] = widened(inputs.slice(0, 2));
    const [tx, tw] = widened(tangents);
    return narrowed(this.jvpWide(x!, w!, tx ?? null, tw ?? null), inputs[0]!.dtype);
  }
  /** The jvp on inputs and tangents in the rules' dtype. */
  private jvpWide(x: MxArray, w: MxArray, tx: MxArray | null, tw: MxArray | null): MxArray | null {
    const o = on(x);
    const n = this.inverseRms(x);
    let d: MxArray | null = null;
    if (tx) {
      const along = ops.mean(ops.multiply(x, tx, o), lastKept(x));
      d = ops.multiply(ops.multiply(w, n, o), ops.subtract(tx, ops.multiply(ops.multiply(x, ops.square(n, o), o), along, o), o), o);
    }
    if (tw) {
      const dw = ops.multiply(ops.multiply(x, n, o), tw, o);
      d = d ? ops.add(d, dw, o) : dw;
    }
    return d;
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    return vmapNorm(this, inputs, axes, [1]);
  }
}

/** (x - mean(x)) * rsqrt(var(x) + eps) * weight + bias over the last axis. */
export class LayerNorm extends Primitive {
  readonly name = "layerNorm";
  constructor(readonly eps: number) {
    super();
  }
  override params() {
    return { eps: this.eps };
  }
  override validate(inputs: readonly Spec[]): void {
    checkNorm(this, inputs, ["x", "weight", "bias"]);
  }
  output([x]: readonly Spec[]): Spec {
    return { shape: x!.shape, dtype: x!.dtype };
  }
  /** The centered input and rsqrt(mean(centered^2) + eps), kept. */
  private centered(x: MxArray): { xc: MxArray; n: MxArray } {
    const o = on(x);
    const xc = ops.subtract(x, ops.mean(x, lastKept(x)), o);
    return { xc, n: ops.rsqrt(ops.add(ops.mean(ops.square(xc, o), lastKept(x)), this.eps, o), o) };
  }
  override vjp(inputs: readonly MxArray[], cotangent: MxArray): (MxArray | null)[] {
    const [x, w, b, g] = widened([inputs[0]!, inputs[1]!, inputs[2]!, cotangent]) as [MxArray, MxArray, MxArray, MxArray];
    const o = on(g);
    const { xc, n } = this.centered(x);
    const wg = ops.multiply(w, g, o);
    const t2 = ops.multiply(ops.subtract(wg, ops.mean(wg, lastKept(g)), o), n, o);
    const t1 = ops.multiply(ops.multiply(xc, ops.mean(ops.multiply(wg, xc, o), lastKept(g)), o), ops.power(n, 3, o), o);
    const cotangents = [ops.subtract(t2, t1, o), affineCotangent(w, ops.multiply(g, ops.multiply(xc, n, o), o)), affineCotangent(b, g)];
    return cotangents.map((c) => narrowed(c, cotangent.dtype));
  }
  override jvp(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[]): MxArray | null {
    if (!tangents[0] && !tangents[1] && !tangents[2]) return null;
    const [x, w] = widened(inputs.slice(0, 2));
    const [tx, tw, tb] = widened(tangents);
    return narrowed(this.jvpWide(x!, w!, tx ?? null, tw ?? null, tb ?? null), inputs[0]!.dtype);
  }
  /** The jvp on inputs and tangents in the rules' dtype. */
  private jvpWide(x: MxArray, w: MxArray, tx: MxArray | null, tw: MxArray | null, tb: MxArray | null): MxArray | null {
    const o = on(x);
    const { xc, n } = this.centered(x);
    let d: MxArray | null = null;
    const add = (v: MxArray) => (d = d ? ops.add(d, v, o) : v);
    if (tx) {
      const dxc = ops.subtract(tx, ops.mean(tx, lastKept(tx)), o);
      const along = ops.mean(ops.multiply(xc, dxc, o), lastKept(x));
      add(ops.multiply(ops.multiply(w, n, o), ops.subtract(dxc, ops.multiply(ops.multiply(xc, ops.square(n, o), o), along, o), o), o));
    }
    if (tw) add(ops.multiply(ops.multiply(xc, n, o), tw, o));
    if (tb) add(ops.broadcastTo(tb, x.shape, o));
    return d;
  }
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    return vmapNorm(this, inputs, axes, [1, 0]);
  }
}
