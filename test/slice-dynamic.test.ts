// MLX's dynamic slicing forms on every backend: mx.slice(a, start: mx
// array, axes, sliceSize) and mx.sliceUpdate(a, update, start: mx array,
// axes), checked against the static slices MLX's test_dynamic_slicing
// compares with, start clamping, MLX's update broadcast and gradients.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe.each(BACKENDS)("dynamic slice and sliceUpdate on $name", ({ device }) => {
  const o = { stream: device };
  const idx = (v: number[], d: mx.DType = mx.int32) => mx.array(v, d, o);

  it("slice reads the window at the start indices (MLX's test_dynamic_slicing)", async () => {
    const x = mx.reshape(mx.arange(4 * 4 * 4, o), [4, 4, 4], o);
    // x[1:, 2:, 3:]
    expect(await mx.slice(x, idx([1, 2, 3]), [0, 1, 2], [3, 2, 1], o).tolist()).toEqual(await mx.slice(x, [1, 2, 3], [4, 4, 4], undefined, o).tolist());
    const y = mx.reshape(mx.arange(5 * 6 * 7 * 8, o), [5, 6, 7, 8], o);
    // y[1:3, 2:4, 3:5, 4:6]
    expect(await mx.slice(y, idx([1, 2, 3, 4]), [0, 1, 2, 3], [2, 2, 2, 2], o).tolist()).toEqual(await mx.slice(y, [1, 2, 3, 4], [3, 4, 5, 6], undefined, o).tolist());
    // axes not sliced start at 0; uint start indices; a 0-D start
    await expectArray(mx.slice(mx.reshape(mx.arange(16, o), [4, 4], o), idx([3], mx.uint8), [1], [2, 1], o), [[3], [7]]);
    await expectArray(mx.slice(mx.arange(6, o), mx.array(2, mx.int32, o), [0], [3], o), [2, 3, 4]);
  });

  it("clamps a start that would put the window past the axis", async () => {
    await expectArray(mx.slice(mx.arange(5, o), idx([4]), [0], [2], o), [3, 4]);
    await expectArray(mx.slice(mx.arange(5, o), idx([-3]), [0], [2], o), [0, 1]);
    await expectArray(mx.sliceUpdate(mx.zeros([4], mx.int32, o), idx([7, 8]), idx([3]), [0], o), [0, 0, 7, 8]);
  });

  it("sliceUpdate writes at the start indices (MLX's test_dynamic_slicing), broadcasting leading axes as MLX", async () => {
    const x = mx.zeros([4, 4, 4], mx.float32, o);
    const u = mx.reshape(mx.arange(1, 7, mx.float32, o), [3, 2, 1], o);
    expect(await mx.sliceUpdate(x, u, idx([1, 2, 3]), [0, 1, 2], o).tolist()).toEqual(await mx.sliceUpdate(x, u, [1, 2, 3], [0, 1, 2], o).tolist());
    // MLX: a 1-D update on axis 1 of a [3, 3] array covers every row; on axis 0 only the start row
    await expectArray(mx.sliceUpdate(mx.zeros([3, 3], mx.int32, o), idx([5, 6]), idx([1]), [1], o), [[0, 5, 6], [0, 5, 6], [0, 5, 6]]);
    await expectArray(mx.sliceUpdate(mx.zeros([3, 3], mx.int32, o), idx([5, 6, 7]), idx([2]), [0], o), [[0, 0, 0], [0, 0, 0], [5, 6, 7]]);
  });

  it("gradients flow to the array and the update", async () => {
    const w = mx.array([3, 5], mx.float32, o);
    await expectArray(mx.grad((v: mx.MxArray) => mx.sum(mx.multiply(mx.slice(v, idx([2]), [0], [2], o), w, o), o))(mx.arange(5, mx.float32, o)), [0, 0, 3, 5, 0]);
    const weights = mx.arange(1, 6, mx.float32, o);
    const [ga, gu] = mx.grad((a: mx.MxArray, u: mx.MxArray) => mx.sum(mx.multiply(mx.sliceUpdate(a, u, idx([1]), [0], o), weights, o), o), { argnums: [0, 1] })(mx.ones([5], mx.float32, o), mx.ones([2], mx.float32, o)) as mx.MxArray[];
    await expectArray(ga!, [1, 0, 0, 4, 5]);
    await expectArray(gu!, [2, 3]);
  });

  it("refuses what MLX refuses", () => {
    const x = mx.zeros([4, 4], mx.float32, o);
    expect(() => mx.slice(x, idx([1, 2]), [0], [2, 2])).toThrow(/\[slice\] 2 start indices for 1 axes/);
    expect(() => mx.slice(x, mx.array([1], mx.float32, o), [0], [2, 2])).toThrow(/\[slice\] the start indices must be integers/);
    expect(() => mx.slice(x, idx([1]), [0], [5, 2])).toThrow(/\[slice\] sliceSize must hold one size per axis/);
    expect(() => mx.slice(x, idx([1, 1]), [0, 0], [2, 2])).toThrow(/\[slice\] axes must not repeat/);
    expect(() => mx.sliceUpdate(x, mx.zeros([5], mx.float32, o), idx([0]), [0])).toThrow(/sliceUpdate/);
  });
});
