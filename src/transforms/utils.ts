// mx.utils, as MLX's mlx.utils: trees (nested JS arrays, plain objects and
// nn.Modules, which are dicts in MLX) flattened to MLX's dotted keys
// ("layers.0.weight") and back, mapped (with or without the path), reduced
// and merged. Anything else is a leaf. The transforms' own structural
// flattening is tree.ts.

import type { KeywordArgs } from "../keyword-args.js";
import { describeValue } from "../errors.js";
import { keywords } from "../keyword-args.js";
import { checkOptions } from "../ops/strict-options.js";
import { isPlainObject, treeFieldsOf } from "./tree.js";

/**
 * A dict of a tree: a plain object, or an object with the treeFields
 * protocol (an nn.Module, a dict in MLX), whose keys are the fields holding
 * arrays, lists, objects and modules (private ones too), as an MLX module's
 * dict holds them; other fields and its bookkeeping are not keys.
 */
const isDict = (x: unknown): x is Record<string, unknown> => isPlainObject(x) || treeFieldsOf(x) !== undefined;
const isNode = (x: unknown): x is unknown[] | Record<string, unknown> => Array.isArray(x) || isDict(x);
/** The keys of a dict (see isDict). */
const dictKeys = (t: Record<string, unknown>): readonly string[] => treeFieldsOf(t) ?? Object.keys(t);
const join = (path: string, k: string) => (path ? `${path}.${k}` : k);
const where = (path: string) => (path ? `'${path}'` : "the root");

/**
 * The children of a node as `[key, value]` pairs (list indices as strings).
 * A hole in a list (a sparse JS array) is an error naming its path: no MLX
 * tree has one, and treeUnflatten fills missing indices with `{}`.
 */
function childrenOf(op: string, t: unknown[] | Record<string, unknown>, path: string): [string, unknown][] {
  if (!Array.isArray(t)) return dictKeys(t).map((k) => [k, t[k]]);
  const out: [string, unknown][] = [];
  for (let i = 0; i < t.length; i++) {
    if (!(i in t)) throw new TypeError(`[${op}] the list at ${where(path)} has a hole at index ${i} (a sparse JS array); put a value there ({} for an empty subtree, as treeUnflatten does)`);
    out.push([String(i), t[i]]);
  }
  return out;
}

/** A function given a tree's values, which returns true for those to keep whole (leaves) even when they are lists or objects. */
export type IsLeaf = (value: unknown) => boolean;

/** Where treeFlatten may put its pairs (MLX's `destination`): a list of `[key, value]` pairs, or an object keyed by path. */
export type FlattenDestination = [string, unknown][] | Record<string, unknown>;

export interface FlattenOptions {
  /**
   * Goes before every key, as MLX's `prefix`: MLX drops the prefix's first
   * character, its leading dot by convention (`".model"` gives
   * `"model.layers.0.weight"`), and so does this one when it is a dot; a
   * prefix without one is kept whole (`"model"` gives the same keys).
   */
  prefix?: string | undefined;
  /** Values to keep whole even when they are lists or objects (MLX's `is_leaf`). */
  isLeaf?: IsLeaf | undefined;
  /** Where the pairs go and what is returned (MLX's `destination`): a list is appended to, an object gets a property per key. A new list by default. */
  destination?: FlattenDestination | undefined;
}

/** treeFlatten's arguments after the tree that put the pairs in an object (MLX's `destination={}`). */
export type FlattenIntoObject =
  | [options: FlattenOptions & { destination: Record<string, unknown> }]
  | [prefix: string | null | undefined, options: Omit<FlattenOptions, "prefix"> & { destination: Record<string, unknown> }]
  | [prefix: string | null | undefined, isLeaf: IsLeaf | null | undefined, destination: Record<string, unknown>];

/**
 * The leaves of `tree` with their paths as MLX writes them (MLX's
 * `tree_flatten`): list indices and object keys joined by dots. An
 * nn.Module is walked as MLX walks a module (a dict): its fields holding
 * arrays, lists, objects or modules, private ones too. Every value that is
 * neither a JS array, a plain object nor a module is a leaf; an empty list
 * or object gives no pair. MLX's `prefix`, `isLeaf` and `destination` come
 * positionally in MLX's order (null is MLX's None) or, from any of them on,
 * in an options object; in `destination`'s place an object is the
 * destination, never the options.
 * @example
 * ```ts
 * const flat = mx.utils.treeFlatten({ layers: [{ w: mx.array([1]) }], b: mx.array([2]) });
 * flat.map(([k]) => k); // ["layers.0.w", "b"]
 * mx.utils.treeFlatten([[1], { a: 2 }], { prefix: ".x" }); // [["x.0.0", 1], ["x.1.a", 2]]
 * mx.utils.treeFlatten({ w: 1 }, "model"); // [["model.w", 1]]
 * const model = new mx.nn.Sequential(new mx.nn.Linear(2, 3), new mx.nn.ReLU());
 * mx.utils.treeFlatten(model).map(([k]) => k); // ["layers.0.weight", "layers.0.bias"]
 * ```
 */
