// The learning-rate schedules of MLX's mlx.optimizers: functions of the step
// count (an array or a number) giving the value at that step, passed to an optimizer as
// its learning rate.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { float32, int64 } from "../dtype.js";
import * as ops from "../ops/index.js";
import { checkInt, checkNumber, type Schedule } from "./checks.js";

const asArray = (v: MxArray | number) => (v instanceof MxArray ? v : ops.array(v));

/** The step count: an array, or a number as MLX's schedules take a Python int (`step_decay(...)(2500)`). */
function checkStep(op: string, step: unknown): MxArray {
  if (typeof step === "number" && Number.isFinite(step)) return ops.array(step);
  if (!(step instanceof MxArray)) throw opError(op, `step must be an array or a finite number (the step count), got ${describeValue(step)}`, [], "type");
  return step;
}

/**
 * `init · decayRate^step` (MLX's `exponential_decay`).
 * @example
 * ```ts
 * const lr = mx.optimizers.exponentialDecay(0.1, 0.9);
 * Math.abs(await lr(mx.array(5)).toNumber() - 0.1 * 0.9 ** 5) < 1e-7; // true
 * ```
 */
export function exponentialDecay(init: number, decayRate: number): (step: MxArray | number) => MxArray {
  const op = "optimizers.exponentialDecay";
  checkNumber(op, "init", init);
  checkNumber(op, "decayRate", decayRate);
  return (step) => ops.multiply(init, ops.power(decayRate, ops.astype(checkStep(op, step), float32)));
}

/**
 * `init · decayRate^⌊step / stepSize⌋` (MLX's `step_decay`).
 * @example
 * ```ts
 * const lr = mx.optimizers.stepDecay(0.1, 0.9, 10);
 * Math.abs(await lr(mx.array(21)).toNumber() - 0.081) < 1e-7; // true
 * ```
 */
export function stepDecay(init: number, decayRate: number, stepSize: number): (step: MxArray | number) => MxArray {
  const op = "optimizers.stepDecay";
  checkNumber(op, "init", init);
  checkNumber(op, "decayRate", decayRate);
  checkInt(op, "stepSize", stepSize, 1);
  return (step) => ops.multiply(init, ops.power(decayRate, ops.astype(ops.floorDivide(checkStep(op, step), stepSize), float32)));
}

/**
 * Cosine decay from `init` to `end` over `decaySteps` steps, then constant
 * (MLX's `cosine_decay`): `end + (init − end) · (1 + cos(π · min(step, decaySteps) / decaySteps)) / 2`.
 * @example
 * ```ts
 * const lr = mx.optimizers.cosineDecay(0.1, 1000);
 * Math.abs(await lr(mx.array(4)).toNumber() - 0.0999961) < 1e-7; // true
 * await lr(mx.array(2000)).toNumber(); // 0
 * ```
 */
export function cosineDecay(init: number, decaySteps: number, end = 0): (step: MxArray | number) => MxArray {
  const op = "optimizers.cosineDecay";
  checkNumber(op, "init", init);
  checkInt(op, "decaySteps", decaySteps, 1);
  checkNumber(op, "end", end);
  return (step) => {
    const s = ops.minimum(ops.astype(checkStep(op, step), float32), decaySteps);
    const decay = ops.multiply(0.5, ops.add(1, ops.cos(ops.multiply(Math.PI / decaySteps, s))));
    return ops.add(end, ops.multiply(decay, init - end));
  };
}

/**
 * A straight line from `init` to `end` over `steps` steps, then `end`
 * (MLX's `linear_schedule`).
 * @example
 * ```ts
 * const lr = mx.optimizers.linearSchedule(0, 0.1, 100);
 * Math.abs(await lr(mx.array(50)).toNumber() - 0.05) < 1e-7; // true
 * Math.abs(await lr(mx.array(101)).toNumber() - 0.1) < 1e-7; // true
 * ```
 */
export function linearSchedule(init: number, end: number, steps: number): (step: MxArray | number) => MxArray {
  const op = "optimizers.linearSchedule";
  checkNumber(op, "init", init);
  checkNumber(op, "end", end);
  checkInt(op, "steps", steps, 1);
  return (step) => ops.add(ops.multiply(ops.minimum(ops.astype(checkStep(op, step), float32), steps), (end - init) / steps), init);
}

/**
 * Schedules joined at `boundaries` (MLX's `join_schedules`): schedule i+1
 * takes over at boundary i and sees the steps since that boundary.
 * @example
 * ```ts
 * const warmup = mx.optimizers.linearSchedule(0, 0.1, 10);
 * const lr = mx.optimizers.joinSchedules([warmup, mx.optimizers.cosineDecay(0.1, 200)], [10]);
 * await lr(mx.array(0)).toNumber(); // 0
 * Math.abs(await lr(mx.array(11)).toNumber() - 0.0999938) < 1e-7; // true
 * ```
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): (step: MxArray | number) => MxArray {
  const op = "optimizers.joinSchedules";
  if (!Array.isArray(schedules) || schedules.length === 0) throw opError(op, `schedules must be a non-empty list of schedules, got ${describeValue(schedules)}`, [], "type");
  schedules.forEach((s: unknown, i) => {
    if (typeof s !== "function") throw opError(op, `schedules[${i}] must be a function of the step, got ${describeValue(s)}`, [], "type");
  });
  if (!Array.isArray(boundaries)) throw opError(op, `boundaries must be a list of steps, got ${describeValue(boundaries)}`, [], "type");
  if (boundaries.length !== schedules.length - 1) throw opError(op, `boundaries has ${boundaries.length} steps but ${schedules.length} schedules need ${schedules.length - 1}`, [], "value");
  boundaries.forEach((b, i) => checkInt(op, `boundaries[${i}]`, b, 0));
  return (step) => {
    const s = ops.astype(checkStep(op, step), int64);
    let out = asArray(schedules[0]!(s));
    boundaries.forEach((b, i) => (out = ops.where(ops.less(s, b), out, asArray(schedules[i + 1]!(ops.subtract(s, b))))));
    return out;
  };
}
