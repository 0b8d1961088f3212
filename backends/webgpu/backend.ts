// The WebGPU backend object: GPU buffers from the shared pool (storage usage,
// sizes rounded to 4 bytes), host writes and mapped-staging reads, batched
// dispatches, and Dawn's validation errors and device loss surfaced as JS
// errors naming the ops. Kernels are registered by backends/webgpu/index.ts.

import type { Backend, BackendBuffer, Kernel, OutputSpec, Tensor } from "../backend.js";
import { BufferPool, PooledBackend } from "../pool.js";
import { isRowMajor } from "../strides.js";
import { bfloat16, bool, float16, float32, int16, int32, int8, uint16, uint32, uint8 } from "../../src/dtype.js";
import { rowMajorStrides } from "../../src/shape.js";
import { storageCtor } from "../../src/storage.js";
import type { GpuContext } from "./device.js";
import { pipelineCache, kernelSource, type PipelineCache } from "./shaders.js";
import { CommandQueue, type ParamsSlice } from "./queue.js";
import { contiguousCopy } from "./elementwise.js";

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

interface GpuBlock {
  readonly size: number;
  readonly buffer: GPUBuffer;
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

/** Bytes of freed buffers kept for reuse by default (creating and zeroing large GPU buffers is slow). */
const WEBGPU_CACHE_LIMIT = 4 * 2 ** 30;

/** Submitted batches the host may run ahead of the device. */
const MAX_IN_FLIGHT = 8;

export const WEBGPU_DTYPES = [bool, uint8, uint16, uint32, int8, int16, int32, float16, bfloat16, float32];

export class WebGpuBackend extends PooledBackend<GpuBlock> implements Backend {
  readonly name = "webgpu" as const;
  readonly displayName = "webgpu";
  readonly capabilities = { dtypes: new Set(WEBGPU_DTYPES), unifiedMemory: false, syncRead: false };
  readonly kernels: Record<string, Kernel> = {};
  readonly queue: CommandQueue;
  private readonly pipelines: PipelineCache;
  private readonly errors: string[] = [];
  private readonly maxBinding: number;

  constructor(readonly ctx: GpuContext) {
    const device = ctx.device;
    const queue = new CommandQueue(device, device.limits.maxComputeWorkgroupsPerDimension);
    super(
      new BufferPool<GpuBlock>(
        (size) => ({ size, buffer: device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }) }),
        (block) => queue.destroyLater(block.buffer),
        WEBGPU_CACHE_LIMIT,
      ),
    );
    this.queue = queue;
    this.maxBinding = device.limits.maxStorageBufferBindingSize;
    this.pipelines = pipelineCache(device, (label, message) => this.errors.push(`[${label}] WGSL compilation failed: ${message}`));
    device.addEventListener("uncapturederror", (ev) => {
      this.errors.push(`Dawn reported: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    });
    void device.lost.then((info) => this.errors.push(`the WebGPU device was lost (${info.reason}): ${info.message}`));
  }

  allocate(nbytes: number): BackendBuffer {
    const padded = Math.max(4, Math.ceil(nbytes / 4) * 4);
    if (padded > this.maxBinding) {
      throw new RangeError(`[webgpu] cannot allocate ${nbytes} bytes: larger than this device's maxStorageBufferBindingSize (${this.maxBinding} bytes)`);
    }
    return new GpuBuffer(this, nbytes, this.pool.acquire(padded));
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
    if (padded.byteLength) this.ctx.device.queue.writeBuffer((buffer as GpuBuffer).block.buffer, 0, padded);
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

  /** Encodes `kernel` over `groups` workgroups: bindings are the output, the params, then the inputs. */
  run(kernel: KernelCall, out: GPUBuffer, params: Uint32Array | ParamsSlice, inputs: GPUBuffer[], groups: number): void {
    const { op, file, helpers, slots } = kernel;
    // a caller's key determines the inputs' dtypes, hence their count; a derived one does not
    const key = kernel.key ?? `${inputs.length}|${helpers.join(",")}|${Object.entries(slots as Slots).map(([k, v]) => `${k}=${v}`).join("|")}`;
    const pipeline = this.pipelines.get(file, key, () => ({
      label: `${op}:${file}`,
      code: kernelSource(file, typeof slots === "function" ? slots() : slots, helpers),
      layout: this.queue.pipelineLayout(inputs.length),
    }));
    const p = params instanceof Uint32Array ? this.queue.params(op, params) : params;
    this.queue.dispatch(op, pipeline, out, p, inputs, groups);
  }

  async read(t: Tensor): Promise<ArrayBufferView> {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const nbytes = n * t.dtype.size;
    let src = t;
    const aligned = (t.offset * t.dtype.size) % 4 === 0;
    if (!isRowMajor(t.shape, t.strides) || !aligned) src = contiguousCopy(this, t);
    const size = Math.max(4, Math.ceil(nbytes / 4) * 4);
    const staging = this.ctx.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    if (nbytes > 0) this.queue.copy(this.gpuBuffer(src), src.offset * src.dtype.size, staging, 0, size);
    if (src !== t) this.release(src.buffer);
    const ops = this.queue.submit();
    try {
      await awaitGpu(staging.mapAsync(GPUMapMode.READ));
    } catch (e) {
      throw new Error(`[webgpu] reading a result failed after running ${ops.join(", ") || "no ops"}: ${(e as Error).message}`);
    } finally {
      this.throwErrors(ops);
    }
    const bytes = new Uint8Array(staging.getMappedRange(0, size)).slice(0, nbytes);
    staging.unmap();
    staging.destroy();
    const ctor = storageCtor(t.dtype);
    return new ctor(bytes.buffer, 0, nbytes / ctor.BYTES_PER_ELEMENT);
  }

  async synchronize(): Promise<void> {
    const ops = this.queue.submit();
    await awaitGpu(this.ctx.device.queue.onSubmittedWorkDone());
    this.queue.inFlight.length = 0;
    this.throwErrors(ops);
  }

  /** Many batches in flight: wait for the oldest before encoding more (the device keeps busy on the rest). */
  throttle(): Promise<void> | undefined {
    const q = this.queue.inFlight;
    return q.length > MAX_IN_FLIGHT ? awaitGpu(q.shift()!) : undefined;
  }

  private throwErrors(ops: readonly string[]): void {
    if (!this.errors.length) return;
    const msg = this.errors.splice(0).join("; ");
    throw new Error(`[webgpu] ${msg}${ops.length ? ` (while running: ${[...new Set(ops)].join(", ")})` : ""}`);
  }
}
