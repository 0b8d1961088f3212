// The real transforms of mx.fft: rfft, rfft2, rfftn take real input (a
// complex input's imaginary part is dropped, as MLX) and keep the n/2 + 1
// non-negative frequencies of the last axis; irfft, irfft2, irfftn take that
// half-spectrum back to real float32 samples (the last length default 2 (m - 1)).

import type { MxArray } from "../array.js";
import type { ArrayLike } from "../ops/base.js";
import { oneAxis, severalAxes, type FftnOptions, type FftOptions } from "./dims.js";
import { noExtraArguments } from "../ops/strict-options.js";

const FORWARD = { real: true, inverse: false };
const INVERSE = { real: true, inverse: true };

/**
 * The discrete Fourier transform of a real signal along `axis` (default -1):
 * the n/2 + 1 non-negative frequencies. `n` and `axis` may be passed positionally.
 * @example
 * ```ts
 * await mx.fft.rfft(mx.array([1, 2, 3, 4], mx.float32)).tolist(); // [{ re: 10, im: 0 }, { re: -2, im: 2 }, { re: -2, im: 0 }]
 * ```
 */
export function rfft(a: ArrayLike, n?: number | null | FftOptions, axis?: number | FftOptions, options?: FftOptions): MxArray {
  noExtraArguments("fft.rfft", arguments, 4);
  return oneAxis("fft.rfft", FORWARD, a, [n, axis, options]);
}

/**
 * The inverse of `rfft`: `n` real samples (default 2 (m - 1), m the input's
 * length along `axis`) from their non-negative frequencies; the input is cut
 * or zero-padded to n/2 + 1 of them.
 * @example
 * ```ts
 * await mx.fft.irfft(mx.fft.rfft(mx.array([1, 2, 3, 4], mx.float32))).tolist(); // [1, 2, 3, 4]
 * await mx.fft.irfft(mx.array([3, 1], mx.float32), 3).tolist(); // [1.6666666269302368, 0.6666666865348816, 0.6666666865348816]
 * ```
 */
export function irfft(a: ArrayLike, n?: number | null | FftOptions, axis?: number | FftOptions, options?: FftOptions): MxArray {
  noExtraArguments("fft.irfft", arguments, 4);
  return oneAxis("fft.irfft", INVERSE, a, [n, axis, options]);
}

/**
 * The two-dimensional transform of a real signal over `axes` (default
 * [-2, -1]), the last of them halved to n/2 + 1 frequencies.
 * @example
 * ```ts
 * await mx.fft.rfft2(mx.array([[1, 2], [3, 4]], mx.float32)).tolist(); // [[{ re: 10, im: 0 }, { re: -2, im: 0 }], [{ re: -4, im: 0 }, { re: 0, im: 0 }]]
 * ```
 */
export function rfft2(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.rfft2", arguments, 4);
  return severalAxes("fft.rfft2", FORWARD, a, [s, axes, options], [-2, -1]);
}

/**
 * The inverse of `rfft2` over `axes` (default [-2, -1]).
 * @example
 * ```ts
 * await mx.fft.irfft2(mx.array([[4, 0], [0, 0]], mx.float32)).tolist(); // [[1, 1], [1, 1]]
 * ```
 */
export function irfft2(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.irfft2", arguments, 4);
  return severalAxes("fft.irfft2", INVERSE, a, [s, axes, options], [-2, -1]);
}

/**
 * The n-dimensional transform of a real signal (axes as `fftn`), the last
 * axis halved to n/2 + 1 frequencies.
 * @example
 * ```ts
 * mx.fft.rfftn(mx.ones([4, 6, 8])).shape; // [4, 6, 5]
 * ```
 */
export function rfftn(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.rfftn", arguments, 4);
  return severalAxes("fft.rfftn", FORWARD, a, [s, axes, options], null);
}

/**
 * The inverse of `rfftn` (axes as `fftn`; the last length default 2 (m - 1)).
 * @example
 * ```ts
 * mx.fft.irfftn(mx.ones([4, 6, 5], mx.complex64)).shape; // [4, 6, 8]
 * ```
 */
export function irfftn(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.irfftn", arguments, 4);
  return severalAxes("fft.irfftn", INVERSE, a, [s, axes, options], null);
}
