// Concatenate and pad on WebGPU as copies of contiguous runs, where every
// input is row-major and the output's rows are whole words: a concatenation
// whose runs are whole words through wgsl/concat-runs.wgsl, the others through
// wgsl/layout-rows.wgsl; undefined otherwise (gather.ts's per-element gather
// then runs). 64-bit elements move as their two words.

import type { OutputSpec, Tensor } from "../backend.js";
import { isRowMajor } from "../strides.js";
import { sizeOf } from "../../src/shape.js";
import type { DType } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { elementsPerWord } from "./codegen.js";

/** Words each workgroup of wgsl/layout-rows.wgsl writes. */
const WORDS_PER_GROUP = 2048;

/** The output word at (r, c) of a concatenation: params [n, words per row, C, count, then per input: start, C_k, offset]. */
const CONCAT_WORD = `let c0 = c * {{EPW}}u;
  var k = 0u;
  for (var q = 1u; q < params[3]; q++) { if (c0 >= params[4u + 3u * q]) { k = q; } }
  let start = params[4u + 3u * k];
  let ck = params[5u + 3u * k];
  if (c0 + {{EPW}}u <= start + ck) { return run_word(k, params[6u + 3u * k] + r * ck + c0 - start); }
  var bits = 0u;
  var q = k;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let c = c0 + j;
    while (q + 1u < params[3] && c >= params[4u + 3u * q] + params[5u + 3u * q]) { q++; }
    bits = bits | (elem(q, params[6u + 3u * q] + r * params[5u + 3u * q] + c - params[4u + 3u * q]) << (j * {{BITS}}u));
  }
  return bits;`;

/**
 * Row r of a pad: params [n, words per row, C, leading dims, Cin, low of the
 * last dim, input offset, value offset, then per leading dim: out size, low,
 * in size] (the outermost dim's index is r's quotient, never reduced).
 */
const PAD_ROW = `var rem = r;
  var row = 0u;
  var rows = 1u;
  var inside = true;
  for (var d = i32(params[3]) - 1; d >= 0; d--) {
    let at = 8u + 3u * u32(d);
    var i = rem;
    if (d > 0) {
      i = rem % params[at];
      rem = rem / params[at];
    }
    let lo = params[at + 1u];
    if (i < lo || i - lo >= params[at + 2u]) { inside = false; }
    row += (i - lo) * rows;
    rows *= params[at + 2u];
  }
  return vec2u(select(0u, 1u, inside), params[6] + row * params[4]);`;

/** The output word at (r, c) of a pad, whose row_info is `row`; VALUE the value's bits at output column c (in elements). */
const PAD_WORD = `let c0 = c * {{EPW}}u;
  let inside = row.x == 1u;
  let cin = params[4];
  let lo_last = params[5];
  if (inside && c0 >= lo_last && c0 + {{EPW}}u <= lo_last + cin) { return run_word(0u, row.y + c0 - lo_last); }
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = c0 + j;
    var v = {{VALUE}};
    if (inside && e >= lo_last && e - lo_last < cin) { v = elem(0u, row.y + e - lo_last); }
    bits = bits | (v << (j * {{BITS}}u));
  }
  return bits;`;

/** A dtype's words: 64-bit elements as two 32-bit words (`scale` 2), else its own packing. */
function wordsOf(d: DType): { epw: number; scale: number } {
  return d.size === 8 ? { epw: 1, scale: 2 } : { epw: elementsPerWord(d), scale: 1 };
}

/** One dispatch of wgsl/layout-rows.wgsl with `word` (its {{EPW}} and {{BITS}} filled here) as word_at's body; `variant` names the word. */
function runRows(gpu: WebGpuBackend, op: string, variant: string, inputs: readonly Tensor[], out: OutputSpec, epw: number, row: string, word: string, params: number[], aligned = false): Tensor {
  const t = gpu.allocOutput(out);
  if (sizeOf(out.shape) === 0) return t;
  const bits = 32 / epw;
  const slots = {
    RUN_WORD: runWord(epw, bits, aligned),
    INPUTS: inputs.map((_, k) => `@group(0) @binding(${k + 2}) var<storage, read> in${k}: array<u32>;`).join("\n"),
    LOAD_WORD: switchOver(inputs.length, (k) => `return in${k}[i];`),
    EPW: epw,
    BITS: bits,
    MASK: bits === 32 ? "0xffffffff" : `0x${(2 ** bits - 1).toString(16)}`,
    ROW: row,
    WORD: word.replaceAll("{{EPW}}", String(epw)).replaceAll("{{BITS}}", String(bits)),
  };
  gpu.run({ op, file: "layout-rows", helpers: [], key: `${variant}|${inputs.length}|${epw}${aligned ? "|aligned" : ""}`, slots }, gpu.gpuBuffer(t), params, inputs.map((x) => gpu.gpuBuffer(x)), Math.ceil(params[0]! / WORDS_PER_GROUP));
  return t;
}

