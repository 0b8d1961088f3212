// The convolution primitive (MLX's Convolution): channels-last input
// [N, ...spatial, C], weight [O, ...kernel, C / groups], output [N, ...out, O].
// Padding may be negative (it crops the dilated input); padding and input-dilation
// holes are zeros that multiply the weight. The gradients are convolutions
// again, derived below so that asymmetric padding is exact.

import type { MxArray } from "../array.js";
import { isFloating } from "../dtype.js";
import { node, ops } from "./ops-ref.js";
import { Primitive, type Spec } from "../primitive.js";
import { addOptional, batchFirst, on } from "./autodiff.js";
import { opError, shapeStr, type Described } from "../errors.js";
import { MAX_DIM } from "../shape.js";
import { checkBool, checkInputCount, checkInt, checkIntList, checkRank, checkSameDType } from "./checks.js";

/** The parameters of one convolution, one entry per spatial axis. */
export type ConvParams = {
  readonly strides: readonly number[];
  readonly paddingLo: readonly number[];
  readonly paddingHi: readonly number[];
  readonly kernelDilation: readonly number[];
  readonly inputDilation: readonly number[];
  readonly groups: number;
  readonly flip: boolean;
};

/** The extent of `n` points spread `d` apart: 1 + d (n - 1) (0 for n = 0). */
export function dilatedSize(n: number, d: number): number {
  return n === 0 ? 0 : 1 + d * (n - 1);
}

/**
 * The output's spatial sizes: floor((dilated input + lo + hi - dilated kernel) / stride) + 1
 * per axis; a size below 1 (the window does not fit) is returned as is for the op to report.
 */
export function convSpatialShape(input: readonly number[], weight: readonly number[], p: ConvParams): number[] {
  return p.strides.map((s, i) => {
    const span = dilatedSize(input[i + 1]!, p.inputDilation[i]!) + p.paddingLo[i]! + p.paddingHi[i]! - dilatedSize(weight[i + 1]!, p.kernelDilation[i]!);
    return span < 0 ? 0 : Math.floor(span / s) + 1;
  });
}

/**
 * Throws (naming `op`) unless the channels of input `x` and weight `w` fit
 * `p.groups`, the kernel has no empty axis, every position the kernels
 * compute (padded, dilated input; dilated kernel) stays below 2^31, and the
 * dilated kernel fits the padded input along each spatial axis (a shapeless
 * replay checks this on each call's input, as MLX's output rule does).
 */
export function checkConvOperands(op: string, x: Described, w: Described, p: ConvParams): void {
  const C = x.shape[x.shape.length - 1]!, O = w.shape[0]!, Cg = w.shape[w.shape.length - 1]!;
  if (C % p.groups !== 0) throw opError(op, `the input channels (${C}) must be divisible by groups (${p.groups})`, [x, w], "value");
  if (O % p.groups !== 0) throw opError(op, `the weight's output channels (${O}) must be divisible by groups (${p.groups})`, [x, w], "value");
  if (Cg * p.groups !== C) {
    throw opError(op, `the weight's last axis (${Cg}) times groups (${p.groups}) must equal the input channels (${C}); weight shape ${shapeStr(w.shape)}, input shape ${shapeStr(x.shape)}`, [x, w], "value");
  }
  if (w.shape.slice(1, -1).some((k) => k < 1)) throw opError(op, `the weight's kernel sizes must be at least 1, got shape ${shapeStr(w.shape)}`, [x, w], "value");
  const far = p.strides.findIndex((_, i) =>
    dilatedSize(x.shape[i + 1]!, p.inputDilation[i]!) + Math.abs(p.paddingLo[i]!) + Math.abs(p.paddingHi[i]!) > MAX_DIM || dilatedSize(w.shape[i + 1]!, p.kernelDilation[i]!) > MAX_DIM);
  if (far >= 0) {
    throw opError(op, `spatial axis ${far}: the padded, dilated input (size ${x.shape[far + 1]}, input dilation ${p.inputDilation[far]}, padding ${p.paddingLo[far]} | ${p.paddingHi[far]}) or the dilated kernel (size ${w.shape[far + 1]}, dilation ${p.kernelDilation[far]}) spans 2^31 positions or more`, [x, w], "value");
  }
  const small = convSpatialShape(x.shape, w.shape, p).findIndex((d) => d < 1);
  if (small >= 0) {
    const at = `padding ${p.paddingLo[small]} | ${p.paddingHi[small]}, input dilation ${p.inputDilation[small]}`;
    throw opError(op, `spatial axis ${small}: the padded input (${at}) is smaller than the dilated kernel (size ${w.shape[small + 1]}, dilation ${p.kernelDilation[small]})`, [x, w], "value");
  }
}

