// Every variant of webgpu's matrix-vector kernels (MLX_TS_QMV_VARIANT for the
// quantized one, MLX_TS_MATVEC_VARIANT for v @ M and M @ v) against the cpu
// reference, within the float32-accumulation bound c K u (|x| @ |W|): every
// bits value and group size, odd shapes, float32 / float16 / bfloat16.

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { MATVEC_VARIANTS } from "../backends/webgpu/matvec.js";
import { QMV_VARIANTS } from "../backends/webgpu/quantized.js";
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

function normal(shape: number[], seed: number): mx.MxArray {
  return mx.random.normal(shape, { key: mx.random.key(seed), ...cpu });
}

function withVariant(name: string, value: string): void {
  process.env[name] = value;
}

describe.skipIf(!webgpu)("webgpu matrix-vector variants", () => {
  const o = { stream: mx.webgpu };
  afterEach(() => {
    delete process.env.MLX_TS_QMV_VARIANT;
    delete process.env.MLX_TS_MATVEC_VARIANT;
  });

  it("quantizedMatmul (one row, transposed weights): every variant sees bits 2..8 and group sizes 32/64/128, within c K u (|x| @ (|s| q + |b|))", async () => {
    const N = 37;
    const variants = Object.keys(QMV_VARIANTS);
    const BITS = [2, 3, 4, 5, 6, 8];
    const GROUPS = [32, 64, 128];
    // a covering: variant v with bits BITS[i] takes group size GROUPS[(i + v) % 3], so every variant meets
    // every bits value and group size, and every (bits, group size) pair meets some variant
    for (const [i, bits] of BITS.entries()) {
      for (const [g, gs] of GROUPS.entries()) {
        const K = gs * 33; // 33 groups: units per row not a power of two
        const [wq, s, b] = mx.quantize(normal([2, N, K], bits + gs), gs, bits, cpu);
        const x = normal([2, 1, K], 5);
        const want = mx.quantizedMatmul(x, wq, s, b, { groupSize: gs, bits, ...cpu });
        const magnitude = mx.matmul(mx.abs(x, cpu), mx.swapaxes(mx.dequantize(wq, mx.abs(s, cpu), mx.abs(b, cpu), gs, bits, cpu), -1, -2, cpu), cpu);
        const bound = mx.multiply(magnitude, 2 * K * U, cpu);
        await mx.eval(wq, s, b, x, want, bound);
        for (const [v, variant] of variants.entries()) {
          if ((i + v) % GROUPS.length !== g) continue;
          withVariant("MLX_TS_QMV_VARIANT", variant);
          const got = mx.quantizedMatmul(x, wq, s, b, { groupSize: gs, bits, ...o });
          expect(await worst(got, want, bound), `${variant} bits ${bits} group ${gs}`).toBeLessThanOrEqual(1);
        }
      }
    }
  }, 600_000);

  it("quantizedMatmul variants: microscaling modes, a float16 x, rows fewer than a workgroup's", async () => {
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
      await mx.eval(want);
      // float32 accumulation, and for the float16 result one rounding to float16
      const bound = mx.add(mx.multiply(mx.abs(want, cpu), label.includes("float16") ? 2 ** -10 : 0, cpu), 2 * K * U * 64, cpu);
      for (const variant of Object.keys(QMV_VARIANTS)) {
        withVariant("MLX_TS_QMV_VARIANT", variant);
        expect(await worst(f(ws, x, o), want, bound), `${variant} ${label}`).toBeLessThanOrEqual(1);
      }
    }
  }, 600_000);

  it("v @ M and M @ v: every variant, float32 / float16 / bfloat16, odd and aligned shapes, within c K u (|A| @ |B|)", async () => {
    for (const d of [mx.float32, mx.float16, mx.bfloat16]) {
      const rounding = d === mx.float32 ? 0 : d === mx.float16 ? 2 ** -11 : 2 ** -8;
      for (const [K, L] of [[333, 517], [2052, 260], [64, 8]] as const) {
        const m = mx.astype(normal([K, L], K + L), d, cpu);
        const v = mx.astype(normal([1, K], 3), d, cpu);
        const products: [string, mx.MxArray, mx.MxArray][] = [
          ["v @ M", v, m],
          ["M @ v", mx.astype(normal([L, K], K * L), d, cpu), mx.swapaxes(v, 0, 1, cpu)],
        ];
        for (const [label, a, b] of products) {
          const want = mx.astype(mx.matmul(a, b, cpu), mx.float32, cpu);
          const abs32 = (t: mx.MxArray) => mx.abs(mx.astype(t, mx.float32, cpu), cpu);
          const bound = mx.add(mx.multiply(mx.matmul(abs32(a), abs32(b), cpu), 2 * K * U, cpu), mx.multiply(mx.abs(want, cpu), rounding, cpu), cpu);
          await mx.eval(want, bound);
          for (const variant of Object.keys(MATVEC_VARIANTS)) {
            withVariant("MLX_TS_MATVEC_VARIANT", variant);
            const got = mx.matmul(mx.contiguous(a, false, o), mx.contiguous(b, false, o), o);
            expect(await worst(got, want, bound), `${variant} ${label} ${d.name} K ${K} L ${L}`).toBeLessThanOrEqual(1);
          }
        }
      }
    }
  }, 600_000);

  it("refuses an unknown variant name, naming the variable", async () => {
    withVariant("MLX_TS_QMV_VARIANT", "nope");
    const [wq, s, b] = mx.quantize(normal([4, 64], 1), 64, 4, cpu);
    await expect(mx.eval(mx.quantizedMatmul(normal([1, 64], 2), wq, s, b, { groupSize: 64, bits: 4, ...o }))).rejects.toThrow(/MLX_TS_QMV_VARIANT 'nope' is not one of staged/);
    withVariant("MLX_TS_MATVEC_VARIANT", "nope");
    await expect(mx.eval(mx.matmul(mx.ones([1, 8], mx.float32, o), mx.ones([8, 4], mx.float32, o), o))).rejects.toThrow(/MLX_TS_MATVEC_VARIANT 'nope' is not one of u1/);
  });
});
