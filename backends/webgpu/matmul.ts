// WebGPU matmul through wgsl/matmul.wgsl: register-blocked tiles (each
// invocation a TM x TN block in vec4 registers) over K slabs staged in
// workgroup memory (single or double buffered), float32 accumulation, operands
// read through their strides (transposes and broadcast batches cost no copy;
// aligned operands staged four elements per load in interior tiles);
// the tile shape per class of problem from matmul-tuning.ts, K split over
// more workgroups for products of few tiles (matmul-splits.ts); matrix-vector
// products through matvec.ts; int8 @ int8 (uint8 @ uint8) summed exactly, on
// subgroup matrices where the adapter has them (matmul-int8.ts); f16/bf16 outputs written packed by the
// tiled kernel where N is even, else cast after; complex64
// through matmul-complex.ts.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { bfloat16, complex64, float16, float32, int8, is16BitFloat, isInexact, uint8, type DType } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { astypeTensor, castResult } from "./elementwise.js";
import { complexMatmul } from "./matmul-complex.js";
import { configName, type MatmulConfig } from "./matmul-configs.js";
import { matmulSplit, type MatmulSplit } from "./matmul-splits.js";
import { matmulConfigFor, type MatmulClass } from "./matmul-tuning.js";
import { matvecApplies, encodeMatvec } from "./matvec.js";
import { encodeSplitSum } from "./split-sum.js";
import { encodeInt8Matmul, encodeInt8MatmulExact, int8MatmulPlan } from "./matmul-int8.js";

/** The version of wgsl/matmul.wgsl's kernel (the tuner keys its cached choices by it: a choice timed on another kernel is not reused). */
export const MATMUL_KERNEL_VERSION = "v5";

/** The generated slots for the accumulators, a slab's k steps (straight code, constant slab offsets) and the stores of a tile shape. */
function registerBlock({ TM, TN, BK }: MatmulConfig): { ACC: string; KSTEPS: string; STORE: string } {
  const RM = TM / 4, RN = TN / 4;
  const acc: string[] = [], store: string[] = [];
  const step = (k: string): string[] => {
    const fma: string[] = [];
    for (let i = 0; i < RM; i++) fma.push(`let a${i} = tile_a[cur][${k} * SA + ty + ${16 * i}u];`);
    for (let j = 0; j < RN; j++) fma.push(`let b${j} = tile_b[cur][${k} * SB + tx + ${16 * j}u];`);
    for (let r = 0; r < TM; r++) {
      for (let j = 0; j < RN; j++) fma.push(`acc_${r}_${j} = fma(vec4<f32>(a${r >> 2}.${"xyzw"[r & 3]}), b${j}, acc_${r}_${j});`);
    }
    return fma;
  };
  for (let r = 0; r < TM; r++) {
    for (let j = 0; j < RN; j++) {
      acc.push(`var acc_${r}_${j} = vec4<f32>(0.0);`);
      store.push(`put(c_base, M, N, m0 + ty * 4u + ${64 * (r >> 2) + (r & 3)}u, n0 + tx * 4u + ${64 * j}u, acc_${r}_${j});`);
    }
  }
  const ksteps = Array.from({ length: BK }, (_, k) => `{\n      ${step(`${k}u`).join("\n      ")}\n    }`).join("\n    ");
  return { ACC: acc.join(" "), KSTEPS: ksteps, STORE: store.join("\n  ") };
}

/**
 * How an operand is staged: along k or along its row/column; one element, a
 * packed pair of 16-bit elements, or (vec4: interior tiles) four neighbours
 * along that dimension per load.
 */
interface OperandStaging {
  kFast: boolean;
  paired: boolean;
  /** The binding of the operand's buffer read as four-element words (array<vec4<f32>> or, 16-bit, array<vec2<u32>>), or undefined when staged element by element. */
  vec4Binding: number | undefined;
  dtype: DType;
}

/**
 * The generated staging slots: which (row, k) / (k, column) elements each of
 * the 256 invocations loads per slab, walking k fastest for an operand whose k
 * stride is 1 and the row (column) fastest otherwise, so loads coalesce. A
 * paired operand (16-bit, contiguous dimension even-aligned) loads two
 * neighbours along that dimension from one word; a vec4 operand four (one
 * vec4 word in interior tiles, `fast`, else four bounds-tested elements).
 */
