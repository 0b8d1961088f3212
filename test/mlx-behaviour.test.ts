// Behaviours taken from MLX's own Python tests (python/tests) where mlx-ts
// once differed: array construction and inference, integer ranges, isclose
// of infinities, arange and linspace with integer dtypes and infinite steps,
// reductions' accumulator dtypes. Each case states what MLX does.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectSameValues, values } from "./helpers/backends.js";

const f32 = (v: number[]) => mx.array(v, mx.float32);

describe("array construction", () => {
  it("a sparse list is an error naming the hole, never a short buffer", () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(() => mx.array([1, , 3] as number[])).toThrow(/\[array\] element \[1\] is a hole/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => mx.array([[1, 2], [3, ,]] as number[][])).toThrow(/\[array\] (element \[1\]\[1\] is a hole|ragged)/);
  });

  it("infers as MLX: [] is float32, integers past int32 widen to int64", async () => {
    expect(mx.array([]).dtype).toBe(mx.float32);
    expect(mx.array(2 ** 40).dtype).toBe(mx.int64);
    expect(await mx.array(2 ** 40).item()).toBe(2n ** 40n);
    expect(mx.array([2 ** 31]).dtype).toBe(mx.int64);
    expect(await mx.array([2 ** 31, -1]).tolist()).toEqual([2n ** 31n, -1n]);
    expect(mx.array([2 ** 31 - 1]).dtype).toBe(mx.int32);
  });

  it("a weak integer scalar outside the array's integer dtype is an error (MLX raises), not a wrap", () => {
    expect(() => mx.add(mx.array(2e9, mx.int32), 3e9)).toThrow(/\[add\] the scalar 3000000000 is out of range for int32/);
    expect(() => mx.multiply(mx.array([1], mx.uint8), 256)).toThrow(/\[multiply\] the scalar 256 is out of range for uint8/);
    expect(mx.add(mx.array([1], mx.int8), 127).dtype).toBe(mx.int8);
    expect(mx.add(3e9, 1).dtype).toBe(mx.int64);
  });

  it("full refuses a value that is not a number, and zeros/ones name themselves", () => {
    expect(() => mx.full([2], "a" as unknown as number)).toThrow(/\[full\] value must be a number/);
    expect(() => mx.zeros([-1])).toThrow(/^\[zeros\]/);
    expect(() => mx.ones([2, -3])).toThrow(/^\[ones\]/);
  });

  it("dimensions of 2^31 and above are refused at once, naming the dimension", () => {
    expect(() => mx.zeros([2 ** 31])).toThrow(/\[zeros\] dimension 0 of shape \[2147483648\] is 2147483648; dimensions must be at most 2\^31 - 1/);
    expect(() => mx.reshape(mx.zeros([1]), [1, 2 ** 31])).toThrow(/\[reshape\]/);
  });
});

