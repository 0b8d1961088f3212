// WebGPU softmax and logsumexp through wgsl/softmax.wgsl: a workgroup per
// segment held in registers where it fits, max subtracted first, float32
// results cast to narrower floats.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { float32 } from "../../src/dtype.js";
import type { LogSumExp, Softmax } from "../../src/primitives/reduce.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";
import { MAX_SEGMENT } from "./reduce.js";

/** Segments up to 256 * 16 elements are held in registers, ceil(R / 256) an invocation (a shader each); longer ones are re-read. */
const heldPerInvocation = (R: number): number => Math.min(16, Math.max(1, Math.ceil(R / 256)));

function run(gpu: WebGpuBackend, op: "softmax" | "logsumexp", x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const kept = [...x.shape.keys()].filter((d) => !axes.includes(d));
  const outStrides = rowMajorStrides(x.shape);
  const k = collapseDims(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!), kept.map((d) => outStrides[d]!)]);
  const r = collapseDims(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!), axes.map((d) => outStrides[d]!)]);
  const nOut = kept.reduce((p, d) => p * x.shape[d]!, 1);
  const R = axes.reduce((p, d) => p * x.shape[d]!, 1);
  if (R >= MAX_SEGMENT) throw new RangeError(`[${op}] cannot reduce ${R} elements per output on webgpu: its kernels index with 32-bit words and take fewer than 2^31 (input shape [${x.shape.join(", ")}])`);
  const params = [nOut, R, k.shape.length, r.shape.length, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!, x.offset, ...k.strides[1]!, ...r.strides[1]!];
  const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
  // logsumexp of an empty segment is -inf (the kernel writes it); softmax of one has no elements
  if (nOut > 0 && (R > 0 || op === "logsumexp")) {
    gpu.run({ op, file: "softmax", helpers: ["dtypes", "math", "strided"], slots: { INPUT: inputDecl(0, 2, x.dtype), LSE: String(op === "logsumexp"), HELD: heldPerInvocation(R) } }, gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], nOut);
  }
  return castResult(gpu, res, out);
}

export function softmaxKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => run(gpu, "softmax", x!, (prim as Softmax).axes, out);
}

export function logsumexpKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => run(gpu, "logsumexp", x!, (prim as LogSumExp).axes, out);
}