export function treeFlatten(tree: unknown, ...rest: KeywordArgs<[["prefix", string], ["isLeaf", IsLeaf], ["destination", [string, unknown][]]], Omit<FlattenOptions, "destination"> & { destination?: [string, unknown][] | null | undefined }>): [string, unknown][];
/**
 * `treeFlatten` into an object keyed by path (MLX's `destination={}`), which
 * it returns; a key met twice keeps its last value.
 * @example
 * ```ts
 * mx.utils.treeFlatten({ a: { b: 1 }, c: [2] }, { destination: {} }); // { "a.b": 1, "c.0": 2 }
 * mx.utils.treeFlatten({ a: { b: 1 } }, "", null, {}); // { "a.b": 1 }
 * ```
 */
export function treeFlatten(tree: unknown, ...rest: FlattenIntoObject): Record<string, unknown>;
export function treeFlatten(tree: unknown, ...rest: unknown[]): FlattenDestination {
  const op = "utils.treeFlatten";
  const names = ["prefix", "isLeaf", "destination"];
  if (rest.length > names.length) throw new TypeError(`[${op}] takes at most ${names.length + 1} arguments; got ${rest.length + 1} (the 5th is ${describeValue(rest[names.length])})`);
  const given = [...rest];
  // an object in destination's place is the destination (MLX's positional dict), not the options
  const destinationGiven = given.length === names.length && isPlainObject(given[2]) && !isPlainObject(given[0]) && !isPlainObject(given[1]);
  if (destinationGiven) given.pop();
  const o = keywords(op, given, names);
  if (destinationGiven) o.destination = rest[2];
  // null is MLX's None: the default
  const prefix = o.prefix ?? "", isLeaf = o.isLeaf ?? undefined, destination = o.destination ?? [];
  if (typeof prefix !== "string") throw new TypeError(`[${op}] prefix must be a string, got ${describeValue(prefix)}`);
  if (isLeaf !== undefined && typeof isLeaf !== "function") throw new TypeError(`[${op}] isLeaf must be a function, got ${describeValue(isLeaf)}`);
  if (!Array.isArray(destination) && !isPlainObject(destination)) throw new TypeError(`[${op}] destination must be a list or an object, got ${describeValue(destination)}`);
  const leaf = isLeaf as IsLeaf | undefined;
  const add = Array.isArray(destination) ? (k: string, v: unknown) => void destination.push([k, v]) : (k: string, v: unknown) => void (destination[k] = v);
  const walk = (t: unknown, path: string) => {
    if (leaf?.(t) || !isNode(t)) return add(path, t);
    for (const [k, v] of childrenOf(op, t, path)) walk(v, join(path, k));
  };
  walk(tree, prefix.startsWith(".") ? prefix.slice(1) : prefix);
  return destination;
}

/**
 * The tree of flat `[key, value]` pairs (or an object of them) as MLX's
 * `tree_unflatten` builds it: a level whose keys are all integers is a list,
 * in index order, a missing index holding `{}` (an empty subtree, which
 * flattens to nothing). One pair with the key "" is that value itself; no
 * pairs give `{}`.
 * @example
 * ```ts
 * const tree = mx.utils.treeUnflatten([["layers.0.w", 1], ["layers.1.w", 2], ["b", 3]]);
 * JSON.stringify(tree); // '{"layers":[{"w":1},{"w":2}],"b":3}'
 * JSON.stringify(mx.utils.treeUnflatten({ "layers.2.w": 1 })); // '{"layers":[{},{},{"w":1}]}'
 * ```
 */
