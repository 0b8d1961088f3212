// Adafactor, as MLX's optimizers.Adafactor: second moments factored into
// row and column averages for matrices, a relative step size, update
// clipping and parameter scaling.

import type { MxArray } from "../array.js";
import type { KeywordArgs } from "../keyword-args.js";
import { float32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import * as ops from "../ops/index.js";
import { checkBool, checkLearningRate, checkNumber, optimizerArgs, orDefault, type LearningRate } from "./checks.js";
import { Optimizer, type ParameterState } from "./optimizer.js";

export interface AdafactorOptions {
  /** (ε1 added to g², ε2 the least parameter scale) (default [1e-30, 1e-3]). */
  eps?: readonly [number, number] | undefined;
  /** The RMS the unscaled update is clipped to (default 1). */
  clipThreshold?: number | undefined;
  /** The exponent of the second-moment decay, β2 = 1 − t^decayRate (default −0.8). */
  decayRate?: number | undefined;
  /** First-moment coefficient; none (the default) keeps no first moment. */
  beta1?: number | undefined;
  /** Weight decay (default 0). */
  weightDecay?: number | undefined;
  /** Scale the step by max(ε2, RMS(w)) (default true). */
  scaleParameter?: boolean | undefined;
  /** Use min(1e-2, 1/√t) as the step size instead of the learning rate (default true). */
  relativeStep?: boolean | undefined;
  /** With `relativeStep`, min(1e-6 t, 1/√t) (default false). */
  warmupInit?: boolean | undefined;
}

const rms = (x: MxArray) => ops.sqrt(ops.mean(ops.square(x)));

/**
 * Adafactor (MLX's `Adafactor`, Shazeer and Stern 2018): `new Adafactor()`,
 * `new Adafactor(learningRate, { relativeStep: false, ... })`,
 * `new Adafactor({ learningRate, relativeStep: false, ... })` or MLX's
 * parameters positionally in MLX's order (`new Adafactor(null, [1e-30, 1e-3], 1)`);
 * the learning rate is used only when `relativeStep` is false.
 * @example
 * ```ts
 * const opt = new mx.optimizers.Adafactor();
 * const w = mx.ones([2, 3]);
 * opt.init({ w });
 * Object.keys(opt.state.w as object); // ["exp_avg_sq_row", "exp_avg_sq_col"]
 * const next = opt.applyGradients({ w: mx.ones([2, 3]) }, { w }) as { w: mx.MxArray };
 * // step 1: relative step 1e-2, scaled by RMS(w) = 1, update of RMS 1
 * Math.abs(await next.w.max().toNumber() - 0.99) < 1e-6; // true
 * ```
 */
export class Adafactor extends Optimizer {
  readonly eps: readonly [number, number];
  readonly clipThreshold: number;
  readonly decayRate: number;
  readonly beta1: number | undefined;
  readonly weightDecay: number;
  readonly scaleParameter: boolean;
  readonly relativeStep: boolean;
  readonly warmupInit: boolean;

  /** MLX's keyword form: every argument in one options object. */
  constructor(options: { learningRate?: LearningRate | undefined } & AdafactorOptions);
  /**
   * The learning rate (optional: null or undefined is MLX's None), then
   * MLX's `eps`, `clipThreshold`, `decayRate`, `beta1`, `weightDecay`,
   * `scaleParameter`, `relativeStep` and `warmupInit` positionally in MLX's
   * order (`new Adafactor(1e-3, [1e-30, 1e-3], 1, -0.8, null, 0, true, false)`),
   * or, from any of them on, in an options object.
   */
  constructor(...args: [learningRate?: LearningRate | null, ...rest: KeywordArgs<[["eps", readonly [number, number]], ["clipThreshold", number], ["decayRate", number], ["beta1", number], ["weightDecay", number], ["scaleParameter", boolean], ["relativeStep", boolean], ["warmupInit", boolean]], AdafactorOptions>]);
  constructor(..._args: unknown[]) {
    const op = "optimizers.Adafactor";
    super(op);
    const a = optimizerArgs(op, arguments, ["learningRate", "eps", "clipThreshold", "decayRate", "beta1", "weightDecay", "scaleParameter", "relativeStep", "warmupInit"]);
    const eps = orDefault(a.eps, [1e-30, 1e-3]);
    if (!Array.isArray(eps) || eps.length !== 2) throw opError(op, `eps must be a list of two numbers [eps1, eps2], got ${describeValue(eps)}`, [], "type");
    this.eps = [checkNumber(op, "eps[0]", eps[0], 0), checkNumber(op, "eps[1]", eps[1], 0)];
    this.clipThreshold = checkNumber(op, "clipThreshold", orDefault(a.clipThreshold, 1), 0, Infinity, { lo: true });
    this.decayRate = checkNumber(op, "decayRate", orDefault(a.decayRate, -0.8));
    this.beta1 = a.beta1 === undefined ? undefined : checkNumber(op, "beta1", a.beta1, 0, 1);
    this.weightDecay = checkNumber(op, "weightDecay", orDefault(a.weightDecay, 0));
    this.scaleParameter = checkBool(op, "scaleParameter", orDefault(a.scaleParameter, true));
    this.relativeStep = checkBool(op, "relativeStep", orDefault(a.relativeStep, true));
    this.warmupInit = checkBool(op, "warmupInit", orDefault(a.warmupInit, false));
    if (a.learningRate !== undefined) this.maybeSchedule("learning_rate", checkLearningRate(op, a.learningRate));
    else if (!this.relativeStep) throw opError(op, "learningRate is needed when relativeStep is false", [], "value");
  }

  protected initSingle(parameter: MxArray, state: ParameterState): void {
    const s = parameter.shape;
    if (parameter.ndim >= 2) {
      state.exp_avg_sq_row = ops.zeros(s.slice(0, -1), parameter.dtype);
      state.exp_avg_sq_col = ops.zeros([...s.slice(0, -2), s[s.length - 1]!], parameter.dtype);
    } else state.exp_avg_sq = ops.zerosLike(parameter);
    if (this.beta1 !== undefined) state.exp_avg = ops.zerosLike(parameter);
  }

  private stepSize(parameterRms: MxArray): MxArray {
    const step = ops.astype(this.step, float32);
    const size = this.relativeStep ? ops.minimum(this.warmupInit ? ops.multiply(1e-6, step) : 1e-2, ops.rsqrt(step)) : this.learningRate;
    const relative = ops.astype(size, parameterRms.dtype);
    return this.scaleParameter ? ops.multiply(ops.maximum(this.eps[1], parameterRms), relative) : relative;
  }

  protected applySingle(gradient: MxArray, parameter: MxArray, state: ParameterState): MxArray {
    const parameterRms = rms(parameter);
    const lr = this.stepSize(parameterRms);
    const beta2 = ops.subtract(1, ops.astype(ops.power(ops.astype(this.step, float32), this.decayRate), parameterRms.dtype));
    let update = ops.add(ops.square(gradient), this.eps[0]);
    if (gradient.ndim >= 2) {
      const row = ops.add(ops.multiply(beta2, state.exp_avg_sq_row!), ops.multiply(ops.subtract(1, beta2), ops.mean(update, -1)));
      const col = ops.add(ops.multiply(beta2, state.exp_avg_sq_col!), ops.multiply(ops.subtract(1, beta2), ops.mean(update, -2)));
      state.exp_avg_sq_row = row;
      state.exp_avg_sq_col = col;
      const rFactor = ops.rsqrt(ops.divide(row, ops.mean(row, -1, { keepdims: true })));
      const cFactor = ops.rsqrt(col);
      update = ops.multiply(ops.multiply(ops.expandDims(rFactor, -1), ops.expandDims(cFactor, -2)), gradient);
    } else {
      const avg = ops.add(ops.multiply(beta2, state.exp_avg_sq!), ops.multiply(ops.subtract(1, beta2), update));
      state.exp_avg_sq = avg;
      update = ops.multiply(ops.rsqrt(avg), gradient);
    }
    update = ops.divide(update, ops.maximum(1, ops.divide(rms(update), this.clipThreshold)));
    update = ops.multiply(lr, update);
    if (this.beta1 !== undefined) {
      const avg = ops.add(ops.multiply(this.beta1, state.exp_avg!), ops.multiply(1 - this.beta1, update));
      state.exp_avg = avg;
      update = avg;
    }
    let p = parameter;
    if (this.weightDecay !== 0) p = ops.add(p, ops.multiply(p, ops.multiply(-this.weightDecay, lr)));
    return ops.subtract(p, update);
  }
}
