// Simplification of a traced graph before fusion: equal scalar constants
// merged, elementwise nodes on scalar constants folded (run once now by the
// same kernel, so the value is exactly the uncompiled one), common
// subexpressions removed (equivalent primitive, same inputs), dead code dropped.
// A node the function returns is never merged into another or folded (MLX's
// rule), so each call returns new arrays of their own, as the function does.

import { MxArray } from "../array.js";
import { evaluateSync } from "../eval.js";
import { AsType, Binary, Unary, Where } from "../primitives/elementwise.js";
import type { Primitive } from "../primitive.js";
import { liveNodes, type Graph, type GraphNode, type Value } from "./graph.js";

export interface SimplifyStats {
  /** Nodes removed as duplicates of an equivalent node. */
  cse: number;
  /** Scalar nodes computed at compile time. */
  folded: number;
  /** Scalar constants merged into an equal one. */
  mergedConstants: number;
  /** Nodes no output needs. */
  dead: number;
}

/** Unary, binary, where and astype: the primitives whose value on scalars is folded. */
export function isElementwise(p: Primitive): boolean {
  return p instanceof Unary || p instanceof Binary || p instanceof Where || p instanceof AsType;
}

/** The bytes of a one-element constant readable now, as a key (undefined when its backend reads asynchronously). */
function scalarKey(a: MxArray): string | undefined {
  if (a.size !== 1 || a.isDisposed) return undefined;
  const t = a.tensor();
  const words = t.buffer.backend.readSync?.(t);
  if (!words) return undefined;
  const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
  return `${a.dtype.name}|${a.shape.join(",")}|${String(a.stream)}|${bytes.join(",")}`;
}

/** A key per value (identity for nodes and inputs, contents for scalar constants). */
class ValueIds {
  private readonly ids = new Map<object, number>();
  private readonly scalars = new Map<string, Value>();
  merged = 0;

  /** The canonical value for `v`: equal scalar constants become one. */
  canonical(v: Value): Value {
    if (v.kind !== "constant") return v;
    const key = scalarKey(v.array);
    if (key === undefined) return v;
    const seen = this.scalars.get(key);
    if (!seen) {
      this.scalars.set(key, v);
      return v;
    }
    if (seen !== v && (seen.kind !== "constant" || seen.array !== v.array)) this.merged++;
    return seen;
  }

  id(v: Value): string {
    const obj = v.kind === "constant" ? v.array : v.kind === "node" ? v.node : v;
    let id = this.ids.get(obj);
    if (id === undefined) this.ids.set(obj, (id = this.ids.size));
    return v.kind === "node" ? `${id}.${v.index}` : String(id);
  }
}

/** Runs an elementwise node whose inputs are all scalar constants; its value as a constant, or undefined. */
function fold(n: GraphNode): Value | undefined {
  if (n.multi || !isElementwise(n.prim) || n.specs[0]!.shape.reduce((a, b) => a * b, 1) !== 1) return undefined;
  const arrays = n.inputs.map((v) => (v.kind === "constant" && v.array.size === 1 ? v.array : undefined));
  if (arrays.some((a) => a === undefined)) return undefined;
  const spec = n.specs[0]!;
  const out = new MxArray(spec.shape, spec.dtype, n.stream, n.prim, arrays as MxArray[]);
  evaluateSync([out]);
  return { kind: "constant", array: out };
}

/** Simplifies `g` in place and says what it removed. */
export function simplify(g: Graph): SimplifyStats {
  const ids = new ValueIds();
  const replaced = new Map<Value, Value>();
  const resolve = (v: Value): Value => ids.canonical(replaced.get(v) ?? v);
  const returned = new Set(g.outputs.flatMap((v) => (v.kind === "node" ? [v.node] : [])));
  const seen = new Map<string, GraphNode[]>();
  const kept: GraphNode[] = [];
  let cse = 0;
  let folded = 0;
  for (const n of g.nodes) {
    n.inputs = n.inputs.map(resolve);
    const isReturned = returned.has(n);
    const constant = isReturned ? undefined : fold(n);
    if (constant) {
      replaced.set(n.outputs[0]!, ids.canonical(constant));
      folded++;
      continue;
    }
    const key = `${n.prim.name}|${String(n.stream)}|${n.inputs.map((v) => ids.id(v)).join(",")}`;
    const twins = seen.get(key);
    const twin = isReturned ? undefined : twins?.find((m) => m.outputs.length === n.outputs.length && m.prim.isEquivalent(n.prim));
    if (twin) {
      n.outputs.forEach((o, i) => replaced.set(o, twin.outputs[i]!));
      cse++;
      continue;
    }
    if (twins) twins.push(n);
    else seen.set(key, [n]);
    kept.push(n);
  }
  g.nodes = kept;
  // g.outputs stay as they are: no returned node was replaced, no returned constant merged
  const live = liveNodes(g);
  const dead = kept.length - live.length;
  g.nodes = live;
  return { cse, folded, mergedConstants: ids.merged, dead };
}
