// The fused attention of mx.fast.scaledDotProductAttention: inputs q [B, Hq,
// Lq, D], k [B, Hkv, Lkv, D], v [B, Hkv, Lkv, Dv], then the mask broadcast to
// [B, Hq, Lq, Lkv] (additive or bool) and the sinks [Hq] when given. Its rules
// are MLX's: vjp and jvp of the same computation composed from ops (matmul,
// softmax), vmap by folding the mapped axis into the heads.

import type { MxArray } from "../array.js";
import { jvp, vjp } from "../transforms/autodiff.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { batchFirst, batchSize, on } from "./autodiff.js";
import { describeValue, opError, type Described } from "../errors.js";
import { bool, isFloating } from "../dtype.js";
import { sameShape } from "../shape.js";
import { checkBool, checkChoice, checkNumber, checkInputCount, checkRank, checkSameDType } from "./checks.js";

const shapeText = (s: readonly number[]) => `(${s.join(", ")})`;

/** Throws (naming `op`) unless q [B, Hq, Lq, D], k [B, Hkv, Lkv, D] and v [B, Hkv, Lkv, Dv] (all 4-D) agree, Hq a multiple of Hkv. */
export function checkAttentionShapes(op: string, q: Described, k: Described, v: Described): void {
  const [B, Hq, , D] = q.shape as [number, number, number, number];
  const [, Hkv, Lkv] = k.shape as [number, number, number, number];
  if (k.shape[0] !== B || v.shape[0] !== B) throw opError(op, `q, k and v must have the same batch size, got shapes ${shapeText(q.shape)}, ${shapeText(k.shape)} and ${shapeText(v.shape)}`, [q, k, v]);
  if (k.shape[3] !== D) throw opError(op, `q and k must have the same head dim (last dimension), got shapes ${shapeText(q.shape)} and ${shapeText(k.shape)}`, [q, k]);
  if (v.shape[1] !== Hkv) throw opError(op, `k and v must have the same number of heads, got shapes ${shapeText(k.shape)} and ${shapeText(v.shape)}`, [k, v]);
  if (v.shape[2] !== Lkv) throw opError(op, `k and v must have the same length (dimension 2), got shapes ${shapeText(k.shape)} and ${shapeText(v.shape)}`, [k, v]);
  if (Hkv === 0 ? Hq !== 0 : Hq % Hkv !== 0) throw opError(op, `q's heads (${Hq}) must be a multiple of k's and v's heads (${Hkv})`, [q, k]);
}

/** How the scores are masked: not at all, MLX's causal rule, or by the mask input (added, or selected where true). */
export type MaskKind = "none" | "causal" | "additive" | "bool";

export interface AttentionParams {
  /** Multiplies q k^T (a float32 value, as MLX's C float). */
  scale: number;
  mask: MaskKind;
  /** A sinks input follows the mask (if any): one logit per query head that joins each softmax's denominator. */
  sinks: boolean;
  /** The score of a masked-out key (bool and causal masks): the output dtype's lowest finite value, as MLX's composition. */
  lowest: number;
}

/**
 * softmax(scale q k^T + mask) v composed from ops, as MLX's fallback: the
 * query heads grouped over the key/value heads, a causal mask aligned to the
 * end (query i sees keys j <= i + Lkv - Lq), the sinks as an extra column.
 */
export function composedAttention(p: AttentionParams, inputs: readonly MxArray[]): MxArray {
  const [q0, k0, v0] = inputs as [MxArray, MxArray, MxArray];
  const o = on(q0);
  const [B, Hq, Lq] = q0.shape as [number, number, number];
  const Hkv = k0.shape[1]!, Lkv = k0.shape[2]!;
  const rep = Hq / Hkv;
  let q = ops.multiply(q0, p.scale, o), k = k0, v = v0;
  if (rep > 1) {
    q = ops.reshape(q, [B, Hkv, rep, Lq, q.shape[3]!], o);
    k = ops.expandDims(k, 2, o);
    v = ops.expandDims(v, 2, o);
  }
  let scores = ops.matmul(q, ops.swapaxes(k, -1, -2, o), o);
  const grouped = (m: MxArray) => (rep > 1 ? ops.reshape(m, [B, Hkv, rep, Lq, Lkv], o) : m);
  if (p.mask === "causal") {
    const rows = ops.expandDims(ops.arange(Lkv - Lq, Lkv, o), 1, o);
    const cols = ops.expandDims(ops.arange(0, Lkv, o), 0, o);
    scores = ops.where(ops.greaterEqual(rows, cols, o), scores, ops.full([], p.lowest, scores.dtype, o), o);
  } else if (p.mask === "bool") {
    scores = ops.where(grouped(inputs[3]!), scores, ops.full([], p.lowest, scores.dtype, o), o);
  } else if (p.mask === "additive") {
    scores = ops.add(scores, grouped(inputs[3]!), o);
  }
  if (p.sinks) {
    const sinks = ops.reshape(inputs[inputs.length - 1]!, rep > 1 ? [1, Hkv, rep, 1, 1] : [1, Hq, 1, 1], o);
    const column = ops.broadcastTo(sinks, [...scores.shape.slice(0, -1), 1], o);
    scores = ops.concatenate([column, scores], { axis: -1, ...o });
  }
  let probs = ops.softmax(scores, { axis: -1, ...o });
  if (p.sinks) probs = ops.slice(probs, [...Array<number>(probs.ndim - 1).fill(0), 1], probs.shape, undefined, o);
  const out = ops.matmul(probs, v, o);
  return rep > 1 ? ops.reshape(out, [B, Hq, Lq, out.shape[out.ndim - 1]!], o) : out;
}

