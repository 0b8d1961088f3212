// vmap: traces the function on one example (a tracer per mapped leaf: the
// slice at index 0 of the mapped axis), then rebuilds the traced graph on the
// whole batch, each primitive's vmap rule turning batched inputs into a
// batched output. Unmapped arguments (in-axis null) pass through; outputs
// that do not depend on a mapped input are broadcast over the batch.

import { MxArray } from "../array.js";
import { retainingGraphDuring } from "../eval.js";
import { checkOptions } from "../ops/strict-options.js";
import { describe, describeValue } from "../errors.js";
import * as ops from "../ops/index.js";
import { node } from "../ops/base.js";
import { Reshape, sliceAxis } from "../primitives/layout.js";
import { dependents, opaqueInputsOf, readsTracerThroughClosure, runRule } from "./trace.js";
import { isPlainObject, treeFlatten, treeUnflatten, type TreeDef } from "./tree.js";
import type { MappableFn } from "./types.js";

/**
 * Batch axes as MLX's prefix trees: an axis (or null: not mapped) for a whole
 * subtree, or a list or object of them matching the tree's lists and objects.
 */
export type Axes = number | null | readonly Axes[] | { readonly [key: string]: Axes };

export interface VmapOptions {
  /** Per argument (a list), or one for all: the mapped axis of the argument's leaves (a prefix tree of it), or null for unmapped. Default 0. */
  inAxes?: Axes | undefined;
  /** Where the batch axis goes in the outputs: one for all, or a prefix tree of what the function returns (null: an output not mapped). Default 0. */
  outAxes?: Axes | undefined;
}

