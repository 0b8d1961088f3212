// mlx-ts's webgpu backend beside TensorFlow.js's WebGPU backend running on the
// same Dawn device and PyTorch (CUDA, TF32 off) on the same card, in one run: a
// plain WGSL copy kernel (the bandwidth ceiling; torch: copy_), elementwise add
// and exp, sum, matmul, and a chain of 1000 small ops (also through mx.compile;
// the peers' rows are eager dispatch). Throughput rows time REPS back-to-back
// ops per device wait (steady state, the same for every library; matmul also
// by the device's span of them, as torch's CUDA events time it); the chain row
// is built inside tidy on our side and tfjs's. Torch runs after our rows in a
// Python subprocess (bench/peers/torch_ops.py); its column is n/a where
// `python3 -c "import torch"` fails or torch has no CUDA device.
// Run: npx tsx bench/webgpu.ts [--small] [--json FILE]   (--small: sizes for lavapipe)

import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import * as mx from "../index.js";
import { machine, printPeersTable, timeMs, type MultiRow } from "./harness.js";
import { tfjsOnMlxDevice } from "./peers/tfjs-webgpu.js";
import { torchTimes, type TorchCase } from "./peers/torch.js";
import { copyBandwidth } from "./webgpu-copy.js";
import { deviceMs } from "./gpu-timer.js";
import { matmulTuningSettled } from "../backends/webgpu/matmul-tuning.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const N = small ? 1 << 20 : 1 << 26;
const SIZES = small ? [256, 512] : [1024, 2048, 4096];
/** Ops per timed sample in the throughput rows. */
const REPS = 10;
/** Warm-up per row: the GPU clocks down while the host prepares the next row's data. */
const WARMUP_MS = small ? 0 : 1000;

const { gpu, device, tfSync } = await tfjsOnMlxDevice();
const o = { stream: mx.webgpu };

/** A row with tfjs's number and, once torch has run, torch's (NaN until then, and where it has none). */
const rows: MultiRow[] = [];
/** Torch's case for each row that has one, and how its milliseconds per op become the row's number. */
const torchCases: { row: MultiRow; case: TorchCase; score: (ms: number) => number }[] = [];
const row = (name: string, unit: string, ours: number, tfjs: number, higherIsBetter: boolean, torch?: [TorchCase, (ms: number) => number]) => {
  const r: MultiRow = { name, unit, ours, peers: [tfjs, NaN], higherIsBetter };
  rows.push(r);
  if (torch) torchCases.push({ row: r, case: torch[0], score: torch[1] });
};
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
  const M = `${N / 2 ** 20}M`;
  const perMs = (arrays: number) => (ms: number) => gbps(ms, arrays);
  row(`copy ${M} f32 (ours: the WGSL copy kernel; torch: copy_)`, "GB/s", copy, NaN, true, [["copy", { n: N, key: "copy" }], perMs(2)]);
  row(`add ${M} f32 (ours ${((100 * mAdd) / copy).toFixed(0)}% of copy)`, "GB/s", mAdd, pAdd, true, [["unary", { n: N, fn: "add", key: "add" }], perMs(3)]);
  row(`exp ${M} f32 (ours ${((100 * mExp) / copy).toFixed(0)}% of copy)`, "GB/s", mExp, pExp, true, [["unary", { n: N, fn: "exp", key: "exp" }], perMs(2)]);
  row(`sum ${M} f32`, "ms", await ours(() => mx.sum(a, o)), await peer(() => tf.sum(ta)), false, [["sum", { n: N, key: "sum" }], (ms) => ms]);
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
  // the first product of a size class starts the adapter's tile tuning in the background: time the tuned kernel
  const first = mx.matmul(a, a, o);
  await mx.eval(first);
  first.dispose();
  await matmulTuningSettled();
  const products = async () => {
    const cs = Array.from({ length: REPS }, () => mx.matmul(a, a, o));
    await mx.eval(cs);
    for (const c of cs) c.dispose();
  };
  const ours = (await timeMs(products, 5, 1, WARMUP_MS)) / REPS;
  const peer = (await timeMs(async () => {
    const cs = Array.from({ length: REPS }, () => tf.matMul(ta, ta));
    await tfSync();
    for (const c of cs) c.dispose();
  }, 5, 1, WARMUP_MS)) / REPS;
  const torchCase: [TorchCase, (ms: number) => number] = [["matmul", { n, key: `matmul ${n}` }], flops];
  row(`matmul ${n} f32`, "TFLOP/s", flops(ours), flops(peer), true, torchCase);
  // torch's figure is CUDA events around its products: ours the same way, from the first kernel's start to the last one's end
  const span = await deviceMs(gpu, products, 5, "span");
  if (span !== undefined) row(`matmul ${n} f32, device span (as torch's CUDA events)`, "TFLOP/s", flops(span / REPS), NaN, true, torchCase);
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
  const usPerOp = (ms: number) => (ms * 1000) / OPS;
  const torchChain: [TorchCase, (ms: number) => number] = [["chain", { ops: OPS, key: "chain" }], usPerOp];
  row("chain of 1000 ops on 16 f32", "us/op", usPerOp(ours), usPerOp(peer), false, torchChain);
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
  row("chain of 1000 ops on 16 f32, compiled (peers: eager)", "us/op", usPerOp(oursCompiled), usPerOp(peer), false, torchChain);
}

// torch last, in its own process, once our rows and tfjs's are done with the card; each case warmed up as ours
const torch = torchTimes([...new Map(torchCases.map((t): [string, TorchCase] => [t.case[1].key, [t.case[0], { ...t.case[1], warmup_ms: WARMUP_MS }]])).values()]);
for (const t of torchCases) {
  const ms = torch[t.case[1].key];
  if (ms !== undefined) t.row.peers[1] = t.score(ms);
}

const PEERS = ["tfjs-webgpu", "torch"];
printPeersTable(`mlx-ts webgpu vs tfjs-backend-webgpu 4.22 on the same Dawn device and PyTorch (CUDA, TF32 off) on the same card (${gpu.ctx.description})`, PEERS, rows);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), adapter: gpu.ctx.description, date: new Date().toISOString(), peers: PEERS, rows }, null, 2));
