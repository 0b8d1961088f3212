// Proof that mx.nn trains: an MLP (Linear, ReLU, crossEntropy,
// nn.valueAndGrad) on scikit-learn's digits (8x8 images, 1797 of them, read
// from Debian's python3-sklearn), with plain SGD written here, reaches more
// than 90% accuracy on held-out digits on the cpu.

import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as mx from "../index.js";

const { nn } = mx;
const DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

/** Rows of 64 pixel values (0..16) and their labels. */
function loadDigits(): { pixels: number[][]; labels: number[] } {
  if (!existsSync(DIGITS)) throw new Error(`${DIGITS} is missing: install Debian's python3-sklearn (apt-get install python3-sklearn)`);
  const rows = gunzipSync(readFileSync(DIGITS)).toString("utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  return { pixels: rows.map((r) => r.slice(0, 64)), labels: rows.map((r) => r[64]!) };
}

class MLP extends nn.Module {
  layers = [new nn.Linear(64, 64), new nn.Linear(64, 10)];
  forward(x: mx.MxArray): mx.MxArray {
    return this.layers[1]!.forward(nn.relu(this.layers[0]!.forward(x)));
  }
}

let saved: mx.Device;
beforeAll(() => {
  saved = mx.defaultDevice();
  mx.setDefaultDevice(mx.cpu);
});
afterAll(() => mx.setDefaultDevice(saved));

it("an MLP trained with SGD classifies held-out digits with > 90% accuracy", async () => {
  const { pixels, labels } = loadDigits();
  expect(pixels.length).toBe(1797);
  // a fixed shuffle (a linear congruential order), then 1437 for training and 360 held out
  const order = pixels.map((_, i) => i).sort((a, b) => ((a * 7919) % 1797) - ((b * 7919) % 1797));
  const take = (idx: number[]) => ({
    x: mx.divide(mx.array(idx.map((i) => pixels[i]!), mx.float32), 16),
    y: mx.array(idx.map((i) => labels[i]!), mx.int32),
  });
  const train = take(order.slice(0, 1437)), test = take(order.slice(1437));

  mx.random.seed(0);
  const model = new MLP();
  const lossFn = (x: mx.MxArray, y: mx.MxArray) => nn.losses.crossEntropy(model.forward(x), y, { reduction: "mean" });
  const step = nn.valueAndGrad(model, lossFn);
  const lr = 0.5, batch = 32;
  const losses: number[] = [];
  const start = Date.now();
  for (let epoch = 0; epoch < 6; epoch++) {
    let total = 0;
    for (let b = 0; b + batch <= 1437; b += batch) {
      const [loss, grads] = step(mx.slice(train.x, [b, 0], [b + batch, 64]), mx.slice(train.y, [b], [b + batch]));
      const params = mx.utils.treeMap((p: mx.MxArray, g: mx.MxArray) => mx.subtract(p, mx.multiply(g, lr)), model.parameters(), grads);
      model.update(params);
      await mx.eval([loss, ...mx.utils.treeFlatten(model.parameters()).map(([, v]) => v as mx.MxArray)]);
      total += await loss.item() as number;
    }
    losses.push(total / Math.floor(1437 / batch));
  }
  const predictions = mx.argmax(model.forward(test.x), -1);
  const accuracy = (await mx.mean(mx.astype(mx.equal(predictions, test.y), mx.float32)).item()) as number;
  console.info(`digits MLP: loss ${losses[0]!.toFixed(3)} -> ${losses.at(-1)!.toFixed(3)}, held-out accuracy ${(accuracy * 100).toFixed(1)}%, ${Date.now() - start} ms`);
  expect(losses.at(-1)!).toBeLessThan(losses[0]! / 4);
  expect(accuracy).toBeGreaterThan(0.9);
}, 60_000);