describe.each(BACKENDS)("MLX semantics on $name", ({ device }) => {
  const o = { stream: device };

  it("isclose: infinities are close only to themselves", async () => {
    const inf = Infinity;
    await expectArray(mx.isclose(f32([inf, inf, -inf, 1]), f32([inf, -inf, -inf, inf]), o), [true, false, true, false]);
    await expectArray(mx.allclose(f32([inf]), f32([-inf]), o), false);
  });

  it("arange with an integer dtype steps by int(start + step) - int(start), as MLX", async () => {
    await expectArray(mx.arange(0, 3, 0.2, { dtype: mx.int32, ...o }), Array(15).fill(0));
    await expectArray(mx.arange(-2.5, 3, 1.5, { dtype: mx.int32, ...o }), [-2, -1, 0, 1]);
  });

  it("arange with an infinite step: [start] towards stop, else empty", async () => {
    await expectArray(mx.arange(0, 10, Infinity, o), [0]);
    await expectArray(mx.arange(10, 0, Infinity, o), []);
    await expectArray(mx.arange(10, 0, -Infinity, o), [10]);
    expect(() => mx.arange(0, Infinity, 1, o)).toThrow(/\[arange\] start and stop must be finite/);
  });

  it("linspace ends exactly at stop and takes integer dtypes (truncating, as MLX)", async () => {
    const v = (await mx.linspace(-3.3, 7.7, 10, o).tolist()) as number[];
    expect(v[9]).toBe(Math.fround(7.7));
    expect(v[0]).toBe(Math.fround(-3.3));
    await expectArray(mx.linspace(0, 10, 5, { dtype: mx.int32, ...o }), [0, 2, 5, 7, 10], mx.int32);
    await expectArray(mx.linspace(2, 5, 1, o), [2]);
    await expectArray(mx.linspace(2, 5, 0, o), []);
  });

  it("round with decimals keeps the input's dtype: integers exactly, wrapping; float16 scaled in float32", async () => {
    const t = (v: mx.NestedList, d: mx.DType) => mx.array(v, d, o);
    // MLX casts back to the input's dtype (NumPy too); halves to even; 127 -> 130 wraps in int8 (MLX's and NumPy's cast)
    await expectArray(mx.round(t([15, 25, 126, -15, -25, 35, 123456789], mx.int32), -1, o), [20, 20, 130, -20, -20, 40, 123456790], mx.int32);
    await expectArray(mx.round(t([127, -128, 125, 5], mx.int8), -1, o), [-126, 126, 120, 0], mx.int8);
    await expectArray(mx.round(t([65535, 65449, 250, 150], mx.uint16), -2, o), [65500, 65400, 200, 200], mx.uint16);
    await expectArray(mx.round(t([65535], mx.uint16), -1, o), [4], mx.uint16);
    await expectArray(mx.round(t([127, -128], mx.int8), -3, o), [0, 0], mx.int8);
    // 2 x 10^k past the dtype: to -10^k, 0, 10^k or 2 x 10^k (wrapped) by comparisons; halves to even
    await expectArray(mx.round(t([127, 50, 51, -50, -51, -128], mx.int8), -2, o), [100, 0, 100, 0, -100, -100], mx.int8);
    const wrapped = (v: bigint) => BigInt.asIntN(64, v);
    await expectArray(mx.round(t([2n ** 63n - 1n, 5n * 10n ** 18n, 5n * 10n ** 18n + 1n, -5n * 10n ** 18n, -5n * 10n ** 18n - 1n], mx.int64), -19, o), [wrapped(10n ** 19n), 0n, wrapped(10n ** 19n), 0n, wrapped(-(10n ** 19n))], mx.int64);
    const u = (v: bigint) => BigInt.asUintN(64, v);
    await expectArray(mx.round(t([2n ** 64n - 1n, 15n * 10n ** 18n, 15n * 10n ** 18n - 1n, 5n * 10n ** 18n, 5n * 10n ** 18n + 1n], mx.uint64), -19, o), [u(2n * 10n ** 19n), u(2n * 10n ** 19n), 10n ** 19n, 0n, 10n ** 19n], mx.uint64);
    await expectArray(mx.round(t([2n ** 64n - 1n], mx.uint64), -20, o), [0n], mx.uint64);
    await expectArray(mx.round(t([17, -3], mx.int16), 2, o), [17, -3], mx.int16);
    await expectArray(mx.round(t([true, false], mx.bool), -1, o), [false, false], mx.bool);
    // float16's 10^5 overflows float16 (MLX gave inf, NumPy NaN): scaled in float32, rounded back once
    await expectArray(mx.round(t([0.5, 1000, -0.25, 65504, Infinity], mx.float16), 5, o), [0.5, 1000, -0.25, 65504, Infinity], mx.float16);
    await expectArray(mx.round(t([1.23456], mx.bfloat16), 2, o), [1.2265625], mx.bfloat16);
    // float32 values past 2^23 are integers, kept (x * 10 would overflow 3e38); MLX's x * 10 then * f32(0.1)
    await expectArray(mx.round(t([3e38, 1.25, 25, 35], mx.float32), 1, o), [Math.fround(3e38), Math.fround(1.2), 25, 35]);
    await expectArray(mx.round(t([25, 35, -3.4e38], mx.float32), -1, o), [20, 40, Math.fround(-3.4e38)]);
  });

  it("round with decimals past the largest power of ten: x kept for d > 0, signed zeros for d < 0, every float dtype", async () => {
    const f32v = [1.5, 0, 123456.7, -0, -1.5, NaN, Infinity, -Infinity, 3e38, 1.2345678e-35].map(Math.fround);
    const same = async (a: mx.MxArray, want: number[], label: string) => expectSameValues(await values(a), want, label);
    const zeros = (v: number[]) => v.map((x) => (Number.isFinite(x) ? (x < 0 || Object.is(x, -0) ? -0 : 0) : x));
    const t = (dtype: mx.DType, v: number[]) => mx.array(v, dtype, o);
    // x 10^d overflows (10^39 is past float32): the d-th decimal is below x's precision, x is the answer; the tiny
    // value still rounds to d places (NumPy: 1.2346e-35 at 39, 1.235e-35 at 38)
    for (const d of [37, 38, 39, 45, 76, 77, 400]) {
      const tiny = { 37: 1.23e-35, 38: 1.235e-35, 39: 1.2346e-35 }[d as 37] ?? f32v[9]!;
      await same(mx.round(t(mx.float32, f32v), d, o), [...f32v.slice(0, 9), Math.fround(tiny)], `float32 d=${d}`);
    }
    // 10^-39 rounds every finite float32 to its signed zero (NumPy's signs); 10^38 keeps the largest
    for (const d of [-39, -45, -400]) await same(mx.round(t(mx.float32, f32v), d, o), zeros(f32v), `float32 d=${d}`);
    await same(mx.round(t(mx.float32, [1.5e38, -2.6e38, 1e30, -1.5]), -38, o), [2e38, -3e38, 0, -0].map(Math.fround), "float32 d=-38");
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const v = await values(t(dtype, [1.5, -0, 0.25, -1.5, NaN, -Infinity]));
      for (const d of [38, 39, 80]) await same(mx.round(t(dtype, v), d, o), v, `${dtype.name} d=${d}`);
      for (const d of [-38, -39, -80]) await same(mx.round(t(dtype, v), d, o), zeros(v), `${dtype.name} d=${d}`);
    }
    if (device.backend !== "cpu") return;
    const f64v = [1.5, 0, 123456.7, -0, -1.5, NaN, Infinity, -Infinity, 1.5e308, 1.2345678e-300];
    for (const d of [308, 309, 400, 617]) await same(mx.round(t(mx.float64, f64v), d, o), f64v, `float64 d=${d}`);
    for (const d of [-309, -400]) await same(mx.round(t(mx.float64, f64v), d, o), zeros(f64v), `float64 d=${d}`);
    await same(mx.round(t(mx.float64, [1.2e308, -2.6e307, 1.5]), -308, o), [1e308, -0, 0], "float64 d=-308");
  });

  it("round of complex64 with decimals rounds each part by the float32 rule, overflow and specials included", async () => {
    const re = [1e30, 1.5, -1.5, 3e38, Infinity, NaN, 1.26, -0, 123456.7, 2.5].map(Math.fround);
    const im = [3.25, 2.5, -2.5, 1.25, 1.26, -2.5, -Infinity, NaN, -0, 1e-30].map(Math.fround);
    const z = mx.array(re.map((r, i) => ({ re: r, im: im[i]! })), mx.complex64, o);
    const parts = async (a: mx.MxArray) => ((await a.tolist()) as { re: number; im: number }[]).flatMap((c) => [c.re, c.im]);
    for (const d of [10, 1, -1, 37, 39, 400, -38, -40, -400]) {
      const want = (await values(mx.round(mx.array(re, mx.float32, o), d, o))).flatMap((r, i) => [r, im[i]!]);
      (await values(mx.round(mx.array(im, mx.float32, o), d, o))).forEach((v, i) => (want[2 * i + 1] = v));
      expectSameValues(await parts(mx.round(z, d, o)), want, `complex64 d=${d}`);
    }
    // x 10^10 overflows float32 for 1e30: kept (MLX's complex product gave inf + NaN i); 10^-40 gives signed zeros
    expect(await mx.round(mx.array({ re: 1e30, im: 3.25 }, mx.complex64, o), 10, o).tolist()).toEqual({ re: Math.fround(1e30), im: Math.fround(Math.fround(3.25e10) * Math.fround(1e-10)) });
    expectSameValues(await parts(mx.round(mx.array([{ re: 1.5, im: -2.5 }, { re: Infinity, im: 7 }], mx.complex64, o), -40, o)), [0, -0, Infinity, 0], "complex64 d=-40");
    // round's derivative is zero, as for the real dtypes
    const [, [g]] = mx.vjp((w: mx.MxArray) => mx.round(w, 1, o), [z], [mx.onesLike(z, o)]);
    const [, [t]] = mx.jvp((w: mx.MxArray) => mx.round(w, 1, o), [z], [mx.onesLike(z, o)]);
    for (const zero of [g!, t!]) expect(await parts(zero)).toEqual(Array(20).fill(0));
  });

  it("linspace to an integer dtype truncates MLX's float32 blend, each step rounded once (NumPy's float64 one differs)", async () => {
    // t = f32(53 / 100) = 0.52999997, t * 100 rounds to 52.999996 in float32: 52 (NumPy 53); 29 and 57 land on the integer
    const x = mx.linspace(0, 100, 101, { dtype: mx.int32, ...o });
    await expectArray(mx.take(x, mx.array([29, 53, 57], mx.int32, o), 0, o), [29, 52, 57], mx.int32);
    await expectArray(mx.take(mx.linspace(-5, 5, 21, { dtype: mx.int32, ...o }), mx.array([14], mx.int32, o), 0, o), [2]);
    // every element: the float32 blend of the same inputs, truncated
    const f = Math.fround;
    for (const [a, b, n, d] of [[0, 100, 101, mx.int32], [-7, 200, 70, mx.int16], [3, 250, 248, mx.uint8]] as const) {
      const want = Array.from({ length: n }, (_, i) => {
        const t = f(i / (n - 1));
        return Math.trunc(f(f(f(1 - t) * f(a)) + f(t * f(b))));
      });
      await expectArray(mx.linspace(a, b, n, { dtype: d, ...o }), want, d);
    }
    // one sample: start in float32, truncated (16777217 is 2^24 in float32)
    await expectArray(mx.linspace(16777217, 0, 1, { dtype: mx.int32, ...o }), [16777216]);
  });

  it("sum and prod of narrow integers accumulate in int32 / uint32", async () => {
    await expectArray(mx.prod(mx.array([16, 16], mx.int8, o), o), 256, mx.int32);
    await expectArray(mx.sum(mx.array([255, 255], mx.uint8, o), o), 510, mx.uint32);
  });
});

