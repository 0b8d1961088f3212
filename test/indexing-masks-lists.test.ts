// JS lists as index arrays and boolean masks in updates, as MLX reads them:
// a list takes the dtype mx.array infers (int32, int64 past int32's range),
// a list of fractions is refused as MLX refuses a float index array, and
// booleans are a mask, which reads refuse and x.at(mask).set(v) takes (MLX's
// x[mask] = v, masked_scatter), checked against a port of MLX's cpu loop
// (mlx/backend/cpu/indexing.cpp, masked_scatter_impl) on every backend.

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

/** MLX's masked_scatter on flat values: the k-th true position (row-major) of the mask, broadcast over x's rest, takes the k-th element of the value rows. */
function maskedScatterRef(x: number[], shape: number[], mask: boolean[], maskNdim: number, rows: number[][]): number[] {
  const R = shape.slice(maskNdim).reduce((a, b) => a * b, 1);
  const out = x.slice();
  const src = rows.flat();
  let used = 0;
  mask.forEach((m, i) => {
    if (!m) return;
    for (let r = 0; r < R; r++) if (used < src.length) out[i * R + r] = src[used++]!;
  });
  return out;
}

describe.each(BACKENDS)("list indices and masks on $name", ({ device }) => {
  const o = { stream: device };
  const x = () => mx.arange(5, o);

  it("a JS list index takes mx.array's dtype; fractions are refused, not truncated", async () => {
    expect(() => x().get([0.5, 2.7])).toThrow(/^\[index\] index 0 must hold integers \(a JS list of integers or an integer mx array\), got 0\.5/);
    expect(() => mx.take(x(), [1.5])).toThrow(/^\[take\] indices must hold integers .*got 1\.5/);
    expect(() => mx.takeAlongAxis(x(), [1, 2.5])).toThrow(/^\[takeAlongAxis\] indices must hold integers .*got 2\.5/);
    expect(() => x().at([0, 1.25]).add(1)).toThrow(/^\[at\.add\] index 0 must hold integers .*got 1\.25/);
    expect(() => x().get([1e20])).toThrow(/^\[index\] index 0 must hold integers .*past int64's range/);
    expect(() => x().get([[0, 1], [2]])).toThrow(/^\[index\] index 0: ragged nested list/);
    // past int32: an int64 index, clamped into the axis (never wrapped to 1)
    await expectArray(x().get([2 ** 32 + 1]), [4]);
    await expectArray(mx.take(x(), [2 ** 32 + 1, -(2 ** 33)]), [4, 0]);
    await expectArray(x().get([3n, -1n]), [3, 4]);
    await expectArray(x().get([[0, 1], [4, 3]]), [[0, 1], [4, 3]]);
    expect(x().get([]).shape).toEqual([0]);
    await expectArray(x().at([1, 1, 3]).add(10), [0, 21, 2, 13, 4]);
  });

  it("reading through booleans is refused, as MLX", () => {
    expect(() => x().get([true, false, true, false, true])).toThrow(/^\[index\] index 0 must have an integer dtype, got bool: boolean indices are not supported for reading/);
    expect(() => x().get(mx.array([true, false, true, false, true], mx.bool, o))).toThrow(/^\[index\] index 0 must have an integer dtype, got bool/);
    expect(() => x().get(true)).toThrow(/^\[index\] index 0 must be an integer, .* got the boolean true/);
    expect(() => mx.take(x(), [true, false] as unknown as number[])).toThrow(/^\[take\] indices must have an integer dtype, got bool/);
    // a mask is the whole index, for set only
    expect(() => x().at([true, false, true, false, true]).add(1)).toThrow(/^\[at\.add\] index 0 is a boolean mask: .*by set only/);
    expect(() => mx.reshape(x(), [5, 1]).at([true, false, true, false, true], 0).set(1)).toThrow(/^\[at\.set\] index 0 must have an integer dtype, got bool: a boolean mask is taken alone/);
  });

  it("x.at(mask).set(v) is MLX's x[mask] = v", async () => {
    const f = (v: number[]) => mx.array(v, mx.float32, o);
    // MLX's test_setitem_with_boolean_mask
    await expectArray(f([1, 2, 3]).at([true, false, true]).set(f([5, 6])), [5, 2, 6]);
    await expectArray(f([1, 2, 3]).at(mx.array(true, mx.bool, o)).set(5), [5, 5, 5]);
    await expectArray(f([1, 2, 3]).at(true).set(5), [5, 5, 5]);
    await expectArray(f([1, 2, 3]).at(false).set(5), [1, 2, 3]);
    const big = mx.reshape(mx.arange(1000, o), [10, 10, 10], o);
    expect(() => big.at(mx.zeros([1, 10, 10], mx.bool, o)).set(0)).toThrow(/^\[at\.set\] the boolean mask of shape \(1, 10, 10\) must equal the leading dimensions of the array's shape \(10, 10, 10\)/);
    expect(() => big.at(mx.zeros([10, 10, 1], mx.bool, o)).set(0)).toThrow(/^\[at\.set\] the boolean mask of shape \(10, 10, 1\) must equal/);
    // the review's port of x[[T, F, T, F, T]] = 9: a mask, not indices 1, 0, 1, 0, 1
    await expectArray(x().at([true, false, true, false, true]).set(9), [9, 1, 9, 3, 9], mx.int32);
    const y = mx.reshape(mx.arange(12, o), [3, 4], o);
    await expectArray(y.at(mx.greater(y, 8, o)).set(0), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 0, 0, 0]]);
    // a mask over the leading axis: rows of v, or one row broadcast, or a column broadcast along each row
    await expectArray(y.at([true, false, true]).set(mx.array([[-1], [-2]], mx.int32, o)), [[-1, -1, -1, -1], [4, 5, 6, 7], [-2, -2, -2, -2]]);
    await expectArray(y.at([false, true, true]).set(mx.array([7, 8, 9, 10], mx.int32, o)), [[0, 1, 2, 3], [7, 8, 9, 10], [7, 8, 9, 10]]);
    // v shaped as x: its rows are taken in order, not by position (masked_scatter, not where)
    await expectArray(y.at([false, true, true]).set(mx.multiply(y, -1, o)), [[0, 1, 2, 3], [0, -1, -2, -3], [-4, -5, -6, -7]]);
    // more true positions than rows: the rest keep x's values
    await expectArray(f([1, 2, 3, 4]).at([true, true, false, true]).set(f([7, 8])), [7, 8, 3, 4]);
    await expectArray(f([1, 2, 3]).at([true, true, true]).set(mx.zeros([0], mx.float32, o)), [1, 2, 3]);
    // v is cast to x's dtype; a scalar out of x's range is an error
    await expectArray(x().at([true, true, false, false, false]).set(2.7), [2, 2, 2, 3, 4], mx.int32);
    expect(() => mx.array([1, 2], mx.int8, o).at([true, false]).set(1000)).toThrow(/^\[at\.set\] the scalar 1000 is out of range for int8/);
    expect(() => y.at([true, false, true]).set(mx.array([1, 2, 3], mx.int32, o))).toThrow(/^\[at\.set\] cannot use the value of shape \(3,\) with a mask of shape \(3,\) on an array of shape \(3, 4\)/);
    expect(() => f([1, 2]).at([true, false]).set(mx.zeros([2, 2], mx.float32, o))).toThrow(/^\[at\.set\] cannot use the value of shape \(2, 2\)/);
    // the function form
    await expectArray(mx.indexUpdate(f([1, 2, 3]), [[false, true, false]], 0), [1, 0, 3]);
  });

  it("masked set matches MLX's masked_scatter on random masks and values", async () => {
    const shapeArb = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.nat(3), fc.nat(1000), fc.boolean(), async (shape, kRaw, seed, rowsGiven) => {
        const k = kRaw % (shape.length + 1);
        const size = shape.reduce((a, b) => a * b, 1);
        const mShape = shape.slice(0, k), rest = shape.slice(k);
        const mSize = mShape.reduce((a, b) => a * b, 1), R = rest.reduce((a, b) => a * b, 1);
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
        const mask = Array.from({ length: mSize }, () => rnd() < 0.5);
        const xs = Array.from({ length: size }, (_, i) => i);
        const nRows = rowsGiven ? Math.floor(rnd() * (mSize + 2)) : mSize;
        const rows = Array.from({ length: nRows }, (_, r) => Array.from({ length: R }, (_, c) => -1 - r * R - c));
        const a = mx.reshape(mx.array(xs, mx.int32, o), shape, o);
        const m = mx.reshape(mx.array(mask, mx.bool, o), mShape, o);
        const v = rowsGiven ? mx.reshape(mx.array(rows.flat(), mx.int32, o), [nRows, ...rest], o) : mx.array(-7, mx.int32, o);
        const want = rowsGiven ? maskedScatterRef(xs, shape, mask, k, rows) : maskedScatterRef(xs, shape, mask, k, Array.from({ length: mSize }, () => Array<number>(R).fill(-7)));
        const got = (await mx.reshape(a.at(m).set(v), [size], o).tolist()) as number[];
        expect(got).toEqual(want);
      }),
      { numRuns: device.backend === "cpu" ? 60 : 15 },
    );
  });

  it("gradients flow through a masked set to x and to the rows used", async () => {
    const g = mx.grad((a: mx.MxArray, v: mx.MxArray) => mx.sum(mx.multiply(a.at([true, false, true]).set(v), mx.array([1, 2, 3], mx.float32, o), o), undefined, o), { argnums: [0, 1] });
    const [ga, gv] = g(mx.array([1, 2, 3], mx.float32, o), mx.array([5, 6, 7], mx.float32, o)) as unknown as mx.MxArray[];
    await expectArray(ga!, [0, 2, 0]);
    await expectArray(gv!, [1, 3, 0]);
  });
});
