// Memory pressure yields to the garbage collector. Buffers of arrays the
// program dropped return to the pools only when the JS engine collects the
// arrays and then runs their FinalizationRegistry callbacks in a later task;
// a loop that awaits only cpu or metal work never gives it that task, and
// device memory puts no pressure on the engine's heap. So after an eval, when
// the backends' active memory has doubled since the last collection (and grew
// by at least MIN_GROWTH), this collects where the runtime allows it (Node:
// V8's gc, exposed on first use) and yields one macrotask.

import { getActiveMemory } from "./memory.js";

/** Growth below this never triggers a collection (small programs never pay for one). */
const MIN_GROWTH = 256 * 1024;

/** Tasks to wait at most for the finalizers after a collection (they free what it found). */
const FINALIZER_WAITS = 4;

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
  const threshold = Math.max(2 * baseline, baseline + MIN_GROWTH);
  if (getActiveMemory() < threshold) return;
  engineGc()?.();
  // the engine queues the finalizers as a task of its own, not always the next one
  for (let i = 0; i < FINALIZER_WAITS; i++) {
    await nextTask();
    if (getActiveMemory() < threshold) break;
  }
  baseline = getActiveMemory();
}
