// The performance regression check (test/bench-regression.test.ts): small-size
// rows on the webgpu and cpu backends, each a RATIO against a reference timed
// alternately with it in the same process (bandwidth rows: a plain copy at the
// same size, the WGSL copy kernel on webgpu and a JS typed-array loop on the
// cpu; time rows: a plain add of as many elements, evaluated the same way), so
// the machine's speed and load cancel out and a kernel that regresses shows.
// Run: npx tsx bench/regression.ts [--write-baseline]   (baselines: bench/regression-baseline.json)

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { isSoftwareAdapter } from "../backends/webgpu/device.js";
import { machine } from "./harness.js";
import { copyBandwidth } from "./webgpu-copy.js";

/** The backends the check measures, where registered. */
export const REGRESSION_BACKENDS = ["webgpu", "cpu"] as const;
export type RegressionBackend = (typeof REGRESSION_BACKENDS)[number];

/** One measured row: higher is better; `reference` says what it is divided by. */
export interface RegressionRow {
  key: string;
  ratio: number;
  reference: string;
}

/** The recorded ratios, by row key, and where they were recorded. */
export interface RegressionBaseline {
  machine: string;
  adapter: string;
  date: string;
  command: string;
  rows: Record<string, number>;
}

export const BASELINE_PATH = fileURLToPath(new URL("./regression-baseline.json", import.meta.url));

/** Ops per evaluation in the bandwidth rows (amortises the device wait, as the webgpu benches do). */
const REPS = 4;
/** Elements of the bandwidth rows' arrays. */
const N = 1 << 18;
/** Timed samples per measurement, after one warm-up; the fastest counts (load on a shared machine only ever slows a run). */
const RUNS = 5;
/** More samples while a row and its reference have run for less than this (ms), up to MAX_RUNS. */
const SAMPLE_MS = 400;
const MAX_RUNS = 40;

/** A row: its inputs, the op, and what it is measured against. */
interface Bench {
  name: string;
  inputs: (o: { stream: mx.Device }) => mx.MxArray[];
  run: (xs: mx.MxArray[], o: { stream: mx.Device }) => mx.MxArray;
  /** Ops per evaluation. */
  reps: number;
  /** Bandwidth rows: bytes read and written per op (ratio: GB/s over the copy's). Time rows: undefined (ratio: the plain add's time over the row's). */
  bytes?: number;
  /** Time rows: the elements of the equally sized plain add. */
  addElements?: number;
}

const uniform = (shape: number[], o: { stream: mx.Device }, seed = 1) => mx.random.uniform(0, 1, shape, { key: mx.random.key(seed), ...o });
const chain = (x: mx.MxArray, ops: number, o: { stream: mx.Device }) => {
  for (let i = 0; i < ops / 2; i++) x = mx.add(mx.multiply(x, 1.0001, o), 0.5, o);
  return x;
};
const CHAIN_OPS = 200;

function benches(): Bench[] {
  const M = `${N / 1024}K`;
  const compiled = new Map<mx.Device, (x: mx.MxArray) => mx.MxArray>();
  return [
    { name: `add ${M} f32`, inputs: (o) => [uniform([N], o), uniform([N], o, 2)], run: ([a, b], o) => mx.add(a!, b!, o), reps: REPS, bytes: 3 * N * 4 },
    { name: `exp ${M} f32`, inputs: (o) => [uniform([N], o)], run: ([a], o) => mx.exp(a!, o), reps: REPS, bytes: 2 * N * 4 },
    { name: `sum ${M} f32`, inputs: (o) => [uniform([N], o)], run: ([a], o) => mx.sum(a!, null, o), reps: REPS, bytes: N * 4 },
    { name: "softmax 64x4096 f32", inputs: (o) => [uniform([64, 4096], o)], run: ([a], o) => mx.softmax(a!, -1, o), reps: REPS, bytes: 2 * N * 4 },
    { name: "matmul 256 f32", inputs: (o) => [uniform([256, 256], o)], run: ([a], o) => mx.matmul(a!, a!, o), reps: 1, addElements: 256 * 256 },
    { name: `chain of ${CHAIN_OPS} ops on 16 f32`, inputs: (o) => [uniform([16], o)], run: ([x], o) => chain(x!, CHAIN_OPS, o), reps: 1, addElements: 16 },
    {
      name: `chain of ${CHAIN_OPS} ops on 16 f32, compiled`,
      inputs: (o) => [uniform([16], o)],
      run: ([x], o) => {
        if (!compiled.has(o.stream)) compiled.set(o.stream, mx.compile((y: mx.MxArray) => chain(y, CHAIN_OPS, o)));
        return compiled.get(o.stream)!(x!);
      },
      reps: 1,
      addElements: 16,
    },
    {
      name: "conv2d 4x16x16x16 -> 16, 3x3 f32",
      inputs: (o) => [uniform([4, 16, 16, 16], o), uniform([16, 3, 3, 16], o, 2)],
      run: ([x, w], o) => mx.conv2d(x!, w!, { padding: 1, ...o }),
      reps: 1,
      addElements: 4 * 16 * 16 * 16,
    },
    { name: "fft 16x4096 f32", inputs: (o) => [uniform([16, 4096], o)], run: ([x], o) => mx.fft.fft(x!, { ...o }), reps: 1, addElements: 16 * 4096 },
    { name: "sort 64K f32", inputs: (o) => [uniform([1 << 16], o)], run: ([x], o) => mx.sort(x!, 0, o), reps: 1, addElements: 1 << 16 },
  ];
}

