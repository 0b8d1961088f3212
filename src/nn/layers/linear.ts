// The affine layers of mx.nn (MLX's Identity, Linear, Bilinear), with MLX's
// initialisation: weights and biases uniform in +-sqrt(1 / inputDims).

import type { MxArray } from "../../array.js";
import { describeValue } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { checkArray, checkBool, checkSize, keywordArgs, keywords, type PositionalThenOptions, type KeywordArgs } from "../checks.js";
import type { QuantizationMode } from "../../primitives/quantized.js";
import { Module } from "../module.js";
import { QQLinear } from "./qq-linear.js";
import { QuantizedLinear, type QuantizeLayerOptions, type ToQuantizedOptions } from "./quantized.js";

/** Returns its input (a placeholder layer); its constructor takes no argument. */
export class Identity extends Module {
  /**
   * `x` itself.
   * @example
   * ```ts
   * await new mx.nn.Identity().forward(mx.array([1, 2])).tolist(); // [1, 2]
   * ```
   */
  forward(x: MxArray): MxArray {
    return checkArray("nn.Identity", x, "x");
  }
}

/**
 * `y = x W^T + b`, with `weight` [outputDims, inputDims] and `bias`
 * [outputDims] (when `bias`, the default, is true), both drawn from
 * U(-k, k), k = sqrt(1 / inputDims), as MLX's.
 */
