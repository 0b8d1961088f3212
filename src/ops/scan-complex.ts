// Scans of complex64 that the Scan kernels (real) lack, built from ops:
// logcumsumexp, a Hillis-Steele prefix scan whose steps are stable complex
// logaddexps, on the principal branch as log(cumsum(exp(z))); and cummax and
// cummin, integer scans of order keys that pick the element each output is.

import type { MxArray } from "../array.js";
import { complex64 } from "../dtype.js";
import { Scan } from "../primitives/scan.js";
import { node, type OpOptions } from "./base.js";
import { complexParts } from "./complex-order.js";
import { array, full } from "./creation.js";
import { abs, add, arctan2, astype, divide, equal, exp, greaterEqual, isnan, less, log, log1p, logicalAnd, logicalNot, logicalOr, multiply, notEqual, round, subtract, where } from "./elementwise.js";
import { concatenate, slice } from "./layout.js";
import { imag, real } from "./math-extra.js";
import { complexKeys, gathered, NO_INDEX, onePastIndices, type Extreme } from "./reduce-complex.js";
import { flip } from "./shapes.js";

type OnStream = OpOptions & { stream: MxArray["stream"] };

/** i·im as complex64 from the float32 `im`, exact for a finite `im` (an infinite one meets 0 in the product). */
function timesI(im: MxArray, s: OnStream): MxArray {
  return multiply(astype(im, complex64, s), array({ re: 0, im: 1 }, complex64, s), s);
}

/** log(1 + w) for |w| <= 1: the magnitude's log through log1p(|1 + w|² - 1) for small w (no rounding of 1 + w), directly near w = -1. */
function log1pComplex(w: MxArray, s: OnStream): MxArray {
  const wr = real(w, s), wi = imag(w, s);
  const magnitudeSquaredLess1 = add(multiply(wr, add(wr, 2, s), s), multiply(wi, wi, s), s);
  const logMagnitude = where(less(abs(w, s), 0.5, s), multiply(log1p(magnitudeSquaredLess1, s), 0.5, s), log(abs(add(w, 1, s), s), s), s);
  return add(astype(logMagnitude, complex64, s), timesI(arctan2(wi, add(wr, 1, s), s), s), s);
}

/** log(exp(x) + exp(y)): the operand of larger real part leads, so |exp(lo - hi)| <= 1. */
function logaddexpComplex(x: MxArray, y: MxArray, s: OnStream): MxArray {
  const xr = real(x, s), yr = real(y, s);
  const xLeads = greaterEqual(xr, yr, s);
  const hi = where(xLeads, x, y, s), lo = where(xLeads, y, x, s);
  // lo adds nothing (real part -inf) or hi is infinite: hi, as MLX, unless a NaN is there to spread;
  // the unused branch gets 0, finite, so its gradient is 0
  const infinite = logicalOr(equal(where(xLeads, yr, xr, s), -Infinity, s), equal(where(xLeads, xr, yr, s), Infinity, s), s);
  const edge = logicalAnd(infinite, logicalNot(logicalOr(isnan(x, s), isnan(y, s), s), s), s);
  const d = where(edge, 0, subtract(lo, hi, s), s);
  return where(edge, hi, add(hi, log1pComplex(exp(d, s), s), s), s);
}

/**
 * `r` on the principal branch: the imaginary part moved into (-pi, pi] by
 * whole turns; a real part of -inf (the log of a zero sum) gets imaginary
 * part 0; NaN in either part gives NaN in both (as NumPy's complex NaN).
 */
function principal(r: MxArray, s: OnStream): MxArray {
  const { re, im } = complexParts(r, s);
  const turns = round(divide(im, 2 * Math.PI, s), s);
  const wrapped = where(equal(re, -Infinity, s), -Infinity, add(r, timesI(multiply(turns, -2 * Math.PI, s), s), s), s);
  return where(isnan(r, s), array({ re: NaN, im: NaN }, complex64, s), wrapped, s);
}

/** The part of `a` from `from` to `to` along `axis`. */
function along(a: MxArray, axis: number, from: number, to: number, s: OnStream): MxArray {
  return slice(a, a.shape.map((_, i) => (i === axis ? from : 0)), a.shape.map((d, i) => (i === axis ? to : d)), undefined, s);
}

/**
 * log(cumsum(exp(z))) of the complex64 `z` along `axis`, with `reverse` and
 * `inclusive` as the scans (an exclusive one starts at -inf + 0i), in
 * ceil(log2 n) rounds of elementwise steps (O(n log n) work).
 */
export function complexLogcumsumexp(z: MxArray, axis: number, reverse: boolean, inclusive: boolean, s: OnStream): MxArray {
  const n = z.shape[axis]!;
  if (n === 0) return z;
  let acc = reverse ? flip(z, axis, s) : z;
  // after the round of distance d, acc[i] combines the 2d elements ending at i (all of them from i < 2d)
  for (let d = 1; d < n; d *= 2) acc = concatenate([along(acc, axis, 0, d, s), logaddexpComplex(along(acc, axis, 0, n - d, s), along(acc, axis, d, n, s), s)], axis, s);
  if (!inclusive) acc = concatenate([full(acc.shape.map((k, i) => (i === axis ? 1 : k)), -Infinity, complex64, s), along(acc, axis, 0, n - 1, s)], axis, s);
  acc = principal(acc, s);
  return reverse ? flip(acc, axis, s) : acc;
}

/**
 * cummax or cummin of the complex64 `z` along `axis` (`which`: max or min),
 * with `reverse` and `inclusive` as the scans: output i is the element of
 * `z`, up to i in scan order, that the running fold acc = maximum(acc, x)
 * (minimum) holds with NaN spreading from either part (NumPy's
 * maximum.accumulate): the first with NaN in either part if any, else the
 * extreme, the latest of equal ones. An exclusive scan's first output is the
 * fold's identity, -inf - inf i (cummin: inf + inf i). Each output gathers
 * its element, so the gradient goes to the element that holds the extreme.
 */
export function complexRunningExtreme(z: MxArray, axis: number, which: Extreme, reverse: boolean, inclusive: boolean, s: OnStream): MxArray {
  if (z.shape[axis] === 0) return z;
  const scanned = (op: Extreme, v: MxArray, incl: boolean) => node(new Scan(op, axis, reverse, incl), [v], s.stream);
  const { keys, nan } = complexKeys(z, s);
  const at = onePastIndices(nan, axis, s);
  // the scans of indices that keep the latest and the earliest one in scan order, and the index each finds where it finds none
  const latest = reverse ? "min" : "max", earliest = reverse ? "max" : "min";
  const noLatest = reverse ? NO_INDEX : 0, noEarliest = reverse ? 0 : NO_INDEX;
  // an element equal to the running extreme up to it holds that extreme until a later one does
  const holder = scanned(latest, where(equal(keys, scanned(which, keys, true), s), at, noLatest, s), inclusive);
  const firstNaN = scanned(earliest, where(nan, at, noEarliest, s), inclusive);
  const owner = where(notEqual(firstNaN, noEarliest, s), firstNaN, holder, s);
  if (inclusive) return gathered(z, subtract(owner, 1, s), axis, s);
  // an exclusive scan's first output has no element before it
  const none = equal(holder, noLatest, s);
  const picked = gathered(z, subtract(where(none, 1, owner, s), 1, s), axis, s);
  const identity = which === "max" ? -Infinity : Infinity;
  return where(none, array({ re: identity, im: identity }, complex64, s), picked, s);
}