/** Milliseconds of one call of `fn`. */
async function sampleMs(fn: () => unknown): Promise<number> {
  const s = performance.now();
  await fn();
  return performance.now() - s;
}

/** Evaluates `reps` results of `f` together and frees them. */
async function evalReps(f: () => mx.MxArray, reps: number): Promise<void> {
  const rs = Array.from({ length: reps }, f);
  await mx.eval(rs);
  for (const r of rs) r.dispose();
}

/**
 * Milliseconds of the reference and of the row, each the fastest of their
 * samples, taken alternately after one warm-up of each (load then falls on both
 * alike): at least RUNS of each, more while the pair has run under
 * SAMPLE_MS (a cheap row gets more tries at an unloaded moment).
 */
async function pairedMs(ref: () => Promise<number>, row: () => Promise<unknown>): Promise<[number, number]> {
  await ref();
  await row();
  let bestRef = Infinity, bestRow = Infinity;
  const start = performance.now();
  for (let i = 0; i < MAX_RUNS && (i < RUNS || performance.now() - start < SAMPLE_MS); i++) {
    bestRef = Math.min(bestRef, await ref());
    bestRow = Math.min(bestRow, await sampleMs(row));
  }
  return [bestRef, bestRow];
}

/** The bandwidth rows' copy reference on `backend`, and its name: one unit copies N float32 REPS times (into distinct destinations). */
function copyReference(backend: RegressionBackend): [string, () => Promise<number>] {
  if (backend === "webgpu") {
    // copyBandwidth times its own runs of REPS copies and returns their median: one call is one sample
    const device = (getBackend("webgpu") as WebGpuBackend).ctx.device;
    return ["WGSL copy kernel (bench/webgpu-copy.ts)", async () => ((REPS * 2 * N * 4) / ((await copyBandwidth(device, N, REPS, 0)) * 1e9)) * 1000];
  }
  const src = Float32Array.from({ length: N }, (_, i) => Math.sin(i));
  const dsts = Array.from({ length: REPS }, () => new Float32Array(N));
  return ["JS typed-array copy loop", () => sampleMs(() => {
    for (const d of dsts) for (let i = 0; i < N; i++) d[i] = src[i]!;
  })];
}

