// The function transforms, gathered: grad, valueAndGrad, vjp, jvp, vmap,
// checkpoint, customFunction, jacrev, jacfwd, hessian, and the tree
// utilities (mx.utils).

export { grad, valueAndGrad, vjp, jvp } from "./autodiff.js";
export type { ArrayFn, ArrayTree, Argnums, ArrayPerArgument, CheckedArgnums, GradOptions, Gradients, InRange, Indices, LossFn, LossOutput, MappableFn, OutputList, ValidArgnums } from "./types.js";
export { vmap, type Axes, type VmapOptions } from "./vmap.js";
export { checkpoint, customFunction, type CustomOutputList, type CustomRules, type RuleTree, type TreeFn } from "./custom.js";
export { jacfwd, jacrev, hessian, type UnaryFn } from "./jacobian.js";
