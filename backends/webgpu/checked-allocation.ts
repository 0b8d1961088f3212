// GPU buffer creation checked for the driver's out-of-memory error. WebGPU
// reports that error asynchronously (through an error scope), so each new
// block carries a check that the backend's next wait settles; a refused
// block is marked failed (the pool never caches it), and the wait learns the
// bytes the backend held when the driver refused, its new memory limit.

/** A block of the webgpu pool: a storage buffer, failed when the driver could not allocate it. */
export interface GpuBlock {
  readonly size: number;
  readonly buffer: GPUBuffer;
  failed: boolean;
}

/** An allocation the driver refused: its size, the bytes the backend held when it was asked for, the most the device had granted, and Dawn's message. */
export interface RefusedAllocation {
  size: number;
  held: number;
  granted: number;
  message: string;
}

export class CheckedAllocation {
  private readonly pending = new Set<Promise<void>>();
  private refused: RefusedAllocation[] = [];
  /** The most bytes the backend held right after an allocation the driver granted. */
  private granted = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A new block of `size` bytes, asked for while the backend holds `held` bytes (active and cached). */
  create(size: number, held: number): GpuBlock {
    this.device.pushErrorScope("out-of-memory");
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const block: GpuBlock = { size, buffer: this.device.createBuffer({ size, usage }), failed: false };
    const check: Promise<void> = this.device.popErrorScope().then(
      (error) => {
        if (!error) {
          this.granted = Math.max(this.granted, held + size);
          return;
        }
        block.failed = true;
        this.refused.push({ size, held, granted: this.granted, message: error.message });
      },
      () => {}, // a lost device: the backend reports that through device.lost
    );
    this.pending.add(check);
    void check.finally(() => this.pending.delete(check));
    return block;
  }

  /** Once every block created so far has been checked: the allocations refused since the last call. */
  async settle(): Promise<RefusedAllocation[]> {
    if (this.pending.size) await Promise.all(this.pending);
    const refused = this.refused;
    this.refused = [];
    return refused;
  }

  /** Whether a wait has anything to settle: a check still pending, or a refusal not yet taken. */
  get busy(): boolean {
    return this.pending.size > 0 || this.refused.length > 0;
  }
}
