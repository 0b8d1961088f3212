// complex64 on the webgpu backend (two f32 words: real, imaginary part;
// wgsl/complex.wgsl): storage, every copy and layout kernel, astype to and from
// every dtype, the elementwise ops (branch cuts, signed zeros, infinities and
// NaN as backends/cpu/complex.ts has them), where, sum, prod and matmul against
// the cpu reference within conformance/contracts.ts webgpuComplexBound; the other families refuse complex64 by name.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend, type Kernel, type Tensor } from "../backends/backend.js";
import type { Primitive } from "../src/primitive.js";
import { runsComplex64, supportComplex64 } from "../backends/webgpu/complex64-support.js";
import { webgpuComplexBound } from "../conformance/contracts.js";

const webgpu = findBackend("webgpu");
const onGpu = { stream: mx.webgpu };
const onCpu = { stream: mx.cpu };
type S = typeof onCpu;
type Z = { re: number; im: number };
type Unary = (x: mx.MxArray, o: S) => mx.MxArray;
const unaryOp = (op: string) => (mx as unknown as Record<string, Unary>)[op]!;

const U = 2 ** -24;
const c = (re: number, im: number): Z => ({ re, im });
const carr = (zs: readonly Z[], o: S) => mx.array([...zs], mx.complex64, o);

/** Signed zeros and NaN spelled out so toEqual tells them apart. */
const ident = (v: unknown): unknown =>
  typeof v === "number" ? (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ident(x)])) : v;
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const words = async (x: mx.MxArray) => Array.from((await x.data()) as Float32Array);

/** `f` on webgpu and on the cpu: the same dtype, shape and values, signed zeros and NaN included. */
async function sameAsCpu(f: (o: S) => mx.MxArray): Promise<unknown[]> {
  const want = f(onCpu), got = f(onGpu);
  expect(got.dtype.name).toBe(want.dtype.name);
  expect([...got.shape]).toEqual([...want.shape]);
  const w = flat(await want.tolist()).map(ident);
  expect(flat(await got.tolist()).map(ident)).toEqual(w);
  return w;
}

/** The least float32 normal where the adapter flushes subnormals (the H200), else 0: results below it may be flushed. */
let flushFloor: number | undefined;
const flushFloorOf = async (): Promise<number> =>
  (flushFloor ??= (await words(mx.add(mx.array([1e-45], mx.float32, onGpu), 0, onGpu)))[0] === 0 ? 2 ** -126 : 0);

/**
 * `f` (a complex or real float result) on webgpu within c n u |w| + a u per component of the cpu's w
 * (n: `terms`, 1 but for prod), plus 2 float32 subnormal steps (the least normal on an adapter that flushes);
 * zeros, infinities and NaN exactly, signs included. Returns the worst error in u |w| units.
 */
async function closeToCpu(op: string, f: (o: S) => mx.MxArray, terms = 1): Promise<number> {
  const { c: cu, a } = webgpuComplexBound(op);
  const floor = Math.max(2 ** -148, await flushFloorOf());
  const want = f(onCpu), got = f(onGpu);
  expect(got.dtype.name).toBe(want.dtype.name);
  const w = await words(want), g = await words(got);
  const step = want.dtype === mx.complex64 ? 2 : 1;
  let worst = 0;
  for (let i = 0; i < w.length; i++) {
    const base = i - (i % step);
    // a finite part beside an infinite one is bounded by its own magnitude
    const pair = step === 2 ? Math.hypot(w[base]!, w[base + 1]!) : Math.abs(w[i]!);
    const mag = Number.isFinite(pair) ? pair : Math.abs(w[i]!);
    // a zero of an op with an absolute allowance (the log family: log |z| of a quotient on the unit circle) may miss by a u
    const zeroWithin = w[i] === 0 && a > 0 && Number.isFinite(mag) && g[i] !== 0;
    if (!Number.isFinite(mag) || !Number.isFinite(w[i]!) || (w[i] === 0 && !zeroWithin)) {
      expect(ident(g[i]), `${op} element ${i}`).toEqual(ident(w[i]));
      continue;
    }
    const err = Math.abs(g[i]! - w[i]!);
    expect(err, `${op} element ${i}: got ${g[i]}, want ${w[i]}`).toBeLessThanOrEqual(cu * terms * U * mag + a * U + floor);
    if (mag > 0) worst = Math.max(worst, err / (U * mag));
  }
  return worst;
}

