// The layout kernels every backend shares: reshape, transpose, broadcast (to
// a shape or against other inputs) and slice return views of the input's
// buffer (a new offset and strides); reshape falls back to the backend's
// contiguous copy when no strides can express the result; depends passes its
// inputs through as views.

import { retain, type Kernel, type MultiKernel, type Tensor } from "./backend.js";
import type { Broadcast, Slice, Transpose } from "../src/primitives/layout.js";
import { rowMajorStrides, sizeOf } from "../src/shape.js";

export function view(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return { buffer: retain(t.buffer), dtype: t.dtype, shape, strides, offset };
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

/** Reshape as a view where possible, else through `copy` (a contiguous copy on the same backend). */
export function reshapeKernel(copy: (t: Tensor) => Tensor): Kernel {
  return (_prim, [x], out) => {
    // the output's shape, not the primitive's: flatten and unflatten replayed by a shapeless trace give new ones
    const shape = out.shape;
    const strides = reshapeStrides(x!.shape, x!.strides, shape);
    if (strides) return view(x!, shape, strides, x!.offset);
    const c = copy(x!);
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

/** broadcastAxes: input 0 as a view of the output's shape (its rule's, for this call's inputs), aligned from the right; the other inputs give only shapes. */
export const broadcastAxesKernel: Kernel = (_prim, [x], out) => {
  const lead = out.shape.length - x!.shape.length;
  return view(x!, out.shape, out.shape.map((d, i) => (i < lead || x!.shape[i - lead] !== d ? 0 : x!.strides[i - lead]!)), x!.offset);
};

export const sliceKernel: Kernel = (prim, [x]) => {
  const p = prim as Slice;
  const offset = x!.offset + p.start.reduce((s, st, i) => s + st * x!.strides[i]!, 0);
  return view(x!, p.shape, p.step.map((st, i) => st * x!.strides[i]!), offset);
};


/** depends: each output is a view of the input at its position (the dependencies only had to be computed). */
export const dependsKernel: MultiKernel = (_prim, inputs, outs) => outs.map((_, i) => view(inputs[i]!, inputs[i]!.shape, inputs[i]!.strides, inputs[i]!.offset));
