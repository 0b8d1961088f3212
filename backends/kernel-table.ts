// The kernel families every backend registers under many primitive names:
// one kernel for all unary ops, one for all binary ops, one for the
// reductions and arg-reductions, and the view kernels of views.ts; and the
// kernels built from a backend's own kernels (take from gatherAxis, divmod's
// two outputs from floorDivide and remainder, a reduction's element count
// from arange).

import type { Kernel, MultiKernel, Tensor } from "./backend.js";
import type { NumberOfElements } from "../src/primitives/element-count.js";
import { Arange } from "../src/primitives/misc.js";
import { rowMajorStrides, sizeOf } from "../src/shape.js";
import { BINARY_OPS, Binary, UNARY_OPS } from "../src/primitives/elementwise.js";
import { GatherAxis, takeShape, type Take } from "../src/primitives/indexing.js";
import { broadcastAxesKernel, broadcastKernel, reshapeKernel, sliceKernel, transposeKernel } from "./views.js";

const REDUCTIONS = ["sum", "prod", "max", "min", "all", "any", "argmax", "argmin"];

/** The kernels that read only their inputs' shapes, whatever the dtype. */
export const SHAPE_KERNELS = ["numberOfElements"];

/** The layout kernels that move elements as their bits, whatever the dtype: the views above, and the strided views and copies. */
export const BIT_LAYOUT_KERNELS = ["reshape", "transpose", "broadcast", "broadcastAxes", "slice", "asStrided", "contiguous", "view"];

/** The table entries of the elementwise and reduction families, and the layout views (reshape copies with `copy` when it must). */
export function familyKernels(f: { unary: Kernel; binary: Kernel; reduce: Kernel; copy: (t: Tensor) => Tensor }): Record<string, Kernel> {
  return {
    ...Object.fromEntries(Object.keys(UNARY_OPS).map((op) => [op, f.unary])),
    ...Object.fromEntries(Object.keys(BINARY_OPS).map((op) => [op, f.binary])),
    ...Object.fromEntries(REDUCTIONS.map((op) => [op, f.reduce])),
    reshape: reshapeKernel(f.copy),
    transpose: transposeKernel,
    broadcast: broadcastKernel,
    broadcastAxes: broadcastAxesKernel,
    slice: sliceKernel,
  };
}

/**
 * Take (MLX's gather along one axis) through the backend's `gatherAxis`
 * kernel: out = a[:axis] + indices' shape + a[axis + 1:] is GatherAxis along
 * the indices' last axis of a seen over the output's shape (stride 0 along
 * the indices' other axes) and of the indices seen over it (stride 0 along
 * a's); indices of no axis as one of size 1, the output then seen without it.
 */
export function takeKernel(gatherAxis: Kernel): Kernel {
  return (prim, [a, idx], out) => {
    const axis = (prim as Take).axis;
    const scalar = idx!.shape.length === 0;
    const iShape = scalar ? [1] : idx!.shape, iStrides = scalar ? [0] : idx!.strides;
    const shape = takeShape(a!.shape, iShape, axis);
    const along = axis + iShape.length - 1;
    const zeros = (n: number) => Array<number>(n).fill(0);
    const aView: Tensor = {
      ...a!,
      shape: shape.map((d, i) => (i === along ? a!.shape[axis]! : d)),
      strides: [...a!.strides.slice(0, axis), ...zeros(iShape.length - 1), a!.strides[axis]!, ...a!.strides.slice(axis + 1)],
    };
    const iView: Tensor = { ...idx!, shape, strides: [...zeros(axis), ...iStrides, ...zeros(a!.shape.length - axis - 1)] };
    const t = gatherAxis(new GatherAxis(along), [aView, iView], { shape, dtype: out.dtype });
    return scalar ? { ...t, shape: [...out.shape], strides: t.strides.filter((_, i) => i !== axis) } : t;
  };
}

/**
 * NumberOfElements through the backend's `arange` kernel: its value (from the
 * input's shape, rounded once to the dtype as arange's start) with step 0,
 * seen over the output's shape. A kernel, not a host write: a write would
 * end the batch of work being encoded (webgpu submits it first).
 */
export function numberOfElementsKernel(arange: Kernel): Kernel {
  return (prim, [x], out) => {
    const n = sizeOf(out.shape);
    const t = arange(new Arange((prim as NumberOfElements).value(x!.shape), 0, n, out.dtype), [], { shape: [n], dtype: out.dtype });
    return { ...t, shape: [...out.shape], strides: rowMajorStrides(out.shape) };
  };
}

const FLOOR_DIVIDE = new Binary("floorDivide");
const REMAINDER = new Binary("remainder");

/**
 * Multi-output kernels made of a backend's single-output kernels (looked up
 * when called): divmod runs its floorDivide and remainder kernels, each a
 * full kernel of that backend, on the same inputs.
 */
export function derivedMultiKernels(kernels: Readonly<Partial<Record<string, Kernel>>>): Record<string, MultiKernel> {
  return {
    divmod: (_prim, inputs, [q, r]) => [kernels.floorDivide!(FLOOR_DIVIDE, inputs, q!), kernels.remainder!(REMAINDER, inputs, r!)],
  };
}
