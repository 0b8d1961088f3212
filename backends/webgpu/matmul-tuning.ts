// The matmul autotuner: on first use of a class of problem (adapter, dtypes,
// size bucket, transposes) it times every fitting tile config of
// matmul-configs.ts with real dispatches on scratch buffers (device timestamps
// when the device has timestamp-query, else wall time to onSubmittedWorkDone),
// in turns on a warmed device, and keeps the fastest in memory and in a JSON
// file under the user's cache dir.
// Tuning runs in the background; until it finishes the default shape is used.

import type { DType } from "../../src/dtype.js";
import { packParams, type WebGpuBackend } from "./backend.js";
import { configByName, configName, defaultConfig, fittingConfigs, type MatmulConfig } from "./matmul-configs.js";
import { MATMUL_KERNEL_VERSION, matmulDispatch, type MatmulOperand } from "./matmul.js";
import { matmulSplit, type MatmulSplit } from "./matmul-splits.js";
import { kernelSource } from "./shaders.js";
import { isSoftwareAdapter } from "./device.js";

/** What decides the best tile shape of a product: its operands' dtypes, sizes, batch count and transposes. */
export interface MatmulClass {
  aDtype: DType;
  bDtype: DType;
  M: number;
  N: number;
  K: number;
  batches: number;
  /** A's k stride is 1 (A row-major). */
  aKFast: boolean;
  /** B's k stride is 1 and its column stride is not (B transposed). */
  bKFast: boolean;
}

/** The products tuned by default (MLX_TS_MATMUL_TUNING unset): at least 1024^3 multiply-adds, so small matmuls never pay. */
export const TUNING_THRESHOLD = 2 ** 30;

/** The tuner's mode from MLX_TS_MATMUL_TUNING: "off", "on" (every size) or "auto" (unset: sizes from TUNING_THRESHOLD on hardware adapters). */
export function tuningMode(): "off" | "on" | "auto" {
  const v = typeof process !== "undefined" ? process.env.MLX_TS_MATMUL_TUNING : undefined;
  return v === "off" || v === "0" ? "off" : v === "on" || v === "1" ? "on" : "auto";
}

/** A power of two near `n` (rounded in log space), the bucket a size falls in. */
function bucket(n: number): number {
  return 2 ** Math.round(Math.log2(Math.max(1, n)));
}

/** The class's key in the caches: the kernel version, dtypes, bucketed sizes and the operands' layouts. */
export function classKey(c: MatmulClass): string {
  return `${MATMUL_KERNEL_VERSION} ${c.aDtype.name}@${c.bDtype.name} m${bucket(c.M)} n${bucket(c.N)} k${bucket(c.K)} b${bucket(c.batches)} ${c.aKFast ? "a" : "aT"} ${c.bKFast ? "bT" : "b"}`;
}

let forced: MatmulConfig | undefined;

/** Makes every tiled matmul use `cfg` (undefined: back to the tuned choice); for tests and the benchmark. */
export function forceMatmulConfig(cfg: MatmulConfig | undefined): void {
  forced = cfg;
}

/** Chosen configs by adapter description, then class key; filled from the cache file on first use. */
const chosen = new Map<string, Map<string, MatmulConfig>>();
const tuning = new Map<string, Promise<unknown>>();

/** Resolves once every background tuning started so far has finished (benchmarks time tuned kernels, not the tuner's). */
export async function matmulTuningSettled(): Promise<void> {
  while (tuning.size) await Promise.allSettled([...tuning.values()]);
}

function adapterChoices(adapter: string): Map<string, MatmulConfig> {
  let m = chosen.get(adapter);
  if (!m) {
    chosen.set(adapter, (m = new Map()));
    for (const [k, name] of Object.entries(readCacheFile()[adapter] ?? {})) {
      const cfg = configByName(name);
      if (cfg) m.set(k, cfg);
    }
  }
  return m;
}

/**
 * The compact kernels' (a CPU adapter's, WebGpuBackend.compactKernels)
 * untuned shape: the smallest block and slab, single-buffered. Its slab's
 * straight-line k steps are what lavapipe spends its compile time on: float16
 * and bfloat16 products there compiled 3.5x faster than with the GPUs'
 * 64x64/4x4/k16/db, and a CPU gains nothing from the larger slab's loads in flight.
 */
export const COMPACT_CONFIG: MatmulConfig = configByName("64x64/4x4/k8/sb")!;

/** The shape used without a tuned choice: COMPACT_CONFIG for compact kernels, else defaultConfig's. */
export function untunedConfig(gpu: WebGpuBackend, c: MatmulClass): MatmulConfig {
  if (gpu.compactKernels) return COMPACT_CONFIG;
  return defaultConfig(c.M, c.N, c.batches, gpu.ctx.device.limits.maxComputeWorkgroupStorageSize);
}

