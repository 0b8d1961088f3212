// nn.QQLinear: the input and the weight quantized (mx.qqmm), the weight float
// in training mode (it gets gradients) and packed in eval mode, as MLX's.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const x = mx.random.normal([3, 64], { key: mx.random.key(7) });

describe("nn.QQLinear", () => {
  it.each(["nvfp4", "mxfp8"] as const)("in %s: the same output packed (eval) and on the fly (train), close to the float layer", async (mode) => {
    // seeded weights (a Linear's own come from the global key, which other tests move): one fixed case
    const lin = new mx.nn.Linear(64, 5, false).update({ weight: mx.random.uniform(-0.125, 0.125, [5, 64], { key: mx.random.key(8) }) });
    const q = mx.nn.QQLinear.fromLinear(lin, { mode });
    const onTheFly = (await q.forward(x).tolist()) as number[][];
    q.eval();
    expect(q.weight.dtype).toBe(mx.uint32);
    expect(Object.keys(q.parameters()).sort()).toEqual(["scales", "weight"]);
    expect(await q.forward(x).tolist()).toEqual(onTheFly);
    // train() unpacks the weight to bfloat16 (mx.dequantize's default for these modes, as MLX's)
    q.train();
    expect(Object.keys(q.parameters())).toEqual(["weight"]);
    expect(q.weight.dtype).toBe(mx.bfloat16);
    const again = ((await q.forward(x).tolist()) as number[][]).flat();
    const exact = (await lin.forward(x).tolist()) as number[][];
    const scale = Math.max(...exact.flat().map(Math.abs));
    onTheFly.flat().forEach((v, i) => expect(Math.abs(v - exact.flat()[i]!)).toBeLessThan((mode === "nvfp4" ? 0.3 : 0.1) * scale));
    again.forEach((v, i) => expect(Math.abs(v - onTheFly.flat()[i]!)).toBeLessThan(0.05 * scale));
  });

  it("gives the float weight a gradient in training mode", async () => {
    const q = new mx.nn.QQLinear(64, 2, { mode: "mxfp8" });
    const [, grads] = mx.nn.valueAndGrad(q, (m: mx.nn.QQLinear, v: mx.MxArray) => mx.sum(m.forward(v)))(q, x) as [mx.MxArray, { weight: mx.MxArray }];
    expect(grads.weight.shape).toEqual([2, 64]);
    expect(Math.max(...((await mx.abs(grads.weight).tolist()) as number[][]).flat())).toBeGreaterThan(0);
  });

  it("takes MLX's defaults per mode and refuses a Linear with a bias", () => {
    const q = new mx.nn.QQLinear(32, 2);
    expect([q.mode, q.groupSize, q.bits]).toEqual(["nvfp4", 16, 4]);
    const m = new mx.nn.QQLinear(32, 2, { mode: "mxfp8" });
    expect([m.groupSize, m.bits]).toEqual([32, 8]);
    expect(() => mx.nn.QQLinear.fromLinear(new mx.nn.Linear(32, 2))).toThrow(/^\[nn.QQLinear.fromLinear\] QQLinear has no bias/);
    expect(() => new mx.nn.QQLinear(32, 2, { mode: "affine" as never })).toThrow(/^\[nn.QQLinear\] mode must be one of "nvfp4", "mxfp8"/);
  });
});
