// WebGPU softmax and logsumexp over dense rows too long for the registers of
// wgsl/softmax-rows.wgsl: one online read for the maximum and the sum, then
// (softmax) a second read writing the results. Many rows take a workgroup
// each (wgsl/softmax-long-rows.wgsl); a few rows are split into chunks over
// several workgroups (wgsl/softmax-split-partials.wgsl, then
// wgsl/softmax-split-finish.wgsl folds each row's chunks).

import type { Tensor } from "../backend.js";
import { uint32 } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";

/** Workgroups the split rows aim for (about four per SM of a 132-SM card). */
const SPLIT_TARGET_WORKGROUPS = 512;
/** Fewest words a chunk of a split row holds: a whole step of eight words for each of 256 invocations. */
const MIN_CHUNK_WORDS = 2048;
/** Most chunks a row is split into (the finishing workgroup reads one per invocation). */
const MAX_CHUNKS = 256;

/**
 * The kernels' ROW_DECLS: the consts EPW (elements a word), NARROW (16-bit
 * rows: mx_exp_narrow) and LSE, values_of (a word's elements, x then y) and
 * result_word (a word of softmax results, unit packs where the maximum is finite).
 */
function rowDecls(op: "softmax" | "logsumexp", dtype: string, epw: number): string {
  const values =
    dtype === "float16" ? "unpack2x16float(w)" : dtype === "bfloat16" ? "vec2<f32>(bitcast<f32>(w << 16u), bitcast<f32>(w & 0xffff0000u))" : "vec2<f32>(bitcast<f32>(w), 0.0)";
  const result =
    epw === 1
      ? "return bitcast<u32>(a);"
      : `let b = row_exp(v.y - mx, fast, one) * inv;\n  if (finite) { return pack_pair_unit_${dtype}(a, b); }\n  return pack_${dtype}(a) | (pack_${dtype}(b) << 16u);`;
  return `const EPW = ${epw}u;
const NARROW = ${epw === 2};
const LSE = ${op === "logsumexp"};

/** The elements of word w (x, then y for a 16-bit pair). */
fn values_of(w: u32) -> vec2<f32> { return ${values}; }

/** The softmax result word of a word's elements v: e^(v - mx) inv each. */
fn result_word(v: vec2<f32>, mx: f32, inv: f32, fast: bool, one: f32, finite: bool) -> u32 {
  let a = row_exp(v.x - mx, fast, one) * inv;
  ${result}
}`;
}

/** Chunks each of `rows` rows of `rowWords` words is split into: enough workgroups for the device, whole steps each (1: not split). */
export function chunksPerRow(rows: number, rowWords: number): number {
  return Math.max(1, Math.min(MAX_CHUNKS, Math.floor(SPLIT_TARGET_WORKGROUPS / rows), Math.ceil(rowWords / MIN_CHUNK_WORDS)));
}

/**
 * softmax or logsumexp of `rows` dense rows of R elements of x (`epw` a
 * word) into res (softmax: x's dtype; logsumexp: float32 words); `params`:
 * [rows, R, nk, kept shape, kept strides, offset].
 */
export function runLongRows(gpu: WebGpuBackend, op: "softmax" | "logsumexp", x: Tensor, res: Tensor, rows: number, R: number, epw: number, params: number[]): void {
  const d = x.dtype.name;
  const helpers = ["dtypes", "math", "strided", "softmax-row-math", "softmax-fold", "softmax-rows-tree", "softmax-online"];
  const slots = { ROW_DECLS: rowDecls(op, d, epw) };
  const rowWords = R / epw;
  const chunks = chunksPerRow(rows, rowWords);
  if (chunks === 1) {
    gpu.run({ op, file: "softmax-long-rows", helpers, key: `${op}|${d}`, slots }, gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], rows);
    return;
  }
  const split = [...params, chunks, Math.ceil(rowWords / chunks)];
  const partials = gpu.allocOutput({ shape: [rows * chunks * 3], dtype: uint32 });
  gpu.run({ op, file: "softmax-split-partials", helpers, key: `${op}|${d}`, slots }, gpu.gpuBuffer(partials), split, [gpu.gpuBuffer(x)], rows * chunks);
  gpu.run({ op, file: "softmax-split-finish", helpers, key: `${op}|${d}`, slots }, gpu.gpuBuffer(res), split, [gpu.gpuBuffer(x), gpu.gpuBuffer(partials)], op === "softmax" ? rows * chunks : rows);
  gpu.release(partials.buffer);
}
