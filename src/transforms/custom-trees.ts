// The trees of a custom function (MLX's custom_function flattens its
// arguments and outputs): the function and rules over flat lists of arrays
// that the CustomOutputs node runs, built from the user's function and rules
// over trees of arrays (lists, plain objects; other values kept as constants).

import { MxArray } from "../array.js";
import { describeValue } from "../errors.js";
import { describeTree, isPlainObject, treeFlatten, treeUnflatten, type TreeDef } from "./tree.js";
import type { CustomRules } from "./custom.js";

/** Flat rules: one array (or null) per argument leaf or output leaf, as CustomOutputs checks them. */
export interface FlatRules {
  vjp?: ((primals: MxArray[], cotangents: MxArray[], outputs: MxArray[]) => readonly (MxArray | null)[]) | undefined;
  jvp?: ((primals: MxArray[], tangents: MxArray[]) => readonly (MxArray | null)[]) | undefined;
  vmap?: ((inputs: MxArray[], axes: (number | null)[]) => readonly [readonly unknown[], readonly unknown[]]) | undefined;
}

/** One call's arguments as trees: their array leaves, each argument's definition, and the trees rebuilt from other leaves in their place. */
export interface CallTrees {
  leaves: MxArray[];
  defs: TreeDef[];
  rebuild(flat: readonly unknown[]): unknown[];
}

/** The arguments of one call as trees (each argument an array, or lists and plain objects of arrays and constants). */
export function callTrees(args: readonly unknown[]): CallTrees {
  const parts = args.map((a) => treeFlatten(a));
  return {
    leaves: parts.flatMap((p) => p.leaves),
    defs: parts.map((p) => p.def),
    rebuild(flat) {
      let at = 0;
      return parts.map((p) => treeUnflatten(p.def, flat.slice(at, (at += p.leaves.length)) as MxArray[]));
    },
  };
}

/**
 * The outputs of a custom function: their definition (fixed by the first call of the function), and the list form
 * the rules see (one array as [array], a list as itself, another tree as [tree]).
 */
export class OutputTrees {
  def: TreeDef | undefined;
  constructor(private readonly op: string) {}
  /** The array leaves of one output of the function, its definition recorded (or checked against the recorded one). */
  flatten(out: unknown): MxArray[] {
    const { leaves, def } = treeFlatten(out);
    const shape = describeTree(def);
    if (!leaves.length || hasConstant(def)) throw new Error(`[${this.op}] the function must return an array or a tree (lists, objects) of arrays, got ${leaves.length ? shape : describeValue(out)}`);
    if (this.def && describeTree(this.def) !== shape) throw new Error(`[${this.op}] the function returned ${shape} where its first call returned ${describeTree(this.def)}`);
    this.def ??= def;
    return leaves;
  }
  /** Whether the function returns one array (not a tree). */
  get single(): boolean {
    return this.def?.kind === "leaf";
  }
  /** `flat` (one value per output leaf) as the outputs' tree. */
  tree(flat: readonly unknown[]): unknown {
    return treeUnflatten(this.def!, flat as MxArray[]);
  }
  /** `flat` in the rules' list form of the outputs. */
  list(flat: readonly unknown[]): unknown[] {
    const t = this.tree(flat);
    return this.def!.kind === "list" ? (t as unknown[]) : [t];
  }
  /** The list definition of the rules' list form. */
  get listDef(): TreeDef {
    return this.def!.kind === "list" ? this.def! : { kind: "list", items: [this.def!] };
  }
}

/** Whether a tree definition holds a constant (a leaf that is not an array). */
function hasConstant(def: TreeDef): boolean {
  return def.kind === "static" || ((def.kind === "list" || def.kind === "dict") && def.items.some(hasConstant));
}

/**
 * `value` (a rule's result for one tree of definition `def`) as one entry per array leaf of `def`: `isLeaf` values
 * where the tree has arrays (null or undefined for none), the same lists and object keys; null for the whole tree gives
 * null at every leaf; constants of `def` take nothing. `fail` gets the place (".w", "[0]", or "" for the tree) and why.
 */
export function flattenLike<T>(def: TreeDef, value: unknown, isLeaf: (v: unknown) => v is T, fail: (why: string) => Error): (T | null)[] {
  const walk = (d: TreeDef, v: unknown, at: string): (T | null)[] => {
    if (d.kind === "static") return [];
    if (d.kind === "leaf") {
      if (v === null || v === undefined) return [null];
      if (isLeaf(v)) return [v];
      throw fail(`${at} is ${describeValue(v)}`);
    }
    if (v === null || v === undefined) return d.items.flatMap((item) => walk(item, null, at));
    if (d.kind === "list") {
      if (!Array.isArray(v) || v.length !== d.items.length) throw fail(`${at} must be a list of ${d.items.length}, got ${describeValue(v)}`);
      return d.items.flatMap((item, i) => walk(item, v[i], `${at}[${i}]`));
    }
    if (!isPlainObject(v)) throw fail(`${at} must be an object with keys ${d.keys.join(", ")}, got ${describeValue(v)}`);
    return d.items.flatMap((item, i) => walk(item, v[d.keys[i]!], `${at}.${d.keys[i]}`));
  };
  return walk(def, value, "");
}

const isArrayLeaf = (v: unknown): v is MxArray => v instanceof MxArray;
const isAxis = (v: unknown): v is number => typeof v === "number";

/** The user's rules over trees as rules over the flat leaves of one call (`args`' trees, `outs`' definition). */
export function flatRules(op: string, rules: CustomRules<readonly any[], readonly any[]>, args: CallTrees, outs: OutputTrees): FlatRules {
  /** A rule's list (one entry per argument or output, of definitions `defs`) flattened, errors naming the entry. */
  const entries = <T>(rule: string, got: unknown, defs: readonly TreeDef[], isLeaf: (v: unknown) => v is T, what: string, per: string): (T | null)[] => {
    const fail = (why: string) => new TypeError(`[${op}] the ${rule} rule must return a list of ${defs.length} ${defs.length === 1 ? what : what === "axis" ? "axes" : `${what}s`} (one per ${per}, shaped as it, ${what === "axis" ? "numbers" : "arrays"} or null): ${why}`);
    if (!Array.isArray(got)) throw fail(`got ${describeValue(got)}`);
    if (got.length !== defs.length) throw fail(`got ${got.length}`);
    return defs.flatMap((def, i) => flattenLike(def, got[i], isLeaf, (why) => fail(`${what} ${i}${why}`)));
  };
  const outDefs = () => (outs.listDef as { items: TreeDef[] }).items;
  const { vjp, jvp, vmap } = rules;
  return {
    vjp: vjp && ((primals, cts, outputs) => entries("vjp", vjp(args.rebuild(primals), outs.list(cts), outs.list(outputs)), args.defs, isArrayLeaf, "cotangent", "argument")),
    jvp: jvp && ((primals, tangents) => entries("jvp", jvp(args.rebuild(primals), args.rebuild(tangents)), outDefs(), isArrayLeaf, "tangent", "output")),
    vmap:
      vmap &&
      ((inputs, axes) => {
        const result: unknown = vmap(args.rebuild(inputs), args.rebuild(axes));
        if (!Array.isArray(result) || result.length !== 2) return result as never; // CustomOutputs names the wrong form
        return [entries("vmap", result[0], outDefs(), isArrayLeaf, "output", "output"), entries("vmap", result[1], outDefs(), isAxis, "axis", "output")];
      }),
  };
}
