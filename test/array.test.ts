// Arrays: creation from lists, typed arrays and scalars, properties, reading
// (data, tolist, item), MLX's printed format, and creation ops.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe("mx.array", () => {
  it("infers dtypes like MLX", () => {
    expect(mx.array([1, 2, 3]).dtype).toBe(mx.int32);
    expect(mx.array([1, 2.5]).dtype).toBe(mx.float32);
    expect(mx.array([true, false]).dtype).toBe(mx.bool);
    expect(mx.array(3).dtype).toBe(mx.int32);
    expect(mx.array(3.5).dtype).toBe(mx.float32);
    expect(mx.array([1n]).dtype).toBe(mx.int64);
    expect(mx.array(new Float64Array([1])).dtype).toBe(mx.float64);
    expect(mx.array(new Uint16Array([1])).dtype).toBe(mx.uint16);
    expect(mx.array([{ re: 1, im: 2 }]).dtype).toBe(mx.complex64);
  });

  it("has MLX's properties", () => {
    const a = mx.array([[1, 2, 3], [4, 5, 6]], mx.float16);
    expect([a.shape, a.ndim, a.size, a.itemsize, a.nbytes]).toEqual([[2, 3], 2, 6, 2, 12]);
    expect(mx.array([]).shape).toEqual([0]);
    expect(mx.array([[], []]).shape).toEqual([2, 0]);
  });

  it("rejects ragged lists and bad elements with a clear error", () => {
    expect(() => mx.array([[1, 2], [3]])).toThrow(/\[array\] ragged nested list/);
    expect(() => mx.array([1, "a" as never])).toThrow(/\[array\] element \[1\] has type string/);
    expect(() => mx.array([1], "float32" as never)).toThrow(/dtype must be an mx dtype/);
  });

  it("reads back data, lists and items", async () => {
    const a = mx.array([[1, 2], [3, 4]], mx.bfloat16);
    expect(await a.tolist()).toEqual([[1, 2], [3, 4]]);
    expect([...(await a.data())]).toEqual([0x3f80, 0x4000, 0x4040, 0x4080]);
    expect(await mx.array(2.5).item()).toBe(2.5);
    expect(await mx.array([true]).item()).toBe(true);
    expect(await mx.array([7n], mx.uint64).item()).toBe(7n);
    await expect(mx.array([1, 2]).item()).rejects.toThrow(/only one-element arrays/);
    expect(mx.array([[1, 2]]).T.dataSync()).toEqual(new Int32Array([1, 2]));
  });

  it("toNumber gives float and integer values as numbers and refuses what a number cannot hold", async () => {
    expect(await mx.array(2.5, mx.float16).toNumber()).toBe(2.5);
    expect(await mx.array([[1 / 3]], mx.float32).toNumber()).toBe(Math.fround(1 / 3));
    expect(await mx.array([4294967295], mx.uint32).toNumber()).toBe(4294967295);
    expect(await mx.array([-7], mx.int8).toNumber()).toBe(-7);
    expect(await mx.array([-(2n ** 53n)], mx.int64).toNumber()).toBe(-(2 ** 53));
    expect(mx.sum(mx.array([1.5, 2], mx.float64)).toNumberSync()).toBe(3.5);
    await expect(mx.array([2n ** 53n + 1n], mx.int64).toNumber()).rejects.toThrow(/\[toNumber\] the int64 value 9007199254740993 is beyond 2\^53 .* item\(\) gives it as a bigint/);
    await expect(mx.array([2n ** 64n - 1n], mx.uint64).toNumber()).rejects.toThrow(RangeError);
    await expect(mx.array(true).toNumber()).rejects.toThrow(/\[toNumber\] needs a float or integer array, got bool\(\); item\(\) gives its value as a boolean/);
    await expect(mx.array([{ re: 1, im: 0 }]).toNumber()).rejects.toThrow(/\[toNumber\] needs a float or integer array, got complex64\(1,\)/);
    await expect(mx.array([1, 2], mx.float32).toNumber()).rejects.toThrow(/\[toNumber\] only one-element arrays convert to a scalar, got float32\(2,\)/);
    expect(() => mx.array(true).toNumberSync()).toThrow(TypeError);
  });
});

describe.each(BACKENDS)("creation ops with their dtype in an options object on $name", ({ device }) => {
  it("zeros, ones, full and array take { dtype, stream } in place of the dtype", async () => {
    const z = mx.zeros([2], { stream: device });
    expect([z.dtype, z.stream.device.backend]).toEqual([mx.float32, device.backend]);
    const o = mx.ones([2], { dtype: mx.int8, stream: device });
    expect([o.dtype, o.stream.device.backend, await o.tolist()]).toEqual([mx.int8, device.backend, [1, 1]]);
    expect(await mx.full([2], 3, { dtype: mx.float16, stream: device }).tolist()).toEqual([3, 3]);
    expect(mx.array([1, 2], { dtype: mx.float32, stream: device }).dtype).toBe(mx.float32);
    expect(() => mx.zeros([2], { dtype: mx.int8 }, {})).toThrow(/\[zeros\] got an options object in place of the dtype and options after it/);
    expect(() => mx.ones([2], { dtyp: mx.int8 } as never)).toThrow(/\[ones\].*dtyp/);
  });
});

