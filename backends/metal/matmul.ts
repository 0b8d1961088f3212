// Metal matmul through msl/matmul.metal: 32 x 32 output tiles per threadgroup,
// batches broadcast by their strides, transposed operands read in place;
// float dtypes on simdgroup matrices (4 simdgroups of 32), integers on the
// plain tiled kernel (16 x 16 threads), complex64 too (as float2 pairs);
// int8 and uint8 pairs (a float32 result) as float32 copies.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { isInexact } from "../../src/dtype.js";
import type { MetalBackend } from "./backend.js";
import { astypeKernel } from "./elementwise.js";
import { computeType, mslType } from "./msl-types.js";

export function matmulKernel(metal: MetalBackend): Kernel {
  const cast = astypeKernel(metal);
  return (prim, [a, b], out: OutputSpec) => {
    if (isInexact(a!.dtype) || !isInexact(out.dtype)) return matmulProduct(metal, a!, b!, out);
    // integer operands with a float result (int8 or uint8 pairs): float copies, released after
    const [fa, fb] = [a!, b!].map((x) => cast(prim, [x], { shape: x.shape, dtype: out.dtype })) as [Tensor, Tensor];
    const t = matmulProduct(metal, fa, fb, out);
    metal.release(fa.buffer);
    metal.release(fb.buffer);
    return t;
  };
}

/**
 * a @ b (the last two dims; batch dims broadcast by their strides) into a new
 * tensor of `out`, for operands of out's dtype: the matmul kernel's product,
 * also called by the Winograd convolution for its batched GEMMs.
 */
export function matmulProduct(metal: MetalBackend, a: Tensor, b: Tensor, out: OutputSpec): Tensor {
  const nd = out.shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const batchShape = out.shape.slice(0, -2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const t = metal.allocOutput(out);
  if (M * N * batches === 0) return t;
  const params = [M, N, K, batchShape.length, a.offset, a.strides[nd - 2]!, a.strides[nd - 1]!, b.offset, b.strides[nd - 2]!, b.strides[nd - 1]!, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
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