export function treeUnflatten(pairs: readonly (readonly [string, unknown])[] | Record<string, unknown>): unknown {
  const op = "utils.treeUnflatten";
  const list = Array.isArray(pairs) ? pairs : isPlainObject(pairs) ? Object.entries(pairs) : undefined;
  if (!list) throw new TypeError(`[${op}] pairs must be a list of [key, value] pairs or an object, got ${describeValue(pairs)}`);
  if (list.length === 1 && Array.isArray(list[0]) && list[0][0] === "") return list[0][1];
  // a trie of Maps (insertion order, whatever the keys), then lists where every key is an index
  type Trie = Map<string, unknown>;
  const root: Trie = new Map();
  list.forEach((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw new TypeError(`[${op}] pairs[${i}] must be a [key, value] pair, got ${describeValue(pair)}`);
    const parts = pair[0].split(".");
    let at = root;
    parts.slice(0, -1).forEach((k, j) => {
      const next = at.get(k);
      if (next !== undefined && !(next instanceof Map)) throw new Error(`[${op}] key '${pair[0]}' goes below '${parts.slice(0, j + 1).join(".")}', which is a leaf`);
      if (next === undefined) at.set(k, new Map());
      at = at.get(k) as Trie;
    });
    const last = parts[parts.length - 1]!;
    if (at.get(last) instanceof Map) throw new Error(`[${op}] key '${pair[0]}' is a leaf where other keys go below it`);
    at.set(last, pair[1]);
  });
  const build = (node: Trie): unknown => {
    const keys = [...node.keys()];
    const items = keys.map((k) => {
      const v = node.get(k);
      return v instanceof Map ? build(v as Trie) : v;
    });
    if (keys.length && keys.every((k) => /^(0|[1-9]\d*)$/.test(k))) {
      const length = Math.max(...keys.map(Number)) + 1;
      const out: unknown[] = Array.from({ length }, () => ({}));
      keys.forEach((k, j) => (out[Number(k)] = items[j]));
      return out;
    }
    return Object.fromEntries(keys.map((k, j) => [k, items[j]]));
  };
  return build(root);
}

/** The options of treeMap (MLX's keyword `is_leaf`), given as its last argument. */
export interface TreeMapOptions {
  /** Values of the first tree to hand to `fn` whole even when they are lists or objects (MLX's `is_leaf`). */
  isLeaf?: IsLeaf | undefined;
}

/** The options of treeMapWithPath (MLX's keywords `is_leaf` and `path`), given as its last argument. */
export interface TreeMapWithPathOptions extends TreeMapOptions {
  /** The path of the root: the paths become `path.key...` (MLX's `path`). */
  path?: string | undefined;
}

/**
 * `args` without a last options object, and the options: the last argument
 * is the options when it is a plain object that holds only `keys`, none of
 * them a tree (isLeaf a function, path a string).
 */
function splitTreeOptions(op: string, args: readonly unknown[], keys: readonly string[]): [unknown[], TreeMapWithPathOptions] {
  const last = args[args.length - 1];
  if (!isPlainObject(last)) return [[...args], {}];
  const entries = Object.entries(last);
  const isOption = ([k, v]: [string, unknown]) => keys.includes(k) && (v === undefined || (k === "isLeaf" ? typeof v === "function" : typeof v === "string"));
  if (entries.length === 0 || !entries.every(isOption)) return [[...args], {}];
  checkOptions(op, last, keys, false);
  return [args.slice(0, -1), last as TreeMapWithPathOptions];
}

/**
 * The shared walk of treeMap and treeMapWithPath (MLX's): `fn` on each leaf
 * of `tree` with the values at the same place in `rest`, each of which must
 * hold the keys of `tree` (and may hold more).
 */
function mapTree(op: string, fn: (path: string, leaf: unknown, others: unknown[]) => unknown, tree: unknown, rest: unknown[], isLeaf: IsLeaf | undefined, root: string): unknown {
  if (isLeaf !== undefined && typeof isLeaf !== "function") throw new TypeError(`[${op}] isLeaf must be a function, got ${describeValue(isLeaf)}`);
  const child = (o: unknown, j: number, list: boolean, k: string, path: string): unknown => {
    const has = list ? Array.isArray(o) && Number(k) < o.length && Number(k) in o : isDict(o) && dictKeys(o).includes(k);
    if (!has) {
      const kind = list ? "a list" : "an object";
      throw new Error(`[${op}] further tree ${j + 1} has no '${join(path, k)}': where the first tree has ${kind}, each further tree must have ${kind} with its keys (it may hold more), got ${describeValue(o)} at ${where(path)}`);
    }
    return (o as Record<string, unknown>)[k];
  };
  const walk = (t: unknown, others: unknown[], path: string): unknown => {
    if (isLeaf?.(t) || !isNode(t)) return fn(path, t, others);
    const list = Array.isArray(t);
    const mapped = childrenOf(op, t, path).map(([k, v]) => [k, walk(v, others.map((o, j) => child(o, j, list, k, path)), join(path, k))] as const);
    return list ? mapped.map(([, v]) => v) : Object.fromEntries(mapped);
  };
  return walk(tree, rest, root);
}