function staging({ TM, TN, BK }: MatmulConfig, sa: OperandStaging, sb: OperandStaging): Record<string, string> {
  const BM = 16 * TM, BN = 16 * TN;
  const index: string[] = [], load: string[] = [], next: string[] = [], store: string[] = [];
  // the vec4 operands' loads in interior tiles (one word) and edge tiles (four elements)
  const fastLoad: string[] = [], edgeLoad: string[] = [], fastNext: string[] = [], edgeNext: string[] = [];
  const operand = (name: "a" | "b", rows: number, st: OperandStaging) => {
    const [r, k, tile, stride] = name === "a" ? ["am", "ak", "tile_a", "SA"] : ["bc", "bk", "tile_b", "SB"];
    const base = name === "a" ? "m0" : "n0";
    const slot = (kk: string, rr: string) => `${tile}[buf][${kk} * ${stride} + ${rr} / 4u][${rr} % 4u]`;
    if (st.vec4Binding !== undefined) {
      const v = `${name}4`;
      // element d of the four: its value (a_at / b_at) or, `bits`, its 16-bit pattern (a_bits / b_bits)
      const at = (kk: string, i: number, d: number, what = "at") => (name === "a" ? `a_${what}(m0 + am${i}${st.kFast ? "" : ` + ${d}u`}, ${kk}ak${i}${st.kFast ? ` + ${d}u` : ""})` : `b_${what}(${kk}bk${i}${st.kFast ? ` + ${d}u` : ""}, n0 + bc${i}${st.kFast ? "" : ` + ${d}u`})`);
      // 16-bit operands stay packed (vec2<u32>) in their staging registers until the slab's store decodes them, so
      // no decode waits on a load before the FMAs; their edge loads pack the four elements' bits (out of range: 0, +0.0)
      const packed = st.dtype !== float32;
      const edge = (kk: string, i: number) => {
        if (!packed) return `vec4<f32>(${[0, 1, 2, 3].map((d) => at(kk, i, d)).join(", ")})`;
        const bits = (d: number) => at(kk, i, d, "bits");
        return `vec2<u32>(${bits(0)} | (${bits(1)} << 16u), ${bits(2)} | (${bits(3)} << 16u))`;
      };
      // the vec4 index of the first element at slab 0; a slab further on adds kn / 4 (k contiguous) or kn times the k stride / 4
      const [off, rs, cs] = name === "a" ? ["mm_a_off", "mm_a_rs", "mm_a_cs"] : ["mm_b_off", "mm_b_cs", "mm_b_rs"];
      if (!st.kFast) index.push(`let ${v}_kstep = u32(${cs} / 4);`);
      fastNext.push(`let ${v}_kn = ${st.kFast ? "kn / 4u" : `kn * ${v}_kstep`};`);
      for (let i = 0; i < (rows * BK) / 1024; i++) {
        const s = `(t + ${256 * i}u)`;
        if (st.kFast) index.push(`let ${r}${i} = ${s} / ${BK / 4}u; let ${k}${i} = 4u * (${s} % ${BK / 4}u);`);
        else index.push(`let ${r}${i} = 4u * (${s} % ${rows / 4}u); let ${k}${i} = ${s} / ${rows / 4}u;`);
        index.push(`let ${v}_${i} = u32(${off} + i32(${base} + ${r}${i}) * ${rs} + i32(${k}${i}) * ${cs}) / 4u;`);
        load.push(`var r${name}${i}: ${packed ? "vec2<u32>" : "vec4<f32>"};`);
        fastLoad.push(`r${name}${i} = ${v}[${v}_${i}];`);
        edgeLoad.push(`r${name}${i} = ${edge("", i)};`);
        fastNext.push(`r${name}${i} = ${v}[${v}_${i} + ${v}_kn];`);
        edgeNext.push(`r${name}${i} = ${edge("kn + ", i)};`);
        const value = quad(st.dtype, `r${name}${i}`);
        if (st.kFast) store.push(`{ let q = ${value}; ${[0, 1, 2, 3].map((d) => `${slot(`(${k}${i} + ${d}u)`, `${r}${i}`)} = q.${"xyzw"[d]};`).join(" ")} }`);
        else store.push(`${tile}[buf][${k}${i} * ${stride} + ${r}${i} / 4u] = ${value};`);
      }
      return;
    }
    const at = (kk: string, i: number) => (name === "a" ? `a_${st.paired ? "pair" : "at"}(${base} + ${r}${i}, ${kk}${k}${i})` : `b_${st.paired ? "pair" : "at"}(${kk}${k}${i}, ${base} + ${r}${i})`);
    const step = st.paired ? 2 : 1;
    for (let i = 0; i < (rows * BK) / (256 * step); i++) {
      const s = `(t + ${256 * i}u)`;
      if (st.kFast) index.push(`let ${r}${i} = ${s} / ${BK / step}u; let ${k}${i} = ${step} * (${s} % ${BK / step}u);`);
      else index.push(`let ${r}${i} = ${step} * (${s} % ${rows / step}u); let ${k}${i} = ${s} / ${rows / step}u;`);
      load.push(`var r${name}${i} = ${at("", i)};`);
      next.push(`r${name}${i} = ${at("kn + ", i)};`);
      if (!st.paired) store.push(`${slot(`${k}${i}`, `${r}${i}`)} = r${name}${i};`);
      else if (st.kFast) store.push(`${slot(`${k}${i}`, `${r}${i}`)} = r${name}${i}.x; ${slot(`(${k}${i} + 1u)`, `${r}${i}`)} = r${name}${i}.y;`);
      else store.push(`${slot(`${k}${i}`, `${r}${i}`)} = r${name}${i}.x; ${slot(`${k}${i}`, `(${r}${i} + 1u)`)} = r${name}${i}.y;`);
    }
  };
  operand("a", BM, sa);
  operand("b", BN, sb);
  if (fastLoad.length) {
    load.push(`if (fast) {\n    ${fastLoad.join("\n    ")}\n  } else {\n    ${edgeLoad.join("\n    ")}\n  }`);
    next.push(`if (fast) {\n        ${fastNext.join("\n        ")}\n      } else {\n        ${edgeNext.join("\n        ")}\n      }`);
  }
  const word = (d: DType) => (d === float32 ? "vec4<f32>" : "vec2<u32>");
  const vec4s: string[] = [];
  for (const [v, st] of [["a4", sa], ["b4", sb]] as const) {
    if (st.vec4Binding !== undefined) vec4s.push(`@group(0) @binding(${st.vec4Binding}) var<storage, read> ${v}: array<${word(st.dtype)}>;`);
  }
  for (const d of new Set([sa, sb].filter((st) => st.vec4Binding !== undefined).map((st) => st.dtype))) if (d !== float32) vec4s.push(QUAD_DECODERS[d.name]!);
  if (sa.vec4Binding !== undefined && sa.dtype !== float32) vec4s.push(BITS_LOADERS.a);
  if (sb.vec4Binding !== undefined && sb.dtype !== float32) vec4s.push(BITS_LOADERS.b);
  return { VEC4: vec4s.join("\n"), STAGE_INDEX: index.join("\n  "), LOAD_SLAB: load.join("\n  "), LOAD_NEXT: next.join("\n      "), STORE_SLAB: store.join("\n    ") };
}

