// CPU buffers and tensor access: a buffer is an ArrayBuffer block from the
// pool; kernels see a tensor as a typed array of storage words plus element
// offset and strides (complex64 counts two Float32 words per element).

import type { Backend, BackendBuffer, OutputSpec, Tensor } from "../backend.js";
import { rowMajorStrides } from "../../src/shape.js";
import { storageCtor, storageIndex, wordsPerElement, type TypedArray } from "../../src/storage.js";
import { complex64, float32, float64, uint32, uint64, type DType } from "../../src/dtype.js";
import { formatBytes } from "../pool.js";

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

/**
 * Kernel scratch (float64 copies, offset tables, sort keys) counted in the
 * cpu pool, so mx.getActiveMemory / getPeakMemory see it and
 * mx.setMemoryLimit bounds it like an array's buffer: while a kernel runs
 * (inside withScratch) a scratch array of SCRATCH_COUNTED bytes or more is a
 * pooled block, given back when the kernel returns or throws. A failed
 * allocation is the pool's error ("[cpu] cannot allocate N bytes ...", which
 * eval prefixes with the op's name), never a raw "Invalid typed array length".
 */
export interface ScratchPool {
  acquire(nbytes: number): CpuBlock;
  release(block: CpuBlock): void;
}

let scratchPool: ScratchPool | undefined;
/** The blocks of the kernels running now, innermost last, and how many kernels run (nested: a kernel calling another). */
const held: CpuBlock[] = [];
let depth = 0;
/** Smaller scratch is a plain typed array (a row's accumulators, a kernel tap table). */
const SCRATCH_COUNTED = 64 * 1024;

export function setScratchPool(pool: ScratchPool): void {
  scratchPool = pool;
}

/** Runs `fn` (a kernel) with its scratch counted, given back when it ends. */
export function withScratch<T>(fn: () => T): T {
  const mark = held.length;
  depth++;
  try {
    return fn();
  } finally {
    depth--;
    while (held.length > mark) scratchPool!.release(held.pop()!);
  }
}

type ScratchCtor<A> = { new (n: number): A; new (buffer: ArrayBuffer, byteOffset: number, length: number): A; readonly BYTES_PER_ELEMENT: number };

/** A zero-filled scratch array of `n` elements, counted while the kernel runs (see ScratchPool). */
export function scratch<A>(ctor: ScratchCtor<A>, n: number): A {
  const nbytes = n * ctor.BYTES_PER_ELEMENT;
  if (depth === 0 || !scratchPool || nbytes < SCRATCH_COUNTED) return new ctor(n);
  const block = scratchPool.acquire(nbytes);
  held.push(block);
  let a: A;
  try {
    a = new ctor(block.bytes, block.byteOffset, n);
  } catch (e) {
    // more elements than the engine puts in one typed array
    throw new RangeError(`[cpu] cannot allocate ${formatBytes(nbytes)} of scratch: ${(e as Error).message}`, { cause: e });
  }
  // a cached block holds an earlier use's bytes
  (a as unknown as { fill(v: number | bigint): void }).fill(ctor === (BigInt64Array as unknown) || ctor === (BigUint64Array as unknown) ? 0n : 0);
  return a;
}

export function scratchF64(n: number): Float64Array {
  return scratch(Float64Array, n);
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

/** Offsets of the elements of `shape` walked with `strides` from `start`, in row-major order (counted scratch). */
export function offsets(shape: readonly number[], strides: readonly number[], start: number): Float64Array {
  let n = 1;
  for (const d of shape) n *= d;
  const out = scratchF64(n);
  new OffsetWalker(shape, strides, start).next(out, n);
  return out;
}

/**
 * The offsets of a strided view's elements in row-major order, a block at a
 * time: a kernel over a view far larger than its buffer (a broadcast) walks
 * it in bounded scratch instead of a table of every element.
 */
export class OffsetWalker {
  private readonly idx: number[];
  private p: number;
  /** Elements not yet walked. */
  left: number;
  constructor(
    private readonly shape: readonly number[],
    private readonly strides: readonly number[],
    start: number,
  ) {
    let n = 1;
    for (const d of shape) n *= d;
    this.left = n;
    this.idx = new Array<number>(shape.length).fill(0);
    this.p = start;
  }
  /** Writes the next `count` offsets (at most what is left) into out[0..count); returns how many. */
  next(out: Float64Array, count = out.length): number {
    const n = Math.min(count, this.left);
    const { shape, strides, idx } = this;
    const nd = shape.length;
    let p = this.p;
    if (nd === 0) {
      if (n > 0) out[0] = p;
    } else {
      const inner = shape[nd - 1]!, s = strides[nd - 1]!;
      let i = 0;
      while (i < n) {
        // along the innermost dim without carrying
        const run = Math.min(inner - idx[nd - 1]!, n - i);
        for (let k = 0; k < run; k++, p += s) out[i + k] = p;
        i += run;
        idx[nd - 1]! += run;
        if (idx[nd - 1]! < inner) break;
        p -= s * inner;
        idx[nd - 1] = 0;
        for (let d = nd - 2; d >= 0; d--) {
          p += strides[d]!;
          if (++idx[d]! < shape[d]!) break;
          p -= strides[d]! * shape[d]!;
          idx[d] = 0;
        }
      }
    }
    this.p = p;
    this.left -= n;
    return n;
  }
}

/** Element offsets of `t` in row-major order of its shape (for the simple, rarely hot paths). */
export function elementOffsets(t: Tensor): Float64Array {
  return offsets(t.shape, t.strides, t.offset);
}
