// mx.fast.scaledDotProductAttention on every backend: agreement with MLX's
// composition from matmul + softmax (float64 on the cpu) over masks (none,
// causal with Lq < Lkv and Lq > Lkv, bool, additive, broadcast), grouped-query
// heads, head dims 64/80/128, sinks, strided inputs, float16/bfloat16, blocks
// of 64 query rows and more, long key sequences that span many tiles, -inf
// scores, gradients against the composition's gradients, and vmap against
// stacking.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, values } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };

type Mask = "causal" | mx.MxArray | null;

/** MLX's composition (test_fast_sdpa.py's mlx_ref_attn) in float64 on the cpu; a masked key scores `lowest`. */
function composed(q: mx.MxArray, k: mx.MxArray, v: mx.MxArray, scale: number, mask: Mask, sinks: mx.MxArray | null, lowest: number, o = cpu, dtype = mx.float64): mx.MxArray {
  const cast = (x: mx.MxArray) => mx.astype(x, dtype, o);
  const rep = q.shape[1]! / k.shape[1]!;
  const kk = mx.repeat(cast(k), rep, 1, o), vv = mx.repeat(cast(v), rep, 1, o);
  let s = mx.matmul(mx.multiply(cast(q), Math.fround(scale), o), mx.swapaxes(kk, -1, -2, o), o);
  let m = mask;
  if (m === "causal") {
    const Lq = q.shape[2]!, Lk = k.shape[2]!;
    m = mx.greaterEqual(mx.expandDims(mx.arange(Lk - Lq, Lk, o), 1, o), mx.expandDims(mx.arange(Lk, o), 0, o), o);
  }
  if (m) s = m.dtype === mx.bool ? mx.where(m, s, mx.array(lowest, dtype, o), o) : mx.add(s, cast(m), o);
  if (sinks) {
    const column = mx.broadcastTo(mx.reshape(cast(sinks), [1, -1, 1, 1], o), [...s.shape.slice(0, 3), 1], o);
    s = mx.concatenate([column, s], { axis: -1, ...o });
  }
  let p = mx.softmax(s, { axis: -1, ...o });
  if (sinks) p = mx.slice(p, [0, 0, 0, 1], p.shape, undefined, o);
  return mx.matmul(p, vv, o);
}

let seed = 0;
const normal = (shape: number[], dtype = mx.float32, s = 1) => mx.multiply(mx.random.normal(shape, { key: mx.random.key(++seed), ...cpu }), s, { stream: mx.cpu }).astype(dtype);

/** max |got - want| / (atol + rtol |want|) over the elements, NaN matched. */
async function worst(got: mx.MxArray, want: mx.MxArray, rtol: number, atol: number): Promise<number> {
  const g = await values(got), w = await values(want);
  expect(g.length).toBe(w.length);
  let r = 0;
  g.forEach((x, i) => {
    const y = w[i]!;
    if (Number.isNaN(y)) return expect(x, `element ${i}`).toBeNaN();
    r = Math.max(r, Math.abs(x - y) / (atol + rtol * Math.abs(y)));
    if (Number.isNaN(x)) r = Infinity;
  });
  return r;
}

interface Case {
  B: number;
  Hq: number;
  Hkv: number;
  Lq: number;
  Lk: number;
  D: number;
  Dv?: number;
  /** boolHoles: bool with row 3 attending nothing; additiveHoles: additive with rows 1 and Lq - 1 all -inf, row 2 -inf but for the last key. */
  mask?: "causal" | "bool" | "additive" | "bool2d" | "boolHoles" | "additiveHoles" | null;
  /** q, k and v stored [B, L, H, D] and read as [B, H, L, D]. */
  strided?: boolean;
  sinks?: boolean;
  dtype?: mx.DType;
}

const TOLERANCE: Record<string, [number, number]> = { float32: [2e-5, 2e-6], float16: [4e-3, 1e-3], bfloat16: [2e-2, 8e-3] };

