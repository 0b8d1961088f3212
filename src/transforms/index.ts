// The function transforms, gathered: grad, valueAndGrad, vjp, jvp, vmap,
// checkpoint, customFunction, jacrev, jacfwd, hessian, and the tree
// utilities (mx.utils).

export { grad, valueAndGrad, vjp, jvp } from "./autodiff.js";
export type { GradOptions, Gradients, OutputList, ArrayPerArgument } from "./types.js";
export { vmap, type VmapOptions } from "./vmap.js";
export { checkpoint, customFunction, type CustomRules } from "./custom.js";
export { jacfwd, jacrev, hessian } from "./jacobian.js";
