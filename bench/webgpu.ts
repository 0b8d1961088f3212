// mlx-ts's webgpu backend beside TensorFlow.js's WebGPU backend running on the
// same Dawn device, in one run: a plain WGSL copy kernel (the bandwidth
// ceiling), elementwise add and exp, sum, matmul, and a chain of 1000 small ops
// (also through mx.compile; tfjs has no compile, its row is eager dispatch).
// Throughput rows time REPS back-to-back ops per device wait (steady state, the
// same for both libraries); the chain row is built inside tidy on both sides.
// Run: npx tsx bench/webgpu.ts [--small] [--json FILE]   (--small: sizes for lavapipe)

import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import * as tfwebgpu from "@tensorflow/tfjs-backend-webgpu";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { machine, printTable, timeMs, type Row } from "./harness.js";
import { copyBandwidth } from "./webgpu-copy.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const N = small ? 1 << 20 : 1 << 26;
const SIZES = small ? [256, 512] : [1024, 2048, 4096];
/** Ops per timed sample in the throughput rows. */
const REPS = 10;
/** Warm-up per row: the GPU clocks down while the host prepares the next row's data. */
const WARMUP_MS = small ? 0 : 1000;

const gpu = getBackend("webgpu") as WebGpuBackend;
const device = gpu.ctx.device;
// tfjs checks navigator.gpu before it accepts a device; give it Dawn's; its kernels are registered under "webgpu"
Object.defineProperty(globalThis, "navigator", { value: { gpu: gpu.ctx.gpu }, configurable: true });
tf.registerBackend("webgpu", () => new tfwebgpu.WebGPUBackend(device));
// tfjs runs ops on small CPU-resident tensors on its CPU backend; the rows here measure GPU work
tf.env().set("WEBGPU_CPU_FORWARD", false);
await tf.setBackend("webgpu");
/** Ends tfjs's open pass, submits its encoder and waits for the device (what its own reads do). */
const tfSync = async () => {
  const b = tf.backend() as unknown as { endComputePassEncoder(): void; submitQueue(): void; commandEncoder: unknown };
  if (b.commandEncoder) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
  await device.queue.onSubmittedWorkDone();
};
const o = { stream: mx.webgpu };

const rows: Row[] = [];
const data = Float32Array.from({ length: N }, (_, i) => Math.sin(i));
const gbps = (ms: number, arrays: number) => (arrays * N * 4) / (ms / 1000) / 1e9;
// the ceiling is measured before and after the elementwise rows, and the higher one kept
const copyBefore = await copyBandwidth(device, N, REPS, WARMUP_MS);

{
  const a = mx.array(data, undefined, o), b = mx.array(data, undefined, o);
  await mx.eval(a, b);
  const ta = tf.tensor1d(data), tb = tf.tensor1d(data);
  // REPS results per sample, evaluated together (one device wait) and freed after
  const ours = async (f: () => mx.MxArray) =>
    (await timeMs(async () => {
      const rs = Array.from({ length: REPS }, f);
      await mx.eval(rs);
      for (const r of rs) r.dispose();
    }, 7, 2, WARMUP_MS)) / REPS;
  const peer = async (f: () => tf.Tensor) =>
    (await timeMs(async () => {
      const rs = Array.from({ length: REPS }, f);
      await tfSync();
      for (const r of rs) r.dispose();
    }, 7, 2, WARMUP_MS)) / REPS;
  const mAdd = gbps(await ours(() => mx.add(a, b, o)), 3), pAdd = gbps(await peer(() => tf.add(ta, tb)), 3);
  const mExp = gbps(await ours(() => mx.exp(a, o)), 2), pExp = gbps(await peer(() => tf.exp(ta)), 2);
  const copy = Math.max(copyBefore, await copyBandwidth(device, N, REPS, WARMUP_MS));
  rows.push({ name: `add ${N / 2 ** 20}M f32 (copy kernel ${copy.toFixed(0)} GB/s; ours ${((100 * mAdd) / copy).toFixed(0)}% of it)`, unit: "GB/s", ours: mAdd, peer: pAdd, higherIsBetter: true });
  rows.push({ name: `exp ${N / 2 ** 20}M f32 (ours ${((100 * mExp) / copy).toFixed(0)}% of copy)`, unit: "GB/s", ours: mExp, peer: pExp, higherIsBetter: true });
  rows.push({ name: `sum ${N / 2 ** 20}M f32`, unit: "ms", ours: await ours(() => mx.sum(a, o)), peer: await peer(() => tf.sum(ta)), higherIsBetter: false });
  a.dispose();
  b.dispose();
  ta.dispose();
  tb.dispose();
}

for (const n of SIZES) {
  const m = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const a = mx.reshape(mx.array(m, undefined, o), [n, n], o);
  await mx.eval(a);
  const ta = tf.tensor2d(m, [n, n]);
  const flops = (ms: number) => (2 * n ** 3) / (ms / 1000) / 1e12;
  const ours = (await timeMs(async () => {
    const cs = Array.from({ length: REPS }, () => mx.matmul(a, a, o));
    await mx.eval(cs);
    for (const c of cs) c.dispose();
  }, 5, 1, WARMUP_MS)) / REPS;
  const peer = (await timeMs(async () => {
    const cs = Array.from({ length: REPS }, () => tf.matMul(ta, ta));
    await tfSync();
    for (const c of cs) c.dispose();
  }, 5, 1, WARMUP_MS)) / REPS;
  rows.push({ name: `matmul ${n} f32`, unit: "TFLOP/s", ours: flops(ours), peer: flops(peer), higherIsBetter: true });
  a.dispose();
  ta.dispose();
}

{
  const OPS = 1000;
  const x0 = mx.array(new Float32Array(16).fill(1), undefined, o);
  const t0 = tf.tensor1d(new Float32Array(16).fill(1));
  const ours = await timeMs(async () => {
    const r = mx.tidy(() => {
      let x = x0;
      for (let i = 0; i < OPS / 2; i++) x = mx.add(mx.multiply(x, 1.0001, o), 0.5, o);
      return x;
    });
    await mx.eval(r);
    r.dispose();
  }, 21, 3, WARMUP_MS);
  const peer = await timeMs(async () => {
    const r = tf.tidy(() => {
      let x = t0;
      for (let i = 0; i < OPS / 2; i++) x = tf.add(tf.mul(x, 1.0001), 0.5);
      return x;
    });
    await tfSync();
    r.dispose();
  }, 21, 3, WARMUP_MS);
  rows.push({ name: "chain of 1000 ops on 16 f32", unit: "us/op", ours: (ours * 1000) / OPS, peer: (peer * 1000) / OPS, higherIsBetter: false });
  // the same chain through mx.compile (traced once; fused where the backend fuses)
  const compiledChain = mx.compile((x: mx.MxArray) => {
    for (let i = 0; i < OPS / 2; i++) x = mx.add(mx.multiply(x, 1.0001, o), 0.5, o);
    return x;
  });
  const oursCompiled = await timeMs(async () => {
    const r = compiledChain(x0);
    await mx.eval(r);
    r.dispose();
  }, 21, 3, WARMUP_MS);
  rows.push({ name: "chain of 1000 ops on 16 f32, compiled", unit: "us/op", ours: (oursCompiled * 1000) / OPS, peer: (peer * 1000) / OPS, higherIsBetter: false });
}

printTable(`mlx-ts webgpu vs tfjs-backend-webgpu 4.22 on the same Dawn device (${gpu.ctx.description})`, "tfjs-webgpu", rows);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), adapter: gpu.ctx.description, date: new Date().toISOString(), rows }, null, 2));