/**
 * The tile config for a product of class `c` on `gpu`: the forced one, else the
 * tuned one, else the untuned one, starting a background tuning of the class when
 * the mode asks for it.
 */
export function matmulConfigFor(gpu: WebGpuBackend, c: MatmulClass): MatmulConfig {
  if (forced) return forced;
  const mode = tuningMode();
  // below the threshold the default mode looks nothing up: small products pay no key building
  const big = c.M * c.N * c.K * c.batches >= TUNING_THRESHOLD;
  if (mode === "off" || (mode === "auto" && (!big || isSoftwareAdapter(gpu.ctx)))) return untunedConfig(gpu, c);
  const key = classKey(c);
  const known = adapterChoices(gpu.ctx.description).get(key);
  if (known) return known;
  if (!tuning.has(key)) tuning.set(key, tuneMatmulClass(gpu, c).finally(() => tuning.delete(key)));
  return untunedConfig(gpu, c);
}

/** One config's measured time per dispatch. */
export interface ConfigTiming {
  config: MatmulConfig;
  ms: number;
}

/** The timings of every fitting config on the class's bucket and the fastest, which is remembered (and persisted) for the class. */
export interface TuningResult {
  key: string;
  timings: ConfigTiming[];
  best: MatmulConfig;
}

let warnedTuning = false;

/**
 * Times `candidates` (default: every config that fits the device) on a problem
 * of the class's bucket, remembers and persists the fastest (a failure is
 * logged once and leaves the default).
 */
export async function tuneMatmulClass(gpu: WebGpuBackend, c: MatmulClass, candidates?: readonly MatmulConfig[]): Promise<TuningResult> {
  const key = classKey(c);
  const limit = gpu.ctx.device.limits.maxComputeWorkgroupStorageSize;
  const timings: ConfigTiming[] = [];
  const keepAlive = setInterval(() => {}, 50);
  try {
    const bench = new BucketBench(gpu, { ...c, M: bucket(c.M), N: bucket(c.N), K: bucket(c.K), batches: bucket(c.batches) });
    try {
      const prepared: PreparedConfig[] = [];
      for (const config of candidates ?? fittingConfigs(limit)) prepared.push(await bench.prepare(config));
      timings.push(...(await timeRoundRobin(prepared)));
    } finally {
      bench.destroy();
    }
  } catch (e) {
    if (!warnedTuning) console.warn(`[webgpu] matmul tuning failed, the default tile shapes stay: ${(e as Error).message}`);
    warnedTuning = true;
  } finally {
    clearInterval(keepAlive);
  }
  const best = timings.reduce<ConfigTiming | undefined>((b, t) => (b && b.ms <= t.ms ? b : t), undefined)?.config ?? defaultConfig(c.M, c.N, c.batches, limit);
  adapterChoices(gpu.ctx.description).set(key, best);
  if (timings.length) persistChoice(gpu.ctx.description, key, best);
  return { key, timings, best };
}

/** A config compiled and bound for one bucket: `time()` is milliseconds per dispatch of one timed batch. */
interface PreparedConfig {
  config: MatmulConfig;
  time(): Promise<number>;
}

/** Wall milliseconds the device is kept busy before any config is timed (an idle GPU runs at low clocks for a while). */
const WARM_MS = 300;
/** Turns: every config is timed once per turn, and keeps its fastest. */
const TURNS = 3;

/**
 * Each config's time per dispatch: the device first kept busy for WARM_MS,
 * then the configs timed in TURNS turns, each keeping its fastest. A GPU's
 * clocks move while it is timed (an idle one starts low, a hot one slows
 * down, other work shares it), and the compiles before the timings leave it
 * idle: timed one after the other, a config could be judged at other clocks
 * than the rest (on the H200, 2026-12-01, the 4096 f32 class chose a
 * 64x128 block at 38.9 TFLOP/s over the 128x128 one at 45.8).
 */
async function timeRoundRobin(prepared: readonly PreparedConfig[]): Promise<ConfigTiming[]> {
  if (!prepared.length) return [];
  const warmUntil = performance.now() + WARM_MS;
  do await prepared[0]!.time();
  while (performance.now() < warmUntil);
  const best = prepared.map(() => Infinity);
  for (let turn = 0; turn < TURNS; turn++) {
    for (const [i, p] of prepared.entries()) best[i] = Math.min(best[i]!, await p.time());
  }
  return prepared.map((p, i) => ({ config: p.config, ms: best[i]! }));
}

/** The largest scratch buffer a tuning allocates. */
const SCRATCH_BYTES = 2 ** 30;

