// One behaviour on every backend for the numerics issue 12 found diverging
// from the reference: MLX's float floor division, NumPy's remainder (on an exact
// fmod), C's pow(-1, +-inf), expm1 and log1p finite wherever float32 holds
// the result, MLX's integer powers (a negative exponent gives 0), and arange
// ending where the reference does.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectClose, values } from "./helpers/backends.js";

const f = Math.fround;

describe.each(BACKENDS)("numerics on $name", ({ device }) => {
  const o = { stream: device };
  const f32 = (v: number[]) => mx.array(v, mx.float32, o);

  it("float floorDivide is MLX's floor(divide(a, b)) (1 // 0.1 is 10, where NumPy's is 9)", async () => {
    const a = f32([1, -1, 0.5, 7, -7, 1e10, 3]), b = f32([0.1, 0.1, 0.1, 2, 2, 7, 0.75]);
    // np.floor(np.float32(a) / np.float32(b)): [10, -10, 5, 3, -4, 1428571392, 4]
    expect(await values(mx.floorDivide(a, b, o))).toEqual([10, -10, 5, 3, -4, 1428571392, 4]);
  });

  it("remainder is exact (NumPy's remainder on fmod), with the divisor's sign", async () => {
    const a = f32([1, -1, 5.5, -5.5, 1e10, 0]), b = f32([0.1, 0.1, 2, 2, 7, -2]);
    const fmod1 = 1 - 9 * f(0.1); // fmod(1, 0.1f), exact; NumPy: 0.09999998658895493
    expect(await values(mx.remainder(a, b, o))).toEqual([fmod1, f(0.1) - fmod1, 1.5, 0.5, 4, -0]);
  });

  it("power(-1, +-inf) is 1 (C99), with the other exact rules", async () => {
    expect(await values(mx.power(f32([-1, -1, 1, NaN, -2, -2]), f32([Infinity, -Infinity, NaN, 0, 3, 2]), o))).toEqual([1, 1, 1, 1, -8, 4]);
  });

  it("expm1 and log1p stay finite where float32 holds the result", async () => {
    await expectClose(mx.expm1(f32([80, 87, 88]), o), [Math.expm1(80), Math.expm1(87), Math.expm1(88)], 1e-5);
    await expectClose(mx.log1p(f32([1e37, 3e38]), o), [Math.log1p(f(1e37)), Math.log1p(f(3e38))], 1e-5);
  });

  it("an integer raised to a negative integer power is 0, whatever the base (MLX)", async () => {
    const base = mx.array([2, -2, 1, -1, 3, 0], mx.int32, o), exp = mx.array([-1, -3, -9, -1, 2, 0], mx.int32, o);
    expect(await values(mx.power(base, exp, o))).toEqual([0, 0, 0, 0, 9, 1]);
    expect(await values(mx.power(mx.array([1, -1], mx.int8, o), mx.array([-2, -2], mx.int8, o), o))).toEqual([0, 0]);
  });

  it("a float arange is the reference's values (the exact start + i * step rounded once)", async () => {
    const cpu = { stream: mx.cpu };
    for (const [start, stop, step] of [[0, 1, 0.1], [-3.3, 7.7, 0.37], [1, 1000, 0.7], [0.1, 0.7, 0.06]] as const) {
      const got = await values(mx.arange(start, stop, step, { dtype: mx.float32, ...o }));
      expect(got).toEqual(await values(mx.arange(start, stop, step, { dtype: mx.float32, ...cpu })));
    }
  });

  it("an integer arange wraps exactly in its dtype", async () => {
    expect(await values(mx.arange(0, 3, 0.2, { dtype: mx.int32, ...o }))).toEqual(new Array(15).fill(0));
    expect(await values(mx.arange(250, 262, 3, { dtype: mx.uint8, ...o }))).toEqual([250, 253, 0, 3]);
    expect(await values(mx.arange(2 ** 31 - 2, 2 ** 31 + 2, { dtype: mx.int32, ...o }))).toEqual([2 ** 31 - 2, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31) + 1]);
  });
});
