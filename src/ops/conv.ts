// The convolution ops as MLX defines them (channels last: input [N, ...spatial, C_in],
// weight [C_out, ...kernel, C_in / groups]): conv1d, conv2d, conv3d (cross-correlation
// with stride, symmetric padding, kernel dilation, groups) and convGeneral (all knobs).

import type { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import type { OpOptions } from "./base.js";
import { convNode, convOperands, convOptions, groupsOf, intPerAxis } from "./conv-args.js";
import { asOp, noExtraArguments } from "./strict-options.js";

/** A number for every spatial axis, or one list entry per axis. */
export type PerAxis = number | readonly number[];

export interface ConvOptions extends OpOptions {
  /** Kernel stride per spatial axis (default 1). */
  stride?: PerAxis | undefined;
  /** Symmetric zero padding per spatial axis (default 0). */
  padding?: PerAxis | undefined;
  /** Kernel dilation per spatial axis (default 1). */
  dilation?: PerAxis | undefined;
  /** Input feature groups (default 1): C_in and C_out split into this many independent convolutions. */
  groups?: number | undefined;
}

export interface ConvGeneralOptions extends OpOptions {
  /** Kernel stride per spatial axis (default 1). */
  stride?: PerAxis | undefined;
  /** Zero padding: one number, one per axis, or `[lows, highs]` (two lists) for asymmetric padding (default 0). */
  padding?: PerAxis | readonly [readonly number[], readonly number[]] | undefined;
  /** Kernel dilation per spatial axis (default 1). */
  kernelDilation?: PerAxis | undefined;
  /** Input dilation per spatial axis (default 1): input points spread this far apart, zeros between. */
  inputDilation?: PerAxis | undefined;
  /** Input feature groups (default 1). */
  groups?: number | undefined;
  /** Flip the kernel's spatial axes: convolution instead of cross-correlation (default false). */
  flip?: boolean | undefined;
}

const CONV_NAMES = ["stride", "padding", "dilation", "groups"] as const;

function convN(op: string, nsp: number, input: MxArray, weight: MxArray, args: readonly unknown[]): MxArray {
  const o = convOptions<ConvOptions>(op, CONV_NAMES, args);
  const { x, w, s } = convOperands(op, input, weight, o, nsp);
  const p = {
    strides: intPerAxis(op, "stride", o.stride, nsp, 1, 1),
    paddingLo: intPerAxis(op, "padding", o.padding, nsp, 0, -(2 ** 31 - 1)),
    kernelDilation: intPerAxis(op, "dilation", o.dilation, nsp, 1, 1),
    inputDilation: Array<number>(nsp).fill(1),
    groups: groupsOf(op, o.groups),
    flip: false,
  };
  return convNode(op, x, w, { ...p, paddingHi: p.paddingLo }, s);
}

/**
 * 1D convolution (cross-correlation) over an input with several channels:
 * input [N, L, C_in], weight [C_out, K, C_in / groups], output [N, L_out, C_out].
 * Stride, padding, dilation and groups may be passed positionally, as in MLX,
 * or in the options.
 * @example
 * ```ts
 * const x = mx.reshape(mx.array([1, 2, 3, 4], mx.float32), [1, 4, 1]);
 * const w = mx.reshape(mx.array([1, 1], mx.float32), [1, 2, 1]);
 * await mx.conv1d(x, w).reshape([-1]).tolist(); // [3, 5, 7]
 * await mx.conv1d(x, w, { stride: 2, padding: 1 }).reshape([-1]).tolist(); // [1, 5, 4]
 * ```
 */
export function conv1d(input: MxArray, weight: MxArray, stride?: PerAxis | ConvOptions, padding?: PerAxis | ConvOptions, dilation?: PerAxis | ConvOptions, groups?: number | ConvOptions, options?: ConvOptions): MxArray {
  noExtraArguments("conv1d", arguments, 7);
  return asOp("conv1d", () => {
    return convN("conv1d", 1, input, weight, [stride, padding, dilation, groups, options]);
  });
}

/**
 * 2D convolution (cross-correlation) over an input with several channels:
 * input [N, H, W, C_in], weight [C_out, KH, KW, C_in / groups], output
 * [N, H_out, W_out, C_out]. Stride, padding and dilation are a number (both
 * axes) or a pair.
 * @example
 * ```ts
 * const x = mx.reshape(mx.arange(9), [1, 3, 3, 1]).astype(mx.float32);
 * const w = mx.ones([1, 2, 2, 1]);
 * await mx.conv2d(x, w).reshape([-1]).tolist(); // [8, 12, 20, 24]
 * mx.conv2d(x, w, 1, [1, 0]).shape; // [1, 4, 2, 1]
 * ```
 */
export function conv2d(input: MxArray, weight: MxArray, stride?: PerAxis | ConvOptions, padding?: PerAxis | ConvOptions, dilation?: PerAxis | ConvOptions, groups?: number | ConvOptions, options?: ConvOptions): MxArray {
  noExtraArguments("conv2d", arguments, 7);
  return asOp("conv2d", () => {
    return convN("conv2d", 2, input, weight, [stride, padding, dilation, groups, options]);
  });
}

/**
 * 3D convolution (cross-correlation) over an input with several channels:
 * input [N, D, H, W, C_in], weight [C_out, KD, KH, KW, C_in / groups],
 * output [N, D_out, H_out, W_out, C_out].
 * @example
 * ```ts
 * const x = mx.ones([1, 3, 3, 3, 2]);
 * const w = mx.ones([4, 2, 2, 2, 2]);
 * const y = mx.conv3d(x, w, { padding: 1, stride: 2 });
 * y.shape; // [1, 2, 2, 2, 4]
 * await y.max().item(); // 16
 * ```
 */
export function conv3d(input: MxArray, weight: MxArray, stride?: PerAxis | ConvOptions, padding?: PerAxis | ConvOptions, dilation?: PerAxis | ConvOptions, groups?: number | ConvOptions, options?: ConvOptions): MxArray {
  noExtraArguments("conv3d", arguments, 7);
  return asOp("conv3d", () => {
    return convN("conv3d", 3, input, weight, [stride, padding, dilation, groups, options]);
  });
}

/** convGeneral's padding as (lows, highs); a number or list applies to both sides. */
function paddingOf(op: string, v: unknown, nsp: number): [number[], number[]] {
  const pair = Array.isArray(v) && v.length === 2 && Array.isArray(v[0]) && Array.isArray(v[1]);
  if (!pair) {
    if (Array.isArray(v) && v.some((e) => Array.isArray(e))) {
      throw opError(op, `padding as a pair must be [lows, highs], two lists of ${nsp} integers, got ${describeValue(v)}`, [], "value");
    }
    const both = intPerAxis(op, "padding", v, nsp, 0, -(2 ** 31 - 1), true);
    return [both, both];
  }
  const [lo, hi] = v as unknown[];
  return [intPerAxis(op, "padding (lows)", lo, nsp, 0, -(2 ** 31 - 1), true), intPerAxis(op, "padding (highs)", hi, nsp, 0, -(2 ** 31 - 1), true)];
}

const GENERAL_NAMES = ["stride", "padding", "kernelDilation", "inputDilation", "groups", "flip"] as const;

/**
 * General convolution over an input [N, ...spatial (1 to 3), C_in] with a
 * weight [C_out, ...kernel, C_in / groups]: per-axis stride, padding
 * (`[lows, highs]` for asymmetric; negative padding crops), kernel dilation,
 * input dilation, groups, and `flip` (true: convolution, false: cross-correlation).
 * A list of one entry applies to every axis, as in MLX. Padding and the holes
 * of input dilation are zeros that multiply the kernel like any input value
 * (so a NaN or infinite weight reaches every output of its channel).
 * @example
 * ```ts
 * const x = mx.reshape(mx.array([1, 2, 3], mx.float32), [1, 3, 1]);
 * const w = mx.reshape(mx.array([1, 10], mx.float32), [1, 2, 1]);
 * await mx.convGeneral(x, w, { flip: true }).reshape([-1]).tolist(); // [12, 23]
 * await mx.convGeneral(x, w, { inputDilation: 2 }).reshape([-1]).tolist(); // [1, 20, 2, 30]
 * await mx.convGeneral(x, w, { padding: [[1], [0]] }).reshape([-1]).tolist(); // [10, 21, 32]
 * ```
 */
export function convGeneral(
  input: MxArray,
  weight: MxArray,
  stride?: PerAxis | ConvGeneralOptions,
  padding?: ConvGeneralOptions["padding"] | ConvGeneralOptions,
  kernelDilation?: PerAxis | ConvGeneralOptions,
  inputDilation?: PerAxis | ConvGeneralOptions,
  groups?: number | ConvGeneralOptions,
  flip?: boolean | ConvGeneralOptions,
  options?: ConvGeneralOptions,
): MxArray {
  noExtraArguments("convGeneral", arguments, 9);
  return asOp("convGeneral", () => {
    const op = "convGeneral";
    const o = convOptions<ConvGeneralOptions>(op, GENERAL_NAMES, [stride, padding, kernelDilation, inputDilation, groups, flip, options]);
    const { x, w, s, nsp } = convOperands(op, input, weight, o, null);
    if (o.flip !== undefined && typeof o.flip !== "boolean") throw opError(op, `flip must be a boolean, got ${describeValue(o.flip)}`, [], "type");
    const [paddingLo, paddingHi] = paddingOf(op, o.padding, nsp);
    const p = {
      strides: intPerAxis(op, "stride", o.stride, nsp, 1, 1, true),
      paddingLo,
      paddingHi,
      kernelDilation: intPerAxis(op, "kernelDilation", o.kernelDilation, nsp, 1, 1, true),
      inputDilation: intPerAxis(op, "inputDilation", o.inputDilation, nsp, 1, 1, true),
      groups: groupsOf(op, o.groups),
      flip: o.flip ?? false,
    };
    return convNode(op, x, w, p, s);
  });
}
