// mx.utils, as MLX's mlx.utils: trees (nested JS arrays and plain objects)
// flattened to MLX's dotted keys ("layers.0.weight") and back, mapped (with
// or without the path), reduced and merged. What is neither a JS array nor a
// plain object is a leaf. The transforms' own structural flattening is tree.ts.

import { describeValue } from "../errors.js";
import { checkOptions } from "../ops/strict-options.js";
import { isPlainObject } from "./tree.js";
export { treeMap } from "./tree.js";

const isNode = (x: unknown): x is unknown[] | Record<string, unknown> => Array.isArray(x) || isPlainObject(x);

export interface FlattenOptions {
  /** Prepended to every key, as MLX's `prefix` (e.g. "model" gives "model.layers.0.weight"). */
  prefix?: string | undefined;
  /** Values to keep whole even when they are arrays or objects. */
  isLeaf?: ((value: unknown) => boolean) | undefined;
}

/**
 * The leaves of `tree` with their paths as MLX writes them (MLX's
 * `tree_flatten`): list indices and object keys joined by dots.
 * @example
 * ```ts
 * const flat = mx.utils.treeFlatten({ layers: [{ w: mx.array([1]) }], b: mx.array([2]) });
 * flat.map(([k]) => k); // ["layers.0.w", "b"]
 * ```
 */
export function treeFlatten(tree: unknown, o: FlattenOptions = {}): [string, unknown][] {
  if (o === null || typeof o !== "object") throw new TypeError(`[utils.treeFlatten] options must be an object { prefix, isLeaf }, got ${describeValue(o)}`);
  checkOptions("utils.treeFlatten", o, ["prefix", "isLeaf"], false);
  const out: [string, unknown][] = [];
  const walk = (t: unknown, path: string) => {
    if (o.isLeaf?.(t) || !isNode(t)) {
      out.push([path, t]);
      return;
    }
    const entries = Array.isArray(t) ? t.map((v, i) => [String(i), v] as const) : Object.entries(t);
    for (const [k, v] of entries) walk(v, path ? `${path}.${k}` : k);
  };
  walk(tree, o.prefix ?? "");
  return out;
}

/**
 * The tree of flat `[key, value]` pairs (or an object of them) as MLX's
 * `tree_unflatten` builds it: a level whose keys are all integers is a list.
 * @example
 * ```ts
 * const tree = mx.utils.treeUnflatten([["layers.0.w", 1], ["layers.1.w", 2], ["b", 3]]);
 * JSON.stringify(tree); // '{"layers":[{"w":1},{"w":2}],"b":3}'
 * ```
 */
export function treeUnflatten(pairs: readonly (readonly [string, unknown])[] | Record<string, unknown>): unknown {
  const list = Array.isArray(pairs) ? pairs : isPlainObject(pairs) ? Object.entries(pairs) : undefined;
  if (!list) throw new TypeError(`[utils.treeUnflatten] pairs must be a list of [key, value] pairs or an object, got ${describeValue(pairs)}`);
  if (list.length === 1 && list[0]![0] === "") return list[0]![1];
  const root: Record<string, unknown> = {};
  list.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw new TypeError(`[utils.treeUnflatten] pairs[${i}] must be a [key, value] pair, got ${describeValue(pair)}`);
    const parts = pair[0].split(".");
    let at = root;
    parts.slice(0, -1).forEach((k) => {
      const next = at[k];
      if (next !== undefined && !isPlainObject(next)) throw new Error(`[utils.treeUnflatten] key '${pair[0]}' goes below '${k}', which is a leaf`);
      at = (at[k] ??= {}) as Record<string, unknown>;
    });
    at[parts[parts.length - 1]!] = pair[1];
  });
  const listify = (t: unknown): unknown => {
    if (!isPlainObject(t)) return t;
    const keys = Object.keys(t);
    const items = keys.map((k) => listify(t[k]));
    if (keys.length && keys.every((k) => /^(0|[1-9]\d*)$/.test(k))) {
      const out: unknown[] = [];
      keys.forEach((k, j) => (out[Number(k)] = items[j]));
      return out;
    }
    return Object.fromEntries(keys.map((k, j) => [k, items[j]]));
  };
  return listify(root);
}

