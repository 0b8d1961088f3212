// int8 @ int8 through mx.matmul on webgpu (subgroup matrices where the
// adapter has them: backends/webgpu/matmul-int8.ts) beside float32 @ float32
// of the same shapes in one run: TOP/s (int8) against TFLOP/s (float32),
// 2 M N K operations per product, 10 products per device wait.
// Run: npx tsx bench/webgpu-int8-matmul.ts [--small]   (--small: 256 and 512, for lavapipe)

import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { SUBGROUP_MATRIX_FEATURE } from "../backends/webgpu/matmul-int8.js";
import { matmulTuningSettled } from "../backends/webgpu/matmul-tuning.js";
import { machine, timeMs } from "./harness.js";

const small = process.argv.includes("--small");
const SIZES = small ? [256, 512] : [1024, 2048, 4096, 8192];
const REPS = 10;
const o = { stream: mx.webgpu };
// float32 on its tuned tile shapes, as bench/webgpu-matmul.ts runs it (--small, for lavapipe: untuned)
if (!small) process.env.MLX_TS_MATMUL_TUNING ??= "on";
const gpu = getBackend("webgpu") as WebGpuBackend;

/** Tera-operations per second of n x n x n products of `dtype`. */
async function rate(n: number, dtype: mx.DType): Promise<number> {
  const draw = (seed: number) => {
    const u = mx.random.uniform(-100, 100, [n, n], { key: mx.random.key(seed), stream: mx.webgpu });
    return dtype === mx.float32 ? u : mx.astype(u, dtype, o);
  };
  const [a, b] = [draw(1), draw(2)];
  await mx.eval([a, b, mx.matmul(a, b, o)]);
  // the first float32 product of a size starts the tile tuner in the background: time the tuned kernel, not the tuner
  await matmulTuningSettled();
  const ms = (await timeMs(async () => {
    const rs = Array.from({ length: REPS }, () => mx.matmul(a, b, o));
    await mx.eval(rs);
    for (const r of rs) r.dispose();
  }, 5, 1, small ? 0 : 500)) / REPS;
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / (ms / 1000) / 1e12;
}

console.log(`\nint8 matmul on webgpu beside float32 (${gpu.ctx.features.has(SUBGROUP_MATRIX_FEATURE) ? "subgroup matrices" : "no subgroup matrices: both on the float32 kernel"})`);
console.log(`adapter: ${gpu.ctx.description}\nmachine: ${machine()}\n`);
console.log("| n | int8 TOP/s | float32 TFLOP/s | ratio |\n|---|---|---|---|");
for (const n of SIZES) {
  const i8 = await rate(n, mx.int8);
  const f32 = await rate(n, mx.float32);
  const fmt = (v: number) => (small ? v.toFixed(4) : v.toFixed(1));
  console.log(`| ${n} | ${fmt(i8)} | ${fmt(f32)} | ${(i8 / f32).toFixed(2)}x |`);
}
mx.clearCache();
