// The normalization layers of mx.nn (MLX's LayerNorm, RMSNorm, GroupNorm,
// InstanceNorm, BatchNorm): features on the last axis; LayerNorm and RMSNorm
// run as mx.fast kernels. BatchNorm keeps running statistics (parameters,
// always frozen) that eval mode uses.

import type { MxArray } from "../../array.js";
import { opError } from "../../errors.js";
import * as fast from "../../fast/index.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import { checkArray, checkBool, checkNumber, keywordArgs, checkSize, type KeywordArgs } from "../checks.js";
import { Module, type FreezeOptions } from "../module.js";

/** Checks that `x`'s last axis holds `dims` features. */
function features(op: string, x: unknown, dims: number): MxArray {
  const a = checkArray(op, x, "x");
  if (a.ndim < 1 || a.shape[a.ndim - 1] !== dims) throw opError(op, `x must have ${dims} features on its last axis`, [a], "value");
  return a;
}

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number | undefined;
  /** Learn a scale `weight` (default true). */
  affine?: boolean | undefined;
  /** Learn a shift `bias` too, when affine (default true). */
  bias?: boolean | undefined;
}

/** Normalizes the last axis to mean 0 and variance 1, then scales and shifts (`weight` ones, `bias` zeros). */
export class LayerNorm extends Module {
  declare weight?: MxArray;
  declare bias?: MxArray;
  /** The number of features normalized (the last axis). */
  readonly dims: number;
  /** Added to the variance. */
  readonly eps: number;
  /** MLX's `LayerNorm(dims, eps, affine, bias)`: eps, affine, bias positionally (`new nn.LayerNorm(64, 1e-6)`) or in the options. */
  constructor(dims: number, ...rest: KeywordArgs<[["eps", number], ["affine", boolean], ["bias", boolean]], LayerNormOptions>) {
    super();
    const op = "nn.LayerNorm";
    this.dims = checkSize(op, "dims", dims, 1);
    const p = keywordArgs(op, rest, ["eps", "affine", "bias"]) as LayerNormOptions;
    this.eps = checkNumber(op, "eps", p.eps ?? 1e-5, 0, Infinity, { lo: true });
    if (checkBool(op, "affine", p.affine ?? true)) {
      this.weight = ops.ones([dims]);
      if (checkBool(op, "bias", p.bias ?? true)) this.bias = ops.zeros([dims]);
    }
  }
  protected override extraRepr(): string {
    return `${this.dims}, eps=${this.eps}, affine=${"weight" in this}`;
  }
  /**
   * `(x - mean) / sqrt(var + eps) * weight + bias` over the last axis.
   * @example
   * ```ts
   * await new mx.nn.LayerNorm(2, { eps: 1e-12 }).forward(mx.array([[1, 3]], mx.float32)).tolist(); // [[-1, 1]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const a = features("nn.LayerNorm", x, this.dims);
    return asOp("nn.LayerNorm", () => fast.layerNorm(a, this.weight ?? null, this.bias ?? null, this.eps));
  }
}

/** Divides the last axis by its root mean square, then scales by `weight` (ones). */
export class RMSNorm extends Module {
  weight: MxArray;
  /** Added to the mean square. */
  readonly eps: number;
  /** MLX's `RMSNorm(dims, eps)`: eps positionally (`new nn.RMSNorm(64, 1e-6)`) or in the options. */
  constructor(dims: number, ...rest: KeywordArgs<[["eps", number]], { eps?: number | undefined }>) {
    super();
    this.weight = ops.ones([checkSize("nn.RMSNorm", "dims", dims, 1)]);
    this.eps = checkNumber("nn.RMSNorm", "eps", keywordArgs("nn.RMSNorm", rest, ["eps"]).eps ?? 1e-5, 0, Infinity, { lo: true });
  }
  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, eps=${this.eps}`;
  }
  /**
   * `x / sqrt(mean(x^2) + eps) * weight` over the last axis.
   * @example
   * ```ts
   * await new mx.nn.RMSNorm(2, 1e-12).forward(mx.array([[3, 4]], mx.float32)).tolist(); // [[0.8485281467437744, 1.1313709020614624]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const a = features("nn.RMSNorm", x, this.weight.shape[0]!);
    return asOp("nn.RMSNorm", () => fast.rmsNorm(a, this.weight, this.eps));
  }
}

