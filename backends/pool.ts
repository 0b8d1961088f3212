// A buffer pool shared by the backends: size classes (64-byte granules),
// best-fit reuse of cached blocks up to twice the requested size, a bounded
// cache evicted oldest first (an evicted block is destroyed and dropped at
// once; optionally the bound grows to the most bytes ever in use), a memory
// limit checked before the device is asked, and active / peak / cache
// statistics; and the base class that gives a backend its pool-backed
// Backend methods.

import type { BackendBuffer, MemoryStats } from "./backend.js";

export interface Block {
  /** Capacity of the block in bytes. */
  readonly size: number;
}

const GRANULE = 64;

/** Bytes as a short human-readable size (for error messages). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${n} bytes (${v.toFixed(2)} ${units[u]})`;
}

export interface PoolOptions<B extends Block> {
  /** The backend's name, for error messages ("[webgpu] out of memory ..."). */
  name: string;
  /** Gives an evicted block's memory back to the device at once (default: nothing, the collector frees it). */
  destroy?: (block: B) => void;
  /** Whether a released block may be cached for reuse (default: every one); one that may not is destroyed. */
  reusable?: (block: B) => boolean;
  /** Bytes of released blocks kept for reuse (default 256 MiB). */
  cacheLimit?: number;
  /**
   * Until setCacheLimit is called, let the cache also hold what the most
   * bytes ever in use leave room for (cached + in use up to that high-water
   * mark, or cacheLimit past what is in use): a working set larger than
   * cacheLimit is then reused from step to step instead of made anew, and the
   * pool never holds more than the larger of the two (default false).
   */
  cacheUpToHighWater?: boolean;
  /** Active plus cached bytes may not exceed this (default Infinity). */
  memoryLimit?: number;
}

/** The cached blocks of one size, oldest first, and the release number of each. */
interface SizeQueue<B> {
  blocks: B[];
  released: number[];
}

export class BufferPool<B extends Block> {
  /**
   * Cached blocks per size, oldest first, with their release numbers (the
   * oldest-first eviction across sizes compares the first ones). Plain arrays,
   * as a chain of ops takes and gives back one block of a size per op: a set
   * emptied and refilled at that rate costs a rehash each time.
   */
  private readonly bySize = new Map<number, SizeQueue<B>>();
  /** The sizes of `bySize`, ascending; one emptied by an acquire stays until a later acquire passes it. */
  private sizes: number[] = [];
  private releases = 0;
  private active = 0;
  private peak = 0;
  /** The most bytes ever in use (resetPeak leaves it). */
  private highWater = 0;
  private cachedBytes = 0;
  private limit: number;
  /** Whether the cache may grow to the high-water mark (cacheUpToHighWater, until setCacheLimit). */
  private followHighWater: boolean;
  /** Active plus cached bytes may not exceed this (Infinity: no limit). */
  private memoryLimit: number;

  private readonly destroy: (block: B) => void;
  private readonly reusable: (block: B) => boolean;
  private readonly name: string;

  /** `create` makes a block of `size` bytes while the pool holds `held` bytes, active and cached (it throws when the device cannot). */
  constructor(
    private readonly create: (size: number, held: number) => B,
    o: PoolOptions<B>,
  ) {
    this.destroy = o.destroy ?? (() => {});
    this.reusable = o.reusable ?? (() => true);
    this.name = o.name;
    this.limit = o.cacheLimit ?? 256 * 2 ** 20;
    this.followHighWater = o.cacheUpToHighWater ?? false;
    this.memoryLimit = o.memoryLimit ?? Infinity;
  }

  static blockSize(nbytes: number): number {
    return Math.max(GRANULE, Math.ceil(nbytes / GRANULE) * GRANULE);
  }

  acquire(nbytes: number): B {
    const size = BufferPool.blockSize(nbytes);
    const block = this.takeCached(size) ?? this.createWithin(size);
    this.active += block.size;
    if (this.active > this.peak) this.peak = this.active;
    if (this.active > this.highWater) this.highWater = this.active;
    return block;
  }

  /** The most bytes the cache may hold with `active` bytes in use. */
  private cacheBound(active: number): number {
    return this.followHighWater ? Math.max(this.limit, this.highWater - active) : this.limit;
  }

  release(block: B): void {
    this.active -= block.size;
    if (block.size > this.cacheBound(this.active) || !this.reusable(block)) {
      this.destroy(block);
      return;
    }
    let queue = this.bySize.get(block.size);
    if (!queue) {
      queue = { blocks: [], released: [] };
      this.bySize.set(block.size, queue);
      this.insertSize(block.size);
    }
    queue.blocks.push(block);
    queue.released.push(this.releases++);
    this.cachedBytes += block.size;
    this.trim(Math.min(this.cacheBound(this.active), this.memoryLimit - this.active));
  }

