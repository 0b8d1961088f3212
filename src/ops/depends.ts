// depends (MLX's `mx.depends`): arrays equal to the inputs whose evaluation
// also evaluates the dependencies first, to order side effects (a kernel that
// writes through atomics, a synchronisation) in the lazy graph.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { Depends } from "../primitives/depends.js";
import { nodes, opStream } from "./base.js";
import { asOp, noExtraArguments } from "./strict-options.js";

function arrayList(v: unknown, name: string): MxArray[] {
  const list = v instanceof MxArray ? [v] : Array.isArray(v) ? v : undefined;
  if (!list) throw opError("depends", `${name} must be an mx array or a list of them, got ${describeValue(v)}`, [], "type");
  list.forEach((x, i) => {
    if (!(x instanceof MxArray)) throw opError("depends", `${name}[${i}] must be an mx array, got ${describeValue(x)}`, [], "type");
    if (x.isDisposed) throw opError("depends", `${name}[${i}] is a disposed array`);
  });
  if (name === "inputs" && list.length === 0) throw opError("depends", "inputs must hold at least one array, got an empty list");
  return list as MxArray[];
}

/**
 * Arrays identical to `inputs` that depend on `dependencies`: evaluating one
 * of them evaluates the dependencies first. Gradients flow to `inputs` only.
 * One array in gives one array out; a list gives a list.
 * @example
 * ```ts
 * const x = mx.array([1, 2]);
 * const y = mx.depends(x, mx.multiply(x, 10)); // x, computed after x * 10
 * await y.tolist(); // [1, 2]
 * const [a, b] = mx.depends([x, mx.add(x, 1)], [mx.exp(x)]);
 * await b!.tolist(); // [2, 3]
 * ```
 */
export function depends(inputs: MxArray, dependencies: MxArray | readonly MxArray[]): MxArray;
/**
 * `depends` of a list of inputs: a list of arrays equal to them, computed after `dependencies`.
 * @example
 * ```ts
 * const [a, b] = mx.depends([mx.array([1]), mx.array([2])], mx.array([3]));
 * await b!.tolist(); // [2]
 * ```
 */
export function depends(inputs: readonly MxArray[], dependencies: MxArray | readonly MxArray[]): MxArray[];
export function depends(inputs: MxArray | readonly MxArray[], dependencies: MxArray | readonly MxArray[]): MxArray | MxArray[] {
  noExtraArguments("depends", arguments, 2);
  return asOp("depends", () => {
    const xs = arrayList(inputs, "inputs");
    const deps = arrayList(dependencies, "dependencies");
    const outs = nodes(new Depends(xs.length), [...xs, ...deps], opStream("depends", undefined, ...xs, ...deps));
    return inputs instanceof MxArray ? outs[0]! : outs;
  });
}
