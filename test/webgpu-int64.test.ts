// int64 and uint64 on the webgpu backend (pairs of u32 words, wgsl/int64.wgsl):
// known values at the edges (2^53 + 1, -2^63, 2^64 - 1, carries across the
// word boundary, INT64_MIN // -1), and every supported family against the cpu
// reference's words; the families not emulated yet refuse 64-bit operands.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";
import type { Kernel, Tensor } from "../backends/backend.js";
import type { Primitive } from "../src/primitive.js";
import { refuseInt64, runsInt64 } from "../backends/webgpu/int64-support.js";

const webgpu = findBackend("webgpu");
const onGpu = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const onCpu = { stream: mx.cpu };

const I64_MAX = 2n ** 63n - 1n, I64_MIN = -(2n ** 63n), U64_MAX = 2n ** 64n - 1n;
const SIGNED = [0n, 1n, -1n, 7n, -7n, 3n, -3n, 2n ** 53n + 1n, -(2n ** 53n) - 3n, 2n ** 32n - 1n, -(2n ** 32n), 123456789012345678n, -987654321098765432n, I64_MAX, I64_MIN, 64n, 65n, -64n];
const UNSIGNED = [0n, 1n, 7n, 3n, 2n ** 53n + 1n, 2n ** 63n + 5n, U64_MAX, 2n ** 32n - 1n, 123456789012345678n, 64n, 63n, 2n ** 32n, 12n, 2n, 99n, 2n ** 40n + 3n, 5n, 2n ** 63n];

const i64 = (v: readonly bigint[]) => mx.array(BigInt64Array.from(v), mx.int64, onCpu);
const u64 = (v: readonly bigint[]) => mx.array(BigUint64Array.from(v), mx.uint64, onCpu);
/** All pairs of `v` as two flat arrays (every element against every other). */
function pairs(v: readonly bigint[]): [bigint[], bigint[]] {
  return [v.flatMap((a) => v.map(() => a)), v.flatMap(() => v)];
}

/** `f` on webgpu and on the cpu: the same dtype, shape and values. */
async function sameAsCpu(f: (o: typeof onCpu) => mx.MxArray): Promise<unknown> {
  const want = f(onCpu), got = f(onGpu);
  expect(got.dtype.name).toBe(want.dtype.name);
  expect([...got.shape]).toEqual([...want.shape]);
  const w = await want.tolist();
  expect(await got.tolist()).toEqual(w);
  return w;
}

