// Whether a shapeless trace (mx.compile or mx.exportFunction with shapeless:
// true) is running its function: ops that would fix a broadcast shape in a
// node then build a rule of their inputs' shapes instead (MLX's dynamic tracing).

let depth = 0;

/** True while a shapeless trace runs its function. */
export function inShapelessTrace(): boolean {
  return depth > 0;
}

/** `fn()` run as a shapeless trace's function. */
export function whileShapelessTracing<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}