/** A convolution node built directly (the rules' operands are already validated and share a dtype). */
function conv(x: MxArray, w: MxArray, p: ConvParams): MxArray {
  return node(new Convolution(p), [x, w], x.stream);
}

/** Axis `axis` (negative from the end) split as [groups, size / groups], then axes a and b swapped and the split merged back. */
function groupTranspose(x: MxArray, groups: number, axis: number, a: number, b: number): MxArray {
  const o = on(x);
  if (groups === 1) return ops.swapaxes(x, 0, -1, o);
  const ax = axis < 0 ? axis + x.ndim : axis;
  const shape = [...x.shape];
  shape.splice(ax, 1, groups, x.shape[ax]! / groups);
  const t = ops.swapaxes(ops.reshape(x, shape, o), a, b, o);
  return ops.reshape(t, [...t.shape.slice(0, ax), t.shape[ax]! * t.shape[ax + 1]!, ...t.shape.slice(ax + 2)], o);
}

export class Convolution extends Primitive implements ConvParams {
  readonly name = "conv";
  readonly strides: readonly number[];
  readonly paddingLo: readonly number[];
  readonly paddingHi: readonly number[];
  readonly kernelDilation: readonly number[];
  readonly inputDilation: readonly number[];
  readonly groups: number;
  readonly flip: boolean;
  constructor(p: ConvParams) {
    super();
    this.strides = [...p.strides];
    this.paddingLo = [...p.paddingLo];
    this.paddingHi = [...p.paddingHi];
    this.kernelDilation = [...p.kernelDilation];
    this.inputDilation = [...p.inputDilation];
    this.groups = p.groups;
    this.flip = p.flip;
  }
  override params(): ConvParams {
    const { strides, paddingLo, paddingHi, kernelDilation, inputDilation, groups, flip } = this;
    return { strides, paddingLo, paddingHi, kernelDilation, inputDilation, groups, flip };
  }
  /** 1 to 3 spatial axes: channels-last operands of one float dtype and that rank, the parameters one per spatial axis. */
  override validate(inputs: readonly Spec[]): void {
    const op = this.name;
    checkInputCount(op, inputs, 2);
    const [x, w] = inputs as [Spec, Spec];
    const nsp = checkIntList(op, "strides", this.strides, undefined, 1, MAX_DIM).length;
    checkInt(op, "the number of spatial axes (strides' length)", nsp, 1, 3);
    checkRank(op, "the input", x, nsp + 2);
    checkRank(op, "the weight", w, nsp + 2);
    checkSameDType(op, inputs, ["the input", "the weight"]);
    checkIntList(op, "paddingLo", this.paddingLo, nsp, -MAX_DIM, MAX_DIM);
    checkIntList(op, "paddingHi", this.paddingHi, nsp, -MAX_DIM, MAX_DIM);
    checkIntList(op, "kernelDilation", this.kernelDilation, nsp, 1, MAX_DIM);
    checkIntList(op, "inputDilation", this.inputDilation, nsp, 1, MAX_DIM);
    checkInt(op, "groups", this.groups, 1, MAX_DIM);
    checkBool(op, "flip", this.flip);
    checkConvOperands(op, x, w, this);
  }
  output([x, w]: readonly Spec[]): Spec {
    return { shape: [x!.shape[0]!, ...convSpatialShape(x!.shape, w!.shape, this), w!.shape[0]!], dtype: x!.dtype };
  }

