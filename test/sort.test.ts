// Sorting and selection on every backend: sort/argsort (stable, NaN last,
// -0 equal to +0) against a JS stable sort for every dtype the backend holds,
// axes and layouts, long rows through the GPU kernels' multi-pass merge,
// partition/topk properties, searchsorted, gradients, and random.permutation.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

/** NumPy's stable order of `v` (NaN last, -0 equal to +0). */
function stableOrder(v: readonly number[]): number[] {
  return v.map((_, i) => i).sort((i, j) => {
    const a = v[i]!, b = v[j]!;
    if (a < b) return -1;
    if (a > b) return 1;
    if (Number.isNaN(a) !== Number.isNaN(b)) return Number.isNaN(a) ? 1 : -1;
    return i - j;
  });
}

const REAL = [mx.float32, mx.float16, mx.bfloat16, mx.float64, mx.int8, mx.int16, mx.int32, mx.int64, mx.uint8, mx.uint16, mx.uint32, mx.bool];

/** Values with many ties (and NaN, +-0, infinities for floats) that `d` holds exactly. */
function tiedValues(d: mx.DType, n: number, seed: number): number[] {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const specials = [NaN, 0, -0, Infinity, -Infinity, 0.5, -2.5];
  return Array.from({ length: n }, () => {
    const r = next();
    if (d.kind === "bool") return r < 0.5 ? 0 : 1;
    if (d.kind === "float" && r < 0.3) return specials[Math.floor(next() * specials.length)]!;
    const v = Math.floor(next() * 9) - 4;
    return d.kind === "uint" ? v + 4 : v;
  });
}

const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);
const num = (x: unknown) => (typeof x === "boolean" ? Number(x) : typeof x === "bigint" ? Number(x) : (x as number));