/** Measures the rows (those whose key `only` accepts) on each of `backends`, in order; keys are "backend: row". */
export async function measureRegression(backends: readonly RegressionBackend[], only: (key: string) => boolean = () => true): Promise<RegressionRow[]> {
  const out: RegressionRow[] = [];
  for (const backend of backends) {
    const o = { stream: backend === "webgpu" ? mx.webgpu : mx.cpu };
    const [copyName, copy] = copyReference(backend);
    for (const b of benches()) {
      const key = `${backend}: ${b.name}`;
      if (!only(key)) continue;
      mx.clearCache();
      const xs = b.inputs(o);
      await mx.eval(xs);
      const row = () => evalReps(() => b.run(xs, o), b.reps);
      let ratio: number, reference: string;
      if (b.bytes !== undefined) {
        const [copyMs, rowMs] = await pairedMs(copy, row);
        const copyGBps = (REPS * 2 * N * 4) / (copyMs / 1000) / 1e9;
        ratio = (b.bytes * b.reps) / (rowMs / 1000) / 1e9 / copyGBps;
        reference = `${copyName}, ${copyGBps.toFixed(2)} GB/s`;
      } else {
        const n = b.addElements!;
        const [p, q] = [uniform([n], o), uniform([n], o, 2)];
        await mx.eval(p, q);
        const [addMs, rowMs] = await pairedMs(() => sampleMs(() => evalReps(() => mx.add(p, q, o), b.reps)), row);
        ratio = addMs / rowMs;
        reference = `add of ${n} f32 x${b.reps} per eval, ${addMs.toFixed(3)} ms`;
        p.dispose();
        q.dispose();
      }
      out.push({ key, ratio, reference });
      for (const x of xs) x.dispose();
    }
  }
  return out;
}

/** Measurements whose median per row `--write-baseline` records. */
const BASELINE_RUNS = 5;

/** The backends of REGRESSION_BACKENDS registered in this process. */
export function availableRegressionBackends(): RegressionBackend[] {
  const registered = new Set(mx.registeredBackends().map((b) => b.name));
  return REGRESSION_BACKENDS.filter((b) => registered.has(b));
}

export function readBaseline(): RegressionBaseline {
  return JSON.parse(readFileSync(BASELINE_PATH, "utf8")) as RegressionBaseline;
}

/** The adapter the webgpu rows run on, or "none". */
export function regressionAdapter(): string {
  return availableRegressionBackends().includes("webgpu") ? (getBackend("webgpu") as WebGpuBackend).ctx.description : "none";
}

/**
 * The backends whose rows a baseline holds here: the cpu always; webgpu on the
 * baseline's adapter only, as its ratios belong to the adapter (at these small
 * sizes a GPU waits on dispatches where lavapipe waits on memory: the H100 ran
 * sum 256K at 0.093 of its copy, lavapipe at 0.47). `mismatch` says why webgpu
 * is left out; a software adapter (lavapipe, CI's) that is not the baseline's
 * is a mismatch the check must not pass over.
 */
export function heldRegressionBackends(baseline: RegressionBaseline): { held: RegressionBackend[]; mismatch?: { adapter: string; software: boolean } } {
  const available = availableRegressionBackends();
  const adapter = regressionAdapter();
  if (!available.includes("webgpu") || adapter === baseline.adapter) return { held: available };
  const software = isSoftwareAdapter((getBackend("webgpu") as WebGpuBackend).ctx);
  return { held: available.filter((b) => b !== "webgpu"), mismatch: { adapter, software } };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const write = process.argv.includes("--write-baseline");
  // a baseline is each row's median over BASELINE_RUNS measurements
  const runs: RegressionRow[][] = [];
  for (let i = 0; i < (write ? BASELINE_RUNS : 1); i++) runs.push(await measureRegression(availableRegressionBackends()));
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const rows = runs[0]!.map((r, i) => ({ ...r, ratio: median(runs.map((run) => run[i]!.ratio)) }));
  const base = write ? undefined : readBaseline();
  const width = Math.max(...rows.map((r) => r.key.length));
  console.log(`\n${"row".padEnd(width)} | ratio  | baseline | reference`);
  for (const r of rows) console.log(`${r.key.padEnd(width)} | ${r.ratio.toFixed(4)} | ${base?.rows[r.key]?.toFixed(4) ?? "-".padEnd(6)}   | ${r.reference}`);
  if (write) {
    const baseline: RegressionBaseline = {
      machine: machine(),
      adapter: regressionAdapter(),
      date: new Date().toISOString(),
      command: "npx tsx bench/regression.ts --write-baseline",
      rows: Object.fromEntries(rows.map((r) => [r.key, Number(r.ratio.toPrecision(4))])),
    };
    writeFileSync(BASELINE_PATH, `${JSON.stringify(baseline, null, 2)}\n`);
    console.log(`\nwrote ${BASELINE_PATH}`);
  }
}
