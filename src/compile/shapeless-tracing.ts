// Whether a shapeless trace (mx.compile or mx.exportFunction with shapeless:
// true) is running its function: ops that would fix a broadcast shape in a
// node then build a rule of their inputs' shapes instead (MLX's dynamic tracing).

import { NestedFlag } from "../nested-flag.js";

const shapelessTrace = new NestedFlag();

/** True while a shapeless trace runs its function. */
export function inShapelessTrace(): boolean {
  return shapelessTrace.raised;
}

/** `fn()` run as a trace's function: a shapeless trace's where `shapeless`. */
export function runTraced<T>(shapeless: boolean, fn: () => T): T {
  return shapeless ? shapelessTrace.during(fn) : fn();
}
