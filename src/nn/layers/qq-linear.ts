// nn.QQLinear (MLX's): a linear layer that quantizes its input on the fly and
// multiplies by a weight quantized in nvfp4 or mxfp8 (mx.qqmm): held in
// float while training (so it gets gradients), packed with its scales in eval.

import { MxArray } from "../../array.js";
import { describeValue } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { checkArray, checkChoice, checkInt, keywordArgs, checkSize, type KeywordArgs } from "../checks.js";
import { Module, isModule } from "../module.js";

export interface QQLinearOptions {
  /** Values per scale (default: the mode's, nvfp4 16, mxfp8 32). */
  groupSize?: number | undefined;
  /** Bits per value (default: the mode's, nvfp4 4, mxfp8 8). */
  bits?: number | undefined;
  /** The quantization mode (default "nvfp4"). */
  mode?: "nvfp4" | "mxfp8" | undefined;
}

const DEFAULTS = { nvfp4: { groupSize: 16, bits: 4 }, mxfp8: { groupSize: 32, bits: 8 } } as const;

/**
 * Quantizes its input and multiplies by quantized weights (MLX's
 * `QQLinear`, no bias): in training mode the weight is float and quantized
 * on the fly (gradients reach it); `eval()` packs it once (`weight` becomes
 * uint32, `scales` appears) and `train()` unpacks it again.
 * @example
 * ```ts
 * const layer = new mx.nn.QQLinear(32, 4, { mode: "mxfp8" });
 * layer.forward(mx.ones([2, 32])).shape; // [2, 4]
 * layer.eval().weight.dtype.name; // "uint32"
 * ```
 */
export class QQLinear extends Module {
  weight: MxArray;
  declare scales?: MxArray;
  /** Values per scale (MLX's `group_size`). */
  readonly groupSize: number;
  /** Bits per value. */
  readonly bits: number;
  /** The quantization mode. */
  readonly mode: "nvfp4" | "mxfp8";
  _quantized = false;

  /** MLX's `QQLinear(input_dims, output_dims, group_size, bits, mode)`: the last three positionally or in the options. */
  constructor(inputDims: number, outputDims: number, ...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", "nvfp4" | "mxfp8"]], QQLinearOptions>) {
    super();
    const op = "nn.QQLinear";
    const p = keywordArgs(op, rest, ["groupSize", "bits", "mode"]) as QQLinearOptions;
    this.mode = checkChoice(op, "mode", p.mode ?? "nvfp4", ["nvfp4", "mxfp8"]) as "nvfp4" | "mxfp8";
    this.groupSize = checkInt(op, "groupSize", p.groupSize ?? DEFAULTS[this.mode].groupSize, 1, 1024);
    this.bits = checkInt(op, "bits", p.bits ?? DEFAULTS[this.mode].bits, 1, 8);
    const i = checkSize(op, "inputDims", inputDims, 1);
    const out = checkSize(op, "outputDims", outputDims, 1);
    if (i * out > 2 ** 28) throw new RangeError(`[${op}] inputDims * outputDims must be at most 2^28`);
    const k = Math.sqrt(1 / i);
    this.weight = random.uniform(-k, k, [out, i]);
  }

  protected override extraRepr(): string {
    const [out, i] = this.weight.shape as [number, number];
    return `inputDims=${this._quantized ? (i * 32) / this.bits : i}, outputDims=${out}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }

  /**
   * A QQLinear with `linear`'s weight (MLX's `from_linear`; a layer with a bias is refused, as MLX's).
   * @example
   * ```ts
   * const q = mx.nn.QQLinear.fromLinear(new mx.nn.Linear(32, 2, false));
   * q.weight.shape; // [2, 32]
   * ```
   */
  static fromLinear(linear: Module & { weight: MxArray; bias?: MxArray | undefined }, ...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", "nvfp4" | "mxfp8"]], QQLinearOptions>): QQLinear {
    const op = "nn.QQLinear.fromLinear";
    const o = keywordArgs(op, rest, ["groupSize", "bits", "mode"]) as QQLinearOptions;
    const w = isModule(linear) ? (linear as { weight?: unknown }).weight : undefined;
    if (!(w instanceof MxArray) || w.ndim !== 2) throw new TypeError(`[${op}] linear must be an nn.Module with a 2-D weight (an nn.Linear), got ${describeValue(linear)}`);
    if (linear.bias instanceof MxArray) throw new Error(`[${op}] QQLinear has no bias (as MLX's): pass a Linear without one`);
    const [out, i] = w.shape as [number, number];
    const q = new QQLinear(i, out, o);
    q.weight = w;
    return q.train(linear.training);
  }

  /**
   * Packs the weight (`mx.quantize` in the layer's mode), as `eval()` does.
   * @example
   * ```ts
   * const q = new mx.nn.QQLinear(32, 2);
   * q.quantize();
   * q.scales!.dtype.name; // "uint8"
   * ```
   */
  quantize(): void {
    if (this._quantized) return;
    const [w, s] = ops.quantize(this.weight, this.groupSize, this.bits, { mode: this.mode });
    this.weight = w!;
    this.scales = s!;
    this._quantized = true;
  }

  /**
   * Unpacks the weight back to float, as `train()` does (bfloat16, the
   * dtype mx.dequantize gives microscaling modes by default, as MLX's).
   * @example
   * ```ts
   * const q = new mx.nn.QQLinear(32, 2);
   * q.quantize();
   * q.dequantize();
   * q.weight.dtype.name; // "bfloat16"
   * ```
   */
  dequantize(): void {
    if (!this._quantized) return;
    this.weight = ops.dequantize(this.weight, this.scales!, null, this.groupSize, this.bits, { mode: this.mode });
    delete this.scales;
    this._quantized = false;
  }

  protected override trainingModeChanged(training: boolean): void {
    if (training) this.dequantize();
    else this.quantize();
  }

  /**
   * `x W^T` with x and W quantized (mx.qqmm).
   * @example
   * ```ts
   * const q = new mx.nn.QQLinear(32, 3);
   * q.forward(mx.ones([1, 32])).shape; // [1, 3]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.QQLinear";
    checkArray(op, x, "x");
    return asOp(op, () => ops.qqmm(x, this.weight, this.scales ?? null, { groupSize: this.groupSize, bits: this.bits, mode: this.mode }));
  }
}
