// complex64 on the Metal backend: the elementwise library of complex inputs
// (msl/complex.metal, float2 = real, imaginary part) and the guard that makes
// every primitive without a complex64 kernel here refuse it by name.

import type { Kernel, MultiKernel } from "../backend.js";
import { BIT_LAYOUT_KERNELS, SHAPE_KERNELS } from "../kernel-table.js";
import type { Primitive } from "../../src/primitive.js";
import { complex64, float32 } from "../../src/dtype.js";
import { BINARY_OPS, UNARY_OPS, type ElementwiseInfo } from "../../src/primitives/elementwise.js";
import type { LibraryKey } from "./library.js";
import { castExpr, METAL_DTYPES, mslType } from "./msl-types.js";

function opList(table: Record<string, ElementwiseInfo>): string {
  return Object.entries(table).filter(([, info]) => info.complex).map(([op, info]) =>
    `X(${op}, cop_${op}, ${info.boolOut ? "bool" : op === "abs" ? "float" : "float2"})`).join(" ");
}

/** The elementwise library of complex64 inputs: the kernel names of elementwise.metal's. */
export const COMPLEX_LIBRARY: LibraryKey = {
  file: "complex",
  variant: "",
  defines: () => ({
    "UNARY_OPS(X)": opList(UNARY_OPS),
    "BINARY_OPS(X)": opList(BINARY_OPS),
    "CASTS(X)": METAL_DTYPES.map((d) => `X(${d.name}, ${mslType(d)}, ${d === complex64 ? "z" : castExpr(float32, d)})`).join(" "),
  }),
};

/** Primitives whose metal kernels take complex64 inputs and outputs. */
const COMPLEX_KERNELS = new Set([
  ...Object.entries({ ...UNARY_OPS, ...BINARY_OPS }).filter(([, info]) => (info as ElementwiseInfo).complex).map(([op]) => op),
  ...BIT_LAYOUT_KERNELS,
  ...SHAPE_KERNELS,
  "astype", "where",
  "concatenate", "pad", "gatherAxis", "take", "scatterAxis", "sliceUpdate",
  "sum", "prod", "matmul", "scan",
]);

function refusal(prim: Primitive): Error {
  return new Error(`[${prim.errorName}] is not implemented on backend 'metal' for complex64 (primitive ${prim.name})`);
}

/** `kernels` with each one outside COMPLEX_KERNELS refusing complex64 inputs or outputs. */
export function guardComplex(kernels: Record<string, Kernel>): Record<string, Kernel> {
  return Object.fromEntries(Object.entries(kernels).map(([name, k]): [string, Kernel] => [
    name,
    COMPLEX_KERNELS.has(name) ? k : (prim, inputs, out) => {
      if (out.dtype === complex64 || inputs.some((x) => x.dtype === complex64)) throw refusal(prim);
      return k(prim, inputs, out);
    },
  ]));
}

/** The same for multi-output kernels (none of them holds complex64 here). */
export function guardComplexMulti(kernels: Record<string, MultiKernel>): Record<string, MultiKernel> {
  return Object.fromEntries(Object.entries(kernels).map(([name, k]): [string, MultiKernel] => [
    name,
    (prim, inputs, outs) => {
      if (outs.some((o) => o.dtype === complex64) || inputs.some((x) => x.dtype === complex64)) throw refusal(prim);
      return k(prim, inputs, outs);
    },
  ]));
}
