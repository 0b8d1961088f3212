// WebGPU Winograd F(2x2, 3x3) convolution: the weight transformed once into
// U [16, C, O], then per chunk of tiles the input transformed into V [16, P, C]
// (wgsl/conv-winograd-input.wgsl), the 16 products V[k] @ U[k] by the tuned
// matmul kernel and the output transform into 2x2 output tiles; float32 out.

import type { Tensor } from "../backend.js";
import type { WinogradPlan } from "../conv-geometry.js";
import { float32 } from "../../src/dtype.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { matmulDispatch } from "./matmul.js";
import { matmulConfigFor } from "./matmul-tuning.js";

/** Workgroups of 256 invocations for `n` invocations. */
const groupsOf = (n: number) => Math.ceil(n / 256);

/** The convolution of `x` and `w` by `plan` as a new float32 tensor [N, Ho, Wo, O]. */
export function winogradConv(gpu: WebGpuBackend, p: ConvParams, x: Tensor, w: Tensor, plan: WinogradPlan): Tensor {
  const { N, H, W, C, O, Ho, Wo, TH, TW, tiles, chunk } = plan;
  const res = gpu.allocOutput({ shape: [N, Ho, Wo, O], dtype: float32 });
  const u = gpu.allocOutput({ shape: [16, C, O], dtype: float32 });
  const v = gpu.allocOutput({ shape: [16, chunk, C], dtype: float32 });
  const m = gpu.allocOutput({ shape: [16, chunk, O], dtype: float32 });
  const weightCall = { op: "conv", file: "conv-winograd-weight", helpers: ["dtypes"], key: w.dtype.name, slots: () => ({ W: inputDecl(0, 2, w.dtype) }) };
  gpu.run(weightCall, gpu.gpuBuffer(u), [C, O, p.flip ? 1 : 0, w.offset, ...w.strides], [gpu.gpuBuffer(w)], groupsOf(C * O));
  const inputCall = { op: "conv", file: "conv-winograd-input", helpers: ["dtypes"], key: x.dtype.name, slots: () => ({ X: inputDecl(0, 2, x.dtype) }) };
  const outputCall = { op: "conv", file: "conv-winograd-output", helpers: [], key: "f32", slots: {} };
  for (let p0 = 0; p0 < tiles; p0 += chunk) {
    const pc = Math.min(chunk, tiles - p0);
    gpu.run(inputCall, gpu.gpuBuffer(v), [p0, pc, C, TH, TW, H, W, p.paddingLo[0]!, p.paddingLo[1]!, x.offset, ...x.strides], [gpu.gpuBuffer(x)], groupsOf(pc * C));
    // the 16 products as one batched matmul [16, pc, C] @ [16, C, O]
    const a = { dtype: float32, shape: [16, pc, C], strides: [pc * C, C, 1], offset: 0 };
    const b = { dtype: float32, shape: [16, C, O], strides: [C * O, O, 1], offset: 0 };
    const cfg = matmulConfigFor(gpu, { aDtype: float32, bDtype: float32, M: pc, N: O, K: C, batches: 16, aKFast: true, bKFast: false });
    const d = matmulDispatch(a, b, [16, pc, O], cfg);
    gpu.run(d.call, gpu.gpuBuffer(m), d.params, d.inputs.map((i) => gpu.gpuBuffer(i === 0 ? v : u)), d.groups);
    gpu.run(outputCall, gpu.gpuBuffer(res), [p0, pc, O, TH, TW, Ho, Wo], [gpu.gpuBuffer(m)], groupsOf(pc * O));
  }
  for (const t of [u, v, m]) gpu.release(t.buffer);
  return res;
}
