// Attention and the transformer of mx.nn (MLX's MultiHeadAttention,
// TransformerEncoderLayer/Encoder, TransformerDecoderLayer/Decoder,
// Transformer): projections are Linear layers, attention runs through
// mx.fast.scaledDotProductAttention; pre-norm (normFirst) by default.

import type { MxArray } from "../../array.js";
import { float32, type DType } from "../../dtype.js";
import { finfo } from "../../dtype-info.js";
import { describeValue, opError } from "../../errors.js";
import * as fast from "../../fast/index.js";
import * as ops from "../../ops/index.js";
import { asOp, noExtraArguments } from "../../ops/strict-options.js";
import { MAX_DIM } from "../../shape.js";
import { relu } from "../activations.js";
import { checkpoint } from "../checkpoint.js";
import { checkArray, checkBool, checkInt, checkNumber, keywordArgs, keywords, checkSize, type KeywordArgs } from "../checks.js";
import { Module } from "../module.js";
import type { Layer } from "./containers.js";
import { Dropout } from "./dropout.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./normalization.js";

export interface MultiHeadAttentionOptions {
  queryInputDims?: number | undefined;
  keyInputDims?: number | undefined;
  valueInputDims?: number | undefined;
  valueDims?: number | undefined;
  valueOutputDims?: number | undefined;
  /** Biases in the projections (default false). */
  bias?: boolean | undefined;
}

/** A mask for attention: an additive or boolean array broadcastable to the scores, or "causal". */
export type AttentionMask = MxArray | "causal";

/** Multi-head attention: queries, keys and values projected to `numHeads` heads of dims / numHeads. */
export class MultiHeadAttention extends Module {
  query_proj: Linear;
  key_proj: Linear;
  value_proj: Linear;
  out_proj: Linear;
  /** The number of attention heads. */
  readonly numHeads: number;
  /**
   * MLX's `MultiHeadAttention(dims, num_heads, query_input_dims,
   * key_input_dims, value_input_dims, value_dims, value_output_dims, bias)`:
   * all after numHeads positionally in that order (`new nn.MultiHeadAttention(512, 8, 256)`), or in the options.
   */
  constructor(
    dims: number,
    numHeads: number,
    ...rest: KeywordArgs<
      [["queryInputDims", number], ["keyInputDims", number], ["valueInputDims", number], ["valueDims", number], ["valueOutputDims", number], ["bias", boolean]],
      MultiHeadAttentionOptions
    >
  ) {
    super();
    const op = "nn.MultiHeadAttention";
    checkSize(op, "dims", dims, 1);
    checkSize(op, "numHeads", numHeads, 1);
    if (dims % numHeads !== 0) throw new RangeError(`[${op}] dims (${dims}) must be divisible by numHeads (${numHeads})`);
    const p = keywordArgs(op, rest, ["queryInputDims", "keyInputDims", "valueInputDims", "valueDims", "valueOutputDims", "bias"]) as MultiHeadAttentionOptions;
    const dim = (k: keyof MultiHeadAttentionOptions, fallback: number) => checkSize(op, k, p[k] ?? fallback, 1);
    const keyIn = dim("keyInputDims", dims);
    const valueDims = dim("valueDims", dims);
    const bias = checkBool(op, "bias", p.bias ?? false);
    this.numHeads = numHeads;
    this.query_proj = new Linear(dim("queryInputDims", dims), dims, bias);
    this.key_proj = new Linear(keyIn, dims, bias);
    this.value_proj = new Linear(dim("valueInputDims", keyIn), valueDims, bias);
    this.out_proj = new Linear(valueDims, dim("valueOutputDims", dims), bias);
  }

