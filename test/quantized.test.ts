// Quantization in MLX's affine layout on every backend: packed words known
// by hand from MLX's rules (values little-end first, bits 2 to 8), scales and
// biases of constant groups, round trips, the quantized matmul against
// dequantize + matmul (both transposes, batches, narrow floats), its vjp and
// vmap, and the errors that name the argument at fault.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectClose } from "./helpers/backends.js";
import { OPS } from "../conformance/opdb.js";
import { NumpyProcess, numpyUnavailable, runNumpyCell } from "../conformance/numpy.js";

const cpu = { stream: mx.cpu };

/** A group of 32 whose quantization is exact: max 2^bits - 1, min 0, so scale -1, bias 2^bits - 1, q = bias - w. */
function exactGroup(bits: number): number[] {
  const n = 2 ** bits;
  return Array.from({ length: 32 }, (_, i) => (i === 31 ? n - 1 : i % n));
}

// the words of exactGroup(bits) computed by hand: q_i = 2^bits - 1 - w_i at bit i * bits
const WORDS: Record<number, number[]> = {
  2: [0x1b1b1b1b, 0x1b1b1b1b],
  3: [0x77053977, 0x39770539, 0x05397705],
  4: [0x89abcdef, 0x01234567, 0x89abcdef, 0x01234567],
  5: [0x75be77df, 0x3a56d7c6, 0x35cf8465, 0xc74254b6, 0x00443214],
  6: [0xbbf3dfbf, 0x5db7e39e, 0xc31cb3d3, 0xabb2dbaf, 0x59a7a29a, 0x0218a392],
  8: [0xfcfdfeff, 0xf8f9fafb, 0xf4f5f6f7, 0xf0f1f2f3, 0xecedeeef, 0xe8e9eaeb, 0xe4e5e6e7, 0x00e1e2e3],
};

async function maxAbs(a: mx.MxArray, b: mx.MxArray): Promise<number> {
  return (await mx.max(mx.abs(mx.subtract(mx.astype(a, mx.float32, cpu), mx.astype(b, mx.float32, cpu), cpu), cpu), cpu).item()) as number;
}

function normal(shape: number[], seed: number, o: { stream: mx.Device }): mx.MxArray {
  return mx.random.normal(shape, { key: mx.random.key(seed), ...o });
}