export class ScaledDotProductAttention extends Primitive {
  readonly name = "scaledDotProductAttention";
  constructor(readonly p: AttentionParams) {
    super();
  }
  override params() {
    return { ...this.p };
  }
  /**
   * q, k and v of one float dtype and agreeing shapes, then the mask (its
   * kind's) of the scores' shape [B, Hq, Lq, Lkv] (bool, or q's dtype) and
   * the sinks [Hq] (q's dtype) when the parameters say so.
   */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    const p: unknown = this.p;
    if (p === null || typeof p !== "object") throw opError(op, `p must be the attention parameters { scale, mask, sinks, lowest }, got ${describeValue(p)}`, [], "type");
    const { scale, mask, sinks, lowest } = p as Record<string, unknown>;
    checkNumber(op, "scale", scale);
    checkNumber(op, "lowest", lowest);
    const kind = checkChoice<MaskKind>(op, "mask", mask, ["none", "causal", "additive", "bool"]);
    const withMask = kind === "additive" || kind === "bool", withSinks = checkBool(op, "sinks", sinks);
    checkInputCount(op, inputs, 3 + (withMask ? 1 : 0) + (withSinks ? 1 : 0));
    const [q, k, v] = inputs as [Spec, Spec, Spec];
    ["q", "k", "v"].forEach((name, i) => checkRank(op, name, inputs[i]!, 4));
    checkAttentionShapes(op, q, k, v);
    checkSameDType(op, [q, k, v], ["q", "k", "v"]);
    if (!isFloating(q.dtype)) throw opError(op, `q, k and v must be floating, got ${q.dtype.name}`, inputs, "type");
    if (withMask) {
      const m = inputs[3]!, scores = [...q.shape.slice(0, 3), k.shape[2]!];
      if (!sameShape(m.shape, scores)) throw opError(op, `the mask must have the scores' shape ${shapeText(scores)}, got ${shapeText(m.shape)}`, inputs, "value");
      const want = kind === "bool" ? bool : q.dtype;
      if (m.dtype !== want) throw opError(op, `a${kind === "bool" ? "" : "n"} ${kind} mask must be ${want.name}, got ${m.dtype.name}`, inputs, "type");
    }
    if (withSinks) {
      const s = inputs[inputs.length - 1]!;
      if (!sameShape(s.shape, [q.shape[1]!])) throw opError(op, `the sinks must have shape (${q.shape[1]}) (one per query head), got ${shapeText(s.shape)}`, inputs, "value");
      checkSameDType(op, [q, s], ["q", "the sinks"]);
    }
  }
  output([q, , v]: readonly Spec[]): Spec {
    return { shape: [...q!.shape.slice(0, 3), v!.shape[3]!], dtype: q!.dtype };
  }
  /** The positions of the float inputs (a bool mask carries no gradient) and the composition as a function of them. */
  private differentiable(inputs: readonly MxArray[]): { at: number[]; fn: (...xs: MxArray[]) => MxArray } {
    const at = inputs.map((_, i) => i).filter((i) => !(this.p.mask === "bool" && i === 3));
    const fn = (...xs: MxArray[]) => {
      const all = [...inputs];
      at.forEach((i, k) => (all[i] = xs[k]!));
      return composedAttention(this.p, all);
    };
    return { at, fn };
  }
  override vjp(inputs: readonly MxArray[], g: MxArray): (MxArray | null)[] {
    const { at, fn } = this.differentiable(inputs);
    const cts = vjp(fn, at.map((i) => inputs[i]!), [g])[1];
    return inputs.map((_, i) => (at.includes(i) ? cts[at.indexOf(i)]! : null));
  }
  override jvp(inputs: readonly MxArray[], tangents: readonly (MxArray | null)[]): MxArray | null {
    if (tangents.every((t) => !t)) return null;
    const { at, fn } = this.differentiable(inputs);
    const ts = at.map((i) => tangents[i] ?? ops.zerosLike(inputs[i]!, on(inputs[i]!)));
    return jvp(fn, at.map((i) => inputs[i]!), ts)[1][0]!;
  }
  /**
   * The mapped axis joins the heads: q [B, N*Hq, ...], k and v [B, N*Hkv, ...]
   * (query head n*Hq + h still reads key head n*Hkv + h / (Hq/Hkv)), the mask
   * [B, N*Hq, ...], the sinks [N*Hq]; unmapped inputs are repeated N times.
   */
  override vmap(inputs: readonly MxArray[], axes: readonly (number | null)[]): [MxArray, number] {
    const n = batchSize(inputs, axes);
    const o = on(inputs[0]!);
    const sinksAt = this.p.sinks ? inputs.length - 1 : -1;
    const folded = inputs.map((x, i) => {
      const mapped = axes[i] === null ? ops.broadcastTo(x, [n, ...x.shape], o) : batchFirst(x, axes[i]!);
      if (i === sinksAt) return ops.reshape(mapped, [-1], o);
      // [N, B, H, ...] -> [B, N * H, ...]
      const s = mapped.shape;
      return ops.reshape(ops.swapaxes(mapped, 0, 1, o), [s[1]!, n * s[2]!, ...s.slice(3)], o);
    });
    const out = node(this, folded, inputs[0]!.stream);
    const [B, heads, Lq, Dv] = out.shape as [number, number, number, number];
    return [ops.reshape(out, [B, n, heads / n, Lq, Dv], o), 1];
  }
}
