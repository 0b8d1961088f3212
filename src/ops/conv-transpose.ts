// Transposed convolutions (convTranspose1d/2d/3d, MLX's lowering: a flipped
// convolution with the stride as input dilation and the padding mirrored) and
// convolve, NumPy's discrete 1D convolution ("full", "same", "valid").

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { dilatedSize } from "../primitives/conv.js";
import { checkArrayLike, opStream, type OpOptions } from "./base.js";
import { convNode, convOperands, convOptions, groupsOf, intPerAxis } from "./conv-args.js";
import type { ConvOptions, PerAxis } from "./conv.js";
import { reshape } from "./layout.js";
import { asOp, noExtraArguments } from "./strict-options.js";

export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added to one side of each output axis (default 0). */
  outputPadding?: PerAxis | undefined;
}

const NAMES = ["stride", "padding", "dilation", "outputPadding", "groups"] as const;

function convTransposeN(op: string, nsp: number, input: MxArray, weight: MxArray, args: readonly unknown[]): MxArray {
  const o = convOptions<ConvTransposeOptions>(op, NAMES, args);
  const { x, w, s } = convOperands(op, input, weight, o, nsp);
  const stride = intPerAxis(op, "stride", o.stride, nsp, 1, 1);
  // Negative padding is MLX's too: the output grows by |padding| zeros on each side
  // (the mirrored convolution padding K - 1 - padding is then larger than K - 1).
  const padding = intPerAxis(op, "padding", o.padding, nsp, 0, -(2 ** 31 - 1));
  const dilation = intPerAxis(op, "dilation", o.dilation, nsp, 1, 1);
  const outputPadding = intPerAxis(op, "outputPadding", o.outputPadding, nsp, 0, 0);
  const k = (i: number) => dilatedSize(w.shape[i + 1]!, dilation[i]!);
  x.shape.slice(1, -1).forEach((n, i) => {
    const size = (n - 1) * stride[i]! - 2 * padding[i]! + k(i) + outputPadding[i]!;
    if (size < 1) {
      throw opError(op, `spatial axis ${i}: the output size (${n} - 1) * stride ${stride[i]} - 2 * padding ${padding[i]} + dilated kernel ${k(i)} + outputPadding ${outputPadding[i]} is ${size}; it must be at least 1`, [x, w], "value");
    }
  });
  const p = {
    strides: Array<number>(nsp).fill(1),
    paddingLo: padding.map((pd, i) => k(i) - 1 - pd),
    paddingHi: padding.map((pd, i) => k(i) - 1 - pd + outputPadding[i]!),
    kernelDilation: dilation,
    inputDilation: stride,
    groups: groupsOf(op, o.groups),
    flip: true,
  };
  return convNode(op, x, w, p, s);
}

/**
 * 1D transposed convolution (the gradient of conv1d with respect to its input):
 * input [N, L, C_in], weight [C_out, K, C_in / groups], output
 * [N, (L - 1) stride - 2 padding + dilation (K - 1) + 1 + outputPadding, C_out].
 * The padding crops each side of the scattered result; a negative one (as MLX
 * allows) adds that many zeros instead.
 * @example
 * ```ts
 * const x = mx.reshape(mx.array([1, 2], mx.float32), [1, 2, 1]);
 * const w = mx.reshape(mx.array([1, 10, 100], mx.float32), [1, 3, 1]);
 * await mx.convTranspose1d(x, w).reshape([-1]).tolist(); // [1, 12, 120, 200]
 * await mx.convTranspose1d(x, w, 2).reshape([-1]).tolist(); // [1, 10, 102, 20, 200]
 * ```
 */
export function convTranspose1d(
  input: MxArray,
  weight: MxArray,
  stride?: PerAxis | ConvTransposeOptions,
  padding?: PerAxis | ConvTransposeOptions,
  dilation?: PerAxis | ConvTransposeOptions,
  outputPadding?: PerAxis | ConvTransposeOptions,
  groups?: number | ConvTransposeOptions,
  options?: ConvTransposeOptions,
): MxArray {
  noExtraArguments("convTranspose1d", arguments, 8);
  return asOp("convTranspose1d", () => {
    return convTransposeN("convTranspose1d", 1, input, weight, [stride, padding, dilation, outputPadding, groups, options]);
  });
}

/**
 * 2D transposed convolution: input [N, H, W, C_in], weight [C_out, KH, KW, C_in / groups].
 * @example
 * ```ts
 * const y = mx.convTranspose2d(mx.ones([1, 4, 4, 3]), mx.ones([2, 3, 3, 3]), { stride: 2, padding: 1, outputPadding: 1 });
 * y.shape; // [1, 8, 8, 2]
 * ```
 */
