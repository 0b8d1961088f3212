// mx.fast.rmsNorm, layerNorm and rope on every backend: known values
// (NumPy, float64), agreement with MLX's fallback compositions built from ops
// (float64 on the cpu) over dtypes, layouts, long rows, offsets, freqs and
// traditional or not, gradients against the compositions' gradients, vmap
// with batched weights, and the arguments MLX refuses.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectClose, values } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };
const f64 = (x: mx.MxArray) => mx.astype(x, mx.float64, cpu);
const kept = { axis: -1, keepdims: true, ...cpu };

/** MLX's rms_norm fallback, in float64 on the cpu. */
function rmsComposed(x: mx.MxArray, w: mx.MxArray | null, eps: number): mx.MxArray {
  const a = f64(x);
  const y = mx.multiply(a, mx.rsqrt(mx.add(mx.mean(mx.square(a, cpu), kept), Math.fround(eps), cpu), cpu), cpu);
  return w ? mx.multiply(y, f64(w), cpu) : y;
}

/** MLX's layer_norm fallback, in float64 on the cpu. */
function layerComposed(x: mx.MxArray, w: mx.MxArray | null, b: mx.MxArray | null, eps: number): mx.MxArray {
  const a = f64(x);
  const c = mx.subtract(a, mx.mean(a, kept), cpu);
  let y = mx.multiply(c, mx.rsqrt(mx.add(mx.mean(mx.square(c, cpu), kept), Math.fround(eps), cpu), cpu), cpu);
  if (w) y = mx.multiply(y, f64(w), cpu);
  return b ? mx.add(y, f64(b), cpu) : y;
}

interface RopeArgs {
  traditional: boolean;
  base: number | null;
  scale: number;
  offset: number | mx.MxArray;
  freqs?: mx.MxArray | null;
}

/** MLX's rope fallback (slices, cos and sin, concatenation), in `dtype` (float64) on stream `so` (the cpu). */
function ropeComposed(x: mx.MxArray, dims: number, p: RopeArgs, so: mx.OpOptions = cpu, dtype = mx.float64): mx.MxArray {
  const cast = (v: mx.MxArray) => mx.astype(v, dtype, so);
  const a = cast(x);
  const shape = a.shape, nd = a.ndim, h = dims / 2;
  const off = typeof p.offset === "number" ? mx.array(p.offset, dtype, so) : mx.reshape(cast(p.offset), [-1, ...Array<number>(nd - 2).fill(1)], so);
  const pos = mx.multiply(mx.add(mx.arange(0, shape[nd - 2]!, 1, { dtype, ...so }), off, so), Math.fround(p.scale), so);
  const inv = p.freqs
    ? mx.reciprocal(cast(mx.astype(p.freqs, mx.float32, so)), so)
    : mx.exp(mx.multiply(mx.arange(0, -h, -1, { dtype, ...so }), Math.log(Math.fround(p.base!)) / h, so), so);
  const theta = mx.multiply(mx.expandDims(pos, -1, so), inv, so);
  const [c, s] = [mx.cos(theta, so), mx.sin(theta, so)];
  const last = (start: number, stop: number, step = 1) => mx.slice(a, [...shape.slice(0, -1).map(() => 0), start], [...shape.slice(0, -1), stop], [...shape.slice(0, -1).map(() => 1), step], so);
  const [x1, x2] = p.traditional ? [last(0, dims, 2), last(1, dims, 2)] : [last(0, h), last(h, dims)];
  const o1 = mx.subtract(mx.multiply(x1, c, so), mx.multiply(x2, s, so), so);
  const o2 = mx.add(mx.multiply(x1, s, so), mx.multiply(x2, c, so), so);
  const rotated = p.traditional ? mx.reshape(mx.stack([o1, o2], { axis: -1, ...so }), [...shape.slice(0, -1), dims], so) : mx.concatenate([o1, o2], { axis: -1, ...so });
  return mx.concatenate([rotated, last(dims, shape[nd - 1]!)], { axis: -1, ...so });
}

/** max |got - want| / (max |want| + 1) over all elements. */
async function relativeError(got: mx.MxArray, want: mx.MxArray): Promise<number> {
  const [g, w] = [await values(got), await values(want)];
  expect(g.length).toBe(w.length);
  const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0) + 1;
  return g.reduce((m, v, i) => Math.max(m, Math.abs(v - w[i]!)), 0) / scale;
}

