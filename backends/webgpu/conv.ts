// WebGPU convolution through wgsl/conv.wgsl: an implicit GEMM per group
// (output pixels x output channels, K = kernel taps x input channels), the
// input and weight read through their strides by index arithmetic, no im2col
// buffer; float32 accumulation, f16/bf16 outputs cast after.

import type { Kernel, Tensor } from "../backend.js";
import { float32 } from "../../src/dtype.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";

/** `v` with `fill` in front up to three spatial entries. */
const three = (v: readonly number[], fill: number): number[] => [...Array<number>(3 - v.length).fill(fill), ...v];

/** A tensor's strides as [batch, d, h, w, channel] (size-1 spatial axes in front have stride 0). */
const strides5 = (t: Tensor): number[] => [t.strides[0]!, ...three(t.strides.slice(1, -1), 0), t.strides[t.strides.length - 1]!];

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
    const O = out.shape[out.shape.length - 1]!, Og = O / p.groups;
    const Cg = w!.shape[w!.shape.length - 1]!;
    const outSp = three(out.shape.slice(1, -1), 1), kSp = three(w!.shape.slice(1, -1), 1);
    const M = out.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const K = Cg * kSp.reduce((a, b) => a * b, 1);
    const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
    if (M * O === 0) return castResult(gpu, res, out);
    // 64 x 16 tiles for few channels per group (depthwise), 128 x 64 once there are enough of them
    const TN = Og >= 32 ? 4 : 1;
    const TMV = TN === 4 && M >= 4096 ? 2 : 1;
    const idil1 = p.inputDilation.every((d) => d === 1);
    const tilesM = Math.ceil(M / (64 * TMV)), tilesN = Math.ceil(Og / (16 * TN));
    const params = [
      M, Og, K, Cg, p.groups, tilesN, tilesM, x!.offset, w!.offset, O, p.flip ? 1 : 0,
      ...outSp, ...three(x!.shape.slice(1, -1), 1), ...kSp,
      ...three(p.strides, 1), ...three(p.paddingLo, 0), ...three(p.kernelDilation, 1), ...three(p.inputDilation, 1),
      ...strides5(x!), ...strides5(w!),
    ];
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
