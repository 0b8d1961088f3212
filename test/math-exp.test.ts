// The WebGPU math library's exponentials and logarithms (wgsl/math-exp.wgsl)
// against the reference (float64, rounded once): every float32 binade swept
// (2^20 inputs per function), every float16 value, IEEE special values, and
// mx.setMathMode's fast mode (the driver's builtins) beside the precise one.

import { afterEach, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { UNARY_WGSL, wgslExprFor } from "../backends/webgpu/codegen.js";

const hasWebGpu = mx.isAvailable(mx.webgpu);
const gpu = mx.webgpu;
const cpu = mx.cpu;

const UNARY = ["exp", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "sigmoid"] as const;
const BINARY = ["power", "logaddexp"] as const;
type Fn = (typeof UNARY)[number] | (typeof BINARY)[number];

/** The bound each function is held to, in float32 ulps of the correctly rounded result (measured: 1 everywhere). */
const BOUND = 2;
/**
 * logaddexp(a, b) = m + log1p(e^-|a-b|) cancels where m is near -log1p(...):
 * its float32 pairs carry about 2^-31 of m (measured 2^-31.1), so 2^-30 |m| is allowed on top.
 */
const LOGADDEXP_CANCEL = 2 ** -30;

type Op = (...args: unknown[]) => mx.MxArray;
const op = (name: string) => (mx as unknown as Record<string, Op>)[name]!;

/** Reproducible 32-bit words (an LCG). */
function words(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** `perBinade` random significands in each of the 510 finite (sign, exponent) strata of float32, zeros and subnormals included. */
function stratified(seed: number, perBinade: number): Float32Array {
  const next = words(seed);
  const bits = new Uint32Array(510 * perBinade);
  let i = 0;
  for (const sign of [0, 0x80000000]) {
    for (let e = 0; e < 255; e++) for (let k = 0; k < perBinade; k++) bits[i++] = (sign | (e << 23) | (next() & 0x7fffff)) >>> 0;
  }
  return new Float32Array(bits.buffer);
}

/** Second operands: stratified, plus (power) moderate exponents and (logaddexp) near-equal pairs, so results are not all 0 or inf. */
function secondOperand(fn: Fn, xs: Float32Array): Float32Array {
  const ys = stratified(2, xs.length / 510);
  const next = words(3);
  const unit = () => next() / 2 ** 32 - 0.5;
  for (let i = 0; i < ys.length; i++) {
    if (fn === "power" && i % 4 !== 0) ys[i] = unit() * [0, 8, 300, 2][i % 4]!;
    if (fn === "logaddexp" && i % 2 === 1) ys[i] = xs[i]! + unit() * 40;
  }
  return ys;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** float32 values on a line of integers: adjacent floats differ by 1, -0 and +0 meet at 0. */
function ordinal(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  return u >= 0x80000000 ? -(u - 0x80000000) : u;
}

/** float32 ulps between `got` and the reference `want` (0 for two NaNs; Infinity for one NaN or zeros of opposite signs). */
function ulps(got: number, want: number): number {
  if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want) ? 0 : Infinity;
  if (got === 0 && want === 0) return Object.is(got, want) ? 0 : Infinity;
  return Math.abs(ordinal(got) - ordinal(want));
}

/** |got - want| / |max(a, b)| of logaddexp where it misses the ulp bound (0 elsewhere). */
function cancellation(fn: Fn, xs: Float32Array, ys: Float32Array | undefined, i: number, got: number, want: number): number {
  if (fn !== "logaddexp" || ulps(got, want) <= BOUND || !Number.isFinite(want)) return 0;
  return Math.abs(got - want) / Math.abs(Math.max(xs[i]!, ys![i]!));
}

async function evaluate(fn: Fn, device: mx.Device, xs: Float32Array, ys?: Float32Array): Promise<Float32Array> {
  const a = mx.array(xs, mx.float32, { stream: device });
  const out = ys ? op(fn)(a, mx.array(ys, mx.float32, { stream: device }), { stream: device }) : op(fn)(a, { stream: device });
  return (await out.data()) as Float32Array;
}

interface Sweep {
  maxUlps: number;
  /** logaddexp: the largest error relative to max(a, b) where it cancels. */
  maxCancel: number;
  worst: string;
  failures: string[];
}

async function sweep(fn: Fn, xs: Float32Array, ys?: Float32Array): Promise<Sweep> {
  const [got, want] = [await evaluate(fn, gpu, xs, ys), await evaluate(fn, cpu, xs, ys)];
  const r: Sweep = { maxUlps: 0, maxCancel: 0, worst: "", failures: [] };
  for (let i = 0; i < xs.length; i++) {
    const d = ulps(got[i]!, want[i]!);
    const at = `${fn}(${xs[i]}${ys ? `, ${ys[i]}` : ""}) = ${got[i]}, reference ${want[i]}`;
    if (d > r.maxUlps && Number.isFinite(d)) [r.maxUlps, r.worst] = [d, at];
    const c = cancellation(fn, xs, ys, i, got[i]!, want[i]!);
    r.maxCancel = Math.max(r.maxCancel, c);
    if (d > BOUND && !(c > 0 && c <= LOGADDEXP_CANCEL) && r.failures.length < 5) r.failures.push(at);
  }
  return r;
}

describe.skipIf(!hasWebGpu)("wgsl/math-exp.wgsl on webgpu", () => {
  afterEach(() => mx.setMathMode("precise"));

  // 2057 significands in each of 510 strata: 1,049,070 >= 2^20 inputs per function
  it.each([...UNARY, ...BINARY])("%s: every float32 binade within the bound", async (fn) => {
    const xs = stratified(1, 2057);
    const ys = (BINARY as readonly string[]).includes(fn) ? secondOperand(fn, xs) : undefined;
    const r = await sweep(fn, xs, ys);
    const cancel = r.maxCancel > 0 ? `, where it cancels 2^${Math.log2(r.maxCancel).toFixed(1)} of max(a, b)` : "";
    console.log(`${fn.padEnd(10)} max ${r.maxUlps} ulp over ${xs.length} inputs${cancel}${r.worst ? ` (${r.worst})` : ""}`);
    expect(r.failures).toEqual([]);
  }, 60_000);

  // float16 and bfloat16 results (exp, sigmoid and tanh there by the device's exp2, mx_exp_narrow and its kin, where |x| <= 86)
  it.each([...UNARY, ...BINARY].flatMap((fn) => [mx.float16, mx.bfloat16].map((dtype) => [fn, dtype] as const)))("%s: every %s input within 1 ulp of its dtype", async (fn, dtype) => {
    const bits = new Uint16Array(65536).map((_, i) => i);
    const run = async (device: mx.Device) => {
      const x = mx.view(mx.array(bits, mx.uint16, { stream: device }), dtype, { stream: device });
      const y = mx.view(mx.array(bits.slice().reverse(), mx.uint16, { stream: device }), dtype, { stream: device });
      const out = (BINARY as readonly string[]).includes(fn) ? op(fn)(x, y, { stream: device }) : op(fn)(x, { stream: device });
      return (await mx.view(out, mx.uint16, { stream: device }).data()) as Uint16Array;
    };
    const [got, want] = [await run(gpu), await run(cpu)];
    const exponent = dtype === mx.float16 ? 0x7c00 : 0x7f80;
    // a pattern as its position on the number line (sign and magnitude), NaN apart
    const line = (b: number) => ((b & exponent) === exponent && (b & 0x7fff & ~exponent) !== 0 ? NaN : b & 0x8000 ? -(b & 0x7fff) : b);
    const bad: number[] = [];
    for (let i = 0; i < 65536; i++) {
      const [g, w] = [line(got[i]!), line(want[i]!)];
      const ok = Number.isNaN(g) || Number.isNaN(w) ? Number.isNaN(g) && Number.isNaN(w) : (g === 0 && w === 0 ? got[i] === want[i] : Math.abs(g - w) <= 1);
      if (!ok && bad.length < 5) bad.push(i);
    }
    expect(bad.map((i) => `input bits ${i}: ${got[i]} vs ${want[i]}`)).toEqual([]);
  });

  // squares and cubes take products where every intermediate is a normal float (2^-31 <= |x| <= 2^31), the general path elsewhere
  // (1e-20 and 3e-14: a subnormal square or cube, which a driver that flushes would lose on the product path)
  it.each([2, 3])("power(x, %i): every float32 binade within the bound, both paths and their edges", async (n) => {
    const edges = [2 ** -31, 2 ** 31, 2 ** -31 * (1 - 2 ** -24), 2 ** 31 * (1 + 2 ** -23), 1e-20, 3e-14, 1e-30, 3e12, 1.5, -2.5, 0.1, -7];
    const xs = new Float32Array([...stratified(4, 2057), ...edges, ...edges.map((v) => -v)]);
    const r = await sweep("power", xs, new Float32Array(xs.length).fill(n));
    expect(r.failures).toEqual([]);
  });

  // m = max(a, b) >= 0 takes the pair-free path (mx_logaddexp_nonneg): softplus over a wide range, and pairs a few binades apart
  it("logaddexp with a nonnegative maximum (softplus, cross-entropy on logits) within the bound", async () => {
    const xs = stratified(5, 1024);
    const ys = new Float32Array(xs.length);
    const next = words(6);
    for (let i = 0; i < xs.length; i++) {
      const x = Math.abs(xs[i]!) > 1e4 || Number.isNaN(xs[i]!) ? (next() / 2 ** 32 - 0.5) * 200 : xs[i]!;
      // odd: softplus of x; even: a = |x| >= 0 beside b up to 70 below it
      xs[i] = i % 2 ? x : Math.abs(x);
      ys[i] = i % 2 ? 0 : Math.abs(x) - (next() / 2 ** 32) * 70;
    }
    const r = await sweep("logaddexp", xs, ys);
    console.log(`logaddexp with max(a, b) >= 0: max ${r.maxUlps} ulp over ${xs.length} pairs${r.worst ? ` (${r.worst})` : ""}`);
    expect(r.failures).toEqual([]);
  });

  const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 2 ** -149, -(2 ** -149), 1e-40, -1e-40, 2 ** -126, 1e-30, 0.5, 1, -1, 2, -2.5, 88.72, 89, 89.5, -87.5, -103.5, -104, 1e30, 3.4e38, -3.4e38];

  it.each([...UNARY, ...BINARY])("%s: NaN, infinities, signed zeros, subnormals and overflow edges as the reference", async (fn) => {
    const binary = (BINARY as readonly string[]).includes(fn);
    const xs = new Float32Array(binary ? SPECIAL.flatMap((a) => SPECIAL.map(() => a)) : SPECIAL);
    const ys = binary ? new Float32Array(SPECIAL.flatMap(() => SPECIAL)) : undefined;
    const r = await sweep(fn, xs, ys);
    expect(r.failures).toEqual([]);
  });

  it("gives the values the drivers' builtins get wrong", async () => {
    const tiny = 2 ** -149;
    const one = async (fn: string, x: number) => (await evaluate(fn as Fn, gpu, new Float32Array([x])))[0];
    expect(await one("log", tiny)).toBe(Math.fround(Math.log(tiny)));
    expect(await one("log", -1)).toBeNaN();
    expect(await one("sqrt", -1)).toBeNaN();
    expect(Object.is(await one("sqrt", -0), -0)).toBe(true);
    expect(await one("tanh", tiny)).toBe(tiny);
    expect(await one("rsqrt", -0)).toBe(-Infinity);
    expect(await one("exp", -103.5)).toBe(Math.fround(Math.exp(-103.5)));
    expect(await one("log1p", 1e-3)).toBe(Math.fround(Math.log1p(Math.fround(1e-3))));
  });

  it("fast mode selects the driver's builtins, kernels cached per mode", async () => {
    expect(wgslExprFor(UNARY_WGSL.exp, mx.float32)).toBe("mx_exp(a)");
    mx.setMathMode("fast");
    expect(mx.getMathMode()).toBe("fast");
    expect(wgslExprFor(UNARY_WGSL.exp, mx.float32, "fast")).toBe("exp(a)");
    // inside WGSL's bounds for the builtins: exp 3 + 2|x| ulp, log 3 ulp or 2^-21 absolute
    const xs = new Float32Array(4001).map((_, i) => -20 + i / 100);
    const fastExp = await evaluate("exp", gpu, xs);
    xs.forEach((x, i) => expect(ulps(fastExp[i]!, Math.fround(Math.exp(x))), `exp(${x})`).toBeLessThanOrEqual(3 + 2 * Math.abs(x)));
    const ps = new Float32Array(4001).map((_, i) => 10 ** (-30 + (60 * i) / 4000));
    const fastLog = await evaluate("log", gpu, ps);
    ps.forEach((p, i) => {
      const want = Math.fround(Math.log(p));
      expect(ulps(fastLog[i]!, want) <= 3 || Math.abs(fastLog[i]! - want) <= 2 ** -21, `log(${p})`).toBe(true);
    });
    mx.setMathMode("precise");
    const preciseExp = await evaluate("exp", gpu, xs);
    xs.forEach((x, i) => expect(ulps(preciseExp[i]!, Math.fround(Math.exp(x))), `exp(${x})`).toBeLessThanOrEqual(BOUND));
  });

  it("setMathMode rejects other modes", () => {
    expect(() => mx.setMathMode("exact" as "fast")).toThrow(/^\[setMathMode\] mode/);
  });
});
