// Metal convolution through msl/conv.metal: an implicit GEMM per group
// (output pixels x output channels, K = kernel taps x input channels), the
// input and weight read through their strides by index arithmetic, no im2col
// buffer; float accumulation, rounded once to the output dtype.

import type { Kernel } from "../backend.js";
import { convGemm } from "../conv-geometry.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import type { MetalBackend } from "./backend.js";
import { mslType } from "./msl-types.js";

export function convKernel(metal: MetalBackend): Kernel {
  return (prim, [x, w], out) => {
    const p = prim.params() as ConvParams;
    const { M, Og, K, Cg, TN, TMV, idil1, words } = convGemm(p, x!, w!, out.shape);
    const t = metal.allocOutput(out);
    if (M * Og === 0) return t;
    const params = [M, Og, K, Cg, p.groups, ...words];
    const lib = { file: "conv", variant: `${out.dtype.name}-${TN}-${TMV}-${idil1}`, defines: () => ({ T: mslType(out.dtype), TN: String(TN), TMV: String(TMV), BV: TN === 4 ? "conv_f4" : "float", IDIL1: idil1 ? "1" : "0" }) };
    metal.run("conv", lib, "conv", [t, x!, w!], params, { grid: [Math.ceil(Og / (16 * TN)) * 16, Math.ceil(M / (64 * TMV)) * 16, p.groups], group: [16, 16, 1] });
    return t;
  };
}
