// nn.losses, as MLX's mlx.nn.losses: each loss is computed elementwise (or
// per row along `axis`) and then reduced by `reduction`: "none" (the
// per-element losses), "mean" or "sum"; defaults are MLX's, loss by loss.

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import { isInteger } from "../dtype.js";
import { opError, shapeStr } from "../errors.js";
import * as ops from "../ops/index.js";
import { asOp, noExtraArguments } from "../ops/strict-options.js";
import { checkArray, checkBool, checkChoice, checkInt, checkNumber, keywords } from "./checks.js";
import { shiftedByMax } from "./shift.js";

/** How the per-element losses are combined. */
export type Reduction = "none" | "mean" | "sum";

export interface ReductionOptions {
  reduction?: Reduction | undefined;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** MLX's `reduction` parameter, the last of every loss. */
export type ReductionParameter = ["reduction", Reduction];

/**
 * Checks the arrays and the further arguments of loss `name` (its call's
 * `args`: the `arrays`, then MLX's parameters `names` and `reduction`
 * positionally in MLX's order or, from any of them on, in an options
 * object), then runs `body` with errors labelled `nn.losses.<name>`.
 */
function loss<O extends ReductionOptions>(name: string, args: IArguments, names: readonly string[], defaultReduction: Reduction, arrays: Record<string, unknown>, body: (o: Partial<O>, reduce: (l: MxArray) => MxArray) => MxArray): MxArray {
  const op = `nn.losses.${name}`;
  for (const [k, v] of Object.entries(arrays)) checkArray(op, v, k);
  const lead = Object.keys(arrays).length;
  noExtraArguments(op, args, lead + names.length + 1);
  const p = keywords(op, Array.from(args).slice(lead), [...names, "reduction"]) as Partial<O>;
  const reduction = checkChoice(op, "reduction", p.reduction ?? defaultReduction, ["none", "mean", "sum"]);
  const reduce = (l: MxArray) => (reduction === "mean" ? ops.mean(l) : reduction === "sum" ? ops.sum(l) : l);
  return asOp(op, () => body(p, reduce));
}

function checkSame(op: string, a: MxArray, an: string, b: MxArray, bn: string): void {
  if (!sameShape(a.shape, b.shape)) throw opError(`nn.losses.${op}`, `${an} and ${bn} must have the same shape`, [a, b], "value");
}

function applyWeights(op: string, l: MxArray, weights: unknown): MxArray {
  if (weights === undefined || weights === null) return l;
  const w = checkArray(`nn.losses.${op}`, weights, "weights");
  if (!sameShape(w.shape, l.shape)) throw opError(`nn.losses.${op}`, `weights must have the loss's shape (${l.shape.join(", ")})`, [w], "value");
  return ops.multiply(l, w);
}

const axisOf = (op: string, v: unknown, ndim: number, fallback: number) => {
  const a = checkInt(`nn.losses.${op}`, "axis", v ?? fallback, -Math.max(ndim, 1), Math.max(ndim, 1) - 1);
  return a < 0 ? a + ndim : a;
};

export interface CrossEntropyOptions extends ReductionOptions {
  /** Per-example weights, of the loss's shape. */
  weights?: MxArray | null | undefined;
  /** The class axis of `logits` (default -1). */
  axis?: number | undefined;
  /** In [0, 1): the weight moved from the target to a uniform distribution (default 0). */
  labelSmoothing?: number | undefined;
}

/**
 * The cross entropy of `logits` against `targets`: integer class indices
 * (`logits`' shape without `axis`) or probabilities (`logits`' shape).
 * Default reduction "none".
 * The options come positionally too, in MLX's order: weights, axis, labelSmoothing, reduction.
 * @example
 * ```ts
 * const logits = mx.array([[0, 0]], mx.float32);
 * await mx.nn.losses.crossEntropy(logits, mx.array([1])).tolist(); // [0.6931471824645996]
 * await mx.nn.losses.crossEntropy(logits, mx.array([[0, 1]], mx.float32)).tolist(); // [0.6931471824645996]
 * await mx.nn.losses.crossEntropy(logits, mx.array([1]), null, -1, 0, "mean").item(); // 0.6931471824645996
 * ```
 */
export function crossEntropy(logits: MxArray, targets: MxArray, ...rest: KeywordArgs<[["weights", MxArray], ["axis", number], ["labelSmoothing", number], ReductionParameter], CrossEntropyOptions>): MxArray {
  return loss<CrossEntropyOptions>("crossEntropy", arguments, ["weights", "axis", "labelSmoothing"], "none", { logits, targets }, (p, reduce) => {
    const axis = axisOf("crossEntropy", p.axis, logits.ndim, -1);
    const smoothing = checkNumber("nn.losses.crossEntropy", "labelSmoothing", p.labelSmoothing ?? 0, 0, 1);
    if (smoothing >= 1) throw opError("nn.losses.crossEntropy", `labelSmoothing must be in [0, 1), got ${smoothing}`, [], "range");
    const asProbs = targets.ndim === logits.ndim;
    const indexShape = logits.shape.filter((_, i) => i !== axis);
    if (!sameShape(targets.shape, asProbs ? logits.shape : indexShape)) {
      throw opError("nn.losses.crossEntropy", `targets must have shape ${shapeStr(indexShape)} (class indices: the logits' shape without axis ${axis}) or ${shapeStr(logits.shape)} (probabilities: the logits' shape), got ${shapeStr(targets.shape)}`, [logits, targets], "value");
    }
    if (!asProbs && !isInteger(targets.dtype)) throw opError("nn.losses.crossEntropy", "targets of class indices must be integers", [targets], "type");
    const shifted = shiftedByMax(logits, axis);
    const score = asProbs
      ? ops.sum(ops.multiply(shifted, targets), axis)
      : ops.squeeze(ops.takeAlongAxis(shifted, ops.expandDims(targets, axis), axis), axis);
    const lse = ops.logsumexp(shifted, axis);
    const l = smoothing > 0
      ? ops.subtract(ops.subtract(lse, ops.multiply(score, 1 - smoothing)), ops.multiply(ops.mean(shifted, axis), smoothing))
      : ops.subtract(lse, score);
    return reduce(applyWeights("crossEntropy", l, p.weights));
  });
}

export interface BinaryCrossEntropyOptions extends ReductionOptions {
  weights?: MxArray | null | undefined;
  /** Whether `inputs` are logits (default true) or probabilities. */
  withLogits?: boolean | undefined;
}

/**
 * The binary cross entropy of `inputs` (logits, or probabilities with
 * `withLogits: false`) against `targets` in [0, 1]. Default reduction "mean".
 * The options come positionally too, in MLX's order: weights, withLogits, reduction.
 * @example
 * ```ts
 * await mx.nn.losses.binaryCrossEntropy(mx.array([0], mx.float32), mx.array([1], mx.float32)).item(); // 0.6931471824645996
 * await mx.nn.losses.binaryCrossEntropy(mx.array([0.5], mx.float32), mx.array([0], mx.float32), { withLogits: false }).item(); // 0.6931471824645996
 * ```
 */
export function binaryCrossEntropy(inputs: MxArray, targets: MxArray, ...rest: KeywordArgs<[["weights", MxArray], ["withLogits", boolean], ReductionParameter], BinaryCrossEntropyOptions>): MxArray {
  return loss<BinaryCrossEntropyOptions>("binaryCrossEntropy", arguments, ["weights", "withLogits"], "mean", { inputs, targets }, (p, reduce) => {
    checkSame("binaryCrossEntropy", inputs, "inputs", targets, "targets");
    const withLogits = checkBool("nn.losses.binaryCrossEntropy", "withLogits", p.withLogits ?? true);
    const l = withLogits
      ? ops.subtract(ops.logaddexp(inputs, 0), ops.multiply(inputs, targets))
      : ops.negative(ops.add(
        ops.multiply(targets, ops.maximum(ops.log(inputs), -100)),
        ops.multiply(ops.subtract(1, targets), ops.maximum(ops.log(ops.subtract(1, inputs)), -100)),
      ));
    return reduce(applyWeights("binaryCrossEntropy", l, p.weights));
  });
}

/**
 * `|predictions - targets|`. Default reduction "mean".
 * The options come positionally too, in MLX's order: reduction.
 * @example
 * ```ts
 * await mx.nn.losses.l1Loss(mx.array([1, 4], mx.float32), mx.array([2, 2], mx.float32)).item(); // 1.5
 * ```
 */
export function l1Loss(predictions: MxArray, targets: MxArray, ...rest: KeywordArgs<[ReductionParameter], ReductionOptions>): MxArray {
  return loss<ReductionOptions>("l1Loss", arguments, [], "mean", { predictions, targets }, (_p, reduce) => {
    checkSame("l1Loss", predictions, "predictions", targets, "targets");
    return reduce(ops.abs(ops.subtract(predictions, targets)));
  });
}

/**
 * `(predictions - targets)^2`. Default reduction "mean".
 * The options come positionally too, in MLX's order: reduction.
 * @example
 * ```ts
 * await mx.nn.losses.mseLoss(mx.array([1, 4], mx.float32), mx.array([2, 2], mx.float32)).item(); // 2.5
 * ```
 */
export function mseLoss(predictions: MxArray, targets: MxArray, ...rest: KeywordArgs<[ReductionParameter], ReductionOptions>): MxArray {
  return loss<ReductionOptions>("mseLoss", arguments, [], "mean", { predictions, targets }, (_p, reduce) => {
    checkSame("mseLoss", predictions, "predictions", targets, "targets");
    return reduce(ops.square(ops.subtract(predictions, targets)));
  });
}

export interface AxisReductionOptions extends ReductionOptions {
  axis?: number | undefined;
}

/**
 * The negative log likelihood: `-inputs[target]` along `axis` (default -1),
 * `inputs` being log probabilities. Default reduction "none".
 * The options come positionally too, in MLX's order: axis, reduction.
 * @example
 * ```ts
 * await mx.nn.losses.nllLoss(mx.array([[-1, -2]], mx.float32), mx.array([1])).tolist(); // [2]
 * ```
 */
export function nllLoss(inputs: MxArray, targets: MxArray, ...rest: KeywordArgs<[["axis", number], ReductionParameter], AxisReductionOptions>): MxArray {
  return loss<AxisReductionOptions>("nllLoss", arguments, ["axis"], "none", { inputs, targets }, (p, reduce) => {
    const axis = axisOf("nllLoss", p.axis, inputs.ndim, -1);
    if (!isInteger(targets.dtype) || targets.ndim !== inputs.ndim - 1) throw opError("nn.losses.nllLoss", "targets must be integer class indices with one axis fewer than inputs", [inputs, targets], "value");
    return reduce(ops.negative(ops.squeeze(ops.takeAlongAxis(inputs, ops.expandDims(targets, axis), axis), axis)));
  });
}

/**
 * The Kullback-Leibler divergence `sum(exp(targets) * (targets - inputs))`
 * along `axis` (default -1), both in log space. Default reduction "none".
 * The options come positionally too, in MLX's order: axis, reduction.
 * @example
 * ```ts
 * const logp = mx.log(mx.array([[0.5, 0.5]], mx.float32));
 * await mx.nn.losses.klDivLoss(logp, logp).tolist(); // [0]
 * ```
 */
export function klDivLoss(inputs: MxArray, targets: MxArray, ...rest: KeywordArgs<[["axis", number], ReductionParameter], AxisReductionOptions>): MxArray {
  return loss<AxisReductionOptions>("klDivLoss", arguments, ["axis"], "none", { inputs, targets }, (p, reduce) => {
    const axis = axisOf("klDivLoss", p.axis, inputs.ndim, -1);
    return reduce(ops.sum(ops.multiply(ops.exp(targets), ops.subtract(targets, inputs)), axis));
  });
}

export interface SmoothL1Options extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  beta?: number | undefined;
}

