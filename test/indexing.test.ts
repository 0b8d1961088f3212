// Gather, scatter and indexing on every backend: take / takeAlongAxis /
// putAlongAxis / sliceUpdate, index (basic, advanced with NumPy's placement,
// ellipsis, new axes) and indexUpdate in every mode, checked against values
// NumPy gives; every index dtype, negative, empty, duplicate and
// out-of-bounds indices; gradients through gathers and scatters.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

const GPU_INDEX_DTYPES = [mx.int8, mx.int16, mx.int32, mx.uint8, mx.uint16, mx.uint32];

describe.each(BACKENDS)("indexing on $name", ({ device }) => {
  const o = { stream: device };
  const y = () => mx.reshape(mx.arange(24, o), [2, 3, 4], o);
  const indexDTypes = device.backend === "cpu" ? [...GPU_INDEX_DTYPES, mx.int64, mx.uint64] : GPU_INDEX_DTYPES;

  it("basic indices are views: integers, slices, new axes, ellipsis", async () => {
    await expectArray(mx.index(y(), 1, -1), [20, 21, 22, 23]);
    await expectArray(mx.index(y(), null, 1, "...", "::-2"), [[[15, 13], [19, 17], [23, 21]]]);
    await expectArray(mx.index(y(), ":", mx.s(1, 3), mx.s(3)), [[[4, 5, 6], [8, 9, 10]], [[16, 17, 18], [20, 21, 22]]]);
    expect(mx.index(y(), "...").shape).toEqual([2, 3, 4]);
    expect(mx.index(y(), "5:", ":").shape).toEqual([0, 3, 4]);
    expect(() => mx.index(y(), 2)).toThrow(/\[index\] index 2 is out of bounds for axis 0 with size 2/);
    expect(() => mx.index(y(), 0, 0, 0, 0)).toThrow(/\[index\] too many indices: 4/);
    expect(() => mx.index(y(), "...", "...")).toThrow(/only one ellipsis/);
    expect(() => mx.index(y(), "1:2:0")).toThrow(/step must not be 0/);
    expect(() => mx.index(y(), "a:b")).toThrow(/cannot read the index "a:b"/);
    expect(() => mx.index(y(), mx.array([0.5], mx.float32, o))).toThrow(/\[index\] index 0 must have an integer dtype, got float32/);
  });

  it("advanced indices broadcast and go where NumPy puts them", async () => {
    await expectArray(mx.index(y(), [0, 1], ":", [1, 2]), [[1, 5, 9], [14, 18, 22]]);
    await expectArray(mx.index(y(), ":", mx.array([[0], [2]], mx.int32, o), [1, 3]), [[[1, 3], [9, 11]], [[13, 15], [21, 23]]]);
    await expectArray(mx.index(y(), [1], null, [0, 2]), [[[12, 13, 14, 15]], [[20, 21, 22, 23]]]);
    await expectArray(mx.index(y(), "...", mx.array([-1, 0], mx.int32, o)), [[[3, 0], [7, 4], [11, 8]], [[15, 12], [19, 16], [23, 20]]]);
    expect(mx.index(y(), 1, mx.array([], mx.int32, o)).shape).toEqual([0, 4]);
  });

  it("every integer index dtype; negatives wrap once, out-of-bounds values clamp", async () => {
    const x = mx.array([10, 20, 30, 40], mx.float32, o);
    for (const d of indexDTypes) {
      const signed = d.kind === "int";
      const i = mx.array(signed ? [0, -1, 3, 9, -9] : [0, 3, 2, 9, 255], d, o);
      await expectArray(mx.take(x, i), signed ? [10, 40, 40, 40, 10] : [10, 40, 30, 40, 40]);
      await expectArray(mx.indexUpdate(x, [i], 1, "add"), signed ? [12, 20, 30, 43] : [11, 20, 31, 43]);
    }
    expect(() => mx.take(x, mx.array([true], mx.bool, o))).toThrow(/\[take\] indices must have an integer dtype, got bool/);
    expect(() => mx.take(x, 4)).toThrow(/\[take\] index 4 is out of bounds/);
    expect(() => mx.take(mx.zeros([0], mx.float32, o), mx.array([0], mx.int32, o))).toThrow(/cannot take elements from axis 0 of size 0/);
  });

  it("several index arrays clamp per axis as one array does, whatever their dtype", async () => {
    const rows = (r: number[]) => r.map((k) => [0, 1, 2, 3].map((c) => 4 * k + c));
    for (const d of indexDTypes) {
      const signed = d.kind === "int";
      const i = mx.array(signed ? [5, -9, 1] : [5, 200, 0], d, o);
      const j = mx.array(signed ? [-1, 7, -4] : [250, 7, 1], d, o);
      // axis 0 (size 2) then axis 1 (size 3): flat row = 3 * i + j after wrapping and clamping
      await expectArray(mx.index(y(), i, j), signed ? rows([5, 2, 3]) : rows([5, 5, 1]));
    }
    const big = mx.array([4000000000, 1], mx.uint32, o);
    await expectArray(mx.index(y(), big, big), rows([5, 4]));
    await expectArray(mx.take(mx.arange(0, 3, o), big), [2, 1]);
  });

  it("take and takeAlongAxis", async () => {
    const a = mx.array([[10, 30, 20], [60, 40, 50]], mx.int32, o);
    await expectArray(mx.take(a, mx.array([2, 0], mx.uint8, o), 1), [[20, 10], [50, 60]]);
    await expectArray(mx.take(a, mx.array([[0], [-1]], mx.int16, o)), [[10], [50]]);
    await expectArray(mx.take(a, 1, 0), [60, 40, 50]);
    expect(mx.take(a, mx.array([], mx.int32, o), 1).shape).toEqual([2, 0]);
    await expectArray(mx.takeAlongAxis(a, mx.array([[0], [1]], mx.int32, o), 1), [[10], [40]]);
    await expectArray(mx.takeAlongAxis(a, mx.argmax(a, { axis: 1, keepdims: true, ...o }), 1), [[30], [60]]);
    await expectArray(mx.takeAlongAxis(a, mx.array([[1, 0, 1]], mx.int32, o), 0), [[60, 30, 50]]);
    await expectArray(mx.takeAlongAxis(a, mx.array([5, 0], mx.int32, o)), [50, 10]);
    expect(() => mx.takeAlongAxis(a, mx.array([0], mx.int32, o), 1)).toThrow(/\[takeAlongAxis\] indices of shape \(1,\) must have the rank of the array \(2\)/);
  });

  it("gathers every data dtype the backend holds", async () => {
    const dtypes = [mx.bool, mx.uint8, mx.int8, mx.uint16, mx.int16, mx.float16, mx.bfloat16, mx.int32, mx.uint32, mx.float32];
    if (device.backend === "cpu") dtypes.push(mx.int64, mx.uint64, mx.float64, mx.complex64);
    for (const d of dtypes) {
      const x = mx.astype(mx.array([0, 1, 2, 3, 4, 5, 6], mx.int32, o), d, o);
      const want = (await mx.astype(mx.array([6, 0, 5, 5, 1], mx.int32, o), d, o).tolist()) as unknown[];
      expect(await mx.take(x, mx.array([6, 0, -2, 5, 1], mx.int32, o)).tolist()).toEqual(want);
      const updated = mx.indexUpdate(mx.zerosLike(x, o), [mx.array([1, 3, 1], mx.int32, o)], mx.astype(mx.array([4, 5, 6], mx.int32, o), d, o), "set");
      const expected = (await mx.astype(mx.array([0, 6, 0, 5, 0, 0, 0], mx.int32, o), d, o).tolist()) as unknown[];
      expect(await updated.tolist()).toEqual(expected);
    }
  });

  it("indexUpdate: duplicates accumulate in every mode, set keeps the last", async () => {
    const z = mx.zeros([5], mx.float32, o);
    await expectArray(mx.indexUpdate(z, [[0, 0, 4, -1]], mx.array([1, 2, 3, 4], mx.float32, o), "add"), [3, 0, 0, 0, 7]);
    await expectArray(mx.indexUpdate(z, [[0, 0, 4, -1]], mx.array([1, 2, 3, 4], mx.float32, o), "subtract"), [-3, 0, 0, 0, -7]);
    await expectArray(mx.indexUpdate(z, [[2, 2, 2]], mx.array([1, 2, 3], mx.float32, o), "set"), [0, 0, 3, 0, 0]);
    const ones = mx.ones([5], mx.float32, o);
    await expectArray(mx.indexUpdate(ones, [[1, 1, 2]], mx.array([2, 3, 5], mx.float32, o), "multiply"), [1, 6, 5, 1, 1]);
    await expectArray(mx.indexUpdate(ones, [[1, 1]], mx.array([2, 4], mx.float32, o), "divide"), [1, 0.125, 1, 1, 1]);
    await expectArray(mx.array([4, 5, 100], mx.float16, o).at(mx.array([0, 2], mx.int32, o)).divide(2), [2, 5, 50], mx.float16);
    // NumPy refuses np.divide.at on integers; MLX would scatter a reciprocal cast to the integer dtype (0s)
    for (const dtype of [mx.int32, mx.uint8, mx.int64, mx.bool]) {
      const ints = mx.array([4, 5, 100], dtype, o);
      expect(() => ints.at(mx.array([0, 1, 2], mx.int32, o)).divide(2)).toThrow(new RegExp(`^\\[at\\.divide\\] cannot divide an array of dtype ${dtype.name} in place.*valid: float and complex dtypes`));
      expect(() => mx.indexUpdate(ints, ["1:"], 2, "divide")).toThrow(new RegExp(`^\\[indexUpdate\\] cannot divide an array of dtype ${dtype.name}`));
    }
    const x = mx.reshape(mx.arange(12, o), [3, 4], o);
    await expectArray(mx.indexUpdate(x, [":", [1, 1]], mx.array([[5, 20], [0, 0], [100, 1]], mx.int32, o), "maximum"), [[0, 20, 2, 3], [4, 5, 6, 7], [8, 100, 10, 11]]);
    await expectArray(mx.indexUpdate(x, [":", [1, 1]], 3, "minimum"), [[0, 1, 2, 3], [4, 3, 6, 7], [8, 3, 10, 11]]);
    await expectArray(mx.indexUpdate(mx.zeros([3, 4], mx.int32, o), ["1:", [0, 3]], mx.array([[7, 8], [9, 10]], mx.int32, o)), [[0, 0, 0, 0], [7, 0, 0, 8], [9, 0, 0, 10]]);
    await expectArray(mx.indexUpdate(x, [[]], 1, "add"), await x.tolist());
    expect(() => mx.indexUpdate(x, [0], mx.zeros([2], mx.int32, o))).toThrow(/\[indexUpdate\] cannot broadcast the update of shape \(2,\) to \(4,\)/);
  });

  it("indexUpdate through slices only is a sliceUpdate", async () => {
    const x = mx.zeros([3, 4], mx.int32, o);
    const r = mx.indexUpdate(x, ["::2", "::-3"], mx.array([1, 2], mx.int32, o));
    expect(r.primitive?.name).toBe("sliceUpdate");
    await expectArray(r, [[2, 0, 0, 1], [0, 0, 0, 0], [2, 0, 0, 1]]);
    await expectArray(mx.indexUpdate(x, [1, null], 5, "add"), [[0, 0, 0, 0], [5, 5, 5, 5], [0, 0, 0, 0]]);
    await expectArray(mx.indexUpdate(x, ["..."], 2, "add"), [[2, 2, 2, 2], [2, 2, 2, 2], [2, 2, 2, 2]]);
  });

  it("putAlongAxis and sliceUpdate", async () => {
    const b = mx.zeros([2, 3], mx.int32, o);
    await expectArray(mx.putAlongAxis(b, mx.array([[1], [1]], mx.int32, o), mx.array([[5], [6]], mx.int32, o), 1), [[0, 5, 0], [0, 6, 0]]);
    await expectArray(mx.putAlongAxis(b, mx.array([[0, 0, 1]], mx.uint16, o), 7, 0), [[7, 7, 0], [0, 0, 7]]);
    await expectArray(mx.putAlongAxis(b, mx.array([5], mx.int32, o), 9), [[0, 0, 0], [0, 0, 9]]);
    await expectArray(mx.sliceUpdate(b, mx.array([[1, 2]], mx.int32, o), [1, 1]), [[0, 0, 0], [0, 1, 2]]);
    await expectArray(mx.sliceUpdate(b, mx.array([3, 4], mx.int32, o), [-2], [1]), [[0, 3, 4], [0, 0, 0]]);
    expect(() => mx.sliceUpdate(b, mx.ones([3], mx.int32, o), [1], [1])).toThrow(/\[sliceUpdate\] the update \(shape \(1, 3\)\) starting at 1 does not fit axis 1 of size 3/);
  });

  it("gradients: a gather's is a scatter-add, a scatter's a gather", async () => {
    const w = mx.array([1, 2, 3], mx.float32, o);
    const g = mx.grad((a: mx.MxArray) => mx.sum(mx.multiply(mx.take(a, mx.array([0, 0, 2], mx.int32, o)), w)))(mx.array([5, 6, 7], mx.float32, o));
    await expectArray(g, [3, 0, 3]);
    // x[idx] = 2: no gradient at idx; only the last of duplicate updates gets one
    const f = (x: mx.MxArray, u: mx.MxArray) => mx.sum(mx.multiply(mx.indexUpdate(x, [[1, 1]], u), mx.array([1, 2, 3], mx.float32, o)));
    const [gx, gu] = mx.grad(f, { argnums: [0, 1] })(mx.array([1, 2, 3], mx.float32, o), mx.array([8, 9], mx.float32, o));
    await expectArray(gx!, [1, 0, 3]);
    await expectArray(gu!, [0, 2]);
    // maximum: as MLX, the cotangent reaches the values equal to the result
    const m = (x: mx.MxArray, u: mx.MxArray) => mx.sum(mx.multiply(mx.indexUpdate(x, [[0, 2]], u, "maximum"), mx.array([1, 2, 3], mx.float32, o)));
    const [mx0, mu] = mx.grad(m, { argnums: [0, 1] })(mx.array([1, 5, 3], mx.float32, o), mx.array([4, 2], mx.float32, o));
    await expectArray(mx0!, [0, 2, 3]);
    await expectArray(mu!, [1, 0]);
    // MLX's test_scatter_max_vjp / test_scatter_min_vjp: an integer index, the update equal to the value it meets (both get the cotangent)
    for (const mode of ["maximum", "minimum"] as const) {
      const [, [ds, du]] = mx.vjp((s: mx.MxArray, u: mx.MxArray) => s.at(1)[mode](u), [mx.array([[1], [2], [3]], mx.float32, o), mx.array([[[2]]], mx.float32, o)], [mx.array([[4], [5], [6]], mx.float32, o)]);
      await expectArray(ds!, [[4], [5], [6]]);
      await expectArray(du!, [[[5]]]);
      const [, [ds2, du2]] = mx.vjp((s: mx.MxArray, u: mx.MxArray) => s.at("0:2")[mode](u), [mx.array([1, 2, 3], mx.float32, o), mx.array([mode === "maximum" ? 3 : 0, 2], mx.float32, o)], [mx.array([4, 5, 6], mx.float32, o)]);
      await expectArray(ds2!, [0, 5, 6]);
      await expectArray(du2!, [4, 5]);
    }
    const h = (x: mx.MxArray, u: mx.MxArray) => mx.sum(mx.square(mx.sliceUpdate(x, u, [1])));
    const [hx, hu] = mx.grad(h, { argnums: [0, 1] })(mx.array([1, 2, 3], mx.float32, o), mx.array([4], mx.float32, o));
    await expectArray(hx!, [2, 0, 6]);
    await expectArray(hu!, [8]);
  });

  it("vmap over the array and over the indices", async () => {
    const x = mx.reshape(mx.arange(0, 6, { dtype: mx.float32, ...o }), [2, 3], o);
    const i = mx.array([[2, 0], [1, 1]], mx.int32, o);
    await expectArray(mx.vmap((a: mx.MxArray, k: mx.MxArray) => mx.take(a, k))(x, i), [[2, 0], [4, 4]]);
    await expectArray(mx.vmap((k: mx.MxArray) => mx.take(x, k, 1))(i), [[[2, 0], [5, 3]], [[1, 1], [4, 4]]]);
    await expectArray(mx.vmap((a: mx.MxArray) => mx.indexUpdate(a, [[0, 0]], 1, "add"))(x), [[2, 1, 2], [5, 4, 5]]);
  });

  it("matches a reference take-along-axis on random shapes and indices", () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: -6, max: 8 }), { minLength: 1, maxLength: 6 }), async (rows, n, raw) => {
        const x = mx.reshape(mx.arange(0, rows * n, { dtype: mx.int32, ...o }), [rows, n], o);
        const idx = mx.array(raw, mx.int32, o);
        const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n - 1);
        const want = [...Array(rows).keys()].map((r) => raw.map((v) => r * n + clamp(v)));
        expect(await mx.take(x, idx, 1).tolist()).toEqual(want);
        const counts = [...Array(rows).keys()].map((r) => [...Array(n).keys()].map((c) => r * n + c + raw.filter((v) => clamp(v) === c).length));
        expect(await mx.indexUpdate(x, [":", idx], 1, "add").tolist()).toEqual(counts);
      }),
      { numRuns: 15 },
    ));
});
