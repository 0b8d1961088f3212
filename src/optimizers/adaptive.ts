// The per-coordinate adaptive optimizers of MLX: RMSprop, Adagrad and
// AdaDelta, each scaling the gradient by running averages of its square.

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import * as ops from "../ops/index.js";
import { checkLearningRate, checkNumber, optimizerArgs, orDefault, type LearningRate } from "./checks.js";
import { Optimizer, type ParameterState } from "./optimizer.js";

export interface RMSpropOptions {
  /** Smoothing constant α (default 0.99). */
  alpha?: number | undefined;
  /** Added to the denominator (default 1e-8). */
  eps?: number | undefined;
}

/**
 * RMSprop (MLX's `RMSprop`): `v ← α v + (1 − α) g²`, `w ← w − λ g / (√v + ε)`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.RMSprop(0.01, { alpha: 0.5 });
 * const next = opt.applyGradients({ w: mx.array([2], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
 * // v = 0.5 * 4 = 2, w = 1 - 0.01 * 2 / sqrt(2)
 * Math.abs(await next.w.toNumber() - (1 - 0.01 * Math.SQRT2)) < 1e-6; // true
 * ```
 */
export class RMSprop extends Optimizer {
  readonly alpha: number;
  readonly eps: number;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & RMSpropOptions);
  /**
   * The learning rate, then MLX's `alpha` and `eps` positionally in MLX's order
   * (`new RMSprop(0.01, 0.9)`), or, from any of them on, in an options object.
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["alpha", number], ["eps", number]], RMSpropOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & RMSpropOptions), ..._rest: unknown[]) {
    const op = "optimizers.RMSprop";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "alpha", "eps"]);
    this.alpha = checkNumber(op, "alpha", orDefault(a.alpha, 0.99), 0);
    this.eps = checkNumber(op, "eps", orDefault(a.eps, 1e-8), 0, Infinity, { lo: true });
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.v = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    const v = ops.add(ops.multiply(this.alpha, state.v!), ops.multiply(1 - this.alpha, ops.square(gradient)));
    state.v = v;
    return ops.subtract(parameter, ops.divide(ops.multiply(lr, gradient), ops.add(ops.sqrt(v), this.eps)));
  }
}

export interface AdagradOptions {
  /** Added to the denominator (default 1e-8). */
  eps?: number | undefined;
}

/**
 * Adagrad (MLX's `Adagrad`): `v ← v + g²`, `w ← w − λ g / (√v + ε)`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.Adagrad(0.1);
 * const next = opt.applyGradients({ w: mx.array([3], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
 * Math.abs(await next.w.toNumber() - 0.9) < 1e-6; // true
 * ```
 */
export class Adagrad extends Optimizer {
  readonly eps: number;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & AdagradOptions);
  /**
   * The learning rate, then MLX's `eps` positionally in MLX's order
   * (`new Adagrad(0.01, 1e-6)`), or, from any of them on, in an options object.
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["eps", number]], AdagradOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & AdagradOptions), ..._rest: unknown[]) {
    const op = "optimizers.Adagrad";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "eps"]);
    this.eps = checkNumber(op, "eps", orDefault(a.eps, 1e-8), 0, Infinity, { lo: true });
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.v = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    const v = ops.add(state.v!, ops.square(gradient));
    state.v = v;
    return ops.subtract(parameter, ops.divide(ops.multiply(lr, gradient), ops.add(ops.sqrt(v), this.eps)));
  }
}

export interface AdaDeltaOptions {
  /** Decay ρ of the running averages (default 0.9). */
  rho?: number | undefined;
  /** Added inside the square roots (default 1e-6). */
  eps?: number | undefined;
}

/**
 * AdaDelta (MLX's `AdaDelta`): `v ← ρ v + (1 − ρ) g²`,
 * `Δ = √(u + ε) / √(v + ε) · g`, `u ← ρ u + (1 − ρ) Δ²`, `w ← w − λ Δ`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.AdaDelta(1, { rho: 0.5, eps: 1e-2 });
 * const next = opt.applyGradients({ w: mx.array([1], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
 * // v = 0.5, delta = sqrt(0.01) / sqrt(0.51)
 * Math.abs(await next.w.toNumber() - (1 - 0.1 / Math.sqrt(0.51))) < 1e-6; // true
 * ```
 */
export class AdaDelta extends Optimizer {
  readonly rho: number;
  readonly eps: number;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & AdaDeltaOptions);
  /**
   * The learning rate, then MLX's `rho` and `eps` positionally in MLX's order
   * (`new AdaDelta(1, 0.95)`), or, from any of them on, in an options object.
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["rho", number], ["eps", number]], AdaDeltaOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & AdaDeltaOptions), ..._rest: unknown[]) {
    const op = "optimizers.AdaDelta";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "rho", "eps"]);
    this.rho = checkNumber(op, "rho", orDefault(a.rho, 0.9), 0);
    this.eps = checkNumber(op, "eps", orDefault(a.eps, 1e-6), 0, Infinity, { lo: true });
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.v = ops.zerosLike(parameter);
    state.u = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    const { rho, eps } = this;
    const v = ops.add(ops.multiply(rho, state.v!), ops.multiply(1 - rho, ops.square(gradient)));
    const d = ops.multiply(ops.divide(ops.sqrt(ops.add(state.u!, eps)), ops.sqrt(ops.add(v, eps))), gradient);
    state.u = ops.add(ops.multiply(rho, state.u!), ops.multiply(1 - rho, ops.square(d)));
    state.v = v;
    return ops.subtract(parameter, ops.multiply(lr, d));
  }
}
