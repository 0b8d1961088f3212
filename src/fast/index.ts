// mx.fast: MLX's fast namespace. Fused operations (norms, rope, attention)
// that backends run as one kernel and the cpu reference computes in float64,
// and user-written kernels (metalKernel, wgslKernel) checked against a reference.
export { layerNorm, rmsNorm } from "./norms.js";
export { rope, type RopeOptions } from "./rope.js";
export { scaledDotProductAttention, type AttentionOptions } from "./attention.js";
export { metalKernel } from "./metal-kernel.js";
export { wgslKernel } from "./wgsl-kernel.js";
export type { KernelCallOptions, KernelConfig, KernelContract, TemplateValue, UserKernel } from "./custom-kernel.js";
