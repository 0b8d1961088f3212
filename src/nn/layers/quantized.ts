// MLX's QuantizedLinear and QuantizedEmbedding in every mode of mx.quantize
// (packed weights frozen when built; unfreeze reaches them, as MLX's), and nn.quantize, which swaps each leaf module with
// a toQuantized method (Linear, Embedding, user layers) for what it returns.

import { MxArray } from "../../array.js";
import { isInteger } from "../../dtype.js";
import { describeValue, opError } from "../../errors.js";
import * as ops from "../../ops/index.js";
import { quantParams } from "../../ops/quantized-args.js";
import { asOp } from "../../ops/strict-options.js";
import type { QuantizationMode } from "../../primitives/quantized.js";
import * as random from "../../random.js";
import { isPlainObject } from "../../transforms/tree.js";
import { treeMapWithPath } from "../../transforms/utils.js";
import { checkArray, checkBool, keywordArgs, options, checkSize, type KeywordArgs } from "../checks.js";
import { Module, isModule } from "../module.js";

export interface QuantizeLayerOptions {
  /** Values per scale (and bias); default: the mode's (affine 64, mxfp4 32, nvfp4 16, mxfp8 32), as MLX's. */
  groupSize?: number | undefined;
  /** Bits per value; default: the mode's (affine 4, mxfp4 4, nvfp4 4, mxfp8 8), as MLX's. */
  bits?: number | undefined;
  /** The quantization mode of mx.quantize (default "affine"). */
  mode?: QuantizationMode | undefined;
}

/** The options of a layer's `toQuantized` (MLX's `to_quantized`). */
export interface ToQuantizedOptions extends QuantizeLayerOptions {
  /** Quantize the layer's input too (Linear: a QQLinear; modes "nvfp4" and "mxfp8" only; default false). */
  quantizeInput?: boolean | undefined;
}

/** MLX's `_defaults_for_mode`: the mode, and its groupSize and bits where not given, checked as mx.quantize checks them. */
function quantOptions(op: string, o: QuantizeLayerOptions | undefined): { groupSize: number; bits: number; mode: QuantizationMode } {
  const p = options(op, o, ["groupSize", "bits", "mode"]);
  return quantParams(op, p.groupSize, p.bits, p.mode);
}

/** MLX's group_size, bits, mode, in its order. */
const QUANT_NAMES = ["groupSize", "bits", "mode"];

/** MLX's group_size, bits and mode given to `op` positionally (in that order), in an options object, or both. */
function quantArgs(op: string, rest: readonly unknown[]): QuantizeLayerOptions {
  const given = keywordArgs(op, rest, QUANT_NAMES);
  return { groupSize: given.groupSize as number | undefined, bits: given.bits as number | undefined, mode: given.mode as QuantizationMode | undefined };
}

/** The 2-D `weight` of a layer to quantize (as MLX's from_linear, any module with one). */
function weightOf(op: string, layer: unknown, name: string): MxArray {
  const w = isModule(layer) ? (layer as { weight?: unknown }).weight : undefined;
  if (!(w instanceof MxArray) || w.ndim !== 2) throw new TypeError(`[${op}] ${name} must be an nn.Module with a 2-D weight, got ${describeValue(layer)}`);
  return w;
}

abstract class Quantized extends Module {
  weight!: MxArray;
  scales!: MxArray;
  /** The per-group biases, in affine mode only (the microscaling modes have none, and no such field). */
  declare biases?: MxArray;
  /** Values per scale (MLX's `group_size`). */
  readonly groupSize: number;
  /** Bits per value. */
  readonly bits: number;
  /** The quantization mode (mx.quantize's). */
  readonly mode: QuantizationMode;
  constructor(q: { groupSize: number; bits: number; mode: QuantizationMode }) {
    super();
    this.groupSize = q.groupSize;
    this.bits = q.bits;
    this.mode = q.mode;
  }
  protected setWeights(op: string, w: MxArray): void {
    if (w.shape[w.ndim - 1]! % this.groupSize !== 0) throw new RangeError(`[${op}] the input dimension (${w.shape[w.ndim - 1]}) must be a multiple of groupSize (${this.groupSize})`);
    const [wq, scales, biases] = asOp(op, () => ops.quantize(w, this.groupSize, this.bits, { mode: this.mode }));
    this.weight = wq!;
    this.scales = scales!;
    if (biases) this.biases = biases;
    else delete this.biases;
  }
  /** The options mx.quantizedMatmul and mx.dequantize take for this layer. */
  protected get quantization(): { groupSize: number; bits: number; mode: QuantizationMode } {
    return { groupSize: this.groupSize, bits: this.bits, mode: this.mode };
  }
}

/**
 * A Linear layer with `weight` quantized in any mode of mx.quantize (MLX's
 * `QuantizedLinear`); `bias` stays in float. Built directly, all of its
 * parameters are frozen (as MLX's); `fromLinear` keeps the bias it copies
 * trainable.
 */
