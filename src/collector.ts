// Memory pressure yields to the garbage collector. Buffers of arrays the
// program dropped return to the pools only when the JS engine collects the
// arrays and then runs their FinalizationRegistry callbacks in a later task;
// a loop that awaits only cpu or metal work never gives it that task, and
// device memory puts no pressure on the engine's heap. So after an eval, when
// the backends' active memory has grown by a quarter since the last collection (and
// by at least MIN_GROWTH), this collects where the runtime allows it (Node:
// V8's gc, exposed on first use) and yields macrotasks until the finalizers
// of that collection have run. The baseline is the memory left after the last
// collection, lowered whenever active memory is seen below it (dispose,
// clearCache, finalizers that ran late).

import { getActiveMemory, markFinalizers } from "./memory.js";

/** Growth below this never triggers a collection (small programs never pay for one). */
const MIN_GROWTH = 256 * 1024;

/**
 * Growth, as a share of the baseline, that triggers a collection. A training
 * step peaks at what it starts with plus its own transient memory, so the
 * garbage of one step must not outlive the next: at 1 (a doubling) two steps'
 * garbage piled up now and then (2.6x the first step's working set over 10 000
 * steps), at 0.5 too when the collection left the last step's old parameters
 * alive (1.05x the live memory as baseline; 2.1x).
 */
const GROWTH_SHARE = 0.25;

/** Tasks to wait at most for the finalizers after a collection (they free what it found; they come within a few). */
const FINALIZER_WAITS = 64;

/** Tasks to wait where the engine's collection cannot be called. */
const UNCOLLECTED_WAITS = 4;

/** Active memory after the last collection, or the lowest seen since: what the program holds live. */
let baseline = 0;
let gcFunction: (() => void) | null | undefined;

/** The engine's full collection, or null where it cannot be reached (a browser). */
function engineGc(): (() => void) | null {
  if (gcFunction !== undefined) return gcFunction;
  gcFunction = null;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return (gcFunction = exposed);
  const builtin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof builtin !== "function") return null;
  try {
    const v8 = builtin("node:v8") as { setFlagsFromString(flags: string): void };
    const vm = builtin("node:vm") as { runInNewContext(code: string): unknown };
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc");
    if (typeof gc === "function") gcFunction = gc as () => void;
  } catch {
    gcFunction = null;
  }
  return gcFunction;
}

const nextTask = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));

/** Called after each eval: collects and lets the finalizers run when memory has grown enough since the last time. */
export async function relieveMemoryPressure(): Promise<void> {
  const before = getActiveMemory();
  // after a phase of high memory the threshold comes down with it
  baseline = Math.min(baseline, before);
  const threshold = baseline + Math.max(GROWTH_SHARE * baseline, MIN_GROWTH);
  if (before < threshold) return;
  const gc = engineGc();
  if (gc) {
    const finalized = markFinalizers();
    gc();
    // the engine queues the finalizers as a task of its own, not always the next one
    for (let i = 0; i < FINALIZER_WAITS && !finalized(); i++) await nextTask();
  } else {
    // (a browser: the engine collects when it will; finalizers already due run in these tasks)
    for (let i = 0; i < UNCOLLECTED_WAITS && getActiveMemory() >= threshold; i++) await nextTask();
  }
  // what is left is live (the program holds it), or garbage whose finalizers
  // came later still: the next eval that sees less lowers the baseline again
  baseline = getActiveMemory();
}
