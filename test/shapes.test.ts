// The composite ops of issue 13's utilities family on every backend: layout
// (flip, roll, tile, repeat, unflatten, unstack, atleast*, meshgrid, the
// triangles and diagonals), elementwise and reduction composites, the window
// functions and the new random samplers; known values from NumPy and MLX's
// documented semantics, and the errors that name the op and the argument.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose } from "./helpers/backends.js";

describe.each(BACKENDS)("layout composites on $name", ({ device }) => {
  const o = { stream: device };
  const m34 = () => mx.reshape(mx.arange(12, o), [3, 4], o);

  it("flip reverses the given axes, all by default", async () => {
    await expectArray(mx.flip(m34(), null, o), [[11, 10, 9, 8], [7, 6, 5, 4], [3, 2, 1, 0]]);
    await expectArray(mx.flip(m34(), 0, o), [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]);
    await expectArray(mx.flip(m34(), [-1], o), [[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]);
    await expectArray(mx.flip(mx.array(5, mx.int32, o), null, o), 5);
  });

  it("MLX's keyword arguments as options: axis of take, takeAlongAxis, squeeze, expandDims and flip, decimals of round", async () => {
    const x = m34();
    await expectArray(mx.take(x, mx.array([2, 0], mx.int32, o), { axis: 1, ...o }), [[2, 0], [6, 4], [10, 8]]);
    await expectArray(mx.take(x, mx.array([5], mx.int32, o), o), [5]);
    await expectArray(mx.takeAlongAxis(x, mx.array([[1], [0], [3]], mx.int32, o), { axis: 1, ...o }), [[1], [4], [11]]);
    expect(mx.squeeze(mx.zeros([1, 3, 1], mx.float32, o), { axis: 0, ...o }).shape).toEqual([3, 1]);
    expect(mx.expandDims(mx.zeros([3], mx.float32, o), { axis: [0, -1], ...o }).shape).toEqual([1, 3, 1]);
    expect(mx.zeros([1, 2], mx.float32, o).squeeze({ axis: 0 }).shape).toEqual([2]);
    await expectArray(mx.flip(x, { axis: 0, ...o }), [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]);
    await expectArray(mx.round(mx.array([15, 25, 126], mx.int32, o), { decimals: -1, ...o }), [20, 20, 130]);
    expect(() => mx.take(x, 0, 1, { axis: 0 } as never)).toThrow(/\[take\] axis given twice/);
    expect(() => mx.squeeze(x, { axes: 0 } as never)).toThrow(/\[squeeze\] unknown option 'axes'/);
    expect(() => mx.round(x, { decimals: 1 }, o)).toThrow(/\[round\]/);
  });

  it("roll wraps along an axis, several axes, or the flattened array", async () => {
    await expectArray(mx.roll(m34(), 1, undefined, o), [[11, 0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10]]);
    await expectArray(mx.roll(m34(), -5, 1, o), [[1, 2, 3, 0], [5, 6, 7, 4], [9, 10, 11, 8]]);
    await expectArray(mx.roll(m34(), [1, 2], [0, 1], o), [[10, 11, 8, 9], [2, 3, 0, 1], [6, 7, 4, 5]]);
    await expectArray(mx.roll(m34(), 2, [0, 1], o), [[6, 7, 4, 5], [10, 11, 8, 9], [2, 3, 0, 1]]);
    await expectArray(mx.roll(mx.zeros([0, 2], mx.int32, o), 3, 0, o), []);
    expect(() => mx.roll(m34(), [1, 2, 3], [0, 1], o)).toThrow(/\[roll\].*3 shifts for 2 axes/);
    await expectArray(mx.roll(m34(), -5, { axis: 1, ...o }), [[1, 2, 3, 0], [5, 6, 7, 4], [9, 10, 11, 8]]);
    expect(() => mx.roll(m34(), 1, { axis: 1 }, o)).toThrow(/\[roll\] got an options object and a further argument; pass the options once/);
    expect(() => mx.roll(m34(), 1, { axes: 1 } as never)).toThrow(/\[roll\] unknown option 'axes'/);
    expect(() => mx.roll(m34(), 1, 0, 5 as never)).toThrow(/\[roll\] options must be an object such as/);
  });

  it("tile and repeat follow NumPy", async () => {
    const x = mx.array([[1, 2], [3, 4]], mx.int32, o);
    await expectArray(mx.tile(x, 2, o), [[1, 2, 1, 2], [3, 4, 3, 4]]);
    await expectArray(mx.tile(x, [2, 1], o), [[1, 2], [3, 4], [1, 2], [3, 4]]);
    expect(mx.tile(x, [2, 1, 3], o).shape).toEqual([2, 2, 6]);
    expect(mx.tile(x, [0, 2], o).shape).toEqual([0, 4]);
    await expectArray(mx.repeat(x, 2, undefined, o), [1, 1, 2, 2, 3, 3, 4, 4]);
    await expectArray(mx.repeat(x, 2, 1, o), [[1, 1, 2, 2], [3, 3, 4, 4]]);
    expect(mx.repeat(x, 0, 0, o).shape).toEqual([0, 2]);
    await expectArray(mx.repeat(x, 2, { axis: 0, ...o }), [[1, 2], [1, 2], [3, 4], [3, 4]]);
    expect(() => mx.repeat(x, -1, 0, o)).toThrow(/\[repeat\] repeats must be an integer >= 0/);
    expect(() => mx.tile(x, [1.5], o)).toThrow(/\[tile\] reps/);
  });

  it("unflatten, unstack, permuteDims, concat and the atleast family", async () => {
    expect(mx.unflatten(mx.zeros([2, 12], mx.float32, o), -1, [2, -1, 3], o).shape).toEqual([2, 2, 2, 3]);
    expect(() => mx.unflatten(mx.zeros([2, 12], mx.float32, o), 1, [5, -1], o)).toThrow(/\[unflatten\] shape \[5,-1\] does not split axis 1 of size 12/);
    const parts = mx.unstack(m34(), { axis: 1, ...o });
    expect(parts.length).toBe(4);
    await expectArray(parts[2]!, [2, 6, 10]);
    expect(() => mx.unstack(m34(), { axes: 1 } as never)).toThrow(/\[unstack\] unknown option 'axes'/);
    expect(mx.permuteDims(mx.zeros([1, 2, 3], mx.float32, o), null, o).shape).toEqual([3, 2, 1]);
    await expectArray(mx.concat([mx.array([[1]], mx.int32, o), mx.array([[2, 3]], mx.int32, o)], 1, o), [[1, 2, 3]]);
    await expectArray(mx.concat([mx.array([1], mx.int32, o), mx.array([[2, 3]], mx.int32, o)], { axis: null, ...o }), [1, 2, 3]);
    expect(mx.atleast1d(mx.array(1, mx.int32, o), o).shape).toEqual([1]);
    expect(mx.atleast2d(mx.array([1, 2], mx.int32, o), o).shape).toEqual([1, 2]);
    expect(mx.atleast3d(mx.array([1, 2], mx.int32, o), o).shape).toEqual([1, 2, 1]);
    expect(mx.atleast3d(mx.zeros([2, 3, 4, 5], mx.int32, o), o).shape).toEqual([2, 3, 4, 5]);
  });

  it("meshgrid in xy and ij indexing, dense and sparse", async () => {
    const x = mx.array([1, 2, 3], mx.int32, o), y = mx.array([4, 5], mx.int32, o);
    const [X, Y] = mx.meshgrid([x, y], o);
    await expectArray(X!, [[1, 2, 3], [1, 2, 3]]);
    await expectArray(Y!, [[4, 4, 4], [5, 5, 5]]);
    const [I, J] = mx.meshgrid([x, y], { indexing: "ij", ...o });
    await expectArray(I!, [[1, 1], [2, 2], [3, 3]]);
    await expectArray(J!, [[4, 5], [4, 5], [4, 5]]);
    expect(mx.meshgrid([x, y], { sparse: true, ...o }).map((a) => a.shape)).toEqual([[1, 3], [2, 1]]);
    expect(() => mx.meshgrid([x, y], { indexing: "ji" as "ij" })).toThrow(/\[meshgrid\] indexing must be "xy" or "ij"/);
  });

  it("broadcastShapes", () => {
    expect(mx.broadcastShapes([3, 1], [1, 4], [4])).toEqual([3, 4]);
    expect(() => mx.broadcastShapes([2], [3])).toThrow(/\[broadcastShapes\]/);
  });

  it("tri, tril and triu, over a batch of matrices", async () => {
    await expectArray(mx.tri(3, 2, 0, { dtype: mx.int32, ...o }), [[1, 0], [1, 1], [1, 1]], mx.int32);
    expect(mx.tri(2, null, 0, o).dtype).toBe(mx.float32);
    const b = mx.reshape(mx.arange(1, 9, o), [2, 2, 2], o);
    await expectArray(mx.tril(b, 0, o), [[[1, 0], [3, 4]], [[5, 0], [7, 8]]]);
    await expectArray(mx.triu(b, 0, o), [[[1, 2], [0, 4]], [[5, 6], [0, 8]]]);
    await expectArray(mx.triu(b, -1, o), [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    await expectArray(mx.tril(mx.array([[NaN, NaN]], mx.float32, o), 0, o), [[NaN, 0]]);
    expect(() => mx.tril(mx.array([1, 2], mx.int32, o), 0, o)).toThrow(/\[tril\] the array must have at least 2 dimensions/);
  });

  it("diagonal, diag and trace follow NumPy (offsets, axes, empty diagonals)", async () => {
    const a = mx.reshape(mx.arange(24, o), [2, 3, 4], o);
    await expectArray(mx.diagonal(a, o), [[0, 16], [1, 17], [2, 18], [3, 19]]);
    await expectArray(mx.diagonal(a, { axis1: 1, axis2: 2, ...o }), [[0, 5, 10], [12, 17, 22]]);
    await expectArray(mx.diagonal(a, 1, { axis1: 2, axis2: 1, ...o }), [[4, 9], [16, 21]]);
    await expectArray(mx.diagonal(a, { offset: 7, axis1: 1, axis2: 2, ...o }), [[], []]);
    await expectArray(mx.diag(mx.array([5, 6], mx.int32, o), -2, o), [[0, 0, 0, 0], [0, 0, 0, 0], [5, 0, 0, 0], [0, 6, 0, 0]]);
    await expectArray(mx.diag(mx.array([], mx.int32, o), 1, o), [[0]]);
    await expectArray(mx.diag(m34(), 2, o), [2, 7]);
    expect(() => mx.diag(a, 0, o)).toThrow(/\[diag\] the array must be 1-D or 2-D, got 3/);
    await expectArray(mx.trace(m34(), o), 15);
    await expectArray(mx.trace(a, { axis1: 1, axis2: 2, ...o }), [15, 51]);
    await expectArray(mx.trace(m34(), { offset: -1, dtype: mx.float32, ...o }), 13, mx.float32);
    expect(() => mx.diagonal(a, { axis1: 1, axis2: -2 })).toThrow(/\[diagonal\] axis1 and axis2 must differ/);
    expect(() => mx.trace(a, 1, { offset: 2 } as never)).toThrow(/\[trace\] offset given twice/);
  });
});

describe.each(BACKENDS)("asStrided and contiguous on $name", ({ device }) => {
  const o = { stream: device };

  it("asStrided views the row-major elements through strides and an offset, whatever the input's layout", async () => {
    const x = mx.arange(6, o);
    await expectArray(mx.asStrided(x, [3, 2], [2, 1], 0, o), [[0, 1], [2, 3], [4, 5]]);
    await expectArray(mx.asStrided(x, [3], [-2], 5, o), [5, 3, 1]);
    await expectArray(mx.asStrided(x, [2, 2], [0, 1], 1, o), [[1, 2], [1, 2]]);
    // a transpose and a reversed slice: their logical row-major order counts, not their buffer's
    const t = mx.transpose(mx.reshape(x, [2, 3], o), undefined, o);
    await expectArray(mx.asStrided(t, [2, 2], [1, 2], 0, o), [[0, 1], [3, 4]]);
    await expectArray(mx.asStrided(mx.flip(x, 0, o), [2], [3], 0, o), [5, 2]);
    expect(mx.asStrided(x, [0, 9], [100, 100], 0, o).shape).toEqual([0, 9]);
  });

  it("asStrided refuses views that reach outside the array", () => {
    const x = mx.arange(6, o);
    expect(() => mx.asStrided(x, [4], [2], 0, o)).toThrow(/\[asStrided\] shape \(4,\), strides \(2,\) and offset 0 reach elements 0 to 6, outside the 6 elements/);
    expect(() => mx.asStrided(x, [2], [-1], 0, o)).toThrow(/reach elements -1 to 0/);
    expect(() => mx.asStrided(x, [2], [1, 1], 0, o)).toThrow(/\[asStrided\] strides must be 1 integers/);
    expect(() => mx.asStrided(x, [1], [1], -1, o)).toThrow(/\[asStrided\] offset must be a non-negative integer/);
  });

  it("contiguous keeps the values of any layout", async () => {
    const t = mx.transpose(mx.reshape(mx.arange(6, o), [2, 3], o), undefined, o);
    await expectArray(mx.contiguous(t, false, o), [[0, 3], [1, 4], [2, 5]]);
    await expectArray(mx.contiguous(t, true, o), [[0, 3], [1, 4], [2, 5]]);
    await expectArray(mx.contiguous(mx.broadcastTo(mx.array([1, 2], mx.int32, o), [2, 2], o), false, o), [[1, 2], [1, 2]]);
    expect(() => mx.contiguous(t, "yes" as never)).toThrow(/\[contiguous\] allowColMajor must be a boolean/);
  });
});

describe.each(BACKENDS)("elementwise and reduction composites on $name", ({ device }) => {
  const o = { stream: device };
  const f32 = (v: number[]) => mx.array(v, mx.float32, o);

  it("positive, trunc, degrees and radians", async () => {
    const x = f32([-1.5, -0.5, 0.5, 2.7]);
    expect(mx.positive(x, o)).toBe(x);
    await expectArray(mx.trunc(x, o), [-1, -0, 0, 2]);
    await expectArray(mx.trunc(mx.array([-3, 4], mx.int32, o), o), [-3, 4], mx.int32);
    expect(Object.is((await mx.trunc(f32([-0.5]), o).tolist() as number[])[0], -0)).toBe(true);
    await expectClose(mx.degrees(f32([Math.PI, -Math.PI / 2]), o), [180, -90], 1e-6);
    await expectClose(mx.radians(mx.array([180, 90], mx.int32, o), o), [Math.PI, Math.PI / 2], 1e-6);
    expect(mx.degrees(mx.array([1], mx.int32, o), o).dtype).toBe(mx.float32);
  });

  it("nanToNum replaces NaN and infinities per dtype", async () => {
    const x = f32([NaN, Infinity, -Infinity, 2]);
    await expectArray(mx.nanToNum(x, o), [0, 3.4028234663852886e38, -3.4028234663852886e38, 2]);
    await expectArray(mx.nanToNum(x, { nan: -1, posinf: 5, neginf: -5, ...o }), [-1, 5, -5, 2]);
    await expectArray(mx.nanToNum(mx.array([Infinity], mx.float16, o), o), [65504]);
    await expectArray(mx.nanToNum(mx.array([3], mx.int32, o), o), [3]);
    expect(() => mx.nanToNum(x, { nan: "0" as unknown as number })).toThrow(/\[nanToNum\] nan must be a number/);
    expect(() => mx.nanToNum(x, { posInf: 1 } as never)).toThrow(/\[nanToNum\] unknown option 'posInf'/);
  });

  it("logicalXor, isposinf and isneginf", async () => {
    await expectArray(mx.logicalXor(mx.array([0, 1, 2, 0], mx.int32, o), mx.array([0, 0, 3, 5], mx.int32, o), o), [false, true, false, true], mx.bool);
    await expectArray(mx.isposinf(f32([Infinity, -Infinity, NaN, 1]), o), [true, false, false, false]);
    await expectArray(mx.isneginf(f32([Infinity, -Infinity, NaN, 1]), o), [false, true, false, false]);
    await expectArray(mx.isposinf(mx.array([1, 2], mx.int32, o), o), [false, false]);
  });

  it("countNonzero and median", async () => {
    const x = mx.array([[0, 1, 2], [0, 0, 3]], mx.int32, o);
    await expectArray(mx.countNonzero(x, undefined), 3, mx.int32);
    await expectArray(mx.countNonzero(x, { axis: 1, keepdims: true, ...o }), [[2], [1]]);
    await expectArray(mx.countNonzero(f32([NaN, -0, 0.5]), o), 2);
    await expectArray(mx.median(x, { axis: 1, ...o }), [1, 0], mx.float32);
    await expectArray(mx.median(f32([4, 1, 3, 2]), o), 2.5);
    await expectArray(mx.median(f32([4, NaN, 3]), o), NaN);
    await expectArray(mx.median(x, { axis: [0, 1], keepdims: true, ...o }), [[0.5]]);
    expect(() => mx.median(mx.zeros([0], mx.float32, o), o)).toThrow(/\[median\] cannot take the median of an empty axis/);
  });

  it("the window functions match NumPy", async () => {
    // np.bartlett(5), np.hanning(5), np.hamming(5), np.blackman(5)
    await expectClose(mx.bartlett(5, o), [0, 0.5, 1, 0.5, 0], 0, 1e-7);
    await expectClose(mx.hanning(5, o), [0, 0.5, 1, 0.5, 0], 0, 1e-6);
    await expectClose(mx.hamming(5, o), [0.08, 0.54, 1, 0.54, 0.08], 0, 1e-6);
    await expectClose(mx.blackman(5, o), [0, 0.34, 1, 0.34, 0], 0, 1e-6);
    await expectArray(mx.hanning(1, o), [1], mx.float32);
    await expectArray(mx.blackman(0, o), [], mx.float32);
    expect(() => mx.hamming(2.5)).toThrow(/\[hamming\] M must be an integer/);
  });
});

describe("complex parts (cpu: complex64 lives there)", () => {
  const z = () => mx.array([{ re: 1, im: -2 }, { re: -0.5, im: 3 }], mx.complex64);
  it("real, imag, conj and conjugate", async () => {
    await expectArray(mx.real(z()), [1, -0.5], mx.float32);
    await expectArray(mx.imag(z()), [-2, 3], mx.float32);
    await expectArray(mx.conj(z()), [{ re: 1, im: 2 }, { re: -0.5, im: -3 }], mx.complex64);
    expect(mx.conjugate).toBe(mx.conj);
    const r = mx.array([1, 2], mx.int32);
    expect(mx.real(r)).toBe(r);
    await expectArray(mx.imag(r), [0, 0], mx.int32);
  });
  it("asarray keeps an array of the asked dtype and converts otherwise", async () => {
    const a = mx.array([1, 2], mx.int32);
    expect(mx.asarray(a)).toBe(a);
    expect(mx.asarray(a, mx.int32)).toBe(a);
    await expectArray(mx.asarray(a, mx.float32), [1, 2], mx.float32);
    await expectArray(mx.asarray([[true]]), [[true]], mx.bool);
  });
});

describe.each(BACKENDS)("mx.random samplers on $name", ({ device }) => {
  const o = { stream: device };
  const key = mx.random.key(7);
  const meanOf = async (x: mx.MxArray) => (await mx.mean(x, o).item()) as number;

  it("gumbel: MLX's -log(-log(u)) of the same key's uniform draws; mean near the Euler-Mascheroni constant", async () => {
    const u = mx.random.uniform(0, 1, [4], { key, ...o });
    await expectClose(mx.random.gumbel([4], { key, ...o }), (await mx.negative(mx.log(mx.negative(mx.log(u, o), o), o), o).tolist()) as number[], 1e-6);
    const g = mx.random.gumbel([20000], { key, ...o });
    expect(Math.abs((await meanOf(g)) - mx.eulerGamma)).toBeLessThan(0.05);
  });

  it("laplace: mean loc, variance 2 scale^2", async () => {
    const x = mx.random.laplace([20000], { key, loc: 3, scale: 0.5, ...o });
    expect(Math.abs((await meanOf(x)) - 3)).toBeLessThan(0.03);
    expect(Math.abs(((await mx.var(x, o).item()) as number) - 0.5)).toBeLessThan(0.05);
    expect(() => mx.random.laplace([2], { dtype: mx.int32 })).toThrow(/\[random.laplace\] dtype must be a real floating-point dtype/);
  });

  it("truncatedNormal stays within its bounds and broadcasts them", async () => {
    const x = mx.random.truncatedNormal(mx.array([-0.5, 1], mx.float32, o), 2, undefined, { key, ...o });
    expect(x.shape).toEqual([2]);
    const y = mx.random.truncatedNormal(0, 0.5, [5000], { key, ...o });
    expect(await mx.min(y, o).item()).toBeGreaterThanOrEqual(0);
    expect(await mx.max(y, o).item()).toBeLessThanOrEqual(0.5);
    // the standard normal on [0, 0.5]: mean (phi(0) - phi(0.5)) / (Phi(0.5) - Phi(0)) = 0.2448
    expect(Math.abs((await meanOf(y)) - 0.2448)).toBeLessThan(0.01);
  });

  it("categorical samples each distribution's categories with their probabilities", async () => {
    const logits = mx.log(mx.array([[0.2, 0.8], [0.9, 0.1]], mx.float32, o), o);
    const draws = mx.random.categorical(logits, { numSamples: 4000, key, ...o });
    expect(draws.shape).toEqual([2, 4000]);
    expect(draws.dtype).toBe(mx.uint32);
    const freq = (await mx.mean(mx.astype(draws, mx.float32, o), { axis: 1, ...o }).tolist()) as number[];
    expect(Math.abs(freq[0]! - 0.8)).toBeLessThan(0.03);
    expect(Math.abs(freq[1]! - 0.1)).toBeLessThan(0.03);
    // one distribution sampled to a shape: the inverse CDF
    const one = mx.random.categorical(mx.log(mx.array([0.5, 0, 0.5], mx.float32, o), o), { shape: [3000], key, ...o });
    const counts = (await mx.sum(mx.equal(mx.expandDims(one, 1, o), mx.arange(3, { ...o, dtype: mx.uint32 }), o), { axis: 0, ...o }).tolist()) as number[];
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0]! / 3000 - 0.5)).toBeLessThan(0.04);
    expect(mx.random.categorical(logits, { key, ...o }).shape).toEqual([2]);
    expect(() => mx.random.categorical(logits, { shape: [3], numSamples: 2 })).toThrow(/\[random.categorical\] give at most one of shape and numSamples/);
    expect(() => mx.random.categorical(logits, { shape: [3] })).toThrow(/\[random.categorical\] shapes \(3,\) and \(2,\) cannot be broadcast/);
    expect(() => mx.random.categorical(logits, { shape: [1] })).toThrow(/\[random.categorical\] shape \(1,\) does not broadcast with the logits' shape without axis 1, \(2,\)/);
  });
});
