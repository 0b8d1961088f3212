// CPU layout kernels that copy: the contiguous copy (reshape's fallback),
// concatenate and pad, moving storage words without decoding them. The view
// kernels (reshape, transpose, broadcast, slice) are shared: backends/views.ts.

import type { Backend, Kernel, Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import type { Concatenate, Pad } from "../../src/primitives/layout.js";
import { rowMajorStrides } from "../../src/shape.js";
import { runMap } from "./elementwise.js";
import { allocOutput, bitsDtype, elementOffsets, wordsOf } from "./tensor.js";

/** complex64 seen as float32 pairs (a trailing axis of 2), so word copies apply. */
export function asWords(t: Tensor): Tensor {
  if (t.dtype !== complex64) return t;
  return { buffer: t.buffer, dtype: float32, shape: [...t.shape, 2], strides: [...t.strides.map((s) => 2 * s), 1], offset: 2 * t.offset };
}

/** `t` as the unsigned words of its bits where a JS number may not keep them (float32, complex64, float64: a signaling NaN read as a number can come back quiet). */
function asBits(t: Tensor): Tensor {
  const w = asWords(t);
  return { ...w, dtype: bitsDtype(w.dtype) };
}

/** A contiguous copy of `t`, bit for bit. */
export function contiguousCopy(backend: Backend, t: Tensor): Tensor {
  const w = asBits(t);
  const out = runMap(backend, [w], { shape: w.shape, dtype: w.dtype }, ["@"], "a");
  return w === t ? out : { ...out, dtype: t.dtype, shape: t.shape, strides: rowMajorStrides(t.shape) };
}

/** Copies `src` element by element (bit for bit) into the region of `dst` described by `region`. */
function copyInto(dst: Tensor, region: { shape: readonly number[]; strides: readonly number[]; offset: number }, src: Tensor): void {
  const s = asBits(src);
  const d = asBits({ ...dst, ...region });
  const D = wordsOf(d) as unknown as (number | bigint)[], S = wordsOf(s);
  const so = elementOffsets(s), dof = elementOffsets(d);
  for (let i = 0; i < so.length; i++) D[dof[i]!] = S[so[i]!]!;
}

export function concatenateKernel(backend: Backend): Kernel {
  return (prim, inputs, out) => {
    const axis = (prim as Concatenate).axis;
    const { t } = allocOutput(backend, out);
    let start = 0;
    for (const x of inputs) {
      copyInto(t, { shape: x.shape, strides: t.strides, offset: start * t.strides[axis]! }, x);
      start += x.shape[axis]!;
    }
    return t;
  };
}

export function padKernel(backend: Backend): Kernel {
  return (prim, [x, value], out) => {
    const p = prim as Pad;
    const { t } = allocOutput(backend, out);
    copyInto(t, { shape: out.shape, strides: t.strides, offset: 0 }, { ...value!, shape: out.shape, strides: out.shape.map(() => 0) });
    const offset = p.low.reduce((s, lo, i) => s + lo * t.strides[i]!, 0);
    copyInto(t, { shape: x!.shape, strides: t.strides, offset }, x!);
    return t;
  };
}
