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
 * A primitive whose first `opaqueInputs` inputs the transforms run no rules
 * behind: a custom function's outputs, whose rules replace those of the ops
 * that computed them (src/transforms/custom.ts).
 */
export interface HasOpaqueInputs {
  readonly opaqueInputs: number;
}

/** How many of `a`'s first inputs the transforms leave alone (see HasOpaqueInputs). */
export function opaqueInputsOf(a: MxArray): number {
  return (a.primitive as Partial<HasOpaqueInputs> | null)?.opaqueInputs ?? 0;
}

/**
 * The nodes that depend on a tracer, inputs before users (tracers included);
 * the walk stops at tracers and at nodes without inputs. `order` leaves out
 * the nodes that only a node's opaque inputs reach (a custom function's
 * body, whose rules its own stand for): they depend on the tracers but no
 * transform runs their rules.
 */
export function dependents(outputs: readonly MxArray[], tracers: ReadonlySet<MxArray>): { order: MxArray[]; depends: Set<MxArray> } {
  const order: MxArray[] = [];
  const depends = new Set<MxArray>();
  const visited = new Set<MxArray>();
  const stack: [MxArray, boolean][] = outputs.map((o) => [o, false]);
  let opaque = false;
  while (stack.length) {
    const [a, expanded] = stack.pop()!;
    if (expanded) {
      if (tracers.has(a) || a.inputs.some((x) => depends.has(x))) {
        depends.add(a);
        order.push(a);
        if (opaqueInputsOf(a) > 0) opaque = true;
      }
      continue;
    }
    if (visited.has(a)) continue;
    visited.add(a);
    stack.push([a, true]);
    if (tracers.has(a)) continue;
    for (const x of a.inputs) if (!visited.has(x)) stack.push([x, false]);
  }
  if (!opaque) return { order, depends };
  // the nodes the outputs reach without crossing an opaque input
  const live = new Set<MxArray>();
  const reach = outputs.filter((o) => depends.has(o));
  while (reach.length) {
    const a = reach.pop()!;
    if (live.has(a)) continue;
    live.add(a);
    if (tracers.has(a)) continue;
    const skip = opaqueInputsOf(a);
    a.inputs.forEach((x, i) => {
      if (i >= skip && depends.has(x) && !live.has(x)) reach.push(x);
    });
  }
  return { order: order.filter((a) => live.has(a)), depends };
}

/**
 * Whether the opaque inputs of `n` (a custom function's outputs) read one of
 * `tracers` other than through `n`'s own inputs (its arguments): the function
 * read a transformed array through a closure, which its rules cannot see.
 */
export function readsTracerThroughClosure(n: MxArray, tracers: ReadonlySet<MxArray>): boolean {
  const skip = opaqueInputsOf(n);
  const args = new Set(n.inputs.slice(skip));
  const stops = new Set([...args, ...tracers]);
  const { depends } = dependents(n.inputs.slice(0, skip), stops);
  for (const t of tracers) if (!args.has(t) && depends.has(t)) return true;
  return false;
}

/**
 * `rule()`, a rule of node `n` that `transform` runs (its vjp, jvp or vmap):
 * an error the rule raises without an op's label (`no vjp for scatterAxis in
 * mode "multiply"`, `no vmap for pad over a batched pad value`) is labelled with the transform
 * and the op the user called that built the node:
 * `[grad] indexUpdate: no vjp for scatterAxis ...`. A labelled error (a
 * custom rule's own op, `[view] has no vjp`) keeps its words.
 */
export function runRule<T>(transform: string, n: MxArray, rule: () => T): T {
  try {
    return rule();
  } catch (e) {
    if (e instanceof Error && !/^\[[^\]]+\] /.test(e.message)) {
      const op = n.builtBy ?? n.primitive?.errorName;
      e.message = `[${transform}] ${op === undefined || op === transform ? "" : `${op}: `}${e.message}`;
    }
    throw e;
  }
}
