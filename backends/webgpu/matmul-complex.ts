// WebGPU complex64 matmul through wgsl/matmul-complex.wgsl: 32x32 tiles of
// (real, imaginary) float32 accumulator pairs over K slabs staged in workgroup
// memory, operands read through their strides (params: wgsl/matmul-complex.wgsl).

import type { OutputSpec, Tensor } from "../backend.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";

const TILE = 32;

/** C = A @ B for complex64 A and B (batch dims broadcast through their strides) into a new tensor of `out`. */
export function complexMatmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, out: OutputSpec): Tensor {
  const shape = out.shape, nd = shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const batchShape = shape.slice(0, -2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const res = gpu.allocOutput(out);
  if (M * N * batches === 0) return res;
  const tilesN = Math.ceil(N / TILE), tilesM = Math.ceil(M / TILE);
  const params = [M, N, K, batchShape.length, tilesN, tilesM, batches, a.offset, a.strides[nd - 2]!, a.strides[nd - 1]!, b.offset, b.strides[nd - 2]!, b.strides[nd - 1]!, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
  gpu.run(
    { op: "matmul", file: "matmul-complex", helpers: ["dtypes"], key: "complex64", slots: () => ({ A: inputDecl(0, 2, a.dtype), B: inputDecl(1, 3, b.dtype) }) },
    gpu.gpuBuffer(res),
    params,
    [gpu.gpuBuffer(a), gpu.gpuBuffer(b)],
    tilesN * tilesM * batches,
  );
  return res;
}
