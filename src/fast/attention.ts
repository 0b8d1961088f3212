// mx.fast.scaledDotProductAttention: MLX's fused multi-head attention with
// grouped-query heads, additive, boolean or causal masks and attention sinks.
// Arguments are checked here (MLX's rules); q, k, v and the sinks are cast to
// their promoted float type and the mask broadcast to [B, Hq, Lq, Lkv].

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { bool, isFloating, promoteTypes, type DType } from "../dtype.js";
import { finfo } from "../dtype-info.js";
import { astype, broadcastTo } from "../ops/index.js";
import { checkArrayLike, node, opStream, resultType, type OpOptions } from "../ops/base.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { checkAttentionShapes, ScaledDotProductAttention, type MaskKind } from "../primitives/fast-attention.js";
import { checkNumber } from "../primitives/checks.js";
import type { Stream } from "../device.js";

export interface AttentionOptions extends OpOptions {
  /** Multiplies the scores q k^T (typically 1 / sqrt(D)); required, as in MLX. */
  scale: number;
  /**
   * "causal" (query i attends to keys j <= i + Lkv - Lq: the last query
   * aligned with the last key), a bool array (true: attend) or an additive
   * array, broadcastable to [B, Hq, Lq, Lkv]; null or absent: none.
   */
  mask?: "causal" | MxArray | null | undefined;
  /** One logit per query head ([Hq]) added to every softmax's denominator; null or absent: none. */
  sinks?: MxArray | null | undefined;
}

const OP = "fast.scaledDotProductAttention";
const shapeText = (s: readonly number[]) => `(${s.join(", ")})`;

function input4(x: unknown, name: string): MxArray {
  if (!(x instanceof MxArray)) throw opError(OP, `${name} must be an mx array, got ${describeValue(x)}`, [], "type");
  checkArrayLike(OP, x, name);
  if (x.ndim !== 4) throw opError(OP, `${name} must have 4 dimensions [B, heads, length, head dim] but has shape ${shapeText(x.shape)}`, [x]);
  return x;
}

/** The mask as the primitive takes it: its kind, and the array broadcast to `target` (cast to `t` unless bool). */
function maskOf(mask: unknown, target: number[], t: DType, s: Stream): { kind: MaskKind; array?: MxArray } {
  if (mask === null || mask === undefined) return { kind: "none" };
  if (typeof mask === "string") {
    if (mask !== "causal") throw opError(OP, `mask must be "causal" or an array, got the string ${JSON.stringify(mask)}`, [], "value");
    return { kind: "causal" };
  }
  if (!(mask instanceof MxArray)) throw opError(OP, `mask must be "causal", an mx array, null or undefined, got ${describeValue(mask)}`, [], "type");
  checkArrayLike(OP, mask, "mask");
  if (mask.ndim > 4) throw opError(OP, `mask must have at most 4 dimensions but has shape ${shapeText(mask.shape)}`, [mask]);
  const lead = 4 - mask.ndim;
  if (!mask.shape.every((d, i) => d === 1 || d === target[lead + i])) {
    throw opError(OP, `mask of shape ${shapeText(mask.shape)} does not broadcast to the scores' shape [B, Hq, Lq, Lkv] = ${shapeText(target)}`, [mask]);
  }
  const isBool = mask.dtype === bool;
  if (!isBool && promoteTypes(mask.dtype, t) !== t) throw opError(OP, `mask's dtype ${mask.dtype.name} must be bool or promote to the output dtype ${t.name}`, [mask], "type");
  const cast = isBool ? mask : astype(mask, t, { stream: s });
  return { kind: isBool ? "bool" : "additive", array: broadcastTo(cast, target, { stream: s }) };
}

function sinksOf(sinks: unknown, heads: number, t: DType, s: Stream): MxArray | null {
  if (sinks === null || sinks === undefined) return null;
  if (!(sinks instanceof MxArray)) throw opError(OP, `sinks must be an mx array, null or undefined, got ${describeValue(sinks)}`, [], "type");
  checkArrayLike(OP, sinks, "sinks");
  if (sinks.ndim !== 1 || sinks.shape[0] !== heads) throw opError(OP, `sinks must have shape (${heads}) (one per query head) but has shape ${shapeText(sinks.shape)}`, [sinks]);
  if (promoteTypes(sinks.dtype, t) !== t) throw opError(OP, `sinks' dtype ${sinks.dtype.name} must promote to the output dtype ${t.name}`, [sinks], "type");
  return astype(sinks, t, { stream: s });
}

/**
 * Multi-head attention `softmax(scale * q k^T + mask) v` over the last axis,
 * as one fused kernel (a tiled flash-attention on webgpu and metal that never
 * forms the [Lq, Lkv] scores; float32 softmax and accumulation). q is
 * [B, Hq, Lq, D], k [B, Hkv, Lkv, D] and v [B, Hkv, Lkv, Dv] with Hq a
 * multiple of Hkv (grouped-query attention: query head h reads key/value head
 * floor(h / (Hq / Hkv))). The result is [B, Hq, Lq, Dv] in the promoted float
 * dtype. A bool mask (or "causal") gives masked keys the dtype's lowest value,
 * as MLX, so a fully masked row averages v; `sinks` add exp(sinks[h]) to each
 * softmax's denominator.
 * @example
 * ```ts
 * const q = mx.array([[[[1, 0]]]], mx.float32);
 * const k = mx.array([[[[0, 0], [0, 0]]]], mx.float32);
 * const v = mx.array([[[[1, 2], [3, 4]]]], mx.float32);
 * await mx.fast.scaledDotProductAttention(q, k, v, { scale: 1 }).tolist(); // [[[[2, 3]]]]
 * await mx.fast.scaledDotProductAttention(q, k, v, { scale: 1, mask: mx.array([true, false]) }).tolist(); // [[[[1, 2]]]]
 * await mx.fast.scaledDotProductAttention(q, k, v, { scale: 1, mask: "causal" }).tolist(); // [[[[2, 3]]]]
 * ```
 */
export function scaledDotProductAttention(q: MxArray, k: MxArray, v: MxArray, o: AttentionOptions): MxArray {
  noExtraArguments("fast.scaledDotProductAttention", arguments, 4);
  return asOp("fast.scaledDotProductAttention", () => {
    const s = opStream(OP, o, q, k, v);
    checkOptions(OP, o, ["scale", "mask", "sinks"]);
    const [qa, ka, va] = [input4(q, "q"), input4(k, "k"), input4(v, "v")];
    if (o?.scale === undefined) throw opError(OP, "options must give scale (MLX's required keyword argument), e.g. { scale: 1 / Math.sqrt(q.shape[3]) }", [], "type");
    const scale = checkNumber(OP, "scale", o.scale);
    const [B, Hq, Lq] = qa.shape as [number, number, number, number];
    const Lkv = ka.shape[2]!;
    checkAttentionShapes(OP, qa, ka, va);
    const t = resultType(qa, ka, va);
    if (!isFloating(t)) throw opError(OP, `q, k and v must promote to a floating dtype, got ${t.name}`, [qa, ka, va], "type");
    const mask = maskOf(o.mask, [B, Hq, Lq, Lkv], t, s);
    const sinks = sinksOf(o.sinks, Hq, t, s);
    const on = { stream: s };
    const inputs = [astype(qa, t, on), astype(ka, t, on), astype(va, t, on), ...(mask.array ? [mask.array] : []), ...(sinks ? [sinks] : [])];
    const prim = new ScaledDotProductAttention({ scale: Math.fround(scale), mask: mask.kind, sinks: sinks !== null, lowest: finfo(t).min });
    return node(prim, inputs, s);
  });
}
