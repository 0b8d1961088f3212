// Which WebGPU kernels run complex64 (two f32 words per element: real, then
// imaginary part; math in wgsl/complex.wgsl): the data-movement kernels move
// it as the uint64 view of its bits (the word-pair paths int64 uses), and every
// other kernel refuses it by name, so the conformance run marks it n/a, never wrong values.

import type { Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { BIT_LAYOUT_KERNELS, SHAPE_KERNELS } from "../kernel-table.js";
import type { Primitive } from "../../src/primitive.js";
import { complex64, uint64 } from "../../src/dtype.js";
import type { ScatterAxis } from "../../src/primitives/indexing.js";
import { BINARY_WGSL, UNARY_WGSL } from "./codegen.js";
import { complexBits } from "./elementwise.js";

/** Elementwise ops with a complex64 expression (codegen.ts `c`). */
const ELEMENTWISE = Object.entries({ ...UNARY_WGSL, ...BINARY_WGSL }).filter(([, ex]) => ex.c !== undefined).map(([op]) => op);

/** Kernels whose own code handles complex64 operands (elementwise.ts, reduce.ts, scan.ts, matmul-complex.ts, the strided views). */
const COMPLEX_KERNELS = new Set([
  ...ELEMENTWISE,
  ...BIT_LAYOUT_KERNELS,
  ...SHAPE_KERNELS,
  ...["astype", "where", "sum", "prod", "scan", "matmul"],
]);

/** Kernels that move complex64 as uint64 bits: their 64-bit integer paths (scatters that fold take their complex path). */
const MOVED_AS_BITS = new Set(["concatenate", "pad", "gatherAxis", "take", "scatterAxis", "sliceUpdate"]);

const hasComplex = (inputs: readonly Tensor[], outs: readonly OutputSpec[]) => outs.some((o) => o.dtype === complex64) || inputs.some((x) => x.dtype === complex64);

function refusal(prim: Primitive): Error {
  return new Error(`[${prim.errorName}] is not implemented on backend 'webgpu' for complex64 (primitive ${prim.name})`);
}

/** `k` run on the uint64 views of complex64 operands, its result viewed as complex64 again. */
function asBits(k: Kernel): Kernel {
  return (prim, inputs, out) => {
    if (out.dtype !== complex64) return k(prim, inputs, out);
    // a scatter that folds (add, multiply, maximum, minimum) does so as complex numbers (indexing.ts)
    if (prim.name === "scatterAxis" && (prim as ScatterAxis).mode !== "set") return k(prim, inputs, out);
    const res = k(prim, inputs.map(complexBits), { shape: out.shape, dtype: uint64 });
    return { ...res, dtype: complex64 };
  };
}

/** Whether the kernel registered as `name` runs complex64 operands. */
export function runsComplex64(name: string): boolean {
  return COMPLEX_KERNELS.has(name) || MOVED_AS_BITS.has(name);
}

/** `kernels` with the data-movement ones moving complex64 as bits and every one outside the lists refusing it. */
export function supportComplex64(kernels: Record<string, Kernel>): Record<string, Kernel> {
  return Object.fromEntries(
    Object.entries(kernels).map(([name, k]): [string, Kernel] => {
      if (MOVED_AS_BITS.has(name)) return [name, asBits(k)];
      if (COMPLEX_KERNELS.has(name)) return [name, k];
      return [name, (prim, inputs, out) => {
        if (hasComplex(inputs, [out])) throw refusal(prim);
        return k(prim, inputs, out);
      }];
    }),
  );
}

/** The multi-output kernels refusing complex64 (none of them holds it). */
export function refuseComplex64Multi(kernels: Record<string, MultiKernel>): Record<string, MultiKernel> {
  return Object.fromEntries(
    Object.entries(kernels).map(([name, k]): [string, MultiKernel] => [
      name,
      (prim, inputs, outs) => {
        if (hasComplex(inputs, outs)) throw refusal(prim);
        return k(prim, inputs, outs);
      },
    ]),
  );
}
