// A buffer pool shared by the backends: size classes (64-byte granules),
// best-fit reuse of cached blocks up to twice the requested size, a bounded
// cache evicted oldest first, and active / peak / cache statistics; and the
// base class that gives a backend its pool-backed Backend methods.

import type { BackendBuffer, MemoryStats } from "./backend.js";

export interface Block {
  /** Capacity of the block in bytes. */
  readonly size: number;
}

const GRANULE = 64;

export class BufferPool<B extends Block> {
  /** Cached blocks per size; entries no longer in `cached` are stale and skipped. */
  private readonly bySize = new Map<number, { list: B[]; live: number }>();
  /** Sizes that have live cached blocks, ascending. */
  private sizes: number[] = [];
  /** Release order, oldest first (with stale entries), for eviction. */
  private order: B[] = [];
  private orderHead = 0;
  private readonly cached = new Set<B>();
  private active = 0;
  private peak = 0;
  private cachedBytes = 0;
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
    const block = this.takeCached(size) ?? this.create(size);
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
    let entry = this.bySize.get(block.size);
    if (!entry) {
      entry = { list: [], live: 0 };
      this.bySize.set(block.size, entry);
    }
    if (entry.live === 0) this.insertSize(block.size);
    entry.list.push(block);
    entry.live++;
    this.cached.add(block);
    this.order.push(block);
    this.cachedBytes += block.size;
    this.trim(this.limit);
  }

  stats(): MemoryStats {
    return { active: this.active, peak: this.peak, cache: this.cachedBytes };
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
    const entry = this.bySize.get(fit)!;
    let block = entry.list.pop();
    while (block && !this.cached.has(block)) block = entry.list.pop();
    this.uncache(block!, entry);
    return block;
  }

  private uncache(block: B, entry: { list: B[]; live: number }): void {
    this.cached.delete(block);
    this.cachedBytes -= block.size;
    if (--entry.live === 0) {
      entry.list.length = 0;
      this.sizes.splice(this.sizes.indexOf(block.size), 1);
    }
  }

  private insertSize(size: number): void {
    let i = 0;
    while (i < this.sizes.length && this.sizes[i]! < size) i++;
    this.sizes.splice(i, 0, size);
  }

  private trim(limit: number): void {
    while (this.cachedBytes > limit && this.orderHead < this.order.length) {
      const oldest = this.order[this.orderHead++]!;
      if (!this.cached.has(oldest)) continue;
      this.uncache(oldest, this.bySize.get(oldest.size)!);
      this.destroy(oldest);
    }
    if (this.orderHead > 1024 && this.orderHead * 2 > this.order.length) {
      this.order = this.order.slice(this.orderHead).filter((b) => this.cached.has(b));
      this.orderHead = 0;
    }
  }
}

/**
 * The pool-backed part of a backend: releasing buffers into the pool and the
 * memory statistics and cache controls of the Backend interface.
 */
export abstract class PooledBackend<B extends Block> {
  constructor(protected readonly pool: BufferPool<B>) {}

  /** Drops one reference; the last one returns the buffer's block to the pool. */
  release(buffer: BackendBuffer): void {
    if (--buffer.refs === 0) this.pool.release((buffer as BackendBuffer & { readonly block: B }).block);
  }
  memory(): MemoryStats {
    return this.pool.stats();
  }
  resetPeakMemory(): void {
    this.pool.resetPeak();
  }
  setCacheLimit(bytes: number): number {
    return this.pool.setCacheLimit(bytes);
  }
  clearCache(): void {
    this.pool.clear();
  }
}
