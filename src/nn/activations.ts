// The activation functions of mx.nn (MLX's mlx.nn activations), each a
// composition of public ops; errors carry the nn name. The layer classes
// that wrap them are in layers/activations.ts.

import type { MxArray } from "../array.js";
import { int32 } from "../dtype.js";
import * as ops from "../ops/index.js";
import { asOp } from "../ops/strict-options.js";
import { checkArray, checkInt, checkNumber, keywords } from "./checks.js";
import { shiftedByMax } from "./shift.js";

/** Runs `body` on the checked input `x` with errors labelled `nn.<name>`. */
function act(name: string, x: unknown, body: (x: MxArray) => MxArray): MxArray {
  const op = `nn.${name}`;
  return asOp(op, () => body(checkArray(op, x, "x")));
}

/** The value of MLX's keyword argument `arg` of `nn.<name>`, given positionally or as `{ arg }`; `fallback` where left out. */
function kw(name: string, arg: string, v: unknown, fallback: number): unknown {
  return keywords(`nn.${name}`, [v], [arg])[arg] ?? fallback;
}

const axisArg = (name: string, axis: unknown) => checkInt(`nn.${name}`, "axis", kw(name, "axis", axis, -1), -64, 63);

/**
 * `max(x, 0)`.
 * @example
 * ```ts
 * await mx.nn.relu(mx.array([-1, 2])).tolist(); // [0, 2]
 * ```
 */
export function relu(x: MxArray): MxArray {
  return act("relu", x, (a) => ops.maximum(a, 0));
}

/**
 * `min(max(x, 0), 6)`.
 * @example
 * ```ts
 * await mx.nn.relu6(mx.array([-1, 2, 7])).tolist(); // [0, 2, 6]
 * ```
 */
export function relu6(x: MxArray): MxArray {
  return act("relu6", x, (a) => ops.minimum(ops.maximum(a, 0), 6));
}

/**
 * `max(x, 0)^2` (MLX's relu2, squared ReLU).
 * @example
 * ```ts
 * await mx.nn.relu2(mx.array([-1, 3])).tolist(); // [0, 9]
 * ```
 */
export function relu2(x: MxArray): MxArray {
  return act("relu2", x, (a) => ops.square(ops.maximum(a, 0)));
}

/**
 * `max(negativeSlope * x, x)` (default slope 0.01).
 * @example
 * ```ts
 * await mx.nn.leakyRelu(mx.array([-2, 2], mx.float32), 0.5).tolist(); // [-1, 2]
 * ```
 */
export function leakyRelu(x: MxArray, negativeSlope: number | { negativeSlope?: number | undefined } = 0.01): MxArray {
  const slope = checkNumber("nn.leakyRelu", "negativeSlope", kw("leakyRelu", "negativeSlope", negativeSlope, 0.01));
  return act("leakyRelu", x, (a) => ops.maximum(ops.multiply(a, slope), a));
}

/**
 * `x` where positive, else `alpha * (exp(x) - 1)` (default alpha 1).
 * @example
 * ```ts
 * await mx.nn.elu(mx.array([0, 2], mx.float32)).tolist(); // [0, 2]
 * ```
 */
export function elu(x: MxArray, alpha: number | { alpha?: number | undefined } = 1): MxArray {
  const k = checkNumber("nn.elu", "alpha", kw("elu", "alpha", alpha, 1));
  return act("elu", x, (a) => ops.where(ops.greater(a, 0), a, ops.multiply(ops.expm1(a), k)));
}

/**
 * `max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)` (default alpha 1).
 * @example
 * ```ts
 * await mx.nn.celu(mx.array([0, 2], mx.float32)).tolist(); // [0, 2]
 * ```
 */
export function celu(x: MxArray, alpha: number | { alpha?: number | undefined } = 1): MxArray {
  const k = checkNumber("nn.celu", "alpha", kw("celu", "alpha", alpha, 1));
  if (k === 0) throw new RangeError("[nn.celu] alpha must not be 0");
  return act("celu", x, (a) => ops.add(ops.maximum(a, 0), ops.multiply(ops.expm1(ops.divide(ops.minimum(a, 0), k)), k)));
}

/**
 * Scaled ELU: `1.0507 * elu(x, 1.67326)`.
 * @example
 * ```ts
 * await mx.nn.selu(mx.array([0, 1], mx.float32)).tolist(); // [0, 1.0506999492645264]
 * ```
 */
export function selu(x: MxArray): MxArray {
  return act("selu", x, (a) => ops.multiply(elu(a, 1.67326), 1.0507));
}

/**
 * The Gaussian error linear unit, exact: `x * (1 + erf(x / sqrt(2))) / 2`.
 * @example
 * ```ts
 * await mx.nn.gelu(mx.array([0, 1], mx.float32)).tolist(); // [0, 0.8413447141647339]
 * ```
 */
export function gelu(x: MxArray): MxArray {
  return act("gelu", x, (a) => ops.divide(ops.multiply(a, ops.add(ops.erf(ops.multiply(a, Math.SQRT1_2)), 1)), 2));
}

