// Random graphs: fast-check builds small DAGs (2 to 20 nodes) of float ops
// over one to three leaves, the backend evaluates the whole graph, and every
// node is then judged on its own: the CPU reference reruns the node's op on
// the backend's own inputs to it, so the first node (in topological order)
// that leaves its contract is the one reported, not a later node that merely
// inherits an error. The element nearest its own node's bound is kept too.

import fc from "fast-check";
import { deviceFor } from "../src/device.js";
import * as mx from "../index.js";
import { elementArb, shapeArb, type InputCase } from "./arbitraries.js";
import { caseRepro, deviceSource, inputSource, judge, materialize, type CaseOutcome } from "./check.js";
import { OPS, type OpEntry, type Params } from "./opdb.js";
import { nearerBound, type RunOutcome } from "./property.js";

export interface GraphNode {
  op: string;
  /** Indices into leaves followed by earlier nodes. */
  inputs: number[];
  params: Params;
}

export interface Graph {
  dtype: string;
  leaves: InputCase[];
  nodes: GraphNode[];
}

const UNARY = ["negative", "abs", "square", "sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid", "floor", "reciprocal", "expm1", "log1p", "arctan", "erf"];
const BINARY = ["add", "subtract", "multiply", "divide", "maximum", "minimum", "logaddexp", "arctan2", "power"];
/** Reductions keep their dims, so every node broadcasts against the leaves' shape. */
const REDUCE = ["sum", "mean", "max", "min", "prod", "logsumexp", "softmax"];

const entry = (name: string): OpEntry => OPS.find((e) => e.name === name)!;

/** A graph of float ops in `dtype` over leaves of one shape (at least one element). */
export function graphArb(dtype: mx.DType): fc.Arbitrary<Graph> {
  return shapeArb(3, 1)
    .filter((s) => !s.includes(0))
    .chain((shape) =>
      fc.integer({ min: 1, max: 3 }).chain((nLeaves) =>
        fc.record({
          dtype: fc.constant(dtype.name),
          leaves: fc.array(
            fc.record({
              dtype: fc.constant(dtype.name),
              shape: fc.constant(shape),
              values: fc.array(fc.oneof({ weight: 9, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) }, { weight: 1, arbitrary: elementArb(dtype) }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }),
              layout: fc.constantFrom("contiguous" as const, "transposed" as const),
            }),
            { minLength: nLeaves, maxLength: nLeaves },
          ),
          nodes: fc.integer({ min: 2, max: 20 }).chain((n) =>
            fc.tuple(
              ...Array.from({ length: n }, (_, k) => {
                const avail = nLeaves + k;
                const pick = fc.integer({ min: 0, max: avail - 1 });
                return fc.oneof(
                  fc.record({ op: fc.constantFrom(...UNARY), inputs: pick.map((i) => [i]), params: fc.constant({}) }),
                  fc.record({ op: fc.constantFrom(...BINARY), inputs: fc.tuple(pick, pick).map(([a, b]) => [a, b]), params: fc.constant({}) }),
                  fc.record({ op: fc.constantFrom(...REDUCE), inputs: pick.map((i) => [i]), params: fc.subarray([...shape.keys()], { minLength: 1 }).map((axes) => ({ axes, keepdims: true })) }),
                );
              }),
            ),
          ),
        }),
      ),
    );
}

/** The graph as TypeScript on `stream` (leaves built from their values and layouts). */
export function graphSource(g: Graph, stream: string): string {
  const lines = g.leaves.map((l, i) => `const v${i} = ${inputSource(l, stream)};`);
  g.nodes.forEach((n, k) => {
    const names = n.inputs.map((i) => `v${i}`);
    lines.push(`const v${g.leaves.length + k} = ${entry(n.op).source(names, n.params, `{ stream: ${stream} }`)};`);
  });
  return lines.join("\n");
}

export interface GraphOutcome {
  /** The first node outside its contract, if any. */
  failure?: { node: number; op: string; outcome: CaseOutcome; graph: string };
  /** Nodes judged and elements compared. */
  nodes: number;
  ulps: number[];
  outsideDiffer: number;
  /** The element nearest its bound over all nodes judged, naming its node. */
  worst?: NonNullable<RunOutcome["worst"]>;
}

const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** Evaluates `g` on `backend` and judges each node against the CPU reference given the backend's inputs to it. */
export async function checkGraph(g: Graph, backend: string): Promise<GraphOutcome> {
  const device = deviceFor(backend);
  const o = { stream: device };
  const values: mx.MxArray[] = g.leaves.map((l) => materialize(l, device));
  for (const n of g.nodes) values.push(entry(n.op).call(n.inputs.map((i) => values[i]!), n.params, o));
  await mx.eval(values);
  const result: GraphOutcome = { nodes: 0, ulps: [], outsideDiffer: 0 };
  for (const [k, n] of g.nodes.entries()) {
    const e = entry(n.op);
    // the backend's own inputs to this node, as contiguous inputs of a standalone case
    const inputs: InputCase[] = await Promise.all(
      n.inputs.map(async (i) => ({ dtype: g.dtype, shape: [...values[i]!.shape], values: flat(await values[i]!.tolist()) as number[], layout: "contiguous" as const })),
    );
    const c = { inputs, params: n.params };
    const refInputs = inputs.map((ic) => materialize(ic, mx.cpu));
    const ref = e.call(refInputs, n.params, { stream: mx.cpu });
    const out = await judge(e, backend, c, values[g.leaves.length + k]!, ref, refInputs, { ulps: [], outsideDiffer: 0, repro: caseRepro(e, backend, c) });
    result.nodes++;
    result.ulps.push(...out.ulps);
    result.outsideDiffer += out.outsideDiffer;
    if (out.worst && (!result.worst || nearerBound(out.worst, result.worst))) {
      const { index: _index, ...element } = out.worst;
      const node = `v${g.leaves.length + k} = ${n.op}(${n.inputs.map((i) => `v${i}`).join(", ")})`;
      result.worst = { ...element, node, bound: { ...element.bound, rule: `node ${node}: ${element.bound.rule}` } };
    }
    if (out.failure) {
      result.failure = { node: g.leaves.length + k, op: n.op, outcome: out, graph: graphSource(g, deviceSource(backend)) };
      return result;
    }
  }
  return result;
}
