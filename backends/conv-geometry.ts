// The host side both implicit-GEMM convolution kernels share (webgpu's
// wgsl/conv.wgsl and metal's msl/conv.metal): a Convolution node's GEMM sizes
// and tiling, and the geometry words the two kernels read in the same order.

import type { Tensor } from "./backend.js";
import type { ConvParams } from "../src/primitives/conv.js";

/** `v` with `fill` in front up to three spatial entries. */
const three = (v: readonly number[], fill: number): number[] => [...Array<number>(3 - v.length).fill(fill), ...v];

/** A tensor's strides as [batch, d, h, w, channel] (size-1 spatial axes in front have stride 0). */
const strides5 = (t: Tensor): number[] => [t.strides[0]!, ...three(t.strides.slice(1, -1), 0), t.strides[t.strides.length - 1]!];

/** One group's GEMM: M output pixels by Og channels over K = taps x Cg input channels; the tiling each kernel takes. */
export interface ConvGemm {
  M: number;
  Og: number;
  K: number;
  Cg: number;
  /** Output channels per invocation (4 once a group has 32 of them, else 1: depthwise). */
  TN: number;
  /** Row tiles per workgroup (2 from 4096 output pixels with TN 4, else 1). */
  TMV: number;
  /** No input dilation (the kernels skip its holes' test). */
  idil1: boolean;
  /** The geometry words after [M, Og, K, Cg, groups] and each kernel's own words: offsets, sizes, strides, padding, dilations. */
  words: number[];
}

export function convGemm(p: ConvParams, x: Tensor, w: Tensor, outShape: readonly number[]): ConvGemm {
  const O = outShape[outShape.length - 1]!, Og = O / p.groups;
  const Cg = w.shape[w.shape.length - 1]!;
  const outSp = three(outShape.slice(1, -1), 1), kSp = three(w.shape.slice(1, -1), 1);
  const M = outShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const K = Cg * kSp.reduce((a, b) => a * b, 1);
  // 64 x 16 tiles for few channels per group (depthwise), 128 x 64 once there are enough of them
  const TN = Og >= 32 ? 4 : 1;
  const TMV = TN === 4 && M >= 4096 ? 2 : 1;
  const words = [
    x.offset, w.offset, O, p.flip ? 1 : 0,
    ...outSp, ...three(x.shape.slice(1, -1), 1), ...kSp,
    ...three(p.strides, 1), ...three(p.paddingLo, 0), ...three(p.kernelDilation, 1), ...three(p.inputDilation, 1),
    ...strides5(x), ...strides5(w),
  ];
  return { M, Og, K, Cg, TN, TMV, idil1: p.inputDilation.every((d) => d === 1), words };
}
