// The conversions the cpu's float64 kernels share (norms, rope, attention,
// linear algebra, reductions): a tensor's elements read as float64, and a
// float64 result turned into the storage word of its dtype, rounded once.

import type { Tensor } from "../backend.js";
import type { DType } from "../../src/dtype.js";
import { H } from "./math.js";
import { OffsetWalker, scratchF64, wordsOf } from "./tensor.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";

/** The elements of `t` in row-major order, as float64 (halves decoded, bool as 0/1), in counted scratch (tensor.ts). */
export function float64Values(t: Tensor): Float64Array {
  const w = wordsOf(t) as ArrayLike<number>;
  const dec = t.dtype.name === "float16" ? H.T16 : t.dtype.name === "bfloat16" ? H.TB16 : null;
  const out = scratchF64(sizeOf(t.shape));
  const wk = new OffsetWalker(t.shape, t.strides, t.offset);
  const offs = new Float64Array(Math.min(out.length, 4096));
  for (let at = 0; wk.left > 0; ) {
    const n = wk.next(offs);
    for (let i = 0; i < n; i++) {
      const v = w[offs[i]!]!;
      out[at + i] = dec ? dec[v]! : Number(v);
    }
    at += n;
  }
  return out;
}

/** The storage word of float64 value v in `dtype` (float16 and bfloat16 encoded; float32 and float64 round on store). */
export function storeFn(dtype: DType): (v: number) => number {
  return dtype.name === "float16" ? H.f16 : dtype.name === "bfloat16" ? H.bf16 : (v) => v;
}

/** Elements of a tensor as float64, addressed as data[offset + sum(i_d * strides[d])]. */
export interface Float64View {
  data: Float64Array;
  offset: number;
  strides: number[];
}

/**
 * `t`'s elements as float64 for kernels that address them by strides: the
 * words its view spans decoded in place (a broadcast spans what it repeats,
 * not its billions of elements), or a row-major copy where that is smaller
 * (a sparse slice of a large buffer). Either way counted scratch of at most
 * the smaller of the two.
 */
export function float64View(t: Tensor): Float64View {
  const n = sizeOf(t.shape);
  let lo = t.offset, hi = t.offset;
  t.shape.forEach((d, i) => {
    const reach = (d - 1) * t.strides[i]!;
    if (reach < 0) lo += reach;
    else hi += reach;
  });
  if (n === 0 || hi - lo + 1 >= n) return { data: float64Values(t), offset: 0, strides: rowMajorStrides(t.shape) };
  const w = wordsOf(t) as ArrayLike<number>;
  const dec = t.dtype.name === "float16" ? H.T16 : t.dtype.name === "bfloat16" ? H.TB16 : null;
  const data = scratchF64(hi - lo + 1);
  for (let i = 0; i < data.length; i++) {
    const v = w[lo + i]!;
    data[i] = dec ? dec[v]! : Number(v);
  }
  return { data, offset: t.offset - lo, strides: [...t.strides] };
}
