// Trees of arrays, as in MLX's mlx.utils: nested JS arrays and plain objects
// whose leaves are arrays. treeFlatten lists the array leaves in a fixed
// order (depth first; object keys in insertion order) with a definition that
// treeUnflatten fills back; other values (numbers, strings, null) are kept in
// the definition as they are.

import { MxArray } from "../array.js";
import { describeValue } from "../errors.js";

export type Tree = MxArray | readonly Tree[] | { readonly [key: string]: Tree } | number | string | boolean | bigint | null | undefined;

/** The shape of a tree without its array leaves. */
export type TreeDef =
  | { kind: "leaf" }
  | { kind: "list"; items: TreeDef[] }
  | { kind: "dict"; keys: string[]; items: TreeDef[] }
  | { kind: "static"; value: unknown };

/**
 * The protocol of objects that mx.eval, mx.tidy and compile's captured state
 * walk as dicts of their fields (an nn.Module is one): `[treeFields]()` names
 * the fields that hold arrays or subtrees, and assigning such a field replaces
 * it. grad walks such objects in its arguments (transforms/argument-slots.ts); mx.utils' tree functions
 * (transforms/utils.ts) walk an nn.Module as MLX's dict.
 */
export const treeFields: unique symbol = Symbol.for("mlx-ts.treeFields");

/** An object with the treeFields protocol. */
export interface HasTreeFields {
  [treeFields](): readonly string[];
}

/** The fields of `x` that trees walk, when `x` has the treeFields protocol. */
export function treeFieldsOf(x: unknown): readonly string[] | undefined {
  if (x === null || typeof x !== "object" || typeof (x as Partial<HasTreeFields>)[treeFields] !== "function") return undefined;
  return (x as HasTreeFields)[treeFields]();
}

/** An object literal (or null-prototype object): a node of a tree, not a leaf. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== "object") return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The array leaves of `tree` (nested lists and plain objects; depth first, object
 * keys in insertion order) and its definition, which `treeUnflatten` fills back.
 * Other values (numbers, strings, null) stay in the definition.
 * @example
 * ```ts
 * const { leaves, def } = mx.utils.treeFlatten({ w: mx.array([1]), b: [mx.array([2]), 3] });
 * leaves.length; // 2
 * mx.utils.describeTree(def); // "{w: array, b: [array, 3]}"
 * ```
 */
export function treeFlatten(tree: unknown): { leaves: MxArray[]; def: TreeDef } {
  const leaves: MxArray[] = [];
  const walk = (t: unknown): TreeDef => {
    if (t instanceof MxArray) {
      leaves.push(t);
      return { kind: "leaf" };
    }
    if (Array.isArray(t)) return { kind: "list", items: t.map(walk) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t);
      return { kind: "dict", keys, items: keys.map((k) => walk(t[k])) };
    }
    return { kind: "static", value: t };
  };
  const def = walk(tree);
  return { leaves, def };
}

/**
 * The tree of `def` (from `treeFlatten`) with its array leaves taken in order
 * from `leaves`; the counts must match.
 * @example
 * ```ts
 * const { leaves, def } = mx.utils.treeFlatten({ w: mx.array([1]), b: [mx.array([2]), 3] });
 * const scaled = mx.utils.treeUnflatten(def, leaves.map((x) => mx.multiply(x, 10))) as { w: mx.MxArray; b: [mx.MxArray, number] };
 * await scaled.w.tolist(); // [10]
 * scaled.b[1]; // 3
 * ```
 */
export function treeUnflatten(def: TreeDef, leaves: readonly MxArray[]): unknown {
  const op = "utils.treeUnflatten";
  if (!Array.isArray(leaves)) throw new TypeError(`[${op}] leaves must be a list of mx arrays, got ${describeValue(leaves)}`);
  let i = 0;
  const build = (node: TreeDef): unknown => {
    const d = checkDef(op, node);
    switch (d.kind) {
      case "leaf":
        if (i >= leaves.length) throw new Error(`[${op}] the definition has more leaves than the ${leaves.length} given`);
        return leaves[i++];
      case "list":
        return d.items.map(build);
      case "dict":
        return Object.fromEntries(d.keys.map((k, j) => [k, build(d.items[j]!)]));
      case "static":
        return d.value;
    }
  };
  const out = build(def);
  if (i !== leaves.length) throw new Error(`[${op}] ${leaves.length} leaves given for a definition of ${i}`);
  return out;
}

/** `d` when it is a node of a tree definition (from treeFlatten), else an error naming `op` and `def`. */
function checkDef(op: string, d: unknown): TreeDef {
  const def = d as TreeDef | null | undefined;
  const ok =
    def !== null && typeof def === "object" &&
    (def.kind === "leaf" || def.kind === "static" ||
      (def.kind === "list" && Array.isArray(def.items)) ||
      (def.kind === "dict" && Array.isArray(def.keys) && Array.isArray(def.items) && def.keys.length === def.items.length));
  if (!ok) throw new TypeError(`[${op}] def must be a tree definition (the def of treeFlatten), got ${describeValue(d)}`);
  return def;
}

/**
 * A short description of a tree's structure, as error messages show it: arrays
 * as `array`, other values as JSON.
 * @example
 * ```ts
 * mx.utils.describeTree(mx.utils.treeFlatten([mx.array(1), { n: null }]).def); // "[array, {n: null}]"
 * ```
 */
export function describeTree(node: TreeDef): string {
  const def = checkDef("utils.describeTree", node);
  switch (def.kind) {
    case "leaf":
      return "array";
    case "list":
      return `[${def.items.map(describeTree).join(", ")}]`;
    case "dict":
      return `{${def.keys.map((k, i) => `${k}: ${describeTree(def.items[i]!)}`).join(", ")}}`;
    case "static":
      return staticText(def.value);
  }
}

/** A value kept in a tree definition, as describeTree shows it: JSON where it has one. */
function staticText(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "<function>";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v); // a cycle
  }
}

