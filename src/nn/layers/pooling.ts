// The pooling layers of mx.nn (MLX's MaxPool1d/2d/3d, AvgPool1d/2d/3d) on
// [N, ...spatial, C] inputs: the input padded (with -inf for max, 0 for
// average), its windows taken as a strided view (mx.asStrided), then reduced.

import type { MxArray } from "../../array.js";
import { isFloating } from "../../dtype.js";
import { iinfo } from "../../dtype-info.js";
import { opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import { checkArray, checkPerAxis, keywords } from "../checks.js";
import { Module } from "../module.js";

/** One value per spatial axis, or one for all. */
export type PerAxis = number | readonly number[];

/** MLX's keyword arguments of a pooling layer, as an options object (`new nn.MaxPool2d(3, { stride: 1, padding: 1 })`) or positionally in its order (`new nn.MaxPool2d(3, 1, 1)`). */
export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: PerAxis | null | undefined;
  /** Added on both sides of each spatial axis: -inf for max pooling (an integer dtype's minimum), zeros that count in the mean for average pooling (any size >= 0; default 0). */
  padding?: PerAxis | undefined;
}

abstract class Pool extends Module {
  // private, as MLX's; # fields, so these lists are not walked as children
  readonly #kernel: number[];
  readonly #stride: number[];
  readonly #padding: number[];
  constructor(readonly _op: string, readonly _dims: number, readonly _max: boolean, kernelSize: PerAxis, strideOrOptions: PerAxis | PoolOptions | null | undefined, paddingArg: PerAxis | undefined) {
    super();
    const { stride, padding } = keywords(_op, [strideOrOptions, paddingArg], ["stride", "padding"]);
    this.#kernel = checkPerAxis(_op, kernelSize, "kernelSize", _dims, 1);
    this.#stride = stride === undefined || stride === null ? this.#kernel : checkPerAxis(_op, stride, "stride", _dims, 1);
    // any padding >= 0, as MLX's: windows wholly in the padding give -inf (max) or 0 (average)
    this.#padding = checkPerAxis(_op, padding ?? 0, "padding", _dims, 0);
  }

  protected override extraRepr(): string {
    const list = (v: readonly number[]) => `[${v.join(", ")}]`;
    return `kernelSize=${list(this.#kernel)}, stride=${list(this.#stride)}, padding=${list(this.#padding)}`;
  }

