// How each dtype is stored in bytes and viewed from JS: the typed array per
// dtype (float16/bfloat16 as Uint16 words, complex64 as interleaved Float32
// pairs, 64-bit integers as BigInt arrays) and decoding to JS values.

import { bf16ToNumber, f16ToNumber } from "./half.js";
import type { DType } from "./dtype.js";

/**
 * The typed arrays that hold array data, as `x.data()` returns them: the
 * dtype's own (Float32Array for float32, Int8Array for int8, ...), Uint8Array
 * for bool, Uint16Array words for float16 and bfloat16, and re, im pairs in a
 * Float32Array for complex64.
 */
export type TypedArray =
  | Uint8Array | Uint16Array | Uint32Array | BigUint64Array
  | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Float32Array | Float64Array;

type TypedArrayCtor = {
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  new (length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CTORS: Record<string, TypedArrayCtor> = {
  bool: Uint8Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array, uint64: BigUint64Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array,
  float16: Uint16Array, bfloat16: Uint16Array, float32: Float32Array, float64: Float64Array,
  complex64: Float32Array,
};

const CTOR_LIST = [...new Set(Object.values(CTORS))];
const CTOR_INDEX = new Map<string, number>(Object.entries(CTORS).map(([name, c]) => [name, CTOR_LIST.indexOf(c)]));

/** A small integer naming the storage typed-array type of `dtype` (for per-type caches). */
export function storageIndex(dtype: DType): number {
  return CTOR_INDEX.get(dtype.name)!;
}

/** The typed array type that holds `dtype`'s storage words. */
export function storageCtor(dtype: DType): TypedArrayCtor {
  return CTORS[dtype.name]!;
}

/** Storage words per element: 2 for complex64 (re, im), else 1. */
export function wordsPerElement(dtype: DType): number {
  return dtype.kind === "complex" ? 2 : 1;
}

/** A typed-array view of `length` elements of `dtype` over `buffer` from `byteOffset`. */
export function viewOf(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray {
  return new (storageCtor(dtype))(buffer, byteOffset, length * wordsPerElement(dtype));
}

/** A complex64 element as JS reads and writes it: `mx.array([{ re: 1, im: 2 }])`. */
export interface Complex {
  re: number;
  im: number;
}

/** One element as JS sees it: a number, a boolean (bool), a bigint (int64, uint64) or a Complex (complex64). */
export type Scalar = number | boolean | bigint | Complex;

/** Element `i` of row-major storage `words` as a JS value. */
export function decodeElement(dtype: DType, words: TypedArray, i: number): Scalar {
  switch (dtype.name) {
    case "bool":
      return words[i] !== 0;
    case "float16":
      return f16ToNumber(words[i] as number);
    case "bfloat16":
      return bf16ToNumber(words[i] as number);
    case "complex64":
      return { re: words[2 * i] as number, im: words[2 * i + 1] as number };
    default:
      return words[i]!;
  }
}