/** The four float32 values of a four-element word `w` of `d` (16-bit: elements 4q .. 4q + 3 low half first, as pairDecl). */
function quad(d: DType, w: string): string {
  if (d === float32) return w;
  return `quad_${d.name}(${w})`;
}

/** The bits of a 16-bit operand's element in the low half (0, +0.0, out of range), for the edge loads of packed staging: a_bits(m, k), b_bits(k, c). */
const BITS_LOADERS = {
  a: `fn a_bits(m: u32, k: u32) -> u32 {
  if (m < mm_M && k < mm_K) { let e = u32(mm_a_off + i32(m) * mm_a_rs + i32(k) * mm_a_cs); return (in0[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu; }
  return 0u;
}`,
  b: `fn b_bits(k: u32, c: u32) -> u32 {
  if (c < mm_N && k < mm_K) { let e = u32(mm_b_off + i32(k) * mm_b_rs + i32(c) * mm_b_cs); return (in1[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu; }
  return 0u;
}`,
};

/** The WGSL decoders quad() calls for 16-bit words. */
const QUAD_DECODERS: Record<string, string> = {
  float16: "fn quad_float16(w: vec2<u32>) -> vec4<f32> { return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y)); }",
  bfloat16: "fn quad_bfloat16(w: vec2<u32>) -> vec4<f32> { return bitcast<vec4<f32>>(vec4<u32>(w.x << 16u, w.x & 0xffff0000u, w.y << 16u, w.y & 0xffff0000u)); }",
};

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

/**
 * Whether an operand's interior slabs can be staged four elements per load
 * (vec4<f32>, or vec2<u32> of 16-bit elements): float32, float16 or bfloat16,
 * contiguous along `contiguousAxis` with every row start aligned to four
 * elements (offset, other strides and batch strides multiples of 4), and four
 * elements per invocation per slab (rows * BK a multiple of 1024).
 */
