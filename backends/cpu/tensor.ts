// CPU buffers and tensor access: a buffer is an ArrayBuffer block from the
// pool; kernels see a tensor as a typed array of storage words plus element
// offset and strides (complex64 counts two Float32 words per element).

import type { Backend, BackendBuffer, OutputSpec, Tensor } from "../backend.js";
import { rowMajorStrides } from "../../src/shape.js";
import { storageCtor, storageIndex, wordsPerElement, type TypedArray } from "../../src/storage.js";
import { complex64, float32, float64, uint32, uint64, type DType } from "../../src/dtype.js";

/** Blocks up to SLAB_MAX bytes are carved from shared slabs: one ArrayBuffer per many small arrays. */
const SLAB_BYTES = 1 << 20;
const SLAB_MAX = 8192;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** A pooled allocation (its own ArrayBuffer, or a slice of a slab); its typed-array views are cached with it. */
export class CpuBlock {
  readonly bytes: ArrayBuffer;
  readonly byteOffset: number;
  /** Typed-array views, created on first use, per storage type. */
  private readonly views: (TypedArray | undefined)[] = [];
  constructor(readonly size: number, over?: { bytes: ArrayBuffer; byteOffset: number }) {
    if (over) {
      // another backend's host-visible memory, viewed in place
      this.bytes = over.bytes;
      this.byteOffset = over.byteOffset;
      return;
    }
    if (size > SLAB_MAX) {
      this.bytes = new ArrayBuffer(size);
      this.byteOffset = 0;
      return;
    }
    if (slabUsed + size > SLAB_BYTES) {
      slab = new ArrayBuffer(SLAB_BYTES);
      slabUsed = 0;
    }
    this.bytes = slab;
    this.byteOffset = slabUsed;
    slabUsed += size;
  }
  view(dtype: DType): TypedArray {
    const k = storageIndex(dtype);
    let v = this.views[k];
    if (!v) {
      const ctor = storageCtor(dtype);
      v = this.views[k] = new ctor(this.bytes, this.byteOffset, Math.floor(this.size / ctor.BYTES_PER_ELEMENT));
    }
    return v;
  }
  /** The block's bytes as a Uint8Array. */
  raw(length = this.size): Uint8Array {
    return new Uint8Array(this.bytes, this.byteOffset, length);
  }
}

export class CpuBuffer implements BackendBuffer {
  refs = 1;
  constructor(
    readonly backend: Backend,
    readonly nbytes: number,
    readonly block: CpuBlock,
    /** The other backend's buffer whose memory this one views (it holds one reference to it). */
    readonly shared?: BackendBuffer,
  ) {}
  /** The whole block as storage words of `dtype`. */
  words(dtype: DType): TypedArray {
    return this.block.view(dtype);
  }
}

export function wordsOf(t: Tensor): TypedArray {
  return (t.buffer as CpuBuffer).words(t.dtype);
}

/** The unsigned integer dtype of the same words as float storage: uint32 for float32 (and complex64's words), uint64 for float64; others as they are. */
export function bitsDtype(d: DType): DType {
  return d === float32 || d === complex64 ? uint32 : d === float64 ? uint64 : d;
}

/**
 * `t`'s storage words as unsigned integers where they are floats (float32, complex64: the same words;
 * float64): kernels that move elements copy these, since a float array element read into JS and
 * written back may come back a quiet NaN (0x7f800001 -> 0x7fc00001).
 */
export function bitWordsOf(t: Tensor): TypedArray {
  return (t.buffer as CpuBuffer).words(bitsDtype(t.dtype));
}

/** A new contiguous output tensor and its storage words. */
export function allocOutput(backend: Backend, spec: OutputSpec): { t: Tensor; w: TypedArray } {
  let n = 1;
  for (const d of spec.shape) n *= d;
  const buffer = backend.allocate(n * spec.dtype.size) as CpuBuffer;
  const t: Tensor = { buffer, dtype: spec.dtype, shape: spec.shape, strides: rowMajorStrides(spec.shape), offset: 0 };
  return { t, w: buffer.words(spec.dtype) };
}

/** Word-level offset and strides (x2 for complex64). */
export function wordLayout(t: Tensor): { offset: number; strides: number[] } {
  const k = wordsPerElement(t.dtype);
  return { offset: t.offset * k, strides: t.strides.map((s) => s * k) };
}

/** Offsets of the elements of `shape` walked with `strides` from `start`, in row-major order. */
export function offsets(shape: readonly number[], strides: readonly number[], start: number): Float64Array {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new Float64Array(n);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = start;
  for (let i = 0; i < n; i++) {
    out[i] = p;
    for (let d = nd - 1; d >= 0; d--) {
      p += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

/** Element offsets of `t` in row-major order of its shape (for the simple, rarely hot paths). */
export function elementOffsets(t: Tensor): Float64Array {
  return offsets(t.shape, t.strides, t.offset);
}
