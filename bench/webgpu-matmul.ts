// The webgpu matmul's tile configs measured one by one, as the tuner measures
// them (scratch operands, device timestamps where the device has them), for
// float32 and float16 at each size, A @ B and A @ B^T; the tuned choice run
// through mx.matmul beside TensorFlow.js's WebGPU matmul on the same device;
// and matrix-vector products in GB/s beside the plain copy kernel.
// Run: npx tsx bench/webgpu-matmul.ts [--small] [--json FILE]   (--small: sizes for lavapipe)

import { writeFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs-core";
import * as mx from "../index.js";
import { configByName, configName } from "../backends/webgpu/matmul-configs.js";
import { tuneMatmulClass, type MatmulClass, type TuningResult } from "../backends/webgpu/matmul-tuning.js";
import { machine, printTable, timeMs, type Row } from "./harness.js";
import { tfjsOnMlxDevice } from "./peers/tfjs-webgpu.js";
import { copyBandwidth } from "./webgpu-copy.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
const SIZES = small ? [128, 256] : [1024, 2048, 4096];
/** The matrix-vector product 1 x K x L (and its transpose L x K x 1). */
const [MV_K, MV_L] = small ? [512, 2048] : [4096, 16384];
const REPS = 10;
/** The configs swept: all that fit the device, or (--small: lavapipe compiles each for seconds) one per micro-tile shape. */
const CANDIDATES = small ? ["64x64/4x4/k16/db", "64x128/4x8/k8/sb", "128x64/8x4/k16/db", "128x128/8x8/k8/sb"].map((n) => configByName(n)!) : undefined;
const WARMUP_MS = small ? 0 : 500;
// the library rows use the tuned choices on every adapter, lavapipe included
process.env.MLX_TS_MATMUL_TUNING ??= "on";

const started = performance.now();
const { gpu, device, tfSync } = await tfjsOnMlxDevice();
const o = { stream: mx.webgpu };

console.log(`adapter: ${gpu.ctx.description}; features: ${[...gpu.ctx.features].join(", ") || "none"}; workgroup storage ${device.limits.maxComputeWorkgroupStorageSize} B`);
console.log(`timing: ${gpu.ctx.features.has("timestamp-query") ? "device timestamps" : "wall time to onSubmittedWorkDone"}\n`);

// the per-config sweep, one column per class
const classes: { label: string; n: number; cls: MatmulClass }[] = [];
for (const n of SIZES) {
  for (const [dname, d] of [["f32", mx.float32], ["f16", mx.float16]] as const) {
    classes.push({ label: `${n} ${dname} nn`, n, cls: { aDtype: d, bDtype: d, M: n, N: n, K: n, batches: 1, aKFast: true, bKFast: false } });
  }
  classes.push({ label: `${n} f32 nt`, n, cls: { aDtype: mx.float32, bDtype: mx.float32, M: n, N: n, K: n, batches: 1, aKFast: true, bKFast: true } });
}
const sweeps: { label: string; n: number; result: TuningResult }[] = [];
for (const c of classes) {
  sweeps.push({ label: c.label, n: c.n, result: await tuneMatmulClass(gpu, c.cls, CANDIDATES) });
  process.stdout.write(`tuned ${c.label} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}
/** Matmul rates in TFLOP/s, or GFLOP/s with --small (software adapters). */
const RATE = small ? "GFLOP/s" : "TFLOP/s";
const tflops = (n: number, ms: number) => (2 * n ** 3) / (ms / 1000) / (small ? 1e9 : 1e12);
{
  const names = sweeps[0]!.result.timings.map((t) => configName(t.config));
  const header = [`config (${RATE})`, ...sweeps.map((s) => s.label)];
  const body = names.map((name, i) => [name, ...sweeps.map((s) => {
    const t = s.result.timings[i];
    if (!t) return "-";
    return `${tflops(s.n, t.ms).toFixed(2)}${configName(s.result.best) === name ? " *" : ""}`;
  })]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  console.log(`\nper-config sweep (* = the tuned choice; nn: A @ B, nt: A @ B^T)\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const b of body) console.log(line(b));
}

const rows: Row[] = [];
const seeded = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.cos(i));
for (const n of SIZES) {
  for (const [dname, d] of [["f32", mx.float32], ["f16", mx.float16]] as const) {
    const a = mx.astype(mx.reshape(mx.array(seeded(n * n), undefined, o), [n, n], o), d, o);
    await mx.eval(a);
    const ours = (await timeMs(async () => {
      const cs = Array.from({ length: REPS }, () => mx.matmul(a, a, o));
      await mx.eval(cs);
      for (const c of cs) c.dispose();
    }, 5, 1, WARMUP_MS)) / REPS;
    let peer = NaN;
    if (d === mx.float32) {
      const ta = tf.tensor2d(seeded(n * n), [n, n]);
      peer = (await timeMs(async () => {
        const cs = Array.from({ length: REPS }, () => tf.matMul(ta, ta));
        await tfSync();
        for (const c of cs) c.dispose();
      }, 5, 1, WARMUP_MS)) / REPS;
      ta.dispose();
    }
    rows.push({ name: `mx.matmul ${n} ${dname} (tuned)`, unit: RATE, ours: tflops(n, ours), peer: Number.isNaN(peer) ? NaN : tflops(n, peer), higherIsBetter: true });
    a.dispose();
  }
}