/**
 * `fn` applied to each leaf of `tree` (MLX's `tree_map`), with the values at
 * the same place in the further trees `rest`, in a tree of the same
 * structure; an nn.Module maps to a plain object of its fields, as MLX's
 * gives a dict (see treeFlatten). Every value that is neither a JS array, a
 * plain object nor a module is a leaf (a number or a string too). The
 * further trees must hold the keys of `tree` (a module's fields count) and
 * may hold more; where `tree` has a leaf they may hold anything
 * (a whole subtree is passed as it is). A last argument `{ isLeaf }` (a
 * plain object with only that key, a function) is the options: `isLeaf(v)`
 * true keeps `v` whole, as MLX's `is_leaf`.
 * @example
 * ```ts
 * const params = { w: mx.array([1, 2]), b: mx.array([3]) };
 * const grads = { w: mx.array([10, 10]), b: mx.array([1]), extra: mx.array([0]) };
 * const updated = mx.utils.treeMap((p: mx.MxArray, g: mx.MxArray) => mx.subtract(p, mx.multiply(g, 0.1)), params, grads);
 * await updated.w.tolist(); // [0, 1]
 * await updated.b.tolist(); // [2.9000000953674316]
 * JSON.stringify(mx.utils.treeMap((v: number) => v + 1, { a: [1, 2], b: 3 })); // '{"a":[2,3],"b":4}'
 * JSON.stringify(mx.utils.treeMap((p: mx.MxArray) => p.shape, new mx.nn.Linear(2, 3))); // '{"weight":[3,2],"bias":[3]}'
 * JSON.stringify(mx.utils.treeMap((v: unknown) => JSON.stringify(v), { a: [1, 2] }, { isLeaf: Array.isArray })); // '{"a":"[1,2]"}'
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function treeMap<T>(fn: (leaf: any, ...others: any[]) => unknown, tree: T, ...rest: unknown[]): T {
  const op = "utils.treeMap";
  if (typeof fn !== "function") throw new TypeError(`[${op}] fn must be a function, got ${describeValue(fn)}`);
  const [others, o] = splitTreeOptions(op, rest, ["isLeaf"]);
  return mapTree(op, (_path, leaf, at) => fn(leaf, ...at), tree, others, o.isLeaf, "") as T;
}

/**
 * `fn(path, leaf, ...others)` for each leaf of `tree` (with the values at
 * the same place in `rest`), in a tree of the same structure (MLX's
 * `tree_map_with_path`); the further trees follow treeMap's rule. A last
 * argument `{ isLeaf, path }` (a plain object with only those keys) is the
 * options: `isLeaf` as treeMap's, `path` the root's path, before every other
 * (MLX's `path`; "" by default).
 * @example
 * ```ts
 * const t = mx.utils.treeMapWithPath((path, v) => `${path}=${String(v)}`, { a: [1, 2], b: 3 });
 * JSON.stringify(t); // '{"a":["a.0=1","a.1=2"],"b":"b=3"}'
 * JSON.stringify(mx.utils.treeMapWithPath((path) => path, { w: 0 }, { path: "model" })); // '{"w":"model.w"}'
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function treeMapWithPath(fn: (path: string, leaf: any, ...others: any[]) => unknown, tree: unknown, ...rest: unknown[]): unknown {
  const op = "utils.treeMapWithPath";
  if (typeof fn !== "function") throw new TypeError(`[${op}] fn must be a function, got ${describeValue(fn)}`);
  const [others, o] = splitTreeOptions(op, rest, ["isLeaf", "path"]);
  return mapTree(op, (path, leaf, at) => fn(path, leaf, ...at), tree, others, o.isLeaf, o.path ?? "");
}

/**
 * Folds `fn(accumulator, leaf)` over the leaves of `tree` in flattening order
 * (MLX's `tree_reduce`); without `initial` the first leaf starts the fold,
 * and a tree without leaves gives undefined (MLX's None). `isLeaf` as
 * treeFlatten's, after `initial` (always positional, as an object may be
 * the accumulator), given positionally (MLX's order) or as `{ isLeaf }`.
 * @example
 * ```ts
 * mx.utils.treeReduce((acc, v) => (acc as number) + (v as number), { a: [1, 2], b: 3 }, 0); // 6
 * mx.utils.treeReduce((acc, v) => Math.max(acc as number, (v as number[]).length), { a: [1, 2], b: [3] }, 0, { isLeaf: Array.isArray }); // 2
 * mx.utils.treeReduce((acc, v) => Math.max(acc as number, (v as number[]).length), { a: [1, 2], b: [3] }, 0, Array.isArray); // 2
 * ```
 */
