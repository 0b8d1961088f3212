// mx.random on every backend: the Threefry block function against the
// Random123 known-answer vectors, bits against MLX's own expected values
// (which MLX generated with JAX), keys and splitting, and the samplers.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { threefry2x32 } from "../src/threefry.js";
import { BACKENDS, expectArray, values } from "./helpers/backends.js";

describe("threefry2x32-20", () => {
  it("matches the Random123 known-answer vectors", () => {
    const out = [0, 0];
    threefry2x32(0, 0, 0, 0, out);
    expect(out).toEqual([0x6b200159, 0x99ba4efe]);
    threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(out).toEqual([0x1cb996fc, 0xbb002be7]);
    threefry2x32(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, out);
    expect(out).toEqual([0xc4923a9c, 0x483df7a0]);
  });
});

describe.each(BACKENDS)("random on $name", ({ device }) => {
  const o = { stream: device };
  it("bits match MLX's expected values", async () => {
    const k0 = mx.random.key(0, o), k1 = mx.random.key(1, o);
    await expectArray(mx.random.bits([], { key: k0, ...o }), 1797259609, mx.uint32);
    await expectArray(mx.random.bits([], { key: k0, width: 2, ...o }), 345, mx.uint16);
    await expectArray(mx.random.bits([], { key: k0, width: 1, ...o }), 89, mx.uint8);
    await expectArray(mx.random.bits([], { key: k1, ...o }), 507451445);
    await expectArray(mx.random.bits([], { key: k1, width: 2, ...o }), 6197);
    await expectArray(mx.random.bits([], { key: k1, width: 1, ...o }), 53);
    await expectArray(mx.random.bits([3, 1], { key: k0, ...o }), [[4146024105], [1351547692], [2718843009]]);
    await expectArray(mx.random.bits([5], { key: k0, width: 2, ...o }), [20137, 63263, 64300, 20622, 16513]);
    expect(() => mx.random.bits([], { key: k0, width: 3 as never })).toThrow(/width must be 1, 2 or 4/);
  });

  it("keys: layout, determinism, split", async () => {
    await expectArray(mx.random.key(2 ** 32 + 5, o), [1, 5], mx.uint32);
    const k = mx.random.key(0, o);
    const keys = mx.random.split(k, 3, o);
    expect(keys.shape).toEqual([3, 2]);
    expect(await mx.random.split(k, 3, o).tolist()).toEqual(await keys.tolist());
    const [a, b] = mx.split(mx.random.split(k, 2, o), 2, o).map((x) => mx.reshape(x, [2], o));
    expect(await mx.arrayEqual(a!, b!, o).item()).toBe(false);
    // destructured as MLX users write it: the rows of split's [2, 2] result, usable as keys
    const [k1, k2] = mx.random.split(k, undefined, o);
    expect(k1!.shape).toEqual([2]);
    expect(await k1!.tolist()).toEqual(await a!.tolist());
    expect(await k2!.tolist()).toEqual(await b!.tolist());
    expect(await mx.random.bits([3], { key: k2, ...o }).tolist()).toEqual(await mx.random.bits([3], { key: b, ...o }).tolist());
    const three = [...mx.random.split(k, 3, o)];
    expect(three.length).toBe(3);
    expect(() => mx.random.bits([2], { key: mx.array([1, 2], mx.int32, o) })).toThrow(/key must be a uint32 array of shape \(2,\)/);
  });

  it("the global sequence is reproducible after seed", async () => {
    mx.random.seed(3);
    const a = await mx.random.uniform(0, 1, [4], o).tolist();
    const b = await mx.random.uniform(0, 1, [4], o).tolist();
    mx.random.seed(3);
    expect(await mx.random.uniform(0, 1, [4], o).tolist()).toEqual(a);
    expect(await mx.random.uniform(0, 1, [4], o).tolist()).toEqual(b);
    expect(a).not.toEqual(b);
  });

  it("uniform: range, dtype, same key same values", async () => {
    const key = mx.random.key(7, o);
    const u = mx.random.uniform(-1, 5, [2000], { key, ...o });
    const vals = await values(u);
    expect(Math.min(...vals)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...vals)).toBeLessThan(5);
    expect(await mx.random.uniform(-1, 5, [2000], { key, ...o }).tolist()).toEqual(await u.tolist());
    const h = mx.random.uniform(0, 1, [1000], { key, dtype: mx.bfloat16, ...o });
    expect(h.dtype).toBe(mx.bfloat16);
    expect(Math.max(...((await h.tolist()) as number[]))).toBeLessThan(1);
    // the first draw of key(0): bits 1797259609 / 4294967295 in float32
    await expectArray(mx.random.uniform(0, 1, [], { key: mx.random.key(0, o), ...o }), Math.fround(Math.fround(1797259609) / Math.fround(4294967295)));
    expect(() => mx.random.uniform(0, 1, [2], { dtype: mx.int32 })).toThrow(/real floating point dtype/);
  });

  it("normal: moments and loc/scale", async () => {
    const key = mx.random.key(11, o);
    const z = await values(mx.random.normal([20000], { key, ...o }));
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    const shifted = await mx.random.normal([4], { key, loc: 1, scale: 2, ...o }).tolist();
    const base = (await mx.random.normal([4], { key, ...o }).tolist()) as number[];
    (shifted as number[]).forEach((s, i) => expect(s).toBeCloseTo(1 + 2 * base[i]!, 5));
  });

  it("randint and bernoulli", async () => {
    const key = mx.random.key(5, o);
    const r = await values(mx.random.randint(-3, 4, [3000], { key, ...o }));
    expect(new Set(r)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(mx.random.randint(0, 10, [2], { dtype: mx.uint8, key, ...o }).dtype).toBe(mx.uint8);
    await expectArray(mx.random.bernoulli(mx.array([2, -2], mx.float32, o), undefined, { key, ...o }), [true, false], mx.bool);
    const p = await values(mx.random.bernoulli(0.3, [10000], { key, ...o }));
    expect(Math.abs(p.reduce((a, b) => a + b, 0) / p.length - 0.3)).toBeLessThan(0.02);
    expect(() => mx.random.bernoulli(mx.array([0.5, 0.5], mx.float32, o), [3], { key })).toThrow(/random\.bernoulli/);
  });
});
