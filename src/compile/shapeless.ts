// The primitives a shapeless trace may hold: those whose output shapes follow
// from their inputs' alone (elementwise, reductions over axes, matmul and its
// batch broadcast, transpose, softmax, scans, sorts, concatenation, take and
// the gathers and scatters along an axis, the reshapes of a rule (flatten,
// unflatten, expandDims, squeeze), the count of a reduction's elements, the
// fast norms, rope and attention, dtype views). Reshape, broadcast, slice, pad and others
// fix shapes in their parameters, so one trace cannot serve other shapes.

import { ArgReduce, LogSumExp, Reduce, Softmax } from "../primitives/reduce.js";
import { ShapeRule } from "../primitives/layout.js";
import type { Primitive } from "../primitive.js";
import type { Graph } from "./graph.js";
import { isElementwise } from "./simplify.js";

const BY_NAME = new Set(["matmul", "broadcastAxes", "take", "numberOfElements", "concatenate", "gatherAxis", "scatterAxis", "sort", "argsort", "transpose", "scan", "rmsNorm", "layerNorm", "rope", "scaledDotProductAttention", "view"]);

function shapeFree(p: Primitive): boolean {
  return isElementwise(p) || p instanceof ShapeRule || p instanceof Reduce || p instanceof ArgReduce || p instanceof LogSumExp || p instanceof Softmax || BY_NAME.has(p.name);
}

/**
 * Throws (the error names `op`), naming the first primitive of `g` that a
 * shapeless trace cannot replay on other shapes. Every node is checked, those
 * that do not read the inputs too: JS code may have built them from an
 * input's shape (`mx.arange(x.shape[0])`), which the graph does not show.
 */
export function checkShapeless(g: Graph, op = "compile"): void {
  for (const n of g.nodes) {
    if (!shapeFree(n.prim)) {
      throw new Error(
        `[${op}] shapeless: the function uses '${String(n.prim)}', whose parameters fix a shape (reshape, broadcast, slice, pad and shape-dependent ops do), so one trace cannot serve other input shapes; trace it with shapeless: false (or merge and split axes with flatten and unflatten, which follow the input's shape)`,
      );
    }
  }
}
