// Command batching for the WebGPU backend: one command encoder and one open
// compute pass for many dispatches, submitted at synchronize/read, before a
// host write (so writes stay ordered after the work that reads the old
// contents), or when a batch is full (after an idle device, batches of heavy
// kernels start small and double, so the GPU starts early). Every kernel
// binds (output, params, inputs...) through one explicit layout per input
// count; the params of a batch live in one persistent ring buffer, written
// with one queue write just before the batch is submitted and bound at a
// dynamic offset, so a bind group depends only on the tensors' buffers and is
// cached when they recur. Grids beyond 65535 workgroups use a second
// dimension. Every write is noted in `lost` (lost-results.ts), so a result an
// error lost is never read as data.

import { LostResults } from "./lost-results.js";

/** Dispatches per submit at most: small enough that the GPU starts while the host still encodes. */
const MAX_BATCH = 128;
/**
 * Dispatches in the first batch after the device went idle; each later batch
 * takes twice as many, up to MAX_BATCH. Dawn runs nothing before a submit, and
 * a submit costs the host about 25 us (H200), so the GPU starts on the first
 * kernel of an eval while the host encodes the rest, and a long eval pays
 * few submits. A batch closes this early only once its dispatches bind
 * RAMP_BYTES (each dispatch counting its buffers): a chain of small kernels,
 * whose GPU time is less than a submit's cost, keeps whole batches. On the
 * H200 (2026-12-01, two leases, 10 ops per eval, share of the copy kernel
 * against whole batches, a first batch of 8): sum 64M f32 68-89% against
 * 58-80%, max 71-88% against 58-82%, argmax 63-80% against 54-71%, a chain
 * of 200 ops on 16 MiB arrays 12-18 us/op against 15-20; softmax and
 * logsumexp alike. A first batch of 1 against 8 (2026-12-03, medians of 60
 * evals of 10 ops, 8 rounds alternating over two runs, the wall clock being
 * +-15% from round to round): a mean 3-11% less wall time an eval on
 * float32 max and sum of 64M, softmax, matmul 1024 and add 16M; float16 max
 * and exp within the noise. Dropping the completion promises of the ramp's
 * submits as well bought nothing.
 */
const FIRST_BATCH = 1;
const RAMP_BYTES = 64 * 2 ** 20;

const RING_BYTES = 1 << 20;
/** Bytes of the ring visible to one dispatch (the largest params a kernel may take). */
const PARAMS_WINDOW = 2048;
const MAX_BIND_GROUPS = 4096;

/** Times the queue's compute passes on the device (set by a profiler such as bench/gpu-timer.ts). */
export interface PassTimer {
  /** The timestamp writes of the next compute pass. */
  writes(): GPUComputePassTimestampWrites;
  /** Encodes the resolution of the passes' timestamps written since the last call (no pass is open). */
  resolve(encoder: GPUCommandEncoder): void;
}

/** A slice of the params ring, as handed to one dispatch. */
export interface ParamsSlice {
  buffer: GPUBuffer;
  offset: number;
}

