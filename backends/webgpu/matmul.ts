// WebGPU matmul through wgsl/matmul.wgsl: register-blocked tiles (each
// invocation a TM x TN block in vec4 registers) over K slabs staged in
// workgroup memory, float32 accumulation, operands read through their strides
// (transposes and broadcast batches cost no copy); f16/bf16 outputs cast after.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { float32 } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";

/** A tile shape: BM = 16 * TM rows and BN = 16 * TN columns per workgroup, K in slabs of BK. */
export interface MatmulTiles {
  TM: number;
  TN: number;
  BK: number;
}

const LARGE: MatmulTiles = { TM: 8, TN: 8, BK: 8 };
const SMALL: MatmulTiles = { TM: 4, TN: 4, BK: 16 };

/** Large tiles once they still give enough workgroups to fill a big GPU; small tiles otherwise. */
export function tilesFor(M: number, N: number, batches: number): MatmulTiles {
  return Math.ceil(M / 128) * Math.ceil(N / 128) * batches >= 192 ? LARGE : SMALL;
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

/** Encodes C = A @ B into a new float32 tensor of `shape` with the given tile shape. */
export function encodeMatmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[], tiles: MatmulTiles): Tensor {
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
        A_K_FAST: String(aKFast),
        B_K_FAST: String(bKFast),
        ...registerBlock(tiles),
      }),
    },
    gpu.gpuBuffer(res),
    Uint32Array.from(params, (w) => w >>> 0),
    [gpu.gpuBuffer(a), gpu.gpuBuffer(b)],
    tilesN * tilesM * batches,
  );
  return res;
}

export function matmulKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [a, b], out: OutputSpec) => {
    const nd = out.shape.length;
    const batches = out.shape.slice(0, -2).reduce((s, d) => s * d, 1);
    const res = encodeMatmul(gpu, a!, b!, out.shape, tilesFor(a!.shape[nd - 2]!, b!.shape[nd - 1]!, batches));
    return castResult(gpu, res, out);
  };
}
