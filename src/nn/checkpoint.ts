// nn.checkpoint (MLX's mlx.nn.utils.checkpoint): a module's call whose
// backward pass recomputes it instead of keeping its intermediates, with the
// module's trainable parameters among the checkpointed inputs so their
// gradients flow. The transformer's `checkpoint` option uses it per layer.

import { MxArray } from "../array.js";
import { checkpoint as mxCheckpoint } from "../transforms/custom.js";
import { treeFlatten, treeUnflatten } from "../transforms/utils.js";
import { describeValue, opError } from "../errors.js";
import { asOp } from "../ops/strict-options.js";
import { checkFunction } from "./checks.js";
import { Module } from "./module.js";

/** What a checkpointed function returns: an array or a list of arrays. */
export type ArrayOut = MxArray | readonly MxArray[];

/**
 * `module.forward` checkpointed (MLX's `checkpoint(module)`, whose `fn`
 * defaults to the module's call): the forward method is looked up at each
 * call, so one set later is used.
 * @example
 * ```ts
 * const layer = new mx.nn.Linear(2, 2);
 * const call = mx.nn.checkpoint(layer);
 * const [, g] = mx.nn.valueAndGrad(layer, (x: mx.MxArray) => mx.sum(call(x)))(mx.ones([1, 2]));
 * await (g.bias as mx.MxArray).tolist(); // [1, 1]
 * ```
 */
export function checkpoint<M extends Module & { forward(...args: never[]): ArrayOut }>(module: M): M["forward"];
/**
 * `fn` (a call of `module` on arrays) checkpointed: same values and
 * gradients, intermediates recomputed in the backward pass.
 * @example
 * ```ts
 * const layer = new mx.nn.Linear(2, 2);
 * const call = mx.nn.checkpoint(layer, (x: mx.MxArray) => mx.tanh(layer.forward(x)));
 * const loss = (x: mx.MxArray) => mx.sum(call(x));
 * const [, g1] = mx.nn.valueAndGrad(layer, loss)(mx.ones([1, 2]));
 * const [, g2] = mx.nn.valueAndGrad(layer, (x: mx.MxArray) => mx.sum(mx.tanh(layer.forward(x))))(mx.ones([1, 2]));
 * await mx.allclose(g1.weight as mx.MxArray, g2.weight as mx.MxArray).item(); // true
 * ```
 */
export function checkpoint<A extends MxArray[], R extends ArrayOut>(module: Module, fn: (...args: A) => R): (...args: A) => R;
export function checkpoint(module: Module, fn?: (...args: MxArray[]) => ArrayOut): (...args: MxArray[]) => ArrayOut {
  const op = "nn.checkpoint";
  if (!(module instanceof Module)) throw opError(op, `module must be an nn.Module, got ${describeValue(module)}`, [], "type");
  const forwardOf = () => {
    const f = (module as { forward?: unknown }).forward;
    if (typeof f !== "function") throw opError(op, `module (a ${module.constructor.name}) has no forward method; pass the function to checkpoint as fn`, [], "type");
    return f as (...args: MxArray[]) => ArrayOut;
  };
  if (fn === undefined) forwardOf();
  else checkFunction(op, fn, "fn");
  const call = fn ?? ((...xs: MxArray[]) => forwardOf().apply(module, xs));
  return (...args: MxArray[]) => {
    args.forEach((a, i) => {
      if (!(a instanceof MxArray)) throw opError(op, `argument ${i} must be an mx array, got ${describeValue(a)}`, [], "type");
    });
    const flat = treeFlatten(module.trainableParameters()) as [string, MxArray][];
    const keys = flat.map(([k]) => k);
    const inner = (...xs: MxArray[]) => {
      module.update(treeUnflatten(keys.map((k, i): [string, unknown] => [k, xs[i]])) as Record<string, unknown>, { strict: false });
      const out = call(...xs.slice(keys.length));
      const ok = out instanceof MxArray || (Array.isArray(out) && out.length > 0 && out.every((o) => o instanceof MxArray));
      if (!ok) throw opError(op, `${fn ? "fn" : "module.forward"} must return an mx array or a non-empty list of them, got ${describeValue(out)}`, [], "type");
      return out;
    };
    try {
      return asOp(op, () => mxCheckpoint(inner)(...flat.map(([, v]) => v), ...args)) as ArrayOut;
    } finally {
      module.update(treeUnflatten(flat) as Record<string, unknown>, { strict: false });
    }
  };
}
