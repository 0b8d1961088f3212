// mlx-ts's CPU reference backend beside TensorFlow.js's pure-JS CPU backend,
// in one run on one machine: elementwise add / exp on 1M float32, sum of 1M,
// matmul 256/512/1024, and graph overhead of a chain of 1000 small ops, also
// through mx.compile (tfjs has no compile: its row compares eager dispatch).
// Run: npm run bench:cpu

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import * as mx from "../index.js";
import { printTable, timeMs, type Row } from "./harness.js";

await tf.setBackend("cpu");
const N = 1 << 20;
const data = Float32Array.from({ length: N }, (_, i) => Math.sin(i) * 2);
const rows: Row[] = [];

/** Times an mlx-ts graph built by `build` (graph construction plus evaluation). */
const mlxTime = (build: () => mx.MxArray) =>
  timeMs(async () => {
    const out = build();
    await mx.eval(out);
    out.dispose();
  });
/** Times a tfjs op (tfjs-cpu computes eagerly and synchronously). */
const tfTime = (op: () => tf.Tensor) =>
  timeMs(() => {
    const out = op();
    out.dispose();
  });

{
  const a = mx.array(data), b = mx.array(data);
  const ta = tf.tensor1d(data), tb = tf.tensor1d(data);
  const gb = (ms: number, arrays: number) => (arrays * N * 4) / (ms / 1000) / 1e9;
  rows.push({ name: "add 1M f32", unit: "GB/s", ours: gb(await mlxTime(() => mx.add(a, b)), 3), peer: gb(await tfTime(() => tf.add(ta, tb)), 3), higherIsBetter: true });
  rows.push({ name: "exp 1M f32", unit: "GB/s", ours: gb(await mlxTime(() => mx.exp(a)), 2), peer: gb(await tfTime(() => tf.exp(ta)), 2), higherIsBetter: true });
  rows.push({ name: "sum 1M f32", unit: "ms", ours: await mlxTime(() => mx.sum(a)), peer: await tfTime(() => tf.sum(ta)), higherIsBetter: false });
}

for (const n of [256, 512, 1024]) {
  const m = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const a = mx.reshape(mx.array(m), [n, n]);
  const ta = tf.tensor2d(m, [n, n]);
  const tflops = (ms: number) => (2 * n ** 3) / (ms / 1000) / 1e12;
  const runs = n >= 1024 ? 3 : 5;
  const ours = await timeMs(async () => {
    const c = mx.matmul(a, a);
    await mx.eval(c);
    c.dispose();
  }, runs, 1);
  const peer = await timeMs(() => tf.matMul(ta, ta).dispose(), runs, 1);
  rows.push({ name: `matmul ${n} f32`, unit: "GFLOP/s", ours: tflops(ours) * 1000, peer: tflops(peer) * 1000, higherIsBetter: true });
}

{
  const OPS = 1000;
  const x0 = mx.array(new Float32Array(16).fill(1));
  const t0 = tf.tensor1d(new Float32Array(16).fill(1));
  // many runs: single runs of a few milliseconds are dominated by whether a GC falls in them
  const ours = await timeMs(async () => {
    let x = x0;
    for (let i = 0; i < OPS / 2; i++) x = mx.add(mx.multiply(x, 1.0001), 0.5);
    await mx.eval(x);
  }, 41, 5);
  const peer = await timeMs(
    () =>
      tf.tidy(() => {
        let x = t0;
        for (let i = 0; i < OPS / 2; i++) x = tf.add(tf.mul(x, 1.0001), 0.5);
        return x;
      }).dispose(),
    41,
    5,
  );
  rows.push({ name: "chain of 1000 ops on 16 f32", unit: "us/op", ours: (ours * 1000) / OPS, peer: (peer * 1000) / OPS, higherIsBetter: false });
  // the same chain through mx.compile: traced once, simplified and fused into one loop
  const compiledChain = mx.compile((x: mx.MxArray) => {
    for (let i = 0; i < OPS / 2; i++) x = mx.add(mx.multiply(x, 1.0001), 0.5);
    return x;
  });
  const oursCompiled = await timeMs(async () => {
    await mx.eval(compiledChain(x0));
  }, 41, 5);
  rows.push({ name: "chain of 1000 ops on 16 f32, compiled", unit: "us/op", ours: (oursCompiled * 1000) / OPS, peer: (peer * 1000) / OPS, higherIsBetter: false });
}

printTable("mlx-ts cpu vs tfjs-backend-cpu 4.22", "tfjs-cpu", rows);
