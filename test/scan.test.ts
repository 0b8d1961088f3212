// Scans on every backend: cumsum, cumprod, cummax, cummin, logcumsumexp
// against known values and NumPy's rules (reverse, exclusive, axis or
// flattened, dtypes, NaN), long axes that take the GPU kernels' multi-pass
// path, every dtype each backend holds against the cpu reference, the
// gradients (zeros in cumprod, ties in cummax) and diff.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose, values } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };
const SCANS = ["cumsum", "cumprod", "cummax", "cummin"] as const;
const scanFn = (name: string) => (mx as unknown as Record<string, (x: mx.MxArray, o?: object) => mx.MxArray>)[name]!;

describe.each(BACKENDS)("scans on $name", ({ device }) => {
  const o = { stream: device };
  const caps = mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes;

  it("scan along an axis given positionally or in the options, or over the flattened array", async () => {
    const m = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32, o);
    await expectArray(mx.cumsum(m, o), [1, 3, 6, 10, 15, 21], mx.float32, [6]);
    await expectArray(mx.cumsum(m, 0, o), [[1, 2, 3], [5, 7, 9]]);
    await expectArray(mx.cumsum(m, { axis: -1, ...o }), [[1, 3, 6], [4, 9, 15]]);
    await expectArray(mx.cumprod(m, 1, o), [[1, 2, 6], [4, 20, 120]]);
    await expectArray(mx.cummax(mx.array([2, 1, 3, 0, 5], mx.float32, o), o), [2, 2, 3, 3, 5]);
    await expectArray(mx.cummin(mx.array([2, 1, 3, 0, 5], mx.int32, o), o), [2, 1, 1, 0, 0]);
    await expectArray(mx.cumsum(mx.array(7, mx.int32, o), o), [7], mx.int32, [1]);
    await expectArray(mx.cumsum(mx.zeros([2, 0], mx.float32, o), 1, o), [[], []], mx.float32, [2, 0]);
  });

  it("reverses and excludes as MLX: an exclusive scan starts at the identity", async () => {
    const x = mx.array([1, 2, 3, 4], mx.int32, o);
    await expectArray(mx.cumsum(x, { reverse: true, ...o }), [10, 9, 7, 4]);
    await expectArray(mx.cumsum(x, { inclusive: false, ...o }), [0, 1, 3, 6]);
    await expectArray(mx.cumsum(x, { reverse: true, inclusive: false, ...o }), [9, 7, 4, 0]);
    await expectArray(mx.cumprod(x, { inclusive: false, ...o }), [1, 1, 2, 6]);
    await expectArray(mx.cumprod(x, 0, { reverse: true, ...o }), [24, 24, 12, 4]);
    await expectArray(mx.cummax(mx.array([3, 1, 2], mx.float32, o), { inclusive: false, ...o }), [-Infinity, 3, 3]);
    await expectArray(mx.cummin(mx.array([3, 1, 2], mx.float32, o), { reverse: true, inclusive: false, ...o }), [1, 2, Infinity]);
    // the identity of an exclusive max/min is the dtype's own limit
    await expectArray(mx.cummax(mx.array([5, 7], mx.int8, o), { inclusive: false, ...o }), [-128, 5]);
    await expectArray(mx.cummin(mx.array([5, 7], mx.uint8, o), { inclusive: false, ...o }), [255, 5]);
    await expectArray(mx.cummin(mx.array([true, false], mx.bool, o), { inclusive: false, ...o }), [true, true]);
    await expectArray(mx.logcumsumexp(mx.array([0, 0], mx.float32, o), { inclusive: false, ...o }), [-Infinity, 0]);
  });

  it("follows MLX's dtypes: bool sums count in int32, integers wrap, logcumsumexp of integers is float32", async () => {
    await expectArray(mx.cumsum(mx.array([true, true, false, true], mx.bool, o), o), [1, 2, 2, 3], mx.int32);
    await expectArray(mx.cumprod(mx.array([true, true, false, true], mx.bool, o), o), [true, true, false, false], mx.bool);
    await expectArray(mx.cummax(mx.array([false, true, false], mx.bool, o), o), [false, true, true], mx.bool);
    await expectArray(mx.cumsum(mx.array([100, 100, 100], mx.int8, o), o), [100, -56, 44], mx.int8);
    await expectArray(mx.cumsum(mx.array([200, 100], mx.uint8, o), o), [200, 44], mx.uint8);
    await expectArray(mx.cumprod(mx.array([65536, 65536, 3], mx.int32, o), o), [65536, 0, 0], mx.int32);
    await expectArray(mx.cumprod(mx.array([70000, 70000], mx.uint32, o), o), [70000, (70000 * 70000) % 2 ** 32], mx.uint32);
    await expectArray(mx.cumsum(mx.array([1, 2], mx.int8, o), { dtype: mx.float32, ...o }), [1, 3], mx.float32);
    await expectClose(mx.logcumsumexp(mx.array([0, 0], mx.int32, o), o), [0, Math.LN2], 1e-6);
    expect(mx.logcumsumexp(mx.array([0, 0], mx.int32, o), o).dtype).toBe(mx.float32);
    await expectArray(mx.cumsum(mx.array([1.5, 2.25], mx.float16, o), o), [1.5, 3.75], mx.float16);
    await expectArray(mx.cummin(mx.array([1.5, -2.25], mx.bfloat16, o), o), [1.5, -2.25], mx.bfloat16);
  });

  it("propagates NaN through cummax and cummin from where it appears, as NumPy's maximum.accumulate", async () => {
    const x = mx.array([1, 5, NaN, 7, 2], mx.float32, o);
    await expectArray(mx.cummax(x, o), [1, 5, NaN, NaN, NaN]);
    await expectArray(mx.cummin(x, o), [1, 1, NaN, NaN, NaN]);
    await expectArray(mx.cummax(x, { reverse: true, ...o }), [NaN, NaN, NaN, 7, 2]);
    await expectArray(mx.cumsum(mx.array([1, Infinity, -Infinity], mx.float32, o), o), [1, Infinity, NaN]);
  });

  it("computes logcumsumexp stably, with a running maximum", async () => {
    await expectClose(mx.logcumsumexp(mx.array([1000, 1000, -1000], mx.float32, o), o), [1000, 1000 + Math.LN2, 1000 + Math.LN2], 1e-6);
    await expectClose(mx.logcumsumexp(mx.array([-1000, -1000], mx.float32, o), { reverse: true, ...o }), [-1000 + Math.LN2, -1000], 1e-6);
    await expectArray(mx.logcumsumexp(mx.array([-Infinity, -Infinity, 0], mx.float32, o), o), [-Infinity, -Infinity, 0]);
  });

  // a cold shader cache compiles a pipeline per op, dtype and mode: on lavapipe (which compiles each with LLVM at its
  // first dispatch) over 180 s beside another test file on the 2-core CI machine
  it("scans every dtype the backend holds as the cpu reference does", { timeout: 420_000 }, async () => {
    const dtypes = [...caps].filter((d) => d !== mx.complex64);
    for (const d of dtypes) {
      const raw = Array.from({ length: 300 }, (_, i) => ((i * 7919) % 11) - (d.kind === "uint" || d.kind === "bool" ? 0 : 5));
      const vals = d.kind === "bool" ? raw.map((v) => v % 2 === 0) : d.kind === "float" ? raw.map((v) => v / 4) : raw;
      const x = mx.reshape(mx.array(vals, d, cpu), [3, 100], cpu);
      const here = mx.array(vals, d, o);
      for (const name of SCANS) {
        for (const p of [{ axis: 1 }, { axis: 0, reverse: true }, { axis: 1, inclusive: false }]) {
          const want = await values(scanFn(name)(x, { ...p, ...cpu }));
          const got = await values(scanFn(name)(mx.reshape(here, [3, 100], o), { ...p, ...o }));
          // float sums of quarters are exact before the one rounding; products are rounded in float32 first (2 ulp)
          const ulp = { float16: 2 ** -10, bfloat16: 2 ** -7, float32: 2 ** -23, float64: 0 }[d.name as string] ?? 0;
          if (d.kind === "float" && name === "cumprod") got.forEach((g, i) => expect(Math.abs(g - want[i]!), `${d.name} ${name}`).toBeLessThanOrEqual(2 * ulp * Math.abs(want[i]!)));
          else expect(got, `${name} ${d.name} ${JSON.stringify(p)}`).toEqual(want);
        }
      }
    }
  });

  it("scans long axes (several tiles, two levels of tile totals) and strided ones", async () => {
    const n = 100_000;
    const ones = mx.ones([n], mx.int32, o);
    const sums = await values(mx.cumsum(ones, o));
    expect(sums.length).toBe(n);
    expect(sums.every((v, i) => v === i + 1)).toBe(true);
    const rev = await values(mx.cumsum(ones, { reverse: true, inclusive: false, ...o }));
    expect(rev.every((v, i) => v === n - 1 - i)).toBe(true);
    // past 2048 tiles of 2048 the tile totals themselves take several tiles (checked on the device: one word read back)
    const big = 2048 * 2048 + 5000;
    const bigSums = mx.cumsum(mx.ones([big], mx.int32, o), { reverse: true, ...o });
    expect(await mx.arrayEqual(bigSums, mx.arange(big, 0, -1, { dtype: mx.int32, ...o }), o).item()).toBe(true);
    // a long strided axis: a column of a transposed view
    const t = mx.transpose(mx.reshape(mx.arange(3 * 5000, { dtype: mx.int32, ...o }), [5000, 3], o), [1, 0], o);
    const colMax = await mx.cummax(mx.multiply(t, -1, o), { axis: 1, ...o }).tolist();
    expect((colMax as number[][]).map((r) => r[4999])).toEqual([0, -1, -2]);
    const lin = await values(mx.cumsum(t, { axis: 1, ...o }));
    const want = await values(mx.cumsum(mx.transpose(mx.reshape(mx.arange(3 * 5000, { dtype: mx.int32, ...cpu }), [5000, 3], cpu), [1, 0], cpu), { axis: 1, ...cpu }));
    expect(lin).toEqual(want);
  });

  it("holds float32 cumsum of a long axis to the sum bound", async () => {
    const n = 100_000;
    const vals = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    const got = await values(mx.cumsum(mx.array(vals, mx.float32, o), o));
    const f32 = Array.from(new Float32Array(vals));
    let exact = 0, mag = 0;
    const outside = f32.flatMap((v, i) => {
      exact += v;
      mag += Math.abs(v);
      return Math.abs(got[i]! - exact) <= 2 * n * 2 ** -24 * mag ? [] : [i];
    });
    expect(outside).toEqual([]);
  });

  it("matches the cpu reference on random shapes, axes, directions and dtypes", async () => {
    const dtypes = [mx.float32, mx.int32, mx.uint8, mx.int16].filter((d) => caps.has(d));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SCANS),
        fc.constantFrom(...dtypes),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        async (name, d, shape, reverse, inclusive, seed) => {
          const size = shape.reduce((a, b) => a * b, 1);
          const vals = Array.from({ length: size }, (_, i) => ((i * 31 + seed) % 7) - (d.kind === "uint" ? 0 : 3));
          const axis = seed % shape.length;
          const p = { axis, reverse, inclusive };
          const want = await values(scanFn(name)(mx.reshape(mx.array(vals, d, cpu), shape, cpu), { ...p, ...cpu }));
          const got = await values(scanFn(name)(mx.reshape(mx.array(vals, d, o), shape, o), { ...p, ...o }));
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 12, seed: 20261130 },
    );
  });

  it("differentiates: cumsum back as a reverse cumsum, cumprod through zeros, cummax to the latest tie", async () => {
    const w = mx.array([1, 2, 3, 4, 5], mx.float32, o);
    const lossOf = (f: (x: mx.MxArray) => mx.MxArray) => (x: mx.MxArray) => mx.sum(mx.multiply(f(x), w, o), o);
    const x = mx.array([1, 3, 3, 2, 5], mx.float32, o);
    await expectArray(mx.grad(lossOf((v) => mx.cumsum(v, o)))(x), [15, 14, 12, 9, 5]);
    await expectArray(mx.grad(lossOf((v) => mx.cumsum(v, { inclusive: false, ...o })))(x), [14, 12, 9, 5, 0]);
    await expectArray(mx.grad(lossOf((v) => mx.cummax(v, o)))(x), [1, 2, 7, 0, 5]);
    await expectArray(mx.grad(lossOf((v) => mx.cummax(v, { reverse: true, ...o })))(x), [0, 0, 0, 0, 15]);
    await expectArray(mx.grad(lossOf((v) => mx.cummin(v, { inclusive: false, ...o })))(x), [14, 0, 0, 0, 0]);
    await expectArray(mx.grad(lossOf((v) => mx.cumprod(v, o)))(mx.array([1, 2, 0, 4, 5], mx.float32, o)), [5, 2, 238, 0, 0]);
    await expectArray(mx.grad(lossOf((v) => mx.cumprod(v, o)))(mx.array([2, 0, 3, 0, 1], mx.float32, o)), [1, 22, 0, 0, 0]);
    // d/dx_j sum_i w_i logcumsumexp(x)_i = sum_{i >= j} w_i softmax(x[:i+1])_j
    const lx = mx.array([0, 0], mx.float32, o);
    await expectClose(mx.grad((v: mx.MxArray) => mx.sum(mx.multiply(mx.logcumsumexp(v, o), mx.array([1, 2], mx.float32, o), o), o))(lx), [2, 1], 1e-6);
    const [, [tangent]] = mx.jvp((v: mx.MxArray) => mx.cummax(v, o), [x], [mx.array([10, 20, 30, 40, 50], mx.float32, o)]);
    await expectArray(tangent!, [10, 20, 30, 30, 50]);
    const [, [tp]] = mx.jvp((v: mx.MxArray) => mx.cumprod(v, o), [mx.array([2, 0, 3], mx.float32, o)], [mx.array([1, 1, 1], mx.float32, o)]);
    await expectArray(tp!, [1, 2, 6]);
  });

  it("vmaps over a batch axis", async () => {
    const b = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32, o);
    await expectArray(mx.vmap((v: mx.MxArray) => mx.cumsum(v, 0, o), { inAxes: 1 })(b), [[1, 5], [2, 7], [3, 9]]);
  });

  it("takes diff as NumPy: x[1:] - x[:-1], n times, along an axis", async () => {
    const x = mx.array([1, 4, 9, 16, 25], mx.int32, o);
    await expectArray(mx.diff(x, o), [3, 5, 7, 9]);
    await expectArray(mx.diff(x, 3, o), [0, 0]);
    await expectArray(mx.diff(x, 9, o), [], mx.int32, [0]);
    await expectArray(mx.diff(x, 0, o), [1, 4, 9, 16, 25]);
    await expectArray(mx.diff(mx.array([[1, 2], [5, 9]], mx.float32, o), { axis: 0, ...o }), [[4, 7]]);
    await expectArray(mx.diff(mx.array([[1, 2], [5, 9]], mx.float32, o), 1, 0, o), [[4, 7]]);
    await expectArray(mx.diff(mx.array([true, false, false], mx.bool, o), o), [true, false], mx.bool);
  });
});

