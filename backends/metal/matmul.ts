// Metal matmul through msl/matmul.metal: 32 x 32 output tiles per threadgroup,
// batches broadcast by their strides, transposed operands read in place;
// float dtypes on simdgroup matrices (4 simdgroups of 32), integers on the
// plain tiled kernel (16 x 16 threads), complex64 too (as float2 pairs);
// int8 and uint8 pairs (a float32 result) on their own kernel, summing the
// products exactly (32-bit slabs, 64-bit totals) and rounding once.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { isInexact } from "../../src/dtype.js";
import type { MetalBackend } from "./backend.js";
import { computeType, mslType } from "./msl-types.js";

export function matmulKernel(metal: MetalBackend): Kernel {
  return (_prim, [a, b], out: OutputSpec) => {
    if (isInexact(a!.dtype) || !isInexact(out.dtype)) return matmulProduct(metal, a!, b!, out);
    return matmulInt8(metal, a!, b!, out);
  };
}

/** The batch layout and params of a @ b into `out` (see msl/matmul.metal). */
function geometry(a: Tensor, b: Tensor, out: OutputSpec) {
  const nd = out.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const batchShape = out.shape.slice(0, -2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const params = [M, N, K, batchShape.length, a.offset, a.strides[nd - 2]!, a.strides[nd - 1]!, b.offset, b.strides[nd - 2]!, b.strides[nd - 1]!, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
  return { M, N, batches, params };
}

/**
 * int8 @ int8 or uint8 @ uint8 into float32 `out`: the exact integer sums rounded once, whatever K
 * (the products sum in 32 bits a slab of 16 at a time, the slabs in 64 bits: msl/matmul.metal matmul_i8).
 */
function matmulInt8(metal: MetalBackend, a: Tensor, b: Tensor, out: OutputSpec): Tensor {
  const { M, N, batches, params } = geometry(a, b, out);
  const t = metal.allocOutput(out);
  if (M * N * batches === 0) return t;
  const lib = { file: "matmul", variant: `${a.dtype.name}-${out.dtype.name}`, defines: () => ({ T: mslType(out.dtype), TIN: mslType(a.dtype), ACC: "int", FLOAT_ACC: "0" }) };
  metal.run("matmul", lib, "matmul_i8", [t, a, b], params, { grid: [Math.ceil(N / 32) * 16, Math.ceil(M / 32) * 16, batches], group: [16, 16, 1] });
  return t;
}

/**
 * a @ b (the last two dims; batch dims broadcast by their strides) into a new
 * tensor of `out`, for operands of out's dtype: the matmul kernel's product,
 * also called by the Winograd convolution for its batched GEMMs.
 */
export function matmulProduct(metal: MetalBackend, a: Tensor, b: Tensor, out: OutputSpec): Tensor {
  const { M, N, batches, params } = geometry(a, b, out);
  const t = metal.allocOutput(out);
  if (M * N * batches === 0) return t;
  const d = out.dtype;
  const float = computeType(d) === "float";
  // complex64's float2 is spelled cfloat (common.metal) in threadgroup declarations
  const acc = computeType(d) === "float2" ? "cfloat" : computeType(d);
  const lib = { file: "matmul", variant: d.name, defines: () => ({ T: acc === "cfloat" ? acc : mslType(d), ACC: acc, FLOAT_ACC: float ? "1" : "0" }) };
  const [tilesN, tilesM] = [Math.ceil(N / 32), Math.ceil(M / 32)];
  if (float) metal.run("matmul", lib, "matmul_simd", [t, a, b], params, { grid: [tilesN * 128, tilesM, batches], group: [128, 1, 1] });
  else metal.run("matmul", lib, "matmul", [t, a, b], params, { grid: [tilesN * 16, tilesM * 16, batches], group: [16, 16, 1] });
  return t;
}
