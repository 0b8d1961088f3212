// WebGPU kernels of mx.fast: rmsNorm and layerNorm (wgsl/fast-norms.wgsl, a
// workgroup per row, f32 accumulation) and rope (wgsl/fast-rope.wgsl, an
// invocation per output word). x is made row-contiguous first; weight, bias,
// offset and freqs are read through their offset and stride (0 when 0-d).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { float32, type DType } from "../../src/dtype.js";
import type { LayerNorm, RMSNorm } from "../../src/primitives/fast-norms.js";
import type { RoPE } from "../../src/primitives/fast-rope.js";
import { sizeOf } from "../../src/shape.js";
import { offsetAndStride } from "../strides.js";
import { withRowMajor } from "../row-major.js";
import { scalarWord } from "../scalar-word.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult, contiguousCopy } from "./elementwise.js";

/** `fn(x)` on x made row-major (a copy by the webgpu copy kernel when it is not, released after). */
const rowMajor = (gpu: WebGpuBackend, x: Tensor, fn: (x: Tensor) => Tensor): Tensor => withRowMajor(gpu, (t) => contiguousCopy(gpu, t), [x], ([r]) => fn(r!));

/** Output words per kernel call: 16-bit outputs two elements a word. */
const packing = (d: DType) => ({ EPW: d.size === 2 ? 2 : 1, BITS: d.size === 2 ? 16 : 32, PACK: `pack_${d.name}` });

function normKernel(gpu: WebGpuBackend, layer: boolean): Kernel {
  return (prim, [x0, w, b], out: OutputSpec) =>
    rowMajor(gpu, x0!, (x) => {
      const D = x.shape[x.shape.length - 1]!;
      const rows = D === 0 ? 0 : sizeOf(x.shape) / D;
      // 16-bit rows of odd length would share output words between workgroups: those go through float32
      const res = gpu.allocOutput(out.dtype.size === 2 && D % 2 === 1 ? { shape: out.shape, dtype: float32 } : out);
      if (rows > 0) {
        const [wo, ws] = offsetAndStride(w!), [bo, bs] = b ? offsetAndStride(b) : [0, 0];
        const inputs = layer ? [x, w!, b!] : [x, w!];
        const slots = {
          INPUTS: inputs.map((t, k) => inputDecl(k, k + 2, t.dtype)).join("\n"),
          LAYER: String(layer),
          BIAS: layer ? "load_2(b_off + j * b_stride)" : "0.0",
          ...packing(res.dtype),
        };
        const eps = (prim as RMSNorm | LayerNorm).eps;
        gpu.run({ op: prim.name, file: "fast-norms", helpers: ["dtypes", "math"], slots }, gpu.gpuBuffer(res), [rows, D, x.offset, wo, ws, bo, bs, scalarWord(eps, float32)], inputs.map((t) => gpu.gpuBuffer(t)), rows);
      }
      return castResult(gpu, res, out);
    });
}

function ropeKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x0, offset, freqs], out: OutputSpec) =>
    rowMajor(gpu, x0!, (x) => {
      const p = prim as RoPE;
      const n = sizeOf(x.shape);
      const res = gpu.allocOutput(out);
      if (n > 0) {
        const D = x.shape[x.shape.length - 1]!, T = x.shape[x.shape.length - 2]!;
        const [oo, os] = offsetAndStride(offset!), [fo, fs] = freqs ? offsetAndStride(freqs) : [0, 0];
        const inputs = freqs ? [x, offset!, freqs] : [x, offset!];
        const pack = packing(out.dtype);
        const slots = { INPUTS: inputs.map((t, k) => inputDecl(k, k + 2, t.dtype)).join("\n"), INV: freqs ? "1.0 / load_2(params[7] + i * params[8])" : "exp2(-(f32(i) / f32(half)) * bitcast<f32>(params[10]))", TRADITIONAL: String(p.traditional), ...pack };
        const params = [n, D, T, n / x.shape[0]!, x.offset, oo, os, fo, fs, p.dims, scalarWord(Math.log2(p.base), float32), scalarWord(p.scale, float32), scalarWord(p.forward ? 1 : -1, float32)];
        gpu.run({ op: "rope", file: "fast-rope", helpers: ["dtypes"], slots }, gpu.gpuBuffer(res), params, inputs.map((t) => gpu.gpuBuffer(t)), Math.ceil(n / pack.EPW / 256));
      }
      return res;
    });
}

/** The kernels of this file by primitive name. */
export function fastKernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return { rmsNorm: normKernel(gpu, false), layerNorm: normKernel(gpu, true), rope: ropeKernel(gpu) };
}
