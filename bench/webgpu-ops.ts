// The webgpu backend's scans, sorts, row-wise ops, attention and quantized
// matrix-vector products beside PyTorch on the same card (CUDA, in the same
// run, through bench/peers/torch_ops.py; n/a where torch, CUDA or the op is
// absent) and beside a plain WGSL copy kernel, the bandwidth ceiling. Times
// are per op, 10 ops per device wait; where the device has timestamps, a row
// also shows its number by the device time of its kernels alone (GB/s rows:
// as a share of the copy kernel timed in the same pairs of runs,
// bench/gpu-timer.ts's pairedDeviceRuns).
// Run: npx tsx bench/webgpu-ops.ts [--small] [--only REGEX] [--json FILE]
//   (--small: sizes for lavapipe; --only: the benchmarks whose name matches)

import { writeFileSync } from "node:fs";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { machine, median, printTable, timeMs, type Row } from "./harness.js";
import { copyBandwidth, copyDeviceBandwidth, copyDeviceTimer, type CopyDeviceTimer } from "./webgpu-copy.js";
import { deviceMs, pairedDeviceRuns } from "./gpu-timer.js";
import { matmulTuningSettled } from "../backends/webgpu/matmul-tuning.js";
import { torchTimes, type TorchCase } from "./peers/torch.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const only = args.includes("--only") ? new RegExp(args[args.indexOf("--only") + 1] ?? "") : undefined;
const REPS = 10;
const WARMUP_MS = small ? 0 : 1000;
const N = small ? 1 << 20 : 1 << 26;
const SORT_N = small ? 1 << 18 : 1 << 24;
const [ROWS, COLS] = small ? [256, 1024] : [16384, 4096];

const gpu = getBackend("webgpu") as WebGpuBackend;
const o = { stream: mx.webgpu };

/** One benchmark: torch's case name and arguments, our op, and how a time becomes the row's number. */
interface Bench {
  key: string;
  torch: [string, Record<string, unknown>];
  inputs: () => mx.MxArray[];
  run: (xs: mx.MxArray[]) => mx.MxArray | mx.MxArray[];
  unit: string;
  /** The row's number from milliseconds per op. */
  score: (ms: number) => number;
  higherIsBetter: boolean;
}

const gbps = (bytes: number) => (ms: number) => bytes / (ms / 1000) / 1e9;
const uniform = (shape: number[]) => () => [mx.random.uniform(0, 1, shape, { key: mx.random.key(1), stream: mx.webgpu })];
const fast = mx.fast as unknown as Record<string, ((...a: unknown[]) => mx.MxArray) | undefined>;

const benches: Bench[] = [
  // the math library's cost (issue 18: exp, sin, tanh at >= 90% of add's bandwidth)
  ...(["add", "exp", "sin", "tanh"] as const).map((fn): Bench => ({
    key: `${fn} ${N / 2 ** 20}M f32`, torch: ["unary", { n: N, fn }], inputs: () => [...uniform([N])(), ...uniform([N])()],
    run: ([x, y]) => (fn === "add" ? mx.add(x!, y!, o) : mx[fn](x!, o)), unit: "GB/s", score: gbps((fn === "add" ? 3 : 2) * N * 4), higherIsBetter: true,
  })),
  { key: `cumsum ${N / 2 ** 20}M f32`, torch: ["cumsum", { n: N }], inputs: uniform([N]), run: ([x]) => mx.cumsum(x!, 0, o), unit: "GB/s", score: gbps(2 * N * 4), higherIsBetter: true },
  { key: `sort ${SORT_N / 2 ** 20}M f32 keys (stable)`, torch: ["sort", { n: SORT_N }], inputs: uniform([SORT_N]), run: ([x]) => mx.sort(x!, 0, o), unit: "Mkeys/s", score: (ms) => SORT_N / (ms / 1000) / 1e6, higherIsBetter: true },
  { key: `softmax ${ROWS}x${COLS} f32`, torch: ["softmax", { rows: ROWS, cols: COLS }], inputs: uniform([ROWS, COLS]), run: ([x]) => mx.softmax(x!, -1, o), unit: "GB/s", score: gbps(2 * ROWS * COLS * 4), higherIsBetter: true },
];
if (fast.layerNorm) {
  benches.push({
    key: `layerNorm ${ROWS}x${COLS} f32`, torch: ["layerNorm", { rows: ROWS, cols: COLS }],
    inputs: () => [...uniform([ROWS, COLS])(), ...uniform([COLS])(), ...uniform([COLS])()],
    run: ([x, w, b]) => fast.layerNorm!(x, w, b, 1e-5, o), unit: "GB/s", score: gbps(2 * ROWS * COLS * 4), higherIsBetter: true,
  });
}
if (fast.rmsNorm) {
  benches.push({
    key: `rmsNorm ${ROWS}x${COLS} f32`, torch: ["rmsNorm", { rows: ROWS, cols: COLS }],
    inputs: () => [...uniform([ROWS, COLS])(), ...uniform([COLS])()],
    run: ([x, w]) => fast.rmsNorm!(x, w, 1e-5, o), unit: "GB/s", score: gbps(2 * ROWS * COLS * 4), higherIsBetter: true,
  });
}

