// complex64 on the metal backend (MSL float2: real, imaginary part): storage,
// every copy and layout kernel, astype to and from every dtype, the
// elementwise ops the reference defines (branch cuts, signed zeros,
// infinities as backends/cpu/complex.ts has them), where, sum, prod and
// matmul against the cpu reference; the other families refuse complex64 by name.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { complexBound } from "../conformance/contracts.js";

const metal = findBackend("metal");
const onMetal = { stream: mx.metal };
const onCpu = { stream: mx.cpu };
type S = typeof onCpu;
type Z = { re: number; im: number };

const U = 2 ** -24;
const c = (re: number, im: number): Z => ({ re, im });
const carr = (zs: readonly Z[], o: S) => mx.array([...zs], mx.complex64, o);

/** Signed zeros spelled out so toEqual tells them apart ("-0"). */
const ident = (v: unknown): unknown =>
  typeof v === "number" ? (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, ident(x)])) : v;
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** `f` on metal and on the cpu: the same dtype, shape and values, signed zeros and NaN included. */
async function sameAsCpu(f: (o: S) => mx.MxArray): Promise<unknown[]> {
  const want = f(onCpu), got = f(onMetal);
  expect(got.dtype.name).toBe(want.dtype.name);
  expect([...got.shape]).toEqual([...want.shape]);
  const w = flat(await want.tolist()).map(ident);
  expect(flat(await got.tolist()).map(ident)).toEqual(w);
  return w;
}

/**
 * `f` (a complex or real float result) on metal within c n u |w| + a u per component of the cpu's w
 * (conformance/contracts.ts METAL_COMPLEX; n: `terms`, 1 but for prod), plus 2 float32 subnormal steps; infinities, NaN and
 * (for bounds without an absolute term) zeros exactly, signs included.
 */
async function closeToCpu(op: string, f: (o: S) => mx.MxArray, terms = 1): Promise<number> {
  const { a } = complexBound(op);
  const k = complexBound(op).c * terms;
  const want = f(onCpu), got = f(onMetal);
  expect(got.dtype.name).toBe(want.dtype.name);
  // complex64 reads as interleaved (re, im) float32 words
  const w = Array.from(want.dataSync() as Float32Array), g = Array.from(got.dataSync() as Float32Array);
  const step = want.dtype === mx.complex64 ? 2 : 1;
  let worst = 0;
  for (let i = 0; i < w.length; i++) {
    const base = i - (i % step);
    // a finite part beside an infinite one is bounded by its own magnitude
    const pair = step === 2 ? Math.hypot(w[base]!, w[base + 1]!) : Math.abs(w[i]!);
    const mag = Number.isFinite(pair) ? pair : Math.abs(w[i]!);
    // a zero is exact unless the bound has an absolute term (formulas through log carry a few u there)
    if (!Number.isFinite(mag) || !Number.isFinite(w[i]!) || (w[i] === 0 && a === 0)) {
      expect(ident(g[i]), `${op} element ${i}`).toEqual(ident(w[i]));
      continue;
    }
    const err = Math.abs(g[i]! - w[i]!);
    expect(err, `element ${i}: got ${g[i]}, want ${w[i]}`).toBeLessThanOrEqual(k * U * mag + a * U + 2 ** -148);
    if (mag > 0) worst = Math.max(worst, err / (U * mag));
  }
  return worst;
}

/** Deterministic complex values over many magnitudes and all four quadrants. */
function sweep(n: number, maxExp: number): Z[] {
  let s = 7;
  const r = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const part = () => (r() < 0.5 ? -1 : 1) * Math.exp((2 * r() - 1) * maxExp);
  return Array.from({ length: n }, () => c(part(), part()));
}

