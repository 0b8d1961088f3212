// The traced graph of a compiled function: its inputs (placeholders), the
// constants it captured, and its nodes in topological order, as plain objects
// that simplification and fusion rewrite before the tape is made from them.

import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import type { DType } from "../dtype.js";
import type { Primitive, Spec } from "../primitive.js";

export interface InputValue {
  readonly kind: "input";
  readonly index: number;
  readonly dtype: DType;
}
export interface ConstantValue {
  readonly kind: "constant";
  readonly array: MxArray;
}
export interface NodeValue {
  readonly kind: "node";
  readonly node: GraphNode;
  readonly index: number;
}
/** What an edge carries: a function input, a captured constant, or one output of a node. */
export type Value = InputValue | ConstantValue | NodeValue;

export interface GraphNode {
  readonly prim: Primitive;
  inputs: Value[];
  readonly stream: Stream;
  /** The output specs as traced. */
  readonly specs: readonly Spec[];
  /** Built as siblings (a primitive with several outputs). */
  readonly multi: boolean;
  /** The public op (or transform) whose call built it, as MxArray.builtBy: what a shapeless refusal names. */
  readonly builtBy: string | undefined;
  readonly outputs: readonly NodeValue[];
}

export interface Graph {
  readonly inputs: readonly InputValue[];
  /** Topological order: inputs before users. */
  nodes: GraphNode[];
  outputs: Value[];
}

function graphNode(prim: Primitive, stream: Stream, specs: readonly Spec[], multi: boolean, builtBy: string | undefined): GraphNode {
  const outputs: NodeValue[] = [];
  const n: GraphNode = { prim, inputs: [], stream, specs, multi, builtBy, outputs };
  specs.forEach((_, index) => outputs.push({ kind: "node", node: n, index }));
  return n;
}

/**
 * The graph between `placeholders` and `outputs` (an iterative walk, so long
 * chains are fine). Evaluated arrays and arrays without a primitive become
 * constants; `forbidden` (the caller's real inputs) may not be reached: a
 * function that reads its arguments through a closure would replay stale values
 * (the error names `op`, the function that traces).
 */
export function graphOf(placeholders: readonly MxArray[], outputs: readonly MxArray[], forbidden: ReadonlySet<MxArray>, op = "compile"): Graph {
  const inputs: InputValue[] = placeholders.map((p, index) => ({ kind: "input", index, dtype: p.dtype }));
  const values = new Map<MxArray, Value>();
  placeholders.forEach((p, i) => values.set(p, inputs[i]!));
  const bySiblings = new Map<readonly MxArray[], GraphNode>();
  const nodes: GraphNode[] = [];
  const stack: [MxArray, boolean][] = outputs.map((o) => [o, false]);
  while (stack.length) {
    const [a, expanded] = stack.pop()!;
    if (values.has(a) && !expanded) continue;
    if (forbidden.has(a)) {
      throw new Error(`[${op}] the function reads an array it was given through a closure (not through its arguments); pass every input array as an argument`);
    }
    if (a.isEvaluated || !a.primitive) {
      values.set(a, { kind: "constant", array: a });
      continue;
    }
    if (!expanded) {
      stack.push([a, true]);
      for (const x of a.inputs) if (!values.has(x)) stack.push([x, false]);
      continue;
    }
    if (values.has(a)) continue;
    const group = a.siblings;
    let n = group ? bySiblings.get(group) : undefined;
    if (!n) {
      n = graphNode(a.primitive, a.stream, (group ?? [a]).map((s) => ({ shape: s.shape, dtype: s.dtype })), group !== null, a.builtBy);
      n.inputs = a.inputs.map((x) => values.get(x)!);
      nodes.push(n);
      if (group) bySiblings.set(group, n);
    }
    values.set(a, n.outputs[group ? a.outputIndex : 0]!);
  }
  return { inputs, nodes, outputs: outputs.map((o) => values.get(o)!) };
}

/** The dtype an edge carries. */
export function dtypeOf(v: Value): DType {
  return v.kind === "node" ? v.node.specs[v.index]!.dtype : v.kind === "constant" ? v.array.dtype : v.dtype;
}

/** The nodes that the outputs need, in their order (dead code dropped). */
export function liveNodes(g: Graph): GraphNode[] {
  const live = new Set<GraphNode>();
  const stack: GraphNode[] = [];
  const mark = (v: Value) => {
    if (v.kind === "node" && !live.has(v.node)) {
      live.add(v.node);
      stack.push(v.node);
    }
  };
  g.outputs.forEach(mark);
  while (stack.length) stack.pop()!.inputs.forEach(mark);
  return g.nodes.filter((n) => live.has(n));
}

/** The nodes the outputs need, inputs before users (an iterative depth-first walk). */
export function topologicalOrder(g: Graph): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  const stack: [GraphNode, boolean][] = [];
  const push = (v: Value) => {
    if (v.kind === "node" && !seen.has(v.node)) stack.push([v.node, false]);
  };
  for (let i = g.outputs.length - 1; i >= 0; i--) push(g.outputs[i]!);
  while (stack.length) {
    const [n, expanded] = stack.pop()!;
    if (expanded) {
      order.push(n);
      continue;
    }
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push([n, true]);
    for (let i = n.inputs.length - 1; i >= 0; i--) push(n.inputs[i]!);
  }
  return order;
}