const copy = await copyBandwidth(device, MV_K * MV_L, REPS, WARMUP_MS);
rows.push({ name: `copy kernel ${MV_K * MV_L} f32`, unit: "GB/s", ours: copy, peer: NaN, higherIsBetter: true });
for (const [dname, d] of [["f32", mx.float32], ["f16", mx.float16]] as const) {
  const m = mx.astype(mx.reshape(mx.array(seeded(MV_K * MV_L), undefined, o), [MV_K, MV_L], o), d, o);
  const v = mx.astype(mx.array(seeded(MV_K), undefined, o), d, o);
  const mt = mx.reshape(m, [MV_L, MV_K], o);
  await mx.eval(m, v, mt);
  const gbs = (ms: number) => (MV_K * MV_L * d.size) / (ms / 1000) / 1e9;
  for (const [label, f] of [
    [`matvec 1x${MV_K}x${MV_L} ${dname} (v @ M)`, () => mx.matmul(mx.reshape(v, [1, MV_K], o), m, o)],
    [`matvec ${MV_L}x${MV_K}x1 ${dname} (M @ v)`, () => mx.matmul(mt, mx.reshape(v, [MV_K, 1], o), o)],
  ] as const) {
    const ms = (await timeMs(async () => {
      const cs = Array.from({ length: REPS }, f);
      await mx.eval(cs);
      for (const c of cs) c.dispose();
    }, 5, 1, WARMUP_MS)) / REPS;
    let peer = NaN;
    if (d === mx.float32) {
      const tm = label.includes("v @ M") ? tf.tensor2d(seeded(MV_K * MV_L), [MV_K, MV_L]) : tf.tensor2d(seeded(MV_K * MV_L), [MV_L, MV_K]);
      const tv = label.includes("v @ M") ? tf.tensor2d(seeded(MV_K), [1, MV_K]) : tf.tensor2d(seeded(MV_K), [MV_K, 1]);
      peer = gbs((await timeMs(async () => {
        const cs = Array.from({ length: REPS }, () => (label.includes("v @ M") ? tf.matMul(tv, tm) : tf.matMul(tm, tv)));
        await tfSync();
        for (const c of cs) c.dispose();
      }, 5, 1, WARMUP_MS)) / REPS);
      tm.dispose();
      tv.dispose();
    }
    rows.push({ name: `${label}, ${((100 * gbs(ms)) / copy).toFixed(0)}% of copy`, unit: "GB/s", ours: gbs(ms), peer, higherIsBetter: true });
  }
  for (const x of [m, v, mt]) x.dispose();
}

printTable("webgpu matmul: the tuned choice through mx.matmul, and matrix-vector products (matrix bytes read per second)", "tfjs-webgpu", rows);
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (jsonOut) {
  const sweep = sweeps.map((s) => ({ class: s.label, key: s.result.key, best: configName(s.result.best), [RATE]: Object.fromEntries(s.result.timings.map((t) => [configName(t.config), tflops(s.n, t.ms)])) }));
  writeFileSync(jsonOut, JSON.stringify({ machine: machine(), adapter: gpu.ctx.description, sweep, rows }, null, 1));
}
process.exit(0);