export class QuantizedLinear extends Quantized {
  declare bias?: MxArray;
  /** MLX's `QuantizedLinear(input_dims, output_dims, bias, group_size, bits, mode)`: the last four positionally, up to any of them, then in the options. */
  constructor(inputDims: number, outputDims: number, ...rest: KeywordArgs<[["bias", boolean], ["groupSize", number], ["bits", number], ["mode", QuantizationMode]], QuantizeLayerOptions & { bias?: boolean | undefined }>) {
    const op = "nn.QuantizedLinear";
    const given = keywordArgs(op, rest, ["bias", ...QUANT_NAMES]);
    super(quantOptions(op, { groupSize: given.groupSize as number | undefined, bits: given.bits as number | undefined, mode: given.mode as QuantizationMode | undefined }));
    const bias = given.bias ?? true;
    const i = checkSize(op, "inputDims", inputDims, 1);
    const out = checkSize(op, "outputDims", outputDims, 1);
    if (i * out > 2 ** 28) throw new RangeError(`[${op}] inputDims * outputDims must be at most 2^28`);
    const k = Math.sqrt(1 / i);
    this.setWeights(op, random.uniform(-k, k, [out, i]));
    if (checkBool(op, "bias", bias)) this.bias = ops.zeros([out]);
    this.freeze({ recurse: false });
  }

  protected override extraRepr(): string {
    const [out, packed] = this.weight.shape as [number, number];
    return `inputDims=${(packed * 32) / this.bits}, outputDims=${out}, bias=${"bias" in this}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }

  /**
   * The quantized form of `linear` (MLX's `from_linear`: any module with a 2-D
   * `weight`; its weight quantized, its bias, if it has one, kept).
   * @example
   * ```ts
   * const q = mx.nn.QuantizedLinear.fromLinear(new mx.nn.Linear(64, 8), { bits: 8 });
   * q.weight.dtype.name; // "uint32"
   * const fp4 = mx.nn.QuantizedLinear.fromLinear(new mx.nn.Linear(64, 8), { mode: "mxfp4" });
   * [fp4.groupSize, fp4.bits, "biases" in fp4]; // [32, 4, false]
   * ```
   */
  static fromLinear(linear: Module & { weight: MxArray; bias?: MxArray | undefined }, ...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", QuantizationMode]], QuantizeLayerOptions>): QuantizedLinear {
    const op = "nn.QuantizedLinear.fromLinear";
    const o = quantArgs(op, rest);
    const w = weightOf(op, linear, "linear");
    const [out, i] = w.shape as [number, number];
    const q = new QuantizedLinear(i, out, false, o);
    q.setWeights(op, w);
    if (linear.bias instanceof MxArray) q.bias = linear.bias;
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
      const y = ops.quantizedMatmul(x, this.weight, this.scales, this.biases ?? null, { transpose: true, ...this.quantization });
      return this.bias ? ops.add(y, this.bias) : y;
    });
  }
}

/** An Embedding whose table is quantized in any mode of mx.quantize (MLX's `QuantizedEmbedding`); all frozen. */
export class QuantizedEmbedding extends Quantized {
  /** The number of rows of the table. */
  readonly numEmbeddings: number;
  /** The size of each embedding vector. */
  readonly dims: number;
  /** MLX's `QuantizedEmbedding(num_embeddings, dims, group_size, bits, mode)`: the last three positionally or in the options. */
  constructor(numEmbeddings: number, dims: number, ...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", QuantizationMode]], QuantizeLayerOptions>) {
    const op = "nn.QuantizedEmbedding";
    super(quantOptions(op, quantArgs(op, rest)));
    const n = checkSize(op, "numEmbeddings", numEmbeddings, 1);
    this.numEmbeddings = n;
    this.dims = checkSize(op, "dims", dims, 1);
    if (n * dims > 2 ** 28) throw new RangeError(`[${op}] numEmbeddings * dims must be at most 2^28`);
    this.setWeights(op, random.normal([n, dims], { scale: Math.sqrt(1 / dims) }));
    this.freeze({ recurse: false });
  }

  protected override extraRepr(): string {
    return `${this.weight.shape[0]}, ${this.dims}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }

  /**
   * The quantized form of `embedding` (MLX's `from_embedding`: any module with a 2-D `weight`).
   * @example
   * ```ts
   * const q = mx.nn.QuantizedEmbedding.fromEmbedding(new mx.nn.Embedding(10, 64));
   * q.forward(mx.array([1, 2])).shape; // [2, 64]
   * ```
   */
  static fromEmbedding(embedding: Module & { weight: MxArray }, ...rest: KeywordArgs<[["groupSize", number], ["bits", number], ["mode", QuantizationMode]], QuantizeLayerOptions>): QuantizedEmbedding {
    const op = "nn.QuantizedEmbedding.fromEmbedding";
    const o = quantArgs(op, rest);
    const w = weightOf(op, embedding, "embedding");
    const [n, d] = w.shape as [number, number];
    const q = new QuantizedEmbedding(n, d, o);
    q.setWeights(op, w);
    return q;
  }

