// mx.random.randint against MLX main's sampler (mlx/random.cpp): float32
// uniform draws in [low, high) floored, cast and clamped to [low, high - 1].
// Expected values come from an independent NumPy model of that algorithm
// (MLX's own test value for randint(0, 10, [10], key(0)) included).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

describe.each(BACKENDS)("random.randint on $name", ({ device }) => {
  const o = { stream: device };
  const key = (s: number) => mx.random.key(s, o);

  it("draws MLX's integers for small ranges", async () => {
    await expectArray(mx.random.randint(0, 10, [10], mx.int32, key(0), o), [3, 6, 4, 2, 3, 4, 2, 2, 7, 7], mx.int32);
    await expectArray(mx.random.randint(0, 10, [5], { key: key(0), ...o }), [5, 0, 3, 8, 5], mx.int32);
    await expectArray(mx.random.randint(-5, 7, [10], { key: key(42), ...o }), [2, -2, -3, 5, 5, -3, -1, -2, 2, 2]);
  });

  it("broadcasts array bounds", async () => {
    const low = mx.array([0, 100], mx.int32, o), high = mx.array([10, 200], mx.int32, o);
    await expectArray(mx.random.randint(low, high, [3, 2], { key: key(9), ...o }), [[4, 125], [6, 146], [3, 146]]);
  });

  it("rounds the bounds to float32 and clamps to [low, high - 1], as MLX", async () => {
    // 2**24 + 1 rounds to 2**24 in float32: the draws land on even integers, and the clamp lifts 2**24 to low
    await expectArray(mx.random.randint(2 ** 24 + 1, 2 ** 24 + 100, [12], { key: key(3), ...o }), [
      16777302, 16777276, 16777315, 16777260, 16777286, 16777308, 16777294, 16777242, 16777252, 16777266, 16777226, 16777266,
    ]);
    await expectArray(mx.random.randint(-(2 ** 31), 2 ** 31 - 1, [6], { key: key(8), ...o }), [
      -1045971584, -7558272, 555089152, 1997042688, 1067362304, 2011934464,
    ]);
    await expectArray(mx.random.randint(-(2 ** 40), 2 ** 40, [6], { key: key(1), dtype: mx.int64, ...o }), [
      727423385600n, -734383702016n, 754371788800n, 314215235584n, 150971875328n, 251666497536n,
    ], mx.int64);
  });

  it("refuses float dtypes and shapes the bounds do not broadcast to", () => {
    expect(() => mx.random.randint(0, 10, [2], { dtype: mx.float32, ...o })).toThrow(/integer dtypes and bool/);
    expect(() => mx.random.randint(mx.array([0, 1, 2], mx.int32, o), 10, [2], { key: key(0), ...o })).toThrow(/random\.randint/);
  });
});