export interface GroupNormOptions {
  eps?: number | undefined;
  affine?: boolean | undefined;
  /** Group consecutive channels as PyTorch does (default false: channel c is in group c mod numGroups, as MLX). */
  pytorchCompatible?: boolean | undefined;
}

/** Normalizes each group of channels over the group and the spatial axes ([N, ..., C] inputs). */
export class GroupNorm extends Module {
  declare weight?: MxArray;
  declare bias?: MxArray;
  /** The number of channel groups. */
  readonly numGroups: number;
  /** The number of channels (the last axis). */
  readonly dims: number;
  /** Added to the variance. */
  readonly eps: number;
  /** Whether consecutive channels form a group, as PyTorch's GroupNorm groups them. */
  readonly pytorchCompatible: boolean;
  /** MLX's `GroupNorm(num_groups, dims, eps, affine, pytorch_compatible)`: the last three positionally (`new nn.GroupNorm(4, 32, 1e-6, true, true)`) or in the options. */
  constructor(numGroups: number, dims: number, ...rest: KeywordArgs<[["eps", number], ["affine", boolean], ["pytorchCompatible", boolean]], GroupNormOptions>) {
    super();
    const op = "nn.GroupNorm";
    this.numGroups = checkSize(op, "numGroups", numGroups, 1);
    this.dims = checkSize(op, "dims", dims, 1);
    if (dims % numGroups !== 0) throw new RangeError(`[${op}] dims (${dims}) must be a multiple of numGroups (${numGroups})`);
    const p = keywordArgs(op, rest, ["eps", "affine", "pytorchCompatible"]) as GroupNormOptions;
    this.eps = checkNumber(op, "eps", p.eps ?? 1e-5, 0, Infinity, { lo: true });
    this.pytorchCompatible = checkBool(op, "pytorchCompatible", p.pytorchCompatible ?? false);
    if (checkBool(op, "affine", p.affine ?? true)) {
      // MLX's order: its checkpoints list bias before weight
      this.bias = ops.zeros([dims]);
      this.weight = ops.ones([dims]);
    }
  }
  protected override extraRepr(): string {
    return `${this.numGroups}, ${this.dims}, eps=${this.eps}, affine=${"weight" in this}, pytorchCompatible=${this.pytorchCompatible}`;
  }
  /**
   * The group-normalized `x` [N, ..., C].
   * @example
   * ```ts
   * const y = new mx.nn.GroupNorm(1, 2, { eps: 1e-12 }).forward(mx.array([[[1, 3]]], mx.float32));
   * await y.tolist(); // [[[-1, 1]]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.GroupNorm";
    const a = features(op, x, this.dims);
    if (a.ndim < 2) throw opError(op, "x must have a batch axis and a channel axis", [a], "value");
    return asOp(op, () => {
      const g = this.numGroups;
      const size = this.dims / g;
      const [batch] = a.shape as [number];
      let y: MxArray;
      if (this.pytorchCompatible) {
        const grouped = ops.reshape(ops.transpose(ops.reshape(a, [batch, -1, g, size]), [0, 2, 1, 3]), [batch, g, -1]);
        const normed = fast.layerNorm(grouped, null, null, this.eps);
        y = ops.reshape(ops.transpose(ops.reshape(normed, [batch, g, -1, size]), [0, 2, 1, 3]), a.shape);
      } else {
        const grouped = ops.reshape(a, [batch, -1, g]);
        const mean = ops.mean(grouped, 1, { keepdims: true });
        const v = ops.variance(grouped, 1, { keepdims: true });
        y = ops.reshape(ops.multiply(ops.subtract(grouped, mean), ops.rsqrt(ops.add(v, this.eps))), a.shape);
      }
      return this.weight ? ops.add(ops.multiply(y, this.weight), this.bias!) : y;
    });
  }
}

export interface InstanceNormOptions {
  eps?: number | undefined;
  /** Learn `weight` and `bias` (default false). */
  affine?: boolean | undefined;
}

