// Metal quantized kernels (msl/quantized.metal) in MLX's layouts (affine,
// mxfp4, mxfp8, nvfp4): quantize (a thread per group, all outputs),
// dequantize (a thread per value) and the quantized matmul unpacking weights
// in registers: 1 row of x per threadgroup for matrix-vector products, tiles
// of 8 rows once x has more. Outside affine mode the scales are bound in the
// biases' place too (the kernels read no biases there).

import type { Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { qmmTiles } from "../quantized-tiles.js";
import type { DType } from "../../src/dtype.js";
import type { Dequantize, QuantizedMatmul, Quantize, QuantParams } from "../../src/primitives/quantized.js";
import { sizeOf } from "../../src/shape.js";
import { withRowMajor } from "../row-major.js";
import type { MetalBackend } from "./backend.js";
import { contiguousCopy } from "./elementwise.js";
import { mslType } from "./msl-types.js";

const MODE_CODE = { affine: 0, mxfp4: 1, mxfp8: 1, nvfp4: 2 } as const;

/** The quantized library of float type `d`, specialized for mode, bits, group size and rows of x per threadgroup. */
export function library(d: DType, q: QuantParams, rows: number) {
  const defines = { T: mslType(d), ST: q.mode === "affine" ? mslType(d) : "uchar", BITS: String(q.bits), GS: String(q.groupSize), ROWS: String(rows), MODE: String(MODE_CODE[q.mode]) };
  return { file: "quantized", variant: `${d.name}-${q.mode}-${q.bits}-${q.groupSize}-${rows}`, defines: () => defines };
}

/** `fn` on the inputs made row-major with metal's copy kernel. */
const rowMajor = <R>(metal: MetalBackend, inputs: readonly Tensor[], fn: (xs: Tensor[]) => R): R => withRowMajor(metal, (t) => contiguousCopy(metal, t), inputs, fn);

export function quantizeKernel(metal: MetalBackend): MultiKernel {
  return (prim, [w, globalScale], outs) =>
    rowMajor(metal, [w!], ([x]) => {
      const q = (prim as Quantize).q;
      const res = outs.map((o) => metal.allocOutput(o));
      const [wq, s, b] = res as [Tensor, Tensor, Tensor | undefined];
      const groups = sizeOf(s.shape);
      const launch = { threads: groups, group: 64 };
      if (groups > 0 && globalScale) metal.run("quantize", library(x!.dtype, q, 1), "quantize_global", [wq, s, x!, globalScale], [groups, x!.offset, globalScale.offset], launch);
      else if (groups > 0) {
        // the microscaling modes have no biases: a one-element stand-in, so no buffer is bound under two names
        const biases = b ?? metal.allocOutput({ shape: [1], dtype: s.dtype });
        metal.run("quantize", library(x!.dtype, q, 1), "quantize", [wq, s, biases, x!], [groups, x!.offset], launch);
        if (!b) metal.release(biases.buffer);
      }
      return res;
    });
}

function dequantizeKernel(metal: MetalBackend): Kernel {
  return (prim, inputs, out: OutputSpec) =>
    rowMajor(metal, inputs, (xs) => {
      const q = (prim as Dequantize).q;
      const [w, s, b] = xs as [Tensor, Tensor, Tensor | undefined];
      const res = metal.allocOutput(out);
      const n = sizeOf(out.shape);
      if (n > 0) {
        const params = [n, out.shape[out.shape.length - 1]!, w.shape[w.shape.length - 1]!, w.offset, s.offset, (b ?? s).offset];
        // outside affine mode a third input is nvfp4's global scale
        const kernel = q.mode !== "affine" && b ? "dequantize_global" : "dequantize";
        metal.run("dequantize", library(out.dtype, q, 1), kernel, [res, w, s, b ?? s], params, { threads: n, group: 256 });
      }
      return res;
    });
}

function quantizedMatmulKernel(metal: MetalBackend): Kernel {
  return (prim, inputs, out: OutputSpec) =>
    rowMajor(metal, inputs, (xs) => {
      const p = prim as QuantizedMatmul;
      const [x, w, s, bias] = xs as [Tensor, Tensor, Tensor, Tensor | undefined];
      const b = bias ?? s;
      const { rows, groups, params } = qmmTiles(x, w, s, out.shape, p.transpose);
      const res = metal.allocOutput(out);
      if (groups > 0) {
        metal.run("quantizedMatmul", library(out.dtype, p.q, rows), p.transpose ? "qmm_t" : "qmm_n", [res, x, w, s, b], [...params, b.offset], { groups, group: 256 });
      }
      return res;
    });
}

/** The single-output quantized kernels of the table. */
export function quantizedKernels(metal: MetalBackend): Record<string, Kernel> {
  return { dequantize: dequantizeKernel(metal), quantizedMatmul: quantizedMatmulKernel(metal) };
}