describe("iteration", () => {
  it("yields the slices along the first axis, lazily, and destructures", async () => {
    const x = mx.array([[1, 2, 3], [4, 5, 6]], mx.float32);
    const rows = [...x];
    expect(rows.map((r) => r.shape)).toEqual([[3], [3]]);
    expect(rows.every((r) => !r.isEvaluated && r.dtype === mx.float32)).toBe(true);
    expect(await Promise.all(rows.map((r) => r.tolist()))).toEqual([[1, 2, 3], [4, 5, 6]]);
    const seen: number[] = [];
    for (const v of mx.arange(3)) seen.push(await v.toNumber());
    expect(seen).toEqual([0, 1, 2]);
    const [first, second] = mx.reshape(mx.arange(8), [2, 2, 2]);
    expect(await second!.tolist()).toEqual([[4, 5], [6, 7]]);
    expect(first!.shape).toEqual([2, 2]);
    expect([...mx.zeros([0, 3])]).toEqual([]);
    expect(Array.from(mx.ones([4, 1]), (r) => r.shape)).toEqual([[1], [1], [1], [1]]);
  });

  it("of a 0-d array is a TypeError, as in NumPy", () => {
    expect(() => [...mx.array(3)]).toThrow(TypeError);
    expect(() => {
      for (const v of mx.array(2.5)) void v;
    }).toThrow(/iteration over a 0-d array \(float32\(\)\); use item\(\) or toNumber\(\) for its value/);
    expect(() => mx.array(1)[Symbol.iterator]()).toThrow(/0-d array/);
  });
});

describe("printing", () => {
  it("follows MLX's format", () => {
    expect(String(mx.array([1, 2, 3]))).toBe("array([1, 2, 3], dtype=int32)");
    expect(String(mx.array([1, 2.5, 1 / 3]))).toBe("array([1, 2.5, 0.333333], dtype=float32)");
    expect(String(mx.array([[1, 2], [3, 4]]))).toBe("array([[1, 2],\n       [3, 4]], dtype=int32)");
    expect(String(mx.array(true))).toBe("array(true, dtype=bool)");
    expect(String(mx.array([1e-7, 1e7, NaN, -Infinity]))).toBe("array([1e-07, 1e+07, nan, -inf], dtype=float32)");
    expect(String(mx.arange(10))).toBe("array([0, 1, 2, ..., 7, 8, 9], dtype=int32)");
    expect(String(mx.array([4294967295], mx.uint32))).toBe("array([4294967295], dtype=uint32)");
    expect(String(mx.array([{ re: 1, im: -2 }]))).toBe("array([1-2j], dtype=complex64)");
    expect(String(mx.zeros([2, 2, 2]))).toBe("array([[[0, 0],\n        [0, 0]],\n       [[0, 0],\n        [0, 0]]], dtype=float32)");
  });
});

describe.each(BACKENDS)("creation ops on $name", ({ device }) => {
  const o = { stream: device };
  it("zeros, ones, full and the *Like variants", async () => {
    await expectArray(mx.zeros([2, 3], mx.int32, o), [[0, 0, 0], [0, 0, 0]], mx.int32);
    await expectArray(mx.ones([2], mx.float16, o), [1, 1], mx.float16);
    await expectArray(mx.full([2], 7, undefined, o), [7, 7], mx.int32);
    await expectArray(mx.full([2], 7.5, undefined, o), [7.5, 7.5], mx.float32);
    await expectArray(mx.full([2, 2], mx.array([1, 2], undefined, o), undefined, o), [[1, 2], [1, 2]]);
    const x = mx.array([[1.5, 2]], mx.float32, o);
    await expectArray(mx.zerosLike(x, o), [[0, 0]], mx.float32);
    await expectArray(mx.onesLike(x, o), [[1, 1]]);
    await expectArray(mx.fullLike(x, 3, o), [[3, 3]]);
  });

  it("arange and linspace", async () => {
    await expectArray(mx.arange(5, o), [0, 1, 2, 3, 4], mx.int32);
    await expectArray(mx.arange(1, 2, 0.25, o), [1, 1.25, 1.5, 1.75], mx.float32);
    await expectArray(mx.arange(5, 0, -2, o), [5, 3, 1]);
    await expectArray(mx.arange(0, 3, { dtype: mx.float16, ...o }), [0, 1, 2], mx.float16);
    await expectArray(mx.arange(3, 3, o), []);
    // past the dtype's range integers wrap, as in MLX and NumPy (found by the NumPy cross-check: the reference saturated)
    await expectArray(mx.arange(120, 136, 4, { dtype: mx.int8, ...o }), [120, 124, -128, -124], mx.int8);
    await expectArray(mx.arange(250, 262, 5, { dtype: mx.uint8, ...o }), [250, 255, 4], mx.uint8);
    await expectArray(mx.linspace(0, 1, 5, o), [0, 0.25, 0.5, 0.75, 1], mx.float32);
    expect(() => mx.arange(0, 1, 0)).toThrow(/\[arange\] step must not be 0/);
  });

  it("eye and identity", async () => {
    await expectArray(mx.eye(2, 3, 1, o), [[0, 1, 0], [0, 0, 1]], mx.float32);
    await expectArray(mx.identity(2, { dtype: mx.int32, ...o }), [[1, 0], [0, 1]], mx.int32);
  });
});

describe.each(BACKENDS)("reading an array too large to copy out on $name", ({ device }) => {
  it("names the method called and the array (a broadcast view of one element, 2^40 when read)", async () => {
    const o = { stream: device };
    const x = mx.broadcastTo(mx.array([1], mx.float32, o), [2 ** 20, 2 ** 20], o);
    const label = (m: string) => new RegExp(`^\\[${m}\\] reading float32\\(1048576, 1048576\\): \\[\\w+\\] cannot allocate`);
    await expect(x.data()).rejects.toThrow(label("data"));
    await expect(x.tolist()).rejects.toThrow(label("tolist"));
    if (device !== mx.webgpu) {
      expect(() => x.dataSync()).toThrow(label("dataSync"));
      expect(() => String(x)).toThrow(label("toString"));
    }
    // the array still reads where it fits
    expect(await mx.sum(mx.slice(x, [0, 0], [2, 3], undefined, o), o).item()).toBe(6);
  });
});
