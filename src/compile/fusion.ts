// Fusion: the traced graph is partitioned into groups of elementwise nodes
// (unary, binary, where, astype, broadcast), and every group of two or more
// nodes that its backend's `fuse` accepts becomes one node (a sibling per
// value leaving the group) whose kernel is the fused one; the rest stay node by node.

import { getBackend, type Backend, type MultiKernel } from "../../backends/backend.js";
import type { MxArray } from "../array.js";
import type { CarriesKernel } from "../eval.js";
import { Primitive, type Spec } from "../primitive.js";
import { Broadcast } from "../primitives/layout.js";
import type { FusedGroup, FusedNode } from "./group.js";
import { dtypeOf, topologicalOrder, type Graph, type GraphNode, type NodeValue, type Value } from "./graph.js";
import { isElementwise } from "./simplify.js";

/** A fused group as one node of the graph (one sibling per group output): it runs the kernel its backend made for the group. */
export class Fused extends Primitive implements CarriesKernel {
  readonly name = "compiled";
  constructor(
    readonly group: FusedGroup,
    private readonly backend: Backend,
    private readonly kernel: MultiKernel,
  ) {
    super();
  }
  override get errorName(): string {
    return "compile";
  }
  override params() {
    return { group: this.group.key };
  }
  /** The members' own output rules, applied in order (shapeless replays get new shapes from them). */
  override outputs(inputs: readonly Spec[]): readonly Spec[] {
    const specs: Spec[] = [...inputs];
    for (const m of this.group.nodes) specs.push(m.primitive.output(m.operands.map((k) => specs[k]!)));
    return this.group.outputs.map((j) => specs[inputs.length + j]!);
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  kernelOn(backend: Backend): MultiKernel | undefined {
    return backend === this.backend ? this.kernel : undefined;
  }
  override vjp(): (MxArray | null)[] {
    throw notTransformed();
  }
  override jvp(): MxArray | null {
    throw notTransformed();
  }
  override vmap(): [MxArray, number] {
    throw notTransformed();
  }
}

/** Transforms trace a compiled function uncompiled (compile.ts), so they never meet a fused node. */
function notTransformed(): Error {
  return new Error("[compile] a fused group has no transformation rules: transforms trace the compiled function's original graph");
}

export interface FusionStats {
  /** Fused groups made. */
  groups: number;
  /** Nodes inside them. */
  fusedNodes: number;
}

function fusable(n: GraphNode): boolean {
  return !n.multi && (isElementwise(n.prim) || n.prim instanceof Broadcast);
}

/** Kernels the backends made, per backend and group key (null: the backend declined the group). */
const kernels = new WeakMap<Backend, Map<string, MultiKernel | null>>();

function kernelFor(backend: Backend, group: FusedGroup): MultiKernel | undefined {
  if (!backend.fuse) return undefined;
  let byKey = kernels.get(backend);
  if (!byKey) kernels.set(backend, (byKey = new Map()));
  let k = byKey.get(group.key);
  if (k === undefined) byKey.set(group.key, (k = backend.fuse(group) ?? null));
  return k ?? undefined;
}

/** How many nodes the search for a path back into a group visits before it gives up (and does not fuse). */
const SEARCH_LIMIT = 256;

/**
 * Groups of fusable nodes, walking from the outputs back: a node joins the
 * group of one of its users (the first in order) on its stream when each of
 * its other users is in that group too or has no path into it (so nothing
 * outside the group reads one of its values and feeds another of its
 * nodes). Each group lists its nodes in order; its last node is the one
 * that started it, and every node's value flows into it.
 */
function partition(g: Graph): GraphNode[][] {
  const users = new Map<GraphNode, GraphNode[]>();
  for (const n of g.nodes) {
    for (const v of n.inputs) {
      if (v.kind !== "node") continue;
      const list = users.get(v.node);
      if (!list) users.set(v.node, [n]);
      else if (list[list.length - 1] !== n) list.push(n);
    }
  }
  const position = new Map<GraphNode, number>();
  g.nodes.forEach((n, i) => position.set(n, i));
  const groupOf = new Map<GraphNode, GraphNode[]>();
  /** Whether a path of users leads from `u` into `group` (walked up to the group's last node; past SEARCH_LIMIT nodes, assumed to). */
  const reaches = (u: GraphNode, group: GraphNode[]): boolean => {
    const last = position.get(group[0]!)!;
    const seen = new Set<GraphNode>([u]);
    const stack = [u];
    while (stack.length) {
      for (const w of users.get(stack.pop()!) ?? []) {
        if (groupOf.get(w) === group) return true;
        if (seen.has(w) || position.get(w)! > last) continue;
        if (seen.size >= SEARCH_LIMIT) return true;
        seen.add(w);
        stack.push(w);
      }
    }
    return false;
  };
  const groups: GraphNode[][] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!fusable(n)) continue;
    const us = users.get(n) ?? [];
    const joined = us.map((u) => groupOf.get(u)).find((m) => m !== undefined && m[0]!.stream === n.stream);
    if (joined && us.every((u) => groupOf.get(u) === joined || !reaches(u, joined))) {
      joined.push(n);
      groupOf.set(n, joined);
    } else {
      const fresh = [n];
      groupOf.set(n, fresh);
      groups.push(fresh);
    }
  }
  return groups.filter((m) => m.length > 1).map((m) => m.reverse());
}

