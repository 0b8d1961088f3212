// Metal convolution through msl/conv.metal: an implicit GEMM per group
// (output pixels x output channels, K = kernel taps x input channels), the
// input and weight read through their strides by index arithmetic, no im2col
// buffer; float accumulation, rounded once to the output dtype.

import type { Kernel, Tensor } from "../backend.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import type { MetalBackend } from "./backend.js";
import { mslType } from "./msl-types.js";

/** `v` with `fill` in front up to three spatial entries. */
const three = (v: readonly number[], fill: number): number[] => [...Array<number>(3 - v.length).fill(fill), ...v];

/** A tensor's strides as [batch, d, h, w, channel] (size-1 spatial axes in front have stride 0). */
const strides5 = (t: Tensor): number[] => [t.strides[0]!, ...three(t.strides.slice(1, -1), 0), t.strides[t.strides.length - 1]!];

export function convKernel(metal: MetalBackend): Kernel {
  return (prim, [x, w], out) => {
    const p = prim.params() as ConvParams;
    const O = out.shape[out.shape.length - 1]!, Og = O / p.groups;
    const Cg = w!.shape[w!.shape.length - 1]!;
    const outSp = three(out.shape.slice(1, -1), 1), kSp = three(w!.shape.slice(1, -1), 1);
    const M = out.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const K = Cg * kSp.reduce((a, b) => a * b, 1);
    const t = metal.allocOutput(out);
    if (M * O === 0) return t;
    // 64 x 16 tiles for few channels per group (depthwise), 128 x 64 once there are enough of them
    const TN = Og >= 32 ? 4 : 1;
    const TMV = TN === 4 && M >= 4096 ? 2 : 1;
    const params = [
      M, Og, K, Cg, p.groups, x!.offset, w!.offset, O, p.flip ? 1 : 0,
      ...outSp, ...three(x!.shape.slice(1, -1), 1), ...kSp,
      ...three(p.strides, 1), ...three(p.paddingLo, 0), ...three(p.kernelDilation, 1), ...three(p.inputDilation, 1),
      ...strides5(x!), ...strides5(w!),
    ];
    const idil1 = p.inputDilation.every((d) => d === 1);
    const lib = { file: "conv", variant: `${out.dtype.name}-${TN}-${TMV}-${idil1}`, defines: () => ({ T: mslType(out.dtype), TN: String(TN), TMV: String(TMV), BV: TN === 4 ? "conv_f4" : "float", IDIL1: idil1 ? "1" : "0" }) };
    metal.run("conv", lib, "conv", [t, x!, w!], params, { grid: [Math.ceil(Og / (16 * TN)) * 16, Math.ceil(M / (64 * TMV)) * 16, p.groups], group: [16, 16, 1] });
    return t;
  };
}
