// The Metal backend object: buffers are device memory seen by JS as
// ArrayBuffers over the same bytes (unified memory), dispatches are encoded
// into an open command buffer and committed when a result is read, another
// backend shares a buffer, or enough work is queued. CPU tensors are bound
// in place (no copy); copies in or out are counted in `transfers`.

import type { Backend, BackendBuffer, MultiKernel, HostBytes, Kernel, OutputSpec, Tensor } from "../backend.js";
import { BufferPool, PooledBackend, formatBytes } from "../pool.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import { storageCtor } from "../../src/storage.js";
import { isRowMajor } from "../strides.js";
import type { NativeBinding, NativeDevice, NativePipeline } from "./native.js";
import { Libraries, type LibraryKey } from "./library.js";
import { METAL_DTYPES } from "./msl-types.js";
import { contiguousCopy } from "./elementwise.js";
import { metalFuse } from "./fuse.js";
import { canonicalView, guardFuse } from "../huge-work.js";

interface MetalBlock {
  readonly size: number;
  readonly bytes: ArrayBuffer;
}

/** A metal buffer: a pooled device block, or another backend's host memory bound in place. */
export class MetalBuffer implements BackendBuffer {
  refs = 1;
  constructor(
    readonly backend: Backend,
    readonly nbytes: number,
    readonly bytes: ArrayBuffer,
    readonly byteOffset: number,
    readonly block?: MetalBlock,
    /** The other backend's buffer this one views (it holds one reference to it). */
    readonly shared?: BackendBuffer,
  ) {}
}

/**
 * How a dispatch covers its work: one thread per item (`threads`, in
 * threadgroups of `group`), one threadgroup of `group` threads per item
 * (`groups`), or an explicit grid (matmul's tiles). A count that one grid
 * dimension cannot hold is laid out 2-D; kernels read linear ids (common.metal).
 */
export type Launch = { threads: number; group: number } | { groups: number; group: number } | { grid: readonly number[]; group: readonly number[] };

/** Index words, counts and bound buffers below this run the int32 variant of a library; from it on, the int64 ("large") one. */
const INT32_INDEX = 2 ** 31;
/** Along the first grid dimension when a count does not fit one: threads (a multiple of every threadgroup size) or threadgroups. */
const ROW_THREADS = 2 ** 30;
const ROW_GROUPS = 2 ** 16;

/** The grid and threadgroup of a launch. */
function gridOf(l: Launch): { grid: number[]; group: number[] } {
  if ("grid" in l) return { grid: [...l.grid], group: [...l.group] };
  if ("threads" in l) return { grid: l.threads < INT32_INDEX ? [l.threads] : [ROW_THREADS, Math.ceil(l.threads / ROW_THREADS)], group: [l.group] };
  const threads = l.groups * l.group;
  return { grid: threads < INT32_INDEX ? [threads] : [ROW_GROUPS * l.group, Math.ceil(l.groups / ROW_GROUPS)], group: [l.group] };
}

/** Dispatches queued before a commit is forced (the host does not run unboundedly ahead). */
const MAX_QUEUED = 256;
/** Bytes of released buffers that queued work still reads, kept from the pool until a commit is forced. */
const MAX_DEFERRED_BYTES = 1 << 20;

export interface TransferStats {
  /** Host-to-device and device-to-host copies (writes of host data, reads of results). */
  copies: number;
  bytes: number;
  /** Inputs of another backend used in place (no bytes moved). */
  shared: number;
}

export class MetalBackend extends PooledBackend<MetalBlock> implements Backend {
  readonly name = "metal" as const;
  readonly displayName: string;
  readonly capabilities: Backend["capabilities"];
  readonly kernels: Record<string, Kernel> = {};
  readonly multiKernels: Record<string, MultiKernel> = {};
  readonly transfers: TransferStats = { copies: 0, bytes: 0, shared: 0 };
  /** compile's fusion: one generated MSL kernel per group of elementwise nodes, or per reduction with its prologue and epilogue (fuse.ts, fuse-reduce.ts). */
  readonly fuse = guardFuse(metalFuse(this));
  private readonly libraries: Libraries;
  /** Buffers bound by encoded, uncommitted dispatches, and the ops encoded. */
  private readonly inFlight = new Set<MetalBuffer>();
  private readonly queuedOps: string[] = [];
  /** Released buffers that queued work still reads: returned to the pool (or their owner) at commit. */
  private deferred: MetalBuffer[] = [];
  private deferredBytes = 0;