/**
 * The groups whose contraction into one node each keeps the graph acyclic:
 * two groups can each be closed under paths and still need each other's
 * values (a node of one reads a node of the other, and back). Kahn's
 * algorithm over the contracted graph; the groups it cannot order run unfused.
 */
export function acyclicGroups(g: Graph, groups: readonly GraphNode[][]): GraphNode[][] {
  const unitOf = new Map<GraphNode, object>();
  for (const m of groups) for (const n of m) unitOf.set(n, m);
  const unit = (n: GraphNode): object => unitOf.get(n) ?? n;
  const next = new Map<object, Set<object>>();
  const pending = new Map<object, number>();
  for (const n of g.nodes) {
    const to = unit(n);
    if (!pending.has(to)) pending.set(to, 0);
    for (const v of n.inputs) {
      if (v.kind !== "node") continue;
      const from = unit(v.node);
      if (from === to) continue;
      let out = next.get(from);
      if (!out) next.set(from, (out = new Set()));
      if (out.has(to)) continue;
      out.add(to);
      pending.set(to, (pending.get(to) ?? 0) + 1);
    }
  }
  const ready = [...pending.keys()].filter((u) => pending.get(u) === 0);
  const ordered = new Set<object>();
  while (ready.length) {
    const u = ready.pop()!;
    ordered.add(u);
    for (const w of next.get(u) ?? []) {
      const left = pending.get(w)! - 1;
      pending.set(w, left);
      if (left === 0) ready.push(w);
    }
  }
  return groups.filter((m) => ordered.has(m));
}

/** The group's description (its inputs from outside, its nodes' operands, its outputs) and the values it reads. */
function describeGroup(members: readonly GraphNode[], leaves: ReadonlySet<GraphNode>): { group: FusedGroup; inputs: Value[]; outputs: GraphNode[] } {
  const position = new Map<GraphNode, number>();
  members.forEach((m, i) => position.set(m, i));
  const inputs: Value[] = [];
  for (const m of members) for (const v of m.inputs) if ((v.kind !== "node" || !position.has(v.node)) && !inputs.includes(v)) inputs.push(v);
  const nodes: FusedNode[] = members.map((m) => ({
    primitive: m.prim,
    operands: m.inputs.map((v) => (v.kind === "node" && position.has(v.node) ? inputs.length + position.get(v.node)! : inputs.indexOf(v))),
    dtype: m.specs[0]!.dtype,
  }));
  const outputs = members.filter((m) => leaves.has(m));
  const dtypes = inputs.map(dtypeOf);
  const outs = outputs.map((m) => position.get(m)!);
  const key = `${dtypes.map((d) => d.name).join(",")}|${nodes.map((n) => `${String(n.primitive)}:${n.dtype.name}(${n.operands.join(",")})`).join(";")}|${outs.join(",")}`;
  return { group: { inputs: dtypes, nodes, outputs: outs, key }, inputs, outputs };
}

/** Replaces the groups its backends fuse by one node each (in place) and says how many. */
export function fuse(g: Graph): FusionStats {
  const stats: FusionStats = { groups: 0, fusedNodes: 0 };
  const groups = acyclicGroups(g, partition(g));
  // the values read outside their group (or returned) leave it
  const groupOf = new Map<GraphNode, GraphNode[]>();
  for (const m of groups) for (const n of m) groupOf.set(n, m);
  const leaving = new Set<GraphNode>();
  for (const n of g.nodes) for (const v of n.inputs) if (v.kind === "node" && groupOf.has(v.node) && groupOf.get(v.node) !== groupOf.get(n)) leaving.add(v.node);
  for (const v of g.outputs) if (v.kind === "node") leaving.add(v.node);
  const replaced = new Map<Value, NodeValue>();
  const fusedAt = new Map<GraphNode, GraphNode>();
  const absorbed = new Set<GraphNode>();
  for (const members of groups) {
    const last = members[members.length - 1]!;
    const backend = getBackend(last.stream.device.backend);
    const { group, inputs, outputs: leavers } = describeGroup(members, leaving);
    const kernel = kernelFor(backend, group);
    if (!kernel) continue;
    const outputs: NodeValue[] = [];
    const node: GraphNode = { prim: new Fused(group, backend, kernel), inputs, stream: last.stream, specs: leavers.map((m) => m.specs[0]!), multi: leavers.length > 1, outputs };
    leavers.forEach((m, index) => {
      outputs.push({ kind: "node", node, index });
      replaced.set(m.outputs[0]!, outputs[index]!);
    });
    fusedAt.set(last, node);
    for (const m of members) absorbed.add(m);
    stats.groups++;
    stats.fusedNodes += members.length;
  }
  const resolve = (v: Value): Value => replaced.get(v) ?? v;
  const nodes: GraphNode[] = [];
  for (const n of g.nodes) {
    const f = fusedAt.get(n);
    if (!f && absorbed.has(n)) continue;
    const kept = f ?? n;
    kept.inputs = kept.inputs.map(resolve);
    nodes.push(kept);
  }
  g.outputs = g.outputs.map(resolve);
  g.nodes = stats.groups ? topologicalOrder({ ...g, nodes }) : nodes; // a group's outside readers may sit before its last node
  return stats;
}
