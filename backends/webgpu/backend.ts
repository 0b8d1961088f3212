// The WebGPU backend object: GPU buffers from the shared pool (storage usage,
// sizes rounded to 4 bytes), host writes and mapped-staging reads, batched
// dispatches, and Dawn's errors (a refused allocation, a rejected batch, a
// lost device) surfaced at the next wait as JS errors naming the ops, with
// the results they lost marked so (lost-results.ts). Kernels are registered
// by backends/webgpu/register.ts.

import type { Backend, BackendBuffer, MultiKernel, Kernel, OutputSpec, Tensor } from "../backend.js";
import { BufferPool, PooledBackend, formatBytes } from "../pool.js";
import { isRowMajor } from "../strides.js";
import { bfloat16, bool, complex64, float16, float32, int16, int32, int64, int8, uint16, uint32, uint64, uint8 } from "../../src/dtype.js";
import { rowMajorStrides } from "../../src/shape.js";
import { storageCtor } from "../../src/storage.js";
import { isSoftwareAdapter, type GpuContext } from "./device.js";
import { pipelineCache, kernelSource, type PipelineCache } from "./shaders.js";
import { CommandQueue, type ParamsSlice } from "./queue.js";
import { contiguousCopy } from "./elementwise.js";
import { webGpuFuse } from "./fuse.js";
import { canonicalView, guardFuse } from "../huge-work.js";
import { CheckedAllocation, type GpuBlock, type RefusedAllocation } from "./checked-allocation.js";

type Slots = Record<string, string | number>;

/** One kernel launch: the op (for errors), its file in wgsl/, the helper files and the slot values. */
export interface KernelCall {
  op: string;
  file: string;
  helpers: string[];
  /** The slot values, or a function making them (called only when `key` misses the cache). */
  slots: Slots | (() => Slots);
  /** A key (within `file`) that determines the slots and the inputs' dtypes; when absent it is derived from the slots (then a record). */
  key?: string;
}

export class GpuBuffer implements BackendBuffer {
  refs = 1;
  constructor(
    readonly backend: Backend,
    readonly nbytes: number,
    readonly block: GpuBlock,
  ) {}
}

/**
 * Dawn's node binding does not keep the event loop alive while a GPU promise
 * is pending; a timer does, for as long as any is.
 */
let pendingGpuWork = 0;
let keepAlive: ReturnType<typeof setInterval> | undefined;
async function awaitGpu<T>(p: Promise<T>): Promise<T> {
  if (pendingGpuWork++ === 0) keepAlive = setInterval(() => {}, 50);
  try {
    return await p;
  } finally {
    if (--pendingGpuWork === 0) clearInterval(keepAlive);
  }
}

/**
 * Bytes of freed buffers kept for reuse by default, and more up to the most
 * bytes the program has had in use (the pool's cacheUpToHighWater): creating
 * a GPU buffer costs a driver allocation and a zero fill, and evicting one a
 * wait for Dawn to free it. On the H200 (2026-12-01), 50 softmax outputs of
 * 256 MiB per eval, a working set past a fixed 4 GiB cache, ran at 1.8% of
 * the copy kernel's bandwidth, 79% with the cache following the working set.
 */
const WEBGPU_CACHE_LIMIT = 4 * 2 ** 30;

/**
 * The device-memory budget the backend starts with. On a software adapter
 * (lavapipe, SwiftShader: architecture "software", or the fallback adapter)
 * device memory is host memory and the driver faults instead of failing an
 * allocation (the reliability audit saw lavapipe segfault at about 4 GiB), so
 * the budget is the adapter's maxBufferSize (4 GiB on lavapipe). A hardware
 * adapter reports exhaustion as an out-of-memory error, and WebGPU tells no
 * adapter's memory size, so it starts with none: the first allocation its
 * driver refuses sets the budget to what the backend held then
 * (CheckedAllocation), and later ones fail before the driver is asked.
 * mx.setMemoryLimit(bytes) changes it.
 */
function defaultMemoryLimit(ctx: GpuContext): number {
  return isSoftwareAdapter(ctx) ? ctx.device.limits.maxBufferSize : Infinity;
}

/**
 * WGSL has no 64-bit integers: kernels index buffers, count elements and
 * offset views with 32-bit words, so a buffer holds fewer than 2^32 bytes
 * (every element index and offset then fits a u32) and every params word is
 * an integer a u32 or an i32 can hold.
 */
const WGSL_MAX_BYTES = 2 ** 32 - 4;

/** Throws unless every one of `words` is an integer a u32 or an i32 holds: an error naming the op, never a wrapped count. */
function checkParams(op: string, words: readonly number[]): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (!Number.isInteger(w) || w < -(2 ** 31) || w >= 2 ** 32) {
      throw new RangeError(`[${op}] parameter ${i} of its WebGPU kernel is ${w}, which no 32-bit word holds (WGSL has no 64-bit integers)`);
    }
  }
}

