// WebGPU matmul through wgsl/matmul.wgsl: 16x16 tiles in workgroup memory,
// float32 accumulation, operands read through their strides (transposes and
// broadcast batches cost no copy); half-precision outputs cast afterwards.

import type { Kernel } from "../backend.js";
import { float32 } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";

export function matmulKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [a, b], out) => {
    const nd = out.shape.length;
    const M = a!.shape[nd - 2]!, K = a!.shape[nd - 1]!, N = b!.shape[nd - 1]!;
    const batchShape = out.shape.slice(0, -2);
    const batches = batchShape.reduce((s, d) => s * d, 1);
    const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
    const tilesN = Math.ceil(N / 16), tilesM = Math.ceil(M / 16);
    const params = [M, N, K, batchShape.length, tilesN, tilesM, a!.offset, a!.strides[nd - 2]!, a!.strides[nd - 1]!, b!.offset, b!.strides[nd - 2]!, b!.strides[nd - 1]!, ...batchShape, ...a!.strides.slice(0, -2), ...b!.strides.slice(0, -2)];
    if (M * N * batches > 0) {
      gpu.run("matmul", "matmul", { A: inputDecl(0, 2, a!.dtype), B: inputDecl(1, 3, b!.dtype) }, ["dtypes"], gpu.gpuBuffer(res), Uint32Array.from(params, (w) => w >>> 0), [gpu.gpuBuffer(a!), gpu.gpuBuffer(b!)], tilesN * tilesM * batches);
    }
    return castResult(gpu, res, out);
  };
}
