// The quantized layers of mx.nn (MLX's QuantizedLinear, QuantizedEmbedding)
// and nn.quantize, which swaps a model's Linear and Embedding layers for
// them. The packed weights, scales and biases are frozen parameters.

import type { MxArray } from "../../array.js";
import { isInteger } from "../../dtype.js";
import { describeValue, opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { asOp } from "../../ops/strict-options.js";
import * as random from "../../random.js";
import { isPlainObject } from "../../transforms/tree.js";
import { treeMapWithPath } from "../../transforms/utils.js";
import { checkArray, checkBool, checkChoice, checkInt, options, checkSize } from "../checks.js";
import { Module, isModule, type FreezeOptions } from "../module.js";
import { Embedding } from "./embedding.js";
import { Linear } from "./linear.js";

export interface QuantizeLayerOptions {
  /** Values per scale and bias (default 64). */
  groupSize?: number | undefined;
  /** Bits per value (default 4). */
  bits?: number | undefined;
  /** The quantization mode (default "affine"). */
  mode?: "affine" | undefined;
}

function quantOptions(op: string, o: QuantizeLayerOptions | undefined): { groupSize: number; bits: number } {
  const p = options(op, o, ["groupSize", "bits", "mode"]);
  checkChoice(op, "mode", p.mode ?? "affine", ["affine"]);
  const groupSize = checkInt(op, "groupSize", p.groupSize ?? 64, 1, 1024);
  const bits = checkInt(op, "bits", p.bits ?? 4, 1, 8);
  return { groupSize, bits };
}

abstract class Quantized extends Module {
  weight!: MxArray;
  scales!: MxArray;
  biases!: MxArray;
  readonly _groupSize: number;
  readonly _bits: number;
  constructor(q: { groupSize: number; bits: number }) {
    super();
    this._groupSize = q.groupSize;
    this._bits = q.bits;
  }
  protected setWeights(op: string, w: MxArray): void {
    if (w.shape[w.ndim - 1]! % this._groupSize !== 0) throw new RangeError(`[${op}] the input dimension (${w.shape[w.ndim - 1]}) must be a multiple of groupSize (${this._groupSize})`);
    [this.weight, this.scales, this.biases] = asOp(op, () => ops.quantize(w, this._groupSize, this._bits));
  }
  /**
   * Unfreezes as `Module.unfreeze`, the quantized weights excepted (they stay frozen).
   * @example
   * ```ts
   * const q = new mx.nn.QuantizedLinear(64, 2).unfreeze();
   * Object.keys(q.trainableParameters()); // ["bias"]
   * ```
   */
  override unfreeze(o: FreezeOptions = {}): this {
    super.unfreeze(o);
    return this.freeze({ recurse: false, keys: ["weight", "scales", "biases"] });
  }
}

/** A Linear layer with `weight` quantized (affine mode); `bias` stays in float and trainable. */
export class QuantizedLinear extends Quantized {
  bias?: MxArray;
  constructor(inputDims: number, outputDims: number, bias = true, o?: QuantizeLayerOptions) {
    const op = "nn.QuantizedLinear";
    super(quantOptions(op, o));
    const i = checkSize(op, "inputDims", inputDims, 1);
    const out = checkSize(op, "outputDims", outputDims, 1);
    if (i * out > 2 ** 28) throw new RangeError(`[${op}] inputDims * outputDims must be at most 2^28`);
    const k = Math.sqrt(1 / i);
    this.setWeights(op, random.uniform(-k, k, [out, i]));
    if (checkBool(op, "bias", bias)) this.bias = ops.zeros([out]);
    this.freeze({ recurse: false, keys: ["weight", "scales", "biases"] });
  }

  /**
   * The quantized form of `linear` (its weight quantized, its bias kept).
   * @example
   * ```ts
   * const q = mx.nn.QuantizedLinear.fromLinear(new mx.nn.Linear(64, 8), { bits: 8 });
   * q.weight.dtype.name; // "uint32"
   * ```
   */
  static fromLinear(linear: Linear, o?: QuantizeLayerOptions): QuantizedLinear {
    const op = "nn.QuantizedLinear.fromLinear";
    if (!(linear instanceof Linear)) throw new TypeError(`[${op}] linear must be an nn.Linear, got ${describeValue(linear)}`);
    const [out, i] = linear.weight.shape as [number, number];
    const q = new QuantizedLinear(i, out, false, o);
    q.setWeights(op, linear.weight);
    if (linear.bias) q.bias = linear.bias;
    return q;
  }

  /**
   * `x W^T + b` with the dequantized W (mx.quantizedMatmul).
   * @example
   * ```ts
   * const lin = new mx.nn.Linear(64, 2);
   * const y = mx.nn.QuantizedLinear.fromLinear(lin, { bits: 8 }).forward(mx.ones([1, 64]));
   * await mx.allclose(y, lin.forward(mx.ones([1, 64])), { atol: 0.05 }).item(); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.QuantizedLinear";
    checkArray(op, x, "x");
    return asOp(op, () => {
      const y = ops.quantizedMatmul(x, this.weight, this.scales, this.biases, { transpose: true, groupSize: this._groupSize, bits: this._bits });
      return this.bias ? ops.add(y, this.bias) : y;
    });
  }
}

/** An Embedding whose table is quantized (affine mode). */
export class QuantizedEmbedding extends Quantized {
  readonly _dims: number;
  constructor(numEmbeddings: number, dims: number, o?: QuantizeLayerOptions) {
    const op = "nn.QuantizedEmbedding";
    super(quantOptions(op, o));
    const n = checkSize(op, "numEmbeddings", numEmbeddings, 1);
    this._dims = checkSize(op, "dims", dims, 1);
    if (n * dims > 2 ** 28) throw new RangeError(`[${op}] numEmbeddings * dims must be at most 2^28`);
    this.setWeights(op, random.normal([n, dims], { scale: Math.sqrt(1 / dims) }));
    this.freeze({ recurse: false });
  }

  /**
   * The quantized form of `embedding`.
   * @example
   * ```ts
   * const q = mx.nn.QuantizedEmbedding.fromEmbedding(new mx.nn.Embedding(10, 64));
   * q.forward(mx.array([1, 2])).shape; // [2, 64]
   * ```
   */
  static fromEmbedding(embedding: Embedding, o?: QuantizeLayerOptions): QuantizedEmbedding {
    const op = "nn.QuantizedEmbedding.fromEmbedding";
    if (!(embedding instanceof Embedding)) throw new TypeError(`[${op}] embedding must be an nn.Embedding, got ${describeValue(embedding)}`);
    const [n, d] = embedding.weight.shape as [number, number];
    const q = new QuantizedEmbedding(n, d, o);
    q.setWeights(op, embedding.weight);
    return q;
  }

  /**
   * The dequantized rows at the integer indices `x`: [...x.shape, dims].
   * @example
   * ```ts
   * const e = new mx.nn.Embedding(4, 64);
   * const q = mx.nn.QuantizedEmbedding.fromEmbedding(e, { bits: 8 });
   * await mx.allclose(q.forward(mx.array([3])), e.forward(mx.array([3])), { atol: 0.05 }).item(); // true
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.QuantizedEmbedding";
    checkArray(op, x, "x");
    if (!isInteger(x.dtype)) throw opError(op, "x must hold integer indices", [x], "type");
    return asOp(op, () => {
      const flat = ops.reshape(x, [-1]);
      const rows = (a: MxArray) => ops.take(a, flat, 0);
      const out = ops.dequantize(rows(this.weight), rows(this.scales), rows(this.biases), this._groupSize, this._bits);
      return ops.reshape(out, [...x.shape, this._dims]);
    });
  }

  /**
   * `x W^T` with the dequantized table: the embedding as an output projection.
   * @example
   * ```ts
   * const q = new mx.nn.QuantizedEmbedding(10, 64);
   * q.asLinear(mx.ones([2, 64])).shape; // [2, 10]
   * ```
   */
  asLinear(x: MxArray): MxArray {
    const op = "nn.QuantizedEmbedding.asLinear";
    checkArray(op, x, "x");
    return asOp(op, () => ops.quantizedMatmul(x, this.weight, this.scales, this.biases, { transpose: true, groupSize: this._groupSize, bits: this._bits }));
  }
}

export interface QuantizeModelOptions extends QuantizeLayerOptions {
  /** Which leaf modules to quantize (default: every Linear and Embedding); may return options for that layer. */
  classPredicate?: ((path: string, module: Module) => boolean | QuantizeLayerOptions) | undefined;
}

/**
 * Replaces, in place, the Linear and Embedding layers of `model` (those
 * `classPredicate` selects) by their quantized forms (MLX's `nn.quantize`).
 * @example
 * ```ts
 * const model = new mx.nn.Sequential(new mx.nn.Linear(64, 64), new mx.nn.ReLU());
 * mx.nn.quantize(model, { groupSize: 32, bits: 8 });
 * model.layers[0]!.constructor.name; // "QuantizedLinear"
 * ```
 */
export function quantize(model: Module, o: QuantizeModelOptions = {}): void {
  const op = "nn.quantize";
  if (!isModule(model)) throw new TypeError(`[${op}] model must be an nn.Module, got ${describeValue(model)}`);
  const p = options(op, o, ["groupSize", "bits", "mode", "classPredicate"]);
  const base = { groupSize: p.groupSize, bits: p.bits, mode: p.mode };
  quantOptions(op, base);
  const quantizable = (m: unknown) => m instanceof Linear || m instanceof Embedding;
  const predicate = p.classPredicate ?? ((_path: string, m: Module) => quantizable(m));
  if (typeof predicate !== "function") throw new TypeError(`[${op}] classPredicate must be a function, got ${describeValue(predicate)}`);
  const swap = (path: string, m: unknown): unknown => {
    if (!isModule(m)) return m;
    const chosen = predicate(path, m);
    if (!chosen) return m;
    if (chosen !== true && !isPlainObject(chosen)) throw new TypeError(`[${op}] classPredicate must return a boolean or an options object, got ${describeValue(chosen)} for '${path}'`);
    if (!quantizable(m)) throw new TypeError(`[${op}] cannot quantize '${path}', a ${m.constructor.name} (only Linear and Embedding)`);
    const layerOptions = chosen === true ? base : chosen;
    return asOp(op, () => (m instanceof Linear ? QuantizedLinear.fromLinear(m, layerOptions) : QuantizedEmbedding.fromEmbedding(m as Embedding, layerOptions)));
  };
  const leaves = treeMapWithPath(swap, model.leafModules()) as Record<string, unknown>;
  model.updateModules(leaves);
}
