// The kernel families every backend registers under many primitive names:
// one kernel for all unary ops, one for all binary ops, one for the
// reductions and arg-reductions, and the view kernels of views.ts.

import type { Kernel, Tensor } from "./backend.js";
import { BINARY_OPS, UNARY_OPS } from "../src/primitives/elementwise.js";
import { broadcastKernel, reshapeKernel, sliceKernel, transposeKernel } from "./views.js";

const REDUCTIONS = ["sum", "prod", "max", "min", "all", "any", "argmax", "argmin"];

/** The table entries of the elementwise and reduction families, and the layout views (reshape copies with `copy` when it must). */
export function familyKernels(f: { unary: Kernel; binary: Kernel; reduce: Kernel; copy: (t: Tensor) => Tensor }): Record<string, Kernel> {
  return {
    ...Object.fromEntries(Object.keys(UNARY_OPS).map((op) => [op, f.unary])),
    ...Object.fromEntries(Object.keys(BINARY_OPS).map((op) => [op, f.binary])),
    ...Object.fromEntries(REDUCTIONS.map((op) => [op, f.reduce])),
    reshape: reshapeKernel(f.copy),
    transpose: transposeKernel,
    broadcast: broadcastKernel,
    slice: sliceKernel,
  };
}
