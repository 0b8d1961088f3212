// WebGPU matmul through wgsl/matmul.wgsl: register-blocked tiles (each
// invocation a TM x TN block in vec4 registers) over K slabs staged in
// workgroup memory (single or double buffered), float32 accumulation, operands
// read through their strides (transposes and broadcast batches cost no copy);
// the tile shape per class of problem from matmul-tuning.ts; matrix-vector
// products through matvec.ts; int8 @ int8 on subgroup matrices where the
// adapter has them (matmul-int8.ts); f16/bf16 outputs cast after; complex64
// through matmul-complex.ts.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { bfloat16, complex64, float16, float32, isInexact, type DType } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { astypeTensor, castResult } from "./elementwise.js";
import { complexMatmul } from "./matmul-complex.js";
import { configName, type MatmulConfig } from "./matmul-configs.js";
import { matmulConfigFor, type MatmulClass } from "./matmul-tuning.js";
import { matvecApplies, encodeMatvec } from "./matvec.js";
import { encodeInt8Matmul, int8MatmulPlan } from "./matmul-int8.js";

/** The generated slots for the accumulators, one k step and the stores of a tile shape. */
function registerBlock({ TM, TN }: MatmulConfig): { ACC: string; FMA: string; STORE: string } {
  const RM = TM / 4, RN = TN / 4;
  const acc: string[] = [], fma: string[] = [], store: string[] = [];
  for (let i = 0; i < RM; i++) fma.push(`let a${i} = tile_a[cur][k * SA + ty + ${16 * i}u];`);
  for (let j = 0; j < RN; j++) fma.push(`let b${j} = tile_b[cur][k * SB + tx + ${16 * j}u];`);
  for (let r = 0; r < TM; r++) {
    for (let j = 0; j < RN; j++) {
      acc.push(`var acc_${r}_${j} = vec4<f32>(0.0);`);
      fma.push(`acc_${r}_${j} = fma(vec4<f32>(a${r >> 2}.${"xyzw"[r & 3]}), b${j}, acc_${r}_${j});`);
      store.push(`put(c_base, M, N, m0 + ty * 4u + ${64 * (r >> 2) + (r & 3)}u, n0 + tx * 4u + ${64 * j}u, acc_${r}_${j});`);
    }
  }
  return { ACC: acc.join(" "), FMA: fma.join("\n      "), STORE: store.join("\n  ") };
}

/** How an operand is staged: along k or along its row/column, one element or a packed pair of 16-bit elements per load. */
interface OperandStaging {
  kFast: boolean;
  paired: boolean;
}

/**
 * The generated staging slots: which (row, k) / (k, column) elements each of
 * the 256 invocations loads per slab, walking k fastest for an operand whose k
 * stride is 1 and the row (column) fastest otherwise, so loads coalesce. A
 * paired operand (16-bit, contiguous dimension even-aligned) loads two
 * neighbours along that dimension from one word.
 */
