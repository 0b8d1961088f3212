// Tracing for the transforms: a fresh tracer node per traced input, calling
// the user's function with evaluated nodes keeping their graph, and the
// nodes between the tracers and the outputs in topological order.

import { MxArray } from "../array.js";
import { retainingGraphDuring } from "../eval.js";
import { node } from "../ops/base.js";
import { Reshape } from "../primitives/layout.js";
import { describe } from "../errors.js";

/** A new node standing for `x` in a traced function (a view: it costs no copy). */
export function tracerOf(x: MxArray): MxArray {
  return node(new Reshape(x.shape), [x], x.stream);
}

/** The arrays a traced function returned: one array, or a list of arrays. */
export function callTraced(transform: string, fn: (...args: never[]) => unknown, args: unknown[]): { outputs: MxArray[]; single: boolean; raw: unknown } {
  const raw = retainingGraphDuring(() => (fn as (...a: unknown[]) => unknown)(...args));
  if (raw instanceof Promise) throw new Error(`[${transform}] the function must be synchronous (it returned a Promise)`);
  const isArray = (x: unknown): x is MxArray => x instanceof MxArray;
  if (isArray(raw)) return { outputs: [raw], single: true, raw };
  if (Array.isArray(raw) && raw.length > 0 && raw.every(isArray)) return { outputs: raw, single: false, raw };
  throw new Error(`[${transform}] the function must return an array or a non-empty list of arrays, got ${Array.isArray(raw) ? `a list of ${raw.map((x) => (isArray(x) ? describe(x) : typeof x)).join(", ")}` : typeof raw}`);
}

/**
 * The nodes that depend on a tracer, inputs before users (tracers included);
 * the walk stops at tracers and at nodes without inputs.
 */
export function dependents(outputs: readonly MxArray[], tracers: ReadonlySet<MxArray>): { order: MxArray[]; depends: Set<MxArray> } {
  const order: MxArray[] = [];
  const depends = new Set<MxArray>();
  const visited = new Set<MxArray>();
  const stack: [MxArray, boolean][] = outputs.map((o) => [o, false]);
  while (stack.length) {
    const [a, expanded] = stack.pop()!;
    if (expanded) {
      if (tracers.has(a) || a.inputs.some((x) => depends.has(x))) {
        depends.add(a);
        order.push(a);
      }
      continue;
    }
    if (visited.has(a)) continue;
    visited.add(a);
    stack.push([a, true]);
    if (tracers.has(a)) continue;
    for (const x of a.inputs) if (!visited.has(x)) stack.push([x, false]);
  }
  return { order, depends };
}
