// Op-database entry of mx.fast.scaledDotProductAttention: small [B, H, L, D]
// cases over grouped-query heads, the four mask kinds (none, causal, bool,
// additive: the last two drawn at broadcast shapes) and sinks, with moderate
// finite values. The GPU error is bounded per element from the float32 dot
// products, exp and accumulation (attentionBound). ATTENTION_NUMPY writes it
// in NumPy terms (float64, rounded once).

import fc from "fast-check";
import * as mx from "../index.js";
import type { InputCase, Layout } from "./arbitraries.js";
import type { OpEntry, Params } from "./opdb.js";
import { cpu } from "./opdb-common.js";

const MASKS = ["none", "causal", "bool", "additive"] as const;
const LAYOUTS: Layout[] = ["contiguous", "transposed", "strided"];

/** An input of `shape` with values in [-lim, lim] (booleans for bool). */
function valuesArb(shape: number[], dtype: string, lim: number): fc.Arbitrary<InputCase> {
  const n = shape.reduce((a, b) => a * b, 1);
  const element = dtype === "bool" ? fc.boolean() : fc.double({ min: -lim, max: lim, noNaN: true });
  return fc.record({
    dtype: fc.constant(dtype),
    shape: fc.constant(shape),
    values: fc.array(element as fc.Arbitrary<number | boolean>, { minLength: n, maxLength: n }),
    layout: fc.constantFrom(...(shape.length ? LAYOUTS : (["contiguous"] as Layout[]))),
  });
}

function attentionCases(dtype: mx.DType): fc.Arbitrary<{ inputs: InputCase[]; params: Params }> {
  const dims = fc.record({
    B: fc.integer({ min: 1, max: 2 }),
    Hkv: fc.integer({ min: 1, max: 2 }),
    rep: fc.integer({ min: 1, max: 2 }),
    Lq: fc.integer({ min: 1, max: 6 }),
    Lk: fc.integer({ min: 1, max: 9 }),
    D: fc.integer({ min: 1, max: 8 }),
    Dv: fc.integer({ min: 1, max: 8 }),
    mask: fc.constantFrom(...MASKS),
    sinks: fc.boolean(),
    scale: fc.constantFrom(1, 0.5, 0.125),
    wideMask: fc.boolean(),
  });
  return dims.chain((c) => {
    const Hq = c.Hkv * c.rep;
    const maskShape = c.wideMask ? [c.B, 1, c.Lq, c.Lk] : [c.Lq, c.Lk];
    const inputs = [
      valuesArb([c.B, Hq, c.Lq, c.D], dtype.name, 3),
      valuesArb([c.B, c.Hkv, c.Lk, c.D], dtype.name, 3),
      valuesArb([c.B, c.Hkv, c.Lk, c.Dv], dtype.name, 4),
      ...(c.mask === "bool" ? [valuesArb(maskShape, "bool", 1)] : c.mask === "additive" ? [valuesArb(maskShape, dtype.name, 4)] : []),
      ...(c.sinks ? [valuesArb([Hq], dtype.name, 4)] : []),
    ];
    return fc.tuple(...inputs).map((xs) => ({
      inputs: xs,
      params: { scale: c.scale, mask: c.mask, sinks: c.sinks, lowest: mx.finfo(dtype).min, axes: [3] },
    }));
  });
}

function options(xs: mx.MxArray[], p: Params, o: mx.OpOptions): mx.fast.AttentionOptions {
  const mask = p.mask === "causal" ? "causal" : p.mask === "none" ? null : xs[3]!;
  return { scale: p.scale as number, mask, sinks: p.sinks ? xs[xs.length - 1]! : null, ...o };
}

/** The float64 values of `x` broadcast to `shape`, row-major. */
const flatAt = async (x: mx.MxArray, shape: number[]) => (await mx.reshape(mx.broadcastTo(mx.astype(x, mx.float64, cpu), shape, cpu), [-1], cpu).tolist()) as number[];

/**
 * Per output element, with p the exact softmax weights, s the scores and m
 * their max: the float32 dot products err by <= (D + 2) u |scale| sum|q||k|
 * (A, the row's largest), exp by <= (3 + 2 |s - m|) u, the online rescaling
 * and the sums of L terms by <= (L + 8) u, so
 * |error| <= 4 u (sum_j p_j |v_j| (2 (D + 2) A + L + D + 16) + 2 sum_j p_j |s_j - m| |v_j|) + 4 u |r|.
 */