describe.each(BACKENDS)("quantization on $name", ({ device }) => {
  const o = { stream: device };

  it("packs values little-end first into uint32 words (bits 2, 3, 4, 5, 6, 8), as MLX does", async () => {
    for (const bits of [2, 3, 4, 5, 6, 8]) {
      const w = mx.array([exactGroup(bits)], mx.float32, o);
      const [wq, s, b] = mx.quantize(w, 32, bits, o);
      await mx.eval(wq, s, b);
      expect(wq.dtype).toBe(mx.uint32);
      expect(await wq.tolist()).toEqual([WORDS[bits]]);
      expect(await s.tolist()).toEqual([[-1]]);
      expect(await b.tolist()).toEqual([[2 ** bits - 1]]);
      expect(await mx.dequantize(wq, s, b, 32, bits, o).tolist()).toEqual([exactGroup(bits)]);
    }
  });

  it("gives a constant group the edge value as bias and an exact round trip; a zero group scale -1e-7 (float32)", async () => {
    const w = mx.concatenate([mx.full([2, 64], 5, mx.float32, o), mx.zeros([2, 64], mx.float32, o)], { axis: 1, ...o });
    const [wq, s, b] = mx.quantize(w, 64, 4, o);
    await mx.eval(wq, s, b);
    expect(await b.tolist()).toEqual([[5, 0], [5, 0]]);
    expect(await s.tolist()).toEqual([[Math.fround(-1e-7), Math.fround(-1e-7)], [Math.fround(-1e-7), Math.fround(-1e-7)]]);
    expect(await mx.max(wq, o).item()).toBe(0);
    expect(await mx.arrayEqual(mx.dequantize(wq, s, b, 64, 4, o), w, o).item()).toBe(true);
  });

  it("matches the cpu reference bit for bit and round-trips within a step, for every group size and bits", async () => {
    for (const gs of [32, 64, 128]) {
      for (const bits of [2, 3, 4, 5, 6, 8]) {
        const w = normal([3, 256], gs + bits, o);
        const [wq, s, b] = mx.quantize(w, gs, bits, o);
        const [cq, cs, cb] = mx.quantize(w, gs, bits, cpu);
        await mx.eval(wq, s, b, cq, cs, cb);
        expect(await mx.arrayEqual(wq, cq, cpu).item()).toBe(true);
        expect(await mx.arrayEqual(s, cs, cpu).item()).toBe(true);
        const back = mx.dequantize(wq, s, b, gs, bits, o);
        // half a step inside the range; up to a step where the far end is clipped (the scale is fitted to the edge)
        const step = (await mx.max(mx.abs(s, cpu), cpu).item()) as number;
        expect(await maxAbs(back, w)).toBeLessThanOrEqual(step + 1e-6);
      }
    }
  });

  it("keeps w's dtype for scales and biases and dequantizes to the dtype asked for", async () => {
    const w = mx.astype(normal([2, 64], 1, o), mx.float16, o);
    const [wq, s, b] = mx.quantize(w, 64, 4, o);
    expect([s.dtype, b.dtype]).toEqual([mx.float16, mx.float16]);
    expect(mx.dequantize(wq, s, b, 64, 4, o).dtype).toBe(mx.float16);
    const d = mx.dequantize(wq, s, b, 64, 4, { dtype: mx.float32, ...o });
    expect(d.dtype).toBe(mx.float32);
    await expectClose(d, (await mx.dequantize(wq, s, b, 64, 4, cpu).tolist()) as number[][], 1e-3);
  });

  it("multiplies without dequantizing, as dequantize + matmul (both transposes, 1 to 9 rows, bits 3, 4, 8)", async () => {
    for (const bits of [3, 4, 8]) {
      for (const transpose of [true, false]) {
        for (const M of [1, 9]) {
          const w = normal(transpose ? [40, 128] : [128, 64], bits, o);
          const x = normal([M, 128], 7, o);
          const [wq, s, b] = mx.quantize(w, 64, bits, o);
          const dense = mx.dequantize(wq, s, b, 64, bits, o);
          const want = mx.matmul(x, transpose ? mx.swapaxes(dense, 0, 1, o) : dense, cpu);
          const y = mx.quantizedMatmul(x, wq, s, b, { transpose, groupSize: 64, bits, ...o });
          expect(y.shape).toEqual([M, transpose ? 40 : 64]);
          expect(await maxAbs(y, want)).toBeLessThan(1e-3);
        }
      }
    }
  });

  it("takes the matrix-vector path for one row: batched weights, every straddling width, a narrow x", async () => {
    for (const bits of [2, 5, 6]) {
      const w = normal([3, 300, 128], bits, o);
      const x = normal([3, 1, 128], 11, o);
      const [wq, s, b] = mx.quantize(w, 64, bits, o);
      const want = mx.matmul(x, mx.swapaxes(mx.dequantize(wq, s, b, 64, bits, o), -1, -2, cpu), cpu);
      expect(await maxAbs(mx.quantizedMatmul(x, wq, s, b, { groupSize: 64, bits, ...o }), want)).toBeLessThan(1e-3);
    }
    const w = normal([300, 128], 4, o);
    const [wq, s, b] = mx.quantize(w, 64, 4, o);
    const x = mx.astype(normal([1, 128], 12, o), mx.float16, o);
    const want = mx.matmul(mx.astype(x, mx.float32, cpu), mx.swapaxes(mx.dequantize(wq, s, b, 64, 4, o), 0, 1, cpu), cpu);
    expect(await maxAbs(mx.astype(mx.quantizedMatmul(x, wq, s, b, { groupSize: 64, bits: 4, ...o }), mx.float32, o), want)).toBeLessThan(0.05);
  });

  it("broadcasts batches of x against batched weights and computes in x's narrow float", async () => {
    const w = normal([3, 16, 64], 2, o);
    const [wq, s, b] = mx.quantize(w, 32, 4, o);
    const x = normal([2, 1, 5, 64], 3, o);
    const y = mx.quantizedMatmul(x, wq, s, b, { groupSize: 32, bits: 4, ...o });
    expect(y.shape).toEqual([2, 3, 5, 16]);
    const dense = mx.dequantize(wq, s, b, 32, 4, o);
    expect(await maxAbs(y, mx.matmul(x, mx.swapaxes(dense, -1, -2, cpu), cpu))).toBeLessThan(1e-3);
    for (const d of [mx.float16, mx.bfloat16]) {
      const xs = mx.astype(x, d, o);
      const [hq, hs, hb] = mx.quantize(mx.astype(w, d, o), 32, 4, o);
      const yh = mx.quantizedMatmul(xs, hq, hs, hb, { groupSize: 32, bits: 4, ...o });
      expect(yh.dtype).toBe(d);
      const ref = mx.quantizedMatmul(xs, hq, hs, hb, { groupSize: 32, bits: 4, ...cpu });
      expect(await maxAbs(yh, ref)).toBeLessThan(d === mx.float16 ? 0.02 : 0.1);
    }
  });

  it("differentiates x by the product with the other transpose, scales and biases through the dense gradient", async () => {
    const w = normal([8, 64], 4, o);
    const [wq, s, b] = mx.quantize(w, 32, 4, o);
    await mx.eval(wq, s, b);
    const x = normal([3, 64], 5, o);
    const v = normal([3, 8], 6, o);
    const viaQmm = (xx: mx.MxArray, ss: mx.MxArray, bb: mx.MxArray) => mx.sum(mx.multiply(mx.quantizedMatmul(xx, wq, ss, bb, { groupSize: 32, bits: 4, ...o }), v, o), o);
    const viaDense = (xx: mx.MxArray, ss: mx.MxArray, bb: mx.MxArray) => mx.sum(mx.multiply(mx.matmul(xx, mx.swapaxes(mx.dequantize(wq, ss, bb, 32, 4, o), 0, 1, o), o), v, o), o);
    const g1 = mx.grad(viaQmm, { argnums: [0, 1, 2] })(x, s, b) as mx.MxArray[];
    const g2 = mx.grad(viaDense, { argnums: [0, 1, 2] })(x, s, b) as mx.MxArray[];
    for (let i = 0; i < 3; i++) expect(await maxAbs(g1[i]!, g2[i]!)).toBeLessThan(1e-3);
  });

  it("vmaps over x's leading axis and over batched weights, as stacking", async () => {
    const w = normal([2, 8, 64], 8, o);
    const [wq, s, b] = mx.quantize(w, 64, 4, o);
    await mx.eval(wq, s, b);
    const xs = normal([4, 64], 9, o);
    const f = (x: mx.MxArray) => mx.quantizedMatmul(x, mx.take(wq, 0, 0, o), mx.take(s, 0, 0, o), mx.take(b, 0, 0, o), { ...o });
    const stacked = mx.stack([0, 1, 2, 3].map((i) => f(mx.take(xs, i, 0, o))), { axis: 0, ...o });
    expect(await maxAbs(mx.vmap(f)(xs) as mx.MxArray, stacked)).toBeLessThan(1e-5);
    const g = (ww: mx.MxArray, ss: mx.MxArray, bb: mx.MxArray) => mx.quantizedMatmul(mx.take(xs, 0, 0, o), ww, ss, bb, { ...o });
    const per = mx.stack([0, 1].map((i) => g(...([wq, s, b].map((t) => mx.take(t, i, 0, o)) as [mx.MxArray, mx.MxArray, mx.MxArray]))), { axis: 0, ...o });
    expect(await maxAbs(mx.vmap(g)(wq, s, b) as mx.MxArray, per)).toBeLessThan(1e-5);
  });

  it("packs microscaling codes as MLX: e2m1 nibbles with an e8m0 scale (mxfp4), e4m3 bytes (mxfp8), e4m3 scales (nvfp4)", async () => {
    const grid = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    const fp4 = mx.array([Array.from({ length: 32 }, (_, i) => (i >= 16 ? -1 : 1) * grid[i % 8]!)], mx.float32, o);
    const [q4, s4] = mx.quantize(fp4, undefined, undefined, { mode: "mxfp4", ...o });
    expect(await s4.tolist()).toEqual([[127]]);
    expect(await q4.tolist()).toEqual([[0x76543210, 0x76543210, 0xfedcba98, 0xfedcba98]]);
    const back = mx.dequantize(q4, s4, null, undefined, undefined, { mode: "mxfp4", dtype: mx.float32, ...o });
    expect(back.dtype).toBe(mx.float32);
    expect(await mx.arrayEqual(back, fp4, o).item()).toBe(true);
    expect(mx.dequantize(q4, s4, null, 32, 4, { mode: "mxfp4", ...o }).dtype).toBe(mx.bfloat16);

    const fp8 = mx.array([[448, -1, 2 ** -6, 2 ** -9, ...new Array(28).fill(0)]], mx.float32, o);
    const [q8, s8] = mx.quantize(fp8, undefined, undefined, { mode: "mxfp8", ...o });
    expect(await s8.tolist()).toEqual([[127]]);
    expect(await q8.tolist()).toEqual([[0x0108b87e, 0, 0, 0, 0, 0, 0, 0]]);

    // amax 4.5: scale 4.5 / 6 = 0.75, e4m3 code 0x34; values 6, 1, -2 as e2m1 codes 7, 2, 0xc
    const nv = mx.array([[4.5, 0.75, -1.5, ...new Array(13).fill(0)]], mx.float32, o);
    const [qn, sn] = mx.quantize(nv, undefined, undefined, { mode: "nvfp4", ...o });
    expect(await sn.tolist()).toEqual([[0x34]]);
    expect(await qn.tolist()).toEqual([[0x00000c27, 0]]);
    expect(await mx.dequantize(qn, sn, null, 16, 4, { mode: "nvfp4", dtype: mx.float32, ...o }).tolist()).toEqual(await nv.tolist());

    // e8m0 rounds log2 of amax / 6 to nearest: 1.5 -> 2^1 (code 128), 1.4 -> 2^0 (code 127)
    const [, se] = mx.quantize(mx.array([[9, ...new Array(31).fill(0)], [8.4, ...new Array(31).fill(0)]], mx.float32, o), 32, 4, { mode: "mxfp4", ...o });
    expect(await se.tolist()).toEqual([[128], [127]]);
  });

  it("dequantizes the -0 codes (e2m1 0x8, e4m3 0x80) to -0, as MLX's tables hold them", async () => {
    for (const [mode, gs, bits] of [["mxfp4", 32, 4], ["mxfp8", 32, 8], ["nvfp4", 16, 4]] as const) {
      const w = mx.array([[-0, 6, -1e-9, ...new Array(gs - 3).fill(0)]], mx.float32, o);
      const [q, s] = mx.quantize(w, gs, bits, { mode, ...o });
      for (const dtype of [mx.float32, mx.bfloat16]) {
        const back = (await mx.dequantize(q, s, null, gs, bits, { mode, dtype, ...o }).tolist()) as number[][];
        expect(back[0]!.slice(0, 4), `${mode} ${dtype.name}`).toEqual([-0, 6, -0, 0]);
      }
    }
  });

  it("multiplies microscaling weights as dequantize + matmul, and matches the cpu reference bit for bit when quantizing", async () => {
    for (const mode of ["mxfp4", "mxfp8", "nvfp4"] as const) {
      const w = mx.multiply(normal([24, 64], 11, o), 3, o);
      const [wq, s] = mx.quantize(w, undefined, undefined, { mode, ...o });
      const [cq, cs] = mx.quantize(w, undefined, undefined, { mode, ...cpu });
      await mx.eval(wq, s, cq, cs);
      expect(await mx.arrayEqual(wq, cq, cpu).item()).toBe(true);
      expect(await mx.arrayEqual(s, cs, cpu).item()).toBe(true);
      const dense = mx.dequantize(wq, s, null, undefined, undefined, { mode, dtype: mx.float32, ...o });
      for (const transpose of [true, false]) {
        const x = normal([3, transpose ? 64 : 24], 12, o);
        const y = mx.quantizedMatmul(x, wq, s, null, { mode, transpose, ...o });
        expect(await maxAbs(y, mx.matmul(x, transpose ? mx.swapaxes(dense, 0, 1, o) : dense, cpu))).toBeLessThan(1e-3);
      }
      const [gx] = mx.grad((x: mx.MxArray) => mx.sum(mx.quantizedMatmul(x, wq, s, null, { mode, ...o }), o))(normal([2, 64], 13, o)) as unknown as [mx.MxArray];
      expect(await maxAbs(gx, mx.broadcastTo(mx.sum(dense, { axis: 0, ...cpu }), [2, 64], cpu))).toBeLessThan(1e-3);
    }
  });

  it("gathers batches of x and of the quantized weights by index (gatherQmm), with broadcast indices", async () => {
    const w = normal([4, 8, 32], 14, o);
    const [wq, s, b] = mx.quantize(w, 32, 4, o);
    const x = normal([2, 3, 32], 15, o);
    const lhs = mx.array([[0], [1]], mx.uint32, o), rhs = mx.array([[3, 1]], mx.int32, o);
    const y = mx.gatherQmm(x, wq, s, b, { lhsIndices: lhs, rhsIndices: rhs, groupSize: 32, bits: 4, ...o });
    expect(y.shape).toEqual([2, 2, 3, 8]);
    const pick = (t: mx.MxArray, i: number) => mx.take(t, i, 0, o);
    for (const [i, j, xi, wi] of [[0, 0, 0, 3], [0, 1, 0, 1], [1, 0, 1, 3], [1, 1, 1, 1]] as const) {
      const want = mx.quantizedMatmul(pick(x, xi), pick(wq, wi), pick(s, wi), pick(b, wi), { groupSize: 32, bits: 4, ...o });
      expect(await maxAbs(mx.take(pick(y, i), j, 0, o), want)).toBe(0);
    }
    const plain = mx.gatherQmm(pick(x, 0), wq, s, b, { groupSize: 32, bits: 4, transpose: true, ...o });
    expect(plain.primitive?.name).toBe("quantizedMatmul");
    const [fq, fs] = mx.quantize(w, undefined, undefined, { mode: "nvfp4", ...o });
    const yf = mx.gatherQmm(x, fq, fs, null, { rhsIndices: mx.array([2, 0], mx.uint32, o), mode: "nvfp4", ...o });
    expect(await maxAbs(mx.take(yf, 1, 0, o), mx.quantizedMatmul(pick(x, 1), pick(fq, 0), pick(fs, 0), null, { mode: "nvfp4", ...o }))).toBe(0);
    expect(() => mx.gatherQmm(x, wq, s, b, { rhsIndices: mx.array([0.5], mx.float32, o), groupSize: 32, bits: 4, ...o })).toThrow(/^\[gatherQmm\] rhsIndices must be an integer array/);
  });

  it("takes MLX's positional parameters: quantize's and dequantize's mode (and dtype), gatherQmm's indices to mode", async () => {
    const call = (f: unknown, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);
    const same = async (a: mx.MxArray, b: mx.MxArray) => expect(await a.tolist()).toEqual(await b.tolist());
    const w = normal([4, 8, 32], 16, o);
    for (const mode of ["mxfp4", "mxfp8", "nvfp4"] as const) {
      const [fq, fs] = mx.quantize(w, null, null, mode, o);
      const [gq, gs] = mx.quantize(w, { mode, ...o });
      await same(fq, gq);
      await same(fs, gs);
      await same(mx.dequantize(fq, fs, null, null, null, mode, mx.float32, o), mx.dequantize(gq, gs, null, { mode, dtype: mx.float32, ...o }));
      expect(mx.dequantize(fq, fs, null, undefined, undefined, mode, o).dtype).toBe(mx.bfloat16);
      // a dtype last is the positional dtype, not an options object
      expect(mx.dequantize(fq, fs, null, null, null, mode, mx.float16).dtype).toBe(mx.float16);
    }
    const [wq, s, b] = mx.quantize(w, 32, 4, "affine", o);
    const [aq, as, ab] = mx.quantize(w, 32, 4, null, o);
    for (const [u, v] of [[wq, aq], [s, as], [b, ab]] as const) await same(u, v);
    await same(mx.dequantize(wq, s, b, 32, 4, "affine", mx.float16, o), mx.dequantize(wq, s, b, 32, 4, { dtype: mx.float16, ...o }));
    const x = normal([2, 3, 32], 17, o);
    const lhs = mx.array([[0], [1]], mx.uint32, o), rhs = mx.array([[3, 1]], mx.int32, o);
    const want = mx.gatherQmm(x, wq, s, b, { lhsIndices: lhs, rhsIndices: rhs, transpose: true, groupSize: 32, bits: 4, mode: "affine", ...o });
    await same(mx.gatherQmm(x, wq, s, b, lhs, rhs, true, 32, 4, "affine", o), want);
    await same(mx.gatherQmm(x, wq, s, b, lhs, rhs, { groupSize: 32, bits: 4, sortedIndices: false, ...o }), want);
    await same(mx.gatherQmm(x, wq, s, b, null, rhs, true, 32, 4, o), mx.gatherQmm(x, wq, s, b, { rhsIndices: rhs, groupSize: 32, bits: 4, ...o }));
    const [nq, ns] = mx.quantize(w, 16, 4, "nvfp4", o);
    await same(mx.gatherQmm(x, nq, ns, null, null, rhs, true, null, null, "nvfp4", o), mx.gatherQmm(x, nq, ns, null, { rhsIndices: rhs, mode: "nvfp4", ...o }));
    // MLX's rules: a parameter once, the options last, sortedIndices a keyword only
    expect(() => call(mx.quantize, w, 32, 4, "mxfp4", { mode: "mxfp4" })).toThrow(/^\[quantize\] mode given twice/);
    expect(() => call(mx.quantize, w, 32, 4, "int4")).toThrow(/^\[quantize\] mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4', got the string 'int4'/);
    expect(() => call(mx.dequantize, wq, s, b, 32, 4, "affine", mx.float16, { dtype: mx.float32 })).toThrow(/^\[dequantize\] dtype given twice/);
    expect(() => call(mx.gatherQmm, x, wq, s, b, lhs, rhs, true, 32, 4, "affine", true)).toThrow(/^\[gatherQmm\] takes at most 6 arguments/);
    expect(() => call(mx.gatherQmm, x, wq, s, b, lhs, rhs, { lhsIndices: lhs })).toThrow(/^\[gatherQmm\] lhsIndices given twice/);
  });

  it("names the argument at fault", () => {
    const w = mx.zeros([2, 64], mx.float32, o);
    expect(() => mx.quantize(w, 16, 4, o)).toThrow(/^\[quantize\] groupSize 16 is not supported; valid: 32, 64, 128/);
    expect(() => mx.quantize(w, 64, 7, o)).toThrow(/^\[quantize\] bits 7 is not supported/);
    expect(() => mx.quantize(mx.zeros([2, 48], mx.float32, o), 32, 4, o)).toThrow(/^\[quantize\] the last axis of w \(48\) must be a multiple of groupSize 32/);
    expect(() => mx.quantize(mx.zeros([2, 64], mx.int32, o), 64, 4, o)).toThrow(/^\[quantize\] only real floating arrays/);
    expect(() => mx.quantize(w, 64, 4, { mode: "mxfp4", ...o })).toThrow(/^\[quantize\] mode 'mxfp4' requires groupSize 32, got 64/);
    expect(() => mx.quantize(w, 16, 8, { mode: "nvfp4", ...o })).toThrow(/^\[quantize\] mode 'nvfp4' requires bits 4, got 8/);
    expect(() => mx.quantize(w, 64, 4, { mode: "fp4" as never, ...o })).toThrow(/^\[quantize\] mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4'/);
    const [wq, s, b] = mx.quantize(w, 64, 4, o);
    expect(() => mx.dequantize(wq, s, b, 32, 4, o)).toThrow(/^\[dequantize\] w \[2, 8\] and scales \[2, 1\] do not match groupSize 32 and bits 4/);
    expect(() => mx.dequantize(w, s, b, 64, 4, o)).toThrow(/^\[dequantize\] the quantized weights w must be uint32/);
    expect(() => mx.dequantize(wq, s, null, 64, 4, o)).toThrow(/^\[dequantize\] biases must be given in affine mode/);
    const [fq, fs] = mx.quantize(w, 32, 4, { mode: "mxfp4", ...o });
    expect(() => mx.dequantize(fq, fs, fs, 32, 4, { mode: "mxfp4", ...o })).toThrow(/^\[dequantize\] biases must be null in mode 'mxfp4'/);
    expect(() => mx.quantizedMatmul(mx.ones([1, 64], mx.float32, o), fq, mx.astype(fs, mx.float32, o), null, { mode: "mxfp4", ...o })).toThrow(/^\[quantizedMatmul\] scales must be uint8/);
    expect(() => mx.quantizedMatmul(mx.ones([1, 32], mx.float32, o), wq, s, b, o)).toThrow(/^\[quantizedMatmul\] the last axis of x \(32\) does not match/);
    expect(() => mx.quantizedMatmul(mx.ones([1, 64], mx.float32, o), wq, s, b, { transpose: false, ...o })).toThrow(/^\[quantizedMatmul\] the last axis of x \(64\)/);
    expect(() => mx.quantizedMatmul(mx.ones([1, 64], mx.float32, o), wq, s, b, { bogus: 1 } as never)).toThrow(/unknown option 'bogus'/);
  });
});

const why = numpyUnavailable();

describe.skipIf(why !== undefined)("quantizedMatmul's cpu reference against NumPy (MLX's quantization redone in NumPy)", () => {
  it("agrees for float32 and float16, every bit width", async () => {
    const np = new NumpyProcess();
    try {
      const entry = OPS.find((e) => e.name === "quantizedMatmul")!;
      for (const dtype of [mx.float32, mx.float16]) {
        const cell = await runNumpyCell(np, entry, dtype, 30, 11);
        expect(cell.status, `${dtype.name}: ${cell.failure?.message}`).toBe("pass");
        expect(cell.runs).toBeGreaterThan(0);
      }
    } finally {
      np.close();
    }
  });
});
