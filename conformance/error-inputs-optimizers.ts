// Error-input entries of mx.optimizers: the optimizer classes (probed through
// their constructors), MultiOptimizer, clipGradNorm and the schedules: their
// arguments, a valid call, and the calls they refuse.

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
/** An optimizer's options object (no stream: optimizers build their updates on the parameters' streams). */
const options = (fields: Record<string, ArgSpec>): ArgSpec => ({ kind: "options", names: ["options"], fields });
const LR = arg("any", "learningRate", "learning rate");
const construct = (f: (...a: unknown[]) => unknown, args: unknown[]) => new (f as unknown as new (...a: unknown[]) => unknown)(...args);
const num = (name: string) => arg("number", name);
const bool = (name: string) => arg("bool", name);
const betas = arg("any", "betas");

/** An optimizer class: `new Opt(learningRate, options)`. */
function optimizer(name: string, fields: Record<string, ArgSpec>, valid: Record<string, unknown>, bad: ErrorEntry["bad"] = []): ErrorEntry {
  return { name: `optimizers.${name}`, args: [LR, options(fields)], valid: () => [0.01, { ...valid }], call: construct, bad };
}

export const OPTIMIZERS_ERROR_ENTRIES: readonly ErrorEntry[] = [
  { name: "optimizers.Optimizer", args: [arg("any", "op")], valid: () => ["MyOptimizer"], call: construct },
  optimizer("SGD", { momentum: num("momentum"), weightDecay: num("weightDecay"), dampening: num("dampening"), nesterov: bool("nesterov") }, { momentum: 0.9, nesterov: true }, [
    { label: "nesterov without momentum", args: () => [0.1, { nesterov: true }], names: ["nesterov"] },
  ]),
  optimizer("RMSprop", { alpha: num("alpha"), eps: num("eps") }, { alpha: 0.9 }),
  optimizer("Adagrad", { eps: num("eps") }, { eps: 1e-6 }),
  optimizer("AdaDelta", { rho: num("rho"), eps: num("eps") }, { rho: 0.8 }),
  optimizer("Adam", { betas, eps: num("eps"), biasCorrection: bool("biasCorrection") }, { betas: [0.8, 0.9], biasCorrection: true }, [
    { label: "a beta of 1", args: () => [0.1, { betas: [0.9, 1] }], names: ["betas[1]"] },
  ]),
  optimizer("AdamW", { betas, eps: num("eps"), biasCorrection: bool("biasCorrection"), weightDecay: num("weightDecay") }, { weightDecay: 0.1 }),
  optimizer("Adamax", { betas, eps: num("eps") }, { betas: [0.8, 0.9] }),
  optimizer("Lion", { betas, weightDecay: num("weightDecay") }, { weightDecay: 0.1 }),
  optimizer("Muon", { momentum: num("momentum"), weightDecay: num("weightDecay"), nesterov: bool("nesterov"), nsSteps: arg("int", "nsSteps") }, { nsSteps: 3 }),
  {
    name: "optimizers.Adafactor",
    args: [LR, options({ eps: arg("any", "eps"), clipThreshold: num("clipThreshold"), decayRate: num("decayRate"), beta1: num("beta1"), weightDecay: num("weightDecay"), scaleParameter: bool("scaleParameter"), relativeStep: bool("relativeStep"), warmupInit: bool("warmupInit") })],
    valid: () => [0.01, { relativeStep: false, beta1: 0.9 }],
    call: construct,
    bad: [{ label: "no learning rate without a relative step", args: () => [undefined, { relativeStep: false }], names: ["learningRate"] }],
  },
  {
    name: "optimizers.MultiOptimizer",
    args: [arg("any", "optimizers"), arg("any", "filters")],
    valid: () => [[new mx.optimizers.SGD(0.1), new mx.optimizers.Adam(0.1)], [(path: string) => path.startsWith("a")]],
    call: construct,
    bad: [{ label: "one filter too many", args: () => [[new mx.optimizers.SGD(0.1)], [() => true]], names: ["filters"] }],
  },
  {
    name: "optimizers.clipGradNorm",
    args: [arg("tree", "grads"), num("maxNorm")],
    valid: () => [{ w: mx.array([3, 4], mx.float32), b: [mx.array([1], mx.float32)] }, 1],
    bad: [{ label: "a leaf that is not an array", args: () => [{ w: 3 }, 1], names: ["grads"] }],
  },
  { name: "optimizers.exponentialDecay", args: [num("init"), num("decayRate")], valid: () => [0.1, 0.9] },
  { name: "optimizers.stepDecay", args: [num("init"), num("decayRate"), arg("int", "stepSize")], valid: () => [0.1, 0.9, 10] },
  { name: "optimizers.cosineDecay", args: [num("init"), arg("int", "decaySteps"), num("end")], valid: () => [0.1, 100, 0.01] },
  { name: "optimizers.linearSchedule", args: [num("init"), num("end"), arg("int", "steps")], valid: () => [0, 0.1, 10] },
  {
    name: "optimizers.joinSchedules",
    args: [arg("any", "schedules"), arg("any", "boundaries")],
    valid: () => [[mx.optimizers.linearSchedule(0, 0.1, 10), mx.optimizers.cosineDecay(0.1, 100)], [10]],
    bad: [{ label: "boundaries of the wrong count", args: () => [[mx.optimizers.cosineDecay(0.1, 100)], [10]], names: ["boundaries"] }],
  },
];
