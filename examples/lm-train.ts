// Training the language model of examples/lm.ts: random windows of a token
// stream as (input, next-character target) batches, the mean cross-entropy,
// and one AdamW step with the gradients clipped to a global norm.

import * as mx from "../index.js";
import type { TinyLM } from "./lm-model.js";

const { nn, optimizers } = mx;

/** The example's two sizes: the default fits a couple of minutes on the cpu reference backend, `large` is for a GPU. */
export const LM_SIZES = {
  default: { dims: 64, heads: 4, layers: 2, context: 32, batch: 16, steps: 120, learningRate: 3e-3, evalEvery: 10 },
  large: { dims: 256, heads: 8, layers: 4, context: 128, batch: 64, steps: 2000, learningRate: 1e-3, evalEvery: 100 },
} as const;

export interface Batch {
  /** Token ids [batch, context]. */
  inputs: mx.MxArray;
  /** The token after each input position [batch, context]. */
  targets: mx.MxArray;
}

/** `batch` windows of `context + 1` consecutive tokens of the 1-D int32 `tokens`, at random starts drawn with `key`. */
export function randomWindows(tokens: mx.MxArray, batch: number, context: number, key: mx.MxArray): Batch {
  if (tokens.size <= context) throw new Error(`randomWindows: ${tokens.size} tokens cannot hold a window of ${context + 1}`);
  const starts = mx.random.randint(0, tokens.size - context, [batch, 1], { key });
  const windows = mx.take(tokens, mx.add(starts, mx.arange(context + 1)));
  return {
    inputs: mx.slice(windows, [0, 0], [batch, context]),
    targets: mx.slice(windows, [0, 1], [batch, context + 1]),
  };
}

/** The mean next-character cross-entropy (nats) of `model` on `batch`. */
export function meanLoss(model: TinyLM, batch: Batch): mx.MxArray {
  return nn.losses.crossEntropy(model.forward(batch.inputs), batch.targets, { reduction: "mean" });
}

/** The mean loss of `model` over `batches` (a fixed validation set), as a number. */
export async function evaluate(model: TinyLM, batches: readonly Batch[]): Promise<number> {
  let total = mx.array(0, mx.float32);
  for (const b of batches) total = mx.add(total, meanLoss(model, b));
  return (await total.toNumber()) / batches.length;
}

export interface TrainOptions {
  steps: number;
  learningRate: number;
  /** Steps of linear warm-up from 0 before the cosine decay (default 0). */
  warmupSteps?: number;
  weightDecay?: number;
  /** The global gradient norm the gradients are clipped to. */
  maxGradNorm: number;
}

/**
 * A training step for `model`: AdamW whose learning rate warms up linearly
 * and then follows a cosine decay to a tenth of its peak at `steps`, the
 * gradients clipped to `maxGradNorm`. Returns the batch's loss (evaluated).
 */
export function trainer(model: TinyLM, o: TrainOptions): { optimizer: mx.optimizers.AdamW; step(batch: Batch): Promise<number> } {
  const warmup = o.warmupSteps ?? 0;
  const decay = optimizers.cosineDecay(o.learningRate, Math.max(o.steps - warmup, 1), o.learningRate / 10);
  const schedule = warmup > 0 ? optimizers.joinSchedules([optimizers.linearSchedule(0, o.learningRate, warmup), decay], [warmup]) : decay;
  const optimizer = new optimizers.AdamW(schedule, { weightDecay: o.weightDecay ?? 0.01 });
  const lossAndGrad = nn.valueAndGrad(model, (inputs: mx.MxArray, targets: mx.MxArray) => meanLoss(model, { inputs, targets }));
  return {
    optimizer,
    async step(batch: Batch): Promise<number> {
      const [loss, grads] = lossAndGrad(batch.inputs, batch.targets);
      const [clipped] = optimizers.clipGradNorm(grads, o.maxGradNorm);
      optimizer.update(model, clipped);
      await mx.eval(loss, model.parameters(), optimizer.state);
      return loss.toNumber();
    },
  };
}