async function check(device: mx.Device, c: Case): Promise<void> {
  const dtype = c.dtype ?? mx.float32;
  const operand = (B: number, H: number, L: number, D: number) => c.strided ? mx.swapaxes(normal([B, L, H, D], dtype), 1, 2, cpu) : normal([B, H, L, D], dtype);
  const q = operand(c.B, c.Hq, c.Lq, c.D), k = operand(c.B, c.Hkv, c.Lk, c.D), v = operand(c.B, c.Hkv, c.Lk, c.Dv ?? c.D);
  const row = mx.expandDims(mx.arange(c.Lq, cpu), 1, cpu), col = mx.expandDims(mx.arange(c.Lk, cpu), 0, cpu);
  const rowIs = (i: number) => mx.equal(row, i, cpu);
  const holes = mx.logicalOr(mx.logicalOr(rowIs(1), rowIs(c.Lq - 1), cpu), mx.logicalAnd(rowIs(2), mx.notEqual(col, c.Lk - 1, cpu), cpu), cpu);
  const mask: Mask =
    c.mask === "causal" ? "causal"
    : c.mask === "bool" ? mx.greater(normal([c.B, c.Hq, c.Lq, c.Lk]), -0.5, cpu)
    : c.mask === "bool2d" ? mx.greater(normal([c.Lq, c.Lk]), 0, cpu)
    : c.mask === "boolHoles" ? mx.logicalAnd(mx.greater(normal([c.B, c.Hq, c.Lq, c.Lk]), -0.5, cpu), mx.logicalNot(rowIs(3), cpu), cpu)
    : c.mask === "additive" ? normal([c.B, 1, c.Lq, c.Lk], dtype, 2)
    : c.mask === "additiveHoles" ? mx.where(holes, -Infinity, normal([c.B, 1, c.Lq, c.Lk], dtype, 2), cpu).astype(dtype, cpu)
    : null;
  const sinks = c.sinks ? normal([c.Hq], dtype, 2) : null;
  const scale = 1 / Math.sqrt(c.D);
  const got = mx.fast.scaledDotProductAttention(q, k, v, { scale, mask, sinks, stream: device });
  expect([...got.shape]).toEqual([c.B, c.Hq, c.Lq, c.Dv ?? c.D]);
  expect(got.dtype).toBe(dtype);
  const want = composed(q, k, v, scale, mask, sinks, mx.finfo(dtype).min);
  const [rtol, atol] = TOLERANCE[dtype.name]!;
  expect(await worst(got, want, rtol, atol), JSON.stringify({ ...c, dtype: dtype.name })).toBeLessThanOrEqual(1);
}

/** Shapes small enough for the Metal emulator (its threads are fibers on the CPU). */
const emulated = (d: mx.Device) => d.backend === "metal" && process.platform !== "darwin";

