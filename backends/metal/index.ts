// The Metal backend: opens the native device (Metal on macOS, the MSL
// execution layer elsewhere) and registers the kernels it has; where the
// addon or the emulator's compiler is missing, the backend is marked
// unavailable with the reason and the command that fixes it.

import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { markUnavailable, registerBackend, type Kernel } from "../backend.js";
import { derivedMultiKernels, familyKernels, numberOfElementsKernel, takeKernel } from "../kernel-table.js";
import { MetalBackend } from "./backend.js";
import { customKernelMetal } from "./custom-kernel.js";
import { guardComplex, guardComplexMulti } from "./complex.js";
import { astypeKernel, binaryKernel, contiguousCopy, unaryKernel, whereKernel } from "./elementwise.js";
import { arangeKernel, randomBitsKernel } from "./generators.js";
import { concatenateKernel, padKernel } from "./layout.js";
import { gatherAxisKernel, scatterAxisKernel, sliceUpdateKernel } from "./indexing.js";
import { matmulKernel } from "./matmul.js";
import { convKernel } from "./conv.js";
import { fftKernel } from "./fft.js";
import { quantizeKernel, quantizedKernels } from "./quantized.js";
import { fp8Kernels } from "./fp8.js";
import { openNativeDevice } from "./native.js";
import { noticeMetalNotBuilt } from "./notice.js";
import { logsumexpKernel, reduceKernel, softmaxKernel } from "./reduce.js";
import { scanKernel } from "./scan.js";
import { fastKernels } from "./fast.js";
import { attentionKernel } from "./fast-attention.js";
import { sortKernels } from "./sort.js";
import { addLinalgKernels } from "./linalg.js";
import { stridedKernels } from "../strided.js";
import { dtypeViewKernel } from "../dtype-view.js";
import { guardKernels, guardMultiKernels } from "../huge-work.js";

function kernels(metal: MetalBackend): Record<string, Kernel> {
  return {
    ...familyKernels({ unary: unaryKernel(metal), binary: binaryKernel(metal), reduce: reduceKernel(metal), copy: (t) => contiguousCopy(metal, t) }),
    where: whereKernel(metal),
    astype: astypeKernel(metal),
    matmul: matmulKernel(metal),
    conv: convKernel(metal),
    concatenate: concatenateKernel(metal),
    pad: padKernel(metal),
    softmax: softmaxKernel(metal),
    logsumexp: logsumexpKernel(metal),
    scan: scanKernel(metal),
    ...fastKernels(metal),
    scaledDotProductAttention: attentionKernel(metal),
    arange: arangeKernel(metal),
    randomBits: randomBitsKernel(metal),
    gatherAxis: gatherAxisKernel(metal), take: takeKernel(gatherAxisKernel(metal)), numberOfElements: numberOfElementsKernel(arangeKernel(metal)), scatterAxis: scatterAxisKernel(metal), sliceUpdate: sliceUpdateKernel(metal),
    ...sortKernels(metal),
    ...stridedKernels((t) => contiguousCopy(metal, t)),
    ...quantizedKernels(metal),
    ...fp8Kernels(metal),
    view: dtypeViewKernel((t) => contiguousCopy(metal, t)),
  };
}

function onPath(cmd: string): boolean {
  if (cmd.includes("/")) return existsSync(cmd);
  return (process.env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, cmd)));
}

/** Opens the device and registers the backend; MLX_TS_METAL=0 skips it. */
export function registerMetal(): void {
  if (process.env.MLX_TS_METAL === "0") {
    markUnavailable("metal", "disabled by MLX_TS_METAL=0");
    return;
  }
  const device = openNativeDevice();
  if (typeof device === "string") {
    markUnavailable("metal", device);
    noticeMetalNotBuilt(device);
    return;
  }
  const clang = process.env.MLX_TS_METAL_CLANG ?? "clang++-19";
  if (device.emulated && !onPath(clang)) {
    markUnavailable("metal", `the MSL execution layer compiles kernels with ${clang}, which is not installed; run: sudo bash scripts/setup.sh`);
    return;
  }
  const metal = new MetalBackend(device);
  Object.assign(metal.kernels, guardComplex(kernels(metal)));
  metal.kernels.fft = fftKernel(metal);
  Object.assign(metal.multiKernels, guardComplexMulti({ ...derivedMultiKernels(metal.kernels), quantize: quantizeKernel(metal), customKernel: customKernelMetal(metal) }));
  addLinalgKernels(metal);
  // every kernel checks its work and sees canonical views first (backends/huge-work.ts)
  Object.assign(metal.kernels, guardKernels(metal.kernels));
  Object.assign(metal.multiKernels, guardMultiKernels(metal.multiKernels));
  registerBackend(metal);
}