export class Linear extends Module {
  weight: MxArray;
  declare bias?: MxArray;
  constructor(inputDims: number, outputDims: number, bias: boolean | { bias?: boolean | undefined } = true) {
    super();
    const op = "nn.Linear";
    const i = checkSize(op, "inputDims", inputDims, 1);
    const o = checkSize(op, "outputDims", outputDims, 1);
    if (i * o > 2 ** 28) throw new RangeError(`[${op}] inputDims * outputDims must be at most 2^28, got ${i} * ${o}`);
    const k = Math.sqrt(1 / i);
    this.weight = random.uniform(-k, k, [o, i]);
    if (checkBool(op, "bias", keywords(op, [bias], ["bias"]).bias ?? true)) this.bias = random.uniform(-k, k, [o]);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.weight.shape[1]}, outputDims=${this.weight.shape[0]}, bias=${"bias" in this}`;
  }

  /**
   * `x W^T + b` over the last axis of `x`.
   * @example
   * ```ts
   * const layer = new mx.nn.Linear(2, 1);
   * layer.update({ weight: mx.array([[1, 2]], mx.float32), bias: mx.array([3], mx.float32) });
   * await layer.forward(mx.array([[1, 1]], mx.float32)).tolist(); // [[6]]
   * ```
   */
  forward(x: MxArray): MxArray {
    checkArray("nn.Linear", x, "x");
    return asOp("nn.Linear", () => (this.bias ? ops.addmm(this.bias, x, ops.transpose(this.weight)) : ops.matmul(x, ops.transpose(this.weight))));
  }

  /**
   * The quantized approximation of this layer (MLX's `to_quantized`, which
   * nn.quantize calls): a QuantizedLinear in any mode of mx.quantize
   * (`groupSize` and `bits` default to the mode's), or with `quantizeInput`
   * a QQLinear (modes "nvfp4" and "mxfp8", no bias). MLX's group_size, bits,
   * mode, quantize_input come positionally in that order
   * (`toQuantized(32, 8)`), in the options, or both.
   * @example
   * ```ts
   * const q = new mx.nn.Linear(64, 8).toQuantized({ mode: "mxfp8" });
   * [q.constructor.name, q.groupSize, q.bits]; // ["QuantizedLinear", 32, 8]
   * new mx.nn.Linear(32, 8, false).toQuantized({ mode: "nvfp4", quantizeInput: true }).constructor.name; // "QQLinear"
   * ```
   */
  toQuantized(...rest: PositionalThenOptions<[["groupSize", number], ["bits", number], ["mode", QuantizationMode]], ToQuantizedOptions & { quantizeInput: true }>): QQLinear;
  /**
   * The QQLinear form of this layer, MLX's arguments all positional (null: the mode's default).
   * @example
   * ```ts
   * new mx.nn.Linear(32, 8, false).toQuantized(null, null, "mxfp8", true).constructor.name; // "QQLinear"
   * ```
   */
  toQuantized(groupSize: number | null | undefined, bits: number | null | undefined, mode: QuantizationMode | null | undefined, quantizeInput: true): QQLinear;
  /**
   * The QuantizedLinear form of this layer, with the mode's groupSize and bits unless given.
   * @example
   * ```ts
   * new mx.nn.Linear(64, 8).toQuantized().mode; // "affine"
   * const q = new mx.nn.Linear(64, 8).toQuantized(32, 8);
   * [q.groupSize, q.bits]; // [32, 8]
   * ```
   */
  toQuantized(...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", QuantizationMode], ["quantizeInput", false]], ToQuantizedOptions & { quantizeInput?: false | undefined }>): QuantizedLinear;
  /**
   * A QuantizedLinear, or a QQLinear when `quantizeInput` is true.
   * @example
   * ```ts
   * const quantizeInput = [true, false][0]!; // a boolean known only when run
   * new mx.nn.Linear(32, 8, false).toQuantized({ mode: "nvfp4", quantizeInput }).constructor.name; // "QQLinear"
   * ```
   */
  toQuantized(...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", QuantizationMode], ["quantizeInput", boolean]], ToQuantizedOptions>): QuantizedLinear | QQLinear;
  toQuantized(...rest: unknown[]): QuantizedLinear | QQLinear {
    const op = "nn.Linear.toQuantized";
    const { quantizeInput, groupSize, bits, mode } = keywordArgs(op, rest, ["groupSize", "bits", "mode", "quantizeInput"]) as ToQuantizedOptions;
    const q: QuantizeLayerOptions = { groupSize: groupSize ?? undefined, bits: bits ?? undefined, mode: mode ?? undefined };
    if (!checkBool(op, "quantizeInput", quantizeInput ?? false)) return asOp(op, () => QuantizedLinear.fromLinear(this, q));
    if (q.mode !== "nvfp4" && q.mode !== "mxfp8") throw new Error(`[${op}] quantizeInput needs mode "nvfp4" or "mxfp8" (quantized activations), got ${describeValue(q.mode ?? "affine")}`);
    return asOp(op, () => QQLinear.fromLinear(this, { groupSize: q.groupSize, bits: q.bits, mode: q.mode as "nvfp4" | "mxfp8" }));
  }
}

/**
 * `y_i = x1^T W_i x2 + b_i`, with `weight` [outputDims, input2Dims,
 * input1Dims] and `bias` [outputDims], both U(-k, k), k = sqrt(1 / input1Dims).
 */
export class Bilinear extends Module {
  weight: MxArray;
  declare bias?: MxArray;
  constructor(input1Dims: number, input2Dims: number, outputDims: number, bias: boolean | { bias?: boolean | undefined } = true) {
    super();
    const op = "nn.Bilinear";
    const i1 = checkSize(op, "input1Dims", input1Dims, 1);
    const i2 = checkSize(op, "input2Dims", input2Dims, 1);
    const o = checkSize(op, "outputDims", outputDims, 1);
    if (i1 * i2 * o > 2 ** 28) throw new RangeError(`[${op}] input1Dims * input2Dims * outputDims must be at most 2^28`);
    const k = Math.sqrt(1 / i1);
    this.weight = random.uniform(-k, k, [o, i2, i1]);
    if (checkBool(op, "bias", keywords(op, [bias], ["bias"]).bias ?? true)) this.bias = random.uniform(-k, k, [o]);
  }

  protected override extraRepr(): string {
    const [out, in2, in1] = this.weight.shape;
    return `input1Dims=${in1}, input2Dims=${in2}, outputDims=${out}, bias=${"bias" in this}`;
  }

  /**
   * The bilinear form of `x1` [..., input1Dims] and `x2` [..., input2Dims].
   * @example
   * ```ts
   * const layer = new mx.nn.Bilinear(2, 2, 1, false);
   * layer.update({ weight: mx.array([[[1, 0], [0, 1]]], mx.float32) });
   * await layer.forward(mx.array([[1, 2]], mx.float32), mx.array([[3, 4]], mx.float32)).tolist(); // [[11]]
   * ```
   */
  forward(x1: MxArray, x2: MxArray): MxArray {
    const op = "nn.Bilinear";
    checkArray(op, x1, "x1");
    checkArray(op, x2, "x2");
    return asOp(op, () => {
      const [out, in2, in1] = this.weight.shape as [number, number, number];
      const lead = x1.shape.slice(0, -1);
      const y = ops.matmul(ops.reshape(x1, [-1, in1]), ops.transpose(ops.reshape(this.weight, [out * in2, in1])));
      const z = ops.matmul(ops.reshape(x2, [-1, 1, in2]), ops.swapaxes(ops.reshape(y, [-1, out, in2]), -2, -1));
      const r = ops.reshape(z, [...lead, out]);
      return this.bias ? ops.add(r, this.bias) : r;
    });
  }
}
