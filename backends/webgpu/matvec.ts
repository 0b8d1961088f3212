// Matrix-vector products on WebGPU (M = 1 or N = 1, one batch) through
// wgsl/matvec.wgsl: a row reduction per 64 invocations when the matrix's k
// stride is 1, else 4 outputs per invocation with K split over workgroups
// (partials added by wgsl/matvec-sum.wgsl); 4-element word loads where the
// layout is aligned. Returns a float32 tensor (the matmul kernel casts).
// MLX_TS_MATVEC_VARIANT (read per dispatch) picks how many loads each
// invocation issues before its first product (MATVEC_VARIANTS).

import type { Tensor } from "../backend.js";
import { bfloat16, float16, float32, type DType } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";

const VECTOR_DTYPES: readonly DType[] = [float32, float16, bfloat16];

/** Workgroups a split product aims for (enough to keep every SM of a large GPU streaming). */
const TARGET_GROUPS = 1024;

/**
 * The kernel's variants by name: quads (rows of a row-major matrix) or rows
 * of k (otherwise) each invocation loads before using any. "u1" is the default.
 */
export const MATVEC_VARIANTS = { u1: { unroll: 1 }, u2: { unroll: 2 }, u4: { unroll: 4 }, u8: { unroll: 8 } } as const;
export type MatvecVariant = keyof typeof MATVEC_VARIANTS;

/** The variant MLX_TS_MATVEC_VARIANT names (read at each dispatch, so a process can switch), else "u1"; an unknown name is an error. */
export function matvecVariant(): MatvecVariant {
  const v = typeof process !== "undefined" ? process.env.MLX_TS_MATVEC_VARIANT : undefined;
  if (v === undefined || v === "") return "u1";
  if (!(v in MATVEC_VARIANTS)) throw new Error(`[matmul] MLX_TS_MATVEC_VARIANT '${v}' is not one of ${Object.keys(MATVEC_VARIANTS).join(", ")}`);
  return v as MatvecVariant;
}

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
  const variant = matvecVariant();
  const { unroll } = MATVEC_VARIANTS[variant];
  const res = gpu.allocOutput({ shape, dtype: float32 });
  const part = splits > 1 ? gpu.allocOutput({ shape: [splits, L], dtype: float32 }) : res;
  gpu.run(
    {
      op: "matmul",
      file: "matvec",
      helpers: ["dtypes"],
      key: `${mat.dtype.name},${vec.dtype.name},${rows},${aligned},${variant}`,
      slots: () => ({
        MAT: inputDecl(0, 2, mat.dtype),
        VEC: inputDecl(1, 3, vec.dtype),
        QUAD: quadDecl(mat.dtype),
        CONFIG: `const ROWS = ${rows}; const ALIGNED = ${aligned}; const UNROLL = ${unroll}u;`,
      }),
    },
    gpu.gpuBuffer(part),
    [L, K, mat.offset, js, ks, vec.offset, vs, splits, kPerSplit, colBlocks],
    [gpu.gpuBuffer(mat), gpu.gpuBuffer(vec), gpu.gpuBuffer(mat)],
    rows ? Math.ceil(L / 4) : colBlocks * splits,
  );
  if (part !== res) {
    gpu.run({ op: "matmul", file: "matvec-sum", helpers: [], key: "sum", slots: {} }, gpu.gpuBuffer(res), [L, splits], [gpu.gpuBuffer(part)], Math.ceil(L / 256));
    gpu.release(part.buffer);
  }
  return res;
}
