// vmap of mx.random with a batched key on every backend: each batch item
// draws its own key's stream, so a vmapped draw equals the per-key draws
// stacked, bit for bit. Raw bits of every width and word-count parity against
// a per-key loop on cpu; the samplers built on them (batched parameters too)
// against a per-key loop on the same backend; the key at axis 1, vmap of vmap.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectSameValues, values, withDefaultDevice } from "./helpers/backends.js";

const onCpu = { stream: mx.cpu };
const B = 5;

/** `f` of each batch index in turn, stacked. */
function perItem(count: number, f: (b: number) => mx.MxArray, o?: mx.OpOptions): mx.MxArray {
  return mx.stack(Array.from({ length: count }, (_, b) => f(b)), 0, o);
}

/** `f` of each key of `keys` (shape [B, 2]) in turn, stacked. */
function perKey(keys: mx.MxArray, f: (k: mx.MxArray) => mx.MxArray, o?: mx.OpOptions): mx.MxArray {
  return perItem(keys.shape[0]!, (b) => f(mx.take(keys, b, 0, o)), o);
}

/** `got` is `want` element for element (NaN, -0 exact), with its dtype and shape. */
async function expectIdentical(got: mx.MxArray, want: mx.MxArray, label: string): Promise<void> {
  expect(got.dtype.name, label).toBe(want.dtype.name);
  expect([...got.shape], label).toEqual([...want.shape]);
  expectSameValues(await values(got), await values(want), label);
}

/** Shapes and widths whose streams take an odd word count (the middle word from counter (W / 2, 0)), an even one, or none. */
const BITS_CASES: { shape: number[]; width: 1 | 2 | 4 }[] = [
  { shape: [], width: 4 },
  { shape: [3], width: 4 },
  { shape: [2, 3], width: 4 },
  { shape: [5], width: 2 },
  { shape: [2, 2], width: 2 },
  { shape: [1], width: 1 },
  { shape: [7], width: 1 },
  { shape: [3, 3], width: 1 },
  { shape: [0, 3], width: 4 },
];

describe.each(BACKENDS)("vmap of random with a batched key on $name", ({ device }) => {
  withDefaultDevice(device);
  const keys = () => mx.random.split(mx.random.key(7), B);

  it("bits of every width: item b is key b's stream, as a per-key loop gives on the cpu", async () => {
    for (const { shape, width } of BITS_CASES) {
      const got = mx.vmap((k: mx.MxArray) => mx.random.bits(shape, { key: k, width }))(keys());
      const want = perKey(mx.random.split(mx.random.key(7, onCpu), B, onCpu), (k) => mx.random.bits(shape, { key: k, width, ...onCpu }), onCpu);
      await expectIdentical(got, want, `bits(${JSON.stringify(shape)}, width ${width})`);
    }
  });

  it("uniform with the key positional, as in the docs' example", async () => {
    const draw = (k: mx.MxArray) => mx.random.uniform(0, 1, [3], undefined, k);
    await expectIdentical(mx.vmap(draw)(keys()), perKey(keys(), draw), "uniform");
  });

  it("samplers built on bits, their other arguments batched alongside the key", async () => {
    const lows = mx.array([-2, -1, 0, 1, 2], mx.float32);
    const probs = mx.array([0.1, 0.3, 0.5, 0.7, 0.9], mx.float32);
    const logits = mx.reshape(mx.arange(0, B * 4, 1, mx.float32), [B, 4]);
    const samplers: [string, (k: mx.MxArray, b: mx.MxArray) => mx.MxArray, mx.MxArray][] = [
      ["uniform, low and high batched", (k, lo) => mx.random.uniform(lo, mx.add(lo, 3), [4], { key: k }), lows],
      ["normal, loc and scale batched", (k, lo) => mx.random.normal([4], { key: k, loc: lo, scale: mx.add(mx.abs(lo), 1) }), lows],
      ["normal, float16", (k) => mx.random.normal([3], mx.float16, undefined, undefined, k), lows],
      ["randint, low batched", (k, lo) => mx.random.randint(mx.astype(lo, mx.int32), 10, [6], { key: k }), lows],
      ["bernoulli, p batched", (k, p) => mx.random.bernoulli(p, [8], { key: k }), probs],
      ["gumbel", (k) => mx.random.gumbel([2, 2], { key: k }), lows],
      ["laplace", (k) => mx.random.laplace([3], { key: k }), lows],
      ["truncatedNormal, lower batched", (k, lo) => mx.random.truncatedNormal(lo, mx.add(lo, 1), [3], { key: k }), lows],
      ["categorical, logits batched", (k, l) => mx.random.categorical(l, { key: k, numSamples: 3 }), logits],
      ["split", (k) => mx.random.split(k, 3), lows],
    ];
    for (const [label, draw, batchedArg] of samplers) {
      const got = mx.vmap(draw)(keys(), batchedArg);
      const want = perItem(B, (b) => draw(mx.take(keys(), b, 0), mx.take(batchedArg, b, 0)));
      await expectIdentical(got, want, label);
    }
  });

  it("the key mapped at axis 1 (keys as columns), and the batch placed by outAxes", async () => {
    const draw = (k: mx.MxArray) => mx.random.bits([2, 3], { key: k, width: 2 });
    const want = perKey(keys(), draw);
    await expectIdentical(mx.vmap(draw, { inAxes: 1 })(mx.transpose(keys())), want, "inAxes 1");
    await expectIdentical(mx.vmap(draw, { inAxes: -1 })(mx.transpose(keys())), want, "inAxes -1");
    await expectIdentical(mx.vmap(draw, { inAxes: 1, outAxes: 2 })(mx.transpose(keys())), mx.moveaxis(want, 0, 2), "outAxes 2");
  });

  it("vmap of vmap: a [B1, B2, 2] grid of keys, each draws its own stream", async () => {
    const grid = mx.reshape(mx.random.split(mx.random.key(3), 6), [2, 3, 2]);
    const draw = (k: mx.MxArray) => mx.random.uniform(0, 1, [5], { key: k });
    const want = mx.stack([0, 1].map((i) => perKey(mx.take(grid, i, 0), draw)));
    await expectIdentical(mx.vmap(mx.vmap(draw))(grid), want, "both at axis 0");
    await expectIdentical(mx.vmap(mx.vmap(draw), { inAxes: 1 })(mx.swapaxes(grid, 0, 1)), want, "outer at axis 1");
    await expectIdentical(mx.vmap(mx.vmap(draw, { inAxes: 1 }))(mx.swapaxes(grid, 1, 2)), want, "inner at axis 1");
  });

  it("vmap of vmap: the outer maps the key, the inner the bounds (one key per outer item)", async () => {
    const ks = mx.random.split(mx.random.key(11), 2);
    const lows = mx.array([0, 10, 20], mx.float32);
    const draw = (k: mx.MxArray, lo: mx.MxArray) => mx.random.uniform(lo, mx.add(lo, 1), [4], { key: k });
    const got = mx.vmap((k: mx.MxArray) => mx.vmap((lo: mx.MxArray) => draw(k, lo))(lows))(ks);
    const want = perKey(ks, (k) => mx.stack([0, 1, 2].map((j) => draw(k, mx.take(lows, j)))));
    await expectIdentical(got, want, "outer key, inner low");
  });
});
