// The conversions the cpu's float64 kernels share (norms, rope, attention,
// linear algebra, reductions): a tensor's elements read as float64, and a
// float64 result turned into the storage word of its dtype, rounded once.

import type { Tensor } from "../backend.js";
import type { DType } from "../../src/dtype.js";
import { H } from "./math.js";
import { elementOffsets, wordsOf } from "./tensor.js";

/** The elements of `t` in row-major order, as float64 (halves decoded, bool as 0/1). */
export function float64Values(t: Tensor): Float64Array {
  const w = wordsOf(t) as ArrayLike<number>;
  const dec = t.dtype.name === "float16" ? H.T16 : t.dtype.name === "bfloat16" ? H.TB16 : null;
  const offs = elementOffsets(t);
  const out = new Float64Array(offs.length);
  for (let i = 0; i < offs.length; i++) {
    const v = w[offs[i]!]!;
    out[i] = dec ? dec[v]! : Number(v);
  }
  return out;
}

/** The storage word of float64 value v in `dtype` (float16 and bfloat16 encoded; float32 and float64 round on store). */
export function storeFn(dtype: DType): (v: number) => number {
  return dtype.name === "float16" ? H.f16 : dtype.name === "bfloat16" ? H.bf16 : (v) => v;
}
