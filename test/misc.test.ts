// where, clip, isclose, allclose, arrayEqual and the array methods that
// mirror ops, on every backend.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe.each(BACKENDS)("selection and comparison on $name", ({ device }) => {
  const o = { stream: device };
  it("where broadcasts and promotes", async () => {
    const c = mx.array([[true], [false]], mx.bool, o);
    await expectArray(mx.where(c, mx.array([1, 2], mx.int32, o), 0.5, o), [[1, 2], [0.5, 0.5]], mx.float32);
    await expectArray(mx.where(mx.array([1, 0], mx.int32, o), mx.array([1, 2], mx.float16, o), mx.array([3, 4], mx.float16, o), o), [1, 4], mx.float16);
  });

  it("clip keeps NaN and accepts one-sided bounds", async () => {
    await expectArray(mx.clip(mx.array([-5, 0.5, 5, NaN], mx.float32, o), 0, 1, o), [0, 0.5, 1, NaN]);
    await expectArray(mx.clip(mx.array([-5, 5], mx.int32, o), null, 2, o), [-5, 2], mx.int32);
    expect(() => mx.clip(mx.array([1], undefined, o), null, null, o)).toThrow(/\[clip\] at least one of min and max/);
  });

  it("isclose, allclose, arrayEqual", async () => {
    const a = mx.array([1, 1e10, NaN, Infinity], mx.float32, o);
    const b = mx.array([1 + 1e-7, 1.000005e10, NaN, Infinity], mx.float32, o);
    await expectArray(mx.isclose(a, b, o), [true, true, false, true]);
    await expectArray(mx.isclose(a, b, { equalNan: true, ...o }), [true, true, true, true]);
    await expectArray(mx.allclose(a, b, { equalNan: true, ...o }), true);
    await expectArray(mx.arrayEqual(mx.array([1, 2], mx.int32, o), mx.array([1, 2], mx.float32, o), o), true);
    await expectArray(mx.arrayEqual(mx.array([1, 2], mx.int32, o), mx.array([1, 2, 3], mx.int32, o), o), false);
    await expectArray(mx.arrayEqual(mx.array([NaN], mx.float32, o), mx.array([NaN], mx.float32, o), { equalNan: true, ...o }), true);
  });

  it("array methods mirror the ops", async () => {
    const x = mx.array([[1, 2], [3, 4]], mx.float32, o);
    await expectArray(x.add(1).multiply(2).subtract(x).divide(2), [[1.5, 2], [2.5, 3]]);
    await expectArray(x.T.reshape(4), [1, 3, 2, 4]);
    await expectArray(x.sum({ axis: 1 }), [3, 7]);
    await expectArray(x.max(), 4);
    await expectArray(x.matmul(x), [[7, 10], [15, 22]]);
    await expectArray(x.greater(2).astype(mx.int32), [[0, 0], [1, 1]]);
  });
});