  constructor(readonly device: NativeDevice) {
    super(new BufferPool<MetalBlock>((size) => ({ size, bytes: device.newBuffer(size) }), { name: "metal", destroy: (block) => device.freeBuffer(block.bytes) }));
    this.displayName = device.emulated ? "metal (emulated)" : "metal";
    this.capabilities = { dtypes: new Set(METAL_DTYPES), unifiedMemory: true, syncRead: true, emulated: device.emulated };
    this.libraries = new Libraries(device);
  }

  /** A buffer of `nbytes`, checked against maxBufferLength before the device is asked (the pool then checks the memory limit). */
  allocate(nbytes: number): BackendBuffer {
    const max = this.device.maxBufferLength;
    if (BufferPool.blockSize(nbytes) > max) {
      throw new RangeError(`[metal] cannot allocate ${formatBytes(nbytes)}: larger than this device's maxBufferLength of ${formatBytes(max)} (the device's limit or the most Node wraps in one ArrayBuffer, whichever is less)`);
    }
    const block = this.pool.acquire(Math.max(4, nbytes));
    return new MetalBuffer(this, nbytes, block.bytes, 0, block);
  }

  override release(buffer: BackendBuffer): void {
    const b = buffer as MetalBuffer;
    if (--b.refs > 0) return;
    if (!this.inFlight.has(b)) return this.free(b);
    this.deferred.push(b);
    this.deferredBytes += b.nbytes;
    if (this.deferredBytes > MAX_DEFERRED_BYTES) this.commit();
  }

  private free(b: MetalBuffer): void {
    if (b.shared) b.shared.backend.release(b.shared);
    else this.pool.release(b.block!);
  }

