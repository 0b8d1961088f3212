// The sample frequencies of a transform's outputs (MLX's fftfreq, rfftfreq):
// float32 arrays composed of arange and a scale, so they run on every backend.

import type { MxArray } from "../array.js";
import { float32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { opStream, type OpOptions } from "../ops/base.js";
import { arange, array } from "../ops/creation.js";
import { multiply } from "../ops/elementwise.js";
import { concatenate } from "../ops/layout.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { checkSize, isOptions } from "./args.js";

export interface FftFreqOptions extends OpOptions {
  /** The sample spacing (default 1). */
  d?: number | undefined;
}

/** n, d and the stream of `op(n, d, options)` (d positionally or in the options). */
function freqArgs(op: string, n: unknown, d: unknown, options: unknown): { n: number; d: number; o: OpOptions } {
  const dIsOptions = isOptions(d);
  if (dIsOptions && options !== undefined) throw opError(op, `got an options object and a further argument ${describeValue(options)}; pass the options last, once`, [], "type");
  const o = (dIsOptions ? d : options) as FftFreqOptions | undefined;
  checkOptions(op, o, ["d"]);
  if (!dIsOptions && d !== undefined && o?.d !== undefined) throw opError(op, `d given twice: ${describeValue(d)} and { d: ${describeValue(o.d)} }`, [], "value");
  const size = checkSize(op, "n", n);
  const spacing = dIsOptions ? o?.d ?? 1 : d ?? o?.d ?? 1;
  if (typeof spacing !== "number" || !Number.isFinite(spacing)) throw opError(op, `d must be a finite number, got ${describeValue(spacing)}`, [], "type");
  if (spacing === 0) throw opError(op, "d must be non-zero, got 0", [], "value");
  return { n: size, d: spacing, o: { stream: opStream(op, o) } };
}

/**
 * The frequencies of `fft`'s outputs for `n` samples spaced `d` apart
 * (default 1): [0, 1, ..., (n - 1) / 2, -(n / 2), ..., -1] / (n d), as float32.
 * `d` may be passed positionally.
 * @example
 * ```ts
 * await mx.fft.fftfreq(4).tolist(); // [0, 0.25, -0.5, -0.25]
 * await mx.fft.fftfreq(5, 0.5).tolist(); // [0, 0.4000000059604645, 0.800000011920929, -0.800000011920929, -0.4000000059604645]
 * ```
 */
export function fftfreq(n: number, d?: number | FftFreqOptions, options?: FftFreqOptions): MxArray {
  noExtraArguments("fft.fftfreq", arguments, 3);
  return asOp("fft.fftfreq", () => {
    const { n: size, d: spacing, o } = freqArgs("fft.fftfreq", n, d, options);
    const pos = arange(0, Math.floor((size + 1) / 2), { dtype: float32, ...o });
    const neg = arange(-Math.floor(size / 2), 0, { dtype: float32, ...o });
    return multiply(concatenate([pos, neg], { axis: 0, ...o }), array(1 / (size * spacing), float32, o), o);
  });
}

/**
 * The frequencies of `rfft`'s outputs for `n` samples spaced `d` apart
 * (default 1): [0, 1, ..., n / 2] / (n d), as float32.
 * @example
 * ```ts
 * await mx.fft.rfftfreq(4).tolist(); // [0, 0.25, 0.5]
 * ```
 */
export function rfftfreq(n: number, d?: number | FftFreqOptions, options?: FftFreqOptions): MxArray {
  noExtraArguments("fft.rfftfreq", arguments, 3);
  return asOp("fft.rfftfreq", () => {
    const { n: size, d: spacing, o } = freqArgs("fft.rfftfreq", n, d, options);
    return multiply(arange(0, Math.floor(size / 2) + 1, { dtype: float32, ...o }), array(1 / (size * spacing), float32, o), o);
  });
}