/**
 * GELU's tanh approximation: `x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))`.
 * @example
 * ```ts
 * await mx.nn.geluApprox(mx.array([0, 1], mx.float32)).tolist(); // [0, 0.8411920070648193]
 * ```
 */
export function geluApprox(x: MxArray): MxArray {
  return act("geluApprox", x, (a) => {
    const inner = ops.multiply(ops.add(a, ops.multiply(ops.power(a, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return ops.multiply(ops.multiply(a, 0.5), ops.add(ops.tanh(inner), 1));
  });
}

/**
 * GELU's sigmoid approximation: `x * sigmoid(1.702 x)`.
 * @example
 * ```ts
 * await mx.nn.geluFastApprox(mx.array([0, 1], mx.float32)).tolist(); // [0, 0.8457957506179810]
 * ```
 */
export function geluFastApprox(x: MxArray): MxArray {
  return act("geluFastApprox", x, (a) => ops.multiply(a, ops.sigmoid(ops.multiply(a, 1.702))));
}

/**
 * `x * sigmoid(x)` (the swish).
 * @example
 * ```ts
 * await mx.nn.silu(mx.array([0, 1], mx.float32)).tolist(); // [0, 0.7310585975646973]
 * ```
 */
export function silu(x: MxArray): MxArray {
  return act("silu", x, (a) => ops.multiply(a, ops.sigmoid(a)));
}

/**
 * `log(1 + exp(x))`, computed stably.
 * @example
 * ```ts
 * await mx.nn.softplus(mx.array([0], mx.float32)).tolist(); // [0.6931471824645996]
 * ```
 */
export function softplus(x: MxArray): MxArray {
  return act("softplus", x, (a) => ops.logaddexp(a, 0));
}

/**
 * `x * tanh(softplus(x))`.
 * @example
 * ```ts
 * await mx.nn.mish(mx.array([0, 1], mx.float32)).tolist(); // [0, 0.8650983572006226]
 * ```
 */
export function mish(x: MxArray): MxArray {
  return act("mish", x, (a) => ops.multiply(a, ops.tanh(softplus(a))));
}

/**
 * `x / (1 + |x|)`.
 * @example
 * ```ts
 * await mx.nn.softsign(mx.array([-1, 3], mx.float32)).tolist(); // [-0.5, 0.75]
 * ```
 */
export function softsign(x: MxArray): MxArray {
  return act("softsign", x, (a) => ops.divide(a, ops.add(ops.abs(a), 1)));
}

/**
 * `x - sign(x) * lambd` where `|x| > lambd`, else 0 (default lambd 0.5).
 * @example
 * ```ts
 * await mx.nn.softshrink(mx.array([-2, 0.25, 1], mx.float32)).tolist(); // [-1.5, 0, 0.5]
 * ```
 */
export function softshrink(x: MxArray, lambd: number | { lambd?: number | undefined } = 0.5): MxArray {
  const l = checkNumber("nn.softshrink", "lambd", kw("softshrink", "lambd", lambd, 0.5), 0);
  return act("softshrink", x, (a) => ops.where(ops.greater(ops.abs(a), l), ops.subtract(a, ops.multiply(ops.sign(a), l)), 0));
}

/**
 * `x` where `|x| > lambd`, else 0 (default lambd 0.5).
 * @example
 * ```ts
 * await mx.nn.hardShrink(mx.array([-2, 0.25, 1], mx.float32)).tolist(); // [-2, 0, 1]
 * ```
 */
export function hardShrink(x: MxArray, lambd: number | { lambd?: number | undefined } = 0.5): MxArray {
  const l = checkNumber("nn.hardShrink", "lambd", kw("hardShrink", "lambd", lambd, 0.5), 0);
  return act("hardShrink", x, (a) => ops.where(ops.greater(ops.abs(a), l), a, 0));
}

/**
 * `x` clipped to [minVal, maxVal] (default [-1, 1]).
 * @example
 * ```ts
 * await mx.nn.hardTanh(mx.array([-2, 0.5, 3], mx.float32)).tolist(); // [-1, 0.5, 1]
 * ```
 */
export function hardTanh(x: MxArray, minVal: number | { minVal?: number | undefined; maxVal?: number | undefined } = -1, maxVal?: number): MxArray {
  const k = keywords("nn.hardTanh", [minVal, maxVal], ["minVal", "maxVal"]);
  const lo = checkNumber("nn.hardTanh", "minVal", k.minVal ?? -1);
  const hi = checkNumber("nn.hardTanh", "maxVal", k.maxVal ?? 1, lo);
  return act("hardTanh", x, (a) => ops.minimum(ops.maximum(a, lo), hi));
}

/**
 * `x * min(max(x + 3, 0), 6) / 6`.
 * @example
 * ```ts
 * await mx.nn.hardswish(mx.array([-4, 0, 3], mx.float32)).tolist(); // [-0, 0, 3]
 * ```
 */
export function hardswish(x: MxArray): MxArray {
  return act("hardswish", x, (a) => ops.divide(ops.multiply(a, ops.minimum(ops.maximum(ops.add(a, 3), 0), 6)), 6));
}

/**
 * `log(sigmoid(x))`, computed stably as `-softplus(-x)`.
 * @example
 * ```ts
 * await mx.nn.logSigmoid(mx.array([0], mx.float32)).tolist(); // [-0.6931471824645996]
 * ```
 */
export function logSigmoid(x: MxArray): MxArray {
  return act("logSigmoid", x, (a) => ops.negative(ops.logaddexp(ops.negative(a), 0)));
}

/**
 * `x - logsumexp(x, axis)` (default axis -1), computed as MLX's: `x` shifted by its max along `axis` first
 * (the max through stopGradient), so that large inputs keep the normaliser (subtracting logsumexp(x) itself
 * would round it away).
 * @example
 * ```ts
 * await mx.nn.logSoftmax(mx.array([0, 0], mx.float32)).tolist(); // [-0.6931471824645996, -0.6931471824645996]
 * await mx.nn.logSoftmax(mx.array([10000, 10002], mx.float32)).tolist(); // [-2.1269280910491943, -0.12692801654338837]
 * ```
 */
export function logSoftmax(x: MxArray, axis: number | { axis?: number | undefined } = -1): MxArray {
  const ax = axisArg("logSoftmax", axis);
  return act("logSoftmax", x, (a) => {
    const shifted = shiftedByMax(a, ax);
    return ops.subtract(shifted, ops.logsumexp(shifted, ax, { keepdims: true }));
  });
}

/**
 * `exp(x) / sum(exp(x))` along `axis` (default -1).
 * @example
 * ```ts
 * await mx.nn.softmax(mx.array([0, 0], mx.float32)).tolist(); // [0.5, 0.5]
 * ```
 */
export function softmax(x: MxArray, axis: number | { axis?: number | undefined } = -1): MxArray {
  const ax = axisArg("softmax", axis);
  return act("softmax", x, (a) => ops.softmax(a, ax));
}

/**
 * `softmax(-x, axis)` (default axis -1).
 * @example
 * ```ts
 * await mx.nn.softmin(mx.array([1, 1], mx.float32)).tolist(); // [0.5, 0.5]
 * ```
 */
export function softmin(x: MxArray, axis: number | { axis?: number | undefined } = -1): MxArray {
  const ax = axisArg("softmin", axis);
  return act("softmin", x, (a) => ops.softmax(ops.negative(a), ax));
}

/**
 * `1 / (1 + exp(-x))`.
 * @example
 * ```ts
 * await mx.nn.sigmoid(mx.array([0], mx.float32)).tolist(); // [0.5]
 * ```
 */
export function sigmoid(x: MxArray): MxArray {
  return act("sigmoid", x, (a) => ops.sigmoid(a));
}

/**
 * The hyperbolic tangent.
 * @example
 * ```ts
 * await mx.nn.tanh(mx.array([0], mx.float32)).tolist(); // [0]
 * ```
 */
export function tanh(x: MxArray): MxArray {
  return act("tanh", x, (a) => ops.tanh(a));
}

/**
 * MLX's binary step: 1 where `x >= threshold` (default 0), else 0 (NaN included), as int32 whatever `x`'s dtype (MLX's `where(x >= threshold, 1, 0)`).
 * @example
 * ```ts
 * const y = mx.nn.step(mx.array([-1, 0, 2], mx.float32));
 * await y.tolist(); // [0, 1, 1]
 * y.dtype.name; // "int32"
 * ```
 */
export function step(x: MxArray, threshold: number | { threshold?: number | undefined } = 0): MxArray {
  const t = checkNumber("nn.step", "threshold", kw("step", "threshold", threshold, 0));
  return act("step", x, (a) => ops.where(ops.greaterEqual(a, t), ops.array(1, int32), ops.array(0, int32)));
}

/**
 * `max(0, x) + alpha * min(0, x)`: the parametric ReLU with slopes `alpha` (broadcast against `x`).
 * @example
 * ```ts
 * await mx.nn.prelu(mx.array([-2, 2], mx.float32), mx.array([0.25], mx.float32)).tolist(); // [-0.5, 2]
 * ```
 */
export function prelu(x: MxArray, alpha: MxArray): MxArray {
  checkArray("nn.prelu", alpha, "alpha");
  // MLX's operand order (0 first): at x = 0 the ties give x the derivative 1 + alpha, as MLX's maximum and minimum rules do
  return act("prelu", x, (a) => ops.add(ops.maximum(0, a), ops.multiply(alpha, ops.minimum(0, a))));
}

/**
 * The gated linear unit: `x` split in halves `a, b` along `axis` (default -1), `a * sigmoid(b)`.
 * @example
 * ```ts
 * await mx.nn.glu(mx.array([2, 0], mx.float32)).tolist(); // [1]
 * ```
 */
export function glu(x: MxArray, axis: number | { axis?: number | undefined } = -1): MxArray {
  const ax = axisArg("glu", axis);
  return act("glu", x, (a) => {
    const [first, second] = ops.split(a, 2, ax) as [MxArray, MxArray];
    return ops.multiply(first, ops.sigmoid(second));
  });
}