function vec4Stageable(x: MatmulOperand, contiguousAxis: number, rows: number, BK: number): boolean {
  if (![float32, float16, bfloat16].includes(x.dtype) || (rows * BK) % 1024 !== 0) return false;
  if (x.strides[contiguousAxis] !== 1 || x.offset % 4 !== 0) return false;
  return x.strides.every((s, i) => i === contiguousAxis || s % 4 === 0 || x.shape[i] === 1);
}

/** One tiled-matmul launch: the kernel, its params, its workgroup count (zero for an empty product) and what it binds. */
export interface MatmulDispatch {
  call: KernelCall;
  params: number[];
  groups: number;
  /** The operand (0: A, 1: B) bound at each input binding from 2 on: A, B, then those read again as four-element words. */
  inputs: readonly (0 | 1)[];
}

/** What a launch reads of an operand (the tuner describes scratch operands this way). */
export type MatmulOperand = Pick<Tensor, "dtype" | "shape" | "strides" | "offset">;

/** matmul.wgsl's PUT: a float32 result's words, or a 16-bit result's packed pairs of columns (N even). */
function putSlot(out: DType): string {
  if (out === float32) {
    return `let o = c_base + row * N + col;
  if (col + 3u < N) {
    out_words[o] = bitcast<u32>(v.x);
    out_words[o + 1u] = bitcast<u32>(v.y);
    out_words[o + 2u] = bitcast<u32>(v.z);
    out_words[o + 3u] = bitcast<u32>(v.w);
    return;
  }
  if (col < N) { out_words[o] = bitcast<u32>(v.x); }
  if (col + 1u < N) { out_words[o + 1u] = bitcast<u32>(v.y); }
  if (col + 2u < N) { out_words[o + 2u] = bitcast<u32>(v.z); }`;
  }
  const pack = `pack_${out.name}`;
  return `let o = (c_base + row * N + col) / 2u;
  if (col < N) { out_words[o] = ${pack}(v.x) | (${pack}(v.y) << 16u); }
  if (col + 2u < N) { out_words[o + 1u] = ${pack}(v.z) | (${pack}(v.w) << 16u); }`;
}

/** Whether a product of `n` columns writes `out` (float16, bfloat16) itself: whole words of column pairs need N even. */
function writesPacked(out: DType, n: number): boolean {
  return is16BitFloat(out) && n % 2 === 0;
}

/**
 * The launch computing C = A @ B (C of `shape`, of dtype `out`: float32, or
 * float16/bfloat16 where N is even) with config `cfg`; it may bind an operand
 * twice (see `inputs`). With `split` of more than one part it writes the
 * float32 partial products [splits, ...shape] instead (out must be float32).
 */