/**
 * `0.5 d^2 / beta` where `d = |predictions - targets| < beta`, else `d - beta/2`. Default reduction "mean".
 * The options come positionally too, in MLX's order: beta, reduction.
 * @example
 * ```ts
 * await mx.nn.losses.smoothL1Loss(mx.array([0, 3], mx.float32), mx.array([0.5, 0], mx.float32), { reduction: "none" }).tolist(); // [0.125, 2.5]
 * await mx.nn.losses.smoothL1Loss(mx.array([0, 3], mx.float32), mx.array([0.5, 0], mx.float32), 0.5, "sum").item(); // 3
 * ```
 */
export function smoothL1Loss(predictions: MxArray, targets: MxArray, ...rest: KeywordArgs<[["beta", number], ReductionParameter], SmoothL1Options>): MxArray {
  return loss<SmoothL1Options>("smoothL1Loss", arguments, ["beta"], "mean", { predictions, targets }, (p, reduce) => {
    checkSame("smoothL1Loss", predictions, "predictions", targets, "targets");
    const beta = checkNumber("nn.losses.smoothL1Loss", "beta", p.beta ?? 1, 0);
    const d = ops.abs(ops.subtract(predictions, targets));
    return reduce(ops.where(ops.less(d, beta), ops.divide(ops.multiply(ops.square(d), 0.5), beta), ops.subtract(d, 0.5 * beta)));
  });
}