  /**
   * The dequantized rows at the integer indices `x`: [...x.shape, dims]
   * (bfloat16 in the microscaling modes, as mx.dequantize gives them).
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
      const q = this.quantization;
      const out = ops.dequantize(rows(this.weight), rows(this.scales), this.biases ? rows(this.biases) : null, q.groupSize, q.bits, { mode: q.mode });
      return ops.reshape(out, [...x.shape, this.dims]);
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
    return asOp(op, () => ops.quantizedMatmul(x, this.weight, this.scales, this.biases ?? null, { transpose: true, ...this.quantization }));
  }
}

/** A module nn.quantize can quantize: one with a `toQuantized` method (MLX's `to_quantized`). */
export interface Quantizable {
  toQuantized(o?: ToQuantizedOptions): Module;
}

const hasToQuantized = (m: unknown): m is Module & Quantizable => isModule(m) && typeof (m as { toQuantized?: unknown }).toQuantized === "function";

export interface QuantizeModelOptions extends ToQuantizedOptions {
  /**
   * Which leaf modules to quantize, given each one's dotted path (default:
   * those with a `toQuantized` method); returning an options object passes
   * it to that module's `toQuantized` instead of the model's options.
   */
  classPredicate?: ((path: string, module: Module) => boolean | ToQuantizedOptions) | undefined;
}

/**
 * Replaces, in place, each leaf module of `model` that `classPredicate`
 * selects (by default each one with a `toQuantized` method: Linear,
 * Embedding, and user layers that define one) by what its `toQuantized`
 * returns (MLX's `nn.quantize`). `groupSize` and `bits` default to the
 * mode's; `quantizeInput` turns Linear layers into QQLinear (nvfp4, mxfp8).
 * `groupSize` and `bits` may come positionally (`nn.quantize(model, 32, 8)`),
 * as MLX's; `mode`, `quantizeInput` and `classPredicate` only in the options.
 * @example
 * ```ts
 * const model = new mx.nn.Sequential(new mx.nn.Linear(64, 64), new mx.nn.ReLU());
 * mx.nn.quantize(model, { groupSize: 32, bits: 8 });
 * model.layers[0]!.constructor.name; // "QuantizedLinear"
 * const fp4 = new mx.nn.Sequential(new mx.nn.Embedding(10, 64));
 * mx.nn.quantize(fp4, { mode: "nvfp4" });
 * (fp4.layers[0] as mx.nn.QuantizedEmbedding).groupSize; // 16
 * ```
 */
export function quantize(model: Module, ...rest: KeywordArgs<[["groupSize", number], ["bits", number]], QuantizeModelOptions>): void {
  const op = "nn.quantize";
  if (!isModule(model)) throw new TypeError(`[${op}] model must be an nn.Module, got ${describeValue(model)}`);
  // MLX's quantize(model, group_size, bits, *, mode, quantize_input, class_predicate): the last three keyword-only
  const p = keywordArgs(op, rest, ["groupSize", "bits", "mode", "quantizeInput", "classPredicate"], 2) as QuantizeModelOptions;
  // null (MLX's None) is the mode's default, as undefined
  const base: ToQuantizedOptions = { groupSize: p.groupSize ?? undefined, bits: p.bits ?? undefined, mode: p.mode };
  quantOptions(op, base);
  if (checkBool(op, "quantizeInput", p.quantizeInput ?? false)) base.quantizeInput = true;
  const predicate = p.classPredicate ?? ((_path: string, m: Module) => hasToQuantized(m));
  if (typeof predicate !== "function") throw new TypeError(`[${op}] classPredicate must be a function, got ${describeValue(predicate)}`);
  const swap = (path: string, m: unknown): unknown => {
    if (!isModule(m)) return m;
    const chosen = predicate(path, m);
    if (!chosen) return m;
    if (chosen !== true && !isPlainObject(chosen)) throw new TypeError(`[${op}] classPredicate must return a boolean or an options object for toQuantized, got ${describeValue(chosen)} for '${path}'`);
    if (!hasToQuantized(m)) throw new TypeError(`[${op}] cannot quantize '${path}', a ${m.constructor.name}: it has no toQuantized method`);
    const layerOptions = chosen === true ? base : { ...chosen };
    if (layerOptions.quantizeInput === false) delete layerOptions.quantizeInput;
    const q = asOp(op, () => m.toQuantized(layerOptions));
    if (!isModule(q)) throw new TypeError(`[${op}] the toQuantized method of '${path}' (a ${m.constructor.name}) must return an nn.Module, got ${describeValue(q)}`);
    return q;
  };
  // the leaf modules themselves are the leaves (treeMapWithPath would walk into a Module as MLX's dict)
  const leaves = treeMapWithPath(swap, model.leafModules(), { isLeaf: isModule }) as Record<string, unknown>;
  model.updateModules(leaves);
}