export function matmulDispatch(a: MatmulOperand, b: MatmulOperand, shape: readonly number[], cfg: MatmulConfig, out: DType = float32, split?: MatmulSplit): MatmulDispatch {
  const nd = shape.length;
  const M = a.shape[nd - 2]!, K = a.shape[nd - 1]!, N = b.shape[nd - 1]!;
  if (out !== float32 && !writesPacked(out, N)) throw new Error(`[matmul] the tiled kernel writes float32, or float16/bfloat16 with an even N (got ${out.name}, N = ${N})`);
  const { splits, depth } = split ?? { splits: 1, depth: K };
  if (splits > 1 && out !== float32) throw new Error(`[matmul] a product split along K writes float32 partials (got ${out.name})`);
  const batchShape = shape.slice(0, -2);
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const BM = 16 * cfg.TM, BN = 16 * cfg.TN;
  const tilesN = Math.ceil(N / BN), tilesM = Math.ceil(M / BM);
  const [aRs, aCs, bRs, bCs] = [a.strides[nd - 2]!, a.strides[nd - 1]!, b.strides[nd - 2]!, b.strides[nd - 1]!];
  const params = [M, N, K, batchShape.length, tilesN, tilesM, batches, a.offset, aRs, aCs, b.offset, bRs, bCs, splits, depth, ...batchShape, ...a.strides.slice(0, -2), ...b.strides.slice(0, -2)];
  // stage each operand along its contiguous dimension
  const aKFast = aCs === 1, bKFast = bRs === 1 && bCs !== 1;
  const [aAxis, bAxis] = [aKFast ? nd - 1 : nd - 2, bKFast ? nd - 2 : nd - 1];
  const inputs: (0 | 1)[] = [0, 1];
  // an operand read again as four-element words is bound once more, at the next binding
  const bindAgain = (operand: 0 | 1) => 1 + inputs.push(operand);
  const aVec4 = vec4Stageable(a, aAxis, BM, cfg.BK) ? bindAgain(0) : undefined;
  const bVec4 = vec4Stageable(b, bAxis, BN, cfg.BK) ? bindAgain(1) : undefined;
  const sa = { kFast: aKFast, paired: aVec4 === undefined && pairable(a, aAxis), vec4Binding: aVec4, dtype: a.dtype };
  const sb = { kFast: bKFast, paired: bVec4 === undefined && pairable(b, bAxis), vec4Binding: bVec4, dtype: b.dtype };
  const call: KernelCall = {
    op: "matmul",
    file: "matmul",
    helpers: ["dtypes"],
    key: `${a.dtype.name},${b.dtype.name},${out.name},${aKFast},${bKFast},${sa.paired},${sb.paired},${aVec4},${bVec4},${configName(cfg)}`,
    slots: () => ({
      A: inputDecl(0, 2, a.dtype),
      B: inputDecl(1, 3, b.dtype),
      CONFIG: `const BM = ${BM}u; const BN = ${BN}u; const BK = ${cfg.BK}u; const NBUF = ${cfg.double ? 2 : 1}u;`,
      PAIRS: pairLoaders(a, b, sa, sb),
      PUT: putSlot(out),
      ...staging(cfg, sa, sb),
      ...registerBlock(cfg),
    }),
  };
  return { call, params, groups: M * N * batches === 0 ? 0 : tilesN * tilesM * batches * splits, inputs };
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

/** The K split of a product of `shape` (matmul-splits.ts), its partials bounded by the device's largest binding. */
export function splitOf(gpu: WebGpuBackend, a: MatmulOperand, shape: readonly number[]): MatmulSplit {
  const nd = shape.length;
  const batches = shape.slice(0, -2).reduce((s, d) => s * d, 1);
  return matmulSplit(shape[nd - 2]!, shape[nd - 1]!, a.shape[nd - 1]!, batches, gpu.ctx.device.limits.maxStorageBufferBindingSize);
}

/**
 * Encodes C = A @ B into a new tensor of `shape` with tile config `cfg`: of
 * dtype `out` where the kernel writes it (16-bit with N even, K whole), else
 * float32 (the caller casts). A product split along K writes its partials
 * to scratch and adds them in split order (wgsl/split-sum.wgsl).
 */
function encodeMatmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[], cfg: MatmulConfig, out: DType): Tensor {
  const split = splitOf(gpu, a, shape);
  const dtype = split.splits === 1 && writesPacked(out, shape[shape.length - 1]!) ? out : float32;
  const res = gpu.allocOutput({ shape, dtype });
  const part = split.splits > 1 ? gpu.allocOutput({ shape: [split.splits, ...shape], dtype: float32 }) : res;
  const d = matmulDispatch(a, b, shape, cfg, dtype, split);
  if (d.groups === 0) return res;
  gpu.run(d.call, gpu.gpuBuffer(part), d.params, d.inputs.map((i) => gpu.gpuBuffer(i === 0 ? a : b)), d.groups);
  if (part !== res) {
    encodeSplitSum(gpu, res, part, shape.reduce((s, v) => s * v, 1), split.splits);
    gpu.release(part.buffer);
  }
  return res;
}

export function matmulKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [a, b], out: OutputSpec) => {
    if (out.dtype === complex64) return complexMatmul(gpu, a!, b!, out);
    const plan = int8MatmulPlan(gpu, a!, b!, out.shape);
    if (plan) return encodeInt8Matmul(gpu, a!, b!, out.shape, plan);
    // 8-bit pairs the subgroup matrices do not take: exact sums on the tiled integer kernel
    if ((a!.dtype === int8 || a!.dtype === uint8) && a!.dtype === b!.dtype && out.dtype === float32) return encodeInt8MatmulExact(gpu, a!, b!, out.shape);
    // other integer operands as float32 copies
    const [fa, fb] = [a!, b!].map((x) => (isInexact(x.dtype) ? x : astypeTensor(gpu, x, float32))) as [Tensor, Tensor];
    const res = matvecApplies(fa, fb, out.shape)
      ? encodeMatvec(gpu, fa, fb, out.shape)
      : encodeMatmul(gpu, fa, fb, out.shape, matmulConfigFor(gpu, classOf(fa, fb, out.shape)), out.dtype);
    for (const [x, f] of [[a!, fa], [b!, fb]] as const) if (f !== x) gpu.release(f.buffer);
    return castResult(gpu, res, out);
  };
}
