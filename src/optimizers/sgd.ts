// Stochastic gradient descent, as MLX's optimizers.SGD: momentum with
// dampening, Nesterov momentum, and weight decay (an L2 penalty added to the
// gradient).

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import { opError } from "../errors.js";
import * as ops from "../ops/index.js";
import { checkBool, checkLearningRate, checkNumber, optimizerArgs, orDefault, type LearningRate } from "./checks.js";
import { Optimizer, type ParameterState } from "./optimizer.js";

export interface SGDOptions {
  /** Momentum strength μ (default 0: plain SGD). */
  momentum?: number | undefined;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay?: number | undefined;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number | undefined;
  /** Nesterov momentum (default false; needs a momentum and no dampening). */
  nesterov?: boolean | undefined;
}

/**
 * SGD (MLX's `SGD`): `v ← μ v + (1 − τ) g`, `w ← w − λ v` (with Nesterov,
 * `w ← w − λ (g + μ v)`), with `g + weightDecay · w` for `g`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.SGD(0.1, 0.9); // or new mx.optimizers.SGD(0.1, { momentum: 0.9 })
 * const p = { w: mx.array([1], mx.float32) };
 * const g = { w: mx.array([1], mx.float32) };
 * const p1 = opt.applyGradients(g, p) as typeof p; // v = 1, w = 1 - 0.1
 * const p2 = opt.applyGradients(g, p1) as typeof p; // v = 1.9, w = 0.9 - 0.19
 * Math.abs(await p2.w.toNumber() - 0.71) < 1e-6; // true
 * ```
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & SGDOptions);
  /**
   * The learning rate, then MLX's `momentum`, `weightDecay`, `dampening`
   * and `nesterov` positionally in MLX's order (`new SGD(0.1, 0.9)`), or,
   * from any of them on, in an options object (`new SGD(0.1, { momentum: 0.9 })`).
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["momentum", number], ["weightDecay", number], ["dampening", number], ["nesterov", boolean]], SGDOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & SGDOptions), ..._rest: unknown[]) {
    const op = "optimizers.SGD";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "momentum", "weightDecay", "dampening", "nesterov"]);
    this.momentum = checkNumber(op, "momentum", orDefault(a.momentum, 0), 0);
    this.weightDecay = checkNumber(op, "weightDecay", orDefault(a.weightDecay, 0));
    this.dampening = checkNumber(op, "dampening", orDefault(a.dampening, 0));
    this.nesterov = checkBool(op, "nesterov", orDefault(a.nesterov, false));
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw opError(op, "nesterov momentum needs a momentum > 0 and a dampening of 0", [], "value");
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.v = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    let g = gradient;
    if (this.weightDecay !== 0) g = ops.add(g, ops.multiply(this.weightDecay, parameter));
    const lr = ops.astype(this.learningRate, g.dtype);
    if (this.momentum <= 0) return ops.subtract(parameter, ops.multiply(lr, g));
    let v = ops.multiply(this.momentum, state.v!);
    v = ops.add(v, this.dampening > 0 ? ops.multiply(1 - this.dampening, g) : g);
    const update = this.nesterov ? ops.add(g, ops.multiply(this.momentum, v)) : v;
    state.v = v;
    return ops.subtract(parameter, ops.multiply(lr, update));
  }
}