describe.skipIf(!webgpu)("int64 and uint64 on webgpu", () => {
  it("holds them, copies them through layout ops and reads them back as bigints", async () => {
    expect(webgpu!.capabilities.dtypes.has(mx.int64)).toBe(true);
    expect(webgpu!.capabilities.dtypes.has(mx.uint64)).toBe(true);
    const x = mx.add(i64(SIGNED), i64(SIGNED.map(() => 0n)), onGpu);
    expect(await x.tolist()).toEqual(SIGNED);
    const m = mx.reshape(i64(SIGNED), [3, 6]);
    await sameAsCpu((o) => mx.add(mx.transpose(m, [1, 0], o), mx.array(0, mx.int64, o), o));
    await sameAsCpu((o) => mx.contiguous(mx.transpose(m, [1, 0], o), false, o));
    await sameAsCpu((o) => mx.concatenate([m, mx.slice(m, [1, 0], [3, 6], [1, 1], o)], { axis: 0, ...o }));
    await sameAsCpu((o) => mx.concatenate([m, mx.transpose(mx.reshape(u64(UNSIGNED), [6, 3]), [1, 0], o).astype(mx.int64, o)], { axis: 1, ...o }));
    await sameAsCpu((o) => mx.pad(m, [[1, 0], [0, 2]], { constantValue: I64_MIN, ...o }));
    await sameAsCpu((o) => mx.broadcastTo(mx.array([U64_MAX, 5n], mx.uint64, o), [3, 2], o).astype(mx.uint64, o));
    await sameAsCpu((o) => mx.where(mx.array([true, false, true], mx.bool, o), mx.array([I64_MIN, 1n, 2n], mx.int64, o), mx.array([3n, 4n, I64_MAX], mx.int64, o), o));
  });

  it("promotes add(uint32, int32) to int64 with carries across the word boundary", async () => {
    const a = mx.array([4294967295, 0, 7, 2147483648], mx.uint32, onCpu);
    const b = mx.array([2147483647, -1, -8, -2147483648], mx.int32, onCpu);
    const r = mx.add(a, b, onGpu);
    expect(r.dtype.name).toBe("int64");
    expect(await r.tolist()).toEqual([6442450942n, -1n, -1n, 0n]);
    expect(await mx.add(i64([2n ** 32n - 1n, I64_MAX, 2n ** 53n]), i64([1n, 1n, 1n]), onGpu).tolist()).toEqual([2n ** 32n, I64_MIN, 2n ** 53n + 1n]);
    expect(await mx.subtract(u64([2n ** 32n, 0n]), u64([1n, 1n]), onGpu).tolist()).toEqual([2n ** 32n - 1n, U64_MAX]);
    expect(await mx.multiply(u64([U64_MAX, 2n ** 32n + 1n, 0xffffffffn]), u64([2n, 2n ** 32n - 1n, 0xffffffffn]), onGpu).tolist()).toEqual([U64_MAX - 1n, U64_MAX, 0xfffffffe00000001n]);
  });

  // this test and the casts one compile a pipeline per op and dtype pair: minutes on a loaded software adapter
  it("computes the elementwise ops of every pair of edge values as the cpu does", async () => {
    const [sa, sb] = pairs(SIGNED), [ua, ub] = pairs(UNSIGNED);
    const binary = [mx.add, mx.subtract, mx.multiply, mx.maximum, mx.minimum, mx.equal, mx.notEqual, mx.less, mx.lessEqual, mx.greater, mx.greaterEqual, mx.bitwiseAnd, mx.bitwiseOr, mx.bitwiseXor, mx.floorDivide, mx.remainder, mx.logicalAnd, mx.logicalOr];
    for (const op of binary) {
      await sameAsCpu((o) => op(i64(sa), i64(sb), o));
      await sameAsCpu((o) => op(u64(ua), u64(ub), o));
    }
    for (const op of [mx.abs, mx.negative, mx.sign, mx.square, mx.bitwiseInvert, mx.logicalNot, mx.isnan, mx.floor]) {
      await sameAsCpu((o) => op(i64(SIGNED), o));
      await sameAsCpu((o) => op(u64(UNSIGNED), o));
    }
    const shifts = [0n, 1n, 31n, 32n, 33n, 63n, 64n, 65n, -1n];
    const [xa, xb] = [SIGNED.flatMap((v) => shifts.map(() => v)), SIGNED.flatMap(() => shifts)];
    for (const op of [mx.leftShift, mx.rightShift]) {
      await sameAsCpu((o) => op(i64(xa), i64(xb), o));
      await sameAsCpu((o) => op(u64(xa.map((v) => BigInt.asUintN(64, v))), u64(xb.map((v) => BigInt.asUintN(64, v))), o));
    }
    const base = [2n, -3n, 7n, 0n, -1n, 12345n], exp = [0n, 1n, 63n, 5n, -2n, 9n];
    await sameAsCpu((o) => mx.power(i64(base), i64(exp), o));
  }, 240_000);

  it("divides as the reference defines it: floor division, divisor-signed remainder, zero for a zero divisor, INT64_MIN // -1 wraps", async () => {
    const q = mx.floorDivide(i64([I64_MIN, I64_MIN, -7n, 7n, -7n, 5n, I64_MAX]), i64([-1n, 1n, 2n, -2n, -2n, 0n, 2n ** 32n + 1n]), onGpu);
    expect(await q.tolist()).toEqual([I64_MIN, I64_MIN, -4n, -4n, 3n, 0n, I64_MAX / (2n ** 32n + 1n)]);
    const r = mx.remainder(i64([I64_MIN, -7n, 7n, -7n, 5n, I64_MIN]), i64([-1n, 2n, -2n, -2n, 0n, 3n]), onGpu);
    expect(await r.tolist()).toEqual([0n, 1n, -1n, -1n, 0n, 1n]);
    const uq = mx.floorDivide(u64([U64_MAX, U64_MAX, 2n ** 63n, 9n]), u64([2n ** 63n + 1n, 3n, 0n, 2n ** 40n]), onGpu);
    expect(await uq.tolist()).toEqual([1n, U64_MAX / 3n, 0n, 0n]);
    await sameAsCpu((o) => mx.divmod(i64([I64_MIN, -9n, 2n ** 53n + 1n]), i64([7n, -4n, -(2n ** 33n) + 5n]), o)[1]!);
  });

  it("casts to and from every dtype with the reference's rounding, saturation and wraparound", async () => {
    const s = i64(SIGNED), u = u64(UNSIGNED);
    for (const d of [mx.bool, mx.uint8, mx.uint16, mx.uint32, mx.uint64, mx.int8, mx.int16, mx.int32, mx.int64, mx.float16, mx.bfloat16, mx.float32]) {
      await sameAsCpu((o) => mx.astype(s, d, o));
      await sameAsCpu((o) => mx.astype(u, d, o));
    }
    // 2^53 + 1 and 2^24 + 1 round to even, ties past 2^24 to even
    expect(await mx.astype(i64([2n ** 53n + 1n, 2n ** 24n + 1n, 2n ** 24n + 3n, -(2n ** 24n) - 3n, I64_MIN]), mx.float32, onGpu).tolist()).toEqual([2 ** 53, 2 ** 24, 2 ** 24 + 4, -(2 ** 24) - 4, -(2 ** 63)]);
    const floats = [0, -0.9, 1.5, -2.5, 2 ** 40 + 0.5, -(2 ** 62), 2 ** 63, -(2 ** 63), 2 ** 64, 1e30, -1e30, Infinity, -Infinity, NaN, 16777217, 3e9];
    for (const src of [mx.float32, mx.float16, mx.bfloat16]) {
      const x = mx.array(floats, src, onCpu);
      await sameAsCpu((o) => mx.astype(x, mx.int64, o));
      await sameAsCpu((o) => mx.astype(x, mx.uint64, o));
    }
    expect(await mx.astype(mx.array([2 ** 63, -(2 ** 64), NaN, -3.7], mx.float32, onCpu), mx.int64, onGpu).tolist()).toEqual([I64_MAX, I64_MIN, 0n, -3n]);
    for (const d of [mx.int8, mx.uint8, mx.int16, mx.uint16, mx.int32, mx.uint32, mx.bool]) {
      const x = mx.array([0, 1, -1, 127, -128, 255, 65535, -32768, 2147483647, 4294967295].map((v) => (d === mx.bool ? v % 2 : v)), d, onCpu);
      await sameAsCpu((o) => mx.astype(x, mx.int64, o));
      await sameAsCpu((o) => mx.astype(x, mx.uint64, o));
    }
  }, 240_000);

  it("reduces: sum, prod, max, min, argmax, argmin, all, any, short and long segments", async () => {
    const m = mx.reshape(i64(SIGNED), [3, 6]);
    const um = mx.reshape(u64(UNSIGNED), [3, 6]);
    for (const op of [mx.sum, mx.prod, mx.max, mx.min, mx.all, mx.any, mx.argmax, mx.argmin]) {
      for (const axis of [0, 1]) {
        await sameAsCpu((o) => op(m, axis, o));
        await sameAsCpu((o) => op(um, axis, o));
      }
    }
    expect(await mx.sum(u64([U64_MAX, 1n, 2n ** 32n - 1n]), onGpu).tolist()).toBe(2n ** 32n - 1n);
    // long segments take the workgroup tree and the chunked second pass
    const long = mx.add(mx.arange(0, 200000, 1, { dtype: mx.int64, ...onCpu }), mx.array(2n ** 40n, mx.int64, onCpu), onCpu);
    for (const op of [mx.sum, mx.max, mx.min, mx.argmax, mx.argmin]) await sameAsCpu((o) => op(long, o));
    await sameAsCpu((o) => mx.sum(mx.reshape(long, [40, 5000], o), 1, o));
  });

  it("makes arange and random bits as the cpu does", async () => {
    await sameAsCpu((o) => mx.arange(-5, 1000, 3, { dtype: mx.int64, ...o }));
    await sameAsCpu((o) => mx.arange(2 ** 53, 2 ** 53 + 4096, 1, { dtype: mx.int64, ...o }));
    await sameAsCpu((o) => mx.arange(0, 300, 7, { dtype: mx.uint64, ...o }));
    const key = mx.random.key(7, onCpu);
    await sameAsCpu((o) => mx.random.randint(-(2 ** 40), 2 ** 40, [257], { dtype: mx.int64, key, ...o }));
  });

  it("gathers, scatters and updates slices of 64-bit data, and indexes with 64-bit indices", async () => {
    const m = mx.reshape(i64(SIGNED), [3, 6]);
    const idx = mx.array([[5, 0, 2, 2], [1, 1, 4, 3], [0, 5, 5, 2]], mx.int32, onCpu);
    await sameAsCpu((o) => mx.takeAlongAxis(m, idx, 1, o));
    await sameAsCpu((o) => mx.take(mx.reshape(u64(UNSIGNED), [3, 6]), mx.array([2, 0, 2], mx.uint32, o), 0, o));
    // 64-bit index values: negative ones wrap once, the rest clamp (past 2^32 too)
    const wideIdx = i64([-1n, -6n, -7n, 2n ** 33n, -(2n ** 40n), 3n, I64_MIN, I64_MAX]);
    await sameAsCpu((o) => mx.take(mx.arange(10, 16, 1, { dtype: mx.float32, ...o }), wideIdx, 0, o));
    await sameAsCpu((o) => mx.take(i64(SIGNED), u64([U64_MAX, 2n ** 32n, 0n, 17n]), 0, o));
    await sameAsCpu((o) => mx.putAlongAxis(m, idx, mx.reshape(i64(SIGNED.slice(0, 12)), [3, 4], o), 1, o));
    // duplicate targets fold in order; a column of 300 updates takes the sorted scatter
    const targets = [0, 5, 5, 2, 0, 5, 1, 1, 3, 5, 0, 4];
    const upd = [I64_MAX, -1n, 2n ** 32n, 5n, I64_MIN, 7n, 2n ** 53n + 1n, -3n, 9n, 11n, -(2n ** 40n), 1n];
    const many = Array.from({ length: 300 }, (_, i) => (i * 7) % 6);
    const manyUpd = many.map((t, i) => BigInt(i) * 2n ** 33n - BigInt(t));
    for (const mode of ["set", "add", "multiply", "maximum", "minimum"] as const) {
      for (const [t, u] of [[targets, upd], [many, manyUpd]] as const) {
        await sameAsCpu((o) => mx.indexUpdate(mx.array(BigInt64Array.from(SIGNED.slice(0, 6)), mx.int64, o), [mx.array(t, mx.int32, o)], mx.array(BigInt64Array.from(u), mx.int64, o), mode));
        if (mode === "add" || mode === "maximum") await sameAsCpu((o) => mx.indexUpdate(mx.array(BigUint64Array.from(UNSIGNED.slice(0, 6)), mx.uint64, o), [mx.array(t, mx.int32, o)], mx.array(BigUint64Array.from(u.map((v) => BigInt.asUintN(64, v))), mx.uint64, o), mode));
      }
    }
    await sameAsCpu((o) => mx.sliceUpdate(m, mx.reshape(u64(UNSIGNED.slice(0, 4)), [2, 2], o).astype(mx.int64, o), [1, 2], [0, 1], o));
  });

  it("sorts, argsorts and partitions stably by the full 64-bit value", async () => {
    // equal high words with different low words, equal low words with different high words, ties
    const v = [...SIGNED, 2n ** 32n + 1n, 2n ** 32n, 1n, -(2n ** 32n) + 1n, 5n * 2n ** 32n, 5n * 2n ** 32n, -1n];
    const m = mx.reshape(i64(v.slice(0, 24)), [4, 6]);
    for (const axis of [0, 1]) {
      await sameAsCpu((o) => mx.sort(m, axis, o));
      await sameAsCpu((o) => mx.argsort(m, axis, o));
      await sameAsCpu((o) => mx.sort(mx.astype(m, mx.uint64, o), axis, o));
      await sameAsCpu((o) => mx.argsort(mx.astype(m, mx.uint64, o), axis, o));
    }
    await sameAsCpu((o) => mx.partition(i64(v), 5, 0, o));
    await sameAsCpu((o) => mx.argpartition(u64(UNSIGNED), 3, 0, o));
    expect(await mx.sort(i64([I64_MAX, 2n ** 32n, I64_MIN, -1n, 4294967295n]), onGpu).tolist()).toEqual([I64_MIN, -1n, 4294967295n, 2n ** 32n, I64_MAX]);
  });

  it("scans: cumsum, cumprod, cummax, cummin, reversed and exclusive, over one tile and several", async () => {
    const m = mx.reshape(i64(SIGNED), [3, 6]);
    for (const name of ["cumsum", "cumprod", "cummax", "cummin"] as const) {
      await sameAsCpu((o) => mx[name](m, 1, o));
      await sameAsCpu((o) => mx[name](mx.astype(m, mx.uint64, o), 0, { reverse: true, inclusive: false, ...o }));
    }
    // 5000 elements: three tiles whose totals are scanned and combined back
    const long = mx.subtract(mx.multiply(mx.arange(0, 5000, 1, { dtype: mx.int64, ...onCpu }), mx.array(2n ** 40n + 3n, mx.int64, onCpu), onCpu), mx.array(2n ** 51n, mx.int64, onCpu), onCpu);
    await sameAsCpu((o) => mx.cumsum(long, o));
    expect(await mx.cumsum(u64([U64_MAX, 1n, 2n ** 32n - 1n]), onGpu).tolist()).toEqual([U64_MAX, 0n, 2n ** 32n - 1n]);
  });

  it("has every kernel that takes integers emulate them, and the rest refuse 64-bit operands (n/a, never wrong values)", () => {
    const calls: string[] = [];
    const kernel = (name: string) => (() => (calls.push(name), undefined)) as unknown as Kernel;
    const table = refuseInt64({ softmax: kernel("softmax"), add: kernel("add"), scan: kernel("scan") });
    const t = (dtype: mx.DType) => ({ dtype, shape: [2], strides: [1], offset: 0 }) as unknown as Tensor;
    const prim = (name: string) => ({ name }) as unknown as Primitive;
    expect(() => table.softmax!(prim("softmax"), [t(mx.int64)], t(mx.float32))).toThrow(/^\[softmax\] is not implemented on backend 'webgpu' for int64/);
    expect(() => table.softmax!(prim("softmax"), [t(mx.float32)], t(mx.uint64))).toThrow(/^\[softmax\] is not implemented on backend 'webgpu' for uint64/);
    table.softmax!(prim("softmax"), [t(mx.float32)], t(mx.float32));
    table.add!(prim("add"), [t(mx.int64), t(mx.int64)], t(mx.int64));
    table.scan!(prim("scan"), [t(mx.uint64)], t(mx.uint64));
    expect(calls).toEqual(["softmax", "add", "scan"]);
    // the refused kernels are float-only ones (MLX defines them for floats only); every family that takes integers runs 64-bit ones
    const refused = Object.keys(webgpu!.kernels).filter((k) => !runsInt64(k));
    expect(refused).toEqual(expect.arrayContaining(["matmul", "softmax", "logsumexp", "rmsNorm"]));
    for (const k of ["add", "rightShift", "astype", "where", "sum", "argmin", "concatenate", "pad", "gatherAxis", "scatterAxis", "sliceUpdate", "sort", "argpartition", "scan", "arange", "randomBits", "view"]) expect(refused).not.toContain(k);
  });
});
