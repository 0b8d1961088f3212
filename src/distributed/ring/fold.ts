// How the ring backend combines a block received from a peer with this
// rank's own block of one dtype (MLX's ring reduction ops): sums wrap for
// integers, are a logical or for bool, and are done in float32 and rounded
// once per step for float16 and bfloat16; max and min keep NaN as mx.maximum.

import { bool, complex64, float16, type DType } from "../../dtype.js";
import { bf16FromNumber, BF16_TABLE, f16FromNumber, F16_TABLE } from "../../half.js";
import { viewOf, type TypedArray } from "../../storage.js";

export type ReduceKind = "sum" | "max" | "min";

/** Whether max (min) of two reals keeps `a`, by mx.maximum's rule: a NaN in `a` wins, then a NaN in `b`. */
const keepsFirstMax = (a: number, b: number) => a >= b || a !== a;
const keepsFirstMin = (a: number, b: number) => a <= b || a !== a;

/**
 * `mine[i] = received[i] (op) mine[i]` for the elements of `mine` (bytes of
 * `dtype`, aligned to its size): the peer's partial result first, then this
 * rank's contribution, so every chunk is folded in ring order.
 */
export function foldInto(kind: ReduceKind, dtype: DType, mine: Uint8Array, received: Uint8Array): void {
  const n = mine.byteLength / dtype.size;
  const m = viewOf(dtype, mine.buffer, mine.byteOffset, n);
  const r = viewOf(dtype, received.buffer, received.byteOffset, n);
  if (dtype === bool) return foldBool(kind, m as Uint8Array, r as Uint8Array);
  if (dtype === complex64) return foldComplex(kind, m as Float32Array, r as Float32Array);
  if (dtype.size === 2 && dtype.kind === "float") return foldHalf(kind, dtype === float16, m as Uint16Array, r as Uint16Array);
  if (dtype.size === 8 && dtype.kind !== "float") return foldBig(kind, m as BigInt64Array, r as BigInt64Array);
  foldNumbers(kind, m as NumberWords, r as NumberWords);
}

function foldBool(kind: ReduceKind, m: Uint8Array, r: Uint8Array): void {
  // a bool sum is true when any is (C++'s bool +=), as max is; min is true when all are
  if (kind === "min") for (let i = 0; i < m.length; i++) m[i] = r[i]! & m[i]!;
  else for (let i = 0; i < m.length; i++) m[i] = r[i]! | m[i]!;
}

/** The storage words of the integers below 64 bits and of float32 and float64. */
type NumberWords = Exclude<TypedArray, BigInt64Array | BigUint64Array>;

/** Integers below 64 bits and float32/float64: the typed array's store wraps or rounds the result once. */
function foldNumbers(kind: ReduceKind, m: NumberWords, r: NumberWords): void {
  if (kind === "sum") for (let i = 0; i < m.length; i++) m[i] = r[i]! + m[i]!;
  else if (kind === "max") for (let i = 0; i < m.length; i++) m[i] = keepsFirstMax(r[i]!, m[i]!) ? r[i]! : m[i]!;
  else for (let i = 0; i < m.length; i++) m[i] = keepsFirstMin(r[i]!, m[i]!) ? r[i]! : m[i]!;
}

function foldBig(kind: ReduceKind, m: BigInt64Array | BigUint64Array, r: BigInt64Array | BigUint64Array): void {
  if (kind === "sum") for (let i = 0; i < m.length; i++) m[i] = r[i]! + m[i]!;
  else if (kind === "max") for (let i = 0; i < m.length; i++) m[i] = r[i]! >= m[i]! ? r[i]! : m[i]!;
  else for (let i = 0; i < m.length; i++) m[i] = r[i]! <= m[i]! ? r[i]! : m[i]!;
}

/** float16 / bfloat16 words: widened to float32, added in float32, rounded once to the format; max and min keep a word as it is. */
function foldHalf(kind: ReduceKind, isF16: boolean, m: Uint16Array, r: Uint16Array): void {
  const table = isF16 ? F16_TABLE : BF16_TABLE;
  const encode = isF16 ? f16FromNumber : bf16FromNumber;
  const keepsFirst = kind === "max" ? keepsFirstMax : keepsFirstMin;
  for (let i = 0; i < m.length; i++) {
    const a = table[r[i]!]!, b = table[m[i]!]!;
    if (kind === "sum") m[i] = encode(Math.fround(a + b));
    else if (keepsFirst(a, b)) m[i] = r[i]!;
  }
}

/** complex64 (re, im) pairs: sums by part; max and min in MLX's order (real part, then imaginary part), a NaN winning as in mx.maximum. */
function foldComplex(kind: ReduceKind, m: Float32Array, r: Float32Array): void {
  for (let i = 0; i < m.length; i += 2) {
    const a = r[i]!, ai = r[i + 1]!, b = m[i]!, bi = m[i + 1]!;
    if (kind === "sum") {
      m[i] = a + b;
      m[i + 1] = ai + bi;
      continue;
    }
    const aNaN = a !== a || ai !== ai;
    const aAfterB = a > b || (a === b && ai > bi);
    const bAfterA = b > a || (b === a && bi > ai);
    const takeReceived = aNaN || (kind === "max" ? aAfterB : bAfterA);
    if (takeReceived) {
      m[i] = a;
      m[i + 1] = ai;
    }
  }
}