// attention, fused (flash) and composed from matmul + softmax (which materialises the score matrix), at head dim 128
const ATTENTION = small ? [{ b: 1, h: 4, l: 256 }] : [{ b: 1, h: 32, l: 2048 }, { b: 4, h: 16, l: 4096 }, { b: 1, h: 8, l: 8192 }];
const D = small ? 64 : 128;
const attentionFlops = (a: { b: number; h: number; l: number }) => 4 * a.b * a.h * a.l * a.l * D;
if (fast.scaledDotProductAttention) {
  for (const a of ATTENTION) {
    const qkv = () => [0, 1, 2].map((i) => mx.random.normal([a.b, a.h, a.l, D], { key: mx.random.key(i), stream: mx.webgpu }));
    const scale = 1 / Math.sqrt(D);
    const tflops = (ms: number) => attentionFlops(a) / (ms / 1000) / 1e12;
    benches.push({
      key: `attention b${a.b} h${a.h} L${a.l} d${D} f32 (flash)`, torch: ["attention", { b: a.b, h: a.h, l: a.l, d: D }], inputs: qkv,
      run: ([q, k, v]) => fast.scaledDotProductAttention!(q, k, v, { scale, stream: mx.webgpu }), unit: "TFLOP/s", score: tflops, higherIsBetter: true,
    });
    // the composition holds b*h*L^2 float32 scores in one buffer: skip it past WebGPU's 2 GiB binding limit
    if (a.b * a.h * a.l * a.l * 4 < 2 ** 31) {
      benches.push({
        key: `attention b${a.b} h${a.h} L${a.l} d${D} f32 (matmul + softmax)`, torch: ["attention", { b: a.b, h: a.h, l: a.l, d: D }], inputs: qkv,
        run: ([q, k, v]) => mx.matmul(mx.softmax(mx.multiply(mx.matmul(q!, mx.swapaxes(k!, -1, -2, o), o), scale, o), -1, o), v!, o), unit: "TFLOP/s", score: tflops, higherIsBetter: true,
      });
    }
  }
}
// quantized matrix-vector products: the packed weights' bytes per second (no torch counterpart); an
// LLM layer's size (32 MiB of 4-bit weights: a few microseconds, where a dispatch's fixed cost shows)
// and one 4 times larger, where the kernel's own bandwidth shows more
const QMV_SIZES: [number, number][] = small ? [[1024, 1024]] : [[16384, 4096], [32768, 8192]];
for (const [QN, QK] of QMV_SIZES) {
  for (const bits of [4, 8]) {
    const wBytes = (QN * QK * bits) / 8 + 2 * (QN * QK / 64) * 4;
    benches.push({
      key: `quantizedMatmul 1x${QK} by ${QN}x${QK} ${bits}-bit (weights)`, torch: ["none", {}],
      inputs: () => {
        const w = mx.random.normal([QN, QK], { key: mx.random.key(3), stream: mx.webgpu });
        const [wq, sc, bi] = mx.quantize(w, 64, bits, { stream: mx.webgpu });
        return [mx.random.normal([1, QK], { key: mx.random.key(4), stream: mx.webgpu }), wq, sc, bi];
      },
      run: ([x, wq, sc, bi]) => mx.quantizedMatmul(x!, wq!, sc!, bi!, { transpose: true, groupSize: 64, bits, stream: mx.webgpu }),
      unit: "GB/s", score: gbps(wBytes), higherIsBetter: true,
    });
  }
}

