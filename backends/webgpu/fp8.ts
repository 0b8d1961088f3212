// WebGPU kernels of the fp8 conversions (toFp8, fromFp8): the elementwise map
// of wgsl/elementwise.wgsl (strided inputs, packed 8- and 16-bit words) with
// the e4m3 encoder and decoder of wgsl/quantized_formats.wgsl as its expression.

import type { Kernel } from "../backend.js";
import type { WebGpuBackend } from "./backend.js";
import { mapKernel } from "./elementwise.js";

const FORMATS = ["quantized_formats"];

export function fp8Kernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return {
    toFp8: (_prim, [x], out) => mapKernel(gpu, "toFp8", [x!], out, "e4m3_encode(a)", false, FORMATS),
    fromFp8: (_prim, [x], out) => mapKernel(gpu, "fromFp8", [x!], out, "e4m3_decode(a)", false, FORMATS),
  };
}
