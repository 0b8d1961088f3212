// The host side both flash-attention kernels share (webgpu and metal): the
// inputs of a scaledDotProductAttention node by role, and the parameter
// words the two kernels read in the same order.

import type { Tensor } from "./backend.js";
import type { ScaledDotProductAttention } from "../src/primitives/fast-attention.js";

const MASK_CODE = { none: 0, causal: 1, additive: 2, bool: 3 } as const;

export interface AttentionOperands {
  q: Tensor;
  k: Tensor;
  v: Tensor;
  /** The mask array (additive or bool), null for none or "causal". */
  mask: Tensor | null;
  sinks: Tensor | null;
  B: number;
  Hq: number;
  Hkv: number;
  Lq: number;
  Lkv: number;
  D: number;
  DV: number;
}

/** The node's inputs by role: q, k, v, then the mask array and the sinks when it has them. */
export function attentionOperands(prim: ScaledDotProductAttention, inputs: readonly Tensor[]): AttentionOperands {
  const p = prim.p;
  const [q, k, v] = inputs as [Tensor, Tensor, Tensor];
  const [B, Hq, Lq, D] = q.shape as [number, number, number, number];
  const [, Hkv, Lkv] = k.shape as [number, number, number];
  return {
    q, k, v,
    mask: p.mask === "additive" || p.mask === "bool" ? inputs[3]! : null,
    sinks: p.sinks ? inputs[inputs.length - 1]! : null,
    B, Hq, Hkv, Lq, Lkv, D, DV: v.shape[3]!,
  };
}

const operand = (t: Tensor) => [t.offset, ...t.strides];

/** The kernels' parameter words; `f32` turns a float into the word the backend's params hold. */
export function attentionWords(prim: ScaledDotProductAttention, o: AttentionOperands, blocks: number, groups: number, f32: (v: number) => number): number[] {
  const p = prim.p;
  return [
    o.Hq, o.Hkv, o.Lq, o.Lkv, blocks, groups,
    ...operand(o.q), ...operand(o.k), ...operand(o.v),
    ...(o.mask ? operand(o.mask) : [0, 0, 0, 0, 0]),
    o.sinks ? o.sinks.offset : 0, o.sinks ? o.sinks.strides[0]! : 0,
    f32(p.scale), f32(p.lowest),
    o.D, o.DV, MASK_CODE[p.mask], p.sinks ? 1 : 0,
  ];
}
