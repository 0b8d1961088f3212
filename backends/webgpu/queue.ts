// Command batching for the WebGPU backend: one command encoder and one open
// compute pass for many dispatches, submitted at synchronize/read, before a
// host write (so writes stay ordered after the work that reads the old
// contents), or every MAX_BATCH dispatches. Per-dispatch parameters are
// carved from mapped arena buffers (bound at aligned offsets) that are
// unmapped at submit and destroyed after it; grids beyond 65535 workgroups
// use a second dimension.

const MAX_BATCH = 1024;
const ARENA_BYTES = 1 << 18;

/** A slice of a buffer, as bound to a shader. */
export interface BufferSlice {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

export class CommandQueue {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private transient: GPUBuffer[] = [];
  private arena: { buffer: GPUBuffer; words: Uint32Array; used: number } | null = null;
  private readonly align: number;
  private destroyAfterSubmit: GPUBuffer[] = [];
  /** Ops encoded since the last submit, for error messages. */
  private ops: string[] = [];
  /** Bind group layouts per pipeline (asking the pipeline each time costs a native call). */
  private readonly layouts = new WeakMap<GPUComputePipeline, GPUBindGroupLayout>();
  /** Submits since the backend last waited for the device. */
  submitsInFlight = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly maxWorkgroups: number,
  ) {
    this.align = device.limits.minStorageBufferOffsetAlignment;
  }

  get pendingOps(): readonly string[] {
    return this.ops;
  }

  /** `words` (at least one word) in storage memory that lives until the next submit. */
  params(words: Uint32Array): BufferSlice {
    // every dispatch takes its params first: the place to close a long batch
    if (this.ops.length >= MAX_BATCH) this.submit();
    const size = Math.max(4, words.byteLength);
    const need = Math.ceil(size / this.align) * this.align;
    if (!this.arena || this.arena.used + need > this.arena.words.byteLength) {
      const bytes = Math.max(ARENA_BYTES, need);
      const buffer = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
      this.arena = { buffer, words: new Uint32Array(buffer.getMappedRange()), used: 0 };
      this.transient.push(buffer);
    }
    const offset = this.arena.used;
    this.arena.words.set(words, offset / 4);
    this.arena.used += need;
    return { buffer: this.arena.buffer, offset, size };
  }

  /** Encodes one dispatch of `pipeline` with `buffers` bound at 0..n-1 over `groups` workgroups. */
  dispatch(op: string, pipeline: GPUComputePipeline, buffers: (GPUBuffer | BufferSlice)[], groups: number): void {
    if (groups === 0) return;
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    let layout = this.layouts.get(pipeline);
    if (!layout) this.layouts.set(pipeline, (layout = pipeline.getBindGroupLayout(0)));
    const bindGroup = this.device.createBindGroup({
      layout,
      entries: buffers.map((b, binding) => ({ binding, resource: b instanceof GPUBuffer ? { buffer: b } : b })),
    });
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    const x = Math.min(groups, this.maxWorkgroups);
    const y = Math.ceil(groups / x);
    if (y > this.maxWorkgroups) throw new RangeError(`[${op}] needs ${groups} workgroups, more than this device dispatches (${this.maxWorkgroups}^2)`);
    this.pass.dispatchWorkgroups(x, y);
    this.ops.push(op);
  }

  /** Encodes a buffer copy (ends the open compute pass). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Destroys `buf` once the work encoded so far has been submitted. */
  destroyLater(buf: GPUBuffer): void {
    if (this.encoder) this.destroyAfterSubmit.push(buf);
    else buf.destroy();
  }

  get idle(): boolean {
    return this.encoder === null;
  }

  /** Submits what was encoded; returns the ops it held. */
  submit(): string[] {
    this.endPass();
    for (const b of this.transient) if (b.mapState === "mapped") b.unmap();
    this.arena = null;
    const ops = this.ops;
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.submitsInFlight++;
    }
    this.encoder = null;
    this.ops = [];
    for (const b of this.transient) b.destroy();
    for (const b of this.destroyAfterSubmit) b.destroy();
    this.transient = [];
    this.destroyAfterSubmit = [];
    return ops;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }
}
