// Metal convolution through msl/conv.metal: an implicit GEMM per group
// (output pixels x output channels, K = kernel taps x input channels), the
// input and weight read through their strides by index arithmetic, no im2col
// buffer; 3x3 2-D convolutions with enough channels through Winograd
// F(2x2, 3x3) (msl/conv-winograd.metal transforms around 16 GEMMs of the
// metal matmul); float accumulation, rounded once to the output dtype.

import type { Kernel, Tensor } from "../backend.js";
import { convGemm, winogradPlan, type WinogradPlan } from "../conv-geometry.js";
import { float32 } from "../../src/dtype.js";
import type { Primitive } from "../../src/primitive.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import type { MetalBackend } from "./backend.js";
import { matmulProduct } from "./matmul.js";
import { mslType } from "./msl-types.js";

/** Threads per threadgroup of the Winograd transforms. */
const THREADS = 256;

/**
 * The convolution of `x` and `w` by `plan` into `out` (of their dtype): the
 * transformed weight U [16, C, O] once, then per chunk of tiles the
 * transformed input V [16, P, C], the batched matmul V @ U ([16, P, O], the
 * metal matmul's product) and the output transform.
 */
function winogradConv(metal: MetalBackend, prim: Primitive, x: Tensor, w: Tensor, out: Tensor, plan: WinogradPlan): void {
  const p = prim.params() as ConvParams;
  const { H, W, C, O, Ho, Wo, TH, TW, tiles, chunk } = plan;
  const lib = { file: "conv-winograd", variant: x.dtype.name, defines: () => ({ T: mslType(x.dtype) }) };
  const u = metal.allocOutput({ shape: [16, C, O], dtype: float32 });
  const v = metal.allocOutput({ shape: [16, chunk, C], dtype: float32 });
  metal.run("conv", lib, "winograd_weight", [u, w], [C, O, p.flip ? 1 : 0, w.offset, ...w.strides], { threads: C * O, group: THREADS });
  for (let p0 = 0; p0 < tiles; p0 += chunk) {
    const pc = Math.min(chunk, tiles - p0);
    metal.run("conv", lib, "winograd_input", [v, x], [p0, pc, C, TH, TW, H, W, p.paddingLo[0]!, p.paddingLo[1]!, x.offset, ...x.strides], { threads: pc * C, group: THREADS });
    const vc = { ...v, shape: [16, pc, C], strides: [pc * C, C, 1] };
    const m = matmulProduct(metal, vc, u, { shape: [16, pc, O], dtype: float32 });
    metal.run("conv", lib, "winograd_output", [out, m], [p0, pc, O, TH, TW, Ho, Wo], { threads: pc * O, group: THREADS });
    metal.release(m.buffer);
  }
  for (const t of [u, v]) metal.release(t.buffer);
}

export function convKernel(metal: MetalBackend): Kernel {
  return (prim, [x, w], out) => {
    const p = prim.params() as ConvParams;
    const plan = winogradPlan(p, x!, w!, out.shape, metal.device.maxBufferLength);
    if (plan) {
      const t = metal.allocOutput(out);
      winogradConv(metal, prim, x!, w!, t, plan);
      return t;
    }
    const { M, Og, K, Cg, TN, TMV, idil1, words } = convGemm(p, x!, w!, out.shape);
    const t = metal.allocOutput(out);
    if (M * Og === 0) return t;
    const params = [M, Og, K, Cg, p.groups, ...words];
    const lib = { file: "conv", variant: `${out.dtype.name}-${TN}-${TMV}-${idil1}`, defines: () => ({ T: mslType(out.dtype), TN: String(TN), TMV: String(TMV), BV: TN === 4 ? "conv_f4" : "float", IDIL1: idil1 ? "1" : "0" }) };
    metal.run("conv", lib, "conv", [t, x!, w!], params, { grid: [Math.ceil(Og / (16 * TN)) * 16, Math.ceil(M / (64 * TMV)) * 16, p.groups], group: [16, 16, 1] });
    return t;
  };
}