/**
 * `fn(path, leaf, ...others)` for each leaf of `tree` (with the leaves at the
 * same path in `rest`), in a tree of the same structure (MLX's `tree_map_with_path`).
 * @example
 * ```ts
 * const t = mx.utils.treeMapWithPath((path, v) => `${path}=${String(v)}`, { a: [1, 2], b: 3 });
 * JSON.stringify(t); // '{"a":["a.0=1","a.1=2"],"b":"b=3"}'
 * ```
 */
export function treeMapWithPath(fn: (path: string, leaf: unknown, ...others: unknown[]) => unknown, tree: unknown, ...rest: unknown[]): unknown {
  if (typeof fn !== "function") throw new TypeError(`[utils.treeMapWithPath] fn must be a function, got ${describeValue(fn)}`);
  const walk = (t: unknown, others: unknown[], path: string): unknown => {
    if (!isNode(t)) return fn(path, t, ...others);
    const key = (k: string) => (path ? `${path}.${k}` : k);
    const child = (o: unknown, k: string | number) => (isNode(o) ? (o as Record<string, unknown>)[k] : undefined);
    if (Array.isArray(t)) return t.map((v, i) => walk(v, others.map((o) => child(o, i)), key(String(i))));
    return Object.fromEntries(Object.entries(t).map(([k, v]) => [k, walk(v, others.map((o) => child(o, k)), key(k))]));
  };
  return walk(tree, rest, "");
}

/**
 * Folds `fn(accumulator, leaf)` over the leaves of `tree` in flattening order
 * (MLX's `tree_reduce`); without `initial` the first leaf starts the fold.
 * @example
 * ```ts
 * mx.utils.treeReduce((acc, v) => (acc as number) + (v as number), { a: [1, 2], b: 3 }, 0); // 6
 * ```
 */
export function treeReduce(fn: (accumulator: unknown, leaf: unknown) => unknown, tree: unknown, initial?: unknown): unknown {
  if (typeof fn !== "function") throw new TypeError(`[utils.treeReduce] fn must be a function, got ${describeValue(fn)}`);
  const leaves = treeFlatten(tree).map(([, v]) => v);
  if (initial === undefined) {
    if (!leaves.length) throw new Error("[utils.treeReduce] an empty tree needs an initial value");
    return leaves.slice(1).reduce(fn, leaves[0]);
  }
  return leaves.reduce(fn, initial);
}

/**
 * Merges two trees (MLX's `tree_merge`): where one has nothing (undefined or
 * null) the other's subtree is taken; two leaves at one place go to `merge`,
 * which by default refuses them.
 * @example
 * ```ts
 * JSON.stringify(mx.utils.treeMerge({ a: 1, c: [null, 2] }, { b: 2, c: [3, null] })); // '{"a":1,"c":[3,2],"b":2}'
 * ```
 */
export function treeMerge(a: unknown, b: unknown, merge?: (x: unknown, y: unknown) => unknown): unknown {
  const walk = (x: unknown, y: unknown, path: string): unknown => {
    if (x === undefined || x === null) return y;
    if (y === undefined || y === null) return x;
    if (Array.isArray(x) && Array.isArray(y)) {
      return Array.from({ length: Math.max(x.length, y.length) }, (_, i) => walk(x[i], y[i], path ? `${path}.${i}` : String(i)));
    }
    if (isPlainObject(x) && isPlainObject(y)) {
      const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
      return Object.fromEntries(keys.map((k) => [k, walk(x[k], y[k], path ? `${path}.${k}` : k)]));
    }
    if (merge) return merge(x, y);
    throw new Error(`[utils.treeMerge] tree a and tree b both hold a value at '${path || "(root)"}' (${describeValue(x)} and ${describeValue(y)}); pass a merge function to combine them`);
  };
  return walk(a, b, "");
}
