// Ops a review held against MLX and NumPy, on every backend: integer
// tensordot/inner/einsum multiply in sum's dtype (the exact sums matmul rounds
// once), integer isclose/allclose compare the exact |a - b|, var/std with ddof
// divide by n - ddof, and cummax/cummin settle ties on +-0 by MLX's cpu rule.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, expectSameValues, values } from "./helpers/backends.js";

/** `n` int8 values from a fixed LCG over [lo, hi]. */
function int8s(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + (s % (hi - lo + 1));
  });
}

/** [lowest, highest] of each integer dtype, as bigints for the 64-bit ones. */
const EXTREMES: [mx.DType, number | bigint, number | bigint][] = [
  [mx.int8, -128, 127],
  [mx.uint8, 0, 255],
  [mx.int16, -(2 ** 15), 2 ** 15 - 1],
  [mx.uint16, 0, 2 ** 16 - 1],
  [mx.int32, -(2 ** 31), 2 ** 31 - 1],
  [mx.uint32, 0, 2 ** 32 - 1],
  [mx.int64, -(2n ** 63n), 2n ** 63n - 1n],
  [mx.uint64, 0n, 2n ** 64n - 1n],
];

describe.each(BACKENDS)("$name", ({ device }) => {
  const o = { stream: device };

  describe("integer contractions multiply in sum's dtype", () => {
    it("products past the input dtype's range stay exact", async () => {
      await expectArray(mx.inner(mx.array([200], mx.uint8, o), mx.array([2], mx.uint8, o), o), 400, mx.uint32);
      await expectArray(mx.vecdot(mx.array([200], mx.uint8, o), mx.array([2], mx.uint8, o), o), 400, mx.uint32);
      await expectArray(mx.vecdot(mx.array([100, 100], mx.int8, o), mx.array([100, 100], mx.int8, o), o), 20000, mx.int32);
      await expectArray(mx.tensordot(mx.array([300], mx.int16, o), mx.array([300], mx.int16, o), 1, o), 90000, mx.int32);
      await expectArray(mx.einsum("i,i->", mx.full([10], 100, mx.int8, o), mx.full([10], 100, mx.int8, o), o), 100000, mx.int32);
      await expectArray(mx.einsum("ij,j->i", mx.array([[-128, 127], [127, 127]], mx.int8, o), mx.array([-128, 127], mx.int8, o), o), [16384 + 16129, -16256 + 16129], mx.int32);
      await expectArray(mx.einsum("ij,jk->ik", mx.array([[true, true], [false, true]], mx.bool, o), mx.array([[true], [true]], mx.bool, o), o), [[2], [1]], mx.int32);
    });

    it("int8 and uint8 contractions are the exact sums that matmul rounds once to float32", async () => {
      const K = 4096;
      const cases: [mx.DType, number[], number[]][] = [
        [mx.int8, int8s(2 * K, 1, 100, 127), int8s(K * 3, 2, -128, -100)],
        [mx.uint8, int8s(2 * K, 3, 200, 255), int8s(K * 3, 4, 200, 255)],
      ];
      for (const [d, av, bv] of cases) {
        const a = mx.array(av, d, o).reshape([2, K]), b = mx.array(bv, d, o).reshape([K, 3]);
        const exact = [0, 1].flatMap((i) => [0, 1, 2].map((j) => av.slice(i * K, (i + 1) * K).reduce((s, x, k) => s + x * bv[3 * k + j]!, 0)));
        // the sums pass 2^24, so matmul's float32 rounds some of them
        expect(exact.some((v) => Math.fround(v) !== v), d.name).toBe(true);
        const t = mx.tensordot(a, b, 1, o);
        expect(t.dtype.name).toBe(d === mx.int8 ? "int32" : "uint32");
        expectSameValues(await values(t), exact, `tensordot ${d.name}`);
        expectSameValues(await values(mx.astype(t, mx.float32, o)), await values(mx.matmul(a, b, o)), `tensordot ${d.name} as float32 vs matmul`);
        expectSameValues(await values(mx.einsum("ik,kj->ij", a, b, o)), exact, `einsum ${d.name}`);
      }
    });
  });

  describe("integer isclose and allclose", () => {
    it("compare the exact difference, not float32 copies", async () => {
      await expectArray(mx.isclose(mx.array([16777217], mx.int32, o), mx.array([16777216], mx.int32, o), { rtol: 0, atol: 0.5, ...o }), [false]);
      expect(await mx.allclose(mx.array([2n ** 40n + 1n], mx.int64, o), mx.array([2n ** 40n], mx.int64, o), { rtol: 0, atol: 0, ...o }).item()).toBe(false);
      // float64 (NumPy) cannot tell these apart either
      const [big, bigger] = [mx.array([2n ** 60n], mx.int64, o), mx.array([2n ** 60n + 1n], mx.int64, o)];
      await expectArray(mx.isclose(bigger, big, { rtol: 0, atol: 0, ...o }), [false]);
      await expectArray(mx.isclose(bigger, big, { rtol: 0, atol: 1, ...o }), [true]);
      // rtol * |b| = 4
      await expectArray(mx.isclose(mx.array([2 ** 30 + 5, 2 ** 30 + 4], mx.int32, o), mx.array([2 ** 30, 2 ** 30], mx.int32, o), { rtol: 2 ** -28, atol: 0, ...o }), [false, true]);
      // broadcast operands
      await expectArray(mx.isclose(mx.array([[1], [5]], mx.int16, o), mx.array([1, 4, 7], mx.int16, o), { rtol: 0, atol: 1, ...o }), [[true, false, false], [false, true, false]]);
      // mixed int32 and uint32 promote to int64
      await expectArray(mx.isclose(mx.array([1, 2], mx.int32, o), mx.array([4, 2], mx.uint32, o), { rtol: 0, atol: 2, ...o }), [false, true]);
    });

    it("hold at every width's extremes, where a - b overflows", async () => {
      for (const [d, lo, hi] of EXTREMES) {
        const gap = BigInt(hi) - BigInt(lo);
        const x = mx.array([lo, hi, lo], d, o), y = mx.array([hi, lo, lo], d, o);
        // the gap is 2^w - 1: the largest float32 below it, and the gap as float32 (2^w for w >= 32)
        const asFloat32 = Math.fround(Number(gap));
        const below = BigInt(asFloat32) === gap ? asFloat32 - 1 : asFloat32 - asFloat32 * 2 ** -24;
        expect(BigInt(below) < gap, d.name).toBe(true);
        await expectArray(mx.isclose(x, y, { rtol: 0, atol: below, ...o }), [false, false, true]);
        await expectArray(mx.isclose(x, y, { rtol: 0, atol: asFloat32, ...o }), [true, true, true]);
        await expectArray(mx.isclose(x, y, { rtol: 0, atol: 1, ...o }), [false, false, true]);
      }
    });

    it("a negative or NaN bound passes equal pairs only, an infinite one every pair with b != 0", async () => {
      await expectArray(mx.isclose(mx.array([-128, 3], mx.int8, o), mx.array([127, 3], mx.int8, o), { rtol: -1, atol: 0, ...o }), [false, true]);
      await expectArray(mx.isclose(mx.array([1, 5], mx.int32, o), mx.array([1, 6], mx.int32, o), { rtol: NaN, atol: 0, ...o }), [true, false]);
      // inf * |0| is NaN, as in NumPy
      await expectArray(mx.isclose(mx.array([0n, 9n], mx.int64, o), mx.array([2n ** 63n - 1n, 0n], mx.int64, o), { rtol: Infinity, atol: 0, ...o }), [true, false]);
    });
  });

  describe("var and std with ddof divide by n - ddof", () => {
    it("float32 inputs round the quotient once, as integer inputs do", async () => {
      const fiveThirds = Math.fround(5 / 3);
      expectSameValues([await mx.var(mx.array([1, 2, 3, 4], mx.float32, o), { ddof: 1, ...o }).item()], [fiveThirds], "var float32");
      expectSameValues([await mx.var(mx.array([1, 2, 3, 4], mx.int32, o), { ddof: 1, ...o }).item()], [fiveThirds], "var int32");
      expectSameValues([await mx.std(mx.arange(1, 8, { dtype: mx.float32, ...o }), { ddof: 1, ...o }).item()], [Math.fround(Math.sqrt(Math.fround(28 / 6)))], "std float32");
      const varOf = mx.compile((x: mx.MxArray) => mx.var(x, { axis: -1, ddof: 1, ...o }), { shapeless: true });
      expectSameValues(await values(varOf(mx.array([[1, 2, 3, 4]], mx.float32, o))), [fiveThirds], "shapeless compiled var");
      // ddof 0 keeps MLX's multiply by 1/n
      expectSameValues([await mx.var(mx.array([1, 2, 3, 4], mx.float32, o), o).item()], [1.25], "var ddof 0");
      expectSameValues(await values(mx.var(mx.array([[1, 2], [1, 1]], mx.float32, o), { axis: 1, ddof: 2, ...o })), [Infinity, NaN], "var n - ddof = 0");
    });
  });

  describe("cummax takes the newer element on a tie, cummin keeps the running value (MLX's cpu rule)", () => {
    /** -0, 0, -0, ... (or 0, -0, ... from `first` 0) */
    const signs = (n: number, first: number) => Array.from({ length: n }, (_, i) => (i % 2 ? -first : first));

    it("on +-0 in every float dtype, both directions, inclusive or not", async () => {
      for (const d of [mx.float32, mx.float16, mx.bfloat16]) {
        const mz = mx.array([-0, 0, -0, 0], d, o), zm = mx.array([0, -0, 0, -0], d, o);
        expectSameValues(await values(mx.cummax(mz, o)), [-0, 0, -0, 0], `cummax ${d.name}`);
        expectSameValues(await values(mx.cummax(zm, o)), [0, -0, 0, -0], `cummax ${d.name}`);
        expectSameValues(await values(mx.cummin(zm, o)), [0, 0, 0, 0], `cummin ${d.name}`);
        expectSameValues(await values(mx.cummin(mz, o)), [-0, -0, -0, -0], `cummin ${d.name}`);
        expectSameValues(await values(mx.cummax(mz, { reverse: true, inclusive: false, ...o })), [0, -0, 0, -Infinity], `reverse exclusive cummax ${d.name}`);
        expectSameValues(await values(mx.cummin(mz, { reverse: true, ...o })), [0, 0, 0, 0], `reverse cummin ${d.name}`);
      }
      // NaN, once met, stays
      const withNan = mx.array([1, NaN, 2, -0, 0], mx.float32, o);
      expectSameValues(await values(mx.cummax(withNan, o)), [1, NaN, NaN, NaN, NaN], "cummax NaN");
      expectSameValues(await values(mx.cummin(withNan, o)), [1, NaN, NaN, NaN, NaN], "cummin NaN");
    });

    it("across the tiles of long lines and over many short lines, contiguous or strided", async () => {
      const n = 5000;
      const line = mx.array(signs(n, -0), mx.float32, o);
      expectSameValues(await values(mx.cummax(line, o)), signs(n, -0), "long cummax");
      expectSameValues(await values(mx.cummin(line, o)), Array(n).fill(-0), "long cummin");
      expectSameValues(await values(mx.cummax(line, { reverse: true, inclusive: false, ...o })), [...signs(n - 1, 0), -Infinity], "long reverse exclusive cummax");
      // a checkerboard of -0 and 0, [4096, 20]: 4096 short contiguous lines along axis 1, 20 strided lines of 4096 along axis 0
      const board = Array.from({ length: 4096 }, (_, i) => signs(20, i % 2 ? 0 : -0)).flat();
      const a = mx.array(board, mx.float32, o).reshape([4096, 20]);
      expectSameValues(await values(mx.cummax(a, 1, o)), board, "short lines cummax");
      expectSameValues(await values(mx.cummax(a, 0, o)), board, "strided lines cummax");
      expectSameValues(await values(mx.cummin(a, 0, o)), board.map((_, k) => board[k % 20]!), "strided lines cummin");
    });
  });
});
