// The Lion optimizer, as MLX's optimizers.Lion: the sign of an interpolated
// momentum, with decoupled weight decay.

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import * as ops from "../ops/index.js";
import { checkBetas, checkLearningRate, checkNumber, optimizerArgs, orDefault, type LearningRate } from "./checks.js";
import { Optimizer, type ParameterState } from "./optimizer.js";

export interface LionOptions {
  /** (β1, β2) (default [0.9, 0.99]). */
  betas?: readonly [number, number] | undefined;
  /** Decoupled weight decay λ (default 0). */
  weightDecay?: number | undefined;
}

/**
 * Lion (MLX's `Lion`): `c = β1 m + (1 − β1) g`, `m ← β2 m + (1 − β2) g`,
 * `w ← w (1 − η λ) − η sign(c)`.
 * @example
 * ```ts
 * const opt = new mx.optimizers.Lion(0.1);
 * const next = opt.applyGradients({ w: mx.array([5, -0.5], mx.float32) }, { w: mx.array([1, 1], mx.float32) }) as { w: mx.MxArray };
 * await next.w.tolist(); // [0.8999999761581421, 1.100000023841858]
 * ```
 */
export class Lion extends Optimizer {
  readonly betas: readonly [number, number];
  readonly weightDecay: number;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & LionOptions);
  /**
   * The learning rate, then MLX's `betas` and `weightDecay` positionally in MLX's order
   * (`new Lion(1e-4, [0.9, 0.99], 0.01)`), or, from any of them on, in an options object.
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["betas", readonly [number, number]], ["weightDecay", number]], LionOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & LionOptions), ..._rest: unknown[]) {
    const op = "optimizers.Lion";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "betas", "weightDecay"]);
    this.betas = checkBetas(op, orDefault(a.betas, [0.9, 0.99]));
    this.weightDecay = checkNumber(op, "weightDecay", orDefault(a.weightDecay, 0));
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.m = ops.zerosLike(parameter);
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const lr = ops.astype(this.learningRate, gradient.dtype);
    const [b1, b2] = this.betas;
    const m = state.m!;
    const c = ops.add(ops.multiply(b1, m), ops.multiply(1 - b1, gradient));
    state.m = ops.add(ops.multiply(b2, m), ops.multiply(1 - b2, gradient));
    const p = this.weightDecay > 0 ? ops.multiply(ops.subtract(1, ops.multiply(lr, this.weightDecay)), parameter) : parameter;
    return ops.subtract(p, ops.multiply(lr, ops.sign(c)));
  }
}
