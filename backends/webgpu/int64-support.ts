// Which WebGPU kernels run int64/uint64 (emulated on pairs of u32 words,
// wgsl/int64.wgsl): every other kernel is wrapped so that a 64-bit integer
// input or output is an error the conformance run marks n/a, never wrong values.

import type { Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { BIT_LAYOUT_KERNELS, SHAPE_KERNELS } from "../kernel-table.js";
import { is64BitInt } from "../../src/dtype.js";
import { BINARY_OPS, UNARY_OPS } from "../../src/primitives/elementwise.js";

/** The kernels (by table name) whose WGSL handles int64 and uint64 operands. */
const WIDE_KERNELS = new Set([
  ...Object.keys(UNARY_OPS),
  ...Object.keys(BINARY_OPS),
  ...["sum", "prod", "max", "min", "all", "any", "argmax", "argmin"],
  ...BIT_LAYOUT_KERNELS,
  ...SHAPE_KERNELS,
  ...["where", "astype", "concatenate", "pad", "arange", "randomBits"],
  ...["gatherAxis", "take", "scatterAxis", "sliceUpdate", "sort", "argsort", "partition", "argpartition", "scan"],
]);

/** Whether the kernel registered as `name` runs int64/uint64 operands. */
export function runsInt64(name: string): boolean {
  return WIDE_KERNELS.has(name);
}

function refuse64(name: string, inputs: readonly Tensor[], outs: readonly OutputSpec[]): void {
  const wide = [...inputs, ...outs].find((t) => is64BitInt(t.dtype));
  if (wide) throw new Error(`[${name}] is not implemented on backend 'webgpu' for ${wide.dtype.name} (64-bit integers run in its elementwise, reduction, copy and cast kernels)`);
}

/** `kernels` with each one outside WIDE_KERNELS refusing 64-bit integer operands. */
export function refuseInt64(kernels: Record<string, Kernel>): Record<string, Kernel> {
  return Object.fromEntries(
    Object.entries(kernels).map(([name, k]) => [
      name,
      runsInt64(name) ? k : (prim, inputs, out) => (refuse64(prim.name, inputs, [out]), k(prim, inputs, out)),
    ]),
  );
}

/** The multi-output kernels refusing 64-bit integer operands, except divmod (made of floorDivide and remainder). */
export function refuseInt64Multi(kernels: Record<string, MultiKernel>): Record<string, MultiKernel> {
  return Object.fromEntries(
    Object.entries(kernels).map(([name, k]) => [
      name,
      name === "divmod" ? k : (prim, inputs, outs) => (refuse64(prim.name, inputs, outs), k(prim, inputs, outs)),
    ]),
  );
}