export function convTranspose2d(
  input: MxArray,
  weight: MxArray,
  stride?: PerAxis | ConvTransposeOptions,
  padding?: PerAxis | ConvTransposeOptions,
  dilation?: PerAxis | ConvTransposeOptions,
  outputPadding?: PerAxis | ConvTransposeOptions,
  groups?: number | ConvTransposeOptions,
  options?: ConvTransposeOptions,
): MxArray {
  noExtraArguments("convTranspose2d", arguments, 8);
  return asOp("convTranspose2d", () => {
    return convTransposeN("convTranspose2d", 2, input, weight, [stride, padding, dilation, outputPadding, groups, options]);
  });
}

/**
 * 3D transposed convolution: input [N, D, H, W, C_in], weight [C_out, KD, KH, KW, C_in / groups].
 * @example
 * ```ts
 * mx.convTranspose3d(mx.ones([1, 2, 2, 2, 1]), mx.ones([1, 2, 2, 2, 1]), 2).shape; // [1, 4, 4, 4, 1]
 * ```
 */
export function convTranspose3d(
  input: MxArray,
  weight: MxArray,
  stride?: PerAxis | ConvTransposeOptions,
  padding?: PerAxis | ConvTransposeOptions,
  dilation?: PerAxis | ConvTransposeOptions,
  outputPadding?: PerAxis | ConvTransposeOptions,
  groups?: number | ConvTransposeOptions,
  options?: ConvTransposeOptions,
): MxArray {
  noExtraArguments("convTranspose3d", arguments, 8);
  return asOp("convTranspose3d", () => {
    return convTransposeN("convTranspose3d", 3, input, weight, [stride, padding, dilation, outputPadding, groups, options]);
  });
}

export type ConvolveMode = "full" | "same" | "valid";

export interface ConvolveOptions extends OpOptions {
  /** "full" (default): every overlap; "same": the longer input's length, centred; "valid": full overlaps only. */
  mode?: ConvolveMode | undefined;
}

/**
 * The discrete convolution of two non-empty 1D float arrays, as NumPy's
 * `convolve` (the shorter one is the kernel, flipped). The mode may be given
 * positionally. It runs as a convolution over zero padding, so a NaN or
 * infinite kernel element makes NaN where it meets the padding (NumPy skips
 * those products).
 * @example
 * ```ts
 * const a = mx.array([1, 2, 3], mx.float32), v = mx.array([0, 1, 0.5], mx.float32);
 * await mx.convolve(a, v).tolist(); // [0, 1, 2.5, 4, 1.5]
 * await mx.convolve(a, v, "same").tolist(); // [1, 2.5, 4]
 * await mx.convolve(a, v, { mode: "valid" }).tolist(); // [2.5]
 * ```
 */
export function convolve(a: MxArray, v: MxArray, modeOrOptions?: ConvolveMode | ConvolveOptions, options?: ConvolveOptions): MxArray {
  noExtraArguments("convolve", arguments, 4);
  return asOp("convolve", () => {
    const op = "convolve";
    const o = convOptions<ConvolveOptions>(op, ["mode"], [modeOrOptions, options]);
    if (!(a instanceof MxArray)) throw opError(op, `a must be a 1D mx array, got ${describeValue(a)}`, [], "type");
    if (!(v instanceof MxArray)) throw opError(op, `v must be a 1D mx array, got ${describeValue(v)}`, [], "type");
    checkArrayLike(op, a, "a");
    checkArrayLike(op, v, "v");
    const s = { stream: opStream(op, o, a, v) };
    if (a.ndim !== 1 || v.ndim !== 1) throw opError(op, "a and v must be 1D", [a, v], "value");
    if (a.size === 0 || v.size === 0) throw opError(op, "a and v must not be empty", [a, v], "value");
    const mode = o.mode ?? "full";
    if (mode !== "full" && mode !== "same" && mode !== "valid") {
      throw opError(op, `mode must be "full", "same" or "valid", got ${describeValue(mode)}`, [], "value");
    }
    const [long, short] = a.size < v.size ? [v, a] : [a, v];
    const { x, w, s: stream } = convOperands(op, reshape(long, [1, long.size, 1], s), reshape(short, [1, short.size, 1], s), s, 1);
    const K = short.size;
    const lo = mode === "full" ? K - 1 : mode === "same" ? Math.floor(K / 2) : 0;
    const hi = mode === "full" ? K - 1 : mode === "same" ? (K % 2 ? lo : Math.max(0, lo - 1)) : 0;
    const out = convNode(op, x, w, { strides: [1], paddingLo: [lo], paddingHi: [hi], kernelDilation: [1], inputDilation: [1], groups: 1, flip: true }, stream);
    return reshape(out, [out.size], { stream });
  });
}
