// Digit classification on scikit-learn's digits (1797 8x8 images, read from
// Debian's python3-sklearn): an MLP and a small CNN trained with Adam and
// cross-entropy, printing the loss per epoch, test accuracy and images/s, and
// writing an SVG of both loss curves (`--svg FILE`, default in the OS temp dir).
// Run with `npm run example:digits` (MLX_TS_DEVICE=webgpu or metal to train on
// another backend).

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as mx from "../index.js";
import { curvesSvg } from "./digits-svg.js";

const { nn, optimizers } = mx;
const DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

/** The value after `--svg` on the command line, or digits-curves.svg in the OS temp dir. */
function svgPath(): string {
  const at = process.argv.indexOf("--svg");
  if (at < 0) return join(tmpdir(), "digits-curves.svg");
  const file = process.argv[at + 1];
  if (file === undefined || file.startsWith("--")) throw new Error("--svg needs a file name");
  return file;
}

/** The images as an [n, 8, 8, 1] float32 array scaled to [0, 1], and their int32 labels. */
function loadDigits(): { images: mx.MxArray; labels: mx.MxArray } {
  if (!existsSync(DIGITS)) throw new Error(`${DIGITS} is missing: install Debian's python3-sklearn (apt-get install python3-sklearn)`);
  const rows = gunzipSync(readFileSync(DIGITS)).toString("utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  const pixels = mx.array(rows.map((r) => r.slice(0, 64)), mx.float32);
  return { images: mx.reshape(mx.divide(pixels, 16), [rows.length, 8, 8, 1]), labels: mx.array(rows.map((r) => r[64]!), mx.int32) };
}

class MLP extends nn.Module {
  layers = [new nn.Linear(64, 128), new nn.Linear(128, 10)];
  forward(x: mx.MxArray): mx.MxArray {
    const flat = mx.reshape(x, [x.shape[0]!, 64]);
    return this.layers[1]!.forward(nn.relu(this.layers[0]!.forward(flat)));
  }
}

/** conv 3x3 (16) -> relu -> max pool 2 -> conv 3x3 (32) -> relu -> max pool 2 -> linear, channels last. */
class CNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 16, 3, { padding: 1 });
  conv2 = new nn.Conv2d(16, 32, 3, { padding: 1 });
  pool = new nn.MaxPool2d(2);
  head = new nn.Linear(2 * 2 * 32, 10);
  forward(x: mx.MxArray): mx.MxArray {
    const h1 = this.pool.forward(nn.relu(this.conv1.forward(x))); // [n, 4, 4, 16]
    const h2 = this.pool.forward(nn.relu(this.conv2.forward(h1))); // [n, 2, 2, 32]
    return this.head.forward(mx.reshape(h2, [x.shape[0]!, 2 * 2 * 32]));
  }
}

interface Split { x: mx.MxArray; y: mx.MxArray; n: number }

/** Trains `model` with Adam for `epochs` epochs of shuffled mini-batches; returns the mean training loss per epoch and images/s. */
async function train(title: string, model: MLP | CNN, data: Split, o: { epochs: number; batch: number; learningRate: number; seed: number }): Promise<{ losses: number[]; imagesPerSecond: number }> {
  const lossFn = (x: mx.MxArray, y: mx.MxArray) => nn.losses.crossEntropy(model.forward(x), y, { reduction: "mean" });
  const step = nn.valueAndGrad(model, lossFn);
  const opt = new optimizers.Adam(o.learningRate);
  const batches = Math.floor(data.n / o.batch);
  let key = mx.random.key(o.seed);
  const losses: number[] = [];
  console.log(`${title}: ${mx.utils.treeFlatten(model.parameters()).reduce((s, [, p]) => s + (p as mx.MxArray).size, 0)} parameters, Adam (learning rate ${o.learningRate}), batch ${o.batch}`);
  const start = performance.now();
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const [next, sub] = mx.split(mx.random.split(key), 2) as [mx.MxArray, mx.MxArray];
    key = mx.reshape(next, [2]);
    const order = mx.random.permutation(data.n, { key: mx.reshape(sub, [2]) });
    let total = mx.array(0, mx.float32);
    for (let b = 0; b < batches; b++) {
      const idx = mx.slice(order, [b * o.batch], [(b + 1) * o.batch]);
      const [loss, grads] = step(mx.take(data.x, idx, 0), mx.take(data.y, idx, 0));
      opt.update(model, grads);
      total = mx.add(total, loss);
      await mx.eval(total, model.parameters(), opt.state);
    }
    losses.push((await total.toNumber()) / batches);
    console.log(`  epoch ${String(epoch).padStart(2)}: loss ${losses.at(-1)!.toFixed(4)}`);
  }
  const seconds = (performance.now() - start) / 1000;
  return { losses, imagesPerSecond: (o.epochs * batches * o.batch) / seconds };
}

/** The fraction of `data` that `model` labels correctly. */
async function accuracy(model: MLP | CNN, data: Split): Promise<number> {
  const predictions = mx.argmax(model.forward(data.x), -1);
  return mx.mean(mx.astype(mx.equal(predictions, data.y), mx.float32)).toNumber();
}

const svgFile = svgPath();
const { images, labels } = loadDigits();
const nImages = images.shape[0]!, nTrain = Math.round(nImages * 0.8);
// a fixed shuffled 80/20 split
const order = mx.random.permutation(nImages, { key: mx.random.key(0) });
const part = (start: number, end: number): Split => {
  const idx = mx.slice(order, [start], [end]);
  return { x: mx.take(images, idx, 0), y: mx.take(labels, idx, 0), n: end - start };
};
const trainSet = part(0, nTrain), testSet = part(nTrain, nImages);
await mx.eval(trainSet.x, trainSet.y, testSet.x, testSet.y);
console.log(`digits: ${trainSet.n} training and ${testSet.n} test images, device ${mx.defaultDevice()}`);

mx.random.seed(1);
const mlp = new MLP();
const mlpRun = await train("MLP 64-128-10", mlp, trainSet, { epochs: 20, batch: 32, learningRate: 1e-3, seed: 2 });
const mlpAccuracy = await accuracy(mlp, testSet);
console.log(`  MLP test accuracy ${(mlpAccuracy * 100).toFixed(1)}%, ${mlpRun.imagesPerSecond.toFixed(0)} images/s of training`);

mx.random.seed(3);
const cnn = new CNN();
const cnnRun = await train("CNN conv16-pool-conv32-pool-linear", cnn, trainSet, { epochs: 15, batch: 32, learningRate: 3e-3, seed: 4 });
const cnnAccuracy = await accuracy(cnn, testSet);
console.log(`  CNN test accuracy ${(cnnAccuracy * 100).toFixed(1)}%, ${cnnRun.imagesPerSecond.toFixed(0)} images/s of training`);

writeFileSync(svgFile, curvesSvg([
  { label: "MLP", values: mlpRun.losses, color: "#1f77b4" },
  { label: "CNN", values: cnnRun.losses, color: "#d62728" },
], { title: "digits: training loss", xLabel: "epoch", yLabel: "mean cross-entropy" }));
console.log(`loss curves written to ${svgFile}`);