  /**
   * The additive causal mask [n, n]: 0 on and below the diagonal, the dtype's
   * lowest value above. Any n of MLX's shapes (up to 2^31 - 1) whose n * n
   * elements are counted exactly (at most 2^53 - 1); the mask is lazy, and a
   * device that cannot hold it says so when it is evaluated.
   * @example
   * ```ts
   * await mx.nn.MultiHeadAttention.createAdditiveCausalMask(2).tolist(); // [[0, -3.4028234663852886e+38], [0, 0]]
   * ```
   */
  static createAdditiveCausalMask(n: number, dtype: DType = float32): MxArray {
    const op = "nn.MultiHeadAttention.createAdditiveCausalMask";
    checkInt(op, "n", n, 0, MAX_DIM);
    if (n * n > Number.MAX_SAFE_INTEGER) throw opError(op, `n (${n}) gives a mask of n * n = ${n * n} elements, more than 2^53 - 1`, [], "range");
    return asOp(op, () => {
      const i = ops.arange(n);
      const above = ops.less(ops.expandDims(i, 1), ops.expandDims(i, 0));
      return ops.where(above, ops.array(finfo(dtype).min, dtype), ops.array(0, dtype));
    });
  }

  /**
   * Attention of `queries` [B, L, Dq] over `keys` [B, S, Dk] and `values` [B, S, Dv];
   * `mask` positionally or as MLX's keyword (`{ mask }`).
   * @example
   * ```ts
   * const mha = new mx.nn.MultiHeadAttention(4, 2);
   * const x = mx.ones([1, 3, 4]);
   * mha.forward(x, x, x, "causal").shape; // [1, 3, 4]
   * ```
   */
  forward(queries: MxArray, keys: MxArray, values: MxArray, mask?: AttentionMask | { mask?: AttentionMask | null | undefined } | null): MxArray {
    const op = "nn.MultiHeadAttention";
    noExtraArguments(op, arguments, 4);
    mask = masks(op, [mask], ["mask"])[0];
    for (const [n, a] of [["queries", queries], ["keys", keys], ["values", values]] as const) {
      if (checkArray(op, a, n).ndim !== 3) throw opError(op, `${n} must have shape [batch, length, features]`, [a], "value");
    }
    if (mask !== undefined && mask !== null && mask !== "causal") checkArray(op, mask, "mask");
    return asOp(op, () => {
      // [B, len, dims] -> [B, heads, len, dims / heads] and back, by unflatten and flatten (views whose shapes follow the input's)
      const heads = (a: MxArray) => ops.transpose(ops.unflatten(a, -1, [this.numHeads, -1]), [0, 2, 1, 3]);
      const q = heads(this.query_proj.forward(queries));
      const k = heads(this.key_proj.forward(keys));
      const v = heads(this.value_proj.forward(values));
      const out = fast.scaledDotProductAttention(q, k, v, { scale: Math.sqrt(1 / q.shape[3]!), mask: mask ?? null });
      return this.out_proj.forward(ops.flatten(ops.transpose(out, [0, 2, 1, 3]), 2, 3));
    });
  }
}

export interface TransformerLayerOptions {
  /** The hidden size of the MLP (default 4 * dims). */
  mlpDims?: number | undefined;
  /** The dropout probability (default 0). */
  dropout?: number | undefined;
  /**
   * The MLP's activation (default nn.relu): a function, or a module with a
   * forward (`new nn.GELU()`), which the layer holds as a child, as MLX's.
   */
  activation?: Layer | undefined;
  /** Normalize before each block (default true) instead of after. */
  normFirst?: boolean | undefined;
}

export interface TransformerStackOptions extends TransformerLayerOptions {
  /** Recompute each layer in the backward pass instead of keeping its intermediates (nn.checkpoint; default false). */
  checkpoint?: boolean | undefined;
}

const LAYER_KEYS = ["mlpDims", "dropout", "activation", "normFirst"];
/** MLX's names after numLayers, dims, numHeads of TransformerEncoder and TransformerDecoder, in its order. */
const STACK_KEYS = [...LAYER_KEYS, "checkpoint"];

/** MLX's masks of a forward call (`names`), given positionally or in an options object (in place of the first). */
function masks(op: string, given: readonly unknown[], names: readonly string[]): (AttentionMask | null | undefined)[] {
  const k = keywords(op, given, names);
  return names.map((n) => k[n] as AttentionMask | null | undefined);
}