/** Normalizes each channel of each example over the spatial axes ([N, ..., C] inputs). */
export class InstanceNorm extends Module {
  declare weight?: MxArray;
  declare bias?: MxArray;
  /** The number of channels (the last axis). */
  readonly dims: number;
  /** Added to the variance. */
  readonly eps: number;
  /** MLX's `InstanceNorm(dims, eps, affine)`: eps and affine positionally (`new nn.InstanceNorm(8, 1e-5, true)`) or in the options. */
  constructor(dims: number, ...rest: KeywordArgs<[["eps", number], ["affine", boolean]], InstanceNormOptions>) {
    super();
    const op = "nn.InstanceNorm";
    this.dims = checkSize(op, "dims", dims, 1);
    const p = keywordArgs(op, rest, ["eps", "affine"]) as InstanceNormOptions;
    this.eps = checkNumber(op, "eps", p.eps ?? 1e-5, 0, Infinity, { lo: true });
    if (checkBool(op, "affine", p.affine ?? false)) {
      this.weight = ops.ones([dims]);
      this.bias = ops.zeros([dims]);
    }
  }
  protected override extraRepr(): string {
    return `${this.dims}, eps=${this.eps}, affine=${"weight" in this}`;
  }
  /**
   * The instance-normalized `x` [N, ..., C].
   * @example
   * ```ts
   * const y = new mx.nn.InstanceNorm(1, { eps: 1e-12 }).forward(mx.array([[[1], [3]]], mx.float32));
   * await y.tolist(); // [[[-1], [1]]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.InstanceNorm";
    const a = features(op, x, this.dims);
    if (a.ndim < 3) throw opError(op, "x must have a batch axis, spatial axes and a channel axis", [a], "value");
    return asOp(op, () => {
      // as MLX's: mx.fast.layerNorm over the spatial positions of each channel, laid out channels first
      // (its statistics in float32 or wider, so 16-bit inputs don't overflow; the result in x's dtype)
      const [batch] = a.shape as [number];
      const spatial = a.shape.slice(1, -1);
      const spatialAxes = spatial.map((_, i) => i + 1);
      const channelsFirst = ops.reshape(ops.transpose(a, [0, a.ndim - 1, ...spatialAxes]), [batch, this.dims, -1]);
      const normed = ops.reshape(fast.layerNorm(channelsFirst, null, null, this.eps), [batch, this.dims, ...spatial]);
      const y = ops.transpose(normed, [0, ...spatialAxes.map((i) => i + 1), 1]);
      return this.weight ? ops.add(ops.multiply(y, this.weight), this.bias!) : y;
    });
  }
}

export interface BatchNormOptions {
  eps?: number | undefined;
  /** The weight of the new batch in the running statistics (default 0.1). */
  momentum?: number | undefined;
  affine?: boolean | undefined;
  /** Keep running statistics for eval mode (default true). */
  trackRunningStats?: boolean | undefined;
}

const RUNNING = ["running_mean", "running_var"];

/**
 * Normalizes each channel over the batch (and spatial axes) of [N, C],
 * [N, L, C] or [N, H, W, C] inputs. In training it uses the batch statistics
 * and updates `running_mean`/`running_var` (unbiased variance); in eval mode it
 * uses them. The running statistics are parameters that stay frozen.
 */
