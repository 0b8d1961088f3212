// float16/bfloat16 sums and products of many contiguous rows through
// wgsl/sum-rows16.wgsl (a group of lanes a row reading whole quads of words,
// its order stated in the kernel's header), results written in the 16-bit
// dtype two a word, or in float32 (Reduce's widened sums: mean's); a long
// contiguous segment of one output as rows of its own whose float32 sums
// reduce.ts then folds. reduce.ts takes it before its other kernels.

import type { Tensor } from "../backend.js";
import { float32, is16BitFloat, type DType } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";

/**
 * Row lengths (elements) the kernel takes: longer rows keep reduce.wgsl's
 * chunks, shorter ones wgsl/segments.wgsl. On the H200 (2026-12-04, 64M
 * elements, device time against the copy kernel, two alternating runs, the
 * kernels before in parentheses): float16 sums of rows of 128 / 256 / 512 /
 * 1024 / 2048 / 4096 / 8192 / 16384 55 / 85 / 88 / 89 / 90 / 91 / 91 / 91%
 * (56 / 57 / 50 / 61 / 48 / 69 / 77 / 84%), bfloat16 75 / 88 / 91 / 92 / 92
 * / 93 / 94 / 91% (57 / 58 / 50 / 62 / 49 / 69 / 77 / 84%); products of rows
 * of 4096 90% (69%) and 93% (69%). With the sum's +0 read from params
 * (a later run): float16 rows of 256 / 1024 / 4096 79 / 90 / 89%.
 */
const SUM_ROWS16_MIN = 128;
const SUM_ROWS16_MAX = 16384;
/** Rows a reduction needs (fewer: reduce.wgsl's workgroup a row spreads them wider). */
const MIN_ROWS = 1024;
/** Elements of a quad of words. */
const PER_QUAD = 8;
/** Quads a lane reads, about: eight, the step's loads in flight (four measured slower: float16 rows of 512 to 2048 85-86% against 88-90%). */
const QUADS_PER_LANE = 8;

/** Lanes a row: a power of two from 8 to 128, about QUADS_PER_LANE quads a lane. */
function rowLanes(quads: number): number {
  return Math.min(128, Math.max(8, 2 ** Math.ceil(Math.log2(quads / QUADS_PER_LANE))));
}

/**
 * Whether `op` over `rows` rows of R elements of `dtype` into `outDtype` may
 * take the kernel, whatever their layout: a float16/bfloat16 sum or product
 * into its own dtype or float32, at least MIN_ROWS rows of SUM_ROWS16_MIN to
 * SUM_ROWS16_MAX elements, a whole number of quads. Compile's fused
 * reductions run such groups node by node (the layout the reduction will
 * see is not known there).
 */
export function mayTakeSumRows16(gpu: WebGpuBackend, op: string, dtype: DType, outDtype: DType | undefined, rows: number, R: number): boolean {
  return takesDtypes(gpu, op, dtype, outDtype) && rows >= MIN_ROWS && R >= SUM_ROWS16_MIN && R <= SUM_ROWS16_MAX && R % PER_QUAD === 0;
}

/** A float16/bfloat16 sum or product into its own dtype or float32, the kernel switched on. */
function takesDtypes(gpu: WebGpuBackend, op: string, dtype: DType, outDtype: DType | undefined): boolean {
  return gpu.sumRows16 && (op === "sum" || op === "prod") && is16BitFloat(dtype) && (outDtype === dtype || outDtype === float32);
}

/** Whether `op` over `x` (merged: [rows, R], its first dim kept) into `outDtype` takes the kernel: mayTakeSumRows16, each row contiguous and on whole quads of words. */
export function takesSumRows16(gpu: WebGpuBackend, op: string, x: Tensor, outDtype: DType | undefined): boolean {
  if (x.shape.length !== 2 || x.strides[1] !== 1) return false;
  const [rows, R] = x.shape as [number, number];
  const rowStride = x.strides[0]!;
  return mayTakeSumRows16(gpu, op, x.dtype, outDtype, rows, R) && rowStride >= 0 && rowStride % PER_QUAD === 0 && x.offset % PER_QUAD === 0;
}

/** The statements of take_quad for `d`: the quad's words in order, each word's low element first. */
function takeQuad(d: DType, op: string): string {
  const fold = (v: string) => (op === "sum" ? `a = a + ${v};` : `a = a * ${v};`);
  return ["x", "y", "z", "w"]
    .map((c) =>
      d.name === "float16"
        ? `let h${c} = unpack2x16float(v.${c}); ${fold(`h${c}.x`)} ${fold(`h${c}.y`)}`
        : `${fold(`bitcast<f32>(v.${c} << 16u)`)} ${fold(`bitcast<f32>(v.${c} & 0xffff0000u)`)}`,
    )
    .join("\n  ");
}

