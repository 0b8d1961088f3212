// Argument checks shared by the optimizers and schedules: hyperparameters
// (finite numbers in a range), learning rates (a number, a scalar array or a
// schedule) and options objects, each error naming the call and the argument.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { noExtraArguments } from "../ops/strict-options.js";
import { keywords } from "../keyword-args.js";
import { checkNumber } from "../argument-checks.js";

export { checkBool, checkInt, checkNumber } from "../argument-checks.js";

/** A schedule: the value of a hyperparameter at a step (MLX passes the step count as a uint64 array). */
export type Schedule = (step: MxArray) => MxArray | number;
/** A learning rate: a number, a scalar array, or a schedule of the step. */
export type LearningRate = number | MxArray | Schedule;

/** An option's value, or its default when it was left out (undefined); null is a value, and is refused by the check it goes to. */
export function orDefault<T>(v: T | undefined, dflt: T): T {
  return v === undefined ? dflt : v;
}

/** A pair of betas, each in [0, 1). */
export function checkBetas(op: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw opError(op, `betas must be a list of two numbers, got ${describeValue(v)}`, [], "type");
  // the whole pair named in the message (a list given positionally may have been meant as something else)
  const beta = (i: number) => {
    const b: unknown = v[i];
    if (typeof b !== "number" || !Number.isFinite(b) || b < 0 || b >= 1) throw opError(op, `betas[${i}] must be a finite number in [0, 1), got ${describeValue(b)} (betas ${describeValue(v)})`, [], typeof b === "number" ? "range" : "type");
    return b;
  };
  return [beta(0), beta(1)];
}

export function checkLearningRate(op: string, v: unknown): LearningRate {
  if (typeof v === "function") return v as Schedule;
  if (v instanceof MxArray) {
    if (v.isDisposed) throw opError(op, "learningRate is a disposed array", [], "value");
    if (v.size !== 1 || v.dtype.kind === "complex" || v.dtype.kind === "bool") throw opError(op, `learningRate must be a real scalar array, got ${describeValue(v)}`, [], "type");
    return v;
  }
  return checkNumber(op, "learningRate", v);
}

/**
 * The arguments of an optimizer's constructor, MLX's positional-or-keyword
 * parameters `names` (the learning rate first) in MLX's order: any leading
 * part of them positionally, then optionally an options object with the
 * rest (`new SGD(0.1, 0.9, { nesterov: true })`); or one options object with
 * all of them, the learning rate too (`new SGD({ learningRate: 0.1 })`).
 * A positional null is MLX's None: the default. `args` are the
 * constructor's arguments; returns each name's value, undefined where not
 * given, for the caller to check.
 */
export function optimizerArgs(op: string, args: IArguments, names: readonly string[]): Record<string, unknown> {
  noExtraArguments(op, args, names.length);
  const given = Array.from(args);
  const values = keywords(op, given, names);
  given.forEach((v, i) => {
    if (v === null) values[names[i]!] = undefined;
  });
  return values;
}