  stats(): MemoryStats {
    return { active: this.active, peak: this.peak, cache: this.cachedBytes };
  }

  resetPeak(): void {
    this.peak = 0;
  }

  /** Bounds the cache to `bytes` from now on (the high-water growth stops); returns the previous bound. */
  setCacheLimit(bytes: number): number {
    const prev = this.followHighWater ? this.cacheBound(this.active) : this.limit;
    this.limit = bytes;
    this.followHighWater = false;
    this.trim(bytes);
    return prev;
  }

  /** Bounds active plus cached bytes; returns the previous bound. Cached blocks above it are evicted now. */
  setMemoryLimit(bytes: number): number {
    const prev = this.memoryLimit;
    this.memoryLimit = bytes;
    this.trim(Math.min(this.cacheBound(this.active), bytes - this.active));
    return prev;
  }

  getMemoryLimit(): number {
    return this.memoryLimit;
  }

  clear(): void {
    this.trim(0);
  }

  /**
   * A new block, within the memory limit (evicting cached blocks to make room);
   * when the device cannot make it, the whole cache is given back and the
   * device asked once more, as MLX's allocators do.
   */
  private createWithin(size: number): B {
    // a cache grown to the high-water mark makes room, so that cached + in use stays within it (or cacheLimit past what is in use)
    if (this.followHighWater) this.trim(this.cacheBound(this.active + size));
    if (this.active + this.cachedBytes + size > this.memoryLimit) this.trim(Math.max(0, this.memoryLimit - this.active - size));
    if (this.active + size > this.memoryLimit) {
      throw new RangeError(
        `[${this.name}] out of memory: allocating ${formatBytes(size)} with ${formatBytes(this.active)} in use exceeds the memory limit of ${formatBytes(this.memoryLimit)}; ` +
          "release arrays (dispose, tidy) or raise the limit with mx.setMemoryLimit(bytes)",
      );
    }
    try {
      return this.create(size, this.active + this.cachedBytes);
    } catch (first) {
      if (this.cachedBytes === 0) throw this.outOfMemory(size, first);
      this.trim(0);
      try {
        return this.create(size, this.active + this.cachedBytes);
      } catch (second) {
        throw this.outOfMemory(size, second);
      }
    }
  }

  private outOfMemory(size: number, cause: unknown): Error {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new RangeError(`[${this.name}] cannot allocate ${formatBytes(size)} with ${formatBytes(this.active)} in use: ${why}`, { cause });
  }

  private takeCached(size: number): B | undefined {
    // smallest cached size >= size, accepted when at most twice the request
    let lo = 0, hi = this.sizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sizes[mid]! < size) lo = mid + 1;
      else hi = mid;
    }
    while (lo < this.sizes.length) {
      const fit = this.sizes[lo]!;
      if (fit > 2 * size) return undefined;
      const queue = this.bySize.get(fit)!;
      if (queue.blocks.length) return this.takeFirst(queue);
      // emptied by an earlier acquire and not given back since
      this.dropSize(lo);
    }
    return undefined;
  }

  /** The oldest block of `queue`, out of the cache (nothing keeps a reference to it afterwards). */
  private takeFirst(queue: SizeQueue<B>): B {
    const block = queue.blocks.shift()!;
    queue.released.shift();
    this.cachedBytes -= block.size;
    return block;
  }

  private dropSize(index: number): void {
    this.bySize.delete(this.sizes[index]!);
    this.sizes.splice(index, 1);
  }

  private insertSize(size: number): void {
    let i = 0;
    while (i < this.sizes.length && this.sizes[i]! < size) i++;
    this.sizes.splice(i, 0, size);
  }

  /** Evicts the oldest cached blocks until at most `limit` bytes stay cached (none for a limit below zero). */
  private trim(limit: number): void {
    while (this.cachedBytes > 0 && this.cachedBytes > limit) {
      // the size whose first block was released earliest (cachedBytes > 0: one has a block)
      let at = -1;
      let first = Infinity;
      for (let i = 0; i < this.sizes.length; i++) {
        const released = this.bySize.get(this.sizes[i]!)!.released;
        if (released.length && released[0]! < first) {
          at = i;
          first = released[0]!;
        }
      }
      const queue = this.bySize.get(this.sizes[at]!)!;
      this.destroy(this.takeFirst(queue));
      if (!queue.blocks.length) this.dropSize(at);
    }
  }
}

/**
 * The pool-backed part of a backend: releasing buffers into the pool and the
 * memory statistics, cache controls and memory limit of the Backend interface.
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
  /** Bounds the bytes this backend holds (active and cached); an allocation beyond it throws. Returns the previous bound. */
  setMemoryLimit(bytes: number): number {
    return this.pool.setMemoryLimit(bytes);
  }
  getMemoryLimit(): number {
    return this.pool.getMemoryLimit();
  }
}