/** `f(x)` for a function, `f.forward(x)` for a module. */
const call = (f: Layer, x: MxArray): MxArray => (typeof f === "function" ? f(x) : f.forward(x));

/** Checks dims and numHeads, then the options `read` gives (MLX's keywords, checked and read by the caller): the layer settings, and `given` itself. */
function layerSetup(op: string, dims: number, numHeads: number, read: () => Record<string, unknown>) {
  checkSize(op, "dims", dims, 1);
  checkSize(op, "numHeads", numHeads, 1);
  if (dims % numHeads !== 0) throw new RangeError(`[${op}] dims (${dims}) must be divisible by numHeads (${numHeads})`);
  const p = read() as TransformerStackOptions;
  const activation: Layer = p.activation ?? relu;
  if (typeof activation !== "function" && !(activation instanceof Module && typeof (activation as { forward?: unknown }).forward === "function")) {
    throw new TypeError(`[${op}] activation must be a function or an nn.Module with a forward method, got ${describeValue(activation)}`);
  }
  return {
    given: p,
    mlpDims: checkSize(op, "mlpDims", p.mlpDims ?? dims * 4, 1),
    dropout: checkNumber(op, "dropout", p.dropout ?? 0, 0, 0.999999),
    activation,
    normFirst: checkBool(op, "normFirst", p.normFirst ?? true),
  };
}

/** Self-attention and an MLP, each with a residual connection and a LayerNorm. */
export class TransformerEncoderLayer extends Module {
  attention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  /** The MLP's activation: a function, or a module (then a child of the layer, as MLX's). */
  readonly activation: Layer;
  /** Whether each block normalizes its input (pre-norm) instead of its output. */
  readonly normFirst: boolean;
  /** MLX's `TransformerEncoderLayer(dims, num_heads, mlp_dims, dropout, activation, norm_first)`: the last four positionally in that order or in the options. */
  constructor(dims: number, numHeads: number, ...rest: KeywordArgs<[["mlpDims", number], ["dropout", number], ["activation", Layer], ["normFirst", boolean]], TransformerLayerOptions>) {
    super();
    const op = "nn.TransformerEncoderLayer";
    const s = layerSetup(op, dims, numHeads, () => keywordArgs(op, rest, LAYER_KEYS));
    this.attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, s.mlpDims);
    this.linear2 = new Linear(s.mlpDims, dims);
    this.dropout1 = new Dropout(s.dropout);
    this.dropout2 = new Dropout(s.dropout);
    this.activation = s.activation;
    this.normFirst = s.normFirst;
  }
  /**
   * The layer applied to `x` [B, L, dims] with an optional attention mask.
   * @example
   * ```ts
   * new mx.nn.TransformerEncoderLayer(4, 2).forward(mx.ones([1, 3, 4]), "causal").shape; // [1, 3, 4]
   * ```
   */
  forward(x: MxArray, mask?: AttentionMask | { mask?: AttentionMask | null | undefined } | null): MxArray {
    noExtraArguments("nn.TransformerEncoderLayer", arguments, 2);
    mask = masks("nn.TransformerEncoderLayer", [mask], ["mask"])[0];
    const mlp = (y: MxArray) => this.linear2.forward(this.dropout2.forward(call(this.activation, this.linear1.forward(y))));
    if (this.normFirst) {
      const y = this.ln1.forward(x);
      const h = ops.add(x, this.dropout1.forward(this.attention.forward(y, y, y, mask)));
      return ops.add(h, mlp(this.ln2.forward(h)));
    }
    const h = this.ln1.forward(ops.add(x, this.dropout1.forward(this.attention.forward(x, x, x, mask))));
    return this.ln2.forward(ops.add(h, mlp(h)));
  }
}

