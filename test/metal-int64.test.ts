// int64 and uint64 on the metal backend (MSL long / ulong): MLX's promotion to
// int64 runs there, and every family (elementwise, casts, layout copies,
// reductions, scans, indexing, sorts, arange) gives the cpu reference's words,
// values past 2^53 and wraparound included.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";

const metal = findBackend("metal");
const onMetal = { stream: mx.metal };
const onCpu = { stream: mx.cpu };

const I64_MAX = 2n ** 63n - 1n, I64_MIN = -(2n ** 63n), U64_MAX = 2n ** 64n - 1n;
/** Signed values around the edges: past 2^53, the limits, negatives for floor division. */
const SIGNED = [0n, 1n, -1n, 7n, -7n, 3n, -3n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 123456789012345678n, -987654321098765432n, I64_MAX, I64_MIN, 64n, 65n, -64n];
const UNSIGNED = [0n, 1n, 7n, 3n, 2n ** 53n + 1n, 2n ** 63n + 5n, U64_MAX, 123456789012345678n, 64n, 63n, 2n ** 32n, 12n, 1n, 2n, 99n, 2n ** 40n + 3n];

const i64 = (v: readonly bigint[], o = onCpu) => mx.array(BigInt64Array.from(v), mx.int64, o);
const u64 = (v: readonly bigint[], o = onCpu) => mx.array(BigUint64Array.from(v), mx.uint64, o);

/** `f` on metal and on the cpu: the same dtype, shape and values (bigints for 64-bit integers). */
async function sameAsCpu(f: (o: { stream: typeof mx.cpu }) => mx.MxArray): Promise<unknown> {
  const want = f(onCpu), got = f(onMetal);
  expect(got.dtype.name).toBe(want.dtype.name);
  expect([...got.shape]).toEqual([...want.shape]);
  const w = await want.tolist();
  expect(await got.tolist()).toEqual(w);
  return w;
}

