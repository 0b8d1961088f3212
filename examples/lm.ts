// A character-level transformer language model (examples/lm-model.ts) trained
// on the fortune cookies of Debian's `fortunes` package with AdamW, a warm-up
// and cosine decay, and gradient clipping; prints the training and validation
// loss falling, checkpoints with saveWeights, reloads the checkpoint into a
// fresh model (same validation loss), samples text at a temperature, and
// writes an SVG of both loss curves (`--svg FILE`, default in the OS temp dir).
// Run with `npm run example:lm`; flags: --steps N, --device cpu|webgpu|metal|gpu
// (or MLX_TS_DEVICE), --large (a bigger model and batch, for a GPU), --corpus DIR
// (a copy of /usr/share/games/fortunes elsewhere).

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mx from "../index.js";
import { curvesSvg } from "./digits-svg.js";
import { FORTUNES_DIR, readCorpus } from "./lm-corpus.js";
import { TinyLM, type LMConfig } from "./lm-model.js";
import { sample } from "./lm-sample.js";
import { LM_SIZES, evaluate, randomWindows, trainer, type Batch } from "./lm-train.js";

/** The value after `flag` on the command line, or undefined when the flag is absent. */
function flagValue(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  if (at < 0) return undefined;
  const v = process.argv[at + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${flag} needs a value`);
  return v;
}

const DEVICES: Record<string, mx.Device> = { cpu: mx.cpu, gpu: mx.gpu, webgpu: mx.webgpu, metal: mx.metal };
const deviceName = flagValue("--device");
if (deviceName !== undefined) {
  const device = DEVICES[deviceName];
  if (device === undefined) throw new Error(`--device must be one of ${Object.keys(DEVICES).join(", ")}, got '${deviceName}'`);
  mx.setDefaultDevice(device);
}

const large = process.argv.includes("--large");
const size = LM_SIZES[large ? "large" : "default"];
const steps = Number(flagValue("--steps") ?? size.steps);
if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps must be a positive integer, got ${flagValue("--steps")}`);
const evalEvery = Math.min(size.evalEvery, steps);
const svgFile = flagValue("--svg") ?? join(tmpdir(), "lm-curves.svg");

const corpus = readCorpus(flagValue("--corpus") ?? FORTUNES_DIR);
const trainTokens = mx.array(corpus.vocab.encode(corpus.train), mx.int32);
const validationTokens = mx.array(corpus.vocab.encode(corpus.validation), mx.int32);
console.log(`corpus: ${corpus.files.length} fortune files of Debian's fortunes, ${trainTokens.size} training and ${validationTokens.size} validation characters, vocabulary ${corpus.vocab.size}; device ${mx.defaultDevice()}`);

const config: LMConfig = { vocabSize: corpus.vocab.size, dims: size.dims, heads: size.heads, layers: size.layers, context: size.context };
mx.random.seed(0);
const model = new TinyLM(config);
// a fixed validation set: the same windows at every evaluation
const validationBatches: Batch[] = [...mx.random.split(mx.random.key(1), large ? 8 : 2)].map((k) => randomWindows(validationTokens, size.batch, size.context, k));
const train = trainer(model, { steps, learningRate: size.learningRate, warmupSteps: Math.round(steps / 20), maxGradNorm: 1 });
console.log(`TinyLM: ${config.layers} blocks of ${config.dims} dims, ${config.heads} heads, context ${config.context}: ${model.parameterCount()} parameters; AdamW, peak learning rate ${size.learningRate}, batch ${size.batch}, ${steps} steps`);

const curves = { train: [] as number[], validation: [] as number[] };
let key = mx.random.key(2);
let intervalLoss = 0;
const start = performance.now();
let trainSeconds = 0;
console.log(`  step ${"0".padStart(5)}: validation ${(await evaluate(model, validationBatches)).toFixed(3)}`);
for (let step = 1; step <= steps; step++) {
  const [next, sub] = mx.random.split(key);
  key = next!;
  const t = performance.now();
  intervalLoss += await train.step(randomWindows(trainTokens, size.batch, size.context, sub!));
  trainSeconds += (performance.now() - t) / 1000;
  if (step % evalEvery === 0 || step === steps) {
    const interval = step % evalEvery === 0 ? evalEvery : step % evalEvery;
    curves.train.push(intervalLoss / interval);
    curves.validation.push(await evaluate(model, validationBatches));
    intervalLoss = 0;
    console.log(`  step ${String(step).padStart(5)}: train ${curves.train.at(-1)!.toFixed(3)}, validation ${curves.validation.at(-1)!.toFixed(3)}`);
  }
}
const tokensPerSecond = (steps * size.batch * size.context) / trainSeconds;
console.log(`trained in ${((performance.now() - start) / 1000).toFixed(1)} s, ${tokensPerSecond.toFixed(0)} tokens/s of training`);

const checkpoint = join(mkdtempSync(join(tmpdir(), "mlx-ts-lm-")), "tiny-lm.safetensors");
await model.saveWeights(checkpoint);
const reloaded = new TinyLM(config).loadWeights(checkpoint);
const before = curves.validation.at(-1)!, after = await evaluate(reloaded, validationBatches);
if (Math.abs(before - after) > 1e-5) throw new Error(`the reloaded model's validation loss ${after} differs from the trained model's ${before}`);
console.log(`checkpoint ${checkpoint}: reloaded into a fresh TinyLM, validation loss ${after.toFixed(4)} (the same)`);

const prompt = corpus.vocab.encode("The ");
const text = corpus.vocab.decode(await sample(reloaded, [...prompt], large ? 400 : 200, { temperature: 0.8, context: config.context, key: mx.random.key(3) }));
console.log(`sample (temperature 0.8):\n----\nThe ${text}\n----`);

writeFileSync(svgFile, curvesSvg([
  { label: "train", values: curves.train, color: "#1f77b4" },
  { label: "validation", values: curves.validation, color: "#d62728" },
], { title: `char-level transformer LM on Debian's fortunes (${steps} steps)`, xLabel: `evaluation (every ${evalEvery} steps)`, yLabel: "mean cross-entropy (nats)" }));
console.log(`loss curves written to ${svgFile}`);
