// Gradients through mx.nn's layers: nn.valueAndGrad of a weighted sum of a
// layer's output against central finite differences, in float64 on the cpu,
// at a few parameter coordinates of each layer (the layers are compositions,
// so this checks that every op they use carries its vjp).

import { afterAll, beforeAll, expect, it } from "vitest";
import * as mx from "../index.js";

const { nn } = mx;

let saved: mx.Device;
beforeAll(() => {
  saved = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
  mx.random.seed(5);
});
afterAll(() => mx.setDefaultDevice(saved));

const f64 = (a: mx.MxArray) => mx.astype(a, mx.float64);

/** Layers with an input of the right shape; each output is reduced by a fixed random weighting. */
const CASES: [string, () => mx.nn.Module & { forward(x: mx.MxArray): unknown }, number[]][] = [
  ["Linear", () => new nn.Linear(3, 2), [2, 3]],
  ["Bilinear as a pair", () => Object.assign(new nn.Bilinear(3, 3, 2), { forward(this: mx.nn.Bilinear, x: mx.MxArray) { return mx.nn.Bilinear.prototype.forward.call(this, x, mx.square(x)); } }), [2, 3]],
  ["Conv2d then MaxPool2d", () => new nn.Sequential(new nn.Conv2d(2, 3, 2, { padding: 1 }), new nn.MaxPool2d(2, 1)), [1, 4, 4, 2]],
  ["Conv1d then AvgPool1d", () => new nn.Sequential(new nn.Conv1d(2, 2, 3), new nn.AvgPool1d(2)), [2, 6, 2]],
  ["ConvTranspose2d", () => new nn.ConvTranspose2d(2, 2, 2, { stride: 2 }), [1, 2, 2, 2]],
  ["LayerNorm", () => new nn.LayerNorm(4), [3, 4]],
  ["RMSNorm", () => new nn.RMSNorm(4), [3, 4]],
  ["GroupNorm", () => new nn.GroupNorm(2, 4), [2, 3, 4]],
  ["BatchNorm", () => new nn.BatchNorm(4), [5, 4]],
  // Linear's gradients reach it through InstanceNorm's input vjp (mx.fast.layerNorm's)
  ["Linear then InstanceNorm", () => new nn.Sequential(new nn.Linear(3, 3), new nn.InstanceNorm(3, { affine: true })), [2, 4, 3]],
  ["MultiHeadAttention", () => Object.assign(new nn.MultiHeadAttention(4, 2, { bias: true }), { forward(this: mx.nn.MultiHeadAttention, x: mx.MxArray) { return mx.nn.MultiHeadAttention.prototype.forward.call(this, x, x, x, "causal"); } }), [1, 3, 4]],
  ["TransformerEncoderLayer", () => new nn.TransformerEncoderLayer(4, 2, { mlpDims: 6 }), [1, 3, 4]],
  ["GRU", () => new nn.GRU(3, 2), [2, 3, 3]],
  ["LSTM", () => Object.assign(new nn.LSTM(3, 2), { forward(this: mx.nn.LSTM, x: mx.MxArray) { return mx.nn.LSTM.prototype.forward.call(this, x)[1]; } }), [2, 3, 3]],
  ["RNN", () => new nn.RNN(3, 2), [2, 3, 3]],
  ["Upsample (linear) then Linear", () => new nn.Sequential(new nn.Upsample(2, { mode: "linear" }), new nn.Linear(2, 2)), [1, 3, 2]],
  ["PReLU", () => new nn.PReLU(3), [2, 3]],
];

it.each(CASES)("%s: gradients match finite differences", async (_name, make, shape) => {
  const model = make().apply(f64);
  const x = f64(mx.random.normal(shape));
  const out = model.forward(x) as mx.MxArray;
  const weights = f64(mx.random.normal(out.shape));
  const loss = (a: mx.MxArray) => mx.sum(mx.multiply(model.forward(a) as mx.MxArray, weights));
  const [, grads] = nn.valueAndGrad(model, loss)(x);
  const flatGrads = new Map(mx.utils.treeFlatten(grads));
  const params = mx.utils.treeFlatten(model.trainableParameters());
  expect(params.length).toBeGreaterThan(0);
  const h = 1e-6;
  for (const [key, p] of params) {
    const arr = p as mx.MxArray;
    const g = (await (flatGrads.get(key) as mx.MxArray).tolist()) as unknown;
    const gFlat = [g].flat(8) as number[];
    const base = [await arr.tolist()].flat(8) as number[];
    for (const i of [0, Math.floor(base.length / 2), base.length - 1]) {
      const shifted = (d: number) => {
        const v = base.slice();
        v[i]! += d;
        const tree = mx.utils.treeUnflatten([[key, mx.reshape(mx.array(v, mx.float64), arr.shape)]]) as Record<string, unknown>;
        model.update(tree);
        return loss(x).item();
      };
      const numeric = ((await shifted(h)) as number - ((await shifted(-h)) as number)) / (2 * h);
      model.update(mx.utils.treeUnflatten([[key, arr]]) as Record<string, unknown>);
      expect(Math.abs(gFlat[i]! - numeric), `${key}[${i}]: ${gFlat[i]} vs ${numeric}`).toBeLessThan(1e-5 * (1 + Math.abs(numeric)));
    }
  }
});

it("a checkpointed transformer gives the gradients of the plain one", async () => {
  const plain = new nn.TransformerEncoder(2, 4, 2, { mlpDims: 8 });
  const ckpt = new nn.TransformerEncoder(2, 4, 2, { mlpDims: 8, checkpoint: true });
  ckpt.update(plain.parameters());
  const x = mx.random.normal([1, 3, 4]);
  const gradsOf = (m: mx.nn.TransformerEncoder) => nn.valueAndGrad(m, (a: mx.MxArray) => mx.sum(mx.square(m.forward(a, "causal"))))(x)[1];
  const [g1, g2] = [mx.utils.treeFlatten(gradsOf(plain)), mx.utils.treeFlatten(gradsOf(ckpt))];
  expect(g2.map(([k]) => k)).toEqual(g1.map(([k]) => k));
  for (const [i, [k, g]] of g1.entries()) {
    expect(await mx.allclose(g as mx.MxArray, g2[i]![1] as mx.MxArray, { rtol: 1e-5, atol: 1e-6 }).item(), k).toBe(true);
  }
  // the layers hold their own parameters again after the call
  expect(mx.utils.treeFlatten(ckpt.parameters()).every(([k, v]) => v === new Map(mx.utils.treeFlatten(plain.parameters())).get(k))).toBe(true);
});
