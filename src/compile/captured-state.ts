// compile's captured state (MLX's `inputs` and `outputs` of mx.compile):
// trees that a function reads and updates in place (a module, an optimizer's
// state, mx.random.state). Their array places are found afresh at each call,
// given the trace's inputs while it traces, and filled with the results after.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { isPlainObject, treeFieldsOf } from "../transforms/tree.js";

/** One place of an array in a captured tree: `holder[key]`. */
export interface StatePlace {
  readonly holder: Record<string | number, unknown>;
  readonly key: string | number;
}

/** Whether `x` is a tree node whose places can be assigned: a list, a plain object or an object with the treeFields protocol (a module). */
function isStateNode(x: unknown): x is object {
  return Array.isArray(x) || isPlainObject(x) || treeFieldsOf(x) !== undefined;
}

/**
 * The places of the arrays in `tree` (option `name` of compile), depth first
 * as treeFlatten orders them; other leaves (numbers, strings, functions) are
 * skipped, as MLX's non-strict flatten does. A tree reached twice on one path
 * (a cycle) is walked once.
 */
export function statePlaces(name: string, tree: unknown): StatePlace[] {
  if (!isStateNode(tree)) {
    throw opError("compile", `${name} must be a tree whose arrays can be replaced in place (a list, a plain object or a module, e.g. [model.state, optimizer.state, mx.random.state]), got ${describeValue(tree)}`, [], "type");
  }
  const places: StatePlace[] = [];
  const path = new Set<object>();
  const walk = (node: object): void => {
    if (path.has(node)) return;
    path.add(node);
    const holder = node as Record<string | number, unknown>;
    const keys: readonly (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : isPlainObject(node) ? Object.keys(node) : treeFieldsOf(node)!;
    for (const key of keys) {
      const v = holder[key];
      if (v instanceof MxArray) places.push({ holder, key });
      else if (isStateNode(v)) walk(v);
    }
    path.delete(node);
  };
  walk(tree);
  return places;
}

/** The arrays at `places` now. */
export function readPlaces(places: readonly StatePlace[]): MxArray[] {
  return places.map((p) => p.holder[p.key] as MxArray);
}

/** Puts `values[i]` at `places[i]`. */
export function fillPlaces(places: readonly StatePlace[], values: readonly MxArray[]): void {
  places.forEach((p, i) => (p.holder[p.key] = values[i]));
}
