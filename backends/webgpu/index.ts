// The WebGPU backend on Dawn: starts the device (awaited once, at import of
// the package entry) and registers the kernels it has; where Dawn cannot
// start, the backend is marked unavailable with Dawn's reason.

import { markUnavailable, registerBackend, type Kernel } from "../backend.js";
import { WebGpuBackend } from "./backend.js";
import { startGpu } from "./device.js";
import { familyKernels } from "../kernel-table.js";
import { astypeKernel, binaryKernel, contiguousCopy, unaryKernel, whereKernel } from "./elementwise.js";
import { reduceKernel } from "./reduce.js";
import { matmulKernel } from "./matmul.js";
import { arangeKernel, randomBitsKernel } from "./generators.js";
import { concatenateKernel, padKernel } from "./gather.js";
import { logsumexpKernel, softmaxKernel } from "./softmax.js";

function kernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return {
    ...familyKernels({ unary: unaryKernel(gpu), binary: binaryKernel(gpu), reduce: reduceKernel(gpu), copy: (t) => contiguousCopy(gpu, t) }),
    where: whereKernel(gpu),
    astype: astypeKernel(gpu),
    matmul: matmulKernel(gpu),
    concatenate: concatenateKernel(gpu),
    pad: padKernel(gpu),
    softmax: softmaxKernel(gpu),
    logsumexp: logsumexpKernel(gpu),
    arange: arangeKernel(gpu),
    randomBits: randomBitsKernel(gpu),
  };
}

/** Starts Dawn and registers the backend; MLX_TS_WEBGPU=0 skips it. */
export async function registerWebGpu(): Promise<void> {
  if (process.env.MLX_TS_WEBGPU === "0") {
    markUnavailable("webgpu", "disabled by MLX_TS_WEBGPU=0");
    return;
  }
  const ctx = await startGpu();
  if (typeof ctx === "string") {
    markUnavailable("webgpu", ctx);
    return;
  }
  const gpu = new WebGpuBackend(ctx);
  Object.assign(gpu.kernels, kernels(gpu));
  registerBackend(gpu);
}
