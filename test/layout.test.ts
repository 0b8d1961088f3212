// Layout ops on every backend: reshape (views and copies), squeeze /
// expandDims / flatten, transpose / swapaxes / moveaxis, broadcasting,
// slice with negative steps, split, concatenate, stack and pad.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe.each(BACKENDS)("layout ops on $name", ({ device }) => {
  const o = { stream: device };
  const m = () => mx.reshape(mx.arange(6, o), [2, 3], o);

  it("reshape infers -1 and copies only when strides cannot express it", async () => {
    await expectArray(mx.reshape(m(), [3, -1], o), [[0, 1], [2, 3], [4, 5]]);
    await expectArray(mx.reshape(m().T, [6], o), [0, 3, 1, 4, 2, 5]);
    await expectArray(m().reshape(6), [0, 1, 2, 3, 4, 5]);
    expect(() => mx.reshape(m(), [4, -1], o)).toThrow(/\[reshape\] cannot infer the -1 dimension/);
    expect(() => mx.reshape(m(), [4], o)).toThrow(/cannot reshape 6 elements into shape \(4,\)/);
    if (device.backend === "cpu") {
      const v = mx.reshape(m(), [3, 2], o);
      await mx.eval(v);
      const base = m();
      await mx.eval(base);
      const before = mx.getActiveMemory();
      const view = mx.expandDims(mx.transpose(base, undefined, o), 0, o);
      await mx.eval(view);
      expect(mx.getActiveMemory()).toBe(before); // views share the buffer
      expect(view.tensor().buffer).toBe(base.tensor().buffer);
    }
  });

  it("squeeze, expandDims and flatten", async () => {
    const x = mx.zeros([1, 2, 1, 3], mx.int32, o);
    expect(mx.squeeze(x, undefined, o).shape).toEqual([2, 3]);
    expect(mx.squeeze(x, 2, o).shape).toEqual([1, 2, 3]);
    expect(mx.expandDims(m(), [0, -1], o).shape).toEqual([1, 2, 3, 1]);
    expect(mx.flatten(x, { startAxis: 1, endAxis: 2, ...o }).shape).toEqual([1, 2, 3]);
    expect(mx.flatten(mx.array(5, undefined, o), o).shape).toEqual([1]);
    expect(() => mx.squeeze(x, 1, o)).toThrow(/\[squeeze\] cannot squeeze axis 1 of size 2/);
  });

  it("transpose, swapaxes, moveaxis", async () => {
    const t = mx.reshape(mx.arange(24, o), [2, 3, 4], o);
    await expectArray(mx.transpose(m(), undefined, o), [[0, 3], [1, 4], [2, 5]]);
    expect(mx.transpose(t, [1, 2, 0], o).shape).toEqual([3, 4, 2]);
    expect(mx.swapaxes(t, 0, 2, o).shape).toEqual([4, 3, 2]);
    expect(mx.moveaxis(t, 0, -1, o).shape).toEqual([3, 4, 2]);
    await expectArray(mx.transpose(t, [2, 0, 1], o).reshape(-1).slice([0], [4]), [0, 4, 8, 12]);
    expect(() => mx.transpose(t, [0, 0, 1], o)).toThrow(/\[transpose\] axes \[0,0,1\] must be a permutation/);
  });

  it("broadcastTo and broadcastArrays", async () => {
    await expectArray(mx.broadcastTo(mx.array([1, 2], mx.int32, o), [2, 2], o), [[1, 2], [1, 2]]);
    const [a, b] = mx.broadcastArrays([mx.zeros([3, 1], mx.int32, o), mx.zeros([4], mx.int32, o)], o);
    expect([a!.shape, b!.shape]).toEqual([[3, 4], [3, 4]]);
    expect(() => mx.broadcastTo(mx.zeros([3], undefined, o), [2, 2], o)).toThrow(/\[broadcastTo\] shapes \(3,\) and \(2, 2\) cannot be broadcast/);
  });

  it("slice with Python semantics (negative indices, clamping, negative steps)", async () => {
    const v = mx.arange(10, o);
    await expectArray(mx.slice(v, [2], [8], [3], o), [2, 5]);
    await expectArray(mx.slice(v, [-3], [null], undefined, o), [7, 8, 9]);
    await expectArray(mx.slice(v, [null], [null], [-3], o), [9, 6, 3, 0]);
    await expectArray(mx.slice(v, [8], [2], [-2], o), [8, 6, 4]);
    await expectArray(mx.slice(v, [20], [30], undefined, o), []);
    await expectArray(mx.slice(m(), [null, 1], [null, null], [-1, 1], o), [[4, 5], [1, 2]]);
    expect(() => mx.slice(v, [0], [1], [0], o)).toThrow(/\[slice\] step must be a non-zero integer/);
  });

  it("split into sections or at indices", async () => {
    const parts = mx.split(mx.arange(6, o), [1, 4], o);
    expect(await Promise.all(parts.map((p) => p.tolist()))).toEqual([[0], [1, 2, 3], [4, 5]]);
    const halves = mx.split(m(), 3, { axis: 1, ...o });
    expect(await halves[2]!.tolist()).toEqual([[2], [5]]);
    expect(() => mx.split(mx.arange(5, o), 2, o)).toThrow(/\[split\] cannot split axis 0 of size 5 into 2 equal sections/);
  });

  it("concatenate and stack (promoting dtypes)", async () => {
    await expectArray(mx.concatenate([m(), mx.ones([2, 1], mx.int32, o)], { axis: 1, ...o }), [[0, 1, 2, 1], [3, 4, 5, 1]]);
    const c = mx.concatenate([mx.array([1], mx.int8, o), mx.array([2.5], mx.float32, o)], o);
    await expectArray(c, [1, 2.5], mx.float32);
    await expectArray(mx.stack([mx.array([1, 2], mx.int32, o), mx.array([3, 4], mx.int32, o)], { axis: 1, ...o }), [[1, 3], [2, 4]]);
    await expectArray(mx.concatenate([m().T, m().T], o), [[0, 3], [1, 4], [2, 5], [0, 3], [1, 4], [2, 5]]);
    expect(() => mx.concatenate([m(), mx.zeros([3, 3], mx.int32, o)], { axis: 1, ...o })).toThrow(/\[concatenate\] all shapes must match except on axis 1/);
  });

  it("pad with a constant", async () => {
    await expectArray(mx.pad(mx.array([1, 2], mx.int32, o), [[1, 2]], { constantValue: 9, ...o }), [9, 1, 2, 9, 9]);
    await expectArray(mx.pad(mx.array([[1]], mx.float16, o), 1, o), [[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
    expect(() => mx.pad(m(), [[1, 1], [1, 1], [1, 1]], o)).toThrow(/\[pad\] padWidth must give non-negative integer/);
    expect(() => mx.pad(m(), [-1], o)).toThrow(/\[pad\] padWidth must give non-negative integer/);
    // an array of one element pads as its value; of more, it is refused (it used to pad with its first)
    const one = mx.array([[5]], mx.int32, o) as unknown as number;
    await expectArray(mx.pad(mx.array([1, 2], mx.int32, o), [[1, 0]], { constantValue: one, ...o }), [5, 1, 2]);
    const two = mx.array([7, 8], mx.int32, o) as unknown as number;
    expect(() => mx.pad(mx.array([1, 2], mx.int32, o), [[1, 0]], { constantValue: two, ...o })).toThrow(/\[pad\] constantValue must be one value \(a scalar or an array of one element\), got shape \(2,\)/);
  });

  it("pad's and full's scalar fill values follow the binary ops' rule: in the integer dtype's range, and finite", async () => {
    const i32 = mx.array([1], mx.int32, o);
    for (const v of [NaN, Infinity, -Infinity]) {
      expect(() => mx.pad(i32, 1, { constantValue: v, ...o })).toThrow(new RegExp(`^\\[pad\\] constantValue ${v} cannot fill an array of dtype int32 \\(valid: finite numbers in its range`));
      expect(() => mx.full([2], v, mx.uint8, o)).toThrow(new RegExp(`^\\[full\\] value ${v} cannot fill an array of dtype uint8`));
    }
    // the same words as mx.add(int8 array, 1000)
    expect(() => mx.add(mx.array([1], mx.int8, o), 1000, o)).toThrow(/^\[add\] the scalar 1000 is out of range for int8 \(-128 to 127\)/);
    expect(() => mx.full([2], 1000, mx.int8, o)).toThrow(/^\[full\] the scalar 1000 is out of range for int8 \(-128 to 127\) as the value/);
    expect(() => mx.full([2], -1, { dtype: mx.uint32, ...o })).toThrow(/^\[full\] the scalar -1 is out of range for uint32/);
    expect(() => mx.fullLike(mx.array([1], mx.int16, o), 40000, o)).toThrow(/^\[fullLike\] the scalar 40000 is out of range for int16/);
    expect(() => mx.pad(mx.array([1], mx.int8, o), 1, { constantValue: 128, ...o })).toThrow(/^\[pad\] the scalar 128 is out of range for int8 .* as the constantValue/);
    // in range, a float fill, a fraction (truncated, as a cast) and NaN into floats are all fine
    await expectArray(mx.full([2], -128, mx.int8, o), [-128, -128], mx.int8);
    await expectArray(mx.full([2], 2.75, mx.int32, o), [2, 2], mx.int32);
    await expectArray(mx.pad(i32, 1, { constantValue: 2147483647, ...o }), [2147483647, 1, 2147483647]);
    await expectArray(mx.pad(mx.array([1], mx.float16, o), [0, 1], { constantValue: NaN, ...o }), [1, NaN], mx.float16);
    await expectArray(mx.full([1], Infinity, mx.float32, o), [Infinity]);
  });

  it("pad takes MLX's shorthands for every axis: n, [n], [low, high] and [[low, high]]", async () => {
    const one = [[0, 0, 0], [0, 1, 0], [0, 0, 0]];
    const x = () => mx.array([[1]], mx.int32, o);
    await expectArray(mx.pad(x(), [1], o), one);
    await expectArray(mx.pad(x(), [[1, 1]], o), one);
    await expectArray(mx.pad(x(), [[0, 1]], o), [[1, 0], [0, 0]]);
    await expectArray(mx.pad(x(), [0, 1], o), [[1, 0], [0, 0]]);
  });

  it("concatenate with axis null flattens the inputs first, as MLX", async () => {
    const c = mx.concatenate([m(), m()], { axis: null, ...o });
    expect([...c.shape]).toEqual([12]);
    await expectArray(c, [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
  });

  it("handles empty and 0-d arrays", async () => {
    await expectArray(mx.add(mx.zeros([0, 3], mx.float32, o), 1, o), []);
    await expectArray(mx.transpose(mx.zeros([0, 2], mx.float32, o), undefined, o), [[], []]);
    await expectArray(mx.multiply(mx.array(3, mx.int32, o), 2, o), 6, mx.int32, []);
  });
});
