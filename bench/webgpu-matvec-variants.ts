// Every variant of webgpu's matrix-vector kernels in one process: the quantized
// one (MLX_TS_QMV_VARIANT: 4- and 8-bit weights, group 64) and the float one
// (MLX_TS_MATVEC_VARIANT: v @ M and M @ v, float32), in GB/s of the matrix's
// bytes beside the plain WGSL copy kernel measured in the same run, with each
// variant's largest difference from the default's result (relative to its
// largest value). The variant is read at each dispatch, so one process sweeps all.
// Run: npx tsx bench/webgpu-matvec-variants.ts [--small]   (--small: sizes for lavapipe)

import { getBackend } from "../backends/backend.js";
import { MATVEC_VARIANTS } from "../backends/webgpu/matvec.js";
import { QMV_VARIANTS } from "../backends/webgpu/quantized.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import * as mx from "../index.js";
import { machine, timeMs } from "./harness.js";
import { copyBandwidth } from "./webgpu-copy.js";

const small = process.argv.includes("--small");
const SIZES = small ? [512, 1024] : [8192, 16384];
const REPS = 10;
const WARMUP_MS = small ? 0 : 500;
const COPY_WORDS = small ? 1 << 20 : 1 << 26;
const GROUP = 64;

const started = performance.now();
const gpu = getBackend("webgpu") as WebGpuBackend;
const o = { stream: mx.webgpu };
const cpu = { stream: mx.cpu };

/** Milliseconds per op of `f`, REPS ops per device wait, under variant `value` of environment variable `name`. */
async function timeOp(name: string, value: string, f: () => mx.MxArray): Promise<number> {
  process.env[name] = value;
  try {
    return (await timeMs(async () => {
      const rs = Array.from({ length: REPS }, f);
      await mx.eval(rs);
      for (const r of rs) r.dispose();
    }, 7, 2, WARMUP_MS)) / REPS;
  } finally {
    delete process.env[name];
  }
}

/** max |got - want| / max |want|, on the cpu. */
async function relDiff(got: mx.MxArray, want: mx.MxArray): Promise<number> {
  const g = mx.astype(got, mx.float32, cpu), w = mx.astype(want, mx.float32, cpu);
  const diff = (await mx.max(mx.abs(mx.subtract(g, w, cpu), cpu), cpu).item()) as number;
  return diff / Math.max(1e-30, (await mx.max(mx.abs(w, cpu), cpu).item()) as number);
}

/** The result of `f` under variant `value` of `name`. */
async function resultUnder(name: string, value: string, f: () => mx.MxArray): Promise<mx.MxArray> {
  process.env[name] = value;
  try {
    const r = f();
    await mx.eval(r);
    return r;
  } finally {
    delete process.env[name];
  }
}

interface Line {
  kernel: string;
  variant: string;
  gbps: number;
  diff: number;
}
const lines: Line[] = [];

/** Times every variant of `names` (the environment variable `env`), the first being the default. */
async function sweep(kernel: string, env: string, names: string[], bytes: number, f: () => mx.MxArray): Promise<void> {
  const reference = await resultUnder(env, names[0]!, f);
  for (const variant of names) {
    const got = await resultUnder(env, variant, f);
    const diff = await relDiff(got, reference);
    got.dispose();
    const ms = await timeOp(env, variant, f);
    lines.push({ kernel, variant, gbps: bytes / (ms / 1000) / 1e9, diff });
    process.stdout.write(`${kernel} ${variant} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  reference.dispose();
}

console.log(`adapter: ${gpu.ctx.description}; features: ${[...gpu.ctx.features].join(", ") || "none"}\nmachine: ${machine()}\n`);
const copy = await copyBandwidth(gpu.ctx.device, COPY_WORDS, REPS, WARMUP_MS);

for (const n of SIZES) {
  // quantized: random words, scales and biases (the kernels' speed does not depend on the values)
  for (const bits of [4, 8]) {
    const wq = mx.random.bits([n, (n * bits) / 32], { key: mx.random.key(bits), ...o });
    const scales = mx.random.uniform(-0.01, 0.01, [n, n / GROUP], { key: mx.random.key(2), ...o });
    const biases = mx.random.uniform(-0.01, 0.01, [n, n / GROUP], { key: mx.random.key(3), ...o });
    const x = mx.random.normal([1, n], { key: mx.random.key(4), ...o });
    await mx.eval(wq, scales, biases, x);
    const bytes = (n * n * bits) / 8 + 2 * (n * n / GROUP) * 4;
    await sweep(`qmv ${bits}-bit ${n}x${n} g${GROUP}`, "MLX_TS_QMV_VARIANT", Object.keys(QMV_VARIANTS), bytes, () => mx.quantizedMatmul(x, wq, scales, biases, { transpose: true, groupSize: GROUP, bits, ...o }));
    for (const t of [wq, scales, biases, x]) t.dispose();
  }
  // float32 matrix-vector products, both layouts of the same square matrix
  const m = mx.random.normal([n, n], { key: mx.random.key(5), ...o });
  const v = mx.random.normal([1, n], { key: mx.random.key(6), ...o });
  const vt = mx.reshape(v, [n, 1], o);
  await mx.eval(m, v, vt);
  const names = Object.keys(MATVEC_VARIANTS);
  await sweep(`v @ M f32 ${n}x${n}`, "MLX_TS_MATVEC_VARIANT", names, n * n * 4, () => mx.matmul(v, m, o));
  await sweep(`M @ v f32 ${n}x${n}`, "MLX_TS_MATVEC_VARIANT", names, n * n * 4, () => mx.matmul(m, vt, o));
  for (const t of [m, v, vt]) t.dispose();
  mx.clearCache();
}

console.log(`\nmatrix-vector variants (GB/s of the matrix's bytes; first variant of each kernel = the default); WGSL copy kernel ${copy.toFixed(small ? 2 : 0)} GB/s\n`);
const header = ["kernel", "variant", "GB/s", "% of copy", "rel. diff vs default"];
const body = lines.map((l) => [l.kernel, l.variant, l.gbps.toFixed(small ? 2 : 0), `${((100 * l.gbps) / copy).toFixed(0)}%`, l.diff.toExponential(1)]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const b of body) console.log(line(b));
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