  protected pool(x: MxArray): MxArray {
    const op = this._op;
    const a = checkArray(op, x, "x");
    if (a.ndim !== this._dims + 2) throw opError(op, `x must have ${this._dims + 2} axes [N, ${this._dims === 1 ? "L" : this._dims === 2 ? "H, W" : "D, H, W"}, C]`, [a], "value");
    return asOp(op, () => {
      let p = a;
      if (this.#padding.some((v) => v > 0)) {
        const fill = this._max ? (isFloating(a.dtype) ? -Infinity : Number(iinfo(a.dtype).min)) : 0;
        p = ops.pad(a, [[0, 0], ...this.#padding.map((v) => [v, v] as [number, number]), [0, 0]], { constantValue: fill });
      }
      const shape = p.shape;
      const spatial = shape.slice(1, -1);
      const out = spatial.map((n, i) => Math.floor((n - this.#kernel[i]!) / this.#stride[i]!) + 1);
      if (out.some((n) => n < 1)) throw opError(op, `the kernel (${this.#kernel.join(", ")}) is larger than the padded input`, [a], "value");
      const strides = shape.map((_, i) => shape.slice(i + 1).reduce((q, d) => q * d, 1));
      const windows = ops.asStrided(
        p,
        [shape[0]!, ...out, ...this.#kernel, shape[shape.length - 1]!],
        [strides[0]!, ...out.map((_, i) => strides[i + 1]! * this.#stride[i]!), ...this.#kernel.map((_, i) => strides[i + 1]!), 1],
      );
      const axes = this.#kernel.map((_, i) => this._dims + 1 + i);
      return this._max ? ops.max(windows, axes) : ops.mean(windows, axes);
    });
  }
}

/** Max over windows of `kernelSize` along the length of [N, L, C] inputs (stride defaults to kernelSize). */
export class MaxPool1d extends Pool {
  constructor(kernelSize: PerAxis, stride?: PerAxis | PoolOptions | null, padding?: PerAxis) {
    super("nn.MaxPool1d", 1, true, kernelSize, stride, padding);
  }
  /**
   * The pooled `x` [N, L', C].
   * @example
   * ```ts
   * await new mx.nn.MaxPool1d(2).forward(mx.array([[[1], [3], [2], [0]]], mx.float32)).tolist(); // [[[3], [2]]]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.pool(x);
  }
}

/** Max over windows of [N, H, W, C] inputs. */
export class MaxPool2d extends Pool {
  constructor(kernelSize: PerAxis, stride?: PerAxis | PoolOptions | null, padding?: PerAxis) {
    super("nn.MaxPool2d", 2, true, kernelSize, stride, padding);
  }
  /**
   * The pooled `x` [N, H', W', C].
   * @example
   * ```ts
   * const x = mx.reshape(mx.arange(16, mx.float32), [1, 4, 4, 1]);
   * await mx.squeeze(new mx.nn.MaxPool2d(2).forward(x)).tolist(); // [[5, 7], [13, 15]]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.pool(x);
  }
}

/** Max over windows of [N, D, H, W, C] inputs. */
export class MaxPool3d extends Pool {
  constructor(kernelSize: PerAxis, stride?: PerAxis | PoolOptions | null, padding?: PerAxis) {
    super("nn.MaxPool3d", 3, true, kernelSize, stride, padding);
  }
  /**
   * The pooled `x` [N, D', H', W', C].
   * @example
   * ```ts
   * const x = mx.reshape(mx.arange(8, mx.float32), [1, 2, 2, 2, 1]);
   * await mx.squeeze(new mx.nn.MaxPool3d(2).forward(x)).item(); // 7
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.pool(x);
  }
}

/** Mean over windows of `kernelSize` along the length of [N, L, C] inputs (padding counts as zeros). */
export class AvgPool1d extends Pool {
  constructor(kernelSize: PerAxis, stride?: PerAxis | PoolOptions | null, padding?: PerAxis) {
    super("nn.AvgPool1d", 1, false, kernelSize, stride, padding);
  }
  /**
   * The pooled `x` [N, L', C].
   * @example
   * ```ts
   * await new mx.nn.AvgPool1d(2).forward(mx.array([[[1], [3], [2], [0]]], mx.float32)).tolist(); // [[[2], [1]]]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.pool(x);
  }
}

/** Mean over windows of [N, H, W, C] inputs. */
export class AvgPool2d extends Pool {
  constructor(kernelSize: PerAxis, stride?: PerAxis | PoolOptions | null, padding?: PerAxis) {
    super("nn.AvgPool2d", 2, false, kernelSize, stride, padding);
  }
  /**
   * The pooled `x` [N, H', W', C].
   * @example
   * ```ts
   * const x = mx.reshape(mx.arange(16, mx.float32), [1, 4, 4, 1]);
   * await mx.squeeze(new mx.nn.AvgPool2d(2).forward(x)).tolist(); // [[2.5, 4.5], [10.5, 12.5]]
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.pool(x);
  }
}

/** Mean over windows of [N, D, H, W, C] inputs. */
export class AvgPool3d extends Pool {
  constructor(kernelSize: PerAxis, stride?: PerAxis | PoolOptions | null, padding?: PerAxis) {
    super("nn.AvgPool3d", 3, false, kernelSize, stride, padding);
  }
  /**
   * The pooled `x` [N, D', H', W', C].
   * @example
   * ```ts
   * const x = mx.reshape(mx.arange(8, mx.float32), [1, 2, 2, 2, 1]);
   * await mx.squeeze(new mx.nn.AvgPool3d(2).forward(x)).item(); // 3.5
   * ```
   */
  forward(x: MxArray): MxArray {
    return this.pool(x);
  }
}
