// The positional encodings of mx.nn (MLX's RoPE, SinusoidalPositionalEncoding,
// ALiBi): rotary embeddings through mx.fast.rope, fixed sinusoids, and the
// linear attention biases added to attention scores.

import { MxArray } from "../../array.js";
import { float32, isFloating, type DType } from "../../dtype.js";
import { describeValue, opError } from "../../errors.js";
import * as fast from "../../fast/index.js";
import * as ops from "../../ops/index.js";
import { asOp, noExtraArguments } from "../../ops/strict-options.js";
import { checkArray, checkBool, checkInt, checkNumber, keywordArgs, keywords, checkSize, type KeywordArgs } from "../checks.js";
import { Module } from "../module.js";

export interface RoPEOptions {
  /** Rotate consecutive pairs instead of halves (default false). */
  traditional?: boolean | undefined;
  /** The base of the frequencies (default 10000). */
  base?: number | undefined;
  /** Positions are multiplied by it (default 1). */
  scale?: number | undefined;
}

/** Rotary positional embedding of the first `dims` features of [..., L, D] inputs. */
export class RoPE extends Module {
  /** The number of leading features rotated (the rest pass unchanged). */
  readonly dims: number;
  /** Whether consecutive pairs are rotated instead of halves. */
  readonly traditional: boolean;
  /** The base of the frequencies. */
  readonly base: number;
  /** The factor positions are multiplied by. */
  readonly scale: number;
  /** MLX's `RoPE(dims, traditional, base, scale)`: the last three positionally (`new nn.RoPE(64, true)`) or in the options. */
  constructor(dims: number, ...rest: KeywordArgs<[["traditional", boolean], ["base", number], ["scale", number]], RoPEOptions>) {
    super();
    const op = "nn.RoPE";
    this.dims = checkSize(op, "dims", dims, 2);
    if (dims % 2 !== 0) throw new RangeError(`[${op}] dims must be even, got ${dims}`);
    const p = keywordArgs(op, rest, ["traditional", "base", "scale"]) as RoPEOptions;
    this.traditional = checkBool(op, "traditional", p.traditional ?? false);
    this.base = checkNumber(op, "base", p.base ?? 10000, 0, Infinity, { lo: true });
    this.scale = checkNumber(op, "scale", p.scale ?? 1);
  }
  protected override extraRepr(): string {
    return `${this.dims}, traditional=${this.traditional}`;
  }
  /**
   * `x` rotated by position (the row index along axis -2, plus `offset`).
   * `offset` is an integer, or an integer array (as mx.fast.rope takes it:
   * one offset, or one per entry of x's first axis, as batched caches keep them).
   * It may be negative, as MLX's: the positions offset + i are then negative
   * and the rotation runs the other way. MLX's keyword `offset` may also come
   * in an options object: `rope.forward(q, { offset: cache.offset })`.
   * @example
   * ```ts
   * const y = new mx.nn.RoPE(2).forward(mx.ones([1, 2, 2]));
   * await y.tolist(); // [[[1, 1], [-0.30116868019104004, 1.3817732334136963]]]
   * const z = new mx.nn.RoPE(2).forward(mx.ones([2, 1, 2]), mx.array([0, 1]));
   * await z.tolist(); // [[[1, 1]], [[-0.30116868019104004, 1.3817732334136963]]]
   * ```
   */
  forward(x: MxArray, offset: number | MxArray | { offset?: number | MxArray | undefined } = 0): MxArray {
    const op = "nn.RoPE";
    noExtraArguments(op, arguments, 2);
    const a = checkArray(op, x, "x");
    offset = (keywords(op, [offset], ["offset"]).offset ?? 0) as number | MxArray;
    if (offset instanceof MxArray) checkArray(op, offset, "offset");
    // any int32 offset, negative too, as MLX's (mx.fast.rope takes |offset| <= 2^31 - 1)
    else if (typeof offset === "number") checkInt(op, "offset", offset, -(2 ** 31 - 1), 2 ** 31 - 1);
    else throw opError(op, `offset must be an integer or an integer mx array, got ${describeValue(offset)}`, [], "type");
    const lead = a.shape.slice(0, -2);
    return asOp(op, () => {
      // fast.rope takes any leading axes (so a shapeless trace replays it on new ones); a 2-D x gets one
      const flat = a.ndim >= 3 ? a : ops.reshape(a, [-1, ...a.shape.slice(-2)]);
      const y = fast.rope(flat, this.dims, { traditional: this.traditional, base: this.base, scale: this.scale, offset });
      return a.ndim >= 3 ? y : ops.reshape(y, [...lead, ...a.shape.slice(-2)]);
    });
  }
}

