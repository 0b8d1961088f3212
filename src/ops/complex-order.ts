// The sort order of complex64 along an axis, MLX's (its Metal and CUDA sorts'
// rule): by real part, then imaginary part; an element with NaN in either part
// after all others, those keeping their input order. Two stable real argsorts.

import type { MxArray } from "../array.js";
import { float32 } from "../dtype.js";
import { SortIndices } from "../primitives/sort.js";
import { node, type OpOptions } from "./base.js";
import { isnan, logicalOr, stopGradient, where } from "./elementwise.js";
import { take, takeAlongAxis } from "./indexing.js";
import { expandDims } from "./layout.js";
import { view } from "./view.js";

type OnStream = OpOptions & { stream: MxArray["stream"] };

/**
 * The real and imaginary parts of the complex64 `a` (float32), read bit for
 * bit: exact where `imag`'s arithmetic turns an infinite real part's
 * imaginary part into NaN. No gradient flows through them.
 */
export function complexParts(a: MxArray, s: OnStream): { re: MxArray; im: MxArray } {
  const pairs = stopGradient(view(expandDims(a, -1, s), float32, s), s);
  return { re: take(pairs, 0, a.ndim, s), im: take(pairs, 1, a.ndim, s) };
}

/** The uint32 indices that sort the complex64 `a` along `axis` (stable). */
export function complexOrder(a: MxArray, axis: number, s: OnStream): MxArray {
  const { re, im } = complexParts(a, s);
  const nan = logicalOr(isnan(re, s), isnan(im, s), s);
  // NaN elements get equal keys (NaN, then 0): last, in their order
  const primary = where(nan, NaN, re, s), secondary = where(nan, 0, im, s);
  const bySecondary = node(new SortIndices(axis, null), [secondary], s.stream);
  const byPrimary = node(new SortIndices(axis, null), [takeAlongAxis(primary, bySecondary, axis, s)], s.stream);
  return takeAlongAxis(bySecondary, byPrimary, axis, s);
}
