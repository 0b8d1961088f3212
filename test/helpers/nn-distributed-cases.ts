// What the nn distributed tests share between the ranks (test/helpers/nn-distributed-rank.ts)
// and the checking process (test/nn-distributed.test.ts): the seed and sizes
// of the layers, each rank's gradients and training batch (deterministic in
// the rank), the MLP and its SGD step, so the test recomputes here what each
// rank should have got.

import * as mx from "../../index.js";

/** The seed every rank (and the test) sets before building a layer, so all build the same weights. */
export const SEED = 7;
/** The sharded linear layers' sizes: multiples of 2 and 3 (OUT / 3 too, for 3 segments; Q_IN of 32 * 6, for the quantized sharded-to-all). */
export const IN = 24, OUT = 18, Q_IN = 192;
/** The training run: steps of SGD with this learning rate on batches of BATCH rows per rank. */
export const STEPS = 3, LR = 0.5, BATCH = 4;

/** Rows `rank * n / size` to `(rank + 1) * n / size`: a rank's slice of an axis of size n. */
export const part = (n: number, rank: number, size: number): [number, number] => [(rank * n) / size, ((rank + 1) * n) / size];

/** Each rank's gradient tree for averageGradients, as JS numbers (exact in float32): a [10], b.0 [3, 4], b.1 [5]. */
export function rankGradients(rank: number): { a: number[]; b0: number[]; b1: number[] } {
  return {
    a: Array.from({ length: 10 }, (_, i) => ((rank + 1) * (i + 1)) / 8),
    b0: Array.from({ length: 12 }, (_, i) => rank - i / 4),
    b1: Array.from({ length: 5 }, (_, i) => rank * rank + i),
  };
}

/** The gradients of `rankGradients` as a tree of float32 arrays. */
export function gradientTree(rank: number): { a: mx.MxArray; b: mx.MxArray[] } {
  const g = rankGradients(rank);
  return { a: mx.array(g.a, mx.float32), b: [mx.reshape(mx.array(g.b0, mx.float32), [3, 4]), mx.array(g.b1, mx.float32)] };
}

/** A value float16 would round (2^-12 past rank + 1): averageGradients keeps the gradients' dtype, so the mean keeps it. */
export const fineValue = (rank: number) => rank + 1 + 2 ** -12;

/** Rank `rank`'s training batch: x [BATCH, 4] and y [BATCH, 2], from sines of the rank and index. */
export function batchOf(rank: number): { x: number[][]; y: number[][] } {
  const row = (r: number, n: number, phase: number) => Array.from({ length: n }, (_, j) => Math.round(Math.sin(rank * 3.1 + r * 1.7 + j * 0.9 + phase) * 1000) / 1000);
  return { x: Array.from({ length: BATCH }, (_, r) => row(r, 4, 0)), y: Array.from({ length: BATCH }, (_, r) => row(r, 2, 5)) };
}

/** The MLP both the ranks and the test train: Linear(4, 8), ReLU, Linear(8, 2), built from SEED. */
export function buildMlp(): mx.nn.Sequential {
  mx.random.seed(SEED);
  return new mx.nn.Sequential(new mx.nn.Linear(4, 8), new mx.nn.ReLU(), new mx.nn.Linear(8, 2));
}

/** The mean squared error of `model` on a batch (the mean over its rows: the data-parallel loss). */
export function mseLoss(model: mx.nn.Sequential, x: mx.MxArray, y: mx.MxArray): mx.MxArray {
  return mx.mean(mx.square(mx.subtract(model.forward(x), y)));
}