export class BatchNorm extends Module {
  declare weight?: MxArray;
  declare bias?: MxArray;
  declare running_mean?: MxArray;
  declare running_var?: MxArray;
  /** The number of channels (the last axis). */
  readonly numFeatures: number;
  /** Added to the variance. */
  readonly eps: number;
  /** The weight of each new batch in the running statistics. */
  readonly momentum: number;
  /** Whether the layer keeps running statistics (`running_mean`, `running_var`) for eval mode. */
  readonly trackRunningStats: boolean;
  /**
   * MLX's `BatchNorm(num_features, eps, momentum, affine, track_running_stats)`:
   * the last four positionally (`new nn.BatchNorm(16, 1e-5, 0.1, false)`) or in the options.
   */
  constructor(numFeatures: number, ...rest: KeywordArgs<[["eps", number], ["momentum", number], ["affine", boolean], ["trackRunningStats", boolean]], BatchNormOptions>) {
    super();
    const op = "nn.BatchNorm";
    this.numFeatures = checkSize(op, "numFeatures", numFeatures, 1);
    const p = keywordArgs(op, rest, ["eps", "momentum", "affine", "trackRunningStats"]) as BatchNormOptions;
    this.eps = checkNumber(op, "eps", p.eps ?? 1e-5, 0, Infinity, { lo: true });
    this.momentum = checkNumber(op, "momentum", p.momentum ?? 0.1, 0, 1);
    this.trackRunningStats = checkBool(op, "trackRunningStats", p.trackRunningStats ?? true);
    if (checkBool(op, "affine", p.affine ?? true)) {
      this.weight = ops.ones([numFeatures]);
      this.bias = ops.zeros([numFeatures]);
    }
    if (this.trackRunningStats) {
      this.running_mean = ops.zeros([numFeatures]);
      this.running_var = ops.ones([numFeatures]);
      this.freeze({ keys: RUNNING, recurse: false });
    }
  }

  protected override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${"weight" in this}, trackRunningStats=${this.trackRunningStats}`;
  }

  /**
   * Unfreezes as `Module.unfreeze`, the running statistics excepted.
   * @example
   * ```ts
   * const bn = new mx.nn.BatchNorm(2).freeze().unfreeze();
   * Object.keys(bn.trainableParameters()); // ["weight", "bias"]
   * ```
   */
  override unfreeze(o: FreezeOptions = {}): this {
    super.unfreeze(o);
    if (this.running_mean) this.freeze({ keys: RUNNING, recurse: false });
    return this;
  }

  /**
   * The batch-normalized `x`; in training the running statistics are updated.
   * @example
   * ```ts
   * const bn = new mx.nn.BatchNorm(1, { eps: 1e-12 });
   * await bn.forward(mx.array([[1], [3]], mx.float32)).tolist(); // [[-1], [1]]
   * await bn.running_mean!.tolist(); // [0.20000000298023224]
   * await bn.eval().forward(mx.array([[1]], mx.float32)).tolist(); // [[0.7627701163291931]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.BatchNorm";
    const a = features(op, x, this.numFeatures);
    if (a.ndim < 2 || a.ndim > 4) throw opError(op, "x must have 2, 3 or 4 axes ([N, ..., C])", [a], "value");
    if (this.training && a.size / this.numFeatures <= 1) throw opError(op, "training needs more than one value per channel", [a], "value");
    return asOp(op, () => {
      const axes = Array.from({ length: a.ndim - 1 }, (_, i) => i);
      let mean = ops.mean(a, axes);
      let v = ops.variance(a, axes);
      if (this.training && this.running_mean && this.running_var) {
        const mu = this.momentum;
        const unbiased = ops.variance(a, axes, { ddof: 1 });
        this.running_mean = ops.add(ops.multiply(this.running_mean, 1 - mu), ops.multiply(mean, mu));
        this.running_var = ops.add(ops.multiply(this.running_var, 1 - mu), ops.multiply(unbiased, mu));
      } else if (this.running_mean && this.running_var) {
        mean = this.running_mean;
        v = this.running_var;
      }
      const y = ops.multiply(ops.subtract(a, mean), ops.rsqrt(ops.add(v, this.eps)));
      return this.weight ? ops.add(ops.multiply(y, this.weight), this.bias!) : y;
    });
  }
}