const UNIT: Record<string, number> = { float32: 2 ** -24, float16: 2 ** -11, bfloat16: 2 ** -8, float64: 2 ** -53 };

/** Standard normal values of `dtype` on `o`'s stream. */
const random = (shape: number[], dtype: mx.DType, seed: number, o: mx.OpOptions) =>
  mx.astype(mx.random.normal(shape, { key: mx.random.key(seed), ...o }), dtype, o);

describe.each(BACKENDS)("mx.fast norms and rope on $name", ({ device }) => {
  const o = { stream: device };
  const caps = mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes;
  const floats = [mx.float32, mx.float16, mx.bfloat16, mx.float64].filter((d) => caps.has(d));

  it("rmsNorm and layerNorm give NumPy's values, with and without weight and bias", async () => {
    const x = mx.array([[1, 2, 3], [-1, 0, 4]], mx.float32, o);
    const w = mx.array([1, 0.5, 2], mx.float32, o), b = mx.array([0, 1, -1], mx.float32, o);
    await expectClose(mx.fast.rmsNorm(x, w, 1e-5, o), [[0.4629095494747162, 0.4629095494747162, 2.7774572372436523], [-0.4200836420059204, 0, 3.3606691360473633]], 1e-6);
    await expectClose(mx.fast.layerNorm(x, w, b, 1e-5, o), [[-1.2247357368469238, 1, 1.449471354484558], [-0.9258190989494324, 0.7685452103614807, 1.777457356452942]], 1e-6, 1e-7);
    await expectClose(mx.fast.rmsNorm(mx.array([3, 4], mx.float32, o), null, 0, o), [3 / Math.sqrt(12.5), 4 / Math.sqrt(12.5)], 1e-6);
    await expectClose(mx.fast.layerNorm(mx.array([1, 3], mx.float32, o), undefined, null, 0, o), [-1, 1], 1e-6);
    await expectClose(mx.fast.layerNorm(mx.array([[1, 3]], mx.float32, o), null, mx.array([5, 6], mx.float32, o), 0, o), [[4, 7]], 1e-6);
    expect(mx.fast.rmsNorm(x, w, 1e-5, o).shape).toEqual([2, 3]);
  });

  it("rmsNorm and layerNorm match MLX's compositions for every float dtype, long and short rows, any layout", async () => {
    for (const dtype of floats) {
      for (const [shape, seed] of [[[4, 1], 1], [[3, 7], 2], [[2, 3, 64], 3], [[2, 1000], 4], [[5, 513], 5]] as [number[], number][]) {
        const d = shape[shape.length - 1]!;
        const x = random(shape, dtype, seed, o), w = random([d], dtype, seed + 10, o), b = random([d], dtype, seed + 20, o);
        // accumulation in float32 on the GPUs, then one rounding to the dtype
        const tol = 4 * UNIT[dtype.name]! + 64 * d * 2 ** -24 * (device.backend === "cpu" ? 0 : 1);
        expect(await relativeError(mx.fast.rmsNorm(x, w, 1e-5, o), rmsComposed(x, w, 1e-5)), `rmsNorm ${dtype.name} [${shape}]`).toBeLessThanOrEqual(tol);
        expect(await relativeError(mx.fast.layerNorm(x, w, b, 1e-5, o), layerComposed(x, w, b, 1e-5)), `layerNorm ${dtype.name} [${shape}]`).toBeLessThanOrEqual(2 * tol);
        expect(await relativeError(mx.fast.layerNorm(x, null, b, 1e-5, o), layerComposed(x, null, b, 1e-5)), `layerNorm bias only ${dtype.name}`).toBeLessThanOrEqual(2 * tol);
      }
      // a transposed input and a strided weight
      const xt = mx.transpose(random([6, 5], dtype, 7, o), undefined, o);
      const ws = mx.slice(random([12], dtype, 8, o), [0], [12], [2], o);
      expect(await relativeError(mx.fast.rmsNorm(xt, ws, 1e-6, o), rmsComposed(xt, ws, 1e-6))).toBeLessThanOrEqual(4 * UNIT[dtype.name]! + 1e-5);
      expect(await relativeError(mx.fast.layerNorm(xt, ws, null, 1e-6, o), layerComposed(xt, ws, null, 1e-6))).toBeLessThanOrEqual(8 * UNIT[dtype.name]! + 1e-5);
    }
  });

  it("promotes x and weight to their float type, keeps x's dtype without a weight, refuses integer results", async () => {
    if (!caps.has(mx.float16)) return;
    const x = mx.array([[1, 2]], mx.float16, o);
    expect(mx.fast.rmsNorm(x, mx.array([1, 1], mx.float32, o), 1e-5, o).dtype).toBe(mx.float32);
    expect(mx.fast.rmsNorm(x, null, 1e-5, o).dtype).toBe(mx.float16);
    // a bias alone does not promote (MLX: the output type follows x and weight)
    expect(mx.fast.layerNorm(x, null, mx.array([0, 0], mx.float32, o), 1e-5, o).dtype).toBe(mx.float16);
    expect(mx.fast.layerNorm(mx.array([[1, 2]], mx.int32, o), mx.array([1, 1], mx.float16, o), null, 1e-5, o).dtype).toBe(mx.float16);
    expect(() => mx.fast.rmsNorm(mx.array([[1, 2]], mx.int32, o), null, 1e-5, o)).toThrow(/\[fast\.rmsNorm\].*floating dtype, got int32/);
  });

  it("rope gives NumPy's values: halves or traditional pairs, shared or per-batch offsets, dims below D", async () => {
    const x = mx.divide(mx.reshape(mx.arange(0, 24, 1, { dtype: mx.float32, ...o }), [2, 1, 3, 4], o), 10, o);
    await expectClose(mx.fast.rope(x, 4, { traditional: false, base: 10000, scale: 1, offset: 2, ...o }), [
      [[[-0.18185947835445404, 0.09398040175437927, -0.08322937041521072, 0.30193987488746643], [-0.4806689918041229, 0.4787781536579132, -0.5375474691390991, 0.7146827578544617], [0.23388759791851044, 0.8552918434143066, -1.2590856552124023, 1.1351104974746704]]],
      [[[-1.7723926305770874, 1.2697420120239258, 0.5085513591766357, 1.5256983041763306], [-1.8380039930343628, 1.6422436237335205, -1.5561944246292114, 1.9501373767852783], [0.35767823457717896, 2.006344795227051, -2.9516210556030273, 2.3821377754211426]]],
    ], 1e-5, 1e-6);
    await expectClose(mx.fast.rope(x, 2, { traditional: true, base: 100, scale: 0.5, offset: mx.array([0, 3], mx.int32, o), ...o }), [
      [[[0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896], [0.11132025718688965, 0.6305614709854126, 0.6000000238418579, 0.699999988079071], [-0.32508203387260437, 1.1594488620758057, 1, 1.100000023841858]]],
      [[[-1.211858868598938, 1.288952350616455, 1.399999976158142, 1.5], [-2.2116405963897705, 0.7474262714385986, 1.7999999523162842, 1.899999976158142], [-2.8590786457061768, -0.48545730113983154, 2.200000047683716, 2.299999952316284]]],
    ], 1e-5, 1e-6);
  });

  it("rope matches MLX's composition over dtypes, ranks 3 to 5, offsets, freqs, scale and both pairings", async () => {
    const cases: [number[], number, RopeArgs][] = [
      [[2, 5, 8], 8, { traditional: false, base: 10000, scale: 1, offset: 0 }],
      [[2, 5, 8], 6, { traditional: true, base: 10000, scale: 1, offset: 7 }],
      [[3, 2, 4, 6], 4, { traditional: false, base: 500, scale: 0.25, offset: mx.array([1, 40, 900], mx.int32) }],
      [[3, 2, 4, 6], 6, { traditional: true, base: null, scale: 2, offset: mx.array([5], mx.uint8), freqs: mx.array([1, 30, 700], mx.float32) }],
      [[2, 2, 2, 3, 10], 10, { traditional: false, base: null, scale: 1, offset: -4, freqs: mx.array([2, 4, 8, 16, 32], mx.float16) }],
      [[1, 3, 300, 64], 64, { traditional: false, base: 10000, scale: 1, offset: 4000 }],
    ];
    for (const dtype of floats) {
      for (const [k, [shape, dims, p]] of cases.entries()) {
        const x = random(shape, dtype, 30 + k, o);
        const got = mx.fast.rope(x, dims, { ...p, ...o });
        expect(got.dtype).toBe(dtype);
        // the float32 angle's error grows with the position (4300 at most here)
        const tol = 4 * UNIT[dtype.name]! + (device.backend === "cpu" ? 0 : 64 * 2 ** -24 * 4400);
        expect(await relativeError(got, ropeComposed(x, dims, p)), `${dtype.name} case ${k}`).toBeLessThanOrEqual(tol);
      }
    }
  });

  it("rope's inverse (its vjp) undoes it, and jvp rotates the tangent", async () => {
    const x = random([2, 3, 4, 8], mx.float32, 50, o);
    const p = { traditional: true, base: 10000, scale: 1, offset: mx.array([3, 17], mx.int32, o), ...o };
    const f = (a: mx.MxArray) => mx.fast.rope(a, 8, p);
    const y = f(x);
    const [, [back]] = mx.vjp(f, [x], [y]);
    expect(await relativeError(back!, f64(x))).toBeLessThanOrEqual(1e-6);
    const [, [t]] = mx.jvp(f, [x], [x]);
    expect(await relativeError(t!, f64(y))).toBeLessThanOrEqual(1e-6);
  });

  it("gradients of x, weight and bias equal those of the compositions", async () => {
    const x = random([3, 2, 37], mx.float32, 60, o), w = random([37], mx.float32, 61, o), b = random([37], mx.float32, 62, o);
    const v = random([3, 2, 37], mx.float32, 63, o);
    const fused = (f: (...a: mx.MxArray[]) => mx.MxArray) => (...a: mx.MxArray[]) => mx.sum(mx.multiply(f(...a), v, o), o);
    // the compositions on this stream, in float32
    const rmsOps = (a: mx.MxArray, ww: mx.MxArray) => mx.multiply(mx.multiply(a, mx.rsqrt(mx.add(mx.mean(mx.square(a, o), { axis: -1, keepdims: true, ...o }), 1e-5, o), o), o), ww, o);
    const layerOps = (a: mx.MxArray, ww: mx.MxArray, bb: mx.MxArray) => {
      const c = mx.subtract(a, mx.mean(a, { axis: -1, keepdims: true, ...o }), o);
      return mx.add(mx.multiply(mx.multiply(c, mx.rsqrt(mx.add(mx.mean(mx.square(c, o), { axis: -1, keepdims: true, ...o }), 1e-5, o), o), o), ww, o), bb, o);
    };
    const pairs: [string, (...a: mx.MxArray[]) => mx.MxArray, (...a: mx.MxArray[]) => mx.MxArray, mx.MxArray[]][] = [
      ["rmsNorm", (a, ww) => mx.fast.rmsNorm(a, ww!, 1e-5, o), rmsOps, [x, w]],
      ["layerNorm", (a, ww, bb) => mx.fast.layerNorm(a, ww!, bb!, 1e-5, o), layerOps, [x, w, b]],
      ["rope", (a) => mx.fast.rope(mx.reshape(a, [3, 2, 1, 37], o), 36, { traditional: false, base: 10000, scale: 1, offset: 5, ...o }), (a) => mx.reshape(ropeComposed(mx.reshape(a, [3, 2, 1, 37], o), 36, { traditional: false, base: 10000, scale: 1, offset: 5 }, o, mx.float32), [3, 2, 37], o), [x]],
    ];
    for (const [name, f, g, args] of pairs) {
      const argnums = args.map((_, i) => i);
      const got = mx.grad(fused((...a) => mx.reshape(f(...a), [3, 2, 37], o)), { argnums })(...args) as mx.MxArray[];
      const want = mx.grad(fused(g), { argnums })(...args) as mx.MxArray[];
      for (let i = 0; i < args.length; i++) expect(await relativeError(got[i]!, want[i]!), `${name} d/d input ${i}`).toBeLessThanOrEqual(2e-5);
    }
    // without a weight, the weight's cotangent does not exist; x's still flows
    const gx = mx.grad((a: mx.MxArray) => mx.sum(mx.fast.layerNorm(a, null, null, 1e-5, o), o))(x);
    expect(Math.max(...(await values(gx)).map(Math.abs))).toBeLessThan(1e-4);
  });

  it("derivatives of float16 norms are computed in float32 (rows whose squares overflow float16), as MLX's kernels", async () => {
    // rows of +-512 and +-256: x^2 reaches 262144, past float16's 65504
    const rows = [[512, -512, 256, -256, 512, -256], [-256, 256, 512, -512, -256, 512]];
    const v = mx.array([[1, 2, -1, 0.5, -2, 1], [0.25, -1, 2, 1, -0.5, 1]], mx.float32, o);
    const norms: [string, (a: mx.MxArray) => mx.MxArray][] = [
      ["rmsNorm", (a) => mx.fast.rmsNorm(a, mx.onesLike(a.get(0), o), 1e-5, o)],
      ["layerNorm", (a) => mx.fast.layerNorm(a, mx.onesLike(a.get(0), o), mx.zerosLike(a.get(0), o), 1e-5, o)],
    ];
    for (const [name, f] of norms) {
      const loss = (a: mx.MxArray) => mx.sum(mx.multiply(mx.astype(f(a), mx.float32, o), v, o), o);
      const x16 = mx.array(rows, mx.float16, o), x32 = mx.array(rows, mx.float32, o);
      const got = mx.grad(loss)(x16) as mx.MxArray;
      expect(got.dtype, name).toBe(mx.float16);
      const want = mx.astype(mx.grad(loss)(x32) as mx.MxArray, mx.float16, o);
      // the float32 rule rounded once to float16: within a float16 ulp or two of the largest entry
      const [g, w] = [await values(got), await values(want)];
      const largest = Math.max(...w.map(Math.abs));
      expect(largest, name).toBeGreaterThan(1e-4);
      g.forEach((e, i) => expect(Math.abs(e - w[i]!), `${name} grad ${i}`).toBeLessThanOrEqual(2 ** -10 * largest));
      const tangent = mx.array([[1, 0, -1, 2, 0, 1], [0, 1, 1, -1, 2, 0]], mx.float32, o);
      const [, [t16]] = mx.jvp(f, [x16], [mx.astype(tangent, mx.float16, o)]);
      const [, [t32]] = mx.jvp(f, [x32], [tangent]);
      const [a, b] = [await values(t16!), await values(t32!)];
      const top = Math.max(...b.map(Math.abs));
      expect(top, name).toBeGreaterThan(1e-4);
      a.forEach((e, i) => expect(Math.abs(e - b[i]!), `${name} jvp ${i}`).toBeLessThanOrEqual(2 ** -10 * top));
    }
  });

  it("vmap over x and a batched weight or offset equals the stacked results", async () => {
    const x = random([3, 4, 6], mx.float32, 70, o), w = random([3, 6], mx.float32, 71, o), b = random([6], mx.float32, 72, o);
    const f = (a: mx.MxArray, ww: mx.MxArray) => mx.fast.layerNorm(a, ww, b, 1e-5, o);
    const got = mx.vmap(f, { inAxes: [0, 0] })(x, w) as mx.MxArray;
    const want = mx.stack([0, 1, 2].map((k) => f(mx.take(x, k, 0, o), mx.take(w, k, 0, o))), { axis: 0, ...o });
    expect(await relativeError(got, want)).toBeLessThanOrEqual(1e-6);
    const r = (a: mx.MxArray, off: mx.MxArray) => mx.fast.rope(a, 4, { traditional: false, base: 10000, scale: 1, offset: off, ...o });
    const xs = random([2, 2, 3, 6], mx.float32, 73, o), offs = mx.array([[1, 2], [30, 40]], mx.int32, o);
    const gotR = mx.vmap(r, { inAxes: [0, 0] })(xs, offs) as mx.MxArray;
    const wantR = mx.stack([0, 1].map((k) => r(mx.take(xs, k, 0, o), mx.take(offs, k, 0, o))), { axis: 0, ...o });
    expect(await relativeError(gotR, wantR)).toBeLessThanOrEqual(1e-6);
    const gotX = mx.vmap((a: mx.MxArray) => r(a, mx.array([1, 2], mx.int32, o)), { inAxes: [2] })(xs) as mx.MxArray;
    const wantX = mx.stack([0, 1, 2].map((k) => r(mx.take(xs, k, 2, o), mx.array([1, 2], mx.int32, o))), { axis: 0, ...o });
    expect(await relativeError(gotX, wantX)).toBeLessThanOrEqual(1e-6);
  });

  it("random rows: the fused norms stay within the float32 accumulation bound of the float64 compositions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 300 }), fc.nat(), fc.double({ min: -3, max: 3, noNaN: true }), async (rows, d, seed, shift) => {
        const x = mx.add(random([rows, d], mx.float32, seed, o), shift * 100, o);
        const tol = device.backend === "cpu" ? 2 ** -24 : 16 * (d + 8) * 2 ** -24;
        expect(await relativeError(mx.fast.rmsNorm(x, null, 1e-5, o), rmsComposed(x, null, 1e-5))).toBeLessThanOrEqual(tol);
        // centering rows of mean up to 300 and unit spread costs up to 300 x the accumulation error
        expect(await relativeError(mx.fast.layerNorm(x, null, null, 1e-5, o), layerComposed(x, null, null, 1e-5))).toBeLessThanOrEqual(tol * (1 + Math.abs(shift) * 100));
      }),
      { numRuns: 8 },
    );
  });

  it("refuses what MLX refuses, naming the function and the argument", () => {
    const x = mx.ones([2, 3, 4], mx.float32, o);
    expect(() => mx.fast.rmsNorm(mx.array(1, mx.float32, o), null, 1e-5, o)).toThrow(/^\[fast\.rmsNorm\] x must have at least 1 dimension/);
    expect(() => mx.fast.rmsNorm(x, mx.ones([3], mx.float32, o), 1e-5, o)).toThrow(/^\[fast\.rmsNorm\] weight must have the size of the last dimension of x \(4\)/);
    expect(() => mx.fast.layerNorm(x, null, mx.ones([1, 4], mx.float32, o), 1e-5, o)).toThrow(/^\[fast\.layerNorm\] bias must have 1 dimension/);
    expect(() => mx.fast.layerNorm(x, null, null, NaN, o)).toThrow(/^\[fast\.layerNorm\] eps must be a finite number/);
    const p = { traditional: false, base: 10000, scale: 1, offset: 0, ...o };
    expect(() => mx.fast.rope(mx.ones([3, 4], mx.float32, o), 4, p)).toThrow(/^\[fast\.rope\] x must have at least 3 dimensions/);
    expect(() => mx.fast.rope(x, 3, p)).toThrow(/^\[fast\.rope\] dims must be a positive even integer/);
    expect(() => mx.fast.rope(x, 6, p)).toThrow(/^\[fast\.rope\] dims must be .* at most the last dimension of x \(4\)/);
    expect(() => mx.fast.rope(x, 4, { ...p, freqs: mx.ones([2], mx.float32, o) })).toThrow(/^\[fast\.rope\] base is 10000 and freqs are given/);
    expect(() => mx.fast.rope(x, 4, { ...p, base: null })).toThrow(/^\[fast\.rope\] base is null and no freqs/);
    expect(() => mx.fast.rope(x, 4, { ...p, base: null, freqs: mx.ones([4], mx.float32, o) })).toThrow(/^\[fast\.rope\] freqs must be 1-D with dims \/ 2 = 2 elements/);
    expect(() => mx.fast.rope(x, 4, { ...p, offset: mx.array([1, 2, 3], mx.int32, o) })).toThrow(/^\[fast\.rope\] offset must be a scalar or have one element per batch entry \(2\)/);
    expect(() => mx.fast.rope(x, 4, { ...p, offset: mx.array([1.5], mx.float32, o) })).toThrow(/^\[fast\.rope\] offset must be an integer array, got float32/);
    expect(() => mx.fast.rope(x, 4, { ...p, offset: 0.5 })).toThrow(/^\[fast\.rope\] offset must be an integer/);
    expect(() => mx.fast.rope(x, 4, { ...p, bogus: 1 } as unknown as RopeArgs)).toThrow(/^\[fast\.rope\] unknown option 'bogus'/);
    expect(() => mx.fast.rope(x, 4, { traditional: false, scale: 1, offset: 0 } as unknown as RopeArgs)).toThrow(/^\[fast\.rope\] options must give .*; missing: base/);
  });
});