/** `numLayers` encoder layers and a final LayerNorm. */
export class TransformerEncoder extends Module {
  layers: TransformerEncoderLayer[];
  ln: LayerNorm;
  /** Whether each layer is recomputed in the backward pass (nn.checkpoint) instead of keeping its intermediates. */
  readonly checkpoint: boolean;
  /**
   * MLX's `TransformerEncoder(num_layers, dims, num_heads, mlp_dims, dropout, activation,
   * norm_first, checkpoint)`: the last five positionally in that order or in the options.
   */
  constructor(numLayers: number, dims: number, numHeads: number, ...rest: KeywordArgs<[["mlpDims", number], ["dropout", number], ["activation", Layer], ["normFirst", boolean], ["checkpoint", boolean]], TransformerStackOptions>) {
    super();
    const op = "nn.TransformerEncoder";
    checkInt(op, "numLayers", numLayers, 0, 1024);
    const { checkpoint: ckpt, ...layerOptions } = layerSetup(op, dims, numHeads, () => keywordArgs(op, rest, STACK_KEYS)).given;
    this.checkpoint = checkBool(op, "checkpoint", ckpt ?? false);
    this.layers = Array.from({ length: numLayers }, () => new TransformerEncoderLayer(dims, numHeads, layerOptions));
    this.ln = new LayerNorm(dims);
  }
  /**
   * The encoding of `x` [B, L, dims].
   * @example
   * ```ts
   * new mx.nn.TransformerEncoder(2, 4, 2).forward(mx.ones([1, 3, 4])).shape; // [1, 3, 4]
   * ```
   */
  forward(x: MxArray, mask?: AttentionMask | { mask?: AttentionMask | null | undefined } | null): MxArray {
    noExtraArguments("nn.TransformerEncoder", arguments, 2);
    const [m] = masks("nn.TransformerEncoder", [mask], ["mask"]);
    return this.ln.forward(this.layers.reduce((h, l) => {
      const run = (a: MxArray) => l.forward(a, m);
      return this.checkpoint ? checkpoint(l, run)(h) : run(h);
    }, x));
  }
}

/** Self-attention, cross-attention over the memory, and an MLP, each with a residual and a LayerNorm. */
export class TransformerDecoderLayer extends Module {
  self_attention: MultiHeadAttention;
  cross_attention: MultiHeadAttention;
  ln1: LayerNorm;
  ln2: LayerNorm;
  ln3: LayerNorm;
  linear1: Linear;
  linear2: Linear;
  dropout1: Dropout;
  dropout2: Dropout;
  dropout3: Dropout;
  /** The MLP's activation: a function, or a module (then a child of the layer, as MLX's). */
  readonly activation: Layer;
  /** Whether each block normalizes its input (pre-norm) instead of its output. */
  readonly normFirst: boolean;
  /** MLX's `TransformerDecoderLayer(dims, num_heads, mlp_dims, dropout, activation, norm_first)`: the last four positionally in that order or in the options. */
  constructor(dims: number, numHeads: number, ...rest: KeywordArgs<[["mlpDims", number], ["dropout", number], ["activation", Layer], ["normFirst", boolean]], TransformerLayerOptions>) {
    super();
    const op = "nn.TransformerDecoderLayer";
    const s = layerSetup(op, dims, numHeads, () => keywordArgs(op, rest, LAYER_KEYS));
    this.self_attention = new MultiHeadAttention(dims, numHeads);
    this.cross_attention = new MultiHeadAttention(dims, numHeads);
    this.ln1 = new LayerNorm(dims);
    this.ln2 = new LayerNorm(dims);
    this.ln3 = new LayerNorm(dims);
    this.linear1 = new Linear(dims, s.mlpDims);
    this.linear2 = new Linear(s.mlpDims, dims);
    this.dropout1 = new Dropout(s.dropout);
    this.dropout2 = new Dropout(s.dropout);
    this.dropout3 = new Dropout(s.dropout);
    this.activation = s.activation;
    this.normFirst = s.normFirst;
  }
  /**
   * The layer applied to `x` [B, L, dims] attending over `memory` [B, S, dims].
   * @example
   * ```ts
   * const layer = new mx.nn.TransformerDecoderLayer(4, 2);
   * layer.forward(mx.ones([1, 3, 4]), mx.ones([1, 5, 4]), "causal").shape; // [1, 3, 4]
   * ```
   */
  forward(x: MxArray, memory: MxArray, xMask?: AttentionMask | { xMask?: AttentionMask | null | undefined; memoryMask?: AttentionMask | null | undefined } | null, memoryMask?: AttentionMask | null): MxArray {
    noExtraArguments("nn.TransformerDecoderLayer", arguments, 4);
    [xMask, memoryMask] = masks("nn.TransformerDecoderLayer", [xMask, memoryMask], ["xMask", "memoryMask"]);
    const mlp = (y: MxArray) => this.linear2.forward(this.dropout3.forward(call(this.activation, this.linear1.forward(y))));
    if (this.normFirst) {
      let y = this.ln1.forward(x);
      let h = ops.add(x, this.dropout1.forward(this.self_attention.forward(y, y, y, xMask)));
      y = this.ln2.forward(h);
      h = ops.add(h, this.dropout2.forward(this.cross_attention.forward(y, memory, memory, memoryMask)));
      return ops.add(h, mlp(this.ln3.forward(h)));
    }
    let h = this.ln1.forward(ops.add(x, this.dropout1.forward(this.self_attention.forward(x, x, x, xMask))));
    h = this.ln2.forward(ops.add(h, this.dropout2.forward(this.cross_attention.forward(h, memory, memory, memoryMask))));
    return this.ln3.forward(ops.add(h, mlp(h)));
  }
}

