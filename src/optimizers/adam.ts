// Adam and its variants, as MLX's Adam (with optional bias correction),
// AdamW (decoupled weight decay) and Adamax (the infinity norm).

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import { float32 } from "../dtype.js";
import * as ops from "../ops/index.js";
import { checkBetas, checkBool, checkLearningRate, checkNumber, optimizerArgs, orDefault, type LearningRate } from "./checks.js";
import { Optimizer, type ParameterState } from "./optimizer.js";

export interface AdamOptions {
  /** (β1, β2) of the running averages of the gradient and its square (default [0.9, 0.999]). */
  betas?: readonly [number, number] | undefined;
  /** Added to the denominator (default 1e-8). */
  eps?: number | undefined;
  /** Divide the moments by 1 − β^t (default false, as MLX). */
  biasCorrection?: boolean | undefined;
}

export interface AdamWOptions extends AdamOptions {
  /** Decoupled weight decay λ (default 0.01). */
  weightDecay?: number | undefined;
}

export interface AdamaxOptions {
  /** (β1, β2) (default [0.9, 0.999]). */
  betas?: readonly [number, number] | undefined;
  /** Added to the denominator (default 1e-8). */
  eps?: number | undefined;
}

/** `b^step` as a float32 scalar (MLX: a float raised to the uint64 step). */
const powStep = (b: number, step: MxArray) => ops.power(b, ops.astype(step, float32));

/**
 * Adam (MLX's `Adam`): `m ← β1 m + (1 − β1) g`, `v ← β2 v + (1 − β2) g²`,
 * `w ← w − λ m / (√v + ε)`; with `biasCorrection`,
 * `w ← w − (λ / (1 − β1^t)) m / (√v / √(1 − β2^t) + ε)`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.Adam(0.1, { biasCorrection: true });
 * const next = opt.applyGradients({ w: mx.array([3], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
 * Math.abs(await next.w.toNumber() - 0.9) < 1e-6; // true
 * ```
 */
export class Adam extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly biasCorrection: boolean;

  /** The name errors carry and the parameters after the learning rate in MLX's order, per class (AdamW adds weightDecay before biasCorrection). */
  protected static readonly opName: string = "optimizers.Adam";
  protected static readonly parameterNames: readonly string[] = ["betas", "eps", "biasCorrection"];

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & AdamOptions);
  /**
   * The learning rate, then MLX's `betas`, `eps` and `biasCorrection`
   * positionally in MLX's order (`new Adam(1e-3, [0.9, 0.99])`), or, from
   * any of them on, in an options object (`new Adam(1e-3, { biasCorrection: true })`).
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["betas", readonly [number, number]], ["eps", number], ["biasCorrection", boolean]], AdamOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & AdamOptions), ..._rest: unknown[]) {
    const cls = new.target as unknown as { opName: string; parameterNames: readonly string[] };
    const op = cls.opName;
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", ...cls.parameterNames]);
    this.betas = checkBetas(op, orDefault(a.betas, [0.9, 0.999]));
    this.eps = checkNumber(op, "eps", orDefault(a.eps, 1e-8), 0);
    this.biasCorrection = checkBool(op, "biasCorrection", orDefault(a.biasCorrection, false));
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.m = ops.zerosLike(parameter);
    state.v = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    const [b1, b2] = this.betas;
    const m = ops.add(ops.multiply(b1, state.m!), ops.multiply(1 - b1, gradient));
    const v = ops.add(ops.multiply(b2, state.v!), ops.multiply(1 - b2, ops.square(gradient)));
    state.m = m;
    state.v = v;
    if (!this.biasCorrection) return ops.subtract(parameter, ops.divide(ops.multiply(lr, m), ops.add(ops.sqrt(v), this.eps)));
    const c1 = ops.astype(ops.divide(lr, ops.subtract(1, powStep(b1, this.step))), gradient.dtype);
    const c2 = ops.astype(ops.rsqrt(ops.subtract(1, powStep(b2, this.step))), gradient.dtype);
    return ops.subtract(parameter, ops.divide(ops.multiply(c1, m), ops.add(ops.multiply(ops.sqrt(v), c2), this.eps)));
  }
}

/**
 * AdamW (MLX's `AdamW`): Adam applied to `w (1 − λ_lr · weightDecay)`, the
 * weight decay decoupled from the gradient.
 * @example
 * ```ts
 * const opt = new mx.optimizers.AdamW(0.1, { weightDecay: 0.5 });
 * const next = opt.applyGradients({ w: mx.array([0], mx.float32) }, { w: mx.array([2], mx.float32) }) as { w: mx.MxArray };
 * Math.abs(await next.w.toNumber() - 1.9) < 1e-6; // true
 * ```
 */
export class AdamW extends Adam {
  readonly weightDecay: number;

  protected static override readonly opName: string = "optimizers.AdamW";
  protected static override readonly parameterNames: readonly string[] = ["betas", "eps", "weightDecay", "biasCorrection"];

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & AdamWOptions);
  /**
   * The learning rate, then MLX's `betas`, `eps`, `weightDecay` and
   * `biasCorrection` positionally in MLX's order (`new AdamW(1e-3, [0.9, 0.999], 1e-8, 0.1)`),
   * or, from any of them on, in an options object (`new AdamW(1e-3, { weightDecay: 0.1 })`).
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["betas", readonly [number, number]], ["eps", number], ["weightDecay", number], ["biasCorrection", boolean]], AdamWOptions>);
  constructor(...args: [{ learningRate: LearningRate } & AdamWOptions] | [LearningRate, ...unknown[]]) {
    super(...(args as [LearningRate]));
    const a = optimizerArgs(this.op, arguments, ["learningRate", ...AdamW.parameterNames]);
    this.weightDecay = checkNumber(this.op, "weightDecay", orDefault(a.weightDecay, 0.01));
  }

  protected override applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    return super.applySingle(gradient, ops.multiply(parameter, ops.subtract(1, ops.multiply(lr, this.weightDecay))), state);
  }
}

/**
 * Adamax (MLX's `Adamax`): `m ← β1 m + (1 − β1) g`, `v ← max(β2 v, |g|)`,
 * `w ← w − λ m / (v + ε)`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.Adamax(0.1);
 * const next = opt.applyGradients({ w: mx.array([-2], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
 * // m = -0.2, v = 2
 * Math.abs(await next.w.toNumber() - 1.01) < 1e-6; // true
 * ```
 */
export class Adamax extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & AdamaxOptions);
  /**
   * The learning rate, then MLX's `betas` and `eps` positionally in MLX's
   * order (`new Adamax(2e-3, [0.9, 0.99])`), or, from any of them on, in an options object.
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["betas", readonly [number, number]], ["eps", number]], AdamaxOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & AdamaxOptions), ..._rest: unknown[]) {
    const op = "optimizers.Adamax";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "betas", "eps"]);
    this.betas = checkBetas(op, orDefault(a.betas, [0.9, 0.999]));
    this.eps = checkNumber(op, "eps", orDefault(a.eps, 1e-8), 0);
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.m = ops.zerosLike(parameter);
    state.v = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    const [b1, b2] = this.betas;
    const m = ops.add(ops.multiply(b1, state.m!), ops.multiply(1 - b1, gradient));
    const v = ops.maximum(ops.multiply(b2, state.v!), ops.abs(gradient));
    state.m = m;
    state.v = v;
    return ops.subtract(parameter, ops.divide(ops.multiply(lr, m), ops.add(v, this.eps)));
  }
}
