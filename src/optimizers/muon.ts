// Muon, as MLX's optimizers.Muon: momentum whose update, for matrices, is
// orthogonalized by five Newton-Schulz iterations.

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import * as ops from "../ops/index.js";
import { norm } from "../linalg/norm.js";
import { checkBool, checkInt, checkLearningRate, checkNumber, optimizerArgs, orDefault, type LearningRate } from "./checks.js";
import { Optimizer, type ParameterState } from "./optimizer.js";

export interface MuonOptions {
  /** Momentum strength (default 0.95). */
  momentum?: number | undefined;
  /** L2 penalty added to the gradient (default 0.01). */
  weightDecay?: number | undefined;
  /** Nesterov momentum (default true). */
  nesterov?: boolean | undefined;
  /** Newton-Schulz iterations (default 5). */
  nsSteps?: number | undefined;
}

/** The quintic Newton-Schulz coefficients of MLX's Muon (Keller Jordan's). */
const NS = [3.4445, -4.775, 2.0315] as const;

/**
 * Muon (MLX's `Muon`): `v ← μ v + (1 − μ) g` (g with weight decay added),
 * the update `g (1 − μ) + μ v` (Nesterov) or `v`; a matrix update (arrays of
 * rank > 2 flattened after the first axis) is orthogonalized by Newton-Schulz
 * and its rate scaled by √max(1, rows / cols).
 * @example
 * ```ts
 * const opt = new mx.optimizers.Muon(0.1, { weightDecay: 0 });
 * const next = opt.applyGradients({ w: mx.array([2], mx.float32) }, { w: mx.array([1], mx.float32) }) as { w: mx.MxArray };
 * // a vector: v = 0.1, update = 2 * 0.05 + 0.95 * 0.1
 * Math.abs(await next.w.toNumber() - (1 - 0.1 * 0.195)) < 1e-6; // true
 * ```
 */
export class Muon extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly nsSteps: number;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate: LearningRate } & MuonOptions);
  /**
   * The learning rate, then MLX's `momentum`, `weightDecay`, `nesterov` and `nsSteps` positionally in MLX's order
   * (`new Muon(0.02, 0.95, 0)`), or, from any of them on, in an options object.
   */
  constructor(learningRate: LearningRate, ...rest: KeywordArgs<[["momentum", number], ["weightDecay", number], ["nesterov", boolean], ["nsSteps", number]], MuonOptions>);
  constructor(learningRate: LearningRate | ({ learningRate: LearningRate } & MuonOptions), ..._rest: unknown[]) {
    const op = "optimizers.Muon";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "momentum", "weightDecay", "nesterov", "nsSteps"]);
    this.momentum = checkNumber(op, "momentum", orDefault(a.momentum, 0.95), 0);
    this.weightDecay = checkNumber(op, "weightDecay", orDefault(a.weightDecay, 0.01));
    this.nesterov = checkBool(op, "nesterov", orDefault(a.nesterov, true));
    this.nsSteps = checkInt(op, "nsSteps", orDefault(a.nsSteps, 5), 0);
    this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    state.v = ops.zerosLike(parameter);
  }

  private orthogonalize(x0: MxArray): MxArray {
    const [a, b, c] = NS;
    const tall = x0.shape[0]! > x0.shape[1]!;
    let x = tall ? ops.transpose(x0) : x0;
    x = ops.divide(x, ops.add(norm(x, { keepdims: true }), 1e-7));
    for (let i = 0; i < this.nsSteps; i++) {
      const A = ops.matmul(x, ops.transpose(x));
      const B = ops.addmm(ops.multiply(b, A), A, A, { alpha: c, beta: 1 });
      x = ops.addmm(ops.multiply(a, x), B, x, { alpha: 1, beta: 1 });
    }
    return tall ? ops.transpose(x) : x;
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const g = this.weightDecay !== 0 ? ops.add(gradient, ops.multiply(this.weightDecay, parameter)) : gradient;
    const v = ops.add(ops.multiply(this.momentum, state.v!), ops.multiply(1 - this.momentum, g));
    state.v = v;
    let update = this.nesterov ? ops.add(ops.multiply(g, 1 - this.momentum), ops.multiply(v, this.momentum)) : v;
    let lr = ops.astype(this.learningRate, g.dtype);
    if (update.ndim >= 2) {
      const shape = update.shape;
      const flat = update.ndim > 2 ? ops.reshape(update, [shape[0]!, -1]) : update;
      update = ops.reshape(this.orthogonalize(flat), shape);
      lr = ops.multiply(lr, Math.sqrt(Math.max(1, shape[shape.length - 2]! / shape[shape.length - 1]!)));
    }
    return ops.subtract(parameter, ops.multiply(lr, update));
  }
}