/** `words` as the u32 params of `op`'s kernel (negative words as their two's complement); checked by checkParams. */
export function packParams(op: string, words: readonly number[]): Uint32Array {
  checkParams(op, words);
  return new Uint32Array(words);
}

/** Bytes destroyed after which the next eval waits for Dawn to free them (WebGpuBackend.reclaim). */
const RECLAIM_BYTES = 64 * 2 ** 20;

/** Submitted batches the host may run ahead of the device. */
const MAX_IN_FLIGHT = 8;

/**
 * The dtypes this backend holds; int64 and uint64 as pairs of u32 words (wgsl/int64.wgsl), in the kernels
 * int64-support.ts lists; complex64 as two f32 words (wgsl/complex.wgsl), in those complex64-support.ts lists.
 */
export const WEBGPU_DTYPES = [bool, uint8, uint16, uint32, uint64, int8, int16, int32, int64, float16, bfloat16, float32, complex64];

export class WebGpuBackend extends PooledBackend<GpuBlock> implements Backend {
  readonly name = "webgpu" as const;
  readonly displayName = "webgpu";
  readonly capabilities = { dtypes: new Set(WEBGPU_DTYPES), unifiedMemory: false, syncRead: false };
  readonly kernels: Record<string, Kernel> = {};
  readonly multiKernels: Record<string, MultiKernel> = {};
  /** compile's fusion: one WGSL kernel per group of elementwise nodes (fuse.ts). */
  readonly fuse = guardFuse(webGpuFuse(this));
  readonly queue: CommandQueue;
  private readonly allocation: CheckedAllocation;
  /** The pipelines compiled so far, one cache per value of `compactKernels`. */
  private readonly pipelineCaches = new Map<boolean, PipelineCache>();
  private pipelines: PipelineCache;
  private compact: boolean;
  private readonly errors: string[] = [];
  private readonly maxBinding: number;
  private readonly maxBuffer: number;