describe("arange past int32", () => {
  it("bounds outside int32 give int64 (cpu), not a silent wrap", async () => {
    const a = mx.arange(2 ** 40, 2 ** 40 + 3);
    expect(a.dtype).toBe(mx.int64);
    expect(await a.tolist()).toEqual([2n ** 40n, 2n ** 40n + 1n, 2n ** 40n + 2n]);
  });
});

describe("transforms as MLX", () => {
  const f = (x: mx.MxArray, y: mx.MxArray) => mx.sum(mx.multiply(x, y));
  const x = () => mx.array([1, 2], mx.float32);

  it("grad refuses repeated and empty argnums, and leaves that are not arrays", () => {
    expect(() => mx.grad(f, { argnums: [0, 0] })(x(), x())).toThrow(/\[grad\] argnums lists argument 0 twice/);
    expect(() => mx.grad(f, { argnums: [] as unknown as [0] })).toThrow(/\[grad\] argnums must be an argument index or a non-empty list/);
    const g = (p: { x: number; y: mx.MxArray }) => mx.sum(mx.multiply(p.y, p.x));
    expect(() => mx.grad(g)({ x: 0.5, y: x() })).toThrow(/\[grad\] argument 0 .* holds a number \(0.5\); every leaf of a differentiated argument must be an mx array/);
  });

  it("the tangent of a comparison is float32 zeros", async () => {
    const [, [t]] = mx.jvp((a: mx.MxArray) => mx.greater(a, 1), [x()], [mx.ones([2], mx.float32)]);
    expect(t.dtype).toBe(mx.float32);
    expect(await t.tolist()).toEqual([0, 0]);
  });
});