export class CommandQueue {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly ring: GPUBuffer;
  private readonly ringWords = new Uint32Array(RING_BYTES / 4);
  private ringUsed = 0;
  private readonly align: number;
  private destroyAfterSubmit: GPUBuffer[] = [];
  /** Ops encoded since the last submit, for error messages. */
  private ops: string[] = [];
  /** Bytes of the buffers the batch's dispatches bind, summed per dispatch. */
  private batchBytes = 0;
  private readonly layouts = new Map<number, { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout }>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  /** Buffer combinations bound once so far (their bind groups were not kept). */
  private readonly seenOnce = new Set<string>();
  /** A number and the size of each buffer bound so far (Dawn's size getter is a call into native code). */
  private readonly known = new WeakMap<GPUBuffer, { id: number; bytes: number }>();
  private nextBufferId = 0;
  private readonly offsets = [0];
  /** Dispatches that close the current batch (FIRST_BATCH after the device went idle, doubling per submit). */
  private batchTarget = FIRST_BATCH;
  /** The pipeline last set on the open pass. */
  private passPipeline: GPUComputePipeline | null = null;
  /** One completion promise per submit not yet known to be finished, oldest first. */
  readonly inFlight: Promise<void>[] = [];
  /** The epoch of each buffer's last write, and the epochs a wait found an error in. */
  readonly lost = new LostResults();
  /** Bytes destroyed since the backend last reclaimed them (Dawn frees them once a later submit completes). */
  destroyedBytes = 0;
  /** When set, every compute pass records its start and end on the device. */
  passTimer: PassTimer | null = null;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxWorkgroups: number,
  ) {
    this.align = device.limits.minStorageBufferOffsetAlignment;
    this.ring = device.createBuffer({ size: RING_BYTES + PARAMS_WINDOW, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  }

  get pendingOps(): readonly string[] {
    return this.ops;
  }

  /** The pipeline layout of kernels with `inputs` input bindings after the output and the params. */
  pipelineLayout(inputs: number): GPUPipelineLayout {
    return this.layoutFor(inputs).pipeline;
  }

  /** `words` (as u32s, negative ones as their two's complement) placed in the params ring for the next dispatch of this batch. */
  params(op: string, words: Uint32Array | readonly number[]): ParamsSlice {
    const bytes = 4 * words.length;
    if (bytes > PARAMS_WINDOW) throw new RangeError(`[${op}] its ${words.length} parameter words exceed the WebGPU backend's ${PARAMS_WINDOW / 4}`);
    // every dispatch takes its params first: the place to close a full batch
    const full = this.ops.length >= MAX_BATCH || (this.ops.length >= this.batchTarget && this.batchBytes >= RAMP_BYTES);
    if (full || this.ringUsed + bytes > RING_BYTES) this.submit();
    const offset = this.ringUsed;
    this.ringWords.set(words, offset / 4);
    this.ringUsed += Math.ceil(Math.max(4, bytes) / this.align) * this.align;
    return { buffer: this.ring, offset };
  }

  /** Encodes one dispatch of `pipeline` (built on pipelineLayout(inputs.length)) over `groups` workgroups. */
  dispatch(op: string, pipeline: GPUComputePipeline, out: GPUBuffer, params: ParamsSlice, inputs: readonly GPUBuffer[], groups: number): void {
    if (groups === 0) return;
    const x = Math.min(groups, this.maxWorkgroups);
    const y = Math.ceil(groups / x);
    if (y > this.maxWorkgroups) throw new RangeError(`[${op}] needs ${groups} workgroups, more than this device dispatches (${this.maxWorkgroups}^2)`);
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass(this.passTimer ? { timestampWrites: this.passTimer.writes() } : undefined);
      this.passPipeline = null;
    }
    // each call into Dawn costs about 1-2 us (bench/webgpu-dawn-calls.ts): none is made twice
    if (pipeline !== this.passPipeline) this.pass.setPipeline((this.passPipeline = pipeline));
    this.offsets[0] = params.offset;
    this.pass.setBindGroup(0, this.bindGroup(out, inputs), this.offsets);
    if (y === 1) this.pass.dispatchWorkgroups(x);
    else this.pass.dispatchWorkgroups(x, y);
    this.lost.wrote(out, inputs);
    this.ops.push(op);
  }

  /** Encodes a buffer copy (ends the open compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
    this.lost.wrote(dst, [src]);
  }

  /** Destroys `buf` once the work encoded so far has been submitted. */
  destroyLater(buf: GPUBuffer): void {
    this.destroyedBytes += buf.size;
    if (this.encoder) this.destroyAfterSubmit.push(buf);
    else buf.destroy();
    this.known.delete(buf);
  }

  get idle(): boolean {
    return this.encoder === null;
  }

  /**
   * Submits what was encoded (its params written just before it); returns the
   * ops it held. A caller that waits for the device itself right after
   * (synchronize, a read) passes `tracked = false`: no completion promise is
   * made for `inFlight` (each costs Dawn's binding 15-47 us on the H200's host).
   */
  submit(tracked = true): string[] {
    this.endPass();
    const ops = this.ops;
    if (this.encoder) {
      this.passTimer?.resolve(this.encoder);
      if (this.ringUsed) this.device.queue.writeBuffer(this.ring, 0, this.ringWords, 0, this.ringUsed / 4);
      this.device.queue.submit([this.encoder.finish()]);
      if (tracked) {
        const done = this.device.queue.onSubmittedWorkDone();
        // a lost device rejects it; the backend reports that through device.lost
        done.catch(() => {});
        this.inFlight.push(done);
      }
      this.batchTarget = Math.min(MAX_BATCH, 2 * this.batchTarget);
    }
    this.encoder = null;
    this.ops = [];
    this.batchBytes = 0;
    this.ringUsed = 0;
    for (const b of this.destroyAfterSubmit) b.destroy();
    this.destroyAfterSubmit = [];
    return ops;
  }

  /** Everything submitted has completed: the next batch starts small again. */
  drained(): void {
    this.inFlight.length = 0;
    this.batchTarget = FIRST_BATCH;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private layoutFor(inputs: number): { group: GPUBindGroupLayout; pipeline: GPUPipelineLayout } {
    let l = this.layouts.get(inputs);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "read-only-storage", hasDynamicOffset: true } },
      ];
      for (let k = 0; k < inputs; k++) entries.push({ binding: 2 + k, visibility: GPUShaderStage.COMPUTE, buffer: { type: "read-only-storage" } });
      const group = this.device.createBindGroupLayout({ entries });
      l = { group, pipeline: this.device.createPipelineLayout({ bindGroupLayouts: [group] }) };
      this.layouts.set(inputs, l);
    }
    return l;
  }

  /** The buffer's number (for bind-group keys); counts its bytes into the batch. */
  private bind(buf: GPUBuffer): number {
    let k = this.known.get(buf);
    if (k === undefined) this.known.set(buf, (k = { id: this.nextBufferId++, bytes: buf.size }));
    this.batchBytes += k.bytes;
    return k.id;
  }

  /**
   * The bind group of (out, the ring, inputs), whose bytes count into the batch. One is kept for reuse only when
   * its combination of buffers comes back: a chain of fresh buffers makes each
   * combination once, and retaining those piles up driver descriptor sets until
   * a major collection (lavapipe faults past ~50 000 live ones).
   */
  private bindGroup(out: GPUBuffer, inputs: readonly GPUBuffer[]): GPUBindGroup {
    let key = `${this.bind(out)}`;
    for (const b of inputs) key += `,${this.bind(b)}`;
    const cached = this.bindGroups.get(key);
    if (cached) return cached;
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: out } },
      { binding: 1, resource: { buffer: this.ring, offset: 0, size: PARAMS_WINDOW } },
    ];
    inputs.forEach((buffer, k) => entries.push({ binding: 2 + k, resource: { buffer } }));
    const bg = this.device.createBindGroup({ layout: this.layoutFor(inputs.length).group, entries });
    if (this.seenOnce.has(key)) {
      if (this.bindGroups.size >= MAX_BIND_GROUPS) this.bindGroups.clear();
      this.bindGroups.set(key, bg);
    } else {
      if (this.seenOnce.size >= 4 * MAX_BIND_GROUPS) this.seenOnce.clear();
      this.seenOnce.add(key);
    }
    return bg;
  }
}
