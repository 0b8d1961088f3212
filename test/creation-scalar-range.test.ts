// JS scalars past a dtype's range, as MLX treats Python's numbers: a whole
// number at or past 2^63 in magnitude is no int64, so it infers float32 (as
// Python's 1e20 is a float) instead of a wrapped int64; an integer scalar
// (number or bigint) that must become an integer dtype lies in its range,
// 64-bit dtypes included, or is an error (MLX's "Converting 1000 to int8
// would result in overflow"), never a wrapped value.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { expectArray } from "./helpers/backends.js";

const o = { stream: mx.cpu };

describe("whole numbers past int64's range are floats", () => {
  it("mx.array and full infer float32 for them", async () => {
    await expectArray(mx.array([1e20, 3e19], o), [Math.fround(1e20), Math.fround(3e19)], mx.float32);
    await expectArray(mx.array(1e300, o), Infinity, mx.float32);
    await expectArray(mx.array([1, 2 ** 63], o), [1, 2 ** 63], mx.float32);
    await expectArray(mx.array([-(2 ** 63)], o), [-(2n ** 63n)], mx.int64);
    await expectArray(mx.array([2 ** 62, 3e9], o), [2n ** 62n, 3000000000n], mx.int64);
    await expectArray(mx.full([2], 1e20, o), [Math.fround(1e20), Math.fround(1e20)], mx.float32);
    expect(() => mx.array([2n ** 70n], o)).toThrow(/^\[array\] the bigint 1180591620717411303424n is out of range for int64/);
    expect(() => mx.array(2n ** 63n, o)).toThrow(/^\[array\] the bigint 9223372036854775808n is out of range for int64/);
    // with a dtype, mx.array casts (unchanged)
    await expectArray(mx.array([2n ** 64n - 1n], mx.uint64, o), [2n ** 64n - 1n]);
  });

  it("as weak scalars they promote an integer array to float32", async () => {
    await expectArray(mx.add(mx.array([1], mx.int64, o), 1e20, o), [Math.fround(1e20)], mx.float32);
    await expectArray(mx.add(mx.array([1], mx.int8, o), -(2 ** 63) * 2, o), [Math.fround(1 - 2 ** 64)], mx.float32);
    await expectArray(mx.add(mx.array([1], mx.uint64, o), 2 ** 64, o), [Math.fround(2 ** 64)], mx.float32);
    // a uint64 array holds a number in [2^63, 2^64)
    await expectArray(mx.add(mx.array([1], mx.uint64, o), 2 ** 63, o), [2n ** 63n + 1n], mx.uint64);
    expect(mx.resultType(mx.int64, 1e20).name).toBe("float32");
    expect(mx.resultType(1e20).name).toBe("float32");
    expect(mx.resultType(2 ** 62).name).toBe("int64");
  });
});

describe("integer scalars lie in the dtype's range, 64-bit dtypes and bigints included", () => {
  it("explicit 64-bit fill values out of range are errors, not wrapped", async () => {
    expect(() => mx.full([2], 1e20, mx.int64, o)).toThrow(/^\[full\] the scalar 100000000000000000000 is out of range for int64 \(-9223372036854775808 to 9223372036854775807\) as the value; no 64-bit integer holds it/);
    expect(() => mx.full([2], 2 ** 63, mx.int64, o)).toThrow(/^\[full\] the scalar 9223372036854776000 is out of range for int64 .* e\.g\. mx\.array\(9223372036854776000, mx\.uint64\)/);
    expect(() => mx.full([2], 2 ** 64, mx.uint64, o)).toThrow(/^\[full\] the scalar 18446744073709552000 is out of range for uint64 \(0 to 18446744073709551615\)/);
    expect(() => mx.full([2], -1, mx.uint64, o)).toThrow(/^\[full\] the scalar -1 is out of range for uint64 .* e\.g\. mx\.array\(-1, mx\.int64\)/);
    expect(() => mx.fullLike(mx.array([1], mx.int64, o), -1e19, o)).toThrow(/^\[fullLike\] the scalar -10000000000000000000 is out of range for int64/);
    await expectArray(mx.full([1], -(2 ** 63), mx.int64, o), [-(2n ** 63n)]);
    await expectArray(mx.full([1], 2 ** 64 - 2048, mx.uint64, o), [2n ** 64n - 2048n]);
    await expectArray(mx.full([1], 2n ** 63n - 1n, mx.int64, o), [2n ** 63n - 1n]);
  });

  it("bigint scalars are range-checked like numbers", async () => {
    expect(() => mx.add(mx.array([1], mx.int8, o), 1000n, o)).toThrow(/^\[add\] the scalar 1000n is out of range for int8 \(-128 to 127\) as the second input/);
    expect(() => mx.full([2], 1000n, mx.int8, o)).toThrow(/^\[full\] the scalar 1000n is out of range for int8 \(-128 to 127\) as the value/);
    expect(() => mx.add(mx.array([1], mx.int32, o), 2n ** 40n, o)).toThrow(/^\[add\] the scalar 1099511627776n is out of range for int32/);
    expect(() => mx.add(mx.array([1], mx.uint8, o), -1n, o)).toThrow(/^\[add\] the scalar -1n is out of range for uint8/);
    expect(() => mx.add(mx.array([1], mx.int64, o), 2n ** 63n, o)).toThrow(/^\[add\] the scalar 9223372036854775808n is out of range for int64/);
    expect(() => mx.add(mx.array([1], mx.uint64, o), 2n ** 64n, o)).toThrow(/^\[add\] the scalar 18446744073709551616n is out of range for uint64/);
    expect(() => mx.add(2n ** 63n, 1, o)).toThrow(/^\[add\] the scalar 9223372036854775808n is out of range for int64/);
    await expectArray(mx.add(mx.array([1], mx.int8, o), 100n, o), [101], mx.int8);
    await expectArray(mx.add(mx.array([1], mx.uint64, o), 2n ** 64n - 2n, o), [2n ** 64n - 1n], mx.uint64);
    await expectArray(mx.add(mx.array([1], mx.int64, o), -(2n ** 63n) + 1n, o), [-(2n ** 63n) + 2n], mx.int64);
  });

  it("a fraction is checked by its integer part, as its cast truncates it", async () => {
    await expectArray(mx.full([1], 127.9, mx.int8, o), [127]);
    expect(() => mx.full([1], 128.5, mx.int8, o)).toThrow(/^\[full\] the scalar 128\.5 is out of range for int8/);
    expect(() => mx.array([1, 2], mx.int32, o).at(0).set(3e9 + 0.5)).toThrow(/^\[at\.set\] the scalar 3000000000\.5 is out of range for int32/);
  });
});
