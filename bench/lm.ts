// Training throughput of the character-level transformer of examples/lm.ts:
// mlx-ts on its webgpu backend beside the same model in TensorFlow.js
// (bench/lm-tfjs.ts) on tfjs-backend-webgpu over the same Dawn device, in one
// run, from the same initial weights on the same batches. Rows: clipped AdamW
// training steps and forward passes, in tokens/s (each step reads its loss back).
// Run: npx tsx bench/lm.ts [--small] [--json FILE]   (--small: the example's
// default size, for lavapipe; without it the example's --large size)

import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import * as mx from "../index.js";
import { TinyLM, type LMConfig } from "../examples/lm-model.js";
import { LM_SIZES, meanLoss, randomWindows, trainer, type Batch } from "../examples/lm-train.js";
import { machine, printTable, timeMs, type Row } from "./harness.js";
import { tfjsOnMlxDevice } from "./peers/tfjs-webgpu.js";
import { TfjsTinyLM } from "./lm-tfjs.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const size = LM_SIZES[small ? "default" : "large"];
/** The vocabulary of the fortunes corpus; the tokens here are random (throughput does not depend on them). */
const VOCAB = 113;
/** Training steps per timed sample, and samples. */
const STEPS = small ? 2 : 10, RUNS = small ? 3 : 7;
const WARMUP_MS = small ? 0 : 1000;
const train = { learningRate: size.learningRate, weightDecay: 0.01, maxGradNorm: 1 };

const { gpu, tfSync } = await tfjsOnMlxDevice();
mx.setDefaultDevice(mx.webgpu);

const config: LMConfig = { vocabSize: VOCAB, dims: size.dims, heads: size.heads, layers: size.layers, context: size.context };
mx.random.seed(0);
const model = new TinyLM(config);
const weights = new Map<string, { values: Float32Array; shape: number[] }>();
for (const [key, p] of mx.utils.treeFlatten(model.parameters()) as [string, mx.MxArray][]) weights.set(key, { values: (await p.data()) as Float32Array, shape: [...p.shape] });
const peer = new TfjsTinyLM(config, weights);

const stream = mx.random.randint(0, VOCAB, [1 << 16], { key: mx.random.key(1), dtype: mx.int32 });
const batches: Batch[] = [...mx.random.split(mx.random.key(2), STEPS)].map((k) => randomWindows(stream, size.batch, size.context, k));
await mx.eval(batches.flatMap((b) => [b.inputs, b.targets]));
const tfBatches = await Promise.all(batches.map(async (b) => ({
  inputs: tf.tensor2d((await b.inputs.data()) as Int32Array, [size.batch, size.context], "int32"),
  targets: tf.tensor2d((await b.targets.data()) as Int32Array, [size.batch, size.context], "int32"),
})));

// the two are one model: the same logits and loss from the same weights
const ours0 = model.forward(batches[0]!.inputs), theirs0 = peer.logits(tfBatches[0]!.inputs);
const oursLogits = (await ours0.data()) as Float32Array, theirLogits = await theirs0.data();
theirs0.dispose();
const logitGap = oursLogits.reduce((m, v, i) => Math.max(m, Math.abs(v - theirLogits[i]!)), 0);
const lossOurs = await meanLoss(model, batches[0]!).toNumber();
const lossTheirs = tf.tidy(() => peer.loss(tfBatches[0]!.inputs, tfBatches[0]!.targets));
const lossPeer = (await lossTheirs.data())[0]!;
lossTheirs.dispose();
if (logitGap > 1e-3 || Math.abs(lossOurs - lossPeer) > 1e-4) throw new Error(`the tfjs model differs from mlx-ts's: logits by ${logitGap}, loss ${lossPeer} vs ${lossOurs}`);
console.log(`${model.parameterCount()} parameters; initial loss mlx-ts ${lossOurs.toFixed(5)}, tfjs ${lossPeer.toFixed(5)}; logits agree to ${logitGap.toExponential(1)}`);

const tokens = size.batch * size.context;
const perSecond = (ms: number, count: number) => (count * tokens) / (ms / 1000);
const rows: Row[] = [];
const ours = trainer(model, { steps: 1_000_000, learningRate: train.learningRate, weightDecay: train.weightDecay, maxGradNorm: train.maxGradNorm });
{
  // and one training step agrees: the same loss on the next batch after it
  await ours.step(batches[0]!);
  await peer.step(tfBatches[0]!.inputs, tfBatches[0]!.targets, train);
  const next = batches[1] ?? batches[0]!, tfNext = tfBatches[1] ?? tfBatches[0]!;
  const afterOurs = await meanLoss(model, next).toNumber();
  const afterTheirs = tf.tidy(() => peer.loss(tfNext.inputs, tfNext.targets));
  const afterPeer = (await afterTheirs.data())[0]!;
  afterTheirs.dispose();
  if (Math.abs(afterOurs - afterPeer) > 1e-3) throw new Error(`after one training step the tfjs model's loss ${afterPeer} differs from mlx-ts's ${afterOurs}`);
  console.log(`after one clipped AdamW step: loss mlx-ts ${afterOurs.toFixed(5)}, tfjs ${afterPeer.toFixed(5)}`);
}
{
  const msOurs = await timeMs(async () => {
    for (const b of batches) await ours.step(b);
  }, RUNS, 1, WARMUP_MS);
  const msPeer = await timeMs(async () => {
    for (const b of tfBatches) await peer.step(b.inputs, b.targets, train);
  }, RUNS, 1, WARMUP_MS);
  rows.push({ name: `training step (forward, backward, clip, AdamW), batch ${size.batch} x ${size.context}`, unit: "tokens/s", ours: perSecond(msOurs, STEPS), peer: perSecond(msPeer, STEPS), higherIsBetter: true });
}
{
  const msOurs = await timeMs(async () => {
    const out = batches.map((b) => model.forward(b.inputs));
    await mx.eval(out);
    for (const o of out) o.dispose();
  }, RUNS, 1, WARMUP_MS);
  const msPeer = await timeMs(async () => {
    const out = tfBatches.map((b) => tf.tidy(() => peer.logits(b.inputs)));
    await tfSync();
    for (const o of out) o.dispose();
  }, RUNS, 1, WARMUP_MS);
  rows.push({ name: `forward (logits), batch ${size.batch} x ${size.context}`, unit: "tokens/s", ours: perSecond(msOurs, STEPS), peer: perSecond(msPeer, STEPS), higherIsBetter: true });
}

const title = `char-level transformer LM (${config.layers} blocks, ${config.dims} dims, ${config.heads} heads, RoPE, RMSNorm, GELU MLP; ${model.parameterCount()} parameters) on webgpu (${gpu.ctx.description}): ` +
  "mlx-ts (mx.fast.scaledDotProductAttention, mx.fast.rope) vs tfjs-backend-webgpu 4.22 on the same Dawn device (RoPE from slice/mul/concat, attention as masked softmax of matmuls, AdamW by hand)";
printTable(title, "tfjs-webgpu", rows);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), adapter: gpu.ctx.description, date: new Date().toISOString(), config, batch: size.batch, rows }, null, 2));