/** Scratch operands of one class on the device, and dispatches of the tiled kernel on them outside the backend's queue. */
class BucketBench {
  private readonly buffers: GPUBuffer[];
  private readonly a: MatmulOperand;
  private readonly b: MatmulOperand;
  private readonly shape: number[];
  private readonly split: MatmulSplit;
  private readonly device: GPUDevice;
  private readonly timestamps: boolean;

  constructor(
    private readonly gpu: WebGpuBackend,
    c: MatmulClass,
  ) {
    const { M, N, K } = c;
    this.device = gpu.ctx.device;
    // scratch buffers of at most SCRATCH_BYTES each: fewer batches where the class's would not fit
    const limit = Math.min(SCRATCH_BYTES, this.device.limits.maxBufferSize, this.device.limits.maxStorageBufferBindingSize);
    const perBatch = Math.max(M * N * 4, M * K * c.aDtype.size, K * N * c.bDtype.size);
    if (perBatch > limit) throw new Error(`a ${M}x${K}x${N} problem needs scratch buffers larger than ${limit} bytes`);
    const batches = Math.min(c.batches, Math.floor(limit / perBatch));
    // the configs are timed on the class's split (its partials' stores included; the second pass is the same for every config)
    this.split = matmulSplit(M, N, K, batches, limit);
    this.timestamps = gpu.ctx.features.has("timestamp-query");
    this.a = { dtype: c.aDtype, shape: [batches, M, K], strides: [M * K, ...(c.aKFast ? [K, 1] : [1, M])], offset: 0 };
    this.b = { dtype: c.bDtype, shape: [batches, K, N], strides: [K * N, ...(c.bKFast ? [1, K] : [N, 1])], offset: 0 };
    this.shape = [batches, M, N];
    const bytes = (n: number) => Math.max(16, Math.ceil(n / 4) * 4);
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    this.buffers = [
      this.device.createBuffer({ size: bytes(this.split.splits * batches * M * N * 4), usage }),
      this.device.createBuffer({ size: bytes(batches * M * K * c.aDtype.size), usage }),
      this.device.createBuffer({ size: bytes(batches * K * N * c.bDtype.size), usage }),
    ];
    this.fillOperand(this.buffers[1]!, c.aDtype);
    this.fillOperand(this.buffers[2]!, c.bDtype);
  }

  /**
   * Fills a scratch operand with values in [-1, 1) (a repeated random block):
   * a GPU can run faster on uniform data (on the H200 a sum of all ones
   * read at 118-122% of the copy kernel's rate of random data), so zeros
   * could favour a config that random data would not.
   */
  private fillOperand(buf: GPUBuffer, dtype: DType): void {
    const block = new Float32Array(Math.min(buf.size / 4, 2 ** 18)).map(() => 2 * Math.random() - 1);
    // 16-bit operands take the top halves of float32 values in [-1, 1): bfloat16 values, read as float16 bits also finite ones in (-2, 2)
    const bits = new Uint32Array(block.buffer);
    const words = dtype.size === 4 ? bits : bits.map((w, i) => (w >>> 16) | ((bits[(i + 1) % bits.length]! >>> 16) << 16));
    for (let at = 0; at < buf.size; at += words.byteLength) this.device.queue.writeBuffer(buf, at, words, 0, Math.min(words.length, (buf.size - at) / 4));
  }

