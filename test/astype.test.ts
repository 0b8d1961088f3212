// astype on every backend: the documented edge cases (NaN/inf/out of range
// to integers, wrapping between integers, bool, exact rounding of 64-bit
// integers to narrow floats, complex) and a property check over all pairs.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";
import { holds } from "../conformance/contracts.js";

describe.each(BACKENDS)("astype on $name", ({ device }) => {
  const o = { stream: device };
  const cpu = { stream: mx.cpu };
  const arr = (v: mx.NestedList, d: mx.DType) => mx.array(v, d, o);

  it("float -> int truncates, saturates and maps NaN to 0", async () => {
    const x = arr([NaN, Infinity, -Infinity, 1e10, -1e10, 2.9, -2.9, 127.5, -128.7], mx.float32);
    await expectArray(x.astype(mx.int8, o), [0, 127, -128, 127, -128, 2, -2, 127, -128], mx.int8);
    await expectArray(x.astype(mx.uint8, o), [0, 255, 0, 255, 0, 2, 0, 127, 0], mx.uint8);
    await expectArray(x.astype(mx.int32, o), [0, 2147483647, -2147483648, 2147483647, -2147483648, 2, -2, 127, -128]);
    if (!holds(device, mx.int64, mx.uint64)) return;
    await expectArray(x.astype(mx.int64, o), [0n, 2n ** 63n - 1n, -(2n ** 63n), 10000000000n, -10000000000n, 2n, -2n, 127n, -128n]);
    await expectArray(x.astype(mx.uint64, o), [0n, 2n ** 64n - 1n, 0n, 10000000000n, 0n, 2n, 0n, 127n, 0n]);
  });

  it("int -> int wraps (two's complement)", async () => {
    await expectArray(arr([300, -1, 128], mx.int32).astype(mx.uint8, o), [44, 255, 128]);
    await expectArray(arr([300, -1, 128], mx.int32).astype(mx.int8, o), [44, -1, -128]);
    await expectArray(arr([-1], mx.int32).astype(mx.uint32, o), [4294967295]);
    await expectArray(arr([4294967295], mx.uint32).astype(mx.int32, o), [-1]);
    if (!holds(device, mx.int64, mx.uint64)) return;
    await expectArray(arr([4294967295], mx.uint32).astype(mx.int64, o), [4294967295n]);
    await expectArray(arr([-1], mx.int64).astype(mx.uint64, o), [2n ** 64n - 1n]);
    await expectArray(arr([2n ** 40n + 5n], mx.int64).astype(mx.int32, o), [5]);
  });

  it("bool conversions: nonzero (and NaN) is true", async () => {
    await expectArray(arr([0, -0, NaN, 0.5, -3], mx.float32).astype(mx.bool, o), [false, false, true, true, true]);
    await expectArray(arr([true, false], mx.bool).astype(mx.float16, o), [1, 0]);
    if (holds(device, mx.int64)) await expectArray(arr([0n, 5n], mx.int64).astype(mx.bool, o), [false, true]);
  });

  it("int32 and uint32 round once to bfloat16, float16 and float32 (astype, promotion, compiled)", async () => {
    // 2^30 + 2^22 + 1 lies just above the bfloat16 midpoint 2^30 + 2^22, 2^32 - 2^23 - 1 just below 2^32 - 2^23:
    // through a float32 rounded to nearest they land on the midpoint and round to even (2^30, 2^32)
    await expectArray(arr([1077936129, -1077936129, 2 ** 30 + 2 ** 22, -(2 ** 31)], mx.int32).astype(mx.bfloat16, o), [2 ** 30 + 2 ** 23, -(2 ** 30 + 2 ** 23), 2 ** 30, -(2 ** 31)]);
    await expectArray(arr([4286578687], mx.uint32).astype(mx.bfloat16, o), [2 ** 32 - 2 ** 24]);
    await expectArray(mx.add(arr([1077936129], mx.int32), arr([0], mx.bfloat16), o), [2 ** 30 + 2 ** 23], mx.bfloat16);
    await expectArray(mx.compile((x: mx.MxArray) => mx.multiply(mx.astype(x, mx.bfloat16, o), 2, o))(arr([1077936129], mx.int32)), [2 ** 31 + 2 ** 24]);
    // near-ties of every narrow float's significand, against the exact integer (float64) rounded once
    const near = fc.tuple(fc.constantFrom(8, 11, 24), fc.integer({ min: 0, max: 31 }), fc.nat(), fc.integer({ min: -2, max: 2 }), fc.boolean()).map(([p, e, m, d, neg]) => {
      const sh = Math.max(0, e - p); // a tie of p significant bits at 2^e: an odd multiple of 2^(sh - 1)
      const tie = sh === 0 ? m % 2 ** (e + 1) : (2 * ((m % 2 ** (p - 1)) + 2 ** (p - 1)) + 1) * 2 ** (sh - 1);
      return (neg ? -1 : 1) * Math.min(tie + d, 2 ** 31 - 1);
    });
    await fc.assert(
      fc.asyncProperty(fc.array(near, { minLength: 1, maxLength: 16 }), fc.constantFrom(mx.int32, mx.uint32), fc.constantFrom(mx.bfloat16, mx.float16, mx.float32), async (vals, from, to) => {
        const v = from === mx.uint32 ? vals.map((x) => Math.abs(x) * 2) : vals;
        const got = await arr(v, from).astype(to, o).data();
        const want = await mx.array(v, from, cpu).astype(mx.float64, cpu).astype(to, cpu).data();
        expect([...got]).toEqual([...want]);
      }),
      { numRuns: 100 },
    );
  });

  it.skipIf(!holds(device, mx.int64, mx.uint64, mx.float64))("64-bit integers round once to narrow floats", async () => {
    // 2^60 + 2^36 + 1 lies just above the float32 midpoint 2^60 + 2^36: it must round up
    const x = arr([2n ** 60n + 2n ** 36n + 1n, 2n ** 60n + 2n ** 36n, -(2n ** 60n) - 2n ** 36n - 1n], mx.int64);
    await expectArray(x.astype(mx.float32, o), [2 ** 60 + 2 ** 37, 2 ** 60, -(2 ** 60) - 2 ** 37]);
    await expectArray(arr([2n ** 64n - 1n], mx.uint64).astype(mx.float64, o), [2 ** 64]);
  });

  it.skipIf(!holds(device, mx.float64))("float64 -> float16 / bfloat16 round once (no double rounding through float32)", async () => {
    // 1 + 2^-11 + 2^-40: just above the float16 midpoint between 1 and 1 + 2^-10
    const v = 1 + 2 ** -11 + 2 ** -40;
    await expectArray(arr([v], mx.float64).astype(mx.float16, o), [1 + 2 ** -10]);
    await expectArray(arr([v], mx.float64).astype(mx.float32, o).astype(mx.float16, o), [1]);
    await expectArray(arr([1 + 2 ** -8 + 2 ** -40], mx.float64).astype(mx.bfloat16, o), [1 + 2 ** -7]);
  });

  it.skipIf(!holds(device, mx.complex64))("complex64 keeps the real part; reals get imaginary 0", async () => {
    const z = arr([{ re: 1.5, im: 2 }, { re: -3.7, im: 1 }], mx.complex64);
    await expectArray(z.astype(mx.float32, o), [1.5, Math.fround(-3.7)]);
    await expectArray(z.astype(mx.int32, o), [1, -3]);
    await expectArray(arr([1, 2], mx.int32).astype(mx.complex64, o), [{ re: 1, im: 0 }, { re: 2, im: 0 }]);
  });

  it("float -> float of every pair equals rounding the float64 value once", async () => {
    const floats = [mx.float16, mx.bfloat16, mx.float32, mx.float64].filter((d) => holds(device, d));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double(), { minLength: 1, maxLength: 20 }), fc.constantFrom(...floats), fc.constantFrom(...floats), async (vals, a, b) => {
        const direct = await arr(vals, a).astype(b, o).data();
        const viaF64 = await mx.array(vals, a, cpu).astype(mx.float64, cpu).astype(b, cpu).data();
        expect([...direct]).toEqual([...viaF64]);
      }),
      { numRuns: 200 },
    );
  });
});
