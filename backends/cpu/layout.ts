// CPU layout kernels: reshape, transpose, broadcast and slice return views
// that share the input's buffer (reshape copies only when no strides can
// express it); concatenate and pad copy storage words without decoding them.

import { retain, type Backend, type Kernel, type Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import type { Broadcast, Concatenate, Pad, Reshape, Slice, Transpose } from "../../src/primitives/layout.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import { runMap } from "./elementwise.js";
import { allocOutput, elementOffsets, wordsOf } from "./tensor.js";

function view(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return { buffer: retain(t.buffer), dtype: t.dtype, shape, strides, offset };
}

/** complex64 seen as float32 pairs (a trailing axis of 2), so word copies apply. */
export function asWords(t: Tensor): Tensor {
  if (t.dtype !== complex64) return t;
  return { buffer: t.buffer, dtype: float32, shape: [...t.shape, 2], strides: [...t.strides.map((s) => 2 * s), 1], offset: 2 * t.offset };
}

/** A contiguous copy of `t`. */
export function contiguousCopy(backend: Backend, t: Tensor): Tensor {
  const w = asWords(t);
  const out = runMap(backend, [w], { shape: w.shape, dtype: w.dtype }, ["@"], "a");
  return t.dtype === complex64 ? { ...out, dtype: complex64, shape: t.shape, strides: rowMajorStrides(t.shape) } : out;
}

/** Strides that give `newShape` over the same elements without a copy, or null (NumPy's rule). */
export function reshapeStrides(oldShape: readonly number[], oldStrides: readonly number[], newShape: readonly number[]): number[] | null {
  if (sizeOf(oldShape) === 0) return rowMajorStrides(newShape);
  const os: number[] = [], ost: number[] = [];
  oldShape.forEach((d, i) => {
    if (d !== 1) {
      os.push(d);
      ost.push(oldStrides[i]!);
    }
  });
  const ns = newShape;
  const out = new Array<number>(ns.length).fill(1);
  let oi = 0, oj = 1, ni = 0, nj = 1;
  while (ni < ns.length && oi < os.length) {
    let np = ns[ni]!, op = os[oi]!;
    while (np !== op) {
      if (np < op) np *= ns[nj++]!;
      else op *= os[oj++]!;
    }
    for (let k = oi; k < oj - 1; k++) if (ost[k] !== os[k + 1]! * ost[k + 1]!) return null;
    out[nj - 1] = ost[oj - 1]!;
    for (let k = nj - 1; k > ni; k--) out[k - 1] = out[k]! * ns[k]!;
    ni = nj++;
    oi = oj++;
  }
  return out;
}

export function reshapeKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const shape = (prim as Reshape).shape;
    const strides = reshapeStrides(x!.shape, x!.strides, shape);
    if (strides) return view(x!, shape, strides, x!.offset);
    const c = contiguousCopy(backend, x!);
    return { ...c, shape: out.shape, strides: rowMajorStrides(out.shape) };
  };
}

export const transposeKernel: Kernel = (prim, [x]) => {
  const perm = (prim as Transpose).perm;
  return view(x!, perm.map((p) => x!.shape[p]!), perm.map((p) => x!.strides[p]!), x!.offset);
};

export const broadcastKernel: Kernel = (prim, [x]) => {
  const shape = (prim as Broadcast).shape;
  return view(x!, shape, shape.map((d, i) => (x!.shape[i] === d ? x!.strides[i]! : 0)), x!.offset);
};

export const sliceKernel: Kernel = (prim, [x]) => {
  const p = prim as Slice;
  const offset = x!.offset + p.start.reduce((s, st, i) => s + st * x!.strides[i]!, 0);
  return view(x!, p.shape, p.step.map((st, i) => st * x!.strides[i]!), offset);
};

/** Copies `src` element by element into the region of `dst` described by `region`. */
function copyInto(dst: Tensor, region: { shape: readonly number[]; strides: readonly number[]; offset: number }, src: Tensor): void {
  const s = asWords(src);
  const d = asWords({ ...dst, ...region });
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
