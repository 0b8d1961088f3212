// Matrix-vector products on WebGPU (M = 1 or N = 1, one batch) through
// wgsl/matvec.wgsl: a row reduction per 64 invocations when the matrix's k
// stride is 1, else 4 outputs per invocation with K split over workgroups
// (partials added by wgsl/split-sum.wgsl); 4-element word loads where the
// layout is aligned, several in flight per invocation. Returns a float32
// tensor (the matmul kernel casts).

import type { Tensor } from "../backend.js";
import { bfloat16, float16, float32, type DType } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { encodeSplitSum } from "./split-sum.js";

const VECTOR_DTYPES: readonly DType[] = [float32, float16, bfloat16];

/** Workgroups a split product aims for (enough to keep every SM of a large GPU streaming). */
const TARGET_GROUPS = 1024;

// Quads (rows layout) / rows of k (cols layout) each invocation loads before its first product. H200, f32, GB/s for unroll 1/2/4/8: v @ M (cols) 8192^2 2105/2175/2026/1923, 16384^2 3512/3787/3536/3029; M @ v (rows) 8192^2 2413/2323/2528/2476, 16384^2 3629/3712/3724/3704.
const ROWS_UNROLL = 4;
const COLS_UNROLL = 2;

/** Whether the product of `shape` is a single matrix-vector product matvec.ts computes. */
export function matvecApplies(a: Tensor, b: Tensor, shape: readonly number[]): boolean {
  const nd = shape.length;
  const M = shape[nd - 2]!, N = shape[nd - 1]!, K = a.shape[nd - 1]!;
  const batches = shape.slice(0, -2).reduce((s, d) => s * d, 1);
  return batches === 1 && (M === 1 || N === 1) && M * N * K > 0 && VECTOR_DTYPES.includes(a.dtype) && VECTOR_DTYPES.includes(b.dtype);
}

/** quad(e): the matrix elements e..e+3 (e a multiple of 4) from one vec4 (float32) or vec2 (16-bit) word load. */
function quadDecl(d: DType): string {
  if (d === float32) {
    return `@group(0) @binding(4) var<storage, read> mat_quads: array<vec4<u32>>;
fn quad(e: u32) -> vec4<f32> { return bitcast<vec4<f32>>(mat_quads[e >> 2u]); }`;
  }
  const unpack = d === float16 ? "vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y))" : "vec4<f32>(bitcast<f32>(w.x << 16u), bitcast<f32>(w.x & 0xffff0000u), bitcast<f32>(w.y << 16u), bitcast<f32>(w.y & 0xffff0000u))";
  return `@group(0) @binding(4) var<storage, read> mat_quads: array<vec2<u32>>;
fn quad(e: u32) -> vec4<f32> { let w = mat_quads[e >> 2u]; return ${unpack}; }`;
}

/** Encodes the matrix-vector product C = A @ B (M = 1 or N = 1) into a new float32 tensor of `shape`. */
export function encodeMatvec(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[]): Tensor {
  const nd = shape.length;
  const M = shape[nd - 2]!, K = a.shape[nd - 1]!;
  // the matrix element (j, k) and the vector element k, whichever operand is the vector
  const [mat, vec] = M === 1 ? [b, a] : [a, b];
  const [L, js, ks] = M === 1 ? [shape[nd - 1]!, b.strides[nd - 1]!, b.strides[nd - 2]!] : [M, a.strides[nd - 2]!, a.strides[nd - 1]!];
  const vs = M === 1 ? a.strides[nd - 1]! : b.strides[nd - 2]!;
  const rows = ks === 1 && L > 1;
  const aligned = mat.offset % 4 === 0 && (rows ? js % 4 === 0 : js === 1 && ks % 4 === 0);
  const colBlocks = Math.ceil(L / 256);
  const wanted = rows ? 1 : Math.max(1, Math.min(Math.ceil(TARGET_GROUPS / colBlocks), Math.ceil(K / 64)));
  const kPerSplit = Math.ceil(K / wanted / 4) * 4;
  const splits = Math.ceil(K / kPerSplit);
  const res = gpu.allocOutput({ shape, dtype: float32 });
  const part = splits > 1 ? gpu.allocOutput({ shape: [splits, L], dtype: float32 }) : res;
  gpu.run(
    {
      op: "matmul",
      file: "matvec",
      helpers: ["dtypes"],
      key: `${mat.dtype.name},${vec.dtype.name},${rows},${aligned}`,
      slots: () => ({
        MAT: inputDecl(0, 2, mat.dtype),
        VEC: inputDecl(1, 3, vec.dtype),
        QUAD: quadDecl(mat.dtype),
        CONFIG: `const ROWS = ${rows}; const ALIGNED = ${aligned}; const UNROLL = ${rows ? ROWS_UNROLL : COLS_UNROLL}u;`,
      }),
    },
    gpu.gpuBuffer(part),
    [L, K, mat.offset, js, ks, vec.offset, vs, splits, kPerSplit, colBlocks],
    [gpu.gpuBuffer(mat), gpu.gpuBuffer(vec), gpu.gpuBuffer(mat)],
    rows ? Math.ceil(L / 4) : colBlocks * splits,
  );
  if (part !== res) {
    encodeSplitSum(gpu, res, part, L, splits);
    gpu.release(part.buffer);
  }
  return res;
}
