// The buffer pool under memory pressure (issue 12): evicted blocks are
// dropped at once (nothing pins them until a later trim), a memory limit fails
// with a clear error before the device is asked, a device that runs out gets
// the cache back and is asked again, and after an out-of-memory error
// dispose + clearCache make every backend usable again.

import { describe, expect, it } from "vitest";
import { collectGarbage } from "./helpers/gc.js";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { BufferPool, type PooledBackend } from "../backends/pool.js";
import { setMemoryLimit } from "../src/memory.js";
import { BACKENDS } from "./helpers/backends.js";

interface TestBlock {
  readonly size: number;
}


/** Releases `count` fresh blocks of `size` bytes into `pool` and returns weak references to them. */
function releaseFresh(pool: BufferPool<TestBlock>, count: number, size: number): WeakRef<TestBlock>[] {
  const blocks = Array.from({ length: count }, () => pool.acquire(size));
  const refs = blocks.map((b) => new WeakRef(b));
  for (const b of blocks.splice(0)) pool.release(b);
  return refs;
}

describe("the buffer pool", () => {
  it("takes a memory limit below its active bytes: the cache is emptied, nothing breaks", () => {
    const pool = new BufferPool<TestBlock>((size) => ({ size }), { name: "test" });
    const held = pool.acquire(1024);
    releaseFresh(pool, 2, 256);
    expect(pool.stats().cache).toBeGreaterThan(0);
    pool.setMemoryLimit(1.5);
    expect(pool.stats()).toMatchObject({ active: held.size, cache: 0 });
    expect(() => pool.acquire(16)).toThrow(/out of memory/);
    pool.setMemoryLimit(Infinity);
    pool.release(held);
    expect(pool.stats().active).toBe(0);
  });

  it("drops evicted blocks at once, so the collector can free them", async () => {
    const pool = new BufferPool<TestBlock>((size) => ({ size }), { name: "test", cacheLimit: 256 });
    // eight blocks of 256 bytes into a cache of 256: seven are evicted
    const refs = releaseFresh(pool, 8, 256);
    await collectGarbage();
    expect(refs.filter((r) => r.deref() !== undefined).length).toBe(1);
    expect(pool.stats().cache).toBe(256);
    pool.clear();
    await collectGarbage();
    expect(refs.filter((r) => r.deref() !== undefined).length).toBe(0);
  });

  it("gives an evicted block back to the device through destroy, oldest first", () => {
    const destroyed: number[] = [];
    const pool = new BufferPool<TestBlock & { id: number }>((size) => ({ size, id: destroyed.length + Math.random() }), { name: "test", cacheLimit: 128, destroy: (b) => destroyed.push(b.size) });
    const a = pool.acquire(64), b = pool.acquire(128);
    pool.release(a);
    pool.release(b); // 192 cached > 128: the older block (a) goes
    expect(destroyed).toEqual([64]);
    expect(pool.stats().cache).toBe(128);
  });

  it("refuses an allocation past its memory limit, after evicting the cache, with an error naming the limit", () => {
    const pool = new BufferPool<TestBlock>((size) => ({ size }), { name: "test", memoryLimit: 1024 });
    const a = pool.acquire(512);
    pool.acquire(512);
    expect(() => pool.acquire(64)).toThrow(/^\[test\] out of memory: allocating 64 bytes with 1024 bytes \(1\.00 KiB\) in use exceeds the memory limit of 1024 bytes.*mx\.setMemoryLimit/);
    pool.release(a);
    expect(pool.stats().cache).toBe(512);
    // a cached block that fits is reused; one that does not is evicted to make room
    const c = pool.acquire(448);
    expect(c.size).toBe(512);
    pool.release(c);
    expect(() => pool.acquire(640)).toThrow(/out of memory/);
    expect(pool.stats().cache).toBe(0);
    expect(pool.acquire(512).size).toBe(512);
  });

  it("gives the cache back to a device that ran out and asks again", () => {
    let used = 0;
    const capacity = 1024;
    const pool = new BufferPool<TestBlock>(
      (size) => {
        if (used + size > capacity) throw new Error("device memory exhausted");
        used += size;
        return { size };
      },
      { name: "test", destroy: (b) => (used -= b.size), cacheLimit: 1 << 20 },
    );
    const a = pool.acquire(512), b = pool.acquire(512);
    expect(() => pool.acquire(512)).toThrow(/^\[test\] cannot allocate 512 bytes with 1024 bytes \(1\.00 KiB\) in use: device memory exhausted/);
    pool.release(a);
    pool.release(b);
    // no cached block fits 1024 bytes: the device is asked, fails, gets the two cached blocks back, and succeeds
    expect(pool.acquire(1024).size).toBe(1024);
    expect(used).toBe(1024);
  });

  it("resets the peak to zero, as MLX's reset_peak_memory", () => {
    const pool = new BufferPool<TestBlock>((size) => ({ size }), { name: "test" });
    pool.acquire(640);
    pool.resetPeak();
    expect(pool.stats().peak).toBe(0);
    pool.acquire(64);
    expect(pool.stats().peak).toBe(704);
  });

  it("with cacheUpToHighWater keeps a working set larger than its cache limit, never holding more than its high-water mark or the limit past what is in use", () => {
    const created: number[] = [];
    const pool = new BufferPool<TestBlock>((size) => (created.push(size), { size }), { name: "test", cacheLimit: 256, cacheUpToHighWater: true });
    const held = () => pool.stats().active + pool.stats().cache;
    // a step holding 8 x 256 bytes, then the same step again: the second makes nothing new
    for (let step = 0; step < 2; step++) {
      const blocks = Array.from({ length: 8 }, () => pool.acquire(256));
      for (const b of blocks) pool.release(b);
    }
    expect(created.length).toBe(8);
    expect(pool.stats().cache).toBe(2048);
    // blocks of another size evict cached ones first: in use plus cached stays within max(2048, in use + 256)
    const other = Array.from({ length: 6 }, () => pool.acquire(512));
    expect(held()).toBeLessThanOrEqual(Math.max(2048, pool.stats().active + 256));
    for (const b of other) pool.release(b);
    expect(held()).toBeLessThanOrEqual(3072);
    // an explicit limit is a fixed bound from then on, and setCacheLimit returns the bound in force before
    expect(pool.setCacheLimit(256)).toBe(3072);
    expect(pool.stats().cache).toBeLessThanOrEqual(256);
    const again = Array.from({ length: 8 }, () => pool.acquire(256));
    for (const b of again) pool.release(b);
    expect(pool.stats().cache).toBe(256);
  });
});

