// The inputs of the distributed tests, shared by the script each rank runs
// (test/helpers/distributed-ops.ts) and the test that checks what the ranks
// print (test/distributed.test.ts): each rank's input is a function of its
// rank, the dtype, the case and the element index, so both sides know all.

/** Every dtype, by name. */
export const DTYPES = ["bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64", "float16", "bfloat16", "float32", "float64", "complex64"] as const;
export type DTypeName = (typeof DTYPES)[number];

/** The shapes the reductions run on: a scalar and one element (fewer elements than ranks), odd and 2-d sizes. */
export const REDUCE_SHAPES: readonly (readonly number[])[] = [[], [1], [7], [3, 5]];

export const FLOATS: readonly DTypeName[] = ["float16", "bfloat16", "float32", "float64"];
const MAX_FINITE: Readonly<Record<string, number>> = { float16: 65504, bfloat16: 3.3895313892515355e38, float32: 3.4028234663852886e38, float64: Number.MAX_VALUE };
const INT_BITS: Readonly<Record<string, number>> = { uint8: 8, int8: 8, uint16: 16, int16: 16, uint32: 32, int32: 32, uint64: 64, int64: 64 };

/**
 * The cases of the reductions, each with every dtype it applies to:
 * "small": small integers (exact in every dtype, sums included);
 * "big": the largest value of an integer dtype (sums wrap) or the largest
 * finite float (sums overflow to infinity); "nan": small values with a NaN
 * at element 0 on rank 1.
 */
export const VALUE_CASES = ["small", "big", "nan"] as const;
export type ValueCase = (typeof VALUE_CASES)[number];

export function caseApplies(c: ValueCase, dtype: DTypeName): boolean {
  if (c === "big") return dtype !== "bool" && dtype !== "complex64";
  if (c === "nan") return FLOATS.includes(dtype) || dtype === "complex64";
  return true;
}

/** One element of rank `rank`'s input: a number, bigint, boolean or [re, im]. */
export type Element = number | bigint | boolean | [number, number];

/** Element `i` of rank `rank`'s input of `dtype` in case `c`. */
export function inputElement(c: ValueCase, dtype: DTypeName, rank: number, i: number): Element {
  const small = ((rank * 5 + i * 3) % 9) - 4; // -4 to 4
  if (dtype === "bool") return (rank + i) % 3 !== 0;
  if (dtype === "complex64") return c === "nan" && rank === 1 && i === 0 ? [NaN, 1] : [small, ((rank + 2 * i) % 5) - 2];
  if (c === "big") {
    if (FLOATS.includes(dtype)) return MAX_FINITE[dtype]!;
    const bits = INT_BITS[dtype]!;
    const max = dtype.startsWith("u") ? 2n ** BigInt(bits) - 1n : 2n ** BigInt(bits - 1) - 1n;
    const v = max - BigInt(i % 3);
    return bits === 64 ? v : Number(v);
  }
  if (c === "nan" && rank === 1 && i === 0) return NaN;
  const v = dtype.startsWith("u") ? small + 4 : small;
  return dtype === "uint64" || dtype === "int64" ? BigInt(v) : v;
}

/** Rank `rank`'s float input for the fold-order check: values of several magnitudes, so that the order of the sum shows in its bits. */
export function orderElement(rank: number, i: number): number {
  let h = (rank * 7919 + i * 104729 + 12345) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 3266489909) >>> 0;
  const unit = (h >>> 8) / 2 ** 24; // [0, 1)
  return (unit - 0.5) * 10 ** ((h % 7) - 3);
}

/** The number of elements of `shape`. */
export const sizeOf = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);
