// fftshift and ifftshift: the zero frequency moved to the middle of each
// axis and back (MLX's, as NumPy's), composed of roll so they run on every
// backend and keep the input's dtype.

import type { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { roll } from "../ops/shapes.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { normalizeAxis } from "../shape.js";
import { isOptions } from "./args.js";

export interface FftShiftOptions extends OpOptions {
  /** The axis or axes to shift (default: all). */
  axes?: number | readonly number[] | null | undefined;
}

function shift(op: string, a: ArrayLike, axes: unknown, options: unknown, inverse: boolean): MxArray {
  return asOp(op, () => {
    const axesIsOptions = isOptions(axes);
    if (axesIsOptions && options !== undefined) throw opError(op, `got an options object and a further argument ${describeValue(options)}; pass the options last, once`, [], "type");
    const o = (axesIsOptions ? axes : options) as FftShiftOptions | undefined;
    checkOptions(op, o, ["axes"]);
    const positional = axesIsOptions ? undefined : axes;
    if (positional !== undefined && positional !== null && o?.axes !== undefined) throw opError(op, `axes given twice: ${describeValue(positional)} and { axes: ${describeValue(o.axes)} }`, [], "value");
    const given = positional ?? o?.axes;
    checkArrayLike(op, a, "a");
    const s = opStream(op, o, a);
    const x = toArray(op, a, s, undefined, "a");
    const list: unknown = given === undefined || given === null ? [...x.shape.keys()] : typeof given === "number" ? [given] : given;
    if (!Array.isArray(list)) throw opError(op, `axes must be an integer or a list of integers, got ${describeValue(given)}`, [], "type");
    const valid = Array.from(list as unknown[], (ax) => normalizeAxis(op, ax, x.ndim, "axes", [x]));
    if (valid.length === 0) return x;
    const shifts = valid.map((ax) => (inverse ? -1 : 1) * Math.floor(x.shape[ax]! / 2));
    return roll(x, shifts, valid, { stream: s });
  });
}

/**
 * `a` with the zero frequency moved to the middle of each of `axes` (default:
 * all): a roll by n / 2 along each, as NumPy's. `axes` may be passed positionally.
 * @example
 * ```ts
 * await mx.fft.fftshift(mx.fft.fftfreq(5)).tolist(); // [-0.4000000059604645, -0.20000000298023224, 0, 0.20000000298023224, 0.4000000059604645]
 * await mx.fft.fftshift(mx.array([[0, 1, 2], [3, 4, 5]]), 1).tolist(); // [[2, 0, 1], [5, 3, 4]]
 * ```
 */
export function fftshift(a: ArrayLike, axes?: number | readonly number[] | null | FftShiftOptions, options?: FftShiftOptions): MxArray {
  noExtraArguments("fft.fftshift", arguments, 3);
  return shift("fft.fftshift", a, axes, options, false);
}

/**
 * The inverse of `fftshift` (the same for even lengths; one step apart for odd ones).
 * @example
 * ```ts
 * await mx.fft.ifftshift(mx.array([-2, -1, 0, 1, 2])).tolist(); // [0, 1, 2, -2, -1]
 * ```
 */
export function ifftshift(a: ArrayLike, axes?: number | readonly number[] | null | FftShiftOptions, options?: FftShiftOptions): MxArray {
  noExtraArguments("fft.ifftshift", arguments, 3);
  return shift("fft.ifftshift", a, axes, options, true);
}