/** `op` ("sum" or "prod") of the rows of `x` (takesSumRows16 holds) as a [rows] tensor of `outDtype` (x's dtype or float32). */
export function sumRows16(gpu: WebGpuBackend, op: string, x: Tensor, outDtype: DType): Tensor {
  const [rows, R] = x.shape as [number, number];
  return runRows(gpu, op, x, { rows, quads: R / PER_QUAD, strideQuads: x.strides[0]! / PER_QUAD, lastQuads: R / PER_QUAD }, outDtype);
}

/** Elements a segment needs for the whole-segment rows: more than reduce.ts's chunk (shorter ones are one chunk there). */
const WHOLE_MIN = 16384;
/** Rows the whole-segment rows aim at, at least (rows of 1024 to 16384 elements). */
const WHOLE_ROWS = 2048;

/**
 * Whether `op` over one segment of R elements of `dtype` into `outDtype`
 * (nOut outputs) may take the whole-segment rows, whatever its layout (as
 * mayTakeSumRows16, for compile's fused reductions).
 */
export function mayTakeWholeSumRows16(gpu: WebGpuBackend, op: string, dtype: DType, outDtype: DType | undefined, nOut: number, R: number): boolean {
  return takesDtypes(gpu, op, dtype, outDtype) && nOut === 1 && R > WHOLE_MIN && R % PER_QUAD === 0 && R < 2 ** 31;
}

/** Whether `op` over merged `x` (its first `nk` dims kept) takes the whole-segment rows: mayTakeWholeSumRows16, the segment contiguous on whole quads. */
export function takesWholeSumRows16(gpu: WebGpuBackend, op: string, x: Tensor, nk: number, outDtype: DType | undefined): boolean {
  const nOut = x.shape.slice(0, nk).reduce((p, d) => p * d, 1);
  const R = x.shape.slice(nk).reduce((p, d) => p * d, 1);
  return mayTakeWholeSumRows16(gpu, op, x.dtype, outDtype, nOut, R) && x.shape.length === nk + 1 && x.strides[nk] === 1 && x.offset % PER_QUAD === 0;
}

/**
 * The float32 `op` of the rows a segment (takesWholeSumRows16 holds) is cut
 * into: rows of L elements (a power of two, 1024 to 16384, giving about
 * WHOLE_ROWS rows or more), the last one shorter where L does not divide it;
 * reduce.ts folds them (its order over the [1, rows] partials).
 */
export function wholeSumRows16(gpu: WebGpuBackend, op: string, x: Tensor): Tensor {
  const R = x.shape[x.shape.length - 1]!;
  const L = Math.min(SUM_ROWS16_MAX, Math.max(1024, 2 ** Math.floor(Math.log2(R / WHOLE_ROWS))));
  const rows = Math.ceil(R / L);
  const rowQuads = L / PER_QUAD;
  const partials = runRows(gpu, op, x, { rows, quads: rowQuads, strideQuads: rowQuads, lastQuads: (R - (rows - 1) * L) / PER_QUAD }, float32);
  return { ...partials, shape: [1, rows], strides: [rows, 1] };
}

interface RowLayout {
  rows: number;
  /** Quads a row, its first quad's distance from the next row's, and the last row's quads (at most `quads`). */
  quads: number;
  strideQuads: number;
  lastQuads: number;
}

function runRows(gpu: WebGpuBackend, op: string, x: Tensor, layout: RowLayout, outDtype: DType): Tensor {
  const { rows, quads, strideQuads, lastQuads } = layout;
  const wide = outDtype === float32;
  const out = gpu.allocOutput({ shape: [rows], dtype: outDtype });
  const lanes = rowLanes(quads);
  // the loop's trip count a constant (a kernel per row length: a model's rows come in few lengths)
  const steps = Math.ceil(quads / (8 * lanes));
  const whole = quads === steps * 8 * lanes && lastQuads === quads;
  const call: KernelCall = {
    op,
    file: "sum-rows16",
    helpers: ["dtypes", "row-lanes", "row-pairs"],
    key: `${op},${x.dtype.name},${lanes},${steps},${whole},${wide}`,
    slots: () => ({
      ROW_LANES: lanes,
      STEPS: steps,
      WHOLE: String(whole),
      WIDE: String(wide),
      // a sum starts from a +0 the compiler cannot see (params[4]): folding 0 + x to x would keep a row of -0 at -0
      INIT: op === "sum" ? "bitcast<f32>(params[4])" : "1.0f",
      FOLD: op === "sum" ? "a + b" : "a * b",
      TAKE_QUAD: takeQuad(x.dtype, op),
      PACK: wide ? "bitcast<u32>(r)" : `pack_${x.dtype.name}(r)`,
    }),
  };
  gpu.run(call, gpu.gpuBuffer(out), [rows, quads, strideQuads, x.offset / PER_QUAD, 0, lastQuads], [gpu.gpuBuffer(x)], Math.ceil(rows / (256 / lanes)));
  return out;
}