/**
 * A row's number by the device time of its kernels alone: a GB/s row's as a
 * share of the copy kernel timed in the same pairs (the median of the pairs'
 * shares; undefined where no pair had a rate), another row's in its unit.
 */
async function kernelsAloneOf(b: Bench, reps: () => Promise<void>, copyTimer: CopyDeviceTimer): Promise<number | undefined> {
  if (b.unit !== "GB/s") {
    const device = await deviceMs(gpu, reps);
    return device === undefined ? undefined : b.score(device / REPS);
  }
  const shares = ((await pairedDeviceRuns(gpu, reps, copyTimer)) ?? []).map((p) => b.score(p.ms / REPS) / p.copyGBs).filter(Number.isFinite);
  return shares.length ? median(shares) : undefined;
}

if (only) benches.splice(0, benches.length, ...benches.filter((b) => only.test(b.key)));
const rows: Row[] = [];
/** Peak memory of each row (inputs and REPS results included), for the attention rows' memory comparison. */
const peaks: number[] = [];
/** Each row's number by the device time of its kernels alone (timestamp-query), without the host's encoding (kernelsAloneOf). */
const kernelsAlone: (number | undefined)[] = [];
const copy = await copyBandwidth(gpu.ctx.device, N, REPS, WARMUP_MS);
/** The copy kernel on the device, timed beside each row's kernels in pairs (bench/gpu-timer.ts, pairedDeviceRuns); undefined without timestamps. */
const copyTimer = copyDeviceTimer(gpu.ctx.device, N, REPS);
/** The copy kernel's device GB/s at the start, printed in the table (the shares take the pairs'). */
const copyDevice = copyTimer && (await copyDeviceBandwidth(copyTimer));
for (const b of benches) {
  mx.clearCache();
  mx.resetPeakMemory();
  const xs = b.inputs();
  await mx.eval(xs);
  const reps = async () => {
    const rs = Array.from({ length: REPS }, () => b.run(xs)).flat();
    await mx.eval(rs);
    for (const r of rs) r.dispose();
  };
  // a first run starts the matmul tuner for the row's products (attention through matmul + softmax): time the tuned kernels, and leave no tuning running into later rows
  await reps();
  await matmulTuningSettled();
  const ms = (await timeMs(reps, 7, 2, WARMUP_MS)) / REPS;
  kernelsAlone.push(copyTimer === undefined ? undefined : await kernelsAloneOf(b, reps, copyTimer));
  rows.push({ name: b.key, unit: b.unit, ours: b.score(ms), peer: NaN, higherIsBetter: b.higherIsBetter });
  peaks.push(mx.getPeakMemory());
  for (const x of xs) x.dispose();
}
copyTimer?.destroy();
const peer = torchTimes(benches.map((b): TorchCase => [b.torch[0], { ...b.torch[1], key: b.key }]));
rows.forEach((r, i) => {
  const t = peer[benches[i]!.key];
  if (t !== undefined) r.peer = benches[i]!.score(t);
  const alone = kernelsAlone[i];
  if (r.unit === "GB/s") r.name += ` (${((100 * r.ours) / copy).toFixed(0)}% of copy${alone === undefined ? "" : `; kernels alone ${(100 * alone).toFixed(0)}%`})`;
  else if (alone !== undefined) r.name += ` (kernels alone ${alone.toPrecision(3)} ${r.unit})`;
  if (r.name.startsWith("attention")) r.name += ` (peak ${(peaks[i]! / 2 ** 20).toFixed(0)} MiB)`;
});

printTable(`mlx-ts webgpu vs PyTorch (CUDA) on the same card; WGSL copy kernel ${copy.toFixed(0)} GB/s${copyDevice === undefined ? "" : ` (device time: ${copyDevice.toFixed(0)} GB/s)`} (${gpu.ctx.description})`, "torch", rows);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), adapter: gpu.ctx.description, date: new Date().toISOString(), copyGBps: copy, rows, peakBytes: peaks }, null, 2));
