// CPU reference kernel of mx.fast.scaledDotProductAttention: for each query
// row, the scores scale * q.k_j (+ mask) in float64, a max-subtracted softmax
// (with the sink's column when given) accumulated in float64, times v,
// rounded once to the output dtype.

import type { Backend, Kernel } from "../backend.js";
import type { ScaledDotProductAttention } from "../../src/primitives/fast-attention.js";
import { allocOutput } from "./tensor.js";
import { float64Values, storeFn } from "./float64-values.js";

export function attentionKernel(backend: Backend): Kernel {
  return (prim, inputs, out) => {
    const p = (prim as ScaledDotProductAttention).p;
    const [q, k, v] = inputs.slice(0, 3).map(float64Values) as [Float64Array, Float64Array, Float64Array];
    const mask = p.mask === "additive" || p.mask === "bool" ? float64Values(inputs[3]!) : null;
    const sinks = p.sinks ? float64Values(inputs[inputs.length - 1]!) : null;
    const [B, Hq, Lq, D] = inputs[0]!.shape as [number, number, number, number];
    const [, Hkv, Lkv] = inputs[1]!.shape as [number, number, number];
    const Dv = inputs[2]!.shape[3]!;
    const rep = Hq / Hkv;
    const { t, w: o } = allocOutput(backend, out);
    const store = storeFn(out.dtype);
    const scores = new Float64Array(Lkv);
    const acc = new Float64Array(Dv);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Hq; h++) {
        const kv = (b * Hkv + Math.floor(h / rep)) * Lkv;
        for (let i = 0; i < Lq; i++) {
          const row = (b * Hq + h) * Lq + i;
          let m = sinks ? sinks[h]! : -Infinity;
          for (let j = 0; j < Lkv; j++) {
            let s = 0;
            for (let d = 0; d < D; d++) s += q[row * D + d]! * k[(kv + j) * D + d]!;
            s *= p.scale;
            if (p.mask === "causal" && j > i + Lkv - Lq) s = p.lowest;
            else if (p.mask === "bool" && !mask![row * Lkv + j]) s = p.lowest;
            else if (p.mask === "additive") s += mask![row * Lkv + j]!;
            scores[j] = s;
            if (Number.isNaN(s) || s > m) m = s;
          }
          let l = sinks ? Math.exp(sinks[h]! - m) : 0;
          acc.fill(0);
          for (let j = 0; j < Lkv; j++) {
            const e = Math.exp(scores[j]! - m);
            l += e;
            for (let d = 0; d < Dv; d++) acc[d] = acc[d]! + e * v[(kv + j) * Dv + d]!;
          }
          // no keys and no sink: the empty sum of the composition's matmul
          for (let d = 0; d < Dv; d++) o[row * Dv + d] = store(l === 0 && Lkv === 0 ? 0 : acc[d]! / l);
        }
      }
    }
    return t;
  };
}
