// WebGPU convolution through wgsl/conv.wgsl: an implicit GEMM per group
// (output pixels x output channels, K = kernel taps x input channels), the
// input and weight read through their strides by index arithmetic, no im2col
// buffer; 3x3 2-D convolutions with enough channels through Winograd
// (conv-winograd.ts); float32 accumulation, f16/bf16 outputs cast after.

import type { Kernel } from "../backend.js";
import { convGemm, winogradPlan } from "../conv-geometry.js";
import { float32 } from "../../src/dtype.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { winogradConv } from "./conv-winograd.js";
import { castResult } from "./elementwise.js";

/** The staging store of a weight value and the output writes for 1 or 4 output channels per invocation (columns tx * TN + j). */
const TN_SLOTS: Record<number, { PUT_B: string; STORE: string }> = {
  1: { PUT_B: "tile_b[kk * 16u + n] = v;", STORE: "put(m, g, n0 + tx, acc[i]);" },
  4: {
    PUT_B: "tile_b[kk * 16u + n / 4u][n % 4u] = v;",
    STORE: "for (var j = 0u; j < 4u; j++) { put(m, g, n0 + tx * 4u + j, acc[i][j]); }",
  },
};

export function convKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x, w], out) => {
    const p = prim.params() as ConvParams;
    const limits = gpu.ctx.device.limits;
    const plan = winogradPlan(p, x!, w!, out.shape, Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize));
    if (plan) return castResult(gpu, winogradConv(gpu, p, x!, w!, plan), out);
    const { M, Og, K, Cg, TN, TMV, idil1, words } = convGemm(p, x!, w!, out.shape);
    const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
    if (M * Og === 0) return castResult(gpu, res, out);
    const tilesM = Math.ceil(M / (64 * TMV)), tilesN = Math.ceil(Og / (16 * TN));
    const params = [M, Og, K, Cg, p.groups, tilesN, tilesM, ...words];
    gpu.run(
      {
        op: "conv",
        file: "conv",
        helpers: ["dtypes"],
        key: `${x!.dtype.name},${TN},${TMV},${idil1}`,
        slots: () => ({ X: inputDecl(0, 2, x!.dtype), W: inputDecl(1, 3, w!.dtype), CONFIG: `const TN = ${TN}u; alias BV = ${TN === 4 ? "vec4<f32>" : "f32"}; const TMV = ${TMV}u; const IDIL1 = ${idil1};`, ...TN_SLOTS[TN] }),
      },
      gpu.gpuBuffer(res),
      params,
      [gpu.gpuBuffer(x!), gpu.gpuBuffer(w!)],
      tilesM * tilesN * p.groups,
    );
    return castResult(gpu, res, out);
  };
}