describe.skipIf(!metal)("int64 and uint64 on metal", () => {
  it("holds int64 and uint64 and reads them back as bigints", async () => {
    expect(metal!.capabilities.dtypes.has(mx.int64)).toBe(true);
    expect(metal!.capabilities.dtypes.has(mx.uint64)).toBe(true);
    const x = mx.add(i64(SIGNED, onMetal), i64(SIGNED.map(() => 0n), onMetal), onMetal);
    expect(await x.tolist()).toEqual(SIGNED);
    expect(Array.from(x.dataSync() as BigInt64Array)).toEqual(SIGNED);
  });

  it("promotes add(uint32, int32) to int64 with the cpu's values", async () => {
    const a = mx.array([4294967295, 0, 7, 2147483648], mx.uint32, onCpu);
    const b = mx.array([2147483647, -1, -8, -2147483648], mx.int32, onCpu);
    const r = mx.add(a, b, onMetal);
    expect(r.dtype.name).toBe("int64");
    expect(await r.tolist()).toEqual([6442450942n, -1n, -1n, 0n]);
    await sameAsCpu((o) => mx.add(a, b, o));
  });

  it("does arithmetic past 2^53 and wraps at 64 bits", async () => {
    const r = mx.add(i64([I64_MAX, 2n ** 53n]), i64([1n, 1n]), onMetal);
    expect(await r.tolist()).toEqual([I64_MIN, 2n ** 53n + 1n]);
    const m = mx.multiply(u64([U64_MAX, 2n ** 32n + 1n]), u64([2n, 2n ** 32n - 1n]), onMetal);
    expect(await m.tolist()).toEqual([U64_MAX - 1n, 2n ** 64n - 1n]);
    const a = i64(SIGNED), b = i64([...SIGNED].reverse());
    for (const op of [mx.add, mx.subtract, mx.multiply, mx.maximum, mx.minimum, mx.equal, mx.less, mx.greaterEqual, mx.notEqual]) {
      await sameAsCpu((o) => op(a, b, o));
    }
    const ua = u64(UNSIGNED), ub = u64([...UNSIGNED].reverse());
    for (const op of [mx.add, mx.subtract, mx.multiply, mx.maximum, mx.less, mx.greater]) await sameAsCpu((o) => op(ua, ub, o));
  });

  it("floor-divides and takes remainders of negatives as the reference does (x / 0 = 0, MIN / -1 wraps)", async () => {
    const a = i64([-7n, 7n, -7n, 7n, I64_MIN, I64_MIN, 5n, -(2n ** 60n) - 1n]);
    const b = i64([2n, -2n, -2n, 0n, -1n, 3n, 0n, 1000n]);
    expect(await mx.floorDivide(a, b, onMetal).tolist()).toEqual([-4n, -4n, 3n, 0n, I64_MIN, -3074457345618258603n, 0n, -1152921504606847n]);
    expect(await mx.remainder(a, b, onMetal).tolist()).toEqual([1n, -1n, -1n, 0n, 0n, 1n, 0n, 23n]);
    await sameAsCpu((o) => mx.floorDivide(i64(SIGNED), i64([...SIGNED].reverse()), o));
    await sameAsCpu((o) => mx.remainder(i64(SIGNED), i64([...SIGNED].reverse()), o));
    await sameAsCpu((o) => mx.floorDivide(u64(UNSIGNED), u64([...UNSIGNED].reverse()), o));
    await sameAsCpu((o) => mx.remainder(u64(UNSIGNED), u64([...UNSIGNED].reverse()), o));
    await sameAsCpu((o) => mx.power(i64([3n, -3n, 2n, 7n]), i64([40n, 41n, 63n, -1n]), o));
  });

  it("shifts by 0 to 63 and saturates shifts of 64 or more, bitwise ops on all 64 bits", async () => {
    const a = i64([1n, -1n, I64_MIN, 5n, 5n, -5n]), s = i64([63n, 64n, 1n, 62n, -1n, 70n]);
    expect(await mx.leftShift(a, s, onMetal).tolist()).toEqual([I64_MIN, 0n, 0n, 2n ** 62n, 0n, 0n]);
    expect(await mx.rightShift(a, s, onMetal).tolist()).toEqual([0n, -1n, -(2n ** 62n), 0n, 0n, -1n]);
    const u = u64([U64_MAX, 1n, 2n ** 63n]), us = u64([63n, 64n, 3n]);
    expect(await mx.rightShift(u, us, onMetal).tolist()).toEqual([1n, 0n, 2n ** 60n]);
    expect(await mx.leftShift(u, us, onMetal).tolist()).toEqual([2n ** 63n, 0n, 0n]);
    for (const op of [mx.bitwiseAnd, mx.bitwiseOr, mx.bitwiseXor]) await sameAsCpu((o) => op(i64(SIGNED), i64([...SIGNED].reverse()), o));
    await sameAsCpu((o) => mx.bitwiseInvert(u64(UNSIGNED), o));
  });

  it("abs, negative, sign and square wrap at the limits", async () => {
    expect(await mx.abs(i64([I64_MIN, -5n, 5n]), onMetal).tolist()).toEqual([I64_MIN, 5n, 5n]);
    expect(await mx.negative(u64([1n, 0n]), onMetal).tolist()).toEqual([U64_MAX, 0n]);
    for (const op of [mx.abs, mx.negative, mx.sign, mx.square, mx.floor, mx.logicalNot]) {
      await sameAsCpu((o) => op(i64(SIGNED), o));
      await sameAsCpu((o) => op(u64(UNSIGNED), o));
    }
  });

  it("casts to and from every dtype with the reference's rounding and saturation", async () => {
    const floats = [0, -0.5, 1.9, -1.9, 9.3e18, -9.3e18, 1.9e19, 2 ** 63, -(2 ** 63), Infinity, -Infinity, NaN, 123456789, -(2 ** 40) - 0.5];
    const f = mx.array(floats, mx.float32, onCpu);
    expect(await mx.astype(f, mx.int64, onMetal).tolist()).toEqual([0n, 0n, 1n, -1n, I64_MAX, I64_MIN, I64_MAX, I64_MAX, I64_MIN, I64_MAX, I64_MIN, 0n, 123456792n, -(2n ** 40n)]);
    expect(await mx.astype(f, mx.uint64, onMetal).tolist()).toEqual([0n, 0n, 1n, 0n, BigInt(Math.fround(9.3e18)), 0n, U64_MAX, 2n ** 63n, 0n, U64_MAX, 0n, 0n, 123456792n, 0n]);
    const dtypes = [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.bfloat16, mx.float32];
    // past 2^53 with a sticky bit below float32's precision: float16/bfloat16 must round once, not via float32
    const big = [...SIGNED, (1n << 40n) + (1n << 32n) + 1n, -((1n << 40n) + (1n << 32n) + 1n), 0x7fffff8000000001n];
    for (const to of dtypes) {
      await sameAsCpu((o) => mx.astype(i64(big), to, o));
      await sameAsCpu((o) => mx.astype(u64(UNSIGNED), to, o));
      for (const from of [mx.float32, mx.float16, mx.bfloat16, mx.int32, mx.uint8, mx.bool]) {
        await sameAsCpu((o) => mx.astype(mx.astype(mx.astype(mx.array(floats, mx.float32, onCpu), from, onCpu), to, onCpu), mx.int64, o));
      }
    }
    expect(await mx.astype(i64([(1n << 40n) + (1n << 32n) + 1n]), mx.bfloat16, onMetal).tolist()).toEqual([2 ** 40 + 2 ** 33]);
    // int32 past 2^24 rounds once too: 2^24 + 2^16 + 1 is above bfloat16's halfway point
    expect(await mx.astype(mx.array([2 ** 24 + 2 ** 16 + 1, -(2 ** 24 + 2 ** 16 + 1)], mx.int32, onCpu), mx.bfloat16, onMetal).tolist()).toEqual([2 ** 24 + 2 ** 17, -(2 ** 24 + 2 ** 17)]);
    await sameAsCpu((o) => mx.astype(mx.array([2 ** 24 + 2 ** 16 + 1, 4294967295, 2 ** 31 + 2 ** 23 + 1], mx.uint32, onCpu), mx.bfloat16, o));
  });

  it("copies, concatenates, pads, slice-updates and selects 64-bit words", async () => {
    const x = mx.reshape(i64(SIGNED), [4, 4], onCpu);
    await sameAsCpu((o) => mx.reshape(mx.transpose(x, undefined, o), [16], o));
    await sameAsCpu((o) => mx.concatenate([x, mx.transpose(x, undefined, o)], { axis: 1, stream: o.stream }));
    await sameAsCpu((o) => mx.pad(x, [[1, 0], [0, 2]], { constantValue: 5, stream: o.stream }));
    await sameAsCpu((o) => mx.where(mx.greater(x, 0, o), x, mx.negative(x, o), o));
    await sameAsCpu((o) => mx.sliceUpdate(x, mx.reshape(i64([BigInt.asIntN(64, U64_MAX), 2n ** 62n]), [1, 2], o), [1, 2], null, o));
  });

  it("reduces (sum, prod, max, min, argmax, argmin), short and long segments", async () => {
    const x = mx.reshape(i64(SIGNED), [4, 4], onCpu);
    for (const op of [mx.sum, mx.prod, mx.max, mx.min, mx.argmax, mx.argmin]) {
      await sameAsCpu((o) => op(x, { axis: 1, stream: o.stream }));
      await sameAsCpu((o) => op(u64(UNSIGNED), { axis: 0, stream: o.stream }));
    }
    expect(await mx.sum(i64([I64_MAX, 1n]), onMetal).item()).toBe(I64_MIN);
    // long segments: threadgroups, and chunks folded by a second pass
    const long = mx.add(mx.multiply(mx.arange(70000, { dtype: mx.int64, stream: mx.cpu }), 2n ** 40n + 3n, onCpu), -(2n ** 61n), onCpu);
    for (const op of [mx.sum, mx.max, mx.min, mx.argmax, mx.argmin]) await sameAsCpu((o) => op(long, { stream: o.stream }));
    await sameAsCpu((o) => mx.prod(mx.reshape(long, [7, 10000], o), { axis: 1, stream: o.stream }));
  });

  it("scans (cumsum, cumprod, cummax, cummin), per thread and in tiles", async () => {
    const long = mx.multiply(mx.arange(5000, { dtype: mx.int64, stream: mx.cpu }), 2n ** 50n + 1n, onCpu);
    for (const op of [mx.cumsum, mx.cumprod, mx.cummax, mx.cummin]) {
      await sameAsCpu((o) => op(i64(SIGNED), 0, { stream: o.stream }));
      await sameAsCpu((o) => op(u64(UNSIGNED), 0, { reverse: true, stream: o.stream }));
      await sameAsCpu((o) => op(long, 0, { stream: o.stream }));
    }
  });

  it("gathers, scatters and takes with int64 data and int64 indices past 32 bits", async () => {
    const x = i64(SIGNED);
    await sameAsCpu((o) => mx.take(x, i64([15n, 0n, -1n, 2n ** 33n, -(2n ** 33n)]), 0, o));
    await sameAsCpu((o) => mx.takeAlongAxis(mx.reshape(x, [4, 4], o), mx.array([[3, 0, 1, 2]], mx.int32, o), 1, o));
    await sameAsCpu((o) => mx.putAlongAxis(mx.reshape(x, [4, 4], o), mx.array([[3], [0], [1], [2]], mx.int32, o), mx.reshape(i64([I64_MAX]), [1, 1], o), 1, o));
    // long scatter columns (sorted path) fold in wrapping 64-bit arithmetic
    const targets = mx.remainder(mx.multiply(mx.arange(5000, { dtype: mx.int32, stream: mx.cpu }), 7, onCpu), 64, onCpu);
    const upd = mx.add(mx.multiply(mx.arange(5000, { dtype: mx.int64, stream: mx.cpu }), 2n ** 52n + 9n, onCpu), -(2n ** 62n), onCpu);
    const base = mx.multiply(mx.arange(64, { dtype: mx.int64, stream: mx.cpu }), 2n ** 57n, onCpu);
    for (const mode of ["add", "multiply", "maximum", "minimum", "set"] as const) {
      await sameAsCpu((o) => new mx.ArrayAt(mx.add(base, 0n, o), [targets])[mode](upd));
    }
  });

  it("sorts and argsorts by the full 64 bits (values equal in their top 32 bits included)", async () => {
    const v = [...SIGNED, 2n ** 40n + 1n, 2n ** 40n, -(2n ** 40n), -(2n ** 40n) + 1n];
    const r = mx.sort(i64(v), 0, onMetal);
    expect(await r.tolist()).toEqual([...v].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    await sameAsCpu((o) => mx.argsort(i64(v), 0, o));
    await sameAsCpu((o) => mx.sort(u64(UNSIGNED), 0, o));
    const many = mx.multiply(mx.remainder(mx.arange(3000, { dtype: mx.int64, stream: mx.cpu }), 977n, onCpu), -(2n ** 41n) + 1n, onCpu);
    await sameAsCpu((o) => mx.argsort(many, 0, o));
  });

  it("makes aranges and fills past 2^32", async () => {
    await sameAsCpu((o) => mx.arange(-(2 ** 40), 2 ** 40, 2 ** 33 + 1, { dtype: mx.int64, stream: o.stream }));
    await sameAsCpu((o) => mx.arange(0, 600, 7, { dtype: mx.uint64, stream: o.stream }));
    await sameAsCpu((o) => mx.full([3, 2], 2n ** 60n + 7n, mx.int64, o));
    await sameAsCpu((o) => mx.zeros([5], mx.uint64, o));
  });
});
