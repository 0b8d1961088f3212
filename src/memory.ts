// Front-end memory management: release of array buffers when arrays become
// unreachable (FinalizationRegistry), scopes for mx.tidy, and the memory
// statistics summed over the registered backends.

import { registeredBackends, type Tensor } from "../backends/backend.js";

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

const finalizer = new FinalizationRegistry<DataSlot>(releaseSlot);

export function watchArray(owner: object, slot: DataSlot): void {
  finalizer.register(owner, slot, slot);
}

export function unwatchArray(slot: DataSlot): void {
  finalizer.unregister(slot);
}

/** Arrays created inside the innermost running `tidy`, if any. */
export const tidyScopes: Set<{ dispose(): void }>[] = [];

/** Runs `fn` with no tidy scope active (for arrays the library owns, such as cached scalars). */
export function outsideTidy<T>(fn: () => T): T {
  const saved = tidyScopes.splice(0);
  try {
    return fn();
  } finally {
    tidyScopes.push(...saved);
  }
}

export function getActiveMemory(): number {
  return registeredBackends().reduce((s, b) => s + b.memory().active, 0);
}
export function getPeakMemory(): number {
  return registeredBackends().reduce((s, b) => s + b.memory().peak, 0);
}
export function getCacheMemory(): number {
  return registeredBackends().reduce((s, b) => s + b.memory().cache, 0);
}
export function resetPeakMemory(): void {
  for (const b of registeredBackends()) b.resetPeakMemory();
}
/** Bounds each backend's buffer cache to `bytes`; returns the previous bound (of the first backend). */
export function setCacheLimit(bytes: number): number {
  if (!(bytes >= 0)) throw new RangeError(`setCacheLimit: limit must be a non-negative number of bytes, got ${bytes}`);
  const prev = registeredBackends().map((b) => b.setCacheLimit(bytes));
  return prev[0] ?? 0;
}
export function clearCache(): void {
  for (const b of registeredBackends()) b.clearCache();
}
