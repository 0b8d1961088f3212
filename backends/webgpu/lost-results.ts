// Which results an error lost. Dawn reports errors (an allocation the driver
// refused, a command buffer it rejected) after the fact; the backend throws
// them at its next wait, when later work may already have used the bad
// buffers. So every GPU buffer remembers the epoch (the span between two
// waits) of its last write; a wait that throws fails its epoch, a read of a
// buffer written in a failed epoch throws instead of returning stale memory,
// and a kernel that reads such a buffer passes the loss on to its output (a
// write may cover part of a buffer, so a loss stays until the pool hands the
// buffer out again). Errors the device writes into memory (a user kernel's
// loop guard, loop-guard.ts) are read by checks the wait runs first.

export class LostResults {
  private epoch = 0;
  private readonly writtenIn = new WeakMap<GPUBuffer, number>();
  /** The failed epochs and the error each wait threw. */
  private readonly failed = new Map<number, string>();

  /** Checks a wait runs before it ends the epoch; each returns nothing when it has nothing to read. */
  private readonly checks: (() => Promise<string | undefined> | undefined)[] = [];

  /** Adds a check of what the device wrote (the error it finds fails the epoch). */
  addCheck(check: () => Promise<string | undefined> | undefined): void {
    this.checks.push(check);
  }

  /** The errors the checks find, or nothing when none has anything to read (no wait for the device). */
  runChecks(): Promise<string[]> | undefined {
    const due = this.checks.map((c) => c()).filter((p) => p !== undefined);
    if (!due.length) return undefined;
    return Promise.all(due).then((found) => found.filter((m) => m !== undefined));
  }

  /** `out` was (or will be, in the batch being encoded) written from `inputs`. */
  wrote(out: GPUBuffer, inputs: readonly GPUBuffer[] = []): void {
    let epoch = this.epoch;
    if (this.failed.size) {
      if (this.lostBy(out) !== undefined) return;
      for (const b of inputs) {
        const e = this.writtenIn.get(b);
        if (e !== undefined && this.failed.has(e)) {
          epoch = e;
          break;
        }
      }
    }
    this.writtenIn.set(out, epoch);
  }

  /** `buffer` was written from the host: that write lands whatever batch fails (a refused buffer is the pool's to flag). */
  hostWrote(buffer: GPUBuffer): void {
    this.writtenIn.set(buffer, -1);
  }

  /** `buffer` holds a new array: what it held before is gone. */
  reused(buffer: GPUBuffer): void {
    if (this.failed.size) this.writtenIn.delete(buffer);
  }

  /** Ends the current epoch at a wait; `error` (what the wait throws) fails it. */
  endEpoch(error: string | undefined): void {
    if (error !== undefined) this.failed.set(this.epoch, error);
    this.epoch++;
  }

  /** The error that lost `buffer`'s contents, if one did. */
  lostBy(buffer: GPUBuffer): string | undefined {
    if (!this.failed.size) return undefined;
    const e = this.writtenIn.get(buffer);
    return e === undefined ? undefined : this.failed.get(e);
  }
}
