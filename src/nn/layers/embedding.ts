// nn.Embedding (MLX's): a table of `numEmbeddings` vectors of `dims`,
// drawn from N(0, 1 / dims); looked up by integer indices, or used as the
// output projection of a tied language model (asLinear).

import type { MxArray } from "../../array.js";
import { isInteger } from "../../dtype.js";
import { opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { checkArray, checkBool, checkSize, keywordArgs, type KeywordArgs } from "../checks.js";
import type { QuantizationMode } from "../../primitives/quantized.js";
import { Module } from "../module.js";
import { QuantizedEmbedding, type ToQuantizedOptions } from "./quantized.js";

/** A lookup table `weight` [numEmbeddings, dims], initialised N(0, 1/dims) as MLX's. */
export class Embedding extends Module {
  weight: MxArray;
  constructor(numEmbeddings: number, dims: number) {
    super();
    const n = checkSize("nn.Embedding", "numEmbeddings", numEmbeddings, 1);
    const d = checkSize("nn.Embedding", "dims", dims, 1);
    if (n * d > 2 ** 28) throw new RangeError(`[nn.Embedding] numEmbeddings * dims must be at most 2^28, got ${n} * ${d}`);
    this.weight = random.normal([n, d], { scale: Math.sqrt(1 / d) });
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, ${this.weight.shape[1]}`;
  }

  /**
   * The rows of `weight` at the integer indices `x`: shape [...x.shape, dims].
   * @example
   * ```ts
   * const e = new mx.nn.Embedding(3, 2);
   * e.update({ weight: mx.array([[0, 0], [1, 1], [2, 2]], mx.float32) });
   * await e.forward(mx.array([2, 1])).tolist(); // [[2, 2], [1, 1]]
   * ```
   */
  forward(x: MxArray): MxArray {
    checkArray("nn.Embedding", x, "x");
    if (!isInteger(x.dtype)) throw opError("nn.Embedding", "x must hold integer indices", [x], "type");
    return asOp("nn.Embedding", () => ops.take(this.weight, x, 0));
  }

  /**
   * `x weight^T`: the embedding used as a linear layer (tied output projection).
   * @example
   * ```ts
   * const e = new mx.nn.Embedding(2, 2);
   * e.update({ weight: mx.array([[1, 0], [0, 2]], mx.float32) });
   * await e.asLinear(mx.array([[1, 1]], mx.float32)).tolist(); // [[1, 2]]
   * ```
   */
  asLinear(x: MxArray): MxArray {
    checkArray("nn.Embedding.asLinear", x, "x");
    return asOp("nn.Embedding.asLinear", () => ops.matmul(x, ops.transpose(this.weight)));
  }

  /**
   * The QuantizedEmbedding that approximates this layer (MLX's
   * `to_quantized`, which nn.quantize calls), in any mode of mx.quantize;
   * `groupSize` and `bits` default to the mode's. `quantizeInput` is refused (as MLX).
   * MLX's group_size, bits, mode, quantize_input come positionally in that
   * order (`toQuantized(32, 8)`), in the options, or both.
   * @example
   * ```ts
   * const q = new mx.nn.Embedding(10, 64).toQuantized({ bits: 8 });
   * [q.groupSize, q.bits, q.mode]; // [64, 8, "affine"]
   * ```
   */
  toQuantized(...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", QuantizationMode], ["quantizeInput", boolean]], ToQuantizedOptions>): QuantizedEmbedding {
    const op = "nn.Embedding.toQuantized";
    const { quantizeInput, groupSize, bits, mode } = keywordArgs(op, rest, ["groupSize", "bits", "mode", "quantizeInput"]) as ToQuantizedOptions;
    const q = { groupSize: groupSize ?? undefined, bits: bits ?? undefined, mode: mode ?? undefined };
    if (checkBool(op, "quantizeInput", quantizeInput ?? false)) throw new Error(`[${op}] quantizeInput is not supported for an Embedding (its input is indices)`);
    return asOp(op, () => QuantizedEmbedding.fromEmbedding(this, q));
  }
}
