// CPU reference kernel of mx.fast.scaledDotProductAttention: for each query
// row, the scores scale * q.k_j (+ mask) in float64, a max-subtracted softmax
// (with the sink's column when given) accumulated in float64, times v,
// rounded once to the output dtype.

import type { Backend, Kernel } from "../backend.js";
import type { ScaledDotProductAttention } from "../../src/primitives/fast-attention.js";
import { allocOutput } from "./tensor.js";
import { float64View, storeFn, type Float64View } from "./float64-values.js";

export function attentionKernel(backend: Backend): Kernel {
  return (prim, inputs, out) => {
    const p = (prim as ScaledDotProductAttention).p;
    // the output first; the inputs then as float64 addressed by their strides (a broadcast decodes only what it repeats)
    const { t, w: o } = allocOutput(backend, out);
    const [q, k, v] = inputs.slice(0, 3).map(float64View) as [Float64View, Float64View, Float64View];
    const mask = p.mask === "additive" || p.mask === "bool" ? float64View(inputs[3]!) : null;
    const sinks = p.sinks ? float64View(inputs[inputs.length - 1]!) : null;
    const [B, Hq, Lq, D] = inputs[0]!.shape as [number, number, number, number];
    const [, Hkv, Lkv] = inputs[1]!.shape as [number, number, number];
    const Dv = inputs[2]!.shape[3]!;
    const rep = Hq / Hkv;
    const [q0, q1, q2, q3] = q.strides as [number, number, number, number];
    const [k0, k1, k2, k3] = k.strides as [number, number, number, number];
    const [v0, v1, v2, v3] = v.strides as [number, number, number, number];
    const [m0, m1, m2, m3] = (mask?.strides ?? [0, 0, 0, 0]) as [number, number, number, number];
    const Q = q.data, K = k.data, V = v.data, M = mask?.data;
    const store = storeFn(out.dtype);
    const scores = new Float64Array(Lkv);
    const acc = new Float64Array(Dv);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Hq; h++) {
        const hk = Math.floor(h / rep);
        const kb = k.offset + b * k0 + hk * k1, vb = v.offset + b * v0 + hk * v1;
        const sink = sinks ? sinks.data[sinks.offset + h * sinks.strides[0]!]! : 0;
        for (let i = 0; i < Lq; i++) {
          const row = (b * Hq + h) * Lq + i;
          const qb = q.offset + b * q0 + h * q1 + i * q2;
          const mb = mask ? mask.offset + b * m0 + h * m1 + i * m2 : 0;
          let m = sinks ? sink : -Infinity;
          for (let j = 0; j < Lkv; j++) {
            let s = 0;
            const kj = kb + j * k2;
            for (let d = 0; d < D; d++) s += Q[qb + d * q3]! * K[kj + d * k3]!;
            s *= p.scale;
            if (p.mask === "causal" && j > i + Lkv - Lq) s = p.lowest;
            else if (p.mask === "bool" && !M![mb + j * m3]) s = p.lowest;
            else if (p.mask === "additive") s += M![mb + j * m3]!;
            scores[j] = s;
            if (Number.isNaN(s) || s > m) m = s;
          }
          let l = sinks ? Math.exp(sink - m) : 0;
          acc.fill(0);
          for (let j = 0; j < Lkv; j++) {
            const e = Math.exp(scores[j]! - m);
            l += e;
            const vj = vb + j * v2;
            for (let d = 0; d < Dv; d++) acc[d] = acc[d]! + e * V[vj + d * v3]!;
          }
          // no keys and no sink: the empty sum of the composition's matmul
          for (let d = 0; d < Dv; d++) o[row * Dv + d] = store(l === 0 && Lkv === 0 ? 0 : acc[d]! / l);
        }
      }
    }
    return t;
  };
}
