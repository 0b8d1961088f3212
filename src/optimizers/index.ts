// mx.optimizers (also the package subpath mlx-ts/optimizers), as MLX's
// mlx.optimizers: the optimizers over parameter trees, gradient clipping and
// the learning-rate schedules. Built from the public ops only.

export { Optimizer, type Tree, type OptimizerState, type ParameterState, type Updatable } from "./optimizer.js";
export type { LearningRate, Schedule } from "./checks.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { RMSprop, Adagrad, AdaDelta, type RMSpropOptions, type AdagradOptions, type AdaDeltaOptions } from "./adaptive.js";
export { Adam, AdamW, Adamax, type AdamOptions, type AdamWOptions, type AdamaxOptions } from "./adam.js";
export { Lion, type LionOptions } from "./lion.js";
export { Adafactor, type AdafactorOptions } from "./adafactor.js";
export { Muon, type MuonOptions } from "./muon.js";
export { MultiOptimizer, type ParameterFilter } from "./multi.js";
export { clipGradNorm } from "./clip.js";
export { exponentialDecay, stepDecay, cosineDecay, linearSchedule, joinSchedules } from "./schedulers.js";
