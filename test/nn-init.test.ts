// nn.init as MLX's: each initializer fills an array of the given shape; the
// random ones have the mean and spread their formulas give (fans from
// MLX's fan-in/fan-out rule), identity/orthogonal/sparse their structure.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";

const { init } = mx.nn;

let saved: mx.Device;
beforeAll(() => {
  saved = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
  mx.random.seed(3);
});
afterAll(() => mx.setDefaultDevice(saved));

async function stats(a: mx.MxArray): Promise<{ mean: number; std: number; max: number }> {
  return {
    mean: (await mx.mean(a).item()) as number,
    std: (await mx.std(a).item()) as number,
    max: (await mx.max(mx.abs(a)).item()) as number,
  };
}

describe("nn.init", () => {
  it("constant, normal and uniform", async () => {
    expect(await init.constant(2, { dtype: mx.float16 })(mx.zeros([2])).tolist()).toEqual([2, 2]);
    expect(init.constant(2, { dtype: mx.float16 })(mx.zeros([2])).dtype).toBe(mx.float16);
    const n = await stats(init.normal({ mean: 1, std: 0.5 })(mx.zeros([200, 100])));
    expect(Math.abs(n.mean - 1)).toBeLessThan(0.01);
    expect(Math.abs(n.std - 0.5)).toBeLessThan(0.01);
    const u = await stats(init.uniform({ low: -2, high: 2 })(mx.zeros([200, 100])));
    expect(u.max).toBeLessThanOrEqual(2);
    expect(Math.abs(u.std - 4 / Math.sqrt(12))).toBeLessThan(0.02);
  });

  it("glorot and he scale with MLX's fans (fanIn = shape[-1], fanOut = shape[0], times the receptive field)", async () => {
    const shape = [64, 3, 3, 32]; // fanIn 32 * 9, fanOut 64 * 9
    const [fanIn, fanOut] = [32 * 9, 64 * 9];
    const a = mx.zeros(shape);
    expect(Math.abs((await stats(init.glorotNormal()(a))).std / Math.sqrt(2 / (fanIn + fanOut)) - 1)).toBeLessThan(0.03);
    const gu = await stats(init.glorotUniform()(a, 2));
    expect(gu.max).toBeLessThanOrEqual(2 * Math.sqrt(6 / (fanIn + fanOut)));
    expect(Math.abs(gu.std / (2 * Math.sqrt(2 / (fanIn + fanOut))) - 1)).toBeLessThan(0.03);
    expect(Math.abs((await stats(init.heNormal()(a))).std / Math.sqrt(1 / fanIn) - 1)).toBeLessThan(0.03);
    expect(Math.abs((await stats(init.heNormal()(a, { mode: "fanOut", gain: 2 }))).std / (2 / Math.sqrt(fanOut)) - 1)).toBeLessThan(0.03);
    expect((await stats(init.heUniform()(a))).max).toBeLessThanOrEqual(Math.sqrt(3 / fanIn));
    expect(() => init.glorotNormal()(mx.zeros([5]))).toThrow(/^\[nn\.init\.glorotNormal\] a needs at least 2 axes/);
    expect(() => init.heNormal()(a, { mode: "fan_in" as never })).toThrow(/^\[nn\.init\.heNormal\] mode/);
  });

  it("identity, orthogonal and sparse", async () => {
    expect(await init.identity()(mx.zeros([3, 3])).tolist()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(() => init.identity()(mx.zeros([2, 3]))).toThrow(/^\[nn\.init\.identity\] a must be a square/);
    const q = init.orthogonal({ gain: 2 })(mx.zeros([3, 5]));
    expect(await mx.allclose(mx.matmul(q, mx.transpose(q)), mx.multiply(mx.eye(3), 4), { atol: 1e-4 }).item()).toBe(true);
    const tall = init.orthogonal()(mx.zeros([5, 3]));
    expect(await mx.allclose(mx.matmul(mx.transpose(tall), tall), mx.eye(3), { atol: 1e-5 }).item()).toBe(true);
    const s = init.sparse(0.25, { std: 1 })(mx.zeros([6, 8]));
    expect(await mx.sum(mx.equal(s, 0), 1).tolist()).toEqual([2, 2, 2, 2, 2, 2]);
  });
});