export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number | undefined;
}

/**
 * `0.5 q^2 + delta * (|e| - q)` with `e = inputs - targets`, `q = min(|e|, delta)`. Default reduction "none".
 * The options come positionally too, in MLX's order: delta, reduction.
 * @example
 * ```ts
 * await mx.nn.losses.huberLoss(mx.array([0.5, 3], mx.float32), mx.array([0, 0], mx.float32)).tolist(); // [0.125, 2.5]
 * ```
 */
export function huberLoss(inputs: MxArray, targets: MxArray, ...rest: KeywordArgs<[["delta", number], ReductionParameter], HuberOptions>): MxArray {
  return loss<HuberOptions>("huberLoss", arguments, ["delta"], "none", { inputs, targets }, (p, reduce) => {
    const delta = checkNumber("nn.losses.huberLoss", "delta", p.delta ?? 1, 0);
    const e = ops.abs(ops.subtract(inputs, targets));
    const q = ops.minimum(e, delta);
    return reduce(ops.add(ops.multiply(ops.square(q), 0.5), ops.multiply(ops.subtract(e, q), delta)));
  });
}

export interface TripletOptions extends ReductionOptions {
  axis?: number | undefined;
  /** The norm's degree (default 2). */
  p?: number | undefined;
  margin?: number | undefined;
  eps?: number | undefined;
}