describe.skipIf(!metal)("complex64 on metal", () => {
  it("holds complex64 as (real, imaginary) float32 pairs", async () => {
    expect(metal!.capabilities.dtypes.has(mx.complex64)).toBe(true);
    const zs = [c(1, -2), c(-0, 0), c(Infinity, NaN), c(1e-45, -3e38)];
    const x = carr(zs, onMetal);
    expect(Array.from(x.dataSync() as Float32Array).map(ident)).toEqual([1, -2, "-0", 0, Infinity, "NaN", Math.fround(1e-45), Math.fround(-3e38)]);
    expect((await mx.add(x, carr([c(0, 0)], onMetal), onMetal).tolist() as Z[]).map(ident)).toEqual([c(1, -2), c(0, 0), c(Infinity, NaN), c(Math.fround(1e-45), Math.fround(-3e38))].map(ident));
  });

  it("copies through every layout kernel as the cpu does", async () => {
    const zs = sweep(24, 5);
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
    // folds of duplicates on small integers (exact in float32, where the reference rounds once and metal per step)
    const ints = (o: S) => mx.reshape(carr(Array.from({ length: 24 }, (_, i) => c(i - 7, 3 - i)), o), [2, 3, 4], o);
    await sameAsCpu((o) => mx.indexUpdate(ints(o), [mx.array([0, 0, 1], mx.int32, o)], carr([c(1, 1)], o), "add"));
    // a product scatter multiplies as complex numbers (MLX): twice by 2i is -4
    const doubled = (o: S) => mx.indexUpdate(carr([c(5, -9), c(1, 1)], o), [mx.array([0, 0], mx.int32, o)], carr([c(0, 2)], o), "multiply");
    expect(await sameAsCpu(doubled)).toEqual([c(-20, 36), c(1, 1)]);
    await sameAsCpu((o) => mx.contiguous(mx.transpose(base(o), undefined, o), false, o));
    await sameAsCpu((o) => mx.view(mx.transpose(base(o), undefined, o), mx.float32, o));
  });

  it("casts to and from every dtype as the reference (the real part kept, imaginary 0 added)", async () => {
    const zs = [c(1.5, 2), c(-3.7, -1), c(300.25, 1e-3), c(-0, 5), c(NaN, 1), c(Infinity, 0), c(-Infinity, 2), c(70000, -1), c(2 ** 40 + 3, 0)];
    for (const d of [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.bfloat16, mx.float32]) {
      await sameAsCpu((o) => mx.astype(carr(zs, o), d, o));
      await sameAsCpu((o) => mx.astype(mx.astype(carr(zs, o), d, o), mx.complex64, o));
    }
    await sameAsCpu((o) => mx.astype(mx.array([2 ** 53 + 1, -(2 ** 40) - 1], mx.int64, o), mx.complex64, o));
    expect(await mx.astype(mx.array([16777217], mx.int32, onMetal), mx.complex64, onMetal).tolist()).toEqual([c(16777216, 0)]);
  });

  it("follows the reference's branch cuts, signed zeros and infinities", async () => {
    // sqrt and log on the negative real axis: the sign of the imaginary zero picks the side
    const cut = [c(-4, 0), c(-4, -0), c(-0, 0), c(0, -0), c(-0, -0)];
    expect((await mx.sqrt(carr(cut, onMetal), onMetal).tolist() as Z[]).map(ident)).toEqual([c(0, 2), c(0, -2), c(0, 0), c(0, -0), c(0, -0)].map(ident));
    const logs = (await mx.log(carr(cut.slice(0, 2), onMetal), onMetal).tolist()) as Z[];
    expect(logs).toEqual([c(Math.fround(Math.log(4)), Math.fround(Math.PI)), c(Math.fround(Math.log(4)), -Math.fround(Math.PI))]);
    expect((await mx.log(carr([c(0, 0)], onMetal), onMetal).tolist() as Z[]).map(ident)).toEqual([ident(c(-Infinity, 0))]);
    const special = [c(Infinity, 0), c(-Infinity, 0), c(Infinity, 1), c(-Infinity, 1), c(1, Infinity), c(NaN, 0), c(0, NaN), c(-0, -0), c(0, 1e-45), c(3e38, 3e38), c(-1e-40, 2e-40)];
    const unary = (op: string) => (o: S) => (mx as unknown as Record<string, (x: mx.MxArray, o: S) => mx.MxArray>)[op]!(carr(special, o), o);
    for (const op of ["sqrt", "log", "exp", "sin", "cos", "abs", "square", "reciprocal"]) await closeToCpu(op, unary(op));
    for (const op of ["negative", "isnan", "isinf", "isfinite"]) await sameAsCpu(unary(op));
    // division by zero and by infinities (Smith's algorithm, as the reference)
    const x = (o: S) => carr([c(1, 2), c(-0, 0), c(Infinity, 1), c(1, 1), c(NaN, 0), c(-0, 3)], o);
    const y = (o: S) => carr([c(0, 0), c(0, -0), c(2, Infinity), c(1, 1), c(NaN, 0), c(0, -0)], o);
    for (const op of ["divide", "multiply"] as const) await closeToCpu(op, (o) => mx[op](x(o), y(o), o));
    for (const op of ["add", "subtract", "equal", "notEqual"] as const) await sameAsCpu((o) => mx[op](x(o), y(o), o));
    expect(await mx.abs(carr([c(3, 4), c(Infinity, NaN), c(3e38, 3e38), c(1e-40, 1e-40)], onMetal), onMetal).tolist()).toEqual([5, Infinity, Infinity, Math.fround(Math.SQRT2 * Math.fround(1e-40))]);
  });

  it("keeps each op within its stated c u |w| bound over many magnitudes", async () => {
    const wide = sweep(2048, 25), mid = sweep(2048, 4);
    const a = (zs: Z[]) => (o: S) => carr(zs, o);
    for (const op of ["sqrt", "rsqrt", "log", "log2", "log10", "round", "abs", "square", "reciprocal", "negative"]) await closeToCpu(op, (o) => (mx as unknown as Record<string, (x: mx.MxArray, o: S) => mx.MxArray>)[op]!(a(wide)(o), o));
    for (const op of ["exp", "sin", "cos"]) await closeToCpu(op, (o) => (mx as unknown as Record<string, (x: mx.MxArray, o: S) => mx.MxArray>)[op]!(a(mid)(o), o));
    const other = sweep(2048 + 5, 25).slice(5);
    for (const op of ["add", "subtract", "multiply", "divide"] as const) await closeToCpu(op, (o) => mx[op](a(wide)(o), a(other)(o), o));
  });

  it("computes tan, tanh, sinh, cosh, arcsin, arccos, arctan, sign and power within their bounds, special values as the cpu", async () => {
    const special = [c(Infinity, 0), c(-Infinity, 1), c(1, Infinity), c(NaN, 0), c(0, NaN), c(-0, -0), c(0, 1e-45), c(100, 1e-40), c(-200, 0), c(30, 2), c(0.5, 50)];
    const unary = (op: string, zs: Z[]) => (o: S) => (mx as unknown as Record<string, (x: mx.MxArray, o: S) => mx.MxArray>)[op]!(carr(zs, o), o);
    for (const op of ["sinh", "cosh", "tanh", "tan", "sign"]) await closeToCpu(op, unary(op, special));
    const mid = sweep(2048, 4), small = sweep(2048, 1.5), wide = sweep(2048, 25);
    for (const op of ["sinh", "cosh", "tanh", "tan", "arcsin", "arccos", "arctan"]) await closeToCpu(op, unary(op, mid));
    for (const op of ["arcsin", "arccos", "arctan"]) await closeToCpu(op, unary(op, sweep(2048, 13)));
    await closeToCpu("sign", unary("sign", wide));
    // 0^w is 0 (MLX), NaN for a NaN exponent
    const base = [...small.slice(0, 2040), c(0, 0), c(-0, 0), c(2, 0), c(-1, 0)], expo = [...sweep(2044, 1.2).slice(0, 2040), c(0, 0), c(NaN, 1), c(0.5, 0), c(0.5, 0)];
    expect(await sameAsCpu((o) => mx.slice(mx.power(carr(base, o), carr(expo, o), o), [2040], [2042], undefined, o))).toEqual([c(0, 0), c(NaN, NaN)].map(ident));
    await closeToCpu("power", (o) => mx.power(carr(base, o), carr(expo, o), o));
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
    // maximum / minimum: a NaN in x is kept, y on ties and where y holds the NaN
    expect(await sameAsCpu((o) => mx.maximum(x(o), y(o), o))).toEqual([c(1, 3), c(1, 3), c(-1, 9), c(2, -5), c(NaN, 0), c(NaN, 0), c(3, NaN), c(0, 1)].map(ident));
    expect(await sameAsCpu((o) => mx.minimum(x(o), y(o), o))).toEqual([c(1, 2), c(1, 3), c(-2, 0), c(2, -6), c(NaN, 0), c(NaN, 0), c(3, NaN), c(0, 1)].map(ident));
    const degrees = await sameAsCpu((o) => mx.angle(x(o), { deg: true, ...o }));
    [63.43494882292201, 71.56505117707799, 96.34019174590992, -68.19859051364818, NaN, 0, NaN, 90].forEach((v, i) => (Number.isNaN(v) ? expect(degrees[i]).toBe("NaN") : expect(degrees[i] as number).toBeCloseTo(v, 4)));
  });

  it("selects with where and derives real, imag and conj as the cpu does", async () => {
    const x = (o: S) => carr([c(1, 2), c(-0, -3), c(4, -0)], o), y = (o: S) => carr([c(9, 9)], o);
    await sameAsCpu((o) => mx.where(mx.array([true, false, true], mx.bool, o), x(o), y(o), o));
    await sameAsCpu((o) => mx.real(x(o), o));
    await sameAsCpu((o) => mx.imag(x(o), o));
    await sameAsCpu((o) => mx.conj(x(o), o));
    await sameAsCpu((o) => mx.all(x(o), o));
    await sameAsCpu((o) => mx.any(mx.reshape(x(o), [3, 1], o), { axis: 1, ...o }));
  });

  it("sums and multiplies along axes within the float32 condition bound", async () => {
    // each component within c n u sum |terms| (n = 700: a threadgroup per output; 3: a thread; 40000: chunk partials folded again)
    for (const [shape, axis] of [[[3, 700], 1], [[3, 700], 0], [[40000], 0]] as const) {
      const zs = sweep(shape.reduce((p, d) => p * d, 1), 1);
      const x = (o: S) => mx.reshape(carr(zs, o), [...shape], o);
      const got = mx.sum(x(onMetal), { axis, ...onMetal }).dataSync() as Float32Array;
      const want = mx.sum(x(onCpu), { axis, ...onCpu }).dataSync() as Float32Array;
      const terms = mx.sum(mx.abs(mx.view(mx.expandDims(x(onCpu), -1, onCpu), mx.float32, onCpu), onCpu), { axis, ...onCpu }).dataSync() as Float32Array;
      const k = complexBound("sum").c * shape[axis]! * U;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `${shape} axis ${axis} component ${i}`).toBeLessThanOrEqual(k * terms[i]!);
    }
    // products near the unit circle (no overflow): (1 + i)^8 = 16 exactly
    expect(await mx.prod(carr(Array(8).fill(c(1, 1)), onMetal), onMetal).tolist()).toEqual(c(16, 0));
    const unit = sweep(5 * 100, 0.05);
    await closeToCpu("prod", (o) => mx.prod(mx.reshape(carr(unit, o), [5, 100], o), { axis: 1, ...o }), 100);
    await sameAsCpu((o) => mx.sum(mx.zeros([0, 3], mx.complex64, o), { axis: 0, ...o }));
    await sameAsCpu((o) => mx.prod(mx.zeros([2, 0], mx.complex64, o), { axis: 1, ...o }));
  });

  it("multiplies matrices (batched, transposed operands) within c K u (|A| @ |B|)", async () => {
    const A = sweep(2 * 37 * 45, 2), B = sweep(45 * 33 + 11, 2).slice(11);
    const a = (o: S) => mx.reshape(carr(A, o), [2, 37, 45], o), b = (o: S) => mx.transpose(mx.reshape(carr(B, o), [33, 45], o), undefined, o);
    const got = mx.matmul(a(onMetal), b(onMetal), onMetal).dataSync() as Float32Array;
    const want = mx.matmul(a(onCpu), b(onCpu), onCpu).dataSync() as Float32Array;
    const mag = mx.matmul(mx.abs(a(onCpu), onCpu), mx.abs(b(onCpu), onCpu), onCpu).dataSync() as Float32Array;
    const k = complexBound("matmul").c * 45 * U;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `component ${i}`).toBeLessThanOrEqual(k * mag[i >> 1]!);
    expect(await mx.matmul(carr([c(0, 1), c(1, 0)], onMetal).reshape([1, 2]), carr([c(0, 1), c(2, 3)], onMetal).reshape([2, 1]), onMetal).tolist()).toEqual([[c(1, 3)]]);
  });

  it("scans running sums and products (a thread per line, tiles, several tiles per line) within c n u bounds", async () => {
    // (1 + i)^k exactly: products of small Gaussian integers
    expect(await mx.cumprod(carr(Array(4).fill(c(1, 1)), onMetal), { axis: 0, ...onMetal }).tolist()).toEqual([c(1, 1), c(0, 2), c(-2, 2), c(-4, 0)]);
    for (const [shape, axis] of [[[9], 0], [[3, 5000], 1], [[5000, 2], 0]] as const) {
      const n = shape[axis]!;
      const zs = sweep(shape.reduce((p, d) => p * d, 1), 0.01);
      for (const reverse of [false, true]) for (const inclusive of [true, false]) {
        const o2 = { axis, reverse, inclusive };
        const x = (o: S) => mx.reshape(carr(zs, o), [...shape], o);
        const got = mx.cumsum(x(onMetal), { ...o2, ...onMetal }).dataSync() as Float32Array;
        const want = mx.cumsum(x(onCpu), { ...o2, ...onCpu }).dataSync() as Float32Array;
        // each component within 2 n u (the running sum of |parts|)
        const terms = mx.cumsum(mx.abs(mx.view(mx.expandDims(x(onCpu), -1, onCpu), mx.float32, onCpu), onCpu), { ...o2, ...onCpu }).dataSync() as Float32Array;
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `cumsum ${shape} ${JSON.stringify(o2)} component ${i}`).toBeLessThanOrEqual(complexBound("sum").c * n * U * terms[i]! + 2 ** -140);
        // points on the unit circle: running products neither overflow nor underflow
        const unit = (o: S) => mx.reshape(carr(zs.map((_, i) => c(Math.cos(0.7 * i), Math.sin(0.7 * i))), o), [...shape], o);
        const pw = mx.cumprod(unit(onMetal), { ...o2, ...onMetal }).dataSync() as Float32Array;
        const pc = mx.cumprod(unit(onCpu), { ...o2, ...onCpu }).dataSync() as Float32Array;
        for (let i = 0; i < pc.length; i++) {
          const mag = Math.hypot(pc[i - (i % 2)]!, pc[i - (i % 2) + 1]!);
          expect(Math.abs(pw[i]! - pc[i]!), `cumprod ${shape} ${JSON.stringify(o2)} component ${i}`).toBeLessThanOrEqual(complexBound("prod").c * n * U * mag + 2 ** -140);
        }
      }
    }
  });

  it("scatters with maximum and minimum in MLX's order (real part, then imaginary) as the cpu does", async () => {
    const zs = [c(1, 2), c(3, 4), c(1, -1), c(NaN, 0)];
    const ups = [c(1, 5), c(2, 9), c(1, -3), c(0, 0), c(3, 4)];
    for (const mode of ["maximum", "minimum"] as const) {
      const run = (o: S) => mx.indexUpdate(carr(zs, o), [mx.array([0, 1, 2, 3, 1], mx.int32, o)], carr(ups, o), mode).dataSync() as Float32Array;
      expect([...run(onMetal)], mode).toEqual([...run(onCpu)]);
    }
  });
});
