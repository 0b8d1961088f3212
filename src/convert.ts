// Scalar conversion rules shared by array creation and the CPU reference's
// astype: float64 -> any dtype's storage word, rounding once (RNE); float ->
// integer truncates toward zero and saturates, NaN -> 0; integers wrap.

import { bf16FromNumber, f16FromNumber } from "./half.js";
import { intRange, type DType } from "./dtype.js";
import { opError } from "./errors.js";

/** float -> integer of `dtype` (<= 32 bits): truncate, saturate, NaN -> 0. */
export function floatToInt(x: number, lo: number, hi: number): number {
  if (x !== x) return 0;
  const t = Math.trunc(x);
  return t < lo ? lo : t > hi ? hi : t;
}

const I64_MIN = -(2n ** 63n), I64_MAX = 2n ** 63n - 1n, U64_MAX = 2n ** 64n - 1n;

/** float -> int64/uint64: truncate, saturate, NaN -> 0. */
export function floatToBigInt(x: number, unsigned: boolean): bigint {
  if (x !== x) return 0n;
  const lo = unsigned ? 0n : I64_MIN, hi = unsigned ? U64_MAX : I64_MAX;
  if (x === Infinity) return hi;
  if (x === -Infinity) return lo;
  const t = BigInt(Math.trunc(x));
  return t < lo ? lo : t > hi ? hi : t;
}

/**
 * A bigint as a float64 rounded to odd: exact when representable, otherwise the
 * neighbour whose last significand bit is 1. Rounding that value once more to
 * float32/float16/bfloat16 (RNE) gives the correctly rounded result.
 */
export function bigIntToRoundOddNumber(x: bigint): number {
  const n = Number(x);
  if (!Number.isFinite(n) || BigInt(n) === x) return n;
  const buf = new Float64Array([n]);
  const bits = new BigUint64Array(buf.buffer);
  if ((bits[0]! & 1n) === 0n) {
    // even neighbour chosen by RNE: step one ulp toward x to the odd one
    const towardX = (BigInt(n) > x) === (n > 0) ? -1n : 1n;
    bits[0] = bits[0]! + towardX;
  }
  return buf[0]!;
}

/** float64 -> storage word of a float dtype, rounded once. */
export function roundToFloat(dtype: DType): (x: number) => number {
  switch (dtype.name) {
    case "float32":
    case "complex64":
      return Math.fround;
    case "float16":
      return f16FromNumber;
    case "bfloat16":
      return bf16FromNumber;
    default:
      return (x) => x;
  }
}

/**
 * A JS number -> storage word of `dtype` (for array creation). Integer-valued
 * numbers convert to integer dtypes by wrapping (as MLX casts Python ints);
 * other numbers follow the float -> integer rule (truncate, saturate, NaN -> 0).
 */
export function numberToStorage(dtype: DType): (x: number) => number | bigint {
  switch (dtype.kind) {
    case "bool":
      return (x) => (x !== 0 ? 1 : 0);
    case "float":
    case "complex":
      return roundToFloat(dtype);
    default: {
      const unsigned = dtype.kind === "uint";
      if (dtype.size === 8) {
        return (x) => (Number.isInteger(x) ? BigInt(x) : floatToBigInt(x, unsigned));
      }
      const [lo, hi] = intRange(dtype);
      return (x) => (Number.isInteger(x) ? x : floatToInt(x, lo, hi));
    }
  }
}

/**
 * The most levels of nesting mx.array reads from a JS list: its walk of the
 * elements recurses once a level, so a list nested thousands deep would end
 * in a bare "Maximum call stack size exceeded"; arrays of more dimensions
 * come from mx.reshape.
 */
export const MAX_NESTING = 1024;

/**
 * The shape of the nested list `value` read along its first elements, without
 * recursion (the walk of every element then checks the rest against it): an
 * `[array]` error naming the depth when it nests more than MAX_NESTING levels.
 * @example
 * ```ts
 * nestedListShape([[1, 2, 3], [4, 5, 6]]); // [2, 3]
 * ```
 */
export function nestedListShape(value: unknown): number[] {
  const shape: number[] = [];
  let probe = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  if (shape.length > MAX_NESTING) {
    throw opError("array", `the nested list is ${shape.length} levels deep (along its first elements); mx.array reads at most ${MAX_NESTING} levels (dimensions) from a list: build a deeper array with mx.reshape`, [], "value");
  }
  return shape;
}