function staging({ TM, TN, BK }: MatmulConfig, sa: OperandStaging, sb: OperandStaging): Record<string, string> {
  const BM = 16 * TM, BN = 16 * TN;
  const index: string[] = [], load: string[] = [], next: string[] = [], store: string[] = [];
  const operand = (name: "a" | "b", rows: number, st: OperandStaging) => {
    const [r, k, tile, stride] = name === "a" ? ["am", "ak", "tile_a", "SA"] : ["bc", "bk", "tile_b", "SB"];
    const base = name === "a" ? "m0" : "n0";
    const at = (kk: string, i: number) => (name === "a" ? `a_${st.paired ? "pair" : "at"}(${base} + ${r}${i}, ${kk}${k}${i})` : `b_${st.paired ? "pair" : "at"}(${kk}${k}${i}, ${base} + ${r}${i})`);
    const step = st.paired ? 2 : 1;
    for (let i = 0; i < (rows * BK) / (256 * step); i++) {
      const s = `(t + ${256 * i}u)`;
      if (st.kFast) index.push(`let ${r}${i} = ${s} / ${BK / step}u; let ${k}${i} = ${step} * (${s} % ${BK / step}u);`);
      else index.push(`let ${r}${i} = ${step} * (${s} % ${rows / step}u); let ${k}${i} = ${s} / ${rows / step}u;`);
      load.push(`var r${name}${i} = ${at("", i)};`);
      next.push(`r${name}${i} = ${at("kn + ", i)};`);
      const slot = (kk: string, rr: string) => `${tile}[buf][${kk} * ${stride} + ${rr} / 4u][${rr} % 4u]`;
      if (!st.paired) store.push(`${slot(`${k}${i}`, `${r}${i}`)} = r${name}${i};`);
      else if (st.kFast) store.push(`${slot(`${k}${i}`, `${r}${i}`)} = r${name}${i}.x; ${slot(`(${k}${i} + 1u)`, `${r}${i}`)} = r${name}${i}.y;`);
      else store.push(`${slot(`${k}${i}`, `${r}${i}`)} = r${name}${i}.x; ${slot(`${k}${i}`, `(${r}${i} + 1u)`)} = r${name}${i}.y;`);
    }
  };
  operand("a", BM, sa);
  operand("b", BN, sb);
  return { STAGE_INDEX: index.join("\n  "), LOAD_SLAB: load.join("\n  "), LOAD_NEXT: next.join("\n      "), STORE_SLAB: store.join("\n    ") };
}

/** pair_k(e): the 16-bit elements e and e + 1 (e even) of input k from one word, as float32. */
function pairDecl(k: number, d: DType): string {
  const unpack = d === float16 ? "unpack2x16float(w)" : "vec2<f32>(bitcast<f32>(w << 16u), bitcast<f32>(w & 0xffff0000u))";
  return `fn pair_${k}(e: u32) -> vec2<f32> { let w = in${k}[e >> 1u]; return ${unpack}; }`;
}

/**
 * The pair loaders of the paired operands: a_pair(m, k) is (m, k) with its
 * neighbour along A's contiguous dimension, b_pair(k, c) likewise; a
 * neighbour past the edge reads as zero.
 */
function pairLoaders(a: MatmulOperand, b: MatmulOperand, sa: OperandStaging, sb: OperandStaging): string {
  const out: string[] = [];
  if (sa.paired) {
    out.push(pairDecl(0, a.dtype), `fn a_pair(m: u32, k: u32) -> vec2<f32> {
  if (m >= mm_M || k >= mm_K) { return vec2<f32>(0.0); }
  let v = pair_0(u32(mm_a_off + i32(m) * mm_a_rs + i32(k) * mm_a_cs));
  return select(vec2<f32>(v.x, 0.0), v, ${sa.kFast ? "k + 1u < mm_K" : "m + 1u < mm_M"});
}`);
  }
  if (sb.paired) {
    out.push(pairDecl(1, b.dtype), `fn b_pair(k: u32, c: u32) -> vec2<f32> {
  if (c >= mm_N || k >= mm_K) { return vec2<f32>(0.0); }
  let v = pair_1(u32(mm_b_off + i32(k) * mm_b_rs + i32(c) * mm_b_cs));
  return select(vec2<f32>(v.x, 0.0), v, ${sb.kFast ? "k + 1u < mm_K" : "c + 1u < mm_N"});
}`);
  }
  return out.join("\n");
}

/**
 * Whether an operand's elements can be staged in pairs: 16-bit, and every
 * pair along its contiguous dimension (stride 1) starts at an even element
 * (offset, other stride and batch strides even).
 */
function pairable(x: MatmulOperand, contiguousAxis: number): boolean {
  if (x.dtype !== float16 && x.dtype !== bfloat16) return false;
  if (x.strides[contiguousAxis] !== 1 || x.offset % 2 !== 0) return false;
  return x.strides.every((s, i) => i === contiguousAxis || s % 2 === 0 || x.shape[i] === 1);
}

/** One tiled-matmul launch: the kernel, its params and its workgroup count (zero for an empty product). */
export interface MatmulDispatch {
  call: KernelCall;
  params: number[];
  groups: number;
}

/** What a launch reads of an operand (the tuner describes scratch operands this way). */
export type MatmulOperand = Pick<Tensor, "dtype" | "shape" | "strides" | "offset">;

