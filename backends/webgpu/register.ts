// The WebGPU backend on an adapter an entry found (Dawn in Node: index.ts;
// navigator.gpu in a browser: browser.ts): opens the device and registers the
// kernels it has; with no adapter or device, marks webgpu unavailable with the reason.

import { markUnavailable, registerBackend, type Kernel } from "../backend.js";
import { WebGpuBackend } from "./backend.js";
import { openDevice, type FoundAdapter } from "./device.js";
import { derivedMultiKernels, familyKernels, numberOfElementsKernel, takeKernel } from "../kernel-table.js";
import { astypeKernel, binaryKernel, contiguousCopy, unaryKernel, whereKernel } from "./elementwise.js";
import { reduceKernel } from "./reduce.js";
import { matmulKernel } from "./matmul.js";
import { convKernel } from "./conv.js";
import { fftKernel } from "./fft.js";
import { quantizeKernel, quantizedKernels } from "./quantized.js";
import { fp8Kernels } from "./fp8.js";
import { arangeKernel, randomBitsKernel } from "./generators.js";
import { concatenateKernel, padKernel } from "./gather.js";
import { gatherAxisKernel, scatterAxisKernel, sliceUpdateKernel } from "./indexing.js";
import { logsumexpKernel, softmaxKernel } from "./softmax.js";
import { scanKernel } from "./scan.js";
import { fastKernels } from "./fast.js";
import { attentionKernel } from "./fast-attention.js";
import { sortKernels } from "./sort.js";
import { stridedKernels } from "../strided.js";
import { dtypeViewKernel } from "../dtype-view.js";
import { customKernelWebGpu } from "./custom-kernel.js";
import { refuseInt64, refuseInt64Multi } from "./int64-support.js";
import { refuseComplex64Multi, supportComplex64 } from "./complex64-support.js";
import { linalgKernels, linalgMultiKernels } from "./linalg.js";
import { guardKernels, guardMultiKernels } from "../huge-work.js";

function kernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return {
    ...familyKernels({ unary: unaryKernel(gpu), binary: binaryKernel(gpu), reduce: reduceKernel(gpu), copy: (t) => contiguousCopy(gpu, t) }),
    where: whereKernel(gpu),
    astype: astypeKernel(gpu),
    matmul: matmulKernel(gpu),
    conv: convKernel(gpu),
    concatenate: concatenateKernel(gpu),
    pad: padKernel(gpu),
    softmax: softmaxKernel(gpu),
    logsumexp: logsumexpKernel(gpu),
    scan: scanKernel(gpu),
    ...fastKernels(gpu),
    scaledDotProductAttention: attentionKernel(gpu),
    arange: arangeKernel(gpu),
    randomBits: randomBitsKernel(gpu),
    gatherAxis: gatherAxisKernel(gpu), take: takeKernel(gatherAxisKernel(gpu)), numberOfElements: numberOfElementsKernel(arangeKernel(gpu)), scatterAxis: scatterAxisKernel(gpu), sliceUpdate: sliceUpdateKernel(gpu),
    ...sortKernels(gpu),
    ...stridedKernels((t) => contiguousCopy(gpu, t)),
    ...quantizedKernels(gpu),
    ...fp8Kernels(gpu),
    ...linalgKernels(gpu),
    view: dtypeViewKernel((t) => contiguousCopy(gpu, t)),
  };
}

export async function registerOnAdapter(found: FoundAdapter): Promise<void> {
  if (typeof found === "string") {
    markUnavailable("webgpu", found);
    return;
  }
  const ctx = await openDevice(found.gpu, found.adapter);
  if (typeof ctx === "string") {
    markUnavailable("webgpu", ctx);
    return;
  }
  const gpu = new WebGpuBackend(ctx);
  Object.assign(gpu.kernels, supportComplex64(refuseInt64(kernels(gpu))));
  gpu.kernels.fft = fftKernel(gpu);
  Object.assign(gpu.multiKernels, refuseComplex64Multi(refuseInt64Multi({ ...derivedMultiKernels(gpu.kernels), customKernel: customKernelWebGpu(gpu), quantize: quantizeKernel(gpu), ...linalgMultiKernels(gpu) })));
  // every kernel checks its work and sees canonical views first (backends/huge-work.ts)
  Object.assign(gpu.kernels, guardKernels(gpu.kernels));
  Object.assign(gpu.multiKernels, guardMultiKernels(gpu.multiKernels));
  registerBackend(gpu);
}
