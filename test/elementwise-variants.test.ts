// The elementwise kernel's variants (MLX_TS_ELEMENTWISE_VARIANT,
// backends/webgpu/elementwise.ts): every variant within the math library's
// bounds against the CPU reference on the same inputs (every float32 binade,
// the pieces' boundaries, huge trig arguments mixed into ordinary ones so the
// Payne-Hanek words are recomputed, special values, lengths that end inside a
// workgroup, float16 outputs packed two to a word), and the variants that
// differ only in words per invocation bit-identical to each other.

import { afterAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { ELEMENTWISE_VARIANTS, elementwiseVariant, setElementwiseVariant } from "../backends/webgpu/elementwise.js";
import { sameValue, ulpDistance } from "../conformance/numerics.js";

const hasWebGpu = mx.isAvailable(mx.webgpu);
const gpu = { stream: mx.webgpu };
const cpu = { stream: mx.cpu };
const FNS = ["exp", "sin", "cos", "tanh", "log", "sigmoid"] as const;
type Fn = (typeof FNS)[number];
/** The library's bounds (test/math-exp.test.ts, test/math-trig.test.ts). */
const BOUND: Record<Fn, number> = { exp: 2, sin: 3, cos: 3, tanh: 2, log: 2, sigmoid: 2 };

/** Reproducible 32-bit words (an LCG). */
function words(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** The inputs: 64 random values per (sign, exponent), dense runs over [0.5, 2] (tanh's and sin's pieces) and near k pi/2, huge values every 97th, specials; an odd count. */
function inputs(): Float32Array {
  const next = words(2026);
  const v: number[] = [];
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let e = 0; e < 510; e++) for (let i = 0; i < 64; i++) v.push(((u[0] = (((e & 1) << 31) | ((e >> 1) << 23) | (next() & 0x7fffff)) >>> 0), f[0]!));
  for (let i = 0; i < 40000; i++) v.push(0.5 + (1.5 * i) / 40000);
  for (let k = 1; k < 128; k++) {
    f[0] = (k * Math.PI) / 2;
    const b = u[0]!;
    for (let d = -3; d <= 3; d++) v.push(((u[0] = b + d), f[0]!));
  }
  for (let i = 0; i < v.length; i += 97) v[i] = (next() / 2 ** 32) * 1e6 + 200;
  v.push(NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 88.72283, 88.7229, -103.9, -104, 200, -200, 199.99998, 9.1, 0.625, 1e20, -1e20);
  return new Float32Array(v.length % 2 ? v : [...v, 0.5]);
}

const X = inputs();
const variants = Object.keys(ELEMENTWISE_VARIANTS);
const initial = elementwiseVariant();
afterAll(() => setElementwiseVariant(initial));

/** Every 8th input (float16 holds fewer distinct values), an odd count. */
const X16 = X.filter((_, i) => i % 8 === 0 || i === X.length - 1);

async function run(fn: Fn, variant: string, dtype: mx.DType): Promise<Float32Array> {
  setElementwiseVariant(variant);
  const x = mx.array(dtype === mx.float16 ? X16 : X, mx.float32, gpu).astype(dtype, gpu);
  return (await mx[fn](x, gpu).astype(mx.float32, gpu).data()) as Float32Array;
}

describe.skipIf(!hasWebGpu)("elementwise variants on webgpu", () => {
  it.each(FNS)("%s: every variant within the bound, words per invocation bit-identical", async (fn) => {
    const want = (await mx[fn](mx.array(X, mx.float32, cpu), cpu).data()) as Float32Array;
    const byVariant = new Map<string, Float32Array>();
    for (const v of variants) byVariant.set(v, await run(fn, v, mx.float32));
    for (const [v, got] of byVariant) {
      let worst = 0;
      let at = "";
      got.forEach((g, i) => {
        const d = sameValue(g, want[i]) ? 0 : ulpDistance(g, want[i]!, mx.float32);
        if (d > worst) [worst, at] = [d, `${fn}(${X[i]}) = ${g}, want ${want[i]}`];
      });
      expect(worst, `${v}: ${at}`).toBeLessThanOrEqual(BOUND[fn]);
      const same = byVariant.get(`${ELEMENTWISE_VARIANTS[v]!.math}8`)!;
      expect(new Uint32Array(got.buffer).every((w, i) => w === new Uint32Array(same.buffer)[i]), `${v} against ${ELEMENTWISE_VARIANTS[v]!.math}8`).toBe(true);
    }
  });

  it.each(["exp", "sin"] as const)("%s on float16 (two elements a word): every variant rounds as the reference", async (fn) => {
    const want = (await mx[fn](mx.array(X16, mx.float32, cpu).astype(mx.float16, cpu), cpu).astype(mx.float32, cpu).data()) as Float32Array;
    for (const v of variants) {
      const got = await run(fn, v, mx.float16);
      const bad = Array.from(got).findIndex((g, i) => !sameValue(g, want[i]) && ulpDistance(g, want[i]!, mx.float16) > 1);
      expect(bad, `${v}: ${fn}(${X16[bad]}) = ${got[bad]}, want ${want[bad]}`).toBe(-1);
    }
  });

  it("an unknown variant is an error naming the choices", () => {
    expect(() => setElementwiseVariant("select3")).toThrow(/select8, select4/);
  });
});