/** The launch computing C = A @ B (C of `shape`, float32) with config `cfg`. */
export function matmulDispatch(a: MatmulOperand, b: MatmulOperand, shape: readonly number[], cfg: MatmulConfig): MatmulDispatch {
  const nd = shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  const batchShape = shape.slice(0, -2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const BM = 16 * cfg.TM, BN = 16 * cfg.TN;
  const tilesN = Math.ceil(N / BN), tilesM = Math.ceil(M / BM);
  const [aRs, aCs, bRs, bCs] = [a.strides[nd - 2]!, a.strides[nd - 1]!, b.strides[nd - 2]!, b.strides[nd - 1]!];
  const params = [M, N, K, batchShape.length, tilesN, tilesM, batches, a.offset, aRs, aCs, b.offset, bRs, bCs, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
  // stage each operand along its contiguous dimension
  const aKFast = aCs === 1, bKFast = bRs === 1 && bCs !== 1;
  const sa = { kFast: aKFast, paired: pairable(a, aKFast ? nd - 1 : nd - 2) };
  const sb = { kFast: bKFast, paired: pairable(b, bKFast ? nd - 2 : nd - 1) };
  const call: KernelCall = {
    op: "matmul",
    file: "matmul",
    helpers: ["dtypes"],
    key: `${a.dtype.name},${b.dtype.name},${aKFast},${bKFast},${sa.paired},${sb.paired},${configName(cfg)}`,
    slots: () => ({
      A: inputDecl(0, 2, a.dtype),
      B: inputDecl(1, 3, b.dtype),
      CONFIG: `const BM = ${BM}u; const BN = ${BN}u; const BK = ${cfg.BK}u; const NBUF = ${cfg.double ? 2 : 1}u;`,
      PAIRS: pairLoaders(a, b, sa, sb),
      ...staging(cfg, sa, sb),
      ...registerBlock(cfg),
    }),
  };
  return { call, params, groups: M * N * batches === 0 ? 0 : tilesN * tilesM * batches };
}

/** The class of problem a product belongs to, for the tuner. */
function classOf(a: Tensor, b: Tensor, shape: readonly number[]): MatmulClass {
  const nd = shape.length;
  return {
    aDtype: a.dtype,
    bDtype: b.dtype,
    M: a.shape[nd - 2]!,
    N: b.shape[nd - 1]!,
    K: a.shape[nd - 1]!,
    batches: shape.slice(0, -2).reduce((s, d) => s * d, 1),
    aKFast: a.strides[nd - 1] === 1,
    bKFast: b.strides[nd - 2] === 1 && b.strides[nd - 1] !== 1,
  };
}

/** Encodes C = A @ B into a new float32 tensor of `shape` with tile config `cfg`. */
function encodeMatmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[], cfg: MatmulConfig): Tensor {
  const res = gpu.allocOutput({ shape, dtype: float32 });
  const d = matmulDispatch(a, b, shape, cfg);
  if (d.groups > 0) gpu.run(d.call, gpu.gpuBuffer(res), d.params, [gpu.gpuBuffer(a), gpu.gpuBuffer(b)], d.groups);
  return res;
}

export function matmulKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [a, b], out: OutputSpec) => {
    if (out.dtype === complex64) return complexMatmul(gpu, a!, b!, out);
    const int8 = int8MatmulPlan(gpu, a!, b!, out.shape);
    if (int8) return encodeInt8Matmul(gpu, a!, b!, out.shape, int8);
    // other integer operands (8-bit pairs the subgroup matrices do not take) as float32 copies
    const [fa, fb] = [a!, b!].map((x) => (isInexact(x.dtype) ? x : astypeTensor(gpu, x, float32))) as [Tensor, Tensor];
    const res = matvecApplies(fa, fb, out.shape)
      ? encodeMatvec(gpu, fa, fb, out.shape)
      : encodeMatmul(gpu, fa, fb, out.shape, matmulConfigFor(gpu, classOf(fa, fb, out.shape)));
    for (const [x, f] of [[a!, fa], [b!, fb]] as const) if (f !== x) gpu.release(f.buffer);
    return castResult(gpu, res, out);
  };
}
