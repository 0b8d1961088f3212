// Command batching for the WebGPU backend: one command encoder and one open
// compute pass per eval batch with many dispatches, submitted at
// synchronize/read (or before a host write, so writes stay ordered after the
// work that reads the old contents). Per-dispatch parameters go in small
// storage buffers destroyed after submission; grids beyond 65535 workgroups
// use a second dimension.

export class CommandQueue {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private transient: GPUBuffer[] = [];
  private destroyAfterSubmit: GPUBuffer[] = [];
  /** Ops encoded since the last submit, for error messages. */
  private ops: string[] = [];

  constructor(
    private readonly device: GPUDevice,
    private readonly maxWorkgroups: number,
  ) {}

  get pendingOps(): readonly string[] {
    return this.ops;
  }

  /** A storage buffer holding `words` (at least one word), destroyed after the next submit. */
  params(words: Uint32Array): GPUBuffer {
    const size = Math.max(4, words.byteLength);
    const buf = this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, mappedAtCreation: true });
    new Uint32Array(buf.getMappedRange()).set(words);
    buf.unmap();
    this.transient.push(buf);
    return buf;
  }

  /** Encodes one dispatch of `pipeline` with `buffers` bound at 0..n-1 over `groups` workgroups. */
  dispatch(op: string, pipeline: GPUComputePipeline, buffers: GPUBuffer[], groups: number): void {
    if (groups === 0) return;
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
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
    const ops = this.ops;
    if (this.encoder) this.device.queue.submit([this.encoder.finish()]);
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
