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
// clearCache, finalizers that ran late). Evals that end while a collection
// waits start none (before the program yields one would find nothing more);
// the collection looks again once its finalizers ran, and says once when such
// evals pile up memory without the program ever yielding.

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

/** The collection under way, until its finalizers have run (evals meanwhile start none). */
let collecting: Promise<void> | undefined;
/** Evals that ended while that collection was under way and before it had yielded once: the program runs them without yielding. */
let unyieldingEvals = 0;
/** Whether an eval ended while the collection was under way (its garbage came after the collection looked). */
let endedDuring = false;
/** Active memory above which evals that do not yield say so once (see warnUnyielding). */
let warnAbove = Infinity;
let warnedUnyielding = false;

/** Collections one relief makes at most while evals keep ending during them. */
const COLLECTIONS_MAX = 3;
/** Evals without a yield, and growth past twice the memory a collection started at, before the warning. */
const UNYIELDING_EVALS = 8;
const UNYIELDING_GROWTH = 64 * 1024 * 1024;

/**
 * Called after each eval: collects and lets the finalizers run when memory
 * has grown enough since the last time; a promise to await then. An eval
 * that ends while a collection is under way starts none (a collection
 * before the program yields finds nothing more), and is not held: that
 * collection looks again once its finalizers ran.
 */
export function relieveMemoryPressure(): Promise<void> | undefined {
  if (collecting) {
    endedDuring = true;
    if (unyieldingEvals >= 0 && ++unyieldingEvals >= UNYIELDING_EVALS) warnUnyielding();
    return undefined;
  }
  const before = getActiveMemory();
  // after a phase of high memory the threshold comes down with it
  baseline = Math.min(baseline, before);
  const threshold = baseline + Math.max(GROWTH_SHARE * baseline, MIN_GROWTH);
  if (before < threshold) return undefined;
  warnAbove = 2 * before + UNYIELDING_GROWTH;
  unyieldingEvals = 0;
  collecting = collect(threshold).finally(() => (collecting = undefined));
  return collecting;
}

/**
 * Says once that memory keeps growing while evals end without the program
 * yielding: a loop that calls mx.eval without awaiting it never gives the
 * finalizers of the arrays it dropped a task to run in, so none is freed.
 */
function warnUnyielding(): void {
  const active = getActiveMemory();
  if (warnedUnyielding || active < warnAbove) return;
  warnedUnyielding = true;
  const message =
    `[eval] memory keeps growing (${(active / 2 ** 20).toFixed(0)} MiB active) while evals end without the program yielding to the event loop, ` +
    "so the arrays it dropped cannot be freed (their finalizers need a task): write 'await mx.eval(...)' in loops, or free arrays with mx.tidy or dispose (shown once)";
  if (typeof process !== "undefined" && typeof process.emitWarning === "function") process.emitWarning(message, "MlxTsMemoryWarning");
  else console.warn(message);
}

/** Collects and waits for the finalizers (at least one task), again where evals ended meanwhile and memory is still above `threshold`. */
async function collect(threshold: number): Promise<void> {
  const gc = engineGc();
  for (let pass = 0; pass < COLLECTIONS_MAX; pass++) {
    endedDuring = false;
    if (gc) {
      const finalized = markFinalizers();
      gc();
      // the engine queues the finalizers as a task of its own, not always the next one
      for (let i = 0; i < FINALIZER_WAITS && (i === 0 || !finalized()); i++) {
        await nextTask();
        unyieldingEvals = -1;
      }
    } else {
      // (a browser: the engine collects when it will; finalizers already due run in these tasks)
      for (let i = 0; i < UNCOLLECTED_WAITS && (i === 0 || getActiveMemory() >= threshold); i++) {
        await nextTask();
        unyieldingEvals = -1;
      }
    }
    if (!endedDuring || getActiveMemory() < threshold) break;
  }
  // what is left is live (the program holds it), or garbage whose finalizers
  // came later still: the next eval that sees less lowers the baseline again
  baseline = getActiveMemory();
}