export interface SinusoidalOptions {
  minFreq?: number | undefined;
  maxFreq?: number | undefined;
  /** Multiplies the encoding (default sqrt(2 / dims)). */
  scale?: number | undefined;
  /** Cosines first (default false: sines first). */
  cosFirst?: boolean | undefined;
  /** Frequencies in full turns (times 2 pi) (default false). */
  fullTurns?: boolean | undefined;
}

/** Fixed sinusoids of `dims` features: each input value x maps to [sin(x f_i), cos(x f_i)] over geometric frequencies. */
export class SinusoidalPositionalEncoding extends Module {
  readonly _sigmas: MxArray;
  /** The factor the encoding is multiplied by. */
  readonly scale: number;
  /** Whether the cosines come before the sines. */
  readonly cosFirst: boolean;
  /**
   * MLX's `SinusoidalPositionalEncoding(dims, min_freq, max_freq, scale,
   * cos_first, full_turns)`: all but dims positionally in that order or in the options.
   */
  constructor(dims: number, ...rest: KeywordArgs<[["minFreq", number], ["maxFreq", number], ["scale", number], ["cosFirst", boolean], ["fullTurns", boolean]], SinusoidalOptions>) {
    super();
    const op = "nn.SinusoidalPositionalEncoding";
    checkSize(op, "dims", dims, 2);
    if (dims % 2 !== 0) throw new RangeError(`[${op}] dims must be even, got ${dims}`);
    const p = keywordArgs(op, rest, ["minFreq", "maxFreq", "scale", "cosFirst", "fullTurns"]) as SinusoidalOptions;
    const lo = Math.log(checkNumber(op, "minFreq", p.minFreq ?? 0.0001, 0, Infinity, { lo: true }));
    const hi = Math.log(checkNumber(op, "maxFreq", p.maxFreq ?? 1, 0, Infinity, { lo: true }));
    const half = dims / 2;
    // from 1 down to 0 across the frequencies (a single frequency is the highest)
    const oneZero = half === 1 ? ops.ones([1]) : ops.subtract(1, ops.divide(ops.arange(0, half, float32), half - 1));
    const sigmas = ops.exp(ops.add(ops.multiply(oneZero, hi - lo), lo));
    this._sigmas = checkBool(op, "fullTurns", p.fullTurns ?? false) ? ops.multiply(sigmas, 2 * Math.PI) : sigmas;
    this.scale = checkNumber(op, "scale", p.scale ?? Math.sqrt(2 / dims));
    this.cosFirst = checkBool(op, "cosFirst", p.cosFirst ?? false);
  }
  /**
   * The encoding of positions `x` (any shape): shape [...x.shape, dims].
   * @example
   * ```ts
   * const pe = new mx.nn.SinusoidalPositionalEncoding(4, { scale: 1 });
   * await pe.forward(mx.array([0], mx.float32)).tolist(); // [[0, 0, 1, 1]]
   * ```
   */
  forward(x: MxArray): MxArray {
    const op = "nn.SinusoidalPositionalEncoding";
    const a = checkArray(op, x, "x");
    return asOp(op, () => {
      const y = ops.multiply(ops.expandDims(a, -1), this._sigmas);
      const [s, c] = [ops.sin(y), ops.cos(y)];
      const out = ops.concatenate(this.cosFirst ? [c, s] : [s, c], -1);
      return this.scale === 1 ? out : ops.multiply(out, this.scale);
    });
  }
}

/**
 * MLX's ALiBi head slopes, in float64: for a power of 2 `numHeads`, 2^(-8 h / numHeads) for h = 1..numHeads;
 * otherwise the slopes of the largest power of 2 below it, then every other slope of the next power of 2.
 */
function alibiSlopes(numHeads: number): number[] {
  const powerOf2 = 2 ** Math.floor(Math.log2(numHeads));
  const geometric = (n: number) => Array.from({ length: n }, (_, i) => 2 ** ((-8 * (i + 1)) / n));
  if (powerOf2 === numHeads) return geometric(numHeads);
  return [...geometric(powerOf2), ...geometric(2 * powerOf2).filter((_, i) => i % 2 === 0).slice(0, numHeads - powerOf2)];
}