/**
 * `max(d(a, p) - d(a, n) + margin, 0)` with p-norm distances along `axis`
 * (defaults: axis -1, p 2, margin 1, eps 1e-6). Default reduction "none".
 * The options come positionally too, in MLX's order: axis, p, margin, eps, reduction.
 * @example
 * ```ts
 * const a = mx.array([[0, 0]], mx.float32);
 * await mx.nn.losses.tripletLoss(a, a, mx.array([[3, 4]], mx.float32), { eps: 0 }).tolist(); // [0]
 * ```
 */
export function tripletLoss(anchors: MxArray, positives: MxArray, negatives: MxArray, ...rest: KeywordArgs<[["axis", number], ["p", number], ["margin", number], ["eps", number], ReductionParameter], TripletOptions>): MxArray {
  return loss<TripletOptions>("tripletLoss", arguments, ["axis", "p", "margin", "eps"], "none", { anchors, positives, negatives }, (opt, reduce) => {
    const op = "nn.losses.tripletLoss";
    const axis = axisOf("tripletLoss", opt.axis, anchors.ndim, -1);
    const p = checkNumber(op, "p", opt.p ?? 2, 0, Infinity, { lo: true });
    const margin = checkNumber(op, "margin", opt.margin ?? 1);
    const eps = checkNumber(op, "eps", opt.eps ?? 1e-6, 0);
    const dist = (b: MxArray) => ops.power(ops.add(ops.sum(ops.power(ops.abs(ops.subtract(anchors, b)), p), axis), eps), 1 / p);
    return reduce(ops.maximum(ops.add(ops.subtract(dist(positives), dist(negatives)), margin), 0));
  });
}

/**
 * `max(1 - inputs * targets, 0)`, targets being -1 or 1. Default reduction "none".
 * The options come positionally too, in MLX's order: reduction.
 * @example
 * ```ts
 * await mx.nn.losses.hingeLoss(mx.array([0.5, 2], mx.float32), mx.array([1, -1], mx.float32)).tolist(); // [0.5, 3]
 * ```
 */
export function hingeLoss(inputs: MxArray, targets: MxArray, ...rest: KeywordArgs<[ReductionParameter], ReductionOptions>): MxArray {
  return loss<ReductionOptions>("hingeLoss", arguments, [], "none", { inputs, targets }, (_p, reduce) => reduce(ops.maximum(ops.subtract(1, ops.multiply(inputs, targets)), 0)));
}

/**
 * `log(cosh(inputs - targets))`, computed stably. Default reduction "none".
 * The options come positionally too, in MLX's order: reduction.
 * @example
 * ```ts
 * await mx.nn.losses.logCoshLoss(mx.array([0], mx.float32), mx.array([0], mx.float32)).tolist(); // [0]
 * ```
 */
export function logCoshLoss(inputs: MxArray, targets: MxArray, ...rest: KeywordArgs<[ReductionParameter], ReductionOptions>): MxArray {
  return loss<ReductionOptions>("logCoshLoss", arguments, [], "none", { inputs, targets }, (_p, reduce) => {
    const e = ops.subtract(inputs, targets);
    return reduce(ops.subtract(ops.logaddexp(e, ops.negative(e)), Math.LN2));
  });
}

export interface CosineSimilarityOptions extends ReductionOptions {
  /** The axis of the vectors (default 1). */
  axis?: number | undefined;
  eps?: number | undefined;
}