describe("scan arguments", () => {
  it("refuses bad axes, types and options with the op's name", () => {
    const x = mx.array([[1, 2], [3, 4]], mx.float32, cpu);
    expect(() => mx.cumsum(x, 2, cpu)).toThrow(/\[cumsum\] axis 2 is out of bounds/);
    expect(() => mx.cumprod(x, 0, { axis: 1 })).toThrow(/\[cumprod\] axis given twice/);
    expect(() => mx.cumsum(x, { reverse: 1 as unknown as boolean })).toThrow(/\[cumsum\] reverse must be a boolean/);
    expect(() => mx.cumsum(x, "0" as unknown as number)).toThrow(/\[cumsum\] axis must be an integer, null or an options object/);
    expect(() => mx.cumsum(x, [0, 1] as unknown as number)).toThrow(/\[cumsum\] axis must be an integer or null/);
    expect(() => mx.cumsum(x, { stream: "cpu" as unknown as mx.Device })).toThrow(/\[cumsum\] stream must be a Device or a Stream/);
    expect(() => mx.cumsum(x, {}, {})).toThrow(/\[cumsum\] got an options object and a third argument/);
    expect(() => mx.diff(x, -1)).toThrow(/\[diff\] n must be an integer >= 0/);
    expect(() => mx.diff(mx.array(1), 1)).toThrow(/\[diff\] needs an array of at least one dimension/);
    expect(() => mx.diff(x, { n: 1 }, 0)).toThrow(/\[diff\] got an options object and further arguments/);
  });

  it("scans complex64 sums and products on the cpu", async () => {
    const z = mx.array([{ re: 1, im: 1 }, { re: 0, im: 2 }], mx.complex64, cpu);
    await expectArray(mx.cumsum(z, cpu), [{ re: 1, im: 1 }, { re: 1, im: 3 }]);
    await expectArray(mx.cumprod(z, { reverse: true, ...cpu }), [{ re: -2, im: 2 }, { re: 0, im: 2 }]);
  });
});
