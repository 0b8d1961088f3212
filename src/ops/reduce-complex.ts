// max, min, argmax and argmin of complex64 (the Reduce and ArgReduce kernels
// are real): integer keys of the parts' bits pick an index along the axis,
// and a gather takes that element, so results are exact on every backend.

import type { MxArray } from "../array.js";
import { uint32, uint64 } from "../dtype.js";
import { GatherAxis } from "../primitives/indexing.js";
import { Reduce } from "../primitives/reduce.js";
import { Scan } from "../primitives/scan.js";
import { node, type OpOptions } from "./base.js";
import { onesLike } from "./creation.js";
import { bitwiseAnd, bitwiseOr, bitwiseXor, equal, greater, greaterEqual, leftShift, logicalOr, notEqual, rightShift, stopGradient, subtract, where } from "./elementwise.js";
import { squeeze } from "./layout.js";
import { view } from "./view.js";

type OnStream = OpOptions & { stream: MxArray["stream"] };

/** Which end of the order a reduction or scan keeps. */
export type Extreme = "max" | "min";

const SIGN_BIT = 0x80000000;
const LOW_WORD = 0xffffffff;
/** The largest uint32: "no index" where a running or reduced minimum of 1-based indices finds none. */
export const NO_INDEX = 0xffffffff;

/**
 * The order maximum and minimum give complex64 `z`, as integers: `keys`
 * (uint64) order by the real part, then the imaginary part, -0 equal to +0;
 * `nan` (bool) marks an element with NaN in either part, whose key means
 * nothing. Read from the float32 bits, so no backend rounds or flushes them.
 */
export function complexKeys(z: MxArray, s: OnStream): { keys: MxArray; nan: MxArray } {
  // one uint64 per element: the real part's bits low, the imaginary part's high
  const words = view(stopGradient(z, s), uint64, s);
  const part = (bits: MxArray) => {
    // -0 read as +0; then negatives with every bit flipped, the rest with the sign bit set: integers in the floats' order
    const unsigned = where(equal(bits, SIGN_BIT, s), 0, bits, s);
    const key = where(greaterEqual(unsigned, SIGN_BIT, s), bitwiseXor(unsigned, LOW_WORD, s), bitwiseOr(unsigned, SIGN_BIT, s), s);
    return { key, nan: greater(bitwiseAnd(bits, 0x7fffffff, s), 0x7f800000, s) };
  };
  const re = part(bitwiseAnd(words, LOW_WORD, s)), im = part(rightShift(words, 32, s));
  return { keys: bitwiseOr(leftShift(re.key, 32, s), im.key, s), nan: logicalOr(re.nan, im.nan, s) };
}

/** 1, 2, ..., n along `axis` of `like`'s shape (uint32): an index one past the element's, so that 0 can mean none. */
export function onePastIndices(like: MxArray, axis: number, s: OnStream): MxArray {
  return node(new Scan("sum", axis, false, true), [onesLike(like, uint32, s)], s.stream);
}

/** The elements of `z` at `indices` along `axis` (one rank, the same shape but along `axis`); the gradient goes to them. */
export function gathered(z: MxArray, indices: MxArray, axis: number, s: OnStream): MxArray {
  return node(new GatherAxis(axis), [z, indices], s.stream);
}

function reduced(op: "max" | "min", v: MxArray, axis: number, s: OnStream): MxArray {
  return node(new Reduce(op, [axis], true), [v], s.stream);
}

/**
 * The index (uint32, `axis` kept with size 1) of the element of complex64
 * `z` that `which` picks along a non-empty `axis`: the first with NaN in
 * either part if any, else the first (`tie` "first") or last of the equal
 * extremes.
 */
function extremeIndex(z: MxArray, axis: number, which: Extreme, tie: "first" | "last", s: OnStream): MxArray {
  const { keys, nan } = complexKeys(z, s);
  const at = onePastIndices(nan, axis, s);
  const tied = equal(keys, reduced(which, keys, axis, s), s);
  const tiedAt = tie === "first" ? reduced("min", where(tied, at, NO_INDEX, s), axis, s) : reduced("max", where(tied, at, 0, s), axis, s);
  const firstNaN = reduced("min", where(nan, at, NO_INDEX, s), axis, s);
  return subtract(where(notEqual(firstNaN, NO_INDEX, s), firstNaN, tiedAt, s), 1, s);
}

/**
 * max or min of complex64 `z` over `axes` (sorted, each non-empty), an
 * element of `z`: the first in row-major order with NaN in either part if
 * any (NumPy's maximum.reduce), else the extreme, the last of equal ones
 * (their zeros' signs may differ): the fold acc = maximum(acc, x) (minimum)
 * over the elements, NaN spreading from either part. One axis at a time
 * from the last, each a gather, so the gradient goes to the element the
 * result is.
 */
export function complexExtreme(z: MxArray, axes: readonly number[], keepdims: boolean, which: Extreme, s: OnStream): MxArray {
  let out = z;
  for (const axis of [...axes].reverse()) out = gathered(out, extremeIndex(out, axis, which, "last", s), axis, s);
  return keepdims || axes.length === 0 ? out : squeeze(out, axes, s);
}

/** argmax or argmin of complex64 `z` along a non-empty `axis`: the first NaN (in either part) if any, else the first extreme. */
export function complexArgExtreme(z: MxArray, axis: number, keepdims: boolean, which: Extreme, s: OnStream): MxArray {
  const at = extremeIndex(z, axis, which, "first", s);
  return keepdims ? at : squeeze(at, axis, s);
}
