// fast-check arbitraries for conformance cases: shapes from 0-d and empty up
// to 6 dims, broadcastable pairs, element values per dtype that mix the op's
// domain with the special values (NaN, +-inf, -0, subnormals, huge and tiny
// magnitudes, integer extremes), and the layout each input is passed in
// (contiguous, transposed, or every other element of a wider array).

import fc from "fast-check";
import type { DType } from "../index.js";

/** At most this many elements per generated array (keeps cases fast on every backend). */
export const MAX_ELEMENTS = 96;
export const MAX_DIMS = 6;

export type Layout = "contiguous" | "transposed" | "strided";

/** One input of a case: its dtype, logical shape, row-major values and the layout it is passed in. */
export interface InputCase {
  dtype: string;
  shape: number[];
  values: (number | boolean)[];
  layout: Layout;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Shapes of 0 to 6 dims (dims 0 to 5, a zero now and then) with at most MAX_ELEMENTS elements. */
export function shapeArb(maxDims = MAX_DIMS, minDims = 0): fc.Arbitrary<number[]> {
  const dim = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.constant(0) });
  return fc.array(dim, { minLength: minDims, maxLength: maxDims }).filter((s) => size(s) <= MAX_ELEMENTS);
}

/** A shape and `n` shapes that broadcast to it (leading dims dropped, some dims set to 1). */
export function broadcastShapesArb(n: number): fc.Arbitrary<number[][]> {
  return shapeArb().chain((out) =>
    fc.tuple(
      ...Array.from({ length: n }, () =>
        fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length })).map(([drop, ones]) =>
          out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)),
        ),
      ),
    ).map((shapes) => {
      // at least one input keeps the full output shape, so the output is what was drawn
      shapes[0] = out;
      return shapes;
    }),
  );
}

/** Special float values worth a case of their own. */
export function specialFloats(dtype: DType): number[] {
  const sub = dtype.name === "float16" ? 2 ** -20 : dtype.name === "float64" ? 1e-310 : 1e-40;
  const huge = dtype.name === "float16" ? 65504 : dtype.name === "float64" ? 1e300 : 3e38;
  return [NaN, Infinity, -Infinity, 0, -0, sub, -sub, huge, -huge, 1e-30, -1e-30, 1, -1, 0.5, -0.5];
}

const INT_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  int64: [-(2 ** 53), 2 ** 53],
  uint64: [0, 2 ** 53],
};

/** One element of `dtype`: for floats mostly inside `domain`, sometimes a special value. */
export function elementArb(dtype: DType, domain: readonly [number, number] = [-1e4, 1e4]): fc.Arbitrary<number | boolean> {
  if (dtype.kind === "bool") return fc.boolean();
  if (dtype.kind === "float" || dtype.kind === "complex") {
    const [lo, hi] = domain;
    const inner: [number, number] = [Math.max(lo, -1e4), Math.min(hi, 1e4)];
    return fc.oneof(
      { weight: 12, arbitrary: fc.double({ min: inner[0], max: inner[1], noNaN: true }) },
      { weight: 2, arbitrary: fc.double({ min: Math.max(lo, -3e38), max: Math.min(hi, 3e38), noNaN: true }) },
      { weight: 2, arbitrary: fc.constantFrom(...specialFloats(dtype)) },
    );
  }
  const [lo, hi] = INT_RANGE[dtype.name]!;
  const ints = [{ weight: 3, arbitrary: fc.integer({ min: Math.max(lo, -100), max: Math.min(hi, 100) }) }, { weight: 2, arbitrary: fc.integer({ min: lo, max: hi }) }, { weight: 1, arbitrary: fc.constantFrom(lo, hi, 0) }];
  // ties (and their neighbours) of the narrow floats' roundings, where a cast or promotion that rounds wrongly, or twice, shows
  return dtype.size < 2 ? fc.oneof(...ints) : fc.oneof(...ints, { weight: 1, arbitrary: nearTieArb(dtype) });
}

/** Significant bits of the narrow floats an integer converts to: bfloat16, float16, float32. */
const PRECISIONS: Readonly<Record<string, number>> = { bfloat16: 8, float16: 11, float32: 24 };

/**
 * An integer of `dtype` within 2 of a tie of a float's rounding (`to`'s, or any of bfloat16's,
 * float16's and float32's that the range holds): (2k + 1) 2^(e - p - 1) with 2k + 1 of p + 1 bits,
 * of magnitude [2^(e - 1), 2^e), half of them beyond 2^24, where a rounding through float32 is a
 * second one.
 */
export function nearTieArb(dtype: DType, to?: DType): fc.Arbitrary<number> {
  const [lo, hi] = INT_RANGE[dtype.name]!;
  const top = Math.floor(Math.log2(hi + 1)); // magnitudes below 2^top fit both ends of the range
  const precisions = (to ? [PRECISIONS[to.name] ?? 24] : Object.values(PRECISIONS)).filter((p) => p < top);
  if (!precisions.length) return fc.integer({ min: lo, max: hi });
  // unbiased: fast-check's early runs would otherwise keep to small exponents, where the ties are exact in float32
  return fc.noBias(
    fc.constantFrom(...precisions).chain((p) => {
      const exponent = fc.oneof(fc.integer({ min: p + 1, max: top }), fc.integer({ min: Math.min(Math.max(p + 1, 25), top), max: top }));
      return fc.tuple(exponent, fc.nat(), fc.integer({ min: -2, max: 2 }), fc.boolean()).map(([e, m, d, neg]) => {
        const tie = (2 * ((m % 2 ** (p - 1)) + 2 ** (p - 1)) + 1) * 2 ** (e - p - 1);
        return Math.min(hi, Math.max(lo, (neg && lo < 0 ? -1 : 1) * tie + d));
      });
    }),
  );
}

/** An input of `shape` with values of `dtype` (drawn by `element`, default elementArb) and a layout (non-contiguous layouts need a dim). */
export function inputArb(shape: readonly number[], dtype: DType, domain?: readonly [number, number], element?: fc.Arbitrary<number | boolean>): fc.Arbitrary<InputCase> {
  const layouts: Layout[] = shape.length ? ["contiguous", "transposed", "strided"] : ["contiguous"];
  return fc.record({
    dtype: fc.constant(dtype.name),
    shape: fc.constant([...shape]),
    values: fc.array(element ?? elementArb(dtype, domain), { minLength: size(shape), maxLength: size(shape) }),
    layout: fc.constantFrom(...layouts),
  });
}
