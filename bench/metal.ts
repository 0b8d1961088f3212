// The Metal backend's kernels on the MSL execution layer (the emulator on a
// machine without a Mac) beside the CPU reference backend running the same
// ops, in one run: the emulator's cost per kernel thread for a kernel that
// runs its threads one after another (elementwise), and for kernels whose
// threads run as fibers (reductions, softmax and matmul: barriers and simd
// collectives). These are CPU numbers; they say nothing about an Apple GPU.
// Run: npm run bench:metal

import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { printTable, timeMs, type Row } from "./harness.js";

if (!findBackend("metal")) {
  console.error(`bench/metal.ts: the metal backend is unavailable: ${mx.unavailableBackends().get("metal")}`);
  process.exit(1);
}
const metal = { stream: mx.metal }, cpu = { stream: mx.cpu };

/** Median ms to evaluate `build(options)` (graph construction plus evaluation). */
const time = (build: (o: typeof metal) => mx.MxArray, o: typeof metal) =>
  timeMs(async () => {
    const out = build(o);
    await mx.eval(out);
    out.dispose();
  }, 5, 1);

interface Case {
  name: string;
  threads: number;
  build: (o: typeof metal) => mx.MxArray;
}

const N = 1 << 20;
const x = mx.random.uniform(-2, 2, [N], { key: mx.random.key(1) });
const rows2d = mx.reshape(x, [1024, 1024]);
const m256 = mx.reshape(mx.slice(x, [0], [256 * 256]), [256, 256]);
await mx.eval(x, rows2d, m256);

const cases: Case[] = [
  { name: "add 1M f32 (sequential threads)", threads: N, build: (o) => mx.add(x, x, o) },
  { name: "exp 1M f32 (sequential threads)", threads: N, build: (o) => mx.exp(x, o) },
  // one threadgroup of 256 (rows of 1024) or 32 threads per output; every thread a fiber
  { name: "sum rows 1024x1024 (fibers)", threads: 1024 * 256, build: (o) => mx.sum(rows2d, { axis: 1, ...o }) },
  { name: "softmax rows 1024x1024 (fibers)", threads: 1024 * 256, build: (o) => mx.softmax(rows2d, { axis: 1, ...o }) },
  // float matmul: a threadgroup of 4 simdgroups (128 threads) per 32 x 32 tile
  { name: "matmul 256 f32 (fibers, simdgroup matrices)", threads: (256 / 32) ** 2 * 128, build: (o) => mx.matmul(m256, m256, o) },
];

const rows: Row[] = [];
for (const c of cases) {
  const ours = await time(c.build, metal);
  const peer = await time(c.build, cpu);
  rows.push({ name: c.name, unit: "ms", ours, peer, higherIsBetter: false });
  rows.push({ name: `  per kernel thread`, unit: "ns", ours: (ours * 1e6) / c.threads, peer: (peer * 1e6) / c.threads, higherIsBetter: false });
}
printTable(`mlx-ts metal backend on ${mx.registeredBackends().find((b) => b.name === "metal")!.displayName} vs the cpu reference backend`, "cpu reference", rows);