  write(buffer: BackendBuffer, src: ArrayBufferView): void {
    const b = buffer as MetalBuffer;
    new Uint8Array(b.bytes, b.byteOffset, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    this.transfers.copies++;
    this.transfers.bytes += src.byteLength;
  }

  /** The bytes of `buffer` in host memory, once the queued work that writes them has run. */
  hostBytes(buffer: BackendBuffer): HostBytes {
    this.commit();
    const b = buffer as MetalBuffer;
    return { bytes: b.bytes, byteOffset: b.byteOffset, byteLength: b.nbytes };
  }

  /** `t` of a backend with host-visible memory, bound in place (no copy). */
  share(t: Tensor): Tensor | undefined {
    const host = t.buffer.backend.hostBytes?.(t.buffer);
    if (!host) return undefined;
    t.buffer.refs++;
    this.transfers.shared++;
    return { ...t, buffer: new MetalBuffer(this, host.byteLength, host.bytes, host.byteOffset, undefined, t.buffer) };
  }

  readSync(view: Tensor): ArrayBufferView {
    // a view of no elements reads nothing (its offset may lie past the buffer: mx.asStrided(x, [0], [1], 100))
    if (sizeOf(view.shape) === 0) return new (storageCtor(view.dtype))(0);
    // (unused strides no params word holds made plain)
    const t = canonicalView(view);
    const src = isRowMajor(t.shape, t.strides) ? t : contiguousCopy(this, t);
    this.commit();
    const b = src.buffer as MetalBuffer;
    const n = sizeOf(t.shape);
    const ctor = storageCtor(t.dtype);
    const start = b.byteOffset + src.offset * t.dtype.size;
    const out = new ctor(new Uint8Array(b.bytes, start, n * t.dtype.size).slice().buffer);
    if (src !== t) this.release(src.buffer);
    this.transfers.copies++;
    this.transfers.bytes += n * t.dtype.size;
    return out;
  }

  async read(t: Tensor): Promise<ArrayBufferView> {
    return this.readSync(t);
  }

  async synchronize(): Promise<void> {
    this.commit();
  }

  /** A new contiguous output tensor. */
  allocOutput(spec: OutputSpec): Tensor {
    return { buffer: this.allocate(sizeOf(spec.shape) * spec.dtype.size), dtype: spec.dtype, shape: spec.shape, strides: rowMajorStrides(spec.shape), offset: 0 };
  }

  pipeline(key: LibraryKey, kernel: string): NativePipeline {
    return this.libraries.pipeline(key, kernel);
  }

  /**
   * Runs `kernel` of library `key` over `buffers` (bound at 0..) with params
   * `words` (integers: counts, offsets, strides, bit patterns as int32) bound
   * after them. The library's int32 variant runs when every word, the thread
   * count and every bound buffer stay below 2^31; else its large variant
   * (IDX = long, params as int64), so no count or offset wraps.
   */
  run(op: string, key: LibraryKey, kernel: string, buffers: readonly Tensor[], words: readonly number[], launch: Launch): void {
    for (const w of words) {
      // counts past 2^53 - 1 are refused before kernels run (backends/huge-work.ts); a value reaching here is still the user's sizes
      if (!Number.isSafeInteger(w)) throw new RangeError(`[${op}] cannot run on metal: its kernel would need the value ${w}, which is not an integer of at most 2^53 - 1 in magnitude (the sizes, strides and offsets it counts must be)`);
    }
    const count = "threads" in launch ? launch.threads : "groups" in launch ? launch.groups * launch.group : 0;
    const large = count >= INT32_INDEX || words.some((w) => w >= INT32_INDEX || w < -INT32_INDEX) || buffers.some((t) => t.buffer.nbytes >= INT32_INDEX);
    const lib = large ? { file: key.file, variant: `${key.variant}-i64`, defines: () => ({ IDX: "long", UIDX: "ulong", ...key.defines() }) } : key;
    const params = large ? BigInt64Array.from(words, (w) => BigInt(w)) : Int32Array.from(words);
    const { grid, group } = gridOf(launch);
    this.dispatch(op, this.pipeline(lib, kernel), buffers, params, grid, group);
  }

  /**
   * Encodes one dispatch of `grid` threads in groups of `group`: `buffers` bind
   * tensors' buffers at indices 0.., then `params` at the next index.
   * `lengths` (user kernels) gives the bytes each binding holds exactly.
   */
  dispatch(op: string, pipeline: NativePipeline, buffers: readonly Tensor[], params: Int32Array | BigInt64Array | undefined, grid: readonly number[], group: readonly number[], lengths?: readonly number[]): void {
    if (grid.some((g) => g === 0)) return;
    const bindings: NativeBinding[] = buffers.map((t, index) => {
      const b = t.buffer as MetalBuffer;
      this.inFlight.add(b);
      // kernels read and write 8- and 16-bit arrays by whole 32-bit words: the array's bytes rounded up to a word
      const length = Math.min(lengths?.[index] ?? Math.ceil(b.nbytes / 4) * 4, b.bytes.byteLength - b.byteOffset);
      return { index, buffer: b.bytes, offset: b.byteOffset, length };
    });
    if (params) bindings.push({ index: buffers.length, bytes: params });
    this.device.encode(pipeline, bindings, [grid[0] ?? 1, grid[1] ?? 1, grid[2] ?? 1], [group[0] ?? 1, group[1] ?? 1, group[2] ?? 1]);
    this.queuedOps.push(op);
    if (this.queuedOps.length >= MAX_QUEUED) this.commit();
  }

  /** Runs the queued dispatches and waits; errors name the ops of the batch. */
  commit(): void {
    if (!this.queuedOps.length) return;
    const ops = this.queuedOps.splice(0);
    try {
      this.device.commit();
    } catch (e) {
      throw new Error(`${(e as Error).message} (while running: ${[...new Set(ops)].join(", ")})`);
    } finally {
      this.inFlight.clear();
      const freed = this.deferred;
      this.deferred = [];
      this.deferredBytes = 0;
      for (const b of freed) this.free(b);
    }
  }
}