describe("small things MLX gets right", () => {
  it("var and std of complex64 are float32: the mean of |x - mean|^2", async () => {
    const z = mx.array([{ re: 1, im: 2 }, { re: -3, im: 0.5 }, { re: 2, im: -4 }], mx.complex64);
    const v = mx.variance(z);
    expect(v.dtype).toBe(mx.float32);
    expect(await v.toNumber()).toBeCloseTo(11.1666667, 5); // NumPy: np.var of the same values
    expect(mx.std(z).dtype).toBe(mx.float32);
  });

  it("disposing a 0-d zeros/ones/full or a copy made by mx.array leaves everything else intact", async () => {
    const x = mx.array([1, 2], mx.float32);
    const y = mx.add(x, 1);
    mx.ones([]).dispose();
    mx.zeros([], mx.int32).dispose();
    mx.full([], 7).dispose();
    const copy = mx.array(x);
    expect(copy).not.toBe(x);
    copy.dispose();
    expect(await y.tolist()).toEqual([2, 3]);
    expect(await x.tolist()).toEqual([1, 2]);
    expect(await mx.add(mx.ones([]), 1).item()).toBe(2);
  });
});

describe("MLX's positional arguments are taken, never dropped (issue 13 item 5)", () => {
  it("a dtype positionally to arange, linspace and eye", () => {
    expect(mx.arange(0, 5, mx.float32).dtype).toBe(mx.float32);
    expect(mx.arange(5, mx.int16).dtype).toBe(mx.int16);
    expect(mx.linspace(0, 1, 5, mx.float16).dtype).toBe(mx.float16);
    expect(mx.eye(3, mx.int32).dtype).toBe(mx.int32);
    expect(mx.eye(2, 3, 1, mx.uint8).dtype).toBe(mx.uint8);
  });

  it("an axis positionally to flatten, split, concatenate and stack", () => {
    expect(mx.flatten(mx.zeros([2, 3, 4]), 1).shape).toEqual([2, 12]);
    expect(mx.flatten(mx.zeros([2, 3, 4, 5]), 1, 2).shape).toEqual([2, 12, 5]);
    expect(mx.split(mx.zeros([4, 2]), 2, 1).map((a) => a.shape)).toEqual([[4, 1], [4, 1]]);
    expect(mx.concatenate([mx.zeros([2, 2]), mx.zeros([2, 3])], 1).shape).toEqual([2, 5]);
    expect(mx.stack([mx.zeros([2]), mx.zeros([2])], 1).shape).toEqual([2, 2]);
  });

  it("round takes decimals, as MLX (round(x * 10^d) * 10^-d)", async () => {
    expect(await mx.round(mx.array([1.2345, -2.5, 0.5], mx.float32), 2).tolist()).toEqual([1.23, -2.5, 0.5].map(Math.fround));
    expect(await mx.round(mx.array([1.5, 2.5, -3.5], mx.float32)).tolist()).toEqual([2, 2, -4]);
    expect(await mx.round(mx.array([1234], mx.int32), -2).tolist()).toEqual([1200]);
    expect(() => mx.round(mx.array([1]), 0.5)).toThrow(/\[round\] decimals must be an integer/);
  });

  it("pad takes its mode: constant or edge", async () => {
    expect(await mx.pad(mx.array([[1, 2], [3, 4]]), [[1, 0], [0, 2]], "edge").tolist()).toEqual([[1, 2, 2, 2], [1, 2, 2, 2], [3, 4, 4, 4]]);
    expect(await mx.pad(mx.array([1, 2]), 1, { mode: "edge" }).tolist()).toEqual([1, 1, 2, 2]);
    expect(await mx.pad(mx.array([1, 2]), 1, "constant", 7).tolist()).toEqual([7, 1, 2, 7]);
    expect(() => mx.pad(mx.array([1]), 1, "wrap" as "edge")).toThrow(/\[pad\] mode must be one of "constant", "edge", "reflect", "symmetric"/);
  });
});