describe.each(BACKENDS)("fast.scaledDotProductAttention on $name", ({ device }) => {
  it("matches the composition over masks, grouped-query heads and sinks", async () => {
    const cases: Case[] = [
      { B: 1, Hq: 1, Hkv: 1, Lq: 1, Lk: 1, D: 8 },
      { B: 2, Hq: 4, Hkv: 2, Lq: 5, Lk: 9, D: 8, mask: "causal" },
      { B: 1, Hq: 3, Hkv: 1, Lq: 7, Lk: 4, D: 8, mask: "causal" }, // Lq > Lkv: the first rows see no key (uniform over v)
      { B: 2, Hq: 2, Hkv: 2, Lq: 6, Lk: 11, D: 16, Dv: 8, mask: "bool" },
      { B: 1, Hq: 4, Hkv: 2, Lq: 3, Lk: 13, D: 8, mask: "bool2d", sinks: true },
      { B: 2, Hq: 2, Hkv: 1, Lq: 17, Lk: 9, D: 8, mask: "additive" },
      { B: 1, Hq: 2, Hkv: 2, Lq: 4, Lk: 6, D: 8, sinks: true },
      { B: 1, Hq: 2, Hkv: 2, Lq: 3, Lk: 0, D: 8 },
      // blocks of query rows (the tiled kernel on webgpu): partial blocks and tiles, every mask, sinks
      { B: 1, Hq: 4, Hkv: 2, Lq: 33, Lk: 21, D: 12, Dv: 20, mask: "bool", sinks: true },
      { B: 2, Hq: 2, Hkv: 1, Lq: 40, Lk: 17, D: 8, mask: "causal" },
      { B: 1, Hq: 2, Hkv: 2, Lq: 12, Lk: 35, D: 5, Dv: 3, mask: "additive" },
      { B: 1, Hq: 1, Hkv: 1, Lq: 9, Lk: 0, D: 8 },
    ];
    for (const c of cases) await check(device, c);
  }, 120_000);

  it("handles head dims 64, 80 and 128, float16 and bfloat16", async () => {
    const L = emulated(device) ? 9 : 40;
    for (const D of [64, 80, 128]) await check(device, { B: 1, Hq: 2, Hkv: 1, Lq: L, Lk: L + 3, D, mask: "causal" });
    for (const dtype of [mx.float16, mx.bfloat16]) await check(device, { B: 2, Hq: 4, Hkv: 2, Lq: L, Lk: 2 * L, D: 64, mask: "additive", sinks: true, dtype });
  }, 120_000); // a cold start compiles each kernel variant (the Metal emulator with clang)

  it("runs long key sequences over many tiles", async () => {
    const L = emulated(device) ? 200 : 1024;
    await check(device, { B: 1, Hq: 2, Hkv: 1, Lq: emulated(device) ? 16 : L, Lk: L, D: 64, mask: "causal" });
  });

  it("takes blocks of 64 query rows and more: partial blocks and key tiles, every mask, sinks, head dims, dtypes, strides", async () => {
    // the blocked kernel on webgpu (Lq >= 64): 64-row blocks, 64-key tiles, head-dim chunks of 16
    // (few distinct dtypes and Dv: each pair compiles a kernel variant, seconds on lavapipe)
    const cases: Case[] = [
      { B: 1, Hq: 2, Hkv: 1, Lq: 64, Lk: 1, D: 64 },
      { B: 1, Hq: 4, Hkv: 2, Lq: 100, Lk: 63, D: 80, mask: "causal", sinks: true },
      { B: 1, Hq: 2, Hkv: 2, Lq: 130, Lk: 200, D: 128, mask: "bool" },
      { B: 2, Hq: 2, Hkv: 1, Lq: 64, Lk: 64, D: 12, Dv: 3, mask: "additive", sinks: true },
      { B: 1, Hq: 2, Hkv: 1, Lq: 100, Lk: 200, D: 64, Dv: 128, mask: "causal" },
      { B: 1, Hq: 1, Hkv: 1, Lq: 130, Lk: 64, D: 5, Dv: 64, mask: "causal" }, // Lq > Lkv: the first rows see no key
      { B: 1, Hq: 2, Hkv: 1, Lq: 100, Lk: 63, D: 64, mask: "boolHoles" }, // a row attending nothing averages v
      { B: 1, Hq: 2, Hkv: 2, Lq: 130, Lk: 200, D: 64, mask: "additiveHoles", sinks: true }, // all -inf and a sink: 0
      { B: 1, Hq: 2, Hkv: 2, Lq: 100, Lk: 200, D: 128, mask: "additiveHoles" }, // all -inf gives NaN
      { B: 2, Hq: 4, Hkv: 2, Lq: 100, Lk: 63, D: 64, strided: true, mask: "bool2d" },
      { B: 1, Hq: 2, Hkv: 1, Lq: 64, Lk: 200, D: 80, strided: true, mask: "causal", sinks: true },
      { B: 1, Hq: 2, Hkv: 1, Lq: 70, Lk: 0, D: 64 },
      { B: 1, Hq: 2, Hkv: 1, Lq: 70, Lk: 0, D: 64, sinks: true },
      { B: 1, Hq: 4, Hkv: 2, Lq: 100, Lk: 130, D: 64, mask: "additive", sinks: true, dtype: mx.float16 },
      { B: 1, Hq: 4, Hkv: 2, Lq: 64, Lk: 63, D: 128, mask: "causal", dtype: mx.bfloat16 },
    ];
    // the Metal emulator's threads are fibers on the CPU: two cases there
    for (const c of emulated(device) ? cases.slice(0, 2) : cases) await check(device, c);
  }, 300_000);

  it("reads strided and broadcast inputs in place", async () => {
    // [B, L, H, D] storage seen as [B, H, L, D], as MLX's tests transpose
    const q = mx.swapaxes(normal([2, 5, 4, 8]), 1, 2, cpu), k = mx.swapaxes(normal([2, 7, 2, 8]), 1, 2, cpu), v = mx.swapaxes(normal([2, 7, 2, 8]), 1, 2, cpu);
    const mask = mx.broadcastTo(normal([1, 1, 1, 7]), [2, 1, 5, 7], cpu);
    const got = mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.5, mask, stream: device });
    expect(await worst(got, composed(q, k, v, 0.5, mask, null, 0), 2e-5, 2e-6)).toBeLessThanOrEqual(1);
    // a block of query rows, and rows strided along the head dim (the general kernel on webgpu)
    const qb = mx.swapaxes(normal([1, 20, 2, 8]), 1, 2, cpu), kb = mx.swapaxes(normal([1, 9, 2, 8]), 1, 2, cpu);
    const vb = mx.swapaxes(normal([1, 2, 8, 9]), 2, 3, cpu);
    const gotB = mx.fast.scaledDotProductAttention(qb, kb, vb, { scale: 0.5, stream: device });
    expect(await worst(gotB, composed(qb, kb, vb, 0.5, null, null, 0), 2e-5, 2e-6)).toBeLessThanOrEqual(1);
  });

  it("skips -inf scores in any tile; all -inf gives NaN; a fully masked bool row averages v", async () => {
    const Lk = 150;
    const q = normal([1, 1, 3, 4]), k = normal([1, 1, Lk, 4]), v = normal([1, 1, Lk, 4]);
    // row 0 sees only the last key, row 1 nothing (all -inf), row 2 all
    const cols = mx.arange(Lk, cpu);
    const rows = [mx.where(mx.equal(cols, Lk - 1, cpu), 0, -Infinity, cpu), mx.full([Lk], -Infinity, mx.float32, cpu), mx.zeros([Lk], mx.float32, cpu)];
    const additive = mx.reshape(mx.stack(rows, { axis: 0, ...cpu }).astype(mx.float32), [1, 1, 3, Lk], cpu);
    const got = await values(mx.fast.scaledDotProductAttention(q, k, v, { scale: 1, mask: additive, stream: device }));
    const vLast = await values(mx.slice(v, [0, 0, Lk - 1, 0], [1, 1, Lk, 4], undefined, cpu));
    got.slice(0, 4).forEach((x, j) => expect(x).toBeCloseTo(vLast[j]!, 6));
    got.slice(4, 8).forEach((x) => expect(x).toBeNaN());
    const none = mx.zeros([1, 1, 3, Lk], mx.bool, cpu);
    const avg = await values(mx.fast.scaledDotProductAttention(q, k, v, { scale: 1, mask: none, stream: device }));
    const mean = await values(mx.mean(v, { axis: 2, ...cpu }));
    avg.forEach((x, i) => expect(x).toBeCloseTo(mean[i % 4]!, 5));
  });

  it("has the gradients of the composition", async () => {
    const q = normal([1, 4, 5, 8]), k = normal([1, 2, 6, 8]), v = normal([1, 2, 6, 3]), w = normal([1, 4, 5, 3]);
    const additive = normal([1, 4, 5, 6]), sinks = normal([4]);
    const so = { stream: device };
    const fast = (q: mx.MxArray, k: mx.MxArray, v: mx.MxArray, m: mx.MxArray, s: mx.MxArray) =>
      mx.sum(mx.multiply(mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.3, mask: m, sinks: s, ...so }), w, so), so);
    const slow = (q: mx.MxArray, k: mx.MxArray, v: mx.MxArray, m: mx.MxArray, s: mx.MxArray) =>
      mx.sum(mx.multiply(composed(q, k, v, 0.3, m, s, 0, so, mx.float32), w, so), so);
    const argnums = [0, 1, 2, 3, 4];
    const gf = mx.grad(fast, { argnums })(q, k, v, additive, sinks) as mx.MxArray[];
    const gs = mx.grad(slow, { argnums })(q, k, v, additive, sinks) as mx.MxArray[];
    for (let i = 0; i < 5; i++) expect(await worst(gf[i]!, gs[i]!, 1e-4, 1e-5), `input ${i}`).toBeLessThanOrEqual(1);
    // causal: the mask carries no gradient, q, k and v still match
    const causal = (q: mx.MxArray, k: mx.MxArray, v: mx.MxArray) => mx.sum(mx.multiply(mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.3, mask: "causal", ...so }), w, so), so);
    const causalSlow = (q: mx.MxArray, k: mx.MxArray, v: mx.MxArray) => mx.sum(mx.multiply(composed(q, k, v, 0.3, "causal", null, mx.finfo(mx.float32).min, so, mx.float32), w, so), so);
    const cf = mx.grad(causal, { argnums: [0, 1, 2] })(q, k, v) as mx.MxArray[];
    const cs = mx.grad(causalSlow, { argnums: [0, 1, 2] })(q, k, v) as mx.MxArray[];
    for (let i = 0; i < 3; i++) expect(await worst(cf[i]!, cs[i]!, 1e-4, 1e-5), `causal input ${i}`).toBeLessThanOrEqual(1);
  });

  it("maps over a batch axis as stacking does", async () => {
    const qs = normal([3, 1, 2, 4, 8]), k = normal([1, 1, 5, 8]), v = normal([1, 1, 5, 8]), sinks = normal([3, 2]);
    const f = (q: mx.MxArray, s: mx.MxArray) => mx.fast.scaledDotProductAttention(q, k, v, { scale: 0.4, mask: "causal", sinks: s, stream: device });
    const mapped = mx.vmap(f)(qs, sinks);
    const stacked = mx.stack([0, 1, 2].map((i) => f(mx.take(qs, i, 0, cpu), mx.take(sinks, i, 0, cpu))), { axis: 0, ...cpu });
    expect(await worst(mapped, stacked, 1e-6, 1e-7)).toBeLessThanOrEqual(1);
  });
});
