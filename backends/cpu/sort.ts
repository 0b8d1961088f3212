// CPU sort, argsort, partition and argpartition: the reference order. Each
// segment along the axis is sorted stably by value, NaN last, -0 equal to +0
// (NumPy's kind="stable"); partitions are written fully sorted (a valid partition).
// Values move as their bits: NaN payloads, signalling ones included, are kept.

import type { Backend, Kernel } from "../backend.js";
import type { SortIndices, SortValues } from "../../src/primitives/sort.js";
import { rowMajorStrides } from "../../src/shape.js";
import { H } from "./math.js";
import { segments } from "./reduce.js";
import { allocOutput, bitsDtype, bitWordsOf, scratch, scratchF64, wordsOf } from "./tensor.js";
import { is64BitInt } from "../../src/dtype.js";
import { storageCtor } from "../../src/storage.js";

/** Stable ascending order of `keys` (NaN last; equal keys, -0 and +0 included, keep their order), written into `order` (of keys' length). */
export function stableOrder(keys: ArrayLike<number | bigint>, order = new Uint32Array(keys.length)): Uint32Array {
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((i, j) => {
    const a = keys[i]!, b = keys[j]!;
    if (a < b) return -1;
    if (a > b) return 1;
    const an = a !== a, bn = b !== b;
    if (an !== bn) return an ? 1 : -1;
    return i - j;
  });
}

/** `values` true: the permuted input words (sort, partition); false: the uint32 source indices. */
function sortKernel(backend: Backend, values: boolean): Kernel {
  return (prim, [x], out) => {
    const axis = (prim as SortValues | SortIndices).axis;
    // the output first: a view too large to sort fails on it before any scratch
    const { t, w } = allocOutput(backend, out);
    const seg = segments(x!.shape, x!.strides, x!.offset, [axis]);
    const oseg = segments(out.shape, rowMajorStrides(out.shape), 0, [axis]);
    const I = wordsOf(x!) as ArrayLike<number | bigint>;
    const bits = bitWordsOf(x!) as ArrayLike<number | bigint>;
    const dec = x!.dtype.name === "float16" ? H.T16 : x!.dtype.name === "bfloat16" ? H.TB16 : null;
    const n = seg.R;
    // a row's keys (decoded values) and words, in counted scratch
    const keys: { [i: number]: number | bigint; length: number } = is64BitInt(x!.dtype) ? scratch(storageCtor(x!.dtype) as never, n) : scratchF64(n);
    const words: { [i: number]: number | bigint } = scratch(storageCtor(bitsDtype(x!.dtype)) as never, n);
    const order = scratch(Uint32Array, n);
    const O = (values ? bitWordsOf(t) : w) as unknown as (number | bigint)[];
    for (let s = 0; s < seg.base.length; s++) {
      const p = seg.base[s]!;
      for (let r = 0; r < n; r++) {
        const v = I[p + r * seg.stride]!;
        words[r] = bits[p + r * seg.stride]!;
        keys[r] = dec ? dec[v as number]! : v;
      }
      stableOrder(keys, order);
      const q = oseg.base[s]!;
      for (let r = 0; r < n; r++) O[q + r * oseg.stride] = values ? words[order[r]!]! : order[r]!;
    }
    return t;
  };
}

/** The kernels of the sorting primitives (partitions share the sorts'). */
export function sortKernels(backend: Backend): Record<string, Kernel> {
  const values = sortKernel(backend, true), indices = sortKernel(backend, false);
  return { sort: values, partition: values, argsort: indices, argpartition: indices };
}
