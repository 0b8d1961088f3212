// Array data to and from little-endian bytes as the file formats store it:
// each dtype's storage words (float16 and bfloat16 as their 16-bit patterns,
// bool as bytes 0/1, complex64 as float32 pairs), and byte swapping.

import type { MxArray } from "../array.js";
import { bool, complex64, float32, uint8, uint16, type DType } from "../dtype.js";
import { defaultDevice, defaultStream, type Stream } from "../device.js";
import { getBackend } from "../../backends/backend.js";
import { fileError } from "./source.js";
import * as ops from "../ops/index.js";
import { storageCtor, wordsPerElement } from "../storage.js";

/** The array's elements, row-major, as little-endian bytes (a view of the words read from the device). */
export async function arrayBytes(a: MxArray): Promise<Uint8Array> {
  const words = await a.data();
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

/** Reverses the bytes of each `width`-byte word of `bytes` in place (big-endian data). */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width <= 1) return;
  for (let i = 0; i + width <= bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

/** The storage dtype whose typed array a dtype's bytes are read into, before the view to the dtype. */
function carrier(d: DType): DType {
  if (d === bool) return uint8;
  if (d.name === "float16" || d.name === "bfloat16") return uint16;
  if (d === complex64) return float32;
  return d;
}

/** Where loaded bytes come from, for errors: the function, the file, the tensor; and the stream to load on. */
export interface LoadSite {
  op: string;
  label: string;
  what: string;
  stream?: Stream | undefined;
}

/**
 * An array of `dtype` and `shape` from its little-endian row-major bytes
 * (which must hold exactly its elements), on the site's stream (the default
 * one if none), which must hold the dtype. Bool bytes other than 0 read as true.
 */
export function arrayFromBytes(bytes: Uint8Array, dtype: DType, shape: readonly number[], at: LoadSite): MxArray {
  const stream = at.stream ?? defaultStream(defaultDevice());
  const backend = getBackend(stream.device.backend);
  if (!backend.capabilities.dtypes.has(dtype)) {
    throw fileError(at.op, at.label, `${at.what} is ${dtype.name}, which backend '${backend.displayName}' does not hold; load it with { stream: mx.cpu }`);
  }
  const o = { stream };
  const c = carrier(dtype);
  const n = shape.reduce((a, b) => a * b, 1) * wordsPerElement(dtype);
  const Ctor = storageCtor(c);
  const words = new Ctor(n);
  new Uint8Array(words.buffer).set(bytes.subarray(0, n * Ctor.BYTES_PER_ELEMENT));
  let flat = ops.array(words, c, o);
  if (dtype === bool) flat = ops.notEqual(flat, 0, o);
  else if (c !== dtype) flat = ops.view(flat, dtype, o);
  return ops.reshape(flat, [...shape], o);
}