const attentionBound: OpEntry["conditionBound"] = async (xs, p, ref, u) => {
  const [q, k, v] = xs as [mx.MxArray, mx.MxArray, mx.MxArray];
  const [B, Hq, Lq, D] = q.shape as [number, number, number, number];
  const [, Hkv, Lk] = k.shape as [number, number, number];
  const Dv = v.shape[3]!;
  const qv = await flatAt(q, [...q.shape]), kv = await flatAt(k, [...k.shape]), vv = await flatAt(v, [...v.shape]);
  const mv = p.mask === "bool" || p.mask === "additive" ? await flatAt(xs[3]!, [B, Hq, Lq, Lk]) : null;
  const sv = p.sinks ? await flatAt(xs[xs.length - 1]!, [Hq]) : null;
  const scale = Math.fround(p.scale as number), lowest = p.lowest as number;
  const out: number[] = [];
  for (let b = 0; b < B; b++) for (let h = 0; h < Hq; h++) for (let i = 0; i < Lq; i++) {
    const kvBase = (b * Hkv + Math.floor(h / (Hq / Hkv))) * Lk;
    const row = (b * Hq + h) * Lq + i;
    const s: number[] = [];
    let A = 0;
    for (let j = 0; j < Lk; j++) {
      let dot = 0, mag = 0;
      for (let d = 0; d < D; d++) {
        dot += qv[row * D + d]! * kv[(kvBase + j) * D + d]!;
        mag += Math.abs(qv[row * D + d]! * kv[(kvBase + j) * D + d]!);
      }
      A = Math.max(A, Math.abs(scale) * mag);
      let x = scale * dot;
      if (p.mask === "causal" && j > i + Lk - Lq) x = lowest;
      if (p.mask === "bool" && !mv![row * Lk + j]) x = lowest;
      if (p.mask === "additive") x += mv![row * Lk + j]!;
      s.push(x);
    }
    const m = Math.max(...s, sv ? sv[h]! : -Infinity);
    const e = s.map((x) => Math.exp(x - m));
    const total = e.reduce((a, c) => a + c, sv ? Math.exp(sv[h]! - m) : 0);
    for (let d = 0; d < Dv; d++) {
      let pv = 0, spread = 0;
      for (let j = 0; j < Lk; j++) {
        const pj = e[j]! / total, av = Math.abs(vv[(kvBase + j) * Dv + d]!);
        pv += pj * av;
        if (pj > 0) spread += pj * Math.abs(s[j]! - m) * av;
      }
      out.push(4 * u * (pv * (2 * (D + 2) * A + Lk + D + 16) + 2 * spread));
    }
  }
  return out.map((x, i) => x + 4 * u * Math.abs(ref[i]!));
};

export const ATTENTION_OPS: readonly OpEntry[] = [
  {
    name: "fast.scaledDotProductAttention",
    group: "reduction",
    dtypes: [mx.float32, mx.float16, mx.bfloat16, mx.float64],
    cases: attentionCases,
    call: (xs, p, o) => mx.fast.scaledDotProductAttention(xs[0]!, xs[1]!, xs[2]!, options(xs, p, o)),
    source: (xs, p, o) => {
      const mask = p.mask === "causal" ? '"causal"' : p.mask === "none" ? "null" : xs[3]!;
      return `mx.fast.scaledDotProductAttention(${xs[0]}, ${xs[1]}, ${xs[2]}, { scale: ${String(p.scale)}, mask: ${mask}, sinks: ${p.sinks ? xs[xs.length - 1]! : "null"}, ...${o} })`;
    },
    spread: "segment",
    conditionBound: attentionBound,
  },
];

/** softmax(scale q k^T + mask) v in NumPy (float64), with the sinks as a leading column dropped after the softmax. */
export const ATTENTION_NUMPY: Record<string, string> = {
  "fast.scaledDotProductAttention":
    "(lambda q, k, v: (lambda z: (lambda e: (e / e.sum(-1, keepdims=True))[..., (1 if p['sinks'] else 0):] @ v)(np.exp(z - z.max(-1, keepdims=True))))" +
    "((lambda s: np.concatenate([np.broadcast_to(x[-1].astype('float64').reshape(1, -1, 1, 1), s.shape[:-1] + (1,)), s], -1) if p['sinks'] else s)" +
    "((lambda s0: s0 + x[3].astype('float64') if p['mask'] == 'additive' else np.where(x[3], s0, p['lowest']) if p['mask'] == 'bool'" +
    " else np.where(np.arange(q.shape[2])[:, None] + k.shape[2] - q.shape[2] >= np.arange(k.shape[2])[None, :], s0, p['lowest']) if p['mask'] == 'causal' else s0)" +
    "(np.float32(p['scale']).astype('float64') * (q @ np.swapaxes(k, -1, -2))))))" +
    "(x[0].astype('float64'), np.repeat(x[1].astype('float64'), x[0].shape[1] // x[1].shape[1], 1), np.repeat(x[2].astype('float64'), x[0].shape[1] // x[1].shape[1], 1))",
};
