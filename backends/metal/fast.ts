// Metal kernels of mx.fast (msl/fast.metal): rmsNorm and layerNorm with a
// threadgroup per row (32 to 256 threads, float accumulation), rope with a
// thread per element. x is made row-contiguous first; weight, bias, offset
// and freqs are read through their offset and stride (0 when 0-d).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import type { LayerNorm, RMSNorm } from "../../src/primitives/fast-norms.js";
import type { RoPE } from "../../src/primitives/fast-rope.js";
import { sizeOf } from "../../src/shape.js";
import { offsetAndStride } from "../strides.js";
import { withRowMajor } from "../row-major.js";
import { scalarWord } from "../scalar-word.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { mslType } from "./msl-types.js";
import { THREADS, contiguousCopy } from "./elementwise.js";
import { float32, type DType } from "../../src/dtype.js";

const library = (d: DType): LibraryKey => ({ file: "fast", variant: d.name, defines: () => ({ T: mslType(d) }) });

/** `fn(x)` on x made row-major (a copy by the metal copy kernel when it is not, released after). */
/** A float32 parameter as the signed word metal's params hold (its bits, as scalarWord gives them). */
export const f32Param = (v: number): number => scalarWord(v, float32) | 0;

const rowMajor = (metal: MetalBackend, x: Tensor, fn: (x: Tensor) => Tensor): Tensor => withRowMajor(metal, (t) => contiguousCopy(metal, t), [x], ([r]) => fn(r!));

/** Threads per row: a multiple of 32 covering the row, at most 256. */
const groupSize = (D: number) => Math.min(256, Math.max(32, Math.ceil(D / 32) * 32));

function normKernel(metal: MetalBackend, layer: boolean): Kernel {
  return (prim, [x0, w, b], out: OutputSpec) =>
    rowMajor(metal, x0!, (x) => {
      const D = x.shape[x.shape.length - 1]!;
      const rows = D === 0 ? 0 : sizeOf(x.shape) / D;
      const t = metal.allocOutput(out);
      if (rows === 0) return t;
      const [wo, ws] = offsetAndStride(w!), [bo, bs] = b ? offsetAndStride(b) : [0, 0];
      const eps = (prim as RMSNorm | LayerNorm).eps;
      const words = [rows, D, x.offset, wo, ws, bo, bs, f32Param(eps)];
      metal.run(prim.name, library(out.dtype), layer ? "layer_norm" : "rms_norm", [t, x, w!, b ?? w!], words, { groups: rows, group: groupSize(D) });
      return t;
    });
}

function ropeKernel(metal: MetalBackend): Kernel {
  return (prim, [x0, offset, freqs], out: OutputSpec) =>
    rowMajor(metal, x0!, (x) => {
      const p = prim as RoPE;
      const n = sizeOf(x.shape);
      const t = metal.allocOutput(out);
      if (n === 0) return t;
      const D = x.shape[x.shape.length - 1]!, T = x.shape[x.shape.length - 2]!;
      const [oo, os] = offsetAndStride(offset!), [fo, fs] = freqs ? offsetAndStride(freqs) : [0, 0];
      const words = [n, D, T, n / x.shape[0]!, x.offset, oo, os, fo, fs, p.dims, f32Param(Math.log2(p.base)), f32Param(p.scale), f32Param(p.forward ? 1 : -1)];
      const kernel = `rope${p.traditional ? "_traditional" : ""}${freqs ? "_freqs" : ""}`;
      // without freqs the offsets are bound again in their place (never read)
      metal.run("rope", library(out.dtype), kernel, [t, x, offset!, freqs ?? offset!], words, { threads: n, group: THREADS });
      return t;
    });
}

/** The kernels of this file by primitive name. */
export function fastKernels(metal: MetalBackend): Record<string, Kernel> {
  return { rmsNorm: normKernel(metal, false), layerNorm: normKernel(metal, true), rope: ropeKernel(metal) };
}