/** Deterministic complex values over many magnitudes and all four quadrants. */
function sweep(n: number, maxExp: number, seed = 7): Z[] {
  let s = seed;
  const r = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const part = () => (r() < 0.5 ? -1 : 1) * Math.exp((2 * r() - 1) * maxExp);
  return Array.from({ length: n }, () => c(part(), part()));
}

describe.skipIf(!webgpu)("complex64 on webgpu", () => {
  it("holds complex64 as (real, imaginary) float32 pairs", async () => {
    expect(webgpu!.capabilities.dtypes.has(mx.complex64)).toBe(true);
    const x = carr([c(1, -2), c(-0, 0), c(Infinity, NaN), c(1e-45, -3e38)], onGpu);
    expect((await words(x)).map(ident)).toEqual([1, -2, "-0", 0, Infinity, "NaN", Math.fround(1e-45), Math.fround(-3e38)]);
    // float32 arithmetic on subnormals is outside WGSL's contract: an adapter that flushes them (the H200's) gives 0 for the part
    const flushes = ((await mx.add(mx.array([1e-45], mx.float32, onGpu), 0, onGpu).tolist()) as number[])[0] === 0;
    const tiny = flushes ? 0 : Math.fround(1e-45);
    expect((await mx.add(x, carr([c(0, 0)], onGpu), onGpu).tolist() as Z[]).map(ident)).toEqual([c(1, -2), c(0, 0), c(Infinity, NaN), c(tiny, Math.fround(-3e38))].map(ident));
  });

  it("copies through every layout kernel as the cpu does, subnormal parts kept", async () => {
    const zs = [...sweep(22, 5), c(1e-45, -1e-40), c(-0, NaN)];
    const base = (o: S) => mx.reshape(carr(zs, o), [2, 3, 4], o);
    await sameAsCpu((o) => mx.transpose(base(o), [2, 0, 1], o));
    await sameAsCpu((o) => mx.reshape(mx.transpose(base(o), [1, 0, 2], o), [6, 4], o));
    await sameAsCpu((o) => mx.slice(base(o), [1, 0, 3], [2, 3, 0], [1, 2, -2], o));
    await sameAsCpu((o) => mx.concatenate([base(o), mx.flip(base(o), 1, o)], { axis: 1, ...o }));
    await sameAsCpu((o) => mx.broadcastTo(mx.slice(base(o), [0, 0, 0], [1, 3, 1], [1, 1, 1], o), [2, 3, 5], o));
    await sameAsCpu((o) => mx.pad(base(o), [[1, 0], [0, 2], [1, 1]], o));
    await sameAsCpu((o) => mx.take(base(o), mx.array([2, -1, 0, 0], mx.int32, o), 2, o));
    await sameAsCpu((o) => mx.takeAlongAxis(base(o), mx.array([[[1], [0], [2]]], mx.uint32, o), 1, o));
    await sameAsCpu((o) => mx.putAlongAxis(base(o), mx.array([[[3, 0]]], mx.int32, o), carr([c(9, -9), c(-0, -0)], o), 2, o));
    await sameAsCpu((o) => mx.sliceUpdate(base(o), carr([c(5, 6), c(7, 8)], o), [1, 2, 1], [0, 1, 2], o));
    await sameAsCpu((o) => mx.contiguous(mx.transpose(base(o), undefined, o), false, o));
    await sameAsCpu((o) => mx.view(mx.transpose(base(o), undefined, o), mx.float32, o));
    await sameAsCpu((o) => mx.where(mx.array([true, false, true, false], mx.bool, o), base(o), carr([c(-0, 7)], o), o));
  });

  it("casts to and from every dtype as the reference (the real part kept, imaginary 0 added)", async () => {
    const zs = [c(1.5, 2), c(-3.7, -1), c(300.25, 1e-3), c(-0, 5), c(NaN, 1), c(Infinity, 0), c(-Infinity, 2), c(70000, -1), c(2 ** 40 + 3, 0), c(1e-45, 0)];
    for (const d of [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.bfloat16, mx.float32]) {
      await sameAsCpu((o) => mx.astype(carr(zs, o), d, o));
      await sameAsCpu((o) => mx.astype(mx.astype(carr(zs, o), d, o), mx.complex64, o));
    }
    await sameAsCpu((o) => mx.astype(mx.array([2 ** 53 + 1, -(2 ** 40) - 1], mx.int64, o), mx.complex64, o));
    expect(await mx.astype(mx.array([16777217], mx.int32, onGpu), mx.complex64, onGpu).tolist()).toEqual([c(16777216, 0)]);
  });

  it("follows the reference's branch cuts, signed zeros, infinities and NaN", async () => {
    // sqrt and log on the negative real axis: the sign of the imaginary zero picks the side
    const cut = [c(-4, 0), c(-4, -0), c(-0, 0), c(0, -0), c(-0, -0)];
    expect((await mx.sqrt(carr(cut, onGpu), onGpu).tolist() as Z[]).map(ident)).toEqual([c(0, 2), c(0, -2), c(0, 0), c(0, -0), c(0, -0)].map(ident));
    expect(await mx.log(carr(cut.slice(0, 2), onGpu), onGpu).tolist()).toEqual([c(Math.fround(Math.log(4)), Math.fround(Math.PI)), c(Math.fround(Math.log(4)), -Math.fround(Math.PI))]);
    expect((await mx.log(carr([c(0, 0), c(-0, -0)], onGpu), onGpu).tolist() as Z[]).map(ident)).toEqual([c(-Infinity, 0), c(-Infinity, -Math.fround(Math.PI))].map(ident));
    const special = [c(Infinity, 0), c(-Infinity, 0), c(Infinity, 1), c(-Infinity, 1), c(1, Infinity), c(NaN, 0), c(0, NaN), c(-0, -0), c(0, 1e-45), c(3e38, 3e38), c(-1e-40, 2e-40), c(0, 800), c(-0, -100), c(1, 95), c(-1, -0), c(-0, -2), c(2, -0)];
    for (const op of ["sqrt", "rsqrt", "log", "log2", "log10", "exp", "sin", "cos", "abs", "square", "reciprocal", "sinh", "cosh", "tanh", "tan", "sign"]) await closeToCpu(op, (o) => unaryOp(op)(carr(special, o), o));
    for (const op of ["negative", "isnan", "isinf", "isfinite", "round"]) await sameAsCpu((o) => unaryOp(op)(carr(special, o), o));
    // division by zero and by infinities (Smith's algorithm, as the reference)
    const x = (o: S) => carr([c(1, 2), c(-0, 0), c(Infinity, 1), c(1, 1), c(NaN, 0), c(-0, 3), c(1, -1)], o);
    const y = (o: S) => carr([c(0, 0), c(0, -0), c(2, Infinity), c(1, 1), c(NaN, 0), c(0, -0), c(-0, 0)], o);
    for (const op of ["divide", "multiply"] as const) await closeToCpu(op, (o) => mx[op](x(o), y(o), o));
    for (const op of ["add", "subtract", "equal", "notEqual"] as const) await sameAsCpu((o) => mx[op](x(o), y(o), o));
    expect((await mx.divide(x(onGpu), y(onGpu), onGpu).tolist() as Z[]).slice(0, 2).map(ident)).toEqual([c(Infinity, Infinity), c(NaN, NaN)].map(ident));
  });

  it("scales abs, divide and sqrt so that no intermediate overflows or underflows", async () => {
    expect(await mx.abs(carr([c(3, 4), c(Infinity, NaN), c(NaN, -Infinity), c(3e38, 3e38)], onGpu), onGpu).tolist()).toEqual([5, Infinity, Infinity, Infinity]);
    await closeToCpu("abs", (o) => mx.abs(carr([c(2e38, 2e38), c(1e-40, 1e-40), c(3e-45, 4e-45), c(-1e-45, 0), c(1e-30, -3e-38)], o), o));
    // quotients of parts near the float32 limits: the reference's values, not inf or 0
    const big = (o: S) => carr([c(3e38, 3e38), c(1e-38, 1e-38), c(3e38, -1e38), c(1e-44, 2e-44)], o);
    const den = (o: S) => carr([c(2e38, -3e38), c(1e-38, -1e-38), c(1e-30, 3e38), c(3e-44, 1e-44)], o);
    await closeToCpu("divide", (o) => mx.divide(big(o), den(o), o));
    await closeToCpu("sqrt", (o) => mx.sqrt(big(o), o));
    await closeToCpu("log", (o) => mx.log(big(o), o));
    expect(await mx.divide(carr([c(3e38, 3e38)], onGpu), carr([c(3e38, 3e38)], onGpu), onGpu).tolist()).toEqual([c(1, 0)]);
  });

  it("keeps each op within its stated c u |w| bound over many magnitudes", async () => {
    const wide = sweep(4096, 25), mid = sweep(4096, 4), other = sweep(4096, 25, 11);
    const a = (zs: Z[]) => (o: S) => carr(zs, o);
    for (const op of ["sqrt", "rsqrt", "log", "log2", "log10", "abs", "square", "reciprocal", "sign"]) await closeToCpu(op, (o) => unaryOp(op)(a(wide)(o), o));
    for (const op of ["exp", "sin", "cos", "sinh", "cosh", "tanh", "tan"]) await closeToCpu(op, (o) => unaryOp(op)(a(mid)(o), o));
    for (const op of ["add", "subtract", "multiply", "divide"] as const) await closeToCpu(op, (o) => mx[op](a(wide)(o), a(other)(o), o));
    const small = sweep(2040, 1.5), expo = sweep(2040, 1.2, 3);
    await closeToCpu("power", (o) => mx.power(carr(small, o), carr(expo, o), o));
    expect(await sameAsCpu((o) => mx.power(carr([c(0, 0), c(-0, 0)], o), carr([c(0, 0), c(NaN, 1)], o), o))).toEqual([c(0, 0), c(NaN, NaN)].map(ident));
  });

  it("computes arcsin, arccos and arctan within their bounds", async () => {
    for (const op of ["arcsin", "arccos", "arctan"]) {
      await closeToCpu(op, (o) => unaryOp(op)(carr(sweep(2048, 4), o), o));
      await closeToCpu(op, (o) => unaryOp(op)(carr(sweep(2048, 13), o), o));
      await closeToCpu(op, (o) => unaryOp(op)(carr([c(0, 0), c(-0, -0), c(1, 0), c(-1, 0), c(2, 0), c(-2, -0), c(0, 1), c(0, -1), c(NaN, 0), c(1e-30, 1e-30)], o), o));
    }
  });

  it("orders complex64 by real part, then imaginary part, as MLX", async () => {
    const x = (o: S) => carr([c(1, 2), c(1, 3), c(-1, 9), c(2, -5), c(NaN, 0), c(0, 0), c(3, NaN), c(-0, 1)], o);
    const y = (o: S) => carr([c(1, 3), c(1, 3), c(-2, 0), c(2, -6), c(1, 1), c(NaN, 0), c(3, 1), c(0, 1)], o);
    const want: Record<string, boolean[]> = {
      less: [true, false, false, false, false, false, false, false],
      lessEqual: [true, true, false, false, false, false, false, true],
      greater: [false, false, true, true, false, false, false, false],
      greaterEqual: [false, true, true, true, false, false, false, true],
    };
    for (const op of ["less", "lessEqual", "greater", "greaterEqual"] as const) expect(await sameAsCpu((o) => mx[op](x(o), y(o), o))).toEqual(want[op]);
    await sameAsCpu((o) => mx.maximum(x(o), y(o), o));
    await sameAsCpu((o) => mx.minimum(x(o), y(o), o));
    await sameAsCpu((o) => mx.real(x(o), o));
    await sameAsCpu((o) => mx.imag(x(o), o));
    await sameAsCpu((o) => mx.conj(x(o), o));
    // angle is arctan2 of the parts: within its contract (the H200's atan2 was 1 ulp from the correctly rounded one)
    await closeToCpu("angle", (o) => mx.angle(x(o), o));
  });

  it("sums and multiplies along axes within the float32 condition bound", async () => {
    // n = 3: an invocation per output; 700: a workgroup per output; 40000: chunk partials folded again
    for (const [shape, axis] of [[[700, 3], 1], [[3, 700], 1], [[3, 700], 0], [[40000], 0]] as const) {
      const zs = sweep(shape.reduce((p, d) => p * d, 1), 1);
      const x = (o: S) => mx.reshape(carr(zs, o), [...shape], o);
      const got = await words(mx.sum(x(onGpu), { axis, ...onGpu }));
      const want = await words(mx.sum(x(onCpu), { axis, ...onCpu }));
      const terms = await words(mx.sum(mx.abs(mx.view(mx.expandDims(x(onCpu), -1, onCpu), mx.float32, onCpu), onCpu), { axis, ...onCpu }));
      const k = webgpuComplexBound("sum").c * shape[axis]! * U;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${shape} axis ${axis} component ${i}`).toBeLessThanOrEqual(k * terms[i]!);
    }
    // products near the unit circle (no overflow): (1 + i)^8 = 16 exactly
    expect(await mx.prod(carr(Array(8).fill(c(1, 1)), onGpu), onGpu).tolist()).toEqual(c(16, 0));
    await closeToCpu("prod", (o) => mx.prod(mx.reshape(carr(sweep(500, 0.05), o), [5, 100], o), { axis: 1, ...o }), 100);
    await sameAsCpu((o) => mx.sum(mx.zeros([0, 3], mx.complex64, o), { axis: 0, ...o }));
    await sameAsCpu((o) => mx.prod(mx.zeros([2, 0], mx.complex64, o), { axis: 1, ...o }));
  });

  it("scans running sums and products (an invocation per line, tiles, several tiles per line) within c n u bounds", async () => {
    // (1 + i)^k exactly: products of small Gaussian integers
    expect(await mx.cumprod(carr(Array(4).fill(c(1, 1)), onGpu), { axis: 0, ...onGpu }).tolist()).toEqual([c(1, 1), c(0, 2), c(-2, 2), c(-4, 0)]);
    for (const [shape, axis, reverse, inclusive] of [[[5, 9], 1, false, true], [[3, 700], 1, true, false], [[5000, 2], 0, false, true]] as const) {
      const x = (o: S) => mx.reshape(carr(sweep(shape[0] * shape[1], 1), o), [...shape], o);
      const opts = (o: S) => ({ axis, reverse, inclusive, ...o });
      const got = await words(mx.cumsum(x(onGpu), opts(onGpu)));
      const want = await words(mx.cumsum(x(onCpu), opts(onCpu)));
      const terms = await words(mx.cumsum(mx.abs(mx.view(mx.expandDims(x(onCpu), -1, onCpu), mx.float32, onCpu), onCpu), opts(onCpu)));
      const k = webgpuComplexBound("cumsum").c * shape[axis] * U;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${shape} axis ${axis} component ${i}`).toBeLessThanOrEqual(k * terms[i]!);
    }
    // products on the unit circle (no overflow), 3000 per line: two tiles
    const unit = Array.from({ length: 6000 }, (_, i) => c(Math.cos(0.001 * i), Math.sin(0.001 * i)));
    await closeToCpu("cumprod", (o) => mx.cumprod(mx.reshape(carr(unit, o), [2, 3000], o), { axis: 1, ...o }), 3000);
  });

  it("multiplies matrices (batched, transposed operands) within c K u (|A| @ |B|)", async () => {
    const A = sweep(2 * 37 * 45, 2), B = sweep(45 * 33, 2, 5);
    const a = (o: S) => mx.reshape(carr(A, o), [2, 37, 45], o), b = (o: S) => mx.transpose(mx.reshape(carr(B, o), [33, 45], o), undefined, o);
    const got = await words(mx.matmul(a(onGpu), b(onGpu), onGpu));
    const want = await words(mx.matmul(a(onCpu), b(onCpu), onCpu));
    const mag = await words(mx.matmul(mx.abs(a(onCpu), onCpu), mx.abs(b(onCpu), onCpu), onCpu));
    const k = webgpuComplexBound("matmul").c * 45 * U;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `component ${i}`).toBeLessThanOrEqual(k * mag[i >> 1]!);
    expect(await mx.matmul(carr([c(0, 1), c(1, 0)], onGpu).reshape([1, 2]), carr([c(0, 1), c(2, 3)], onGpu).reshape([2, 1]), onGpu).tolist()).toEqual([[c(1, 3)]]);
    await sameAsCpu((o) => mx.matmul(mx.zeros([2, 0], mx.complex64, o), mx.zeros([0, 3], mx.complex64, o), o));
  });

  it("folds scatters (add, multiply, maximum, minimum) as complex numbers, as the cpu", async () => {
    // folds of duplicates on small integers (exact in float32, where the reference rounds once and webgpu per step)
    const ints = (o: S) => mx.reshape(carr(Array.from({ length: 24 }, (_, i) => c(i - 7, 3 - i)), o), [2, 3, 4], o);
    for (const mode of ["add", "maximum", "minimum"] as const) await sameAsCpu((o) => mx.indexUpdate(ints(o), [mx.array([0, 0, 1], mx.int32, o)], carr([c(1, 1)], o), mode));
    await sameAsCpu((o) => mx.putAlongAxis(ints(o), mx.array([[[3, 0, 3]]], mx.int32, o), carr([c(9, -9), c(-0, 4), c(2, 2)], o), 2, o));
    // a product scatter multiplies as complex numbers (MLX): twice by 2i is -4
    expect(await sameAsCpu((o) => mx.indexUpdate(carr([c(5, -9), c(1, 1)], o), [mx.array([0, 0], mx.int32, o)], carr([c(0, 2)], o), "multiply"))).toEqual([c(-20, 36), c(1, 1)]);
    // many updates per column: the sorted path (1000 updates into 3 slots)
    const idx = (o: S) => mx.array(Array.from({ length: 1000 }, (_, i) => (i * 7) % 3), mx.int32, o);
    await sameAsCpu((o) => mx.indexUpdate(mx.zeros([3], mx.complex64, o), [idx(o)], carr(Array.from({ length: 1000 }, (_, i) => c(i % 5, -(i % 3))), o), "add"));
  });

  it("wraps every registered kernel: those outside its lists refuse complex64 before running, the moving ones see uint64 bits", () => {
    const seen: string[] = [];
    const kernel = (name: string) => ((_p: Primitive, inputs: readonly Tensor[]) => (seen.push(`${name}:${inputs.map((x) => x.dtype.name).join(",")}`), inputs[0])) as unknown as Kernel;
    const table = supportComplex64({ softmax: kernel("softmax"), add: kernel("add"), concatenate: kernel("concatenate") });
    const t = (dtype: mx.DType) => ({ dtype, shape: [2], strides: [1], offset: 0 }) as unknown as Tensor;
    const prim = (name: string) => ({ name, errorName: name }) as unknown as Primitive;
    expect(() => table.softmax!(prim("softmax"), [t(mx.complex64)], t(mx.complex64))).toThrow(/^\[softmax\] is not implemented on backend 'webgpu' for complex64/);
    table.softmax!(prim("softmax"), [t(mx.float32)], t(mx.float32));
    table.add!(prim("add"), [t(mx.complex64), t(mx.complex64)], t(mx.complex64));
    expect(table.concatenate!(prim("concatenate"), [t(mx.complex64), t(mx.complex64)], t(mx.complex64)).dtype).toBe(mx.complex64);
    expect(seen).toEqual(["softmax:float32", "add:complex64,complex64", "concatenate:uint64,uint64"]);
    const refused = Object.keys(webgpu!.kernels).filter((k) => !runsComplex64(k));
    expect(refused).toEqual(expect.arrayContaining(["sort", "softmax", "conv", "floorDivide", "max"]));
    for (const k of ["add", "divide", "sqrt", "log", "abs", "astype", "where", "sum", "prod", "matmul", "scan", "concatenate", "pad", "gatherAxis", "scatterAxis", "sliceUpdate", "view", "transpose"]) expect(refused).not.toContain(k);
  });
});