  /**
   * Input: a convolution of the cotangent with the weight flipped and its
   * channels transposed per group, stride and input dilation swapped.
   * Weight: a convolution of the input (batch and channels swapped) with the
   * cotangent as its kernel, stride and kernel dilation swapped.
   */
  override vjp([x, w]: readonly MxArray[], ct: MxArray): (MxArray | null)[] {
    if (!isFloating(x!.dtype)) return [null, null];
    const o = on(ct);
    const nsp = this.strides.length;
    const inSize = (i: number) => dilatedSize(x!.shape[i + 1]!, this.inputDilation[i]!);
    const outSize = (i: number) => dilatedSize(ct.shape[i + 1]!, this.strides[i]!);
    const kSize = (i: number) => dilatedSize(w!.shape[i + 1]!, this.kernelDilation[i]!);
    const axes = Array.from({ length: nsp }, (_, i) => i);
    const dx = conv(ct, groupTranspose(w!, this.groups, 0, 1, -1), {
      strides: this.inputDilation,
      paddingLo: axes.map((i) => kSize(i) - 1 - this.paddingLo[i]!),
      paddingHi: axes.map((i) => inSize(i) - outSize(i) + this.paddingLo[i]!),
      kernelDilation: this.kernelDilation,
      inputDilation: this.strides,
      groups: this.groups,
      flip: !this.flip,
    });
    let dwT = conv(groupTranspose(x!, this.groups, -1, 0, -1), ops.swapaxes(ct, 0, -1, o), {
      strides: this.kernelDilation,
      paddingLo: this.paddingLo,
      paddingHi: axes.map((i) => kSize(i) - 1 - inSize(i) - this.paddingLo[i]! + outSize(i)),
      kernelDilation: this.strides,
      inputDilation: this.inputDilation,
      groups: this.groups,
      flip: false,
    });
    if (this.flip) dwT = ops.flip(dwT, axes.map((i) => i + 1), o);
    return [dx, ops.swapaxes(dwT, 0, -1, o)];
  }

  /** Linear in each argument: conv(tx, w) + conv(x, tw). */
  override jvp([x, w]: readonly MxArray[], [tx, tw]: readonly (MxArray | null)[]): MxArray | null {
    if (!isFloating(x!.dtype)) return null;
    return addOptional(tx ? conv(tx, w!, this) : null, tw ? conv(x!, tw, this) : null);
  }

  /**
   * A batched input folds its batch into N; a batched weight into the output
   * channels, ordered group by group ([groups, batch, O / groups]: each group's
   * output channels of every batch entry stay within that group) and restored
   * to [batch, O] after; both batched, into the groups (each batch entry its own
   * group set). MLX flattens the weight batch first ([batch, O]), which with
   * groups > 1 mixes batch entries and groups within a group.
   */
  override vmap([x, w]: readonly MxArray[], [ax, aw]: readonly (number | null)[]): [MxArray, number] {
    const o = on(x!);
    if (aw === null || aw === undefined) {
      const b = batchFirst(x!, ax ?? null);
      const out = conv(ops.reshape(b, [b.shape[0]! * b.shape[1]!, ...b.shape.slice(2)], o), w!, this);
      return [ops.reshape(out, [b.shape[0]!, b.shape[1]!, ...out.shape.slice(1)], o), 0];
    }
    const wb = batchFirst(w!, aw ?? null);
    const B = wb.shape[0]!, O = wb.shape[1]!, rest = wb.shape.slice(2);
    let out: MxArray; // channels ordered [B, O]
    if (ax !== null && ax !== undefined) {
      const xb = ops.moveaxis(x!, ax, -2, o);
      const xf = ops.reshape(xb, [...xb.shape.slice(0, -2), B * xb.shape[xb.ndim - 1]!], o);
      out = conv(xf, ops.reshape(wb, [B * O, ...rest], o), { ...this.params(), groups: this.groups * B });
    } else if (this.groups === 1) {
      out = conv(x!, ops.reshape(wb, [B * O, ...rest], o), this);
    } else {
      // [B, G, O / G, ...] -> [G, B, O / G, ...]: group g's output channels, of every batch entry, within group g
      const G = this.groups, Og = O / G;
      const y = conv(x!, ops.reshape(ops.swapaxes(ops.reshape(wb, [B, G, Og, ...rest], o), 0, 1, o), [G * B * Og, ...rest], o), this);
      const lead = y.shape.slice(0, -1);
      return [ops.reshape(ops.swapaxes(ops.reshape(y, [...lead, G, B, Og], o), -3, -2, o), [...lead, B, O], o), lead.length];
    }
    return [ops.reshape(out, [...out.shape.slice(0, -1), B, O], o), out.ndim - 1];
  }
}