describe.each(BACKENDS)("sorting on $name", ({ device }) => {
  const o = { stream: device };
  const caps = mx.registeredBackends().find((b) => b.name === device.backend)!.capabilities.dtypes;

  it("sorts stably with NaN last and -0, +0 kept in their order", async () => {
    const x = mx.array([3, NaN, -0, 1, 0, -Infinity, 1, -0], mx.float32, o);
    const s = flat(await mx.sort(x, o).tolist()) as number[];
    expect(s.map((v) => (Object.is(v, -0) ? "-0" : v))).toEqual([-Infinity, "-0", 0, "-0", 1, 1, 3, NaN]);
    await expectArray(mx.argsort(x, o), [5, 2, 4, 7, 3, 6, 0, 1], mx.uint32);
    await expectArray(mx.argsort(mx.array([2, 1, 2, 1, 2], mx.int32, o), o), [1, 3, 0, 2, 4]);
  });

  it.each(REAL.map((d) => ({ name: d.name, d })))("sort and argsort $name rows against a stable sort", async ({ d }) => {
    if (!caps.has(d)) return;
    const [rows, n] = [3, 37];
    const v = tiedValues(d, rows * n, 7 + d.size);
    const x = mx.reshape(mx.array(v, d, o), [rows, n], o);
    const got = flat(await mx.sort(x, o).tolist()).map(num);
    const idx = flat(await mx.argsort(x, o).tolist()) as number[];
    // the value each dtype holds (float16/bfloat16 round the drawn ones)
    const held = flat(await x.tolist()).map(num);
    for (let r = 0; r < rows; r++) {
      const row = held.slice(r * n, (r + 1) * n);
      const order = stableOrder(row);
      expect(idx.slice(r * n, (r + 1) * n), `row ${r}`).toEqual(order);
      const want = order.map((i) => row[i]!);
      got.slice(r * n, (r + 1) * n).forEach((g, i) => expect(Object.is(g, want[i]) || (Number.isNaN(g) && Number.isNaN(want[i]!)), `${d.name} row ${r} element ${i}: ${g} vs ${want[i]}`).toBe(true));
    }
  });

  it("sorts along any axis of strided views, and the flattened array with axis null", async () => {
    const base = mx.reshape(mx.array([5, 1, 4, 2, 9, 0, 3, 8, 7, 6, 11, 10], mx.float32, o), [3, 4], o);
    await expectArray(mx.sort(base, 0), [[5, 0, 3, 2], [7, 1, 4, 8], [9, 6, 11, 10]]);
    await expectArray(mx.sort(base, { axis: -1, ...o }), [[1, 2, 4, 5], [0, 3, 8, 9], [6, 7, 10, 11]]);
    await expectArray(mx.argsort(mx.transpose(base, [1, 0], o), { axis: 1, ...o }), [[0, 2, 1], [1, 0, 2], [1, 0, 2], [0, 1, 2]]);
    await expectArray(mx.sort(base, null), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    await expectArray(mx.sort(mx.zeros([2, 0], mx.float32, o), o), [[], []]);
    await expectArray(mx.argsort(mx.array([7], mx.int8, o), o), [0]);
  });

  it("partitions: kth in place, no greater before, no smaller after", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 40 }), fc.nat(), async (v, k) => {
        const kth = k % v.length;
        const x = mx.array(v, mx.float32, o);
        const p = (await mx.partition(x, kth, o).tolist()) as number[];
        const i = (await mx.argpartition(x, kth - v.length, o).tolist()) as number[];
        const sorted = [...v].sort((a, b) => a - b);
        expect(p[kth]).toBe(sorted[kth]);
        expect(p.slice(0, kth).every((e) => e <= p[kth]!) && p.slice(kth + 1).every((e) => e >= p[kth]!)).toBe(true);
        expect([...p].sort((a, b) => a - b)).toEqual(sorted);
        expect(i.map((j) => v[j])[kth]).toBe(sorted[kth]);
      }),
      { numRuns: 15, seed: 13 },
    );
  });

  it("topk gives the k largest (NaN the largest) along an axis", async () => {
    const x = mx.array([[4, NaN, 1, 7], [0, 2, 9, 3]], mx.float32, o);
    await expectArray(mx.topk(x, 2, o), [[7, NaN], [3, 9]]);
    await expectArray(mx.topk(x, 1, { axis: 0, ...o }), [[4, NaN, 9, 7]]);
    await expectArray(mx.topk(x, 0, o), [[], []]);
    await expectArray(mx.topk(x, 4, o), [[4, NaN, 1, 7], [0, 2, 9, 3]]);
    await expectArray(mx.topk(mx.array([3, 1, 2], mx.int32, o), 2, null), [2, 3]);
  });

  it("moves NaN payloads bit for bit (signalling ones too) in sort, argsort, partition, topk, take, takeAlongAxis and where", async () => {
    const cases: [mx.DType, bigint[]][] = [[mx.float32, [0x7f800001n, 0x3f800000n, 0xff800003n, 0x40000000n]]];
    if (caps.has(mx.float64)) cases.push([mx.float64, [0x7ff0000000000001n, 0x3ff0000000000000n, 0xfff0000000000005n, 0x4000000000000000n]]);
    for (const [d, words] of cases) {
      const make = () => mx.view(d === mx.float32 ? mx.array(Uint32Array.from(words.map(Number)), mx.uint32, o) : mx.array(words, mx.uint64, o), d, o);
      const bits = async (a: mx.MxArray) => {
        const v = (await a.data()) as Float32Array | Float64Array;
        return [...(d === mx.float32 ? new Uint32Array(v.buffer, v.byteOffset, v.length) : new BigUint64Array(v.buffer, v.byteOffset, v.length))].map(BigInt);
      };
      const [nan, one, negNan, two] = words;
      expect(await bits(mx.sort(make(), o)), `sort ${d.name}`).toEqual([one, two, nan, negNan]);
      expect(await bits(mx.take(make(), mx.argsort(make(), o), 0, o)), `argsort ${d.name}`).toEqual([one, two, nan, negNan]);
      expect(await bits(mx.partition(make(), 1, o)), `partition ${d.name}`).toEqual([one, two, nan, negNan]);
      expect(await bits(mx.topk(make(), 2, o)), `topk ${d.name}`).toEqual([nan, negNan]);
      expect(await bits(mx.take(make(), mx.array([2, 0], mx.int32, o), 0, o)), `take ${d.name}`).toEqual([negNan, nan]);
      expect(await bits(mx.takeAlongAxis(make(), mx.array([2, 0, 1, 3], mx.int32, o), 0, o)), `takeAlongAxis ${d.name}`).toEqual([negNan, nan, one, two]);
      expect(await bits(mx.where(mx.array([true, false, true, false], mx.bool, o), make(), make(), o)), `where ${d.name}`).toEqual(words);
    }
  });

  it("searchsorted counts with side left and right, NaN after every number", async () => {
    const a = mx.array([1, 2, 2, 4, NaN], mx.float32, o);
    const v = mx.array([[0, 2], [3, NaN]], mx.float32, o);
    await expectArray(mx.searchsorted(a, v, o), [[0, 1], [3, 4]], mx.uint32, [2, 2]);
    await expectArray(mx.searchsorted(a, v, "right"), [[0, 3], [3, 5]]);
    await expectArray(mx.searchsorted(mx.array([1, 3, 5], mx.int32, o), mx.array([3, 6], mx.int32, o), { side: "right", ...o }), [2, 3]);
  });

  it("refuses what has no order", () => {
    const x = mx.array([1, 2, 3], mx.float32, o);
    expect(() => mx.partition(x, 3, o)).toThrow(/\[partition\] kth 3 is out of range/);
    expect(() => mx.argpartition(x, -4, o)).toThrow(/\[argpartition\] kth -4/);
    expect(() => mx.topk(x, 4, o)).toThrow(/\[topk\] k must be an integer from 0 to 3/);
    expect(() => mx.sort(mx.array(1, mx.float32, o), o)).toThrow(/\[sort\] the input must have at least one dimension/);
    expect(() => mx.sort(x, { axis: 1, ...o })).toThrow(/\[sort\] axis 1 is out of bounds/);
    expect(() => mx.searchsorted(mx.zeros([2, 2], mx.float32, o), x, o)).toThrow(/\[searchsorted\] sortedSequence must be 1-D/);
    expect(() => mx.searchsorted(x, x, { side: "middle" as "left", ...o })).toThrow(/\[searchsorted\] side must be "left" or "right"/);
    expect(() => mx.sort(x, { axes: 0 } as mx.SortOptions)).toThrow(/\[sort\] unknown option 'axes'/);
    expect(() => mx.random.permutation(4, { kth: 1 } as mx.random.PermutationOptions)).toThrow(/\[random.permutation\] unknown option 'kth'/);
  });

  it("differentiates sort by routing each cotangent to its source, and vmaps it", async () => {
    const f = (a: mx.MxArray) => mx.sum(mx.multiply(mx.sort(a, o), mx.array([1, 2, 3, 4], mx.float32, o), o), o);
    await expectArray(mx.grad(f)(mx.array([3, 1, 4, 2], mx.float32, o)), [3, 1, 4, 2]);
    const [, [tangent]] = mx.jvp((a: mx.MxArray) => mx.sort(a, o), [mx.array([2, 1], mx.float32, o)], [mx.array([10, 20], mx.float32, o)]);
    await expectArray(tangent!, [20, 10]);
    await expectArray(mx.vmap((a: mx.MxArray) => mx.argsort(a, o))(mx.array([[2, 1, 3], [3, 2, 1]], mx.float32, o)), [[1, 0, 2], [2, 1, 0]]);
  });

  it("random.permutation orders 0..n-1 by the key, and shuffles an axis", async () => {
    const key = mx.random.key(3);
    const p = (await mx.random.permutation(50, { key, stream: device }).tolist()) as number[];
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(p).not.toEqual([...Array(50).keys()]);
    expect(await mx.random.permutation(50, { key, stream: device }).tolist()).toEqual(p);
    const x = mx.reshape(mx.arange(12, { dtype: mx.int32, ...o }), [3, 4], o);
    const cols = (await mx.random.permutation(x, 1, { key, stream: device }).tolist()) as number[][];
    expect(cols.map((r) => [...r].sort((a, b) => a - b))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(cols[1]!.map((v) => v - 4)).toEqual(cols[0]);
  });
});

// the GPU kernels sort rows longer than one workgroup's block (1024) with global steps and local merges
describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("long rows on $name", ({ device }) => {
  it("sorts 2^20 float32 keys and rows of odd lengths as the reference does", async () => {
    const key = mx.random.key(11);
    const big = mx.random.normal([1 << 20], { key });
    const same = mx.all(mx.equal(mx.sort(big, { stream: device }), mx.sort(big, { stream: mx.cpu }), { stream: mx.cpu }), { stream: mx.cpu });
    expect(await same.item()).toBe(true);
    // 3 rows of 5000 ties-heavy int16 keys: padding, several rows per pass, stability
    const rows = mx.astype(mx.floor(mx.multiply(mx.random.uniform(0, 1, [3, 5000], { key }), 40)), mx.int16);
    expect(await mx.argsort(rows, { stream: device }).tolist()).toEqual(await mx.argsort(rows, { stream: mx.cpu }).tolist());
    const t = mx.transpose(mx.astype(rows, mx.float16), [1, 0]);
    expect(await mx.sort(t, { axis: 0, stream: device }).tolist()).toEqual(await mx.sort(t, { axis: 0, stream: mx.cpu }).tolist());
  });
});
