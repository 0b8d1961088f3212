// Reductions on every backend: values against float64 / exact references,
// axes and keepdims, NumPy's NaN rules for max/min/argmax/argmin, integer
// wrap-around, mean/var/std, logsumexp and softmax stability.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectClose, values } from "./helpers/backends.js";

describe.each(BACKENDS)("reductions on $name", ({ device }) => {
  const o = { stream: device };
  const x = () => mx.array([[1, 5, 3], [4, 2, 6]], mx.float32, o);

  it("sum/prod/max/min over all axes, one axis, several axes, with keepdims", async () => {
    await expectArray(mx.sum(x(), o), 21, mx.float32, []);
    await expectArray(mx.sum(x(), { axis: 0, ...o }), [5, 7, 9]);
    await expectArray(mx.sum(x(), { axis: -1, keepdims: true, ...o }), [[9], [12]], mx.float32, [2, 1]);
    await expectArray(mx.prod(x(), { axis: 1, ...o }), [15, 48]);
    await expectArray(mx.max(x(), { axis: [0, 1], ...o }), 6);
    await expectArray(mx.min(x(), { axis: 0, ...o }), [1, 2, 3]);
    await expectArray(x().sum(1), [9, 12]);
    const t = mx.reshape(mx.arange(24, { dtype: mx.float32, ...o }), [2, 3, 4], o);
    await expectArray(mx.sum(mx.transpose(t, [2, 0, 1], o), { axis: [0, 2], ...o }), [66, 210]);
  });

  it("takes MLX's positional (axis, keepdims), (axis, precise) and (axis, keepdims, ddof), then the options", async () => {
    for (const op of ["sum", "prod", "max", "min", "all", "any", "mean", "logsumexp"] as const) {
      const want = await mx[op](x(), { axis: 1, keepdims: true, ...o }).tolist();
      expect(await mx[op](x(), 1, true, o).tolist(), op).toEqual(want);
      expect(await mx[op](x(), 1, { keepdims: true, ...o }).tolist(), op).toEqual(want);
      expect(await mx[op](x(), null, true, o).tolist(), op).toEqual(await mx[op](x(), { keepdims: true, ...o }).tolist());
      expect(mx[op](x(), [0, 1], false, o).shape, op).toEqual([]);
    }
    for (const op of ["argmax", "argmin"] as const) {
      await expectArray(mx[op](x(), 1, true, o), op === "argmax" ? [[1], [2]] : [[0], [1]], mx.uint32, [2, 1]);
      await expectArray(mx[op](x(), null, true, o), op === "argmax" ? [[5]] : [[0]], mx.uint32, [1, 1]);
    }
    await expectClose(mx.softmax(x(), 1, true, o), await mx.softmax(x(), { axis: 1, precise: true, ...o }).tolist());
    await expectArray(mx.variance(x(), 0, true, 1, o), [[4.5, 4.5, 4.5]], mx.float32, [1, 3]);
    await expectArray(mx.std(x(), 0, false, 1, o), [2.1213202476501465, 2.1213202476501465, 2.1213202476501465]);
    await expectArray(mx.variance(x(), null, null, 1, o), 3.5);
    expect(() => mx.sum(x(), 1, true, { keepdims: false } as never)).toThrow(/\[sum\] keepdims given twice/);
    expect(() => mx.variance(x(), 0, { ddof: 1 } as never, 1)).toThrow(/\[var\] got 1 after the options object/);
    expect(() => mx.sum(x(), 1, "yes" as never)).toThrow(/\[sum\] keepdims/);
  });

  it("sums empty axes to the identity and refuses max of nothing", async () => {
    await expectArray(mx.sum(mx.zeros([0, 3], mx.float32, o), { axis: 0, ...o }), [0, 0, 0]);
    await expectArray(mx.logsumexp(mx.zeros([0, 2], mx.float16, o), { axis: 0, ...o }), [-Infinity, -Infinity]);
    await expectArray(mx.prod(mx.zeros([2, 0], mx.float32, o), { axis: 1, ...o }), [1, 1]);
    expect(() => mx.max(mx.zeros([0], mx.float32, o), o)).toThrow(/\[max\] cannot reduce over an empty axis/);
  });

  // the reference accumulates in float64; GPU backends in float32, held to the sum bound below
  it.skipIf(device.backend !== "cpu")("accumulates float sums in float64 and rounds once", async () => {
    // 1 + 2^-24 + 2^-24 ... in float32 a naive float32 sum stays at 1
    const n = 1000;
    const vals = [1, ...Array(n).fill(2 ** -24)];
    await expectArray(mx.sum(mx.array(vals, mx.float32, o), o), Math.fround(1 + n * 2 ** -24));
    await expectArray(mx.sum(mx.array([1e8, 1, -1e8], mx.float32, o), o), 1);
    await expectArray(mx.mean(mx.array([65504, 65504], mx.float16, o), o), 65504);
  });

  // found by the NumPy cross-check: the compensated float64 sum turned any infinite term into NaN
  it("sums with infinite terms follow IEEE (inf, -inf, NaN for inf - inf)", async () => {
    await expectArray(mx.sum(mx.array([1, -Infinity, 2], mx.float32, o), o), -Infinity);
    await expectArray(mx.sum(mx.array([-3e38, -3e38, 5], mx.float32, o), o), -Infinity);
    const both = await values(mx.sum(mx.array([Infinity, 1, -Infinity], mx.float32, o), o));
    expect(both[0]).toBeNaN();
    await expectArray(mx.mean(mx.array([[Infinity, 1], [2, 3]], mx.float32, o), { axis: 1, ...o }), [Infinity, 2.5]);
  });

  it("integer sums wrap; bool and narrow integers accumulate in int32/uint32, as MLX", async () => {
    await expectArray(mx.sum(mx.array([100, 100], mx.int8, o), o), 200, mx.int32);
    await expectArray(mx.prod(mx.array([100, -100], mx.int8, o), o), -10000, mx.int32);
    await expectArray(mx.sum(mx.array([200, 200], mx.uint8, o), o), 400, mx.uint32);
    await expectArray(mx.prod(mx.array([300, 300], mx.uint16, o), o), 90000, mx.uint32);
    await expectArray(mx.sum(mx.array([2 ** 30, 2 ** 30], mx.int32, o), o), -(2 ** 31), mx.int32);
    await expectArray(mx.sum(mx.array([true, true, false], mx.bool, o), o), 2, mx.int32);
    await expectArray(mx.prod(mx.array([65536, 65536], mx.uint32, o), o), 0, mx.uint32);
    if (device.backend === "cpu") await expectArray(mx.sum(mx.array([2n ** 62n, 2n ** 62n], mx.int64, o), o), -(2n ** 63n));
  });

  it("sums narrow integers and means 16-bit floats from the input itself, not a widened copy", async () => {
    const i8 = mx.array([100, 100, -7], mx.int8, o);
    const s = mx.sum(i8, o);
    expect(s.inputs[0]).toBe(i8);
    expect(s.primitive!.toString()).toBe('sum(axes=[0], keepdims=false, dtype="int32")');
    await expectArray(s, 193, mx.int32);
    for (const dtype of [mx.float16, mx.bfloat16]) {
      // 65504 + 65504 overflows a 16-bit sum; the float32 one holds it
      const h = mx.array([[65504, 65504], [1, -3]], dtype, o);
      const m = mx.mean(h, { axis: 1, ...o });
      const widened = m.inputs[0]!.inputs[0]!;
      expect(widened.primitive!.toString()).toBe('sum(axes=[1], keepdims=false, dtype="float32")');
      expect(widened.inputs[0]).toBe(h);
      await expectArray(m, dtype === mx.float16 ? [65504, -1] : [65536, -1], dtype);
      await expectArray(mx.var(h, { axis: 1, ...o }), [0, 4], dtype);
    }
    // an integer variance makes one copy of its input (float64 where the backend holds it, else int64), for its mean and its deviations both
    const ints = mx.array([[1, 2, 3], [4, 6, 8]], mx.int32, o);
    const v = mx.var(ints, { axis: 1, ...o });
    const readers = new Set<mx.MxArray>();
    const walk = (a: mx.MxArray): void => {
      for (const i of a.inputs) {
        if (i === ints) readers.add(a);
        else walk(i);
      }
    };
    walk(v);
    expect([...readers].map((r) => r.primitive!.toString())).toEqual([`astype(dtype="${device.backend === "cpu" ? "float64" : "int64"}")`]);
    await expectArray(v, [Math.fround(2 / 3), Math.fround(8 / 3)]);
  });

  it("max/min/argmax/argmin propagate NaN like NumPy", async () => {
    const v = mx.array([1, NaN, 3, NaN], mx.float32, o);
    await expectArray(mx.max(v, o), NaN);
    await expectArray(mx.min(v, o), NaN);
    await expectArray(mx.argmax(v, o), 1, mx.uint32);
    await expectArray(mx.argmin(v, o), 1, mx.uint32);
    await expectArray(mx.argmax(mx.array([3, 7, 7, 1], mx.int32, o), o), 1);
    await expectArray(mx.argmin(x(), { axis: 1, keepdims: true, ...o }), [[0], [1]], mx.uint32, [2, 1]);
    await expectArray(mx.argmax(x(), { keepdims: true, ...o }), [[5]], mx.uint32, [1, 1]);
  });

  it("all/any on any dtype", async () => {
    await expectArray(mx.all(mx.array([1, 2, 0], mx.int32, o), o), false, mx.bool);
    await expectArray(mx.any(mx.array([[0, 0], [0, NaN]], mx.float32, o), { axis: 1, ...o }), [false, true]);
  });

  it("mean, var and std (with ddof)", async () => {
    await expectClose(mx.mean(x(), { axis: 0, ...o }), [2.5, 3.5, 4.5]);
    await expectClose(mx.var(x(), o), [35 / 12], 1e-6);
    await expectClose(mx.std(x(), { axis: 1, ddof: 1, ...o }), [2, 2], 1e-6);
    expect(mx.mean(mx.array([1, 2], mx.int32, o), o).dtype).toBe(mx.float32);
  });

  it("means, variances and deviations of integers from exact sums, not float32 copies of the elements", async () => {
    const f32 = Math.fround;
    await expectArray(mx.mean(mx.array([2 ** 30 + 1, -(2 ** 30)], mx.int32, o), o), 0.5, mx.float32);
    await expectArray(mx.mean(mx.array([2n ** 40n + 1n, -(2n ** 40n)], mx.int64, o), o), 0.5, mx.float32);
    // the int32 sum -1 must not wrap on the way
    await expectArray(mx.mean(mx.array([-2147483648, -7, -1, 0, 1, 7, 2147483647], mx.int32, o), o), f32(-1 / 7), mx.float32);
    await expectArray(mx.mean(mx.array([4294967295, 4294967295, 1], mx.uint32, o), o), f32(8589934591 / 3));
    await expectArray(mx.mean(mx.array([2n ** 64n - 1n, 2n ** 64n - 2n, 2n], mx.uint64, o), o), f32(Number(2n ** 65n - 1n) / 3));
    await expectArray(mx.mean(mx.array([[30000, -30000, 7], [32767, 32767, 32767]], mx.int16, o), { axis: 1, keepdims: true, ...o }), [[f32(7 / 3)], [32767]], mx.float32, [2, 1]);
    await expectArray(mx.mean(mx.array([true, false, true], mx.bool, o), o), f32(2 / 3));
    // 64-bit sums past 2^63 would wrap: they are means of large values all the same
    await expectArray(mx.mean(mx.array([2n ** 62n, 2n ** 62n, 2n ** 62n], mx.int64, o), o), 2 ** 62);
    await expectArray(mx.mean(mx.array([2n ** 64n - 1n, 2n ** 64n - 1n], mx.uint64, o), o), 2 ** 64);
    // variances: deviations from the exact mean, rounded relative to the spread, not to the values' size
    await expectArray(mx.var(mx.array([2 ** 30 + 1, 2 ** 30 + 2, 2 ** 30 + 3], mx.int32, o), o), f32(2 / 3), mx.float32);
    await expectArray(mx.var(mx.array([2n ** 62n + 1n, 2n ** 62n + 2n, 2n ** 62n + 3n], mx.int64, o), { ddof: 1, ...o }), 1);
    await expectArray(mx.std(mx.array([2n ** 64n - 1n, 2n ** 64n - 3n], mx.uint64, o), o), 1);
    await expectArray(mx.std(mx.array([[4294967295, 4294967293], [0, 4294967295]], mx.uint32, o), { axis: 1, ...o }), [1, f32(4294967295 / 2)]);
    await expectArray(mx.var(mx.array([2 ** 30 + 1, -(2 ** 30)], mx.int32, o), o), f32((2 ** 30 + 0.5) ** 2));
  });

  it("variances of 64-bit integers spanning past 2^63: the deviations that wrap in int64 get their 2^64 back", async () => {
    const [h, top, all] = [3n * 2n ** 61n, 2n ** 63n - 1n, 2n ** 64n - 1n];
    // NumPy's float64 var of each (np.var(np.array(v, float))), within float32's rounding (its reads of the deviations)
    const cases: [bigint[], mx.DType, number, number][] = [
      [[-h, h, h, h], mx.int64, 3.588915588619273e37, 4.785220784825697e37],
      [[-top - 1n, top, top], mx.int64, 7.561830376020855e37, 1.1342745564031283e38],
      [[0n, all, all], mx.uint64, 7.561830376020855e37, 1.1342745564031283e38],
      [[0n, 0n, all], mx.uint64, 7.561830376020855e37, 1.1342745564031283e38],
      [[-h, h], mx.int64, 4.785220784825697e37, 9.570441569651394e37],
      [[0n, all], mx.uint64, 8.507059173023462e37, 1.7014118346046923e38],
    ];
    for (const [v, dtype, pop, sample] of cases) {
      const x = mx.array(v, dtype, o);
      await expectClose(mx.var(x, o), [pop], 3e-7);
      await expectClose(mx.var(x, { ddof: 1, ...o }), [sample], 3e-7);
      await expectClose(mx.std(x, o), [Math.sqrt(pop)], 3e-7);
    }
    // along an axis, beside a row of the normal range whose variance stays exact
    const matrices: [bigint[][], mx.DType][] = [[[[0n, all, all], [all, all - 1n, all - 2n]], mx.uint64], [[[-top - 1n, top, top], [top, top - 1n, top - 2n]], mx.int64]];
    for (const [rows, dtype] of matrices) {
      const [wide, near] = await values(mx.var(mx.array(rows, dtype, o), { axis: 1, ...o }));
      expect(Math.abs(wide! / 7.561830376020855e37 - 1)).toBeLessThan(3e-7);
      expect(near).toBe(Math.fround(2 / 3));
    }
  });

  it("logsumexp and softmax are stable for large inputs", async () => {
    await expectClose(mx.logsumexp(mx.array([1000, 1000], mx.float32, o), o), [1000 + Math.LN2]);
    await expectArray(mx.logsumexp(mx.array([-Infinity, -Infinity], mx.float32, o), o), -Infinity);
    await expectClose(mx.softmax(mx.array([[1000, 1000], [0, Math.log(3)]], mx.float32, o), { axis: 1, ...o }), [[0.5, 0.5], [0.25, 0.75]], 1e-6);
    await expectClose(mx.softmax(mx.array([1, 2, 3], mx.float16, o), o), [0.09003057, 0.24472847, 0.66524096], 1e-3);
  });

  it("logsumexp's derivative is softmax of the input, not exp(x - out) with out rounded", async () => {
    // out = x + ln 2 rounds by an ulp of x (1e5 in float32: 2^-7; 40 in float16: 2^-5), which exp(x - out) would carry
    const f = (v: mx.MxArray) => mx.logsumexp(v, o);
    await expectArray(mx.grad(f)(mx.array([1e5, 1e5], mx.float32, o)), [0.5, 0.5]);
    await expectArray(mx.grad(f)(mx.array([40, 40], mx.float16, o)), [0.5, 0.5]);
    const [, [t]] = mx.jvp(f, [mx.array([1e5, 1e5], mx.float32, o)], [mx.array([1, 3], mx.float32, o)]);
    await expectArray(t!, 2);
    const g = mx.grad((v: mx.MxArray) => mx.sum(mx.logsumexp(v, { axis: 1, ...o }), o))(mx.array([[3e4, 3e4, 3e4, 3e4], [0, 0, Math.log(3), 0]], mx.float32, o));
    await expectClose(g, [[0.25, 0.25, 0.25, 0.25], [1 / 6, 1 / 6, 0.5, 1 / 6]], 1e-6);
  });

  it("array methods take their functions' arguments after the input (MLX's positional forms, then the options)", async () => {
    const x = mx.array([[1, 2], [3, 6]], mx.float32, o);
    await expectArray(x.var(0, true, 1), [[2, 8]]);
    // flatten's start and end axes (MLX's cvae example: .flatten(0, 1); the method once dropped the end axis)
    expect(mx.zeros([4, 2, 3, 5], mx.float32, o).flatten(0, 1).shape).toEqual([8, 3, 5]);
    expect(mx.zeros([4, 2, 3, 5], mx.float32, o).flatten(1, { endAxis: 2 }).shape).toEqual([4, 6, 5]);
    await expectClose(x.std(null, false, 1), await mx.std(x, null, false, 1).item());
    await expectArray(x.sum(1, true), [[3], [9]]);
    await expectArray(x.max(0, true), [[3, 6]]);
    await expectArray(x.argmax(1, true), [[1], [1]]);
    await expectClose(x.logsumexp(1, true), await mx.logsumexp(x, 1, true).tolist());
    expect(x.mean(0, false, { stream: mx.cpu }).stream.device.backend).toBe("cpu");
    expect(x.sum(0, true, { stream: device }).stream.device.backend).toBe(device.backend);
    expect(() => x.sum(0, true, 99 as never)).toThrow(/\[sum\]/);
    expect((await Promise.all(x.split(2, 1).map((p) => p.tolist())))).toEqual([[[1], [3]], [[2], [6]]]);
  });

  it("sum matches a float64 reference on random shapes and axes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 15 }), async (shape, mask) => {
        const axes = shape.map((_, i) => i).filter((i) => (mask >> i) & 1);
        const n = shape.reduce((a, b) => a * b, 1);
        const vals = Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 10));
        const a = mx.reshape(mx.array(vals, mx.float32, o), shape, o);
        const got = await values(mx.sum(a, { axis: axes, ...o }));
        const keptShape = shape.filter((_, i) => !axes.includes(i));
        const want = new Array(keptShape.reduce((p, d) => p * d, 1)).fill(0);
        vals.forEach((v, flat) => {
          let rem = flat, out = 0;
          shape.forEach((d, i) => {
            const step = shape.slice(i + 1).reduce((p, q) => p * q, 1);
            const idx = Math.floor(rem / step);
            rem -= idx * step;
            if (!axes.includes(i)) out = out * d + idx;
          });
          want[out] += v;
        });
        if (device.backend === "cpu") {
          expect(got).toEqual(want.map(Math.fround));
          return;
        }
        // float32 accumulation: |error| <= R * 2^-24 * sum|terms| per output (condition-bounded)
        const R = axes.reduce((p, a) => p * shape[a]!, 1);
        // every term here is at most 10 in magnitude
        got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(R * 2 ** -24 * 10 * R + 2 ** -24 * Math.abs(want[i]!)));
      }),
      { numRuns: 60 },
    );
  });

  // segments long enough that the GPU splits them into chunks folded by a second pass
  it("long segments: every reduction over 3 x 50001 and a full 150003 against exact references", async () => {
    const rows = 3, R = 50001;
    const ints = Int32Array.from({ length: rows * R }, (_, i) => ((i * 7919) % 2001) - 1000);
    const xi = mx.reshape(mx.array(ints, undefined, o), [rows, R], o);
    const rowsOf = <T,>(f: (r: Int32Array) => T) => Array.from({ length: rows }, (_, r) => f(ints.subarray(r * R, (r + 1) * R)));
    const sumOf = (r: Int32Array) => r.reduce((a, b) => a + b, 0);
    await expectArray(mx.sum(xi, { axis: 1, ...o }), rowsOf(sumOf), mx.int32);
    await expectArray(mx.sum(xi, o), sumOf(ints));
    await expectArray(mx.max(xi, { axis: 1, ...o }), rowsOf((r) => Math.max(...r)));
    await expectArray(mx.min(mx.transpose(xi, undefined, o), { axis: 0, ...o }), rowsOf((r) => Math.min(...r)));
    await expectArray(mx.argmax(xi, { axis: 1, ...o }), rowsOf((r) => r.indexOf(Math.max(...r))));
    await expectArray(mx.all(xi, { axis: 1, ...o }), rowsOf((r) => r.every((v) => v !== 0)));
    await expectArray(mx.any(mx.equal(xi, 999, o), o), true);
    // a NaN deep in the second row's last chunk, and products of values near 1, in float32
    const f = Float32Array.from({ length: rows * R }, (_, i) => 1 + ((i % 5) - 2) * 2 ** -12);
    f[R + R - 3] = NaN;
    const xf = mx.reshape(mx.array(f, undefined, o), [rows, R], o);
    const maxes = await values(mx.max(xf, { axis: 1, ...o }));
    expect(maxes[1]).toBeNaN();
    expect(maxes[0]).toBe(1 + 2 * 2 ** -12);
    const prods = await values(mx.prod(xf, { axis: 1, ...o }));
    const want = Math.exp(Array.from(f.subarray(0, R)).reduce((a, v) => a + Math.log(v), 0));
    expect(Math.abs(prods[0]! - want) / want).toBeLessThan(R * 2 ** -23);
    await expectClose(mx.mean(xf, { axis: 1, ...o }).slice([2], [3]), [Array.from(f.subarray(2 * R)).reduce((a, v) => a + v, 0) / R], 1e-6);
  });

  // packed elements (two or four a word) on webgpu: contiguous sums read whole quads of words (odd rows start mid-word),
  // strided ones (the transpose) and argmax take sixteen loads in flight per step: sums and first maxima stay exact
  // a kernel per dtype, op and layout, each compiled on first use: 88 s on lavapipe from a cold shader cache beside another test file
  it("long segments of 8- and 16-bit elements: sums and argmax over 3 x 49151 against exact references", { timeout: 240_000 }, async () => {
    // chunks of 16384 elements: float16/bfloat16 sums read whole quads (eight an invocation)
    const rows = 3, R = 49151;
    const ints = Int32Array.from({ length: rows * R }, (_, i) => ((i * 7919) % 201) - 100);
    const small = Int32Array.from({ length: rows * R }, (_, i) => ((i * 7919) % 7) - 3);
    const rowsOf = <T,>(v: Int32Array, f: (r: Int32Array) => T) => Array.from({ length: rows }, (_, r) => f(v.subarray(r * R, (r + 1) * R)));
    const sumOf = (r: Int32Array) => r.reduce((a, b) => a + b, 0);
    const firstMax = (r: Int32Array) => r.indexOf(Math.max(...r));
    for (const [dtype, v] of [[mx.int8, ints], [mx.int16, ints], [mx.float16, small], [mx.bfloat16, small]] as const) {
      const x = mx.reshape(mx.astype(mx.array(v, undefined, o), dtype, o), [rows, R], o);
      expect(await values(mx.sum(x, { axis: 1, ...o })), dtype.name).toEqual(rowsOf(v, sumOf));
      expect(await values(mx.sum(x, o)), dtype.name).toEqual([sumOf(v)]);
      expect(await values(mx.sum(mx.transpose(x, o), { axis: 0, ...o })), dtype.name).toEqual(rowsOf(v, sumOf));
      expect(await values(mx.argmax(x, { axis: 1, ...o })), dtype.name).toEqual(rowsOf(v, firstMax));
    }
  });

  // rows of 4096 to 30001 8/16-bit elements from an odd offset (each starts mid-word): on webgpu one kept and one
  // reduced dim, most in one chunk, so the reduce kernel takes both as constants instead of reading them from params
  it("contiguous sums of long 8- and 16-bit rows from an odd offset, exact", async () => {
    const sumOf = (r: Int32Array) => r.reduce((a, b) => a + b, 0);
    for (const [dtype, lengths] of [[mx.float16, [4099, 8200, 12001, 16383]], [mx.bfloat16, [4096, 10000]], [mx.int8, [8195, 30001]], [mx.uint8, [16384]]] as const) {
      for (const R of lengths) {
        const rows = 3;
        const v = Int32Array.from({ length: rows * R + 1 }, (_, i) => ((i * 7919) % 7) - (dtype === mx.uint8 ? 0 : 3));
        const flat = mx.astype(mx.array(v, undefined, o), dtype, o);
        const x = mx.reshape(mx.slice(flat, [1], [rows * R + 1], [1], o), [rows, R], o);
        const want = Array.from({ length: rows }, (_, r) => sumOf(v.subarray(1 + r * R, 1 + (r + 1) * R)));
        const got = await values(mx.sum(x, { axis: 1, ...o }));
        // float16 results round to 11 bits: the exact sums are compared as float16 rounds them
        expect(got, `${dtype.name} rows of ${R}`).toEqual(dtype === mx.float16 || dtype === mx.bfloat16 ? await values(mx.astype(mx.array(want, mx.float32, o), dtype, o)) : want);
      }
    }
  });

  // one kept dim and two reduced dims that do not merge (a transposed view), 2000 elements an output (a workgroup each on
  // webgpu): the reduce kernels read nr from params here, not the constant of the one-by-one layout
  it("sum, max and argmax over two unmergeable axes of 2000 elements an output", async () => {
    const [a, b, c] = [3, 40, 50];
    const v = Int32Array.from({ length: a * b * c }, (_, i) => ((i * 7919) % 201) - 100);
    const x = mx.transpose(mx.reshape(mx.array(v, undefined, o), [a, b, c], o), [0, 2, 1], o);
    const seg = (r: number) => Array.from(v.subarray(r * b * c, (r + 1) * b * c));
    expect(await values(mx.sum(x, { axis: [1, 2], ...o }))).toEqual([0, 1, 2].map((r) => seg(r).reduce((s, t) => s + t, 0)));
    expect(await values(mx.max(mx.astype(x, mx.float32, o), { axis: [1, 2], ...o }))).toEqual([0, 1, 2].map((r) => Math.max(...seg(r))));
    // the first maximum in the transposed row-major order of the merged axes (c outer, b inner)
    const firstMax = (r: number) => {
      const t = Array.from({ length: b * c }, (_, k) => v[r * b * c + (k % b) * c + Math.floor(k / b)]!);
      return t.indexOf(Math.max(...t));
    };
    const flat = mx.reshape(mx.astype(x, mx.float32, o), [a, b * c], o);
    expect(await values(mx.argmax(flat, { axis: 1, ...o }))).toEqual([0, 1, 2].map(firstMax));
  });

  // one workgroup per output on webgpu: 70000 outputs need a second grid dimension (at most 65535 per dimension)
  it("70000 outputs: sum and argmax per row of a 70000 x 3 array", async () => {
    const rows = 70000;
    const v = Int32Array.from({ length: rows * 3 }, (_, i) => (i * 37) % 11);
    const x = mx.reshape(mx.array(v, undefined, o), [rows, 3], o);
    const sums = await mx.sum(x, { axis: 1, ...o }).data();
    const args = await mx.argmax(x, { axis: 1, ...o }).data();
    for (let r = 0; r < rows; r++) {
      const row = [v[3 * r]!, v[3 * r + 1]!, v[3 * r + 2]!];
      if (sums[r] !== row[0]! + row[1]! + row[2]!) expect.fail(`sum of row ${r}: got ${sums[r]}`);
      if (args[r] !== row.indexOf(Math.max(...row))) expect.fail(`argmax of row ${r}: got ${args[r]}`);
    }
  });

  it("names the op and the axis when an axis is out of range", () => {
    expect(() => mx.sum(x(), { axis: 2, ...o })).toThrow(/\[sum\] axis 2 is out of bounds for an array with 2 dimensions/);
    expect(() => mx.sum(x(), { axis: [0, 0], ...o })).toThrow(/\[sum\] duplicate axes/);
  });
});
