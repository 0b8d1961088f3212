// The math library through webgpu's elementwise kernel (wgsl/elementwise.wgsl,
// eight words per invocation, sin and cos of |x| >= 200 recomputed after the
// stores for the flagged words only) against the CPU reference on the same
// inputs: every float32 binade, the pieces' boundaries, near k pi/2, huge trig
// arguments mixed into ordinary ones (alone and several to an invocation, in
// whole and tail workgroups), special values, an odd length, float16 outputs
// packed two to a word.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
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

/**
 * The inputs: 64 random values per (sign, exponent), dense runs over [0.5, 2]
 * (tanh's and sin's pieces) and near k pi/2, then a run where every third
 * value is huge (several flagged words per invocation, reaching into the last,
 * partial workgroup); huge values (|x| >= 200, below float16's largest on
 * alternate hits) every 97th; specials; an odd count.
 */
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
  const huge = (i: number) => (i % 2 ? -1 : 1) * ((next() / 2 ** 32) * (i % 3 ? 6e4 : 1e6) + 200);
  for (let i = 0; i < 12000; i++) v.push(i % 3 ? (next() / 2 ** 32) * 8 - 4 : huge(i));
  for (let i = 0; i < v.length; i += 97) v[i] = huge(i);
  v.push(NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 88.72283, 88.7229, -103.9, -104, 200, -200, 199.99998, 9.1, 0.625, 1e20, -1e20);
  return new Float32Array(v.length % 2 ? v : [...v, 0.5]);
}

const X = inputs();
/** Every 8th input (float16 holds fewer distinct values), an odd count. */
const X16 = X.filter((_, i) => i % 8 === 0 || i === X.length - 1);

describe.skipIf(!hasWebGpu)("the math library through webgpu's elementwise kernel", () => {
  it("the inputs put huge trig arguments in a third of the last, partial workgroup's words", () => {
    // 2048 float32 words to a workgroup: the last one runs the tail path
    const tail = X.subarray(X.length - (X.length % 2048));
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.filter((x) => Math.abs(x) >= 200 && Number.isFinite(x)).length).toBeGreaterThan(tail.length / 4);
    expect(X16.length % 2).toBe(1);
  });

  it.each(FNS)("%s on float32 within the library's bound", async (fn) => {
    const want = (await mx[fn](mx.array(X, mx.float32, cpu), cpu).data()) as Float32Array;
    const got = (await mx[fn](mx.array(X, mx.float32, gpu), gpu).data()) as Float32Array;
    let worst = 0;
    let at = "";
    got.forEach((g, i) => {
      const d = sameValue(g, want[i]) ? 0 : ulpDistance(g, want[i]!, mx.float32);
      if (d > worst) [worst, at] = [d, `${fn}(${X[i]}) = ${g} at ${i}, want ${want[i]}`];
    });
    expect(worst, at).toBeLessThanOrEqual(BOUND[fn]);
  });

  it.each(["exp", "sin", "cos"] as const)("%s on float16 (two elements a word) rounds as the reference", async (fn) => {
    const x16 = (stream: mx.StreamOrDevice) => mx.array(X16, mx.float32, { stream }).astype(mx.float16, { stream });
    const want = (await mx[fn](x16(mx.cpu), cpu).astype(mx.float32, cpu).data()) as Float32Array;
    const got = (await mx[fn](x16(mx.webgpu), gpu).astype(mx.float32, gpu).data()) as Float32Array;
    const bad = Array.from(got).findIndex((g, i) => !sameValue(g, want[i]) && ulpDistance(g, want[i]!, mx.float16) > 1);
    expect(bad, `${fn}(${X16[bad]}) = ${got[bad]} at ${bad}, want ${want[bad]}`).toBe(-1);
  });
});
