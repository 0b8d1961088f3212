// The convolution layers of mx.nn (MLX's Conv1d/2d/3d and
// ConvTranspose1d/2d/3d) on channels-last inputs, through mx.conv1d...
// and mx.convTranspose1d...; weights U(-k, k) with k = sqrt(1 / (inChannels *
// kernel volume)) and zero biases, as MLX's.

import type { MxArray } from "../../array.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { checkArray, checkBool, checkInt, checkPerAxis, keywordArgs, checkSize, type KeywordArgs } from "../checks.js";
import { Module } from "../module.js";
import type { PerAxis } from "./pooling.js";
import { describeValue, opError } from "../../errors.js";
import { MAX_DIM } from "../../shape.js";

export interface ConvLayerOptions {
  stride?: PerAxis | undefined;
  padding?: PerAxis | undefined;
  dilation?: PerAxis | undefined;
  /** Channel groups (default 1); inChannels must be a multiple. */
  groups?: number | undefined;
  /** Learn a bias (default true). */
  bias?: boolean | undefined;
}

export interface ConvTransposeLayerOptions extends Omit<ConvLayerOptions, "groups"> {
  /** Added to one side of each output axis (default 0). */
  outputPadding?: PerAxis | undefined;
}

/** MLX's names after kernelSize, in its order (Conv3d's groups, not in MLX's, last and keyword-only). */
// kernelSize first: MLX's kernel_size may come by keyword too (an options object in its place)
const CONV_NAMES = ["kernelSize", "stride", "padding", "dilation", "groups", "bias"];
const CONV3D_NAMES = ["kernelSize", "stride", "padding", "dilation", "bias", "groups"];
const CONV_TRANSPOSE_NAMES = ["kernelSize", "stride", "padding", "dilation", "outputPadding", "bias"];

function kernelOf(op: string, k: unknown, n: number): number[] {
  const list = typeof k === "number" ? Array<number>(n).fill(k) : k;
  if (!Array.isArray(list) || list.length !== n) throw new TypeError(`[${op}] kernelSize must be an integer or a list of ${n}, got ${describeValue(k)}`);
  // no cap of its own (MLX has none): the weight's 2^28 values below bound it
  return list.map((d) => checkInt(op, "kernelSize", d, 1, MAX_DIM));
}

/** The convolution op a Conv layer calls (mx.conv1d, conv2d or conv3d). */
export type ConvFn = (x: MxArray, w: MxArray, stride: PerAxis, padding: PerAxis, dilation: PerAxis, groups: number) => MxArray;
/** The transposed convolution op a ConvTranspose layer calls. */
export type ConvTransposeFn = (x: MxArray, w: MxArray, stride: PerAxis, padding: PerAxis, dilation: PerAxis, outputPadding: PerAxis) => MxArray;

/** A frozen copy of a checked per-axis setting (the caller's list is left alone). */
const settings = (v: readonly number[]): readonly number[] => Object.freeze([...v]);

/** The per-axis settings both layer kinds take. */
interface AxisSettings {
  stride?: PerAxis | undefined;
  padding?: PerAxis | undefined;
  dilation?: PerAxis | undefined;
}

// The per-axis settings are public getters over #private lists (MLX's
// attributes, which are ints or tuples there): a list in a field would be
// walked as a tree by parameters() and children().

