// MLX's positional argument forms of nanToNum(x, nan, posinf, neginf),
// diagonal(a, offset, axis1, axis2), trace(a, offset, axis1, axis2, dtype),
// median / countNonzero(x, axis, keepdims) and meshgrid(*arrays), on every
// backend, against NumPy's values for the same calls.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe.each(BACKENDS)("MLX positional op forms on $name", ({ device }) => {
  const o = { stream: device };
  const cube = () => mx.reshape(mx.arange(24, o), [2, 3, 4], o);

  it("nanToNum(x, nan, posinf, neginf)", async () => {
    const x = mx.array([NaN, Infinity, -Infinity, 1], mx.float32, o);
    await expectArray(mx.nanToNum(x, 5, 9, -9, o), [5, 9, -9, 1], mx.float32);
    await expectArray(mx.nanToNum(x, null, null, -9, o), [0, 3.4028234663852886e38, -9, 1]);
    await expectArray(mx.nanToNum(x, 5, { posinf: 9, ...o }), [5, 9, -3.4028234663852886e38, 1]);
    expect(() => mx.nanToNum(x, 5, { nan: 4 } as never)).toThrow(/\[nanToNum\] nan given twice/);
  });

  it("diagonal(a, offset, axis1, axis2) and trace(a, offset, axis1, axis2, dtype)", async () => {
    await expectArray(mx.diagonal(cube(), 1, 1, 2, o), [[1, 6, 11], [13, 18, 23]]);
    await expectArray(mx.diagonal(cube(), -1, 2, 0, o), [[1, 14], [5, 18], [9, 22]]);
    await expectArray(cube().diagonal(1, 1, 2), [[1, 6, 11], [13, 18, 23]]);
    await expectArray(mx.diagonal(cube(), 1, { axis1: 1, axis2: 2, ...o }), [[1, 6, 11], [13, 18, 23]]);
    await expectArray(mx.trace(cube(), 1, 1, 2, o), [18, 54], mx.int32);
    await expectArray(mx.trace(cube(), 0, 2, 0, mx.float32, o), [13, 21, 29], mx.float32);
    await expectArray(mx.trace(cube(), 0, 2, 0, null, o), [13, 21, 29], mx.int32);
    expect(() => mx.trace(cube(), 0, 0, 1, "int32" as never)).toThrow(/\[trace\] dtype must be an mx dtype/);
    expect(() => mx.diagonal(cube(), 0, 1, { axis1: 0 } as never)).toThrow(/\[diagonal\] axis1 given twice/);
  });

  it("median and countNonzero (x, axis, keepdims)", async () => {
    const m = mx.array([[3, 1, 4], [1, 5, 9]], mx.float32, o);
    await expectArray(mx.median(m, 1, true, o), [[3], [5]], mx.float32);
    await expectArray(mx.median(m, null, true, o), [[3.5]]);
    await expectArray(mx.median(m, [0, 1], false, o), 3.5);
    await expectArray(mx.median(m, 1, { keepdims: true, ...o }), [[3], [5]]);
    await expectArray(mx.countNonzero(mx.array([[0, 1, 2], [0, 0, 3]], mx.int32, o), 1, true, o), [[2], [1]], mx.int32);
    expect(() => mx.median(m, 1, "yes" as never)).toThrow(/\[median\] keepdims must be a boolean/);
  });

  it("meshgrid(*arrays, options) as well as meshgrid(list, options)", async () => {
    const [a, b, c] = [mx.array([1, 2], mx.int32, o), mx.array([3, 4, 5], mx.int32, o), mx.array([6], mx.int32, o)];
    const [X, Y, Z] = mx.meshgrid(a, b, c);
    expect(X!.shape).toEqual([3, 2, 1]);
    await expectArray(X!, [[[1], [2]], [[1], [2]], [[1], [2]]]);
    await expectArray(Y!, [[[3], [3]], [[4], [4]], [[5], [5]]]);
    await expectArray(Z!, [[[6], [6]], [[6], [6]], [[6], [6]]]);
    const [Xs, Ys] = mx.meshgrid(a, b, { sparse: true, indexing: "ij", ...o });
    await expectArray(Xs!, [[1], [2]]);
    await expectArray(Ys!, [[3, 4, 5]]);
    expect((await mx.meshgrid([a, b], { indexing: "ij" })[0]!.tolist())).toEqual(await mx.meshgrid(a, b, { indexing: "ij" })[0]!.tolist());
    expect(() => mx.meshgrid(a, [3, 4] as never)).toThrow(/\[meshgrid\] the spread arrays must be mx arrays/);
  });
});