/** `numLayers` decoder layers and a final LayerNorm. */
export class TransformerDecoder extends Module {
  layers: TransformerDecoderLayer[];
  ln: LayerNorm;
  /** Whether each layer is recomputed in the backward pass (nn.checkpoint) instead of keeping its intermediates. */
  readonly checkpoint: boolean;
  /**
   * MLX's `TransformerDecoder(num_layers, dims, num_heads, mlp_dims, dropout, activation,
   * norm_first, checkpoint)`: the last five positionally in that order or in the options.
   */
  constructor(numLayers: number, dims: number, numHeads: number, ...rest: KeywordArgs<[["mlpDims", number], ["dropout", number], ["activation", Layer], ["normFirst", boolean], ["checkpoint", boolean]], TransformerStackOptions>) {
    super();
    const op = "nn.TransformerDecoder";
    checkInt(op, "numLayers", numLayers, 0, 1024);
    const { checkpoint: ckpt, ...layerOptions } = layerSetup(op, dims, numHeads, () => keywordArgs(op, rest, STACK_KEYS)).given;
    this.checkpoint = checkBool(op, "checkpoint", ckpt ?? false);
    this.layers = Array.from({ length: numLayers }, () => new TransformerDecoderLayer(dims, numHeads, layerOptions));
    this.ln = new LayerNorm(dims);
  }
  /**
   * The decoding of `x` [B, L, dims] over `memory` [B, S, dims].
   * @example
   * ```ts
   * new mx.nn.TransformerDecoder(1, 4, 2).forward(mx.ones([1, 3, 4]), mx.ones([1, 2, 4])).shape; // [1, 3, 4]
   * ```
   */
  forward(x: MxArray, memory: MxArray, xMask?: AttentionMask | { xMask?: AttentionMask | null | undefined; memoryMask?: AttentionMask | null | undefined } | null, memoryMask?: AttentionMask | null): MxArray {
    noExtraArguments("nn.TransformerDecoder", arguments, 4);
    const [xm, mm] = masks("nn.TransformerDecoder", [xMask, memoryMask], ["xMask", "memoryMask"]);
    return this.ln.forward(this.layers.reduce((h, l) => {
      const run = (a: MxArray, m: MxArray) => l.forward(a, m, xm, mm);
      return this.checkpoint ? checkpoint(l, run)(h, memory) : run(h, memory);
    }, x));
  }
}

