// webgpu's matrix-vector kernels against the cpu reference, within the
// float32-accumulation bound c K u (|A| @ |B|): matvec.wgsl's unrolled loads in
// both layouts (aligned, unaligned, quads and rows of k left past the unroll)
// and quantized_qmv for one row (every bits value and group size, microscaling).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };
const webgpu = BACKENDS.find((b) => b.device === mx.webgpu);
const U = 2 ** -24;

/** Largest |got - want| / (bound + tiny) over the elements: <= 1 when `got` is within `bound` of `want` everywhere. */
async function worst(got: mx.MxArray, want: mx.MxArray, bound: mx.MxArray): Promise<number> {
  const g = mx.astype(got, mx.float32, cpu);
  const ratio = mx.divide(mx.abs(mx.subtract(g, want, cpu), cpu), mx.add(bound, 1e-30, cpu), cpu);
  return (await mx.max(ratio, cpu).item()) as number;
}

function normal(shape: number[], seed: number, stream: mx.Device = mx.cpu): mx.MxArray {
  return mx.random.normal(shape, { key: mx.random.key(seed), stream });
}

describe.skipIf(!webgpu)("webgpu matrix-vector kernels", () => {
  const o = { stream: mx.webgpu };

  // [K, L] and what each exercises (rows layout: 4 quads 64 apart per invocation; cols layout: 2 rows of k 4 apart)
  const SHAPES: [number, number, string][] = [
    [2052, 260, "aligned; rows: 513 quads, one past two unrolled steps; cols: the last split holds 4 rows of k"],
    [300, 256, "aligned; rows: 75 quads, fewer than one step; cols: splits of 60 rows of k, each ending halfway into a step"],
    [333, 517, "unaligned widths, a k tail of 1"],
    [64, 8, "one quad per lane"],
  ];

  it.each(SHAPES)("v @ M and M @ v in both layouts and at an offset of 1, float32 / float16 / bfloat16: K %i, L %i (%s)", async (K, L) => {
    for (const d of [mx.float32, mx.float16, mx.bfloat16]) {
      const rounding = d === mx.float32 ? 0 : d === mx.float16 ? 2 ** -11 : 2 ** -8;
      const on = (shape: number[], seed: number) => mx.astype(normal(shape, seed, mx.webgpu), d, o);
      const v = on([1, K], 3);
      const kl = on([K, L], 4); // k stride L: cols layout for v @ M
      const lk = on([L, K], 5); // k stride 1: rows layout for M @ v
      // the same layouts one element into a wider buffer: aligned strides, unaligned offset
      const klAt1 = mx.slice(on([K, L + 4], 6), [0, 1], [K, L + 1], undefined, o);
      const lkAt1 = mx.slice(on([L, K + 4], 7), [0, 1], [L, K + 1], undefined, o);
      const vt = mx.swapaxes(v, 0, 1, o);
      const products: [string, mx.MxArray, mx.MxArray][] = [
        ["v @ M, cols", v, kl],
        ["v @ M, rows", v, mx.swapaxes(lk, 0, 1, o)],
        ["v @ M, cols at offset 1", v, klAt1],
        ["M @ v, rows", lk, vt],
        ["M @ v, cols", mx.swapaxes(kl, 0, 1, o), vt],
        ["M @ v, rows at offset 1", lkAt1, vt],
      ];
      for (const [label, a, b] of products) {
        const [ac, bc] = [mx.astype(a, mx.float32, cpu), mx.astype(b, mx.float32, cpu)];
        const want = mx.matmul(ac, bc, cpu);
        const bound = mx.add(mx.multiply(mx.matmul(mx.abs(ac, cpu), mx.abs(bc, cpu), cpu), 2 * K * U, cpu), mx.multiply(mx.abs(want, cpu), rounding, cpu), cpu);
        expect(await worst(mx.matmul(a, b, o), want, bound), `${label} ${d.name}`).toBeLessThanOrEqual(1);
      }
    }
  }, 120_000);

  it("quantizedMatmul of one row by transposed weights: bits 2..8, each group size twice, within c K u (|x| @ (|s| q + |b|))", async () => {
    const N = 37; // rows fewer than a workgroup's and not a multiple of its columns
    const GROUPS = [32, 64, 128];
    for (const [i, bits] of [2, 3, 4, 5, 6, 8].entries()) {
      const gs = GROUPS[i % GROUPS.length]!;
      const K = gs * 33; // 33 groups: units per row not a power of two
      const [wq, s, b] = mx.quantize(normal([N, K], bits + gs), gs, bits, cpu);
      const x = normal([1, K], 5);
      const want = mx.quantizedMatmul(x, wq, s, b, { groupSize: gs, bits, ...cpu });
      const magnitude = mx.matmul(mx.abs(x, cpu), mx.swapaxes(mx.dequantize(wq, mx.abs(s, cpu), mx.abs(b, cpu), gs, bits, cpu), -1, -2, cpu), cpu);
      const got = mx.quantizedMatmul(x, wq, s, b, { groupSize: gs, bits, ...o });
      expect(await worst(got, want, mx.multiply(magnitude, 2 * K * U, cpu)), `bits ${bits} group ${gs}`).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it("quantizedMatmul of one row: microscaling modes and a float16 x", async () => {
    const K = 256;
    const w = normal([5, K], 9);
    const x = normal([1, K], 10);
    const cases: [string, mx.MxArray[], (ws: mx.MxArray[], xx: mx.MxArray, so: { stream: mx.Device }) => mx.MxArray][] = [
      ["mxfp4", mx.quantize(w, undefined, undefined, { mode: "mxfp4", ...cpu }), ([q, sc], xx, so) => mx.quantizedMatmul(xx, q!, sc!, null, { mode: "mxfp4", ...so })],
      ["mxfp8", mx.quantize(w, undefined, undefined, { mode: "mxfp8", ...cpu }), ([q, sc], xx, so) => mx.quantizedMatmul(xx, q!, sc!, null, { mode: "mxfp8", ...so })],
      ["nvfp4", mx.quantize(w, undefined, undefined, { mode: "nvfp4", ...cpu }), ([q, sc], xx, so) => mx.quantizedMatmul(xx, q!, sc!, null, { mode: "nvfp4", ...so })],
      ["affine 4-bit, float16 x", mx.quantize(w, 64, 4, cpu), ([q, sc, bi], xx, so) => mx.quantizedMatmul(mx.astype(xx, mx.float16, so), q!, sc!, bi!, { groupSize: 64, bits: 4, ...so })],
    ];
    for (const [label, ws, f] of cases) {
      const want = mx.astype(f(ws, x, cpu), mx.float32, cpu);
      // float32 accumulation, and for the float16 result one rounding to float16
      const bound = mx.add(mx.multiply(mx.abs(want, cpu), label.includes("float16") ? 2 ** -10 : 0, cpu), 2 * K * U * 64, cpu);
      expect(await worst(f(ws, x, o), want, bound), label).toBeLessThanOrEqual(1);
    }
  });
});
