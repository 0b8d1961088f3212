// mlx.nn.utils as MLX's: the module-level helpers also reachable as nn.valueAndGrad,
// nn.checkpoint and nn.averageGradients, under the path MLX programs import them from
// (`nn.utils.average_gradients(grads)` in MLX's examples).

export { valueAndGrad } from "./value-and-grad.js";
export { checkpoint } from "./checkpoint.js";
export { averageGradients, clipGradNormSharded } from "./distributed.js";
