// nn.valueAndGrad (MLX's mlx.nn.value_and_grad): a loss function of a
// model's inputs becomes one that also returns the gradient with respect to
// the model's trainable parameters, as a tree shaped like them.

import { MxArray } from "../array.js";
import { asOp } from "../ops/strict-options.js";
import { valueAndGrad as mxValueAndGrad } from "../transforms/autodiff.js";
import type { LossFn } from "../transforms/types.js";
import { describeValue, opError } from "../errors.js";
import { checkFunction } from "./checks.js";
import { Module, type Params } from "./module.js";

/**
 * `fn(...args)` and its gradient with respect to `model.trainableParameters()`.
 * `fn` calls the model (whose parameters it reads); it returns a scalar, or
 * a list whose first element is the scalar (the rest is carried along).
 * @example
 * ```ts
 * const model = new mx.nn.Linear(2, 1);
 * model.update({ weight: mx.array([[1, 2]], mx.float32), bias: mx.array([0], mx.float32) });
 * const loss = (x: mx.MxArray) => mx.sum(model.forward(x));
 * const [value, grads] = mx.nn.valueAndGrad(model, loss)(mx.array([[3, 4]], mx.float32));
 * await value.item(); // 11
 * await (grads.weight as mx.MxArray).tolist(); // [[3, 4]]
 * ```
 */
export function valueAndGrad<A extends unknown[], R>(model: Module, fn: (...args: A) => R): (...args: A) => [R, Params] {
  const op = "nn.valueAndGrad";
  if (!(model instanceof Module)) throw opError(op, `model must be an nn.Module, got ${describeValue(model)}`, [], "type");
  checkFunction(op, fn, "fn");
  const inner = (params: Params, ...args: A) => {
    model.update(params, { strict: false });
    const out = fn(...args);
    const loss = Array.isArray(out) ? out[0] : out;
    if (!(loss instanceof MxArray)) throw opError(op, `fn must return a scalar array (or a list starting with one), got ${describeValue(out)}`, [], "type");
    return out;
  };
  const vg = mxValueAndGrad(inner as unknown as LossFn) as unknown as (params: Params, ...args: A) => [R, Params];
  return (...args: A) => {
    const saved = model.trainableParameters();
    try {
      return asOp(op, () => vg(saved, ...args));
    } finally {
      // the model held the transform's tracers while fn ran; give it its own arrays back
      model.update(saved, { strict: false });
    }
  };
}