/**
 * The cosine similarity of `x1` and `x2` along `axis` (default 1; MLX's
 * name, though it is a similarity): `x1.x2 / max(|x1| |x2|, eps)`. Default reduction "none".
 * The options come positionally too, in MLX's order: axis, eps, reduction.
 * @example
 * ```ts
 * await mx.nn.losses.cosineSimilarityLoss(mx.array([[1, 0]], mx.float32), mx.array([[2, 0]], mx.float32)).tolist(); // [1]
 * ```
 */
export function cosineSimilarityLoss(x1: MxArray, x2: MxArray, ...rest: KeywordArgs<[["axis", number], ["eps", number], ReductionParameter], CosineSimilarityOptions>): MxArray {
  return loss<CosineSimilarityOptions>("cosineSimilarityLoss", arguments, ["axis", "eps"], "none", { x1, x2 }, (p, reduce) => {
    const axis = axisOf("cosineSimilarityLoss", p.axis, x1.ndim, 1);
    const eps = checkNumber("nn.losses.cosineSimilarityLoss", "eps", p.eps ?? 1e-8, 0);
    const norm = (v: MxArray) => ops.sqrt(ops.sum(ops.square(v), axis));
    return reduce(ops.divide(ops.sum(ops.multiply(x1, x2), axis), ops.maximum(ops.multiply(norm(x1), norm(x2)), eps)));
  });
}

export interface MarginRankingOptions extends ReductionOptions {
  margin?: number | undefined;
}

/**
 * `max(0, -targets * (inputs1 - inputs2) + margin)` (default margin 0), targets -1 or 1. Default reduction "none".
 * The options come positionally too, in MLX's order: margin, reduction.
 * @example
 * ```ts
 * const l = mx.nn.losses.marginRankingLoss(mx.array([1, 1], mx.float32), mx.array([2, 0], mx.float32), mx.array([1, 1], mx.float32));
 * await l.tolist(); // [1, 0]
 * ```
 */
export function marginRankingLoss(inputs1: MxArray, inputs2: MxArray, targets: MxArray, ...rest: KeywordArgs<[["margin", number], ReductionParameter], MarginRankingOptions>): MxArray {
  return loss<MarginRankingOptions>("marginRankingLoss", arguments, ["margin"], "none", { inputs1, inputs2, targets }, (p, reduce) => {
    checkSame("marginRankingLoss", inputs1, "inputs1", inputs2, "inputs2");
    checkSame("marginRankingLoss", inputs1, "inputs1", targets, "targets");
    const margin = checkNumber("nn.losses.marginRankingLoss", "margin", p.margin ?? 0);
    // MLX's operand order (0 first): where the hinge is exactly 0 the tie gives the inputs the gradient, as MLX's maximum rule does
    return reduce(ops.maximum(0, ops.add(ops.negative(ops.multiply(targets, ops.subtract(inputs1, inputs2))), margin)));
  });
}

export interface GaussianNllOptions extends ReductionOptions {
  /** Add the constant 0.5 log(2 pi) (default false). */
  full?: boolean | undefined;
  /** The smallest variance used (default 1e-6). */
  eps?: number | undefined;
}

/**
 * The Gaussian negative log likelihood of `targets` under N(inputs, vars):
 * `0.5 (log v + (t - x)^2 / v)` with v clamped to `eps`. Default reduction "mean".
 * The options come positionally too, in MLX's order: full, eps, reduction.
 * @example
 * ```ts
 * const x = mx.array([1], mx.float32);
 * await mx.nn.losses.gaussianNllLoss(x, x, mx.array([1], mx.float32)).item(); // 0
 * ```
 */
export function gaussianNllLoss(inputs: MxArray, targets: MxArray, vars: MxArray, ...rest: KeywordArgs<[["full", boolean], ["eps", number], ReductionParameter], GaussianNllOptions>): MxArray {
  return loss<GaussianNllOptions>("gaussianNllLoss", arguments, ["full", "eps"], "mean", { inputs, targets, vars }, (p, reduce) => {
    checkSame("gaussianNllLoss", inputs, "inputs", targets, "targets");
    checkSame("gaussianNllLoss", inputs, "inputs", vars, "vars");
    const full = checkBool("nn.losses.gaussianNllLoss", "full", p.full ?? false);
    const eps = checkNumber("nn.losses.gaussianNllLoss", "eps", p.eps ?? 1e-6, 0);
    const v = ops.maximum(vars, eps);
    const l = ops.multiply(ops.add(ops.log(v), ops.divide(ops.square(ops.subtract(targets, inputs)), v)), 0.5);
    return reduce(full ? ops.add(l, 0.5 * Math.log(2 * Math.PI)) : l);
  });
}
