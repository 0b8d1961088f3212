// WebGPU matmul through wgsl/matmul.wgsl: register-blocked tiles (each
// invocation a TM x TN block in vec4 registers) over K slabs staged in
// workgroup memory, float32 accumulation, operands read through their strides
// (transposes and broadcast batches cost no copy); f16/bf16 outputs cast after;
// complex64 through matmul-complex.ts.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";
import { complexMatmul } from "./matmul-complex.js";

/** A tile shape: BM = 16 * TM rows and BN = 16 * TN columns per workgroup, K in slabs of BK. */
interface MatmulTiles {
  TM: number;
  TN: number;
  BK: number;
}

// measured on an H100 through Dawn (bench/webgpu.ts, 2026-11-25): 64 x 128 tiles with
// 4 x 8 blocks reach 28 to 35 TFLOP/s from 2048 on; 64 x 64 tiles do better while
// the larger ones would leave SMs idle
const LARGE: MatmulTiles = { TM: 4, TN: 8, BK: 16 };
const SMALL: MatmulTiles = { TM: 4, TN: 4, BK: 16 };

/** Large tiles once they still give enough workgroups to fill a big GPU; small tiles otherwise. */
function tilesFor(M: number, N: number, batches: number): MatmulTiles {
  return Math.ceil(M / (16 * LARGE.TM)) * Math.ceil(N / (16 * LARGE.TN)) * batches >= 256 ? LARGE : SMALL;
}

/** The generated slots for the accumulators, one k step and the stores of a tile shape. */
function registerBlock({ TM, TN }: MatmulTiles): { ACC: string; FMA: string; STORE: string } {
  const RM = TM / 4, RN = TN / 4;
  const acc: string[] = [], fma: string[] = [], store: string[] = [];
  for (let i = 0; i < RM; i++) fma.push(`let a${i} = tile_a[k * SA + ty + ${16 * i}u];`);
  for (let j = 0; j < RN; j++) fma.push(`let b${j} = tile_b[k * SB + tx + ${16 * j}u];`);
  for (let r = 0; r < TM; r++) {
    for (let j = 0; j < RN; j++) {
      acc.push(`var acc_${r}_${j} = vec4<f32>(0.0);`);
      fma.push(`acc_${r}_${j} = fma(vec4<f32>(a${r >> 2}.${"xyzw"[r & 3]}), b${j}, acc_${r}_${j});`);
      store.push(`put(c_base, M, N, m0 + ty * 4u + ${64 * (r >> 2) + (r & 3)}u, n0 + tx * 4u + ${64 * j}u, acc_${r}_${j});`);
    }
  }
  return { ACC: acc.join(" "), FMA: fma.join("\n      "), STORE: store.join("\n  ") };
}

/**
 * The generated staging slots: which (row, k) / (k, column) elements each of
 * the 256 invocations loads per slab, walking k fastest for an operand whose k
 * stride is 1 and the row (column) fastest otherwise, so loads coalesce.
 */
function staging({ TM, TN, BK }: MatmulTiles, aKFast: boolean, bKFast: boolean): Record<string, string> {
  const BM = 16 * TM, BN = 16 * TN;
  const index: string[] = [], load: string[] = [], next: string[] = [], store: string[] = [];
  for (let i = 0; i < (BM * BK) / 256; i++) {
    const s = `(t + ${256 * i}u)`;
    index.push(aKFast ? `let am${i} = ${s} / BK; let ak${i} = ${s} % BK;` : `let am${i} = ${s} % BM; let ak${i} = ${s} / BM;`);
    load.push(`var ra${i} = a_at(m0 + am${i}, ak${i});`);
    next.push(`ra${i} = a_at(m0 + am${i}, kn + ak${i});`);
    store.push(`tile_a[ak${i} * SA + am${i} / 4u][am${i} % 4u] = ra${i};`);
  }
  for (let i = 0; i < (BN * BK) / 256; i++) {
    const s = `(t + ${256 * i}u)`;
    index.push(bKFast ? `let bc${i} = ${s} / BK; let bk${i} = ${s} % BK;` : `let bc${i} = ${s} % BN; let bk${i} = ${s} / BN;`);
    load.push(`var rb${i} = b_at(bk${i}, n0 + bc${i});`);
    next.push(`rb${i} = b_at(kn + bk${i}, n0 + bc${i});`);
    store.push(`tile_b[bk${i} * SB + bc${i} / 4u][bc${i} % 4u] = rb${i};`);
  }
  return { STAGE_INDEX: index.join("\n  "), LOAD_SLAB: load.join("\n  "), LOAD_NEXT: next.join("\n    "), STORE_SLAB: store.join("\n    ") };
}

/** Encodes C = A @ B into a new float32 tensor of `shape` with the given tile shape. */
function encodeMatmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[], tiles: MatmulTiles): Tensor {
  const nd = shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const batchShape = shape.slice(0, -2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const res = gpu.allocOutput({ shape, dtype: float32 });
  if (M * N * batches === 0) return res;
  const BM = 16 * tiles.TM, BN = 16 * tiles.TN;
  const tilesN = Math.ceil(N / BN), tilesM = Math.ceil(M / BM);
  const [aRs, aCs, bRs, bCs] = [a.strides[nd - 2]!, a.strides[nd - 1]!, b.strides[nd - 2]!, b.strides[nd - 1]!];
  const params = [M, N, K, batchShape.length, tilesN, tilesM, batches, a.offset, aRs, aCs, b.offset, bRs, bCs, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
  // stage each operand along its contiguous dimension
  const aKFast = aCs === 1, bKFast = bRs === 1 && bCs !== 1;
  gpu.run(
    {
      op: "matmul",
      file: "matmul",
      helpers: ["dtypes"],
      key: `${a.dtype.name},${b.dtype.name},${aKFast},${bKFast},${tiles.TM},${tiles.TN},${tiles.BK}`,
      slots: () => ({
        A: inputDecl(0, 2, a.dtype),
        B: inputDecl(1, 3, b.dtype),
        CONFIG: `const BM = ${BM}u; const BN = ${BN}u; const BK = ${tiles.BK}u;`,
        ...staging(tiles, aKFast, bKFast),
        ...registerBlock(tiles),
      }),
    },
    gpu.gpuBuffer(res),
    params,
    [gpu.gpuBuffer(a), gpu.gpuBuffer(b)],
    tilesN * tilesM * batches,
  );
  return res;
}

export function matmulKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [a, b], out: OutputSpec) => {
    if (out.dtype === complex64) return complexMatmul(gpu, a!, b!, out);
    const nd = out.shape.length;
    const batches = out.shape.slice(0, -2).reduce((s, d) => s * d, 1);
    const res = encodeMatmul(gpu, a!, b!, out.shape, tilesFor(a!.shape[nd - 2]!, b!.shape[nd - 1]!, batches));
    return castResult(gpu, res, out);
  };
}
