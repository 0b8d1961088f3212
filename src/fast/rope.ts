// mx.fast.rope: MLX's rotary positional encoding. Arguments are checked here
// (MLX's rules: x at least 3-D and floating, dims even and at most the last
// axis, exactly one of base and freqs, an integer offset per batch or shared).

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { float32, int32, isFloating, isInteger } from "../dtype.js";
import { astype } from "../ops/index.js";
import { checkArrayLike, node, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { checkRopeDims, checkRopeFreqs, checkRopeOffset, RoPE } from "../primitives/fast-rope.js";
import { checkNumber } from "../primitives/checks.js";
import type { Stream } from "../device.js";

export interface RopeOptions extends OpOptions {
  /** Rotate consecutive pairs (x[2i], x[2i+1]) instead of the halves (x[i], x[i + dims/2]). */
  traditional: boolean;
  /** The base of the angular frequencies base^(-i / (dims/2)); null when `freqs` is given. */
  base: number | null;
  /** Positions are multiplied by it. */
  scale: number;
  /** The position of the first row: an integer, or an integer array (0-d, or one per batch entry x.shape[0]). */
  offset: number | MxArray;
  /** The dims / 2 frequencies to use instead of `base` (the angle is position / freqs[i]). */
  freqs?: MxArray | null | undefined;
}

const REQUIRED_KEYS = ["traditional", "base", "scale", "offset"] as const;
const OPTION_KEYS = [...REQUIRED_KEYS, "freqs"];

function offsetOf(op: string, offset: unknown, x: MxArray, s: Stream): MxArray {
  if (typeof offset === "number") {
    if (!Number.isSafeInteger(offset) || Math.abs(offset) > 2 ** 31 - 1) throw opError(op, `offset must be an integer in the int32 range or an integer array, got ${describeValue(offset)}`, [], "type");
    return toArray(op, offset, s, int32, "offset");
  }
  if (!(offset instanceof MxArray)) throw opError(op, `offset must be an integer or an integer array, got ${describeValue(offset)}`, [], "type");
  checkArrayLike(op, offset, "offset");
  if (!isInteger(offset.dtype)) throw opError(op, `offset must be an integer array, got ${offset.dtype.name}`, [offset], "type");
  checkRopeOffset(op, offset, x);
  return offset.dtype === int32 ? offset : astype(offset, int32, { stream: s });
}

/**
 * Rotary positional encoding of `x`, shaped (B, ..., T, D): the first `dims`
 * features of row t of each (B, ...) slice are rotated in pairs by the angles
 * (offset + t) * scale * base^(-i / (dims/2)), i = 0 .. dims/2 - 1 (or
 * (offset + t) * scale / freqs[i]); features past `dims` pass unchanged. The
 * pairs are (x[i], x[i + dims/2]), or (x[2i], x[2i+1]) when `traditional`.
 * `offset` may hold one position per batch entry B. Gradients flow to `x`
 * only (MLX refuses them for offset and freqs; here those get none).
 * @example
 * ```ts
 * const x = mx.ones([1, 2, 2]);
 * await mx.fast.rope(x, 2, { traditional: false, base: 10000, scale: 1, offset: 0 }).tolist(); // [[[1, 1], [-0.30116868019104004, 1.3817732334136963]]]
 * await mx.fast.rope(x, 2, { traditional: true, base: null, scale: 1, offset: 1, freqs: mx.array([Math.PI]) }).tolist(); // [[[0.636803925037384, 1.2627274990081787], [0.209629088640213, 1.3985905647277832]]]
 * ```
 */
export function rope(x: ArrayLike, dims: number, o: RopeOptions): MxArray {
  noExtraArguments("fast.rope", arguments, 3);
  return asOp("fast.rope", () => {
    const op = "fast.rope";
    const s = opStream(op, o, x);
    checkOptions(op, o, OPTION_KEYS);
    const missing = REQUIRED_KEYS.filter((k) => o?.[k] === undefined);
    if (missing.length) throw opError(op, `options must give ${REQUIRED_KEYS.join(", ")} (MLX's required keyword arguments); missing: ${missing.join(", ")}`, [], "type");
    const a = toArray(op, checkArrayLike(op, x, "x"), s, undefined, "x");
    if (a.ndim < 3) throw opError(op, `x must have at least 3 dimensions (B, ..., T, D), got shape (${a.shape.join(", ")})`, [a]);
    if (!isFloating(a.dtype)) throw opError(op, `x must be a floating array, got ${a.dtype.name}`, [a], "type");
    checkRopeDims(op, dims, a);
    if (typeof o.traditional !== "boolean") throw opError(op, `traditional must be a boolean, got ${describeValue(o.traditional)}`, [], "type");
    // MLX takes base and scale as C floats
    const scale = Math.fround(checkNumber(op, "scale", o.scale));
    const offset = offsetOf(op, o.offset, a, s);
    const freqs = o.freqs ?? null;
    if (freqs === null) {
      if (o.base === null) throw opError(op, "base is null and no freqs are given: exactly one of base and freqs must have a value", [], "value");
      const base = Math.fround(checkNumber(op, "base", o.base));
      return node(new RoPE(dims, o.traditional, base, scale, true), [a, offset], s);
    }
    if (!(freqs instanceof MxArray)) throw opError(op, `freqs must be an mx array, null or undefined, got ${describeValue(freqs)}`, [], "type");
    checkArrayLike(op, freqs, "freqs");
    if (o.base !== null) throw opError(op, `base is ${describeValue(o.base)} and freqs are given: exactly one of base and freqs must have a value (pass base: null)`, [], "value");
    checkRopeFreqs(op, freqs, dims);
    if (!isFloating(freqs.dtype) && !isInteger(freqs.dtype)) throw opError(op, `freqs must be a real array, got ${freqs.dtype.name}`, [freqs], "type");
    return node(new RoPE(dims, o.traditional, 1, scale, true), [a, offset, astype(freqs, float32, { stream: s })], s);
  });
}
