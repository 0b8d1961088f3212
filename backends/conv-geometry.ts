// The host side the convolution kernels of webgpu and metal share: a
// Convolution node's implicit-GEMM sizes, tiling and geometry words (wgsl/conv.wgsl,
// msl/conv.metal), and the choice and chunking of the Winograd F(2x2, 3x3) path.

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

/**
 * The Winograd F(2x2, 3x3) path both GPU backends may take for a 2-D
 * convolution: 2x2 output tiles from 4x4 input tiles, 16 transformed GEMMs
 * [tiles, C] @ [C, O] instead of one [pixels, 9 C] @ [9 C, O].
 */
export interface WinogradPlan {
  N: number;
  H: number;
  W: number;
  C: number;
  O: number;
  Ho: number;
  Wo: number;
  /** Tile rows and columns per image: ceil(Ho / 2), ceil(Wo / 2). */
  TH: number;
  TW: number;
  /** N TH TW tiles in all. */
  tiles: number;
  /** Tiles per chunk: the transformed input [16, chunk, C] and the products [16, chunk, O] stay within the workspace bound. */
  chunk: number;
}

/** The default bound on the Winograd workspace (transformed input plus products) in bytes. */
export const WINOGRAD_WORKSPACE_BYTES = 256 * 2 ** 20;

let workspaceBytes = WINOGRAD_WORKSPACE_BYTES;

/** Sets the Winograd workspace bound in bytes (undefined: back to WINOGRAD_WORKSPACE_BYTES); tests force small chunks with it. */
export function setWinogradWorkspaceBytes(bytes: number | undefined): void {
  workspaceBytes = bytes ?? WINOGRAD_WORKSPACE_BYTES;
}

/** MLX_TS_CONV_WINOGRAD: "0" never takes the Winograd path, "1" takes it wherever it applies, unset: the size heuristic. */
function winogradMode(): "off" | "on" | "auto" {
  const v = typeof process !== "undefined" ? process.env.MLX_TS_CONV_WINOGRAD : undefined;
  return v === "0" ? "off" : v === "1" ? "on" : "auto";
}

const WINOGRAD_DTYPES = new Set(["float32", "float16", "bfloat16"]);

/**
 * The Winograd plan of a convolution, or undefined where the implicit GEMM
 * runs it: Winograd needs a 2-D float convolution with a 3x3 kernel, unit
 * strides and dilations and one group (flip is a reversed weight), a non-empty
 * output, and a workspace of at least one tile per chunk within
 * `maxBufferBytes` (the device's limit on one bound buffer); it is taken for
 * C >= 16 and O >= 16 unless MLX_TS_CONV_WINOGRAD forces the choice.
 */
export function winogradPlan(p: ConvParams, x: Pick<Tensor, "shape" | "dtype">, w: Pick<Tensor, "shape">, outShape: readonly number[], maxBufferBytes: number): WinogradPlan | undefined {
  if (x.shape.length !== 4 || w.shape[1] !== 3 || w.shape[2] !== 3 || p.groups !== 1 || !WINOGRAD_DTYPES.has(x.dtype.name)) return undefined;
  if (![...p.strides, ...p.kernelDilation, ...p.inputDilation].every((v) => v === 1)) return undefined;
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const [, Ho, Wo, O] = outShape as [number, number, number, number];
  const mode = winogradMode();
  if (mode === "off" || N * Ho * Wo * O * C === 0 || (mode === "auto" && (C < 16 || O < 16))) return undefined;
  const TH = Math.ceil(Ho / 2), TW = Math.ceil(Wo / 2), tiles = N * TH * TW;
  // the transformed weight [16, C, O] and each chunk's buffers fit one binding; both chunk buffers the workspace bound
  const limit = Math.min(maxBufferBytes, 2 ** 31);
  if (64 * C * O > limit) return undefined;
  const chunk = Math.min(tiles, Math.floor(workspaceBytes / (64 * (C + O))), Math.floor(limit / (64 * Math.max(C, O))));
  if (chunk < 1) return undefined;
  return { N, H, W, C, O, Ho, Wo, TH, TW, tiles, chunk };
}