export function treeReduce(fn: (accumulator: unknown, leaf: unknown) => unknown, tree: unknown, initial?: unknown, ...rest: KeywordArgs<[["isLeaf", IsLeaf]], { isLeaf?: IsLeaf | undefined }>): unknown {
  const op = "utils.treeReduce";
  if (typeof fn !== "function") throw new TypeError(`[${op}] fn must be a function, got ${describeValue(fn)}`);
  if (rest.length > 1) throw new TypeError(`[${op}] takes at most 4 arguments; got ${rest.length + 3} (the 5th is ${describeValue((rest as unknown[])[1])})`);
  const isLeaf = keywords(op, rest, ["isLeaf"]).isLeaf ?? undefined;
  if (isLeaf !== undefined && typeof isLeaf !== "function") throw new TypeError(`[${op}] isLeaf must be a function, got ${describeValue(isLeaf)}`);
  const leaf = isLeaf as IsLeaf | undefined;
  let acc = initial;
  const walk = (t: unknown, path: string): void => {
    if (leaf?.(t) || !isNode(t)) acc = acc === undefined ? t : fn(acc, t);
    else for (const [k, v] of childrenOf(op, t, path)) walk(v, join(path, k));
  };
  walk(tree, "");
  return acc;
}

/**
 * Merges two trees (MLX's `tree_merge`), a deep object assign: where one has
 * nothing (undefined, null, or an empty list or object) the other's subtree
 * is taken; lists merge index by index, objects (and modules, as
 * treeFlatten walks them) key by key into a plain object; two leaves (or a
 * leaf and a subtree) at one place go to `merge`, which by default refuses
 * them. Two empty containers give an empty one of their kind (a list and an
 * object refuse).
 * @example
 * ```ts
 * JSON.stringify(mx.utils.treeMerge({ a: 1, c: [null, 2] }, { b: 2, c: [3, null] })); // '{"a":1,"c":[3,2],"b":2}'
 * JSON.stringify(mx.utils.treeMerge({ a: {}, l: [{}, { w: 1 }] }, { a: 5, l: [{ b: 2 }, {}] })); // '{"a":5,"l":[{"b":2},{"w":1}]}'
 * ```
 */
export function treeMerge(a: unknown, b: unknown, merge?: (x: unknown, y: unknown) => unknown): unknown {
  const op = "utils.treeMerge";
  if (merge !== undefined && typeof merge !== "function") throw new TypeError(`[${op}] merge must be a function, got ${describeValue(merge)}`);
  const isEmpty = (t: unknown) => (Array.isArray(t) && t.length === 0) || (isDict(t) && dictKeys(t).length === 0);
  const none = (t: unknown) => t === undefined || t === null || isEmpty(t);
  const walk = (x: unknown, y: unknown, path: string): unknown => {
    if (isEmpty(x) && isEmpty(y) && Array.isArray(x) !== Array.isArray(y)) throw new Error(`[${op}] cannot merge an empty list with an empty object at ${where(path)}`);
    if (none(x) && none(y)) return isEmpty(x) || isEmpty(y) ? (Array.isArray(x) || Array.isArray(y) ? [] : {}) : y; // an empty container outlives nothing
    if (none(x)) return y;
    if (none(y)) return x;
    if (Array.isArray(x) && Array.isArray(y)) {
      return Array.from({ length: Math.max(x.length, y.length) }, (_, i) => walk(x[i], y[i], join(path, String(i))));
    }
    if (isDict(x) && isDict(y)) {
      const xKeys = dictKeys(x), yKeys = dictKeys(y);
      const keys = [...new Set([...xKeys, ...yKeys])];
      return Object.fromEntries(keys.map((k) => [k, walk(xKeys.includes(k) ? x[k] : undefined, yKeys.includes(k) ? y[k] : undefined, join(path, k))]));
    }
    if (merge) return merge(x, y);
    throw new Error(`[${op}] tree a and tree b both hold a value at ${where(path)} (${describeValue(x)} and ${describeValue(y)}); pass a merge function to combine them`);
  };
  return walk(a, b, "");
}