  /** Compiles `cfg` for the bucket's problem and binds it to the scratch operands (a config the device rejects is an error of the tuning). */
  async prepare(cfg: MatmulConfig): Promise<PreparedConfig> {
    const d = matmulDispatch(this.a, this.b, this.shape, cfg, undefined, this.split);
    const slots = typeof d.call.slots === "function" ? d.call.slots() : d.call.slots;
    // a config the device rejects is an error of the tuning, never one of the backend's later waits
    this.device.pushErrorScope("validation");
    const module = this.device.createShaderModule({ label: `matmul tuning ${configName(cfg)}`, code: kernelSource(d.call.file, slots, d.call.helpers) });
    const pipeline = this.device.createComputePipeline({ layout: this.gpu.queue.pipelineLayout(d.inputs.length), compute: { module, entryPoint: "main" } });
    const compileError = await this.device.popErrorScope();
    if (compileError) throw new Error(`${configName(cfg)} did not compile: ${compileError.message}`);
    // each config's params (its tile counts) in a buffer of its own: the configs are timed in turns
    const params = this.device.createBuffer({ size: 2048, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.buffers.push(params);
    this.device.queue.writeBuffer(params, 0, packParams("matmul", d.params));
    const [out, ina, inb] = this.buffers as [GPUBuffer, GPUBuffer, GPUBuffer];
    const group = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: out } },
        { binding: 1, resource: { buffer: params, offset: 0, size: 2048 } },
        ...d.inputs.map((operand, i) => ({ binding: 2 + i, resource: { buffer: operand === 0 ? ina : inb } })),
      ],
    });
    const maxX = this.device.limits.maxComputeWorkgroupsPerDimension;
    const x = Math.min(d.groups, maxX), y = Math.ceil(d.groups / x);
    // enough dispatches per measurement (about 5 ms at 50 TFLOP/s) that launch cost does not dominate small problems
    const flops = 2 * this.shape.reduce((s, v) => s * v, 1) * this.a.shape[2]!;
    const reps = Math.max(2, Math.min(50, Math.round(2.5e11 / Math.max(flops, 1))));
    return { config: cfg, time: () => this.measure(pipeline, group, x, y, reps) };
  }

  /** Milliseconds per dispatch of `reps` dispatches in one pass. */
  private async measure(pipeline: GPUComputePipeline, group: GPUBindGroup, x: number, y: number, reps: number): Promise<number> {
    this.device.pushErrorScope("validation");
    const querySet = this.timestamps ? this.device.createQuerySet({ type: "timestamp", count: 2 }) : undefined;
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass(querySet ? { timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {});
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group, [0]);
    for (let i = 0; i < reps; i++) pass.dispatchWorkgroups(x, y);
    pass.end();
    let readback: GPUBuffer | undefined;
    if (querySet) {
      const resolved = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      readback = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      enc.resolveQuerySet(querySet, 0, 2, resolved, 0);
      enc.copyBufferToBuffer(resolved, 0, readback, 0, 16);
      this.buffers.push(resolved);
    }
    const start = performance.now();
    this.device.queue.submit([enc.finish()]);
    await this.device.queue.onSubmittedWorkDone();
    const wall = performance.now() - start;
    const err = await this.device.popErrorScope();
    if (err) throw new Error(err.message);
    querySet?.destroy();
    if (!readback) return wall / reps;
    await readback.mapAsync(GPUMapMode.READ);
    const [t0, t1] = new BigInt64Array(readback.getMappedRange().slice(0));
    readback.destroy();
    const ns = Number(t1! - t0!);
    // a device that reports no elapsed time (timestamps quantised away) falls back to the wall clock
    return ns > 0 ? ns / 1e6 / reps : wall / reps;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}

type CacheFile = Record<string, Record<string, string>>;

/** node:fs and node:path where the platform has them (Node), else undefined (a browser: nothing is persisted). */
function nodeFs(): { fs: typeof import("node:fs"); path: typeof import("node:path"); os: typeof import("node:os") } | undefined {
  const p = typeof process !== "undefined" ? process : undefined;
  if (!p?.getBuiltinModule) return undefined;
  return { fs: p.getBuiltinModule("node:fs"), path: p.getBuiltinModule("node:path"), os: p.getBuiltinModule("node:os") };
}

/** The tuning cache file: $XDG_CACHE_HOME/mlx-ts/matmul-tuning.json, else ~/.cache/mlx-ts/matmul-tuning.json. */
export function tuningCachePath(): string | undefined {
  const n = nodeFs();
  if (!n) return undefined;
  const base = process.env.XDG_CACHE_HOME || n.path.join(n.os.homedir(), ".cache");
  return n.path.join(base, "mlx-ts", "matmul-tuning.json");
}

/** The persisted choices by adapter description (empty when the file is missing or unreadable). */
function readCacheFile(): CacheFile {
  const n = nodeFs(), file = tuningCachePath();
  if (!n || !file) return {};
  try {
    const parsed = JSON.parse(n.fs.readFileSync(file, "utf8")) as { version?: number; adapters?: CacheFile };
    return parsed.version === 1 && parsed.adapters && typeof parsed.adapters === "object" ? parsed.adapters : {};
  } catch {
    return {};
  }
}

let warnedWrite = false;

/** Adds one choice to the cache file (re-read first, so other processes' choices stay); a failed write is logged once. */
function persistChoice(adapter: string, key: string, cfg: MatmulConfig): void {
  const n = nodeFs(), file = tuningCachePath();
  if (!n || !file) return;
  try {
    const adapters = readCacheFile();
    adapters[adapter] = { ...adapters[adapter], [key]: configName(cfg) };
    n.fs.mkdirSync(n.path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    n.fs.writeFileSync(tmp, JSON.stringify({ version: 1, adapters }, null, 1));
    n.fs.renameSync(tmp, file);
  } catch (e) {
    if (!warnedWrite) console.warn(`[webgpu] the matmul tuning cache ${file} could not be written (${(e as Error).message}); tuned shapes last for this process only`);
    warnedWrite = true;
  }
}