/** The options of `ALiBi.forward` (MLX's keywords). */
export interface ALiBiOptions {
  /** Rows of the bias skipped at the top (the cached positions; default 0). */
  offset?: number | undefined;
  /** An additive mask added to the bias. */
  mask?: MxArray | null | undefined;
}

/** Attention with linear biases (MLX's ALiBi): adds -slope_h * |i - j| to the scores of head h. */
export class ALiBi extends Module {
  /**
   * The bias [1, numHeads, qLen - offset, kLen] in `dtype`: -|i - j| times the head slopes ({@link ALiBi.createAlibiSlope}), multiplied in `dtype` as MLX's.
   * @example
   * ```ts
   * const m = mx.nn.ALiBi.createAlibiMatrix(2, 2, 1);
   * await m.tolist(); // [[[[-0, -0.00390625], [-0.00390625, -0]]]]
   * ```
   */
  static createAlibiMatrix(qSequenceLength: number, kSequenceLength: number, numHeads: number, offset = 0, dtype: DType = float32): MxArray {
    const op = "nn.ALiBi.createAlibiMatrix";
    checkInt(op, "qSequenceLength", qSequenceLength, 0, 2 ** 16);
    checkInt(op, "kSequenceLength", kSequenceLength, 0, 2 ** 16);
    checkInt(op, "numHeads", numHeads, 1, 2 ** 12);
    checkInt(op, "offset", offset, 0, qSequenceLength);
    return asOp(op, () => {
      const q = ops.arange(offset, qSequenceLength, float32);
      const k = ops.arange(0, kSequenceLength, float32);
      const distance = ops.negative(ops.abs(ops.subtract(ops.expandDims(q, 1), ops.expandDims(k, 0))));
      const slopes = ops.reshape(ALiBi.createAlibiSlope(numHeads, dtype), [1, numHeads, 1, 1]);
      return ops.multiply(ops.astype(distance, dtype), slopes);
    });
  }

  /**
   * The head slopes [numHeads, 1, 1] in `dtype`, MLX's: 2^(-8 h / numHeads) for h = 1..numHeads when numHeads is a power of 2;
   * otherwise those of the largest power of 2 below numHeads, then every other slope of the next power of 2.
   * @example
   * ```ts
   * await mx.nn.ALiBi.createAlibiSlope(2).tolist(); // [[[0.0625]], [[0.00390625]]]
   * await mx.reshape(mx.nn.ALiBi.createAlibiSlope(6), [-1]).tolist(); // [0.25, 0.0625, 0.015625, 0.00390625, 0.5, 0.125]
   * ```
   */
  static createAlibiSlope(numHeads: number, dtype: DType = float32): MxArray {
    checkInt("nn.ALiBi.createAlibiSlope", "numHeads", numHeads, 1, 2 ** 12);
    return ops.reshape(ops.array(alibiSlopes(numHeads), dtype), [numHeads, 1, 1]);
  }

  /**
   * `scores` [B, H, L, S] plus the ALiBi bias (and `mask`, when given).
   * @example
   * ```ts
   * const y = new mx.nn.ALiBi().forward(mx.zeros([1, 1, 1, 2]));
   * await y.tolist(); // [[[[0, -0.00390625]]]]
   * ```
   */
  forward(scores: MxArray, offset: number | ALiBiOptions = 0, mask?: MxArray): MxArray {
    const op = "nn.ALiBi";
    const a = checkArray(op, scores, "scores");
    if (a.ndim !== 4 || !isFloating(a.dtype)) throw opError(op, "scores must be a float array [B, H, L, S]", [a], "value");
    // MLX's keywords offset and mask, positionally or in one options object
    const given = keywords(op, [offset, mask], ["offset", "mask"]);
    offset = checkInt(op, "offset", given.offset ?? 0, 0);
    mask = given.mask === undefined || given.mask === null ? undefined : checkArray(op, given.mask, "mask");
    return asOp(op, () => {
      const bias = ALiBi.createAlibiMatrix(a.shape[2]! + offset, a.shape[3]!, a.shape[1]!, offset, a.dtype);
      return ops.add(a, mask ? ops.add(bias, mask) : bias);
    });
  }
}
