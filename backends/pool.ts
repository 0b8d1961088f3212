// A buffer pool shared by the backends: size classes (64-byte granules),
// best-fit reuse of cached blocks up to twice the requested size, a bounded
// cache evicted oldest first, and active / peak / cache statistics.

import type { MemoryStats } from "./backend.js";

export interface Block {
  /** Capacity of the block in bytes. */
  readonly size: number;
}

const GRANULE = 64;

export class BufferPool<B extends Block> {
  private readonly free = new Map<number, B[]>();
  private sizes: number[] = [];
  private order: B[] = [];
  private active = 0;
  private peak = 0;
  private cached = 0;
  private limit: number;

  constructor(
    private readonly create: (size: number) => B,
    private readonly destroy: (block: B) => void = () => {},
    cacheLimit = 256 * 2 ** 20,
  ) {
    this.limit = cacheLimit;
  }

  static blockSize(nbytes: number): number {
    return Math.max(GRANULE, Math.ceil(nbytes / GRANULE) * GRANULE);
  }

  acquire(nbytes: number): B {
    const size = BufferPool.blockSize(nbytes);
    let block = this.takeCached(size);
    if (!block) block = this.create(size);
    this.active += block.size;
    if (this.active > this.peak) this.peak = this.active;
    return block;
  }

  release(block: B): void {
    this.active -= block.size;
    if (block.size > this.limit) {
      this.destroy(block);
      return;
    }
    let list = this.free.get(block.size);
    if (!list) {
      list = [];
      this.free.set(block.size, list);
      this.insertSize(block.size);
    }
    list.push(block);
    this.order.push(block);
    this.cached += block.size;
    this.trim(this.limit);
  }

  stats(): MemoryStats {
    return { active: this.active, peak: this.peak, cache: this.cached };
  }

  resetPeak(): void {
    this.peak = this.active;
  }

  setCacheLimit(bytes: number): number {
    const prev = this.limit;
    this.limit = bytes;
    this.trim(bytes);
    return prev;
  }

  clear(): void {
    this.trim(0);
  }

  private takeCached(size: number): B | undefined {
    // smallest cached size >= size, accepted when at most twice the request
    let lo = 0, hi = this.sizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sizes[mid]! < size) lo = mid + 1;
      else hi = mid;
    }
    const fit = this.sizes[lo];
    if (fit === undefined || fit > 2 * size) return undefined;
    const block = this.removeCached(fit)!;
    const i = this.order.indexOf(block);
    if (i >= 0) this.order.splice(i, 1);
    return block;
  }

  private removeCached(size: number): B | undefined {
    const list = this.free.get(size);
    const block = list?.pop();
    if (!block) return undefined;
    if (list!.length === 0) {
      this.free.delete(size);
      this.sizes.splice(this.sizes.indexOf(size), 1);
    }
    this.cached -= block.size;
    return block;
  }

  private insertSize(size: number): void {
    let i = 0;
    while (i < this.sizes.length && this.sizes[i]! < size) i++;
    this.sizes.splice(i, 0, size);
  }

  private trim(limit: number): void {
    while (this.cached > limit && this.order.length) {
      const oldest = this.order.shift()!;
      const list = this.free.get(oldest.size)!;
      list.splice(list.indexOf(oldest), 1);
      if (list.length === 0) {
        this.free.delete(oldest.size);
        this.sizes.splice(this.sizes.indexOf(oldest.size), 1);
      }
      this.cached -= oldest.size;
      this.destroy(oldest);
    }
  }
}
