// The primitives a shapeless trace may hold: those whose output shapes follow
// from their inputs' alone (elementwise, reductions over axes, matmul, the
// broadcasts against other inputs' shapes (matmul's batch axes, the *Like
// ops, broadcastArrays), transpose, softmax, scans, sorts, concatenation,
// take and the gathers and scatters along an axis, the reshapes of a rule
// (flatten, unflatten, expandDims, squeeze, a reshape with -1), the count of
// a reduction's elements, the fast norms, rope and attention, dtype views,
// quantized matmul, and the convolutions of the conv ops). Reshape to a
// given shape, broadcast, slice, pad and others fix shapes in their
// parameters, so one trace cannot serve other shapes.

import { ArgReduce, LogSumExp, Reduce, Softmax } from "../primitives/reduce.js";
import { ShapeRule } from "../primitives/layout.js";
import type { Graph, GraphNode, Value } from "./graph.js";
import { isElementwise } from "./simplify.js";

const BY_NAME = new Set(["matmul", "quantizedMatmul", "broadcastAxes", "take", "numberOfElements", "concatenate", "gatherAxis", "scatterAxis", "sort", "argsort", "transpose", "scan", "rmsNorm", "layerNorm", "rope", "scaledDotProductAttention", "view"]);

/**
 * The ops (and nn layers) whose convolutions replay on any shape: their
 * parameters come from the caller and the kernel alone. A convolution's
 * derivative (grad, vjp) builds convolutions whose paddings it computed from
 * the traced sizes, so those are refused; a transposed convolution's
 * paddings follow its weight's kernel size, so it replays only where the
 * weight does not come from the function's inputs (TRANSPOSED).
 */
const CONV_OPS = new Set([
  ...["conv1d", "conv2d", "conv3d", "convGeneral", "convTranspose1d", "convTranspose2d", "convTranspose3d"],
  ...["nn.Conv1d", "nn.Conv2d", "nn.Conv3d", "nn.ConvTranspose1d", "nn.ConvTranspose2d", "nn.ConvTranspose3d"],
]);
const TRANSPOSED = new Set(["convTranspose1d", "convTranspose2d", "convTranspose3d", "nn.ConvTranspose1d", "nn.ConvTranspose2d", "nn.ConvTranspose3d"]);

/** Whether value `v` is an input of the trace or computed from one. */
const fromInputsOf = (v: Value, fromInputs: ReadonlySet<GraphNode>) => v.kind === "input" || (v.kind === "node" && fromInputs.has(v.node));

function shapeFree(n: GraphNode, fromInputs: ReadonlySet<GraphNode>): boolean {
  const p = n.prim;
  if (p.name === "conv") return n.builtBy !== undefined && CONV_OPS.has(n.builtBy) && !(TRANSPOSED.has(n.builtBy) && fromInputsOf(n.inputs[1]!, fromInputs));
  return isElementwise(p) || p instanceof ShapeRule || p instanceof Reduce || p instanceof ArgReduce || p instanceof LogSumExp || p instanceof Softmax || BY_NAME.has(p.name);
}

/** Why `n` cannot serve other shapes, and what to do instead. */
function refusal(n: GraphNode, readsInputs: boolean): string {
  const retrace = "so one trace cannot serve other input shapes; trace it with shapeless: false";
  if (!readsInputs) {
    return `which builds an array from none of the function's inputs: its shape was fixed when it was traced (built from an input's shape in JS, as a creation op given x.shape or a gradient's seed, or a captured array not evaluated yet: evaluate captured arrays, as mx.eval(model.parameters()), before the first call), ${retrace}`;
  }
  if (n.prim.name === "conv" && n.builtBy !== undefined && TRANSPOSED.has(n.builtBy)) return `a transposed convolution whose weight comes from the function's inputs: its paddings follow the weight's kernel size as traced, ${retrace}`;
  if (n.prim.name === "conv") return `a convolution built by another op than the conv ops, whose paddings may come from the traced sizes (a convolution's derivative computes them so), ${retrace}`;
  const inferred = n.prim.name === "reshape" ? ", or give reshape a -1, inferred from each call's input size" : "";
  const flatten = ` (or merge and split axes with flatten and unflatten, which follow the input's shape${inferred})`;
  const params = n.prim.params();
  if ("shape" in params) {
    const take = n.prim.name === "slice" ? "; one index along an axis, as mx.take(x, -1, axis), replays on any size" : "";
    return `which fixes its output shape [${n.specs[0]!.shape.join(",")}] in its parameters, ${retrace}${flatten}${take}`;
  }
  if ("start" in params) return `whose start positions were fixed for the traced shape, ${retrace}`;
  return `which shapeless traces do not replay (docs/compile.md lists the primitives whose output shapes follow from their inputs' alone), ${retrace}`;
}

/**
 * Throws (the error names `op`), naming the first node of `g` that a
 * shapeless trace cannot replay on other shapes: the op the function called
 * that built it, its primitive, and why. Every node is checked, those that do
 * not read the inputs too: JS code may have built it from an input's shape
 * (`mx.arange(x.shape[0])`), which the graph does not show.
 */
export function checkShapeless(g: Graph, op = "compile"): void {
  const fromInputs = new Set<GraphNode>();
  for (const n of g.nodes) {
    const readsInputs = n.inputs.some((v) => fromInputsOf(v, fromInputs));
    if (readsInputs) fromInputs.add(n);
    if (shapeFree(n, fromInputs)) continue;
    const step = String(n.prim);
    const called = n.builtBy ?? n.prim.errorName;
    const what = called === n.prim.name ? `'${called}' (${step})` : `'${called}' (its ${n.prim.name} step: ${step})`;
    throw new Error(`[${op}] shapeless: the function uses ${what}, ${refusal(n, readsInputs)}`);
  }
}
