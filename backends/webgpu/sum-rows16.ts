// float16/bfloat16 sums and products of many contiguous rows through
// wgsl/sum-rows16.wgsl (a group of lanes a row reading whole quads of words,
// its order stated in the kernel's header), results written in the 16-bit
// dtype two a word; reduce.ts takes it before its other kernels.

import type { Tensor } from "../backend.js";
import { bfloat16, float16, type DType } from "../../src/dtype.js";
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
 * into the same dtype, at least MIN_ROWS rows of SUM_ROWS16_MIN to
 * SUM_ROWS16_MAX elements, a whole number of quads. Compile's fused
 * reductions run such groups node by node (the layout the reduction will
 * see is not known there).
 */
export function mayTakeSumRows16(gpu: WebGpuBackend, op: string, dtype: DType, outDtype: DType | undefined, rows: number, R: number): boolean {
  if (!gpu.sumRows16 || (op !== "sum" && op !== "prod") || (dtype !== float16 && dtype !== bfloat16) || outDtype !== dtype) return false;
  return rows >= MIN_ROWS && R >= SUM_ROWS16_MIN && R <= SUM_ROWS16_MAX && R % PER_QUAD === 0;
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
      d === float16
        ? `let h${c} = unpack2x16float(v.${c}); ${fold(`h${c}.x`)} ${fold(`h${c}.y`)}`
        : `${fold(`bitcast<f32>(v.${c} << 16u)`)} ${fold(`bitcast<f32>(v.${c} & 0xffff0000u)`)}`,
    )
    .join("\n  ");
}

/** `op` ("sum" or "prod") of the rows of `x` (takesSumRows16 holds) as a [rows] tensor of x's dtype. */
export function sumRows16(gpu: WebGpuBackend, op: string, x: Tensor): Tensor {
  const [rows, R] = x.shape as [number, number];
  const out = gpu.allocOutput({ shape: [rows], dtype: x.dtype });
  const quads = R / PER_QUAD;
  const lanes = rowLanes(quads);
  // the loop's trip count a constant (a kernel per row length: a model's rows come in few lengths)
  const steps = Math.ceil(quads / (8 * lanes));
  const whole = quads === steps * 8 * lanes;
  const call: KernelCall = {
    op,
    file: "sum-rows16",
    helpers: ["dtypes", "row-lanes", "row-pairs"],
    key: `${op},${x.dtype.name},${lanes},${steps},${whole}`,
    slots: () => ({
      ROW_LANES: lanes,
      STEPS: steps,
      WHOLE: String(whole),
      // a sum starts from a +0 the compiler cannot see (params[4]): folding 0 + x to x would keep a row of -0 at -0
      INIT: op === "sum" ? "bitcast<f32>(params[4])" : "1.0f",
      FOLD: op === "sum" ? "a + b" : "a * b",
      TAKE_QUAD: takeQuad(x.dtype, op),
      PACK: `pack_${x.dtype.name}(r)`,
    }),
  };
  gpu.run(call, gpu.gpuBuffer(out), [rows, quads, x.strides[0]! / PER_QUAD, x.offset / PER_QUAD, 0], [gpu.gpuBuffer(x)], Math.ceil(rows / (256 / lanes)));
  return out;
}
