// Products of few output tiles and a deep K, which the webgpu matmul splits
// along K (backends/webgpu/matmul-splits.ts): each split count's kernel time
// per tile config (device timestamps, as the tuner times them), then
// mx.matmul whole and as the rule splits it, beside PyTorch (CUDA, TF32 off).
// Run: npx tsx bench/webgpu-matmul-splits.ts [--small] [--all-configs] [--json FILE]

import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as mx from "../index.js";
import { configByName, configName, type MatmulConfig } from "../backends/webgpu/matmul-configs.js";
import { forceMatmulSplits, matmulSplit } from "../backends/webgpu/matmul-splits.js";
import { forceMatmulConfig, tuneMatmulClass } from "../backends/webgpu/matmul-tuning.js";
import { deviceMs } from "./gpu-timer.js";
import { machine, printPeersTable, timeMs, type MultiRow } from "./harness.js";
import { tfjsOnMlxDevice } from "./peers/tfjs-webgpu.js";
import { torchTimes, type TorchCase } from "./peers/torch.js";

const args = process.argv.slice(2);
const small = args.includes("--small");
const jsonOut = args.includes("--json") ? args[args.indexOf("--json") + 1] : undefined;
/** [M, K, N] of each float32 product (A @ B, both row-major). */
const SHAPES: readonly [number, number, number][] = small
  ? [[64, 4096, 64], [128, 2048, 96]]
  : [[1024, 1024, 1024], [1024, 4096, 1024], [256, 8192, 1024], [1024, 8192, 256], [512, 4096, 512], [128, 16384, 128], [2048, 2048, 2048]];
const SPLITS = [1, 2, 4, 8, 16];
const CANDIDATES = args.includes("--all-configs") ? undefined : (small ? ["64x64/4x4/k8/sb", "64x64/4x4/k16/db"] : ["128x128/8x8/k16/db", "128x64/8x4/k16/db", "64x128/4x8/k16/db", "64x64/4x4/k16/db", "128x128/8x8/k8/db", "128x64/8x4/k32/sb"]).map((n) => configByName(n)!);
const REPS = 10;
const WARMUP_MS = small ? 0 : 500;
process.env.MLX_TS_MATMUL_TUNING = "off";
// the sweeps time configs under forced split counts: their choices must not reach the user's tuning cache
process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), "mlx-ts-splits-bench-"));

const { gpu } = await tfjsOnMlxDevice();
const o = { stream: mx.webgpu };
const bindable = gpu.ctx.device.limits.maxStorageBufferBindingSize;
const unit = small ? "GFLOP/s" : "TFLOP/s";
const rate = ([M, K, N]: readonly number[], ms: number) => (2 * M! * K! * N!) / (ms / 1000) / (small ? 1e9 : 1e12);
console.log(`adapter: ${gpu.ctx.description}; timing: ${gpu.ctx.features.has("timestamp-query") ? "device timestamps" : "wall time"}\n`);

const rows: MultiRow[] = [];
const torchCases: TorchCase[] = [];
const sweep: Record<string, Record<string, number>> = {};
for (const shape of SHAPES) {
  const [M, K, N] = shape;
  const label = `${M}x${K}x${N}`;
  // the kernel alone (no second pass) for each split count and config: the best config per split count
  const best = new Map<number, { cfg: MatmulConfig; ms: number }>();
  const seen = new Set<number>();
  forceMatmulSplits(undefined);
  const rule = matmulSplit(M, N, K, 1, bindable).splits;
  for (const want of [...SPLITS, rule]) {
    forceMatmulSplits(want);
    const { splits } = matmulSplit(M, N, K, 1, bindable);
    if (seen.has(splits)) continue;
    seen.add(splits);
    const r = await tuneMatmulClass(gpu, { aDtype: mx.float32, bDtype: mx.float32, M, N, K, batches: 1, aKFast: true, bKFast: false }, CANDIDATES);
    const t = r.timings.reduce((a, b) => (b.ms < a.ms ? b : a));
    best.set(splits, { cfg: t.config, ms: t.ms });
    sweep[`${label} splits ${splits}`] = Object.fromEntries(r.timings.map((x) => [configName(x.config), rate(shape, x.ms)]));
    console.log(`${label} splits ${splits}: kernel ${r.timings.map((x) => `${configName(x.config)} ${rate(shape, x.ms).toFixed(1)}`).join(", ")}`);
  }
  forceMatmulSplits(undefined);
  // mx.matmul end to end (the split's second pass included): whole, and as the rule splits it
  const a = mx.random.normal([M, K], o), b = mx.random.normal([K, N], o);
  await mx.eval(a, b);
  const timed = async (splits: number) => {
    forceMatmulSplits(splits);
    forceMatmulConfig(best.get(matmulSplit(M, N, K, 1, bindable).splits)!.cfg);
    const run = async () => {
      const cs = Array.from({ length: REPS }, () => mx.matmul(a, b, o));
      await mx.eval(cs);
      for (const c of cs) c.dispose();
    };
    const ms = (await timeMs(run, 5, 1, WARMUP_MS)) / REPS;
    const device = await deviceMs(gpu, run);
    forceMatmulSplits(undefined);
    forceMatmulConfig(undefined);
    const alone = device === undefined ? "" : `, kernels alone ${rate(shape, device / REPS).toFixed(1)}`;
    const name = `${label} ${splits === 1 ? "whole" : `${splits} splits`} (${configName(best.get(splits)!.cfg)}${alone})`;
    console.log(`${name}: ${rate(shape, ms).toFixed(1)} ${unit}`);
    return { name, unit, ours: rate(shape, ms), peers: [NaN], higherIsBetter: true };
  };
  rows.push(await timed(1));
  if (rule > 1) rows.push(await timed(rule));
  torchCases.push(["matmul", { m: M, k: K, n: N, key: `matmul ${label}`, warmup_ms: WARMUP_MS }]);
  a.dispose();
  b.dispose();
}

const torch = torchTimes(torchCases);
for (const r of rows) {
  const ms = torch[`matmul ${r.name.split(" ")[0]}`];
  if (ms !== undefined) r.peers[0] = rate(r.name.split(" ")[0]!.split("x").map(Number), ms);
}
printPeersTable("webgpu matmul split along K (float32)", ["torch"], rows);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: machine(), adapter: gpu.ctx.description, sweep, rows }, null, 1));
process.exit(0);
