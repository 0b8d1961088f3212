// Front-end memory management: release of array buffers when arrays become
// unreachable (FinalizationRegistry), scopes for mx.tidy, and the memory
// statistics summed over the registered backends.

import { registeredBackends, type Tensor } from "../backends/backend.js";
import { describeValue, opError } from "./errors.js";

/** Holder of an array's evaluated data, kept apart from the array so the finalizer can free it. */
export interface DataSlot {
  data: Tensor | null;
}

export function releaseSlot(slot: DataSlot): void {
  const t = slot.data;
  if (t) {
    slot.data = null;
    t.buffer.backend.release(t.buffer);
  }
}

/** Releases the slots of collected arrays; a function held instead is a marker that the collection's callbacks have run (see markFinalizers). */
const finalizer = new FinalizationRegistry<DataSlot | (() => void)>((held) => (typeof held === "function" ? held() : releaseSlot(held)));

/**
 * Registers an object that nothing references, so the next full collection
 * finds it; returns a check that turns true once its callback has run. The
 * engine runs one registry's callbacks for one collection together, so by
 * then the arrays that collection found have released their buffers.
 */
export function markFinalizers(): () => boolean {
  let ran = false;
  finalizer.register({}, () => (ran = true));
  return () => ran;
}

/**
 * Has the finalizer release `slot`'s buffer once `owner` is unreachable, when
 * the slot holds one: an array made without data is watched by the eval that
 * fills it, once it ends (an intermediate the eval released by then never is,
 * which spares a long chain a registration per node).
 */
export function watchArray(owner: object, slot: DataSlot): void {
  if (slot.data) finalizer.register(owner, slot, slot);
}

export function unwatchArray(slot: DataSlot): void {
  finalizer.unregister(slot);
}

/** Arrays created inside the innermost running `tidy`, if any. */
export const tidyScopes: Set<{ dispose(): void }>[] = [];

/** Readers of the arrays the library holds across calls (the global random key): tidy keeps them as if returned. */
const heldByLibrary: (() => readonly { dispose(): void }[])[] = [];

/** Registers `held`, a reader of arrays the library keeps across tidy scopes. */
export function holdAcrossTidy(held: () => readonly { dispose(): void }[]): void {
  heldByLibrary.push(held);
}

/** The arrays the library holds now (see holdAcrossTidy). */
export function libraryHeldArrays(): { dispose(): void }[] {
  return heldByLibrary.flatMap((held) => held());
}

/** Runs `fn` with no tidy scope active (for arrays the library owns, such as cached scalars). */
export function outsideTidy<T>(fn: () => T): T {
  const saved = tidyScopes.splice(0);
  try {
    return fn();
  } finally {
    tidyScopes.push(...saved);
  }
}

/**
 * Bytes held by live arrays' buffers, summed over the registered backends
 * (MLX's `mx.get_active_memory`); cached buffers are not counted.
 * @example
 * ```ts
 * const x = mx.zeros([1024], mx.float32).add(1);
 * await mx.eval(x);
 * mx.getActiveMemory() >= x.nbytes; // true
 * ```
 */
export function getActiveMemory(): number {
  return registeredBackends().reduce((s, b) => s + b.memory().active, 0);
}
/**
 * The highest active memory since the start or the last `resetPeakMemory`,
 * summed over the registered backends (MLX's `mx.get_peak_memory`).
 * @example
 * ```ts
 * mx.resetPeakMemory();
 * await mx.eval(mx.zeros([1024], mx.float32).add(1));
 * mx.getPeakMemory() >= 4096; // true
 * ```
 */
export function getPeakMemory(): number {
  return registeredBackends().reduce((s, b) => s + b.memory().peak, 0);
}
/**
 * Bytes the backends' pools keep cached for reuse after arrays freed them
 * (MLX's `mx.get_cache_memory`); `clearCache` returns them.
 * @example
 * ```ts
 * const x = mx.zeros([1024], mx.float32).add(1);
 * await mx.eval(x);
 * x.dispose();
 * mx.getCacheMemory() > 0; // true
 * ```
 */
export function getCacheMemory(): number {
  return registeredBackends().reduce((s, b) => s + b.memory().cache, 0);
}
/**
 * Starts peak tracking afresh: the peak is 0 until the next allocation.
 * @example
 * ```ts
 * mx.resetPeakMemory();
 * mx.getPeakMemory(); // 0
 * ```
 */
export function resetPeakMemory(): void {
  for (const b of registeredBackends()) b.resetPeakMemory();
}
/**
 * Bounds each backend's buffer cache to `bytes` (0: cache nothing), evicting
 * what exceeds it; returns the previous bound (of the first backend), as MLX's
 * `mx.set_cache_limit`.
 * @example
 * ```ts
 * const previous = mx.setCacheLimit(0);
 * const x = mx.zeros([1024], mx.float32).add(1);
 * await mx.eval(x);
 * x.dispose();
 * mx.getCacheMemory(); // 0
 * mx.setCacheLimit(previous);
 * ```
 */
export function setCacheLimit(bytes: number): number {
  if (typeof bytes !== "number" || !(bytes >= 0)) throw opError("setCacheLimit", `limit must be a non-negative number of bytes, got ${describeValue(bytes)}`, [], "range");
  const prev = registeredBackends().map((b) => b.setCacheLimit(bytes));
  return prev[0] ?? 0;
}
/**
 * Bounds the bytes each backend holds (arrays and cache; MLX's
 * mx.set_memory_limit): an allocation that would pass it first evicts cached
 * buffers, then throws a RangeError naming the limit, before the device or
 * driver is asked. Returns the previous bound of the first backend (Infinity
 * where none was set; webgpu on a software adapter starts at the adapter's
 * maxBufferSize).
 * @example
 * ```ts
 * const previous = mx.setMemoryLimit(256 * 2 ** 20);
 * const huge = mx.add(mx.zeros([2 ** 28], mx.float32), 1); // 1 GiB once evaluated
 * const error = await mx.eval(huge).catch((e: unknown) => e);
 * error instanceof RangeError; // true
 * mx.setMemoryLimit(previous);
 * ```
 */
export function setMemoryLimit(bytes: number): number {
  if (typeof bytes !== "number" || !(bytes > 0)) throw opError("setMemoryLimit", `limit must be a positive number of bytes (or Infinity), got ${describeValue(bytes)}`, [], "range");
  const prev = registeredBackends().flatMap((b) => (b.setMemoryLimit ? [b.setMemoryLimit(bytes)] : []));
  return prev[0] ?? Infinity;
}
/**
 * Returns every backend's cached buffers to the system (MLX's `mx.clear_cache`);
 * live arrays are not touched.
 * @example
 * ```ts
 * mx.clearCache();
 * mx.getCacheMemory(); // 0
 * ```
 */
export function clearCache(): void {
  for (const b of registeredBackends()) b.clearCache();
}
