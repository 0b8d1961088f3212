// The primitives a shapeless trace may hold: those whose output shapes follow
// from their inputs' alone (elementwise, reductions over axes, matmul,
// transpose, softmax, scans, flatten and unflatten, the mx.fast norms, rope
// and attention). Reshape, broadcast, slice,
// pad, concatenate and others fix shapes in their parameters, so one trace
// cannot serve other shapes, unless what they reshape does not depend on the inputs.

import { ArgReduce, LogSumExp, Reduce, Softmax } from "../primitives/reduce.js";
import { Flatten, Unflatten } from "../primitives/layout.js";
import type { Primitive } from "../primitive.js";
import type { Graph, GraphNode } from "./graph.js";
import { isElementwise } from "./simplify.js";

// the fused ops take every shape from their inputs (norms and rope keep x's, attention q's and v's)
const BY_NAME = new Set(["matmul", "transpose", "scan", "rmsNorm", "layerNorm", "rope", "scaledDotProductAttention"]);

function shapeFree(p: Primitive): boolean {
  return isElementwise(p) || p instanceof Flatten || p instanceof Unflatten || p instanceof Reduce || p instanceof ArgReduce || p instanceof LogSumExp || p instanceof Softmax || BY_NAME.has(p.name);
}

/**
 * Throws (the error names `op`), naming the first primitive of `g` that a
 * shapeless trace cannot replay on other shapes. Nodes that do not depend on
 * the function's inputs (a weight reshaped or broadcast) keep their shapes on
 * every call, so only those that do are checked.
 */
export function checkShapeless(g: Graph, op = "compile"): void {
  const dependent = new Set<GraphNode>();
  for (const n of g.nodes) {
    if (!n.inputs.some((v) => v.kind === "input" || (v.kind === "node" && dependent.has(v.node)))) continue;
    dependent.add(n);
    if (!shapeFree(n.prim)) {
      throw new Error(
        `[${op}] shapeless: the function uses '${String(n.prim)}', whose parameters fix a shape (reshape, broadcast, slice, pad, concatenate and shape-dependent ops do), so one trace cannot serve other input shapes; trace it with shapeless: false (or merge and split axes with flatten and unflatten, which follow the input's shape)`,
      );
    }
  }
}
