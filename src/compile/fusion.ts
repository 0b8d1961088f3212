// Fusion: the traced graph is partitioned into groups of elementwise nodes
// (unary, binary, where, astype, broadcast), at most one reduction each with
// its elementwise prologue and epilogue, and every group of two or more nodes
// that its backend's `fuse` accepts becomes one node (a sibling per value
// leaving the group) whose kernel is the fused one; the rest stay node by node.

import { getBackend, type Backend, type MultiKernel } from "../../backends/backend.js";
import type { MxArray } from "../array.js";
import type { CarriesKernel } from "../eval.js";
import { Primitive, type Spec } from "../primitive.js";
import { Broadcast } from "../primitives/layout.js";
import { Reduce } from "../primitives/reduce.js";
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
    const specs = this.memberSpecs(inputs);
    return this.group.outputs.map((j) => specs[inputs.length + j]!);
  }
  /**
   * Whether the group's kernel computes it on these inputs: it writes every
   * output (fitsOutputs), and a reduction group's epilogue nodes each have
   * the reduction's output shape. The traced shapes chose the group; a
   * shapeless replay's may break that (an operand from outside broadcasting
   * past the reduction's output, as x in x - mean(x, -1, keepdims) traced
   * with a last axis of 1), and its members then run one by one (tape.ts).
   */
  fitsShapes(inputs: readonly Spec[]): boolean {
    const specs = this.memberSpecs(inputs).slice(inputs.length);
    if (!fitsOutputs(this.group, specs)) return false;
    const r = this.group.reduce;
    if (r === undefined) return true;
    const shape = specs[r]!.shape;
    return specs.slice(r + 1).every((m) => sameShape(m.shape, shape));
  }
  /** The inputs' specs, then each member's output spec, in order. */
  private memberSpecs(inputs: readonly Spec[]): Spec[] {
    const specs: Spec[] = [...inputs];
    for (const m of this.group.nodes) specs.push(m.primitive.output(m.operands.map((k) => specs[k]!)));
    return specs;
  }
  output(inputs: readonly Spec[]): Spec {
    return this.outputs(inputs)[0]!;
  }
  /** Each member validated on its operands, in order (a shapeless replay's new shapes: a max over an axis now empty). */
  override validate(inputs: readonly Spec[]): void {
    const specs: Spec[] = [...inputs];
    for (const m of this.group.nodes) {
      const operands = m.operands.map((k) => specs[k]!);
      m.primitive.validate(operands);
      specs.push(m.primitive.output(operands));
    }
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

/**
 * Whether the group's kernel writes all its outputs, given its members' specs:
 * it runs over the last node's shape, so when that shape holds no element
 * every output must hold none (an output of a size-1 axis that the last node
 * broadcast to 0 would be left unwritten).
 */
function fitsOutputs(group: FusedGroup, specs: readonly Spec[]): boolean {
  const empty = (k: number) => specs[k]!.shape.includes(0);
  return !empty(group.nodes.length - 1) || group.outputs.every(empty);
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
  return !n.multi && (isElementwise(n.prim) || n.prim instanceof Broadcast || isFusedReduction(n));
}

/** The reductions a group may hold one of (with its elementwise prologue and epilogue). */
const FUSED_REDUCTIONS = new Set(["sum", "prod", "max", "min"]);

function isFusedReduction(n: GraphNode): boolean {
  return !n.multi && n.prim instanceof Reduce && FUSED_REDUCTIONS.has(n.prim.name);
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** A group while it forms: its nodes (last first), its reduction if it has one, and the nodes feeding that reduction. */
interface Forming {
  readonly nodes: GraphNode[];
  reduce?: GraphNode;
  readonly prologue: Set<GraphNode>;
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
 * group of one of its users (the first in order that takes it) on its stream when each of
 * its other users is in that group too or has no path into it (so nothing
 * outside the group reads one of its values and feeds another of its
 * nodes). A group holds at most one reduction: a node feeding it (its
 * prologue) has all its users in the prologue or the reduction and is no
 * output; every other node (its epilogue) has the reduction's output shape.
 * Each group lists its nodes in order (a reduction group: prologue,
 * reduction, epilogue); its last node is the one that started it.
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
  const returned = new Set<GraphNode>();
  for (const v of g.outputs) if (v.kind === "node") returned.add(v.node);
  const position = new Map<GraphNode, number>();
  g.nodes.forEach((n, i) => position.set(n, i));
  const groupOf = new Map<GraphNode, Forming>();
  /** Whether a path of users leads from `u` into `group` (walked up to the group's last node; past SEARCH_LIMIT nodes, assumed to). */
  const reaches = (u: GraphNode, group: Forming): boolean => {
    const last = position.get(group.nodes[0]!)!;
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
  /** Whether `n` may join `group` as its reduction, its prologue or its epilogue ("no" when it may not). */
  const roleIn = (n: GraphNode, us: readonly GraphNode[], group: Forming): "reduce" | "prologue" | "other" | "no" => {
    const r = group.reduce;
    if (isFusedReduction(n)) return !r && group.nodes.every((m) => sameShape(m.specs[0]!.shape, n.specs[0]!.shape)) ? "reduce" : "no";
    if (!r) return "other";
    const feeds = (u: GraphNode) => u === r || group.prologue.has(u);
    if (us.some(feeds)) return us.every(feeds) && !returned.has(n) ? "prologue" : "no";
    return sameShape(n.specs[0]!.shape, r.specs[0]!.shape) ? "other" : "no";
  };
  const groups: Forming[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i]!;
    if (!fusable(n)) continue;
    const us = users.get(n) ?? [];
    let joined: Forming | undefined;
    let role: ReturnType<typeof roleIn> = "no";
    for (const m of new Set(us.map((u) => groupOf.get(u)))) {
      if (!m || m.nodes[0]!.stream !== n.stream || !us.every((u) => groupOf.get(u) === m || !reaches(u, m))) continue;
      role = roleIn(n, us, m);
      joined = m;
      if (role !== "no") break;
    }
    if (joined && role !== "no") {
      joined.nodes.push(n);
      groupOf.set(n, joined);
      if (role === "reduce") joined.reduce = n;
      if (role === "prologue") joined.prologue.add(n);
    } else {
      const fresh: Forming = { nodes: [n], prologue: new Set() };
      if (isFusedReduction(n)) fresh.reduce = n;
      groupOf.set(n, fresh);
      groups.push(fresh);
    }
  }
  return groups
    .filter((m) => m.nodes.length > 1)
    .map((m) => {
      const ordered = m.nodes.reverse();
      const r = m.reduce;
      return r ? [...ordered.filter((x) => m.prologue.has(x)), r, ...ordered.filter((x) => x !== r && !m.prologue.has(x))] : ordered;
    });
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
function describeGroup(members: readonly GraphNode[], leaves: (n: GraphNode) => boolean): { group: FusedGroup; inputs: Value[]; outputs: GraphNode[] } {
  const position = new Map<GraphNode, number>();
  members.forEach((m, i) => position.set(m, i));
  const inputs: Value[] = [];
  for (const m of members) for (const v of m.inputs) if ((v.kind !== "node" || !position.has(v.node)) && !inputs.includes(v)) inputs.push(v);
  const nodes: FusedNode[] = members.map((m) => ({
    primitive: m.prim,
    operands: m.inputs.map((v) => (v.kind === "node" && position.has(v.node) ? inputs.length + position.get(v.node)! : inputs.indexOf(v))),
    dtype: m.specs[0]!.dtype,
  }));
  const outputs = members.filter(leaves);
  const dtypes = inputs.map(dtypeOf);
  const outs = outputs.map((m) => position.get(m)!);
  const r = members.findIndex(isFusedReduction);
  const reduce = r < 0 ? undefined : r;
  const key = `${dtypes.map((d) => d.name).join(",")}|${nodes.map((n) => `${String(n.primitive)}:${n.dtype.name}(${n.operands.join(",")})`).join(";")}|${outs.join(",")}${reduce === undefined ? "" : `|reduce@${reduce}`}`;
  return { group: { inputs: dtypes, nodes, outputs: outs, reduce, key }, inputs, outputs };
}

/**
 * What fusion makes of a reduction group its backend declines: its prologue
 * and its epilogue, each an elementwise group of its own when it has two
 * nodes or more (the reduction runs as it is between them).
 */
function withoutReduction(members: readonly GraphNode[]): GraphNode[][] {
  const r = members.findIndex(isFusedReduction);
  return [members.slice(0, r), members.slice(r + 1)].filter((m) => m.length > 1);
}

/** Replaces the groups its backends fuse by one node each (in place) and says how many. */
export function fuse(g: Graph): FusionStats {
  const stats: FusionStats = { groups: 0, fusedNodes: 0 };
  const pending = acyclicGroups(g, partition(g));
  // a value leaves its group when a node outside the group reads it or the function returns it
  const readers = new Map<GraphNode, GraphNode[]>();
  for (const n of g.nodes) {
    for (const v of n.inputs) {
      if (v.kind !== "node") continue;
      const list = readers.get(v.node);
      if (list) list.push(n);
      else readers.set(v.node, [n]);
    }
  }
  const returned = new Set<GraphNode>();
  for (const v of g.outputs) if (v.kind === "node") returned.add(v.node);
  const replaced = new Map<Value, NodeValue>();
  const fusedAt = new Map<GraphNode, GraphNode>();
  const absorbed = new Set<GraphNode>();
  while (pending.length) {
    const members = pending.shift()!;
    const inGroup = new Set(members);
    const leaves = (n: GraphNode) => returned.has(n) || (readers.get(n) ?? []).some((u) => !inGroup.has(u));
    const last = members[members.length - 1]!;
    const backend = getBackend(last.stream.device.backend);
    const { group, inputs, outputs: leavers } = describeGroup(members, leaves);
    const kernel = fitsOutputs(group, members.map((m) => m.specs[0]!)) ? kernelFor(backend, group) : undefined;
    if (!kernel) {
      if (group.reduce !== undefined) pending.push(...withoutReduction(members));
      continue;
    }
    const outputs: NodeValue[] = [];
    const node: GraphNode = { prim: new Fused(group, backend, kernel), inputs, stream: last.stream, specs: leavers.map((m) => m.specs[0]!), multi: leavers.length > 1, builtBy: undefined, outputs };
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