describe.each(BACKENDS)("memory limit on $name", ({ device }) => {
  const o = { stream: device };
  const backend = getBackend(device.backend) as ReturnType<typeof getBackend> & PooledBackend<TestBlock>;

  it("fails past the limit with a clear error, then works again after dispose and clearCache", async () => {
    const mib = 2 ** 20;
    const previous = backend.setMemoryLimit(backend.memory().active + 4 * mib + 4096);
    const held: mx.MxArray[] = [];
    try {
      let error: Error | undefined;
      for (let i = 0; i < 8 && !error; i++) {
        const x = mx.add(mx.zeros([mib / 4], mx.float32, o), i, o);
        try {
          await mx.eval(x);
          held.push(x);
        } catch (e) {
          error = e as Error;
        }
      }
      expect(error?.message).toMatch(new RegExp(`^\\[add\\] \\[${device.backend}\\] out of memory: allocating 1048576 bytes .* exceeds the memory limit`));
      expect(held.length).toBe(4);
      for (const x of held.splice(0)) x.dispose();
      mx.clearCache();
      for (let i = 0; i < 3; i++) {
        const x = mx.add(mx.zeros([mib / 4], mx.float32, o), i, o);
        held.push(x);
        expect(await mx.sum(x, o).item()).toBe(i * (mib / 4));
      }
    } finally {
      for (const x of held) x.dispose();
      backend.setMemoryLimit(previous);
    }
  });
});

it("mx.setMemoryLimit bounds every backend and returns the previous bound", () => {
  const backends = mx.registeredBackends() as (ReturnType<typeof getBackend> & PooledBackend<TestBlock>)[];
  const before = backends.map((b) => b.getMemoryLimit());
  try {
    expect(setMemoryLimit(2 ** 40)).toBe(before[0]);
    for (const b of backends) expect(b.getMemoryLimit()).toBe(2 ** 40);
    expect(() => setMemoryLimit(0)).toThrow(/\[setMemoryLimit\] limit must be a positive number of bytes/);
  } finally {
    backends.forEach((b, i) => b.setMemoryLimit(before[i]!));
  }
});