  constructor(readonly ctx: GpuContext) {
    const device = ctx.device;
    const queue = new CommandQueue(device, device.limits.maxComputeWorkgroupsPerDimension);
    const allocation = new CheckedAllocation(device);
    super(
      new BufferPool<GpuBlock>((size, held) => allocation.create(size, held), {
        name: "webgpu",
        destroy: (block) => queue.destroyLater(block.buffer),
        reusable: (block) => !block.failed,
        cacheLimit: WEBGPU_CACHE_LIMIT,
        cacheUpToHighWater: true,
        memoryLimit: defaultMemoryLimit(ctx),
      }),
    );
    this.queue = queue;
    this.allocation = allocation;
    this.maxBinding = device.limits.maxStorageBufferBindingSize;
    this.maxBuffer = device.limits.maxBufferSize;
    this.compact = isSoftwareAdapter(ctx);
    this.pipelines = this.pipelineCacheFor(this.compact);
    device.addEventListener("uncapturederror", (ev) => {
      this.errors.push(`Dawn reported: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    });
    void device.lost.then((info) => this.errors.push(`the WebGPU device was lost (${info.reason}): ${info.message}`));
  }

  private pipelineCacheFor(compact: boolean): PipelineCache {
    let cache = this.pipelineCaches.get(compact);
    if (!cache) this.pipelineCaches.set(compact, (cache = pipelineCache(this.ctx.device, (label, message) => this.errors.push(`[${label}] WGSL compilation failed: ${message}`))));
    return cache;
  }

  /**
   * Whether kernels take a CPU adapter's compact shapes (the default on
   * lavapipe) instead of those made for a GPU's memory latency: the
   * elementwise kernel's eight words an invocation looped instead of written
   * out (wgsl/elementwise.wgsl's UNROLL_WORDS), the quantized matrix-vector
   * kernel's fewer rows a team and units in flight (quantized.ts), the matmul's
   * smallest slab without a tuned choice (matmul-tuning.ts COMPACT_CONFIG).
   * The same results; on lavapipe, which compiles every kernel with LLVM on
   * first use, the written-out copies were most of each kernel's compile time
   * (elementwise 4x, matrix-vector 4.7x, 16-bit matmul 3.5x). Tests set it to
   * check both.
   */
  get compactKernels(): boolean {
    return this.compact;
  }

  set compactKernels(on: boolean) {
    this.compact = on;
    this.pipelines = this.pipelineCacheFor(on);
  }

  /**
   * Whether max/min take wgsl/max-rows.wgsl for every row it can fold
   * (backends/webgpu/extreme-rows.ts), or only where it was measured faster
   * (rows wgsl/reduce-groups.wgsl would fold, and rows of 1025 elements to
   * 16 KiB: extreme-rows.ts's MAX_ROWS_FROM).
   * Tests set it to check every row the kernel can take.
   */
  allMaxRows = false;

  /**
   * Whether float16/bfloat16 sums and products of many contiguous rows take
   * wgsl/sum-rows16.wgsl (backends/webgpu/sum-rows16.ts), whose order its
   * header states, instead of wgsl/reduce.wgsl and wgsl/reduce-groups.wgsl.
   * Tests and benchmarks set it to compare both.
   */
  sumRows16 = true;

  /**
   * Whether logsumexp of many rows on whole quads takes
   * wgsl/logsumexp-rows.wgsl (backends/webgpu/logsumexp-rows.ts) instead of
   * the dense-row kernels. Tests and benchmarks set it to compare both.
   */
  logsumexpRows = true;

  /** A buffer of `nbytes`, checked against the device's limits before Dawn is asked (the pool then checks the memory budget). */
  allocate(nbytes: number): BackendBuffer {
    const padded = Math.max(4, Math.ceil(nbytes / 4) * 4);
    if (padded > this.maxBuffer) {
      throw new RangeError(`[webgpu] cannot allocate ${formatBytes(nbytes)}: larger than this device's maxBufferSize (${formatBytes(this.maxBuffer)})`);
    }
    if (padded > this.maxBinding) {
      throw new RangeError(`[webgpu] cannot allocate ${formatBytes(nbytes)}: larger than this device's maxStorageBufferBindingSize (${formatBytes(this.maxBinding)}), the most one kernel can bind`);
    }
    if (padded > WGSL_MAX_BYTES) {
      throw new RangeError(`[webgpu] cannot allocate ${formatBytes(nbytes)}: WGSL kernels index buffers with 32-bit words, so one holds at most ${formatBytes(WGSL_MAX_BYTES)}`);
    }
    const block = this.pool.acquire(padded);
    this.queue.lost.reused(block.buffer);
    return new GpuBuffer(this, nbytes, block);
  }

  /**
   * The driver refused a block of `size` bytes while the backend held `held`:
   * that becomes the memory limit (a later allocation past it fails at once,
   * naming it), but never below what the device granted before (memory Dawn
   * had not yet freed, or another program's, may have made it refuse); the
   * cache is given back, and the wait throws.
   */
  private outOfDeviceMemory({ size, held, granted, message }: RefusedAllocation): void {
    const limit = Math.max(held, granted);
    if (limit < this.pool.getMemoryLimit()) this.pool.setMemoryLimit(limit);
    this.pool.clear();
    this.errors.push(
      `out of device memory: the driver could not allocate ${formatBytes(size)} more with ${formatBytes(held)} allocated (${message}); ` +
        `the memory limit is now ${formatBytes(this.pool.getMemoryLimit())}, so an allocation past it fails before the driver is asked: ` +
        "release arrays (dispose, tidy), or change the limit with mx.setMemoryLimit(bytes)",
    );
  }

  write(buffer: BackendBuffer, src: ArrayBufferView): void {
    // writes land before already-encoded work unless that work is submitted first
    if (!this.queue.idle) this.queue.submit();
    const bytes = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
    const padded = bytes.byteLength % 4 === 0 ? bytes : (() => {
      const p = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
      p.set(bytes);
      return p;
    })();
    const target = (buffer as GpuBuffer).block.buffer;
    if (padded.byteLength) this.ctx.device.queue.writeBuffer(target, 0, padded);
    this.queue.lost.hostWrote(target);
  }

  /** The GPU buffer behind a tensor. */
  gpuBuffer(t: Tensor): GPUBuffer {
    return (t.buffer as GpuBuffer).block.buffer;
  }

  /** A new contiguous output tensor. */
  allocOutput(spec: OutputSpec): Tensor {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    return { buffer: this.allocate(n * spec.dtype.size), dtype: spec.dtype, shape: spec.shape, strides: rowMajorStrides(spec.shape), offset: 0 };
  }

  /** Encodes `kernel` over `groups` workgroups: bindings are the output, the params (words checked by checkParams), then the inputs. */
  run(kernel: KernelCall, out: GPUBuffer, params: readonly number[] | ParamsSlice, inputs: GPUBuffer[], groups: number): void {
    const { op, file, helpers, slots } = kernel;
    // a caller's key determines the inputs' dtypes, hence their count; a derived one does not
    const key = kernel.key ?? `${inputs.length}|${helpers.join(",")}|${Object.entries(slots as Slots).map(([k, v]) => `${k}=${v}`).join("|")}`;
    const pipeline = this.pipelines.get(file, key, () => ({
      label: `${op}:${file}`,
      code: kernelSource(file, { UNROLL_WORDS: String(!this.compact), ...(typeof slots === "function" ? slots() : slots) }, helpers),
      layout: this.queue.pipelineLayout(inputs.length),
    }));
    let p: ParamsSlice;
    if (Array.isArray(params)) {
      checkParams(op, params);
      p = this.queue.params(op, params);
    } else p = params as ParamsSlice;
    this.queue.dispatch(op, pipeline, out, p, inputs, groups);
  }

  async read(view: Tensor): Promise<ArrayBufferView> {
    // (unused strides no params word holds, and an empty view's offset, made plain)
    const t = canonicalView(view);
    const { block } = t.buffer as GpuBuffer;
    if (block.failed) throw new Error("[webgpu] this array has no value: the driver could not allocate its buffer (out of device memory)");
    const lostBy = this.queue.lost.lostBy(block.buffer);
    if (lostBy !== undefined) throw new Error(`[webgpu] this array's value was lost: the work that computed it failed ([webgpu] ${lostBy})`);
    const n = t.shape.reduce((a, b) => a * b, 1);
    const nbytes = n * t.dtype.size;
    let src = t;
    const aligned = (t.offset * t.dtype.size) % 4 === 0;
    if (!isRowMajor(t.shape, t.strides) || !aligned) src = contiguousCopy(this, t);
    const size = Math.max(4, Math.ceil(nbytes / 4) * 4);
    const staging = this.ctx.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    if (nbytes > 0) this.queue.copy(this.gpuBuffer(src), src.offset * src.dtype.size, staging, 0, size);
    if (src !== t) this.release(src.buffer);
    const ops = this.queue.submit(false);
    try {
      await awaitGpu(staging.mapAsync(GPUMapMode.READ));
      // the copy ran after everything submitted before it
      this.queue.drained();
    } catch (e) {
      await this.endWait(ops).catch(() => {});
      throw new Error(`[webgpu] reading a result failed after running ${ops.join(", ") || "no ops"}: ${(e as Error).message}`);
    }
    try {
      await this.endWait(ops);
    } catch (e) {
      staging.destroy();
      throw e;
    }
    const bytes = new Uint8Array(staging.getMappedRange(0, size)).slice(0, nbytes);
    staging.unmap();
    staging.destroy();
    const ctor = storageCtor(t.dtype);
    return new ctor(bytes.buffer, 0, nbytes / ctor.BYTES_PER_ELEMENT);
  }

  async synchronize(): Promise<void> {
    const ops = this.queue.submit(false);
    await awaitGpu(this.ctx.device.queue.onSubmittedWorkDone());
    this.queue.drained();
    await this.endWait(ops);
  }

  /**
   * After 64 MiB or more were destroyed, a submit and a wait for it before the
   * next eval allocates: Dawn gives a destroyed buffer's memory back to the
   * driver only once a submit after the destroy has completed, so without
   * them an allocation right after `dispose` and `clearCache` is refused (on
   * the H200, with 138 GiB destroyed, until the next submit: the driver then
   * took 3.3 s to free them).
   */
  reclaim(): Promise<void> | undefined {
    if (this.queue.destroyedBytes < RECLAIM_BYTES) return undefined;
    this.queue.destroyedBytes = 0;
    const device = this.ctx.device;
    if (this.queue.idle) device.queue.submit([device.createCommandEncoder().finish()]);
    else this.queue.submit(false);
    return awaitGpu(device.queue.onSubmittedWorkDone());
  }

  /** Many batches in flight: wait for the oldest before encoding more (the device keeps busy on the rest). */
  throttle(): Promise<void> | undefined {
    const q = this.queue.inFlight;
    return q.length > MAX_IN_FLIGHT ? awaitGpu(q.shift()!) : undefined;
  }

  /** An error found asynchronously (a user kernel's WGSL that did not compile), thrown at the next wait, as Dawn's are. */
  reportError(message: string): void {
    this.errors.push(message);
  }

  /**
   * Ends a wait: once every new block's allocation is checked, the errors Dawn
   * reported since the last wait are thrown, and the results written since
   * then are marked lost by them.
   */
  private async endWait(ops: readonly string[]): Promise<void> {
    if (this.allocation.busy) for (const r of await awaitGpu(this.allocation.settle())) this.outOfDeviceMemory(r);
    // what the device wrote of its own errors (a user kernel's loop guard)
    const checked = this.queue.lost.runChecks();
    if (checked) this.errors.push(...(await awaitGpu(checked)));
    if (!this.errors.length) {
      this.queue.lost.endEpoch(undefined);
      return;
    }
    // the root causes, without the echoes of objects made invalid by them
    const all = this.errors.splice(0);
    const roots = all.filter((m) => !m.includes("is invalid due to a previous error"));
    const msg = `${(roots.length ? roots : all).join("; ")}${ops.length ? ` (while running: ${[...new Set(ops)].join(", ")})` : ""}`;
    this.queue.lost.endEpoch(msg);
    throw new Error(`[webgpu] ${msg}`);
  }
}
