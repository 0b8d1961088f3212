// vmap: traces the function on one example (a tracer per mapped leaf: the
// slice at index 0 of the mapped axis), then rebuilds the traced graph on the
// whole batch, each primitive's vmap rule turning batched inputs into a
// batched output. Unmapped arguments (in-axis null) pass through; outputs
// that do not depend on a mapped input are broadcast over the batch.

import type { MxArray } from "../array.js";
import { checkOptions } from "../ops/strict-options.js";
import { describe, describeValue } from "../errors.js";
import * as ops from "../ops/index.js";
import { node } from "../ops/base.js";
import { Reshape, sliceAxis } from "../primitives/layout.js";
import { callTraced, dependents, opaqueInputsOf, readsTracerThroughClosure, runRule } from "./trace.js";
import { treeFlatten, treeUnflatten } from "./tree.js";
import type { MappableFn } from "./types.js";

export type Axes = number | null | readonly (number | null)[];

export interface VmapOptions {
  /** Per argument (or one for all): the mapped axis of each of its leaves, or null for unmapped. Default 0. */
  inAxes?: Axes | undefined;
  /** Per output (or one for all): where the batch axis goes. Default 0. */
  outAxes?: number | readonly number[] | undefined;
}

function axisFor(axes: Axes, i: number, count: number, what: string): number | null {
  if (axes === null || typeof axes === "number") return axes;
  if (!Array.isArray(axes)) throw new TypeError(`[vmap] ${what} must be an axis, null, or a list of them, got ${describeValue(axes)}`);
  if (axes.length !== count) throw new Error(`[vmap] ${what} has ${axes.length} entries for ${count} ${what === "inAxes" ? "arguments" : "outputs"}`);
  return axes[i]!;
}

/** The example a mapped leaf stands for inside the traced function: index 0 along `axis`, that axis removed. */
function exampleOf(x: MxArray, axis: number): MxArray {
  return node(new Reshape(x.shape.filter((_, i) => i !== axis)), [sliceAxis(x, axis, 0, 1, 1)], x.stream);
}

/**
 * `fn` mapped over an axis of its arguments (trees of arrays): `inAxes` gives the
 * mapped axis per argument (default 0; null: not mapped), `outAxes` where the
 * batch axis goes in each output. It takes and returns what `fn` does, with the
 * batch axes added.
 * @example
 * ```ts
 * const dot = (a: mx.MxArray, b: mx.MxArray) => mx.sum(mx.multiply(a, b));
 * const rows = mx.array([[1, 2], [3, 4]]);
 * await mx.vmap(dot)(rows, mx.array([[1, 1], [2, 2]])).tolist(); // [3, 14]
 * await mx.vmap(dot, { inAxes: [0, null] })(rows, mx.array([1, 10])).tolist(); // [21, 43]
 * ```
 */
export function vmap<F extends MappableFn>(fn: F, options?: VmapOptions): (...args: Parameters<F>) => ReturnType<F>;
export function vmap(fn: MappableFn, options: VmapOptions = {}): (...args: unknown[]) => MxArray | MxArray[] {
  if (typeof fn !== "function") throw new TypeError(`[vmap] fn must be a function, got ${describeValue(fn)}`);
  if (options === null || typeof options !== "object") throw new TypeError(`[vmap] options must be an object such as { inAxes, outAxes }, got ${describeValue(options)}`);
  checkOptions("vmap", options, ["inAxes", "outAxes"], false);
  const { inAxes = 0, outAxes = 0 } = options;
  return (...args: unknown[]) => {
    const tracers = new Map<MxArray, { value: MxArray; axis: number }>();
    let size: number | undefined;
    let sizeFrom = "";
    const traced = args.map((arg, i) => {
      const axis = axisFor(inAxes, i, args.length, "inAxes");
      if (axis === null) return arg;
      if (!Number.isInteger(axis)) throw new Error(`[vmap] inAxes[${i}] must be an integer or null, got ${describeValue(axis)}`);
      const { leaves, def } = treeFlatten(arg);
      if (!leaves.length) throw new Error(`[vmap] argument ${i} is mapped (inAxes ${axis}) but holds no arrays`);
      const examples = leaves.map((x, j) => {
        const where = `argument ${i}${leaves.length > 1 ? ` (leaf ${j})` : ""}`;
        if (x.isDisposed) throw new Error(`[vmap] ${where} was disposed and can no longer be used`);
        if (axis < -x.ndim || axis >= x.ndim) throw new Error(`[vmap] inAxes ${axis} is out of range for ${where} of shape (${x.shape.join(", ")})`);
        const a = axis < 0 ? axis + x.ndim : axis;
        const n = x.shape[a]!;
        if (size === undefined) {
          size = n;
          sizeFrom = where;
        } else if (n !== size) throw new Error(`[vmap] mapped axes have different sizes: ${sizeFrom} has ${size}, ${where} has ${n}`);
        if (n === 0) throw new Error(`[vmap] ${where} maps an empty axis (size 0)`);
        const t = exampleOf(x, a);
        tracers.set(t, { value: x, axis: a });
        return t;
      });
      return treeUnflatten(def, examples);
    });
    if (size === undefined) throw new Error("[vmap] no argument is mapped (every in-axis is null)");
    const { outputs, single } = callTraced("vmap", fn, traced);
    const tracerSet = new Set(tracers.keys());
    const { order } = dependents(outputs, tracerSet);
    const batched = new Map<MxArray, { value: MxArray; axis: number }>(tracers);
    for (const n of order) {
      if (batched.has(n) || !n.primitive) continue;
      const prim = n.primitive;
      // a custom function's outputs (its opaque inputs) are left to its rule, which batches its arguments
      const skip = opaqueInputsOf(n);
      if (skip > 0 && readsTracerThroughClosure(n, tracerSet)) {
        throw new Error(`[vmap] ${prim.errorName}'s function reads a mapped array through a closure, which its vmap rule cannot batch; pass that array to it as an argument`);
      }
      const ins = n.inputs.map((x) => batched.get(x));
      if (ins.every((b, i) => i < skip || !b)) continue;
      const values = n.inputs.map((x, i) => ins[i]?.value ?? x);
      const axes = ins.map((b) => (b ? b.axis : null));
      if (n.siblings) {
        // one rule call batches every sibling
        const siblings = n.siblings;
        const [outs, outAxes] = runRule("vmap", n, () => prim.vmapOutputs(values, axes));
        siblings.forEach((s, i) => batched.set(s, { value: outs[i]!, axis: outAxes[i]! }));
        continue;
      }
      const [value, axis] = runRule("vmap", n, () => prim.vmap(values, axes));
      batched.set(n, { value, axis });
    }
    const results = outputs.map((out, i) => {
      const to = typeof outAxes === "number" ? outAxes : axisFor(outAxes, i, outputs.length, "outAxes");
      if (typeof to !== "number" || !Number.isInteger(to)) throw new TypeError(`[vmap] outAxes must hold an integer axis for output ${i}, got ${describeValue(to)}`);
      const b = batched.get(out) ?? { value: ops.broadcastTo(ops.expandDims(out, 0, { stream: out.stream }), [size!, ...out.shape], { stream: out.stream }), axis: 0 };
      const rank = b.value.ndim;
      if (to < -rank || to >= rank) throw new Error(`[vmap] outAxes ${to} is out of range for output ${i} (${describe(b.value)} with the batch)`);
      const dest = to < 0 ? to + rank : to;
      return b.axis === dest ? b.value : ops.moveaxis(b.value, b.axis, dest, { stream: b.value.stream });
    });
    return single ? results[0]! : results;
  };
}