/** The axis of each leaf of the tree `def`, from the prefix tree `axes` (`what` names it in errors). */
function leafAxes(axes: unknown, def: TreeDef, what: string): (number | null)[] {
  if (axes === null || typeof axes === "number") {
    const count = (d: TreeDef): number => (d.kind === "leaf" ? 1 : d.kind === "static" ? 0 : d.items.reduce((n, i) => n + count(i), 0));
    return Array.from({ length: count(def) }, () => axes);
  }
  if (Array.isArray(axes)) {
    if (def.kind !== "list") throw new TypeError(`[vmap] ${what} is a list of ${axes.length}, where the tree holds ${def.kind === "leaf" ? "an array" : def.kind === "dict" ? "an object" : describeValue(def.value)}`);
    if (axes.length !== def.items.length) throw new Error(`[vmap] ${what} has ${axes.length} entries for a list of ${def.items.length}`);
    return def.items.flatMap((d, i) => leafAxes(axes[i], d, `${what}[${i}]`));
  }
  if (isPlainObject(axes)) {
    if (def.kind !== "dict") throw new TypeError(`[vmap] ${what} is an object, where the tree holds ${def.kind === "leaf" ? "an array" : def.kind === "list" ? "a list" : describeValue(def.value)}`);
    const extra = Object.keys(axes).filter((k) => !def.keys.includes(k));
    if (extra.length) throw new Error(`[vmap] ${what} names ${extra.map((k) => `'${k}'`).join(", ")}, which the tree does not hold`);
    return def.items.flatMap((d, i) => {
      const k = def.keys[i]!;
      if (!(k in axes)) throw new Error(`[vmap] ${what} has no entry for '${k}'`);
      return leafAxes(axes[k], d, `${what}.${k}`);
    });
  }
  throw new TypeError(`[vmap] ${what} must be an axis, null, or a list or object of them, got ${describeValue(axes)}`);
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
    if (!Array.isArray(inAxes) && inAxes !== null && typeof inAxes !== "number") {
      throw new TypeError(`[vmap] inAxes must be an axis, null, or a list with an entry per argument, got ${describeValue(inAxes)}`);
    }
    if (Array.isArray(inAxes) && inAxes.length !== args.length) throw new Error(`[vmap] inAxes has ${inAxes.length} entries for ${args.length} arguments`);
    const traced = args.map((arg, i) => {
      const prefix: unknown = Array.isArray(inAxes) ? inAxes[i] : inAxes;
      if (prefix === null) return arg;
      const { leaves, def } = treeFlatten(arg);
      const where = (j: number) => `argument ${i}${leaves.length > 1 ? ` (leaf ${j})` : ""}`;
      if (typeof prefix === "number" && !Number.isInteger(prefix)) throw new Error(`[vmap] inAxes${Array.isArray(inAxes) ? `[${i}]` : ""} must be an integer or null, got ${describeValue(prefix)}`);
      if (!leaves.length) throw new Error(`[vmap] argument ${i} is mapped (inAxes ${describeValue(prefix)}) but holds no arrays`);
      const axes = leafAxes(prefix, def, Array.isArray(inAxes) ? `inAxes[${i}]` : "inAxes");
      const examples = leaves.map((x, j) => {
        const axis = axes[j]!;
        if (axis === null) return x;
        if (!Number.isInteger(axis)) throw new Error(`[vmap] the in-axis of ${where(j)} must be an integer or null, got ${describeValue(axis)}`);
        if (x.isDisposed) throw new Error(`[vmap] ${where(j)} was disposed and can no longer be used`);
        if (axis < -x.ndim || axis >= x.ndim) throw new Error(`[vmap] inAxes ${axis} is out of range for ${where(j)} of shape (${x.shape.join(", ")})`);
        const a = axis < 0 ? axis + x.ndim : axis;
        const n = x.shape[a]!;
        if (size === undefined) {
          size = n;
          sizeFrom = where(j);
        } else if (n !== size) throw new Error(`[vmap] mapped axes have different sizes: ${sizeFrom} has ${size}, ${where(j)} has ${n}`);
        if (n === 0) throw new Error(`[vmap] ${where(j)} maps an empty axis (size 0)`);
        const t = exampleOf(x, a);
        tracers.set(t, { value: x, axis: a });
        return t;
      });
      return treeUnflatten(def, examples);
    });
    if (size === undefined) throw new Error("[vmap] no argument is mapped (every in-axis is null)");
    const raw = retainingGraphDuring(() => (fn as (...a: unknown[]) => unknown)(...traced));
    if (raw instanceof Promise) throw new Error("[vmap] the function must be synchronous (it returned a Promise)");
    const { leaves: outputs, def: outDef } = treeFlatten(raw);
    const statics = (d: TreeDef): boolean => d.kind === "static" || (d.kind !== "leaf" && d.items.some(statics));
    if (!outputs.length || statics(outDef)) {
      throw new Error(`[vmap] the function must return an array or a tree (lists, objects) of arrays, got ${describeValue(raw)}`);
    }
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
    // one axis for a single array: also a list of one (the list form of one output)
    const outPrefix: unknown = outDef.kind === "leaf" && Array.isArray(outAxes) && outAxes.length === 1 ? outAxes[0] : outAxes;
    const toAxes = leafAxes(outPrefix, outDef, "outAxes");
    const results = outputs.map((out, i) => {
      const to = toAxes[i]!;
      const which = outputs.length > 1 ? `output ${i}` : "the output";
      if (to === null) {
        if (batched.has(out)) throw new Error(`[vmap] outAxes gives ${which} no batch axis (null), but it depends on the mapped inputs`);
        return out;
      }
      if (!Number.isInteger(to)) throw new TypeError(`[vmap] outAxes must hold an integer axis for ${which}, got ${describeValue(to)}`);
      const b = batched.get(out) ?? { value: ops.broadcastTo(ops.expandDims(out, 0, { stream: out.stream }), [size!, ...out.shape], { stream: out.stream }), axis: 0 };
      const rank = b.value.ndim;
      if (to < -rank || to >= rank) throw new Error(`[vmap] outAxes ${to} is out of range for ${which} (${describe(b.value)} with the batch)`);
      const dest = to < 0 ? to + rank : to;
      return b.axis === dest ? b.value : ops.moveaxis(b.value, b.axis, dest, { stream: b.value.stream });
    });
    return treeUnflatten(outDef, results) as MxArray | MxArray[];
  };
}