/**
 * run_word's body: the EPW elements of input k from element s, one load where
 * every run starts on a word (`aligned`), else two shifted together where s
 * falls inside a word. The shift's test costs: float16 pads of [8192, 8192]
 * whose runs all start on a word, on the H200, 62% of the copy kernel's rate
 * with it, 88% without. Shifted runs stay at 64-65% even with one load a word,
 * so their second load is not what they lack.
 */
function runWord(epw: number, bits: number, aligned: boolean): string {
  if (epw === 1 || aligned) return `return load_word(k, s / ${epw}u);`;
  return `let i = s / ${epw}u;
  let shift = (s % ${epw}u) * ${bits}u;
  let a = load_word(k, i);
  if (shift == 0u) { return a; }
  return (a >> shift) | (load_word(k, i + 1u) << (32u - shift));`;
}

/** A switch over the input k running `body(k)` (statements reading in<k>). */
function switchOver(count: number, body: (k: number) => string): string {
  return `switch k {\n    ${Array.from({ length: count }, (_, k) => `${k === count - 1 ? "default" : `case ${k}u`}: { ${body(k)} }`).join("\n    ")}\n  }`;
}

/**
 * Concatenation through wgsl/concat-runs.wgsl, where every run (an input's
 * share of an output row) and its start are whole words and every input's
 * offset too: input k's rows of C_k elements, `c` elements per output row.
 */
function concatWholeRuns(gpu: WebGpuBackend, inputs: readonly Tensor[], out: OutputSpec, epw: number, scale: number, c: number, ck: number[]): Tensor {
  const t = gpu.allocOutput(out);
  const params = [inputs.length, c / epw];
  let start = 0, groups = 0;
  inputs.forEach((x, k) => {
    const words = (sizeOf(x.shape) * scale) / epw;
    params.push(groups, words, ck[k]! / epw, start / epw, (x.offset * scale) / epw);
    groups += Math.ceil(words / WORDS_PER_GROUP);
    start += ck[k]!;
  });
  if (groups === 0) return t;
  const slots = {
    INPUTS: inputs.map((_, k) => `@group(0) @binding(${k + 2}) var<storage, read> in${k}: array<u32>;`).join("\n"),
    LOADS: switchOver(inputs.length, (k) => Array.from({ length: 8 }, (_, j) => `v${j} = in${k}[i${j}];`).join(" ")),
    LOAD_ONE: switchOver(inputs.length, (k) => `v = in${k}[off + i];`),
  };
  gpu.run({ op: "concatenate", file: "concat-runs", helpers: [], key: String(inputs.length), slots }, gpu.gpuBuffer(t), params, inputs.map((x) => gpu.gpuBuffer(x)), groups);
  return t;
}

/** Concatenation of row-major `inputs` along `axis` as runs, or undefined when an input is not row-major or rows split words. */
export function concatRows(gpu: WebGpuBackend, inputs: readonly Tensor[], axis: number, out: OutputSpec): Tensor | undefined {
  const { epw, scale } = wordsOf(out.dtype);
  const c = sizeOf(out.shape.slice(axis)) * scale;
  if (c % epw !== 0 || !inputs.every((x) => isRowMajor(x.shape, x.strides))) return undefined;
  const ck = inputs.map((x) => sizeOf(x.shape.slice(axis)) * scale);
  if (ck.every((n) => n % epw === 0) && inputs.every((x) => (x.offset * scale) % epw === 0)) return concatWholeRuns(gpu, inputs, out, epw, scale, c, ck);
  const params = [(sizeOf(out.shape) * scale) / epw, c / epw, c, inputs.length];
  let start = 0;
  inputs.forEach((x, k) => {
    params.push(start, ck[k]!, x.offset * scale);
    start += ck[k]!;
  });
  return runRows(gpu, "concatenate", "concat", inputs, out, epw, "return vec2u(0u);", CONCAT_WORD, params);
}

/** `x` padded by `low` (the output's shape gives the rest) with `value`, as runs; undefined when `x` is not row-major or rows split words. */
export function padRows(gpu: WebGpuBackend, x: Tensor, value: Tensor, low: readonly number[], out: OutputSpec): Tensor | undefined {
  const { epw, scale } = wordsOf(out.dtype);
  const nd = out.shape.length;
  const c = (out.shape[nd - 1] ?? 1) * scale;
  if (nd === 0 || c % epw !== 0 || !isRowMajor(x.shape, x.strides)) return undefined;
  const params = [(sizeOf(out.shape) * scale) / epw, c / epw, c, nd - 1, x.shape[nd - 1]! * scale, low[nd - 1]! * scale, x.offset * scale, value.offset * scale];
  for (let d = 0; d < nd - 1; d++) params.push(out.shape[d]!, low[d]!, x.shape[d]!);
  const valueBits = scale === 2 ? "load_word(1u, params[7] + e % 2u)" : "elem(1u, params[7])";
  // rows of whole words whose first run starts on a word: every run does
  const cin = x.shape[nd - 1]! * scale;
  const aligned = cin % epw === 0 && (x.offset * scale - low[nd - 1]! * scale) % epw === 0;
  return runRows(gpu, "pad", scale === 2 ? "pad64" : "pad", [x, value], out, epw, PAD_ROW, PAD_WORD.replace("{{VALUE}}", valueBits), params, aligned);
}