/** `S`: a number for a 1-D layer, a list of one value per spatial axis for 2-D and 3-D ones. */
abstract class ConvBase<S extends PerAxis> extends Module {
  weight: MxArray;
  declare bias?: MxArray;
  readonly _op: string;
  readonly #stride: readonly number[];
  readonly #padding: readonly number[];
  readonly #dilation: readonly number[];
  constructor(op: string, n: number, inChannels: number, outChannels: number, kernelSize: PerAxis, groups: number, bias: unknown, p: AxisSettings) {
    super();
    this._op = op;
    const cin = checkSize(op, "inChannels", inChannels, 1);
    const cout = checkSize(op, "outChannels", outChannels, 1);
    checkSize(op, "groups", groups, 1);
    if (cin % groups !== 0) throw new RangeError(`[${op}] inChannels (${cin}) must be divisible by groups (${groups})`);
    const kernel = kernelOf(op, kernelSize, n);
    const volume = kernel.reduce((p, d) => p * d, 1);
    if (cout * volume * (cin / groups) > 2 ** 28) {
      throw new RangeError(`[${op}] the weight [${[cout, ...kernel, cin / groups].join(", ")}] would hold more than 2^28 values`);
    }
    const k = Math.sqrt(1 / (cin * volume));
    this.weight = random.uniform(-k, k, [cout, ...kernel, cin / groups]);
    if (checkBool(op, "bias", bias ?? true)) this.bias = ops.zeros([cout]);
    this.#stride = settings(checkPerAxis(op, p.stride ?? 1, "stride", n, 1));
    this.#padding = settings(checkPerAxis(op, p.padding ?? 0, "padding", n, 0));
    this.#dilation = settings(checkPerAxis(op, p.dilation ?? 1, "dilation", n, 1));
  }
  /** The stride along each spatial axis (a number for a 1-D layer). */
  get stride(): S {
    return ConvBase.perAxis<S>(this.#stride);
  }
  /** The padding of each spatial axis (a number for a 1-D layer). */
  get padding(): S {
    return ConvBase.perAxis<S>(this.#padding);
  }
  /** The dilation of the kernel along each spatial axis (a number for a 1-D layer). */
  get dilation(): S {
    return ConvBase.perAxis<S>(this.#dilation);
  }
  /** The settings as lists, for the kernels and the repr. */
  protected get lists(): { stride: readonly number[]; padding: readonly number[]; dilation: readonly number[] } {
    return { stride: this.#stride, padding: this.#padding, dilation: this.#dilation };
  }
  /** A per-axis setting as MLX prints it: a number for a 1-D layer, else a list. */
  protected axes(v: PerAxis): string {
    return typeof v === "number" ? String(v) : v.length === 1 ? String(v[0]) : `[${v.join(", ")}]`;
  }
  /** A per-axis setting as the layer exposes it: a number for a 1-D layer (as MLX's Conv1d), else the list. */
  protected static perAxis<S extends PerAxis>(v: readonly number[]): S {
    return (v.length === 1 ? v[0]! : v) as S;
  }
  protected run(x: MxArray, conv: (x: MxArray) => MxArray): MxArray {
    checkArray(this._op, x, "x");
    return asOp(this._op, () => {
      const y = conv(x);
      return this.bias ? ops.add(y, this.bias) : y;
    });
  }
}

/** The kernel size keywordArgs read (positionally or from the options object), which MLX requires. */
function requiredKernel(op: string, p: { kernelSize?: unknown }): PerAxis {
  if (p.kernelSize === undefined) throw opError(op, "kernelSize is required: give it after outChannels or in the options object", [], "type");
  return p.kernelSize as PerAxis;
}

abstract class Conv<S extends PerAxis> extends ConvBase<S> {
  /** The number of channel groups (MLX's `groups`). */
  readonly groups: number;
  constructor(op: string, n: number, inChannels: number, outChannels: number, kernelOrOptions: unknown, given: readonly unknown[]) {
    const p = (n === 3 ? keywordArgs(op, [kernelOrOptions, ...given], CONV3D_NAMES, 5) : keywordArgs(op, [kernelOrOptions, ...given], CONV_NAMES)) as ConvLayerOptions & { kernelSize?: unknown };
    super(op, n, inChannels, outChannels, requiredKernel(op, p), p.groups ?? 1, p.bias, p);
    this.groups = p.groups ?? 1;
  }
  protected override extraRepr(): string {
    const w = this.weight.shape, l = this.lists;
    return `${w[w.length - 1]! * this.groups}, ${w[0]}, kernelSize=${this.axes(w.slice(1, -1))}, stride=${this.axes(l.stride)}, padding=${this.axes(l.padding)}, dilation=${this.axes(l.dilation)}, groups=${this.groups}, bias=${"bias" in this}`;
  }
  protected convolve(x: MxArray, conv: ConvFn): MxArray {
    const l = this.lists;
    return this.run(x, (a) => conv(a, this.weight, l.stride, l.padding, l.dilation, this.groups));
  }
}

abstract class ConvTranspose<S extends PerAxis> extends ConvBase<S> {
  readonly #outputPadding: readonly number[];
  constructor(op: string, n: number, inChannels: number, outChannels: number, kernelOrOptions: unknown, given: readonly unknown[]) {
    const p = keywordArgs(op, [kernelOrOptions, ...given], CONV_TRANSPOSE_NAMES) as ConvTransposeLayerOptions & { kernelSize?: unknown };
    super(op, n, inChannels, outChannels, requiredKernel(op, p), 1, p.bias, p);
    this.#outputPadding = settings(checkPerAxis(op, p.outputPadding ?? 0, "outputPadding", n, 0));
  }
  /** What is added to one side of each output axis (a number for ConvTranspose1d). */
  get outputPadding(): S {
    return ConvBase.perAxis<S>(this.#outputPadding);
  }
  protected override extraRepr(): string {
    const w = this.weight.shape, l = this.lists;
    return `${w[w.length - 1]}, ${w[0]}, kernelSize=${this.axes(w.slice(1, -1))}, stride=${this.axes(l.stride)}, padding=${this.axes(l.padding)}, dilation=${this.axes(l.dilation)}, outputPadding=${this.axes(this.#outputPadding)}, bias=${"bias" in this}`;
  }
  protected convolve(x: MxArray, conv: ConvTransposeFn): MxArray {
    const l = this.lists;
    return this.run(x, (a) => conv(a, this.weight, l.stride, l.padding, l.dilation, this.#outputPadding));
  }
}

/** 1-D convolution of [N, L, inChannels] inputs; weight [outChannels, K, inChannels / groups]. */
export class Conv1d extends Conv<number> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | (ConvLayerOptions & { kernelSize: number }), ...rest: KeywordArgs<[["stride", PerAxis], ["padding", PerAxis], ["dilation", PerAxis], ["groups", number], ["bias", boolean]], ConvLayerOptions>) {
    super("nn.Conv1d", 1, inChannels, outChannels, kernelSize, rest);
  }
  /**
   * `mx.conv1d(x, weight, ...) + bias`.
   * @example
   * ```ts
   * new mx.nn.Conv1d(3, 4, 3, { padding: 1 }).forward(mx.ones([2, 8, 3])).shape; // [2, 8, 4]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.convolve(x, ops.conv1d);
  }
}

/** 2-D convolution of [N, H, W, inChannels] inputs; weight [outChannels, KH, KW, inChannels / groups]. */
export class Conv2d extends Conv<readonly number[]> {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis | (ConvLayerOptions & { kernelSize: PerAxis }), ...rest: KeywordArgs<[["stride", PerAxis], ["padding", PerAxis], ["dilation", PerAxis], ["groups", number], ["bias", boolean]], ConvLayerOptions>) {
    super("nn.Conv2d", 2, inChannels, outChannels, kernelSize, rest);
  }
  /**
   * `mx.conv2d(x, weight, ...) + bias`.
   * @example
   * ```ts
   * new mx.nn.Conv2d(1, 8, 3, { stride: 2 }).forward(mx.ones([1, 9, 9, 1])).shape; // [1, 4, 4, 8]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.convolve(x, ops.conv2d);
  }
}

/** 3-D convolution of [N, D, H, W, inChannels] inputs. */
export class Conv3d extends Conv<readonly number[]> {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis | (ConvLayerOptions & { kernelSize: PerAxis }), ...rest: KeywordArgs<[["stride", PerAxis], ["padding", PerAxis], ["dilation", PerAxis], ["bias", boolean]], ConvLayerOptions>) {
    super("nn.Conv3d", 3, inChannels, outChannels, kernelSize, rest);
  }
  /**
   * `mx.conv3d(x, weight, ...) + bias`.
   * @example
   * ```ts
   * new mx.nn.Conv3d(1, 2, 2).forward(mx.ones([1, 3, 3, 3, 1])).shape; // [1, 2, 2, 2, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.convolve(x, ops.conv3d);
  }
}

/** 1-D transposed convolution of [N, L, inChannels] inputs; weight [outChannels, K, inChannels]. */
export class ConvTranspose1d extends ConvTranspose<number> {
  constructor(inChannels: number, outChannels: number, kernelSize: number | (ConvTransposeLayerOptions & { kernelSize: number }), ...rest: KeywordArgs<[["stride", PerAxis], ["padding", PerAxis], ["dilation", PerAxis], ["outputPadding", PerAxis], ["bias", boolean]], ConvTransposeLayerOptions>) {
    super("nn.ConvTranspose1d", 1, inChannels, outChannels, kernelSize, rest);
  }
  /**
   * `mx.convTranspose1d(x, weight, ...) + bias`.
   * @example
   * ```ts
   * new mx.nn.ConvTranspose1d(3, 2, 2, { stride: 2 }).forward(mx.ones([1, 4, 3])).shape; // [1, 8, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.convolve(x, ops.convTranspose1d);
  }
}

/** 2-D transposed convolution of [N, H, W, inChannels] inputs. */
export class ConvTranspose2d extends ConvTranspose<readonly number[]> {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis | (ConvTransposeLayerOptions & { kernelSize: PerAxis }), ...rest: KeywordArgs<[["stride", PerAxis], ["padding", PerAxis], ["dilation", PerAxis], ["outputPadding", PerAxis], ["bias", boolean]], ConvTransposeLayerOptions>) {
    super("nn.ConvTranspose2d", 2, inChannels, outChannels, kernelSize, rest);
  }
  /**
   * `mx.convTranspose2d(x, weight, ...) + bias`.
   * @example
   * ```ts
   * new mx.nn.ConvTranspose2d(1, 2, 2, { stride: 2 }).forward(mx.ones([1, 3, 3, 1])).shape; // [1, 6, 6, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.convolve(x, ops.convTranspose2d);
  }
}

/** 3-D transposed convolution of [N, D, H, W, inChannels] inputs. */
export class ConvTranspose3d extends ConvTranspose<readonly number[]> {
  constructor(inChannels: number, outChannels: number, kernelSize: PerAxis | (ConvTransposeLayerOptions & { kernelSize: PerAxis }), ...rest: KeywordArgs<[["stride", PerAxis], ["padding", PerAxis], ["dilation", PerAxis], ["outputPadding", PerAxis], ["bias", boolean]], ConvTransposeLayerOptions>) {
    super("nn.ConvTranspose3d", 3, inChannels, outChannels, kernelSize, rest);
  }
  /**
   * `mx.convTranspose3d(x, weight, ...) + bias`.
   * @example
   * ```ts
   * new mx.nn.ConvTranspose3d(1, 1, 2).forward(mx.ones([1, 2, 2, 2, 1])).shape; // [1, 3, 3, 3, 1]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.convolve(x, ops.convTranspose3d);
  }
}
