// The complex transforms of mx.fft: fft, ifft (one axis), fft2, ifft2 (two
// axes, default the last two) and fftn, ifftn (any axes). Each returns
// complex64; the inverse is scaled by 1/n unless `norm` says otherwise.

import type { MxArray } from "../array.js";
import type { ArrayLike } from "../ops/base.js";
import { oneAxis, severalAxes, type FftnOptions, type FftOptions } from "./dims.js";
import { noExtraArguments } from "../ops/strict-options.js";

const FORWARD = { real: false, inverse: false };
const INVERSE = { real: false, inverse: true };

/**
 * The one-dimensional discrete Fourier transform along `axis` (default -1),
 * the axis cut or zero-padded to `n` points first. `n` and `axis` may be passed
 * positionally, as in MLX; `norm` is "backward" (default), "ortho" or "forward".
 * @example
 * ```ts
 * await mx.fft.fft(mx.array([1, 2, 3, 4], mx.float32)).tolist(); // [{ re: 10, im: 0 }, { re: -2, im: 2 }, { re: -2, im: 0 }, { re: -2, im: -2 }]
 * await mx.fft.fft(mx.array([1, 1], mx.float32), 4, { norm: "forward" }).tolist(); // [{ re: 0.5, im: 0 }, { re: 0.25, im: -0.25 }, { re: 0, im: 0 }, { re: 0.25, im: 0.25 }]
 * ```
 */
export function fft(a: ArrayLike, n?: number | null | FftOptions, axis?: number | FftOptions, options?: FftOptions): MxArray {
  noExtraArguments("fft.fft", arguments, 4);
  return oneAxis("fft.fft", FORWARD, a, [n, axis, options]);
}

/**
 * The one-dimensional inverse discrete Fourier transform along `axis`
 * (default -1), scaled by 1/n; arguments as `fft`.
 * @example
 * ```ts
 * await mx.fft.ifft(mx.array([4, 0, 0, 0], mx.float32)).tolist(); // [{ re: 1, im: 0 }, { re: 1, im: 0 }, { re: 1, im: 0 }, { re: 1, im: 0 }]
 * ```
 */
export function ifft(a: ArrayLike, n?: number | null | FftOptions, axis?: number | FftOptions, options?: FftOptions): MxArray {
  noExtraArguments("fft.ifft", arguments, 4);
  return oneAxis("fft.ifft", INVERSE, a, [n, axis, options]);
}

/**
 * The two-dimensional discrete Fourier transform over `axes` (default
 * [-2, -1]), each cut or zero-padded to the sizes `s` first; `s` and `axes` may
 * be passed positionally, as in MLX.
 * @example
 * ```ts
 * await mx.fft.fft2(mx.array([[1, 2], [3, 4]], mx.float32)).tolist(); // [[{ re: 10, im: 0 }, { re: -2, im: 0 }], [{ re: -4, im: 0 }, { re: 0, im: 0 }]]
 * ```
 */
export function fft2(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.fft2", arguments, 4);
  return severalAxes("fft.fft2", FORWARD, a, [s, axes, options], [-2, -1]);
}

/**
 * The two-dimensional inverse discrete Fourier transform over `axes`
 * (default [-2, -1]); arguments as `fft2`.
 * @example
 * ```ts
 * await mx.fft.ifft2(mx.array([[4, 0], [0, 0]], mx.float32)).tolist(); // [[{ re: 1, im: 0 }, { re: 1, im: 0 }], [{ re: 1, im: 0 }, { re: 1, im: 0 }]]
 * ```
 */
export function ifft2(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.ifft2", arguments, 4);
  return severalAxes("fft.ifft2", INVERSE, a, [s, axes, options], [-2, -1]);
}

/**
 * The n-dimensional discrete Fourier transform over `axes` (default: the last
 * `s.length` axes when `s` is given, else all), each cut or zero-padded to
 * the sizes `s` first.
 * @example
 * ```ts
 * await mx.fft.fftn(mx.ones([2, 2], mx.float32)).tolist(); // [[{ re: 4, im: 0 }, { re: 0, im: 0 }], [{ re: 0, im: 0 }, { re: 0, im: 0 }]]
 * mx.fft.fftn(mx.ones([2, 3, 4]), [8], [0]).shape; // [8, 3, 4]
 * ```
 */
export function fftn(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.fftn", arguments, 4);
  return severalAxes("fft.fftn", FORWARD, a, [s, axes, options], null);
}

/**
 * The n-dimensional inverse discrete Fourier transform; arguments as `fftn`.
 * @example
 * ```ts
 * await mx.fft.ifftn(mx.array([[4, 0], [0, 0]], mx.float32)).tolist(); // [[{ re: 1, im: 0 }, { re: 1, im: 0 }], [{ re: 1, im: 0 }, { re: 1, im: 0 }]]
 * ```
 */
export function ifftn(a: ArrayLike, s?: readonly number[] | null | FftnOptions, axes?: readonly number[] | null | FftnOptions, options?: FftnOptions): MxArray {
  noExtraArguments("fft.ifftn", arguments, 4);
  return severalAxes("fft.ifftn", INVERSE, a, [s, axes, options], null);
}