export interface TransformerOptions extends TransformerStackOptions {
  dims?: number | undefined;
  numHeads?: number | undefined;
  numEncoderLayers?: number | undefined;
  numDecoderLayers?: number | undefined;
  customEncoder?: (Module & { forward(x: MxArray, mask?: AttentionMask | null): MxArray }) | undefined;
  customDecoder?: (Module & { forward(x: MxArray, memory: MxArray, xMask?: AttentionMask | null, memoryMask?: AttentionMask | null): MxArray }) | undefined;
}

/** An encoder and a decoder (defaults: dims 512, 8 heads, 6 + 6 layers, as MLX's). */
export class Transformer extends Module {
  encoder: NonNullable<TransformerOptions["customEncoder"]>;
  decoder: NonNullable<TransformerOptions["customDecoder"]>;
  /**
   * MLX's `Transformer(dims, num_heads, num_encoder_layers,
   * num_decoder_layers, mlp_dims, dropout, activation, custom_encoder,
   * custom_decoder, norm_first, checkpoint)`: positionally in that order
   * (`new nn.Transformer(64, 4, 2, 2)`), up to any of them, then in the options.
   */
  constructor(
    ...rest: KeywordArgs<
      [
        ["dims", number], ["numHeads", number], ["numEncoderLayers", number], ["numDecoderLayers", number], ["mlpDims", number], ["dropout", number],
        ["activation", Layer], ["customEncoder", NonNullable<TransformerOptions["customEncoder"]>], ["customDecoder", NonNullable<TransformerOptions["customDecoder"]>],
        ["normFirst", boolean], ["checkpoint", boolean],
      ],
      TransformerOptions
    >
  ) {
    super();
    const op = "nn.Transformer";
    const names = ["dims", "numHeads", "numEncoderLayers", "numDecoderLayers", "mlpDims", "dropout", "activation", "customEncoder", "customDecoder", "normFirst", "checkpoint"];
    const p = keywordArgs(op, rest, names) as TransformerOptions;
    const dims = checkSize(op, "dims", p.dims ?? 512, 1);
    const heads = checkSize(op, "numHeads", p.numHeads ?? 8, 1);
    const layer = { mlpDims: p.mlpDims, dropout: p.dropout, activation: p.activation, normFirst: p.normFirst };
    layerSetup(op, dims, heads, () => layer);
    const stack = { ...layer, checkpoint: checkBool(op, "checkpoint", p.checkpoint ?? false) };
    for (const k of ["customEncoder", "customDecoder"] as const) {
      if (p[k] !== undefined && p[k] !== null && !(p[k] instanceof Module)) throw new TypeError(`[${op}] ${k} must be an nn.Module, got ${describeValue(p[k])}`);
    }
    this.encoder = p.customEncoder ?? new TransformerEncoder(checkInt(op, "numEncoderLayers", p.numEncoderLayers ?? 6, 0, 1024), dims, heads, stack);
    this.decoder = p.customDecoder ?? new TransformerDecoder(checkInt(op, "numDecoderLayers", p.numDecoderLayers ?? 6, 0, 1024), dims, heads, stack);
  }
  /**
   * `decoder(tgt, encoder(src, srcMask), tgtMask, memoryMask)`; the masks
   * positionally or as MLX's keywords (`{ tgtMask: "causal" }`).
   * @example
   * ```ts
   * const t = new mx.nn.Transformer({ dims: 4, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1 });
   * t.forward(mx.ones([1, 5, 4]), mx.ones([1, 3, 4]), null, "causal").shape; // [1, 3, 4]
   * ```
   */
  forward(src: MxArray, tgt: MxArray, srcMask?: AttentionMask | { srcMask?: AttentionMask | null | undefined; tgtMask?: AttentionMask | null | undefined; memoryMask?: AttentionMask | null | undefined } | null, tgtMask?: AttentionMask | null, memoryMask?: AttentionMask | null): MxArray {
    noExtraArguments("nn.Transformer", arguments, 5);
    const m = masks("nn.Transformer", [srcMask, tgtMask, memoryMask], ["srcMask", "tgtMask", "memoryMask"]);
    return this.decoder.forward(tgt, this.encoder.forward(src, m[0]), m[1], m[2]);
  }
}
