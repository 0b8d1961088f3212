// The kernel families every backend registers under many primitive names:
// one kernel for all unary ops, one for all binary ops, one for the
// reductions and arg-reductions, and the view kernels of views.ts; and the
// multi-output kernels built from a backend's own single-output kernels.

import type { Kernel, MultiKernel, Tensor } from "./backend.js";
import { BINARY_OPS, Binary, UNARY_OPS } from "../src/primitives/elementwise.js";
import { broadcastAxesKernel, broadcastKernel, reshapeKernel, sliceKernel, transposeKernel } from "./views.js";

const REDUCTIONS = ["sum", "prod", "max", "min", "all", "any", "argmax", "argmin"];

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
