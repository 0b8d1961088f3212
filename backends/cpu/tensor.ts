// CPU buffers and tensor access: a buffer is an ArrayBuffer block from the
// pool; kernels see a tensor as a typed array of storage words plus element
// offset and strides (complex64 counts two Float32 words per element).

import type { Backend, BackendBuffer, OutputSpec, Tensor } from "../backend.js";
import { rowMajorStrides } from "../../src/shape.js";
import { storageCtor, wordsPerElement, type TypedArray } from "../../src/storage.js";
import type { DType } from "../../src/dtype.js";

export interface CpuBlock {
  readonly size: number;
  readonly bytes: ArrayBuffer;
}

export class CpuBuffer implements BackendBuffer {
  refs = 1;
  private views = new Map<unknown, TypedArray>();
  constructor(
    readonly backend: Backend,
    readonly nbytes: number,
    readonly block: CpuBlock,
  ) {}
  /** The whole block as storage words of `dtype` (cached per typed array type). */
  words(dtype: DType): TypedArray {
    const ctor = storageCtor(dtype);
    let v = this.views.get(ctor);
    if (!v) {
      v = new ctor(this.block.bytes, 0, Math.floor(this.block.size / ctor.BYTES_PER_ELEMENT));
      this.views.set(ctor, v);
    }
    return v;
  }
}

export function wordsOf(t: Tensor): TypedArray {
  return (t.buffer as CpuBuffer).words(t.dtype);
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

/** Element offsets of `t` in row-major order of its shape (for the simple, rarely hot paths). */
export function elementOffsets(t: Tensor): Float64Array {
  let n = 1;
  for (const d of t.shape) n *= d;
  const out = new Float64Array(n);
  const nd = t.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = t.offset;
  for (let i = 0; i < n; i++) {
    out[i] = p;
    for (let d = nd - 1; d >= 0; d--) {
      p += t.strides[d]!;
      if (++idx[d]! < t.shape[d]!) break;
      p -= t.strides[d]! * t.shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
