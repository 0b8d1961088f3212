// What MLX programs ported to mx.nn rely on: RoPE's array offsets (batched
// caches), a causal mask of any size MLX allows, nn.checkpoint(module)
// defaulting to the module's forward, the printed module tree (MLX's
// __repr__), and MLX's keyword arguments given as an options object. cpu only.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";

const { nn } = mx;

let saved: mx.Device;
beforeAll(() => {
  saved = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
});
afterAll(() => mx.setDefaultDevice(saved));

const values = async (a: mx.MxArray) => Array.from((await a.data()) as Float32Array);

describe("nn.RoPE offsets", () => {
  it("takes an array offset, one per batch entry or one for all, as mx.fast.rope", async () => {
    const x = mx.sin(mx.reshape(mx.arange(2 * 3 * 4, mx.float32), [2, 3, 4]));
    const rope = new nn.RoPE(4, { base: 100 });
    const rows = (i: number) => mx.slice(x, [i, 0, 0], [i + 1, 3, 4]);
    const perBatch = rope.forward(x, mx.array([2, 5]));
    expect(await values(perBatch)).toEqual(await values(mx.concatenate([rope.forward(rows(0), 2), rope.forward(rows(1), 5)], 0)));
    expect(await values(rope.forward(x, mx.array(3)))).toEqual(await values(rope.forward(x, 3)));
    // a 2-D x takes a one-element offset
    expect(await values(rope.forward(mx.reshape(rows(1), [3, 4]), mx.array([5])))).toEqual(await values(rope.forward(rows(1), 5)));
    expect(() => rope.forward(x, mx.array([1, 2, 3]))).toThrow(/^\[nn\.RoPE\] offset must be a scalar or have one element per batch entry/);
    expect(() => rope.forward(x, mx.array([1.5], mx.float32))).toThrow(/^\[nn\.RoPE\] offset must be an integer array/);
    expect(() => rope.forward(x, "1" as never)).toThrow(/^\[nn\.RoPE\] offset must be an integer or an integer mx array/);
    expect(() => rope.forward(x, -1)).toThrow(/^\[nn\.RoPE\] offset must be an integer from 0/);
  });
});

describe("MultiHeadAttention.createAdditiveCausalMask", () => {
  it("builds any size MLX's shapes allow (lazily), checked so that n * n is exact", async () => {
    const big = nn.MultiHeadAttention.createAdditiveCausalMask(20000);
    expect(big.shape).toEqual([20000, 20000]);
    expect(nn.MultiHeadAttention.createAdditiveCausalMask(0).shape).toEqual([0, 0]);
    expect(await nn.MultiHeadAttention.createAdditiveCausalMask(3, mx.float16).tolist()).toEqual([[0, -65504, -65504], [0, 0, -65504], [0, 0, 0]]);
    expect(() => nn.MultiHeadAttention.createAdditiveCausalMask(2 ** 31)).toThrow(/^\[nn\.MultiHeadAttention\.createAdditiveCausalMask\] n must be an integer from 0 to 2\^31 - 1/);
    expect(() => nn.MultiHeadAttention.createAdditiveCausalMask(1e8)).toThrow(/^\[nn\.MultiHeadAttention\.createAdditiveCausalMask\] n \(100000000\) gives a mask of n \* n = 10000000000000000 elements, more than 2\^53 - 1/);
    expect(() => nn.MultiHeadAttention.createAdditiveCausalMask(1.5)).toThrow(/n must be an integer/);
  });
});

describe("nn.checkpoint", () => {
  it("without fn checkpoints the module's forward (looked up at each call), with its gradients", async () => {
    mx.random.seed(4);
    const layer = new nn.Linear(3, 2);
    const x = mx.sin(mx.reshape(mx.arange(6, mx.float32), [2, 3]));
    const call = nn.checkpoint(layer);
    expect(await values(call(x))).toEqual(await values(layer.forward(x)));
    const grad = (f: (a: mx.MxArray) => mx.MxArray) => nn.valueAndGrad(layer, (a: mx.MxArray) => mx.sum(mx.square(f(a))))(x)[1];
    const [g1, g2] = [grad(call), grad((a) => layer.forward(a))];
    expect(await values(g1.weight as mx.MxArray)).toEqual(await values(g2.weight as mx.MxArray));
    // as MLX, which captures the module rather than its method: a forward set later is the one called
    layer.forward = (a: mx.MxArray) => mx.multiply(a, 0);
    expect(await values(call(mx.ones([1, 3])))).toEqual([0, 0, 0]);
    expect(() => nn.checkpoint(new nn.Module() as never)).toThrow(/^\[nn\.checkpoint\] module \(a Module\) has no forward method; pass the function to checkpoint as fn/);
    expect(() => nn.checkpoint(layer, 3 as never)).toThrow(/^\[nn\.checkpoint\] fn must be a function/);
  });
});
