// Concatenate and pad on WebGPU as copies of contiguous runs, where every
// input is row-major: a concatenation whose runs are whole words through
// wgsl/concat-runs.wgsl, the others through wgsl/layout-rows.wgsl (output
// rows that split words too; run-major where runs are shifted and long: H100,
// kernels alone against the copy kernel, float16 concatenate [8192, 4095],
// [8192, 4097] 67% -> 88%, rows that split words 65% -> 85-86%, pad [8191,
// 8191] by 1 73-74% -> 85%, [8192, 8192] by 1 82% -> 84%); undefined where
// an input is not row-major (gather.ts's per-element gather then runs).
// 64-bit elements move as their two words.

import type { OutputSpec, Tensor } from "../backend.js";
import { isRowMajor } from "../strides.js";
import { sizeOf } from "../../src/shape.js";
import type { DType } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { elementsPerWord } from "./codegen.js";

/** Words each workgroup of wgsl/layout-rows.wgsl writes. */
const WORDS_PER_GROUP = 2048;

/** Words every input run (a concatenation's, a pad's) must have for the run-major dispatch (RUN_MAJOR). */
const RUN_MAJOR_MIN_WORDS = 512;

/**
 * Words an invocation of a run-major chunk takes where the shortest input
 * run has `words` words (at least RUN_MAJOR_MIN_WORDS): the most of 8, 4 and
 * 2 that leaves three quarters of the invocations of a chunk starting at the
 * run all their words inside it (store_shifted); a pad's chunks start at its
 * row, before the input's run by the low padding.
 */
const runWordsFor = (words: number): number => [8, 4].find((m) => words >= 256 * (m - 1) + 192) ?? 2;

/** Chunks of a run-major run of at most `words` words: 256 m words each, the last one's invocations taking one more (up to 256 more words). */
const runChunks = (words: number, m: number): number => (words === 0 ? 0 : Math.max(1, Math.ceil((words - 256) / (256 * m))));

/** store_shifted's body for m words: every load, then every store. */
function storeShifted(m: number): string {
  const at = (j: number, d = 0) => (j * 256 + d ? ` + ${j * 256 + d}u` : "");
  const loads = Array.from({ length: m }, (_, j) => `let a${j} = load_word(k, i${at(j)});\n  let b${j} = load_word(k, i${at(j, 1)});`);
  const stores = Array.from({ length: m }, (_, j) => `out_words[w0${at(j)}] = (a${j} >> shift) | ((b${j} << back) & keep);`);
  return [...loads, ...stores].join("\n  ");
}

/**
 * run_major's body for a concatenation: params [.., 4: count, per input
 * start, C_k, offset, then t = 5 + 3 count: chunks a row, then each input's
 * first chunk, then the row's chunks again (where the last input's end)].
 * Workgroup g: row g / G, and of its runs the input whose chunks hold g % G
 * (inputs without chunks are passed over); the run owns the words whose
 * first element lies in it.
 */
const CONCAT_RUN_MAJOR = `let count = params[4];
  let t = 5u + 3u * count;
  let per_row = params[t];
  let r = g / per_row;
  if (r >= params[3]) { return; }
  let place = g % per_row;
  var k = 0u;
  for (var q = 1u; q < count; q++) { if (place >= params[t + 1u + q]) { k = q; } }
  let ck = params[6u + 3u * k];
  let e_start = r * params[2] + params[5u + 3u * k];
  let e_end = e_start + ck;
  let first = (e_start + {{EPW}}u - 1u) / {{EPW}}u;
  let next = params[t + 2u + k];
  let w0 = first + (place - params[t + 1u + k]) * {{RUN_CHUNK}}u + lid;
  run_words(k, w0, params[7u + 3u * k] + r * ck - e_start, (e_end + {{EPW}}u - 1u) / {{EPW}}u, first, e_end / {{EPW}}u, place + 1u == next);`;

/**
 * run_major's body for a pad (params[t]: chunks a row): workgroup g takes
 * chunk g % G of row g / G, the words whose first element lies in the row;
 * those inside the row's input run (none where the row lies in the padding
 * of a leading dim) are input 0's.
 */
const padRunMajor = (t: number) => `let per_row = params[${t}u];
  let r = g / per_row;
  if (r >= params[3]) { return; }
  let q = g % per_row;
  let e_row = r * params[2];
  let first = (e_row + {{EPW}}u - 1u) / {{EPW}}u;
  let row = row_info(r);
  let in_start = e_row + params[6];
  let in_end = in_start + params[5];
  let inside = row.x == 1u;
  let full_start = select(0u, (in_start + {{EPW}}u - 1u) / {{EPW}}u, inside);
  let full_end = select(0u, in_end / {{EPW}}u, inside);
  run_words(0u, first + q * {{RUN_CHUNK}}u + lid, row.y - in_start, (e_row + params[2] + {{EPW}}u - 1u) / {{EPW}}u, full_start, full_end, q + 1u == per_row);`;

/**
 * word_part of a concatenation, the n elements from element column c0 of row
 * r: params [.., 4: count, then per input: start, C_k, offset]. A whole word
 * inside one run is one run_word; else each run's part is joined (an empty
 * input's start is its successor's, so it adds none).
 */
const CONCAT_WORD = `var k = 0u;
  for (var q = 1u; q < params[4]; q++) { if (c0 >= params[5u + 3u * q]) { k = q; } }
  if (n == {{EPW}}u && c0 + {{EPW}}u <= params[5u + 3u * k] + params[6u + 3u * k]) {
    return run_word(k, params[7u + 3u * k] + r * params[6u + 3u * k] + c0 - params[5u + 3u * k]);
  }
  var bits = 0u;
  var e = c0;
  for (var q = k; q < params[4] && e < c0 + n; q++) {
    let sq = params[5u + 3u * q];
    let cq = params[6u + 3u * q];
    let end = min(sq + cq, c0 + n);
    if (end > e) {
      bits = bits | part_word(q, params[7u + 3u * q] + r * cq + e - sq, end - e, e - c0);
      e = end;
    }
  }
  return bits;`;

/**
 * Row r of a pad of `leading` dims before the last: params [.., 4: leading
 * dims, Cin, low of the last dim, input offset, value offset, then per
 * leading dim: out size, low, in size] (the outermost dim's index is r's
 * quotient, never reduced). Written out for the rank (a kernel per rank; no
 * loop over params[4]): on lavapipe every pad row of `bench/webgpu-layout.ts
 * --small` went from 19-30% of the copy kernel by kernels alone to 34-46%
 * (two alternations; float32, float16 and int8, by 1 and by 8).
 */
function padRow(leading: number): string {
  const lines = ["var rem = r;", "var inside = true;", "var row = 0u;", "var rows = 1u;"];
  for (let d = leading - 1; d >= 0; d--) {
    const at = 9 + 3 * d;
    lines.push(d > 0 ? `let i${d} = rem % params[${at}u];\n  rem = rem / params[${at}u];` : `let i${d} = rem;`);
    lines.push(`inside = inside && i${d} >= params[${at + 1}u] && i${d} - params[${at + 1}u] < params[${at + 2}u];`);
    lines.push(`row += (i${d} - params[${at + 1}u]) * rows;`);
    if (d > 0) lines.push(`rows *= params[${at + 2}u];`);
  }
  lines.push("return vec2u(select(0u, 1u, inside), params[7] + row * params[5]);");
  return lines.join("\n  ");
}

/**
 * word_part of a pad's row r (row_info `row`), the n elements from element
 * column c0: a whole word inside the input's run is one run_word; else the
 * value's fill word (FILL) with the input's part, if any, masked into it.
 * Built element by element instead, the edge words (two in a row of 4097)
 * cost float16 pads of [8192, 8192] by 1 9 points of the copy kernel's rate
 * on the H100 in session 46's phased form of this kernel (74% against 83%,
 * kernels alone).
 */
const PAD_WORD = `let cin = params[5];
  let lo_last = params[6];
  if (n == {{EPW}}u && row.x == 1u && c0 >= lo_last && c0 + {{EPW}}u <= lo_last + cin) { return run_word(0u, row.y + c0 - lo_last); }
  let fill = ({{FILL}}) & lanes_mask(n);
  let a = max(c0, lo_last);
  let b = min(c0 + n, lo_last + cin);
  if (row.x == 0u || a >= b) { return fill; }
  let m = b - a;
  return (fill & ~(lanes_mask(m) << ((a - c0) * {{BITS}}u))) | part_word(0u, row.y + a - lo_last, m, a - c0);`;

/** The multiplier that copies an element's bits into every lane of a word of EPW elements (0x00010001 for two halves). */
function fillMultiplier(epw: number): number {
  let m = 0;
  for (let j = 0; j < epw; j++) m += 2 ** ((32 / epw) * j);
  return m;
}

/** A dtype's words: 64-bit elements as two 32-bit words (`scale` 2), else its own packing. */
function wordsOf(d: DType): { epw: number; scale: number } {
  return d.size === 8 ? { epw: 1, scale: 2 } : { epw: elementsPerWord(d), scale: 1 };
}

/** An op's share of wgsl/layout-rows.wgsl: its ROW and WORD bodies and its params after the header. */
interface RowsOp {
  op: string;
  variant: string;
  row: string;
  word: string;
  params: number[];
  /** run_major's body, words an invocation and each row's chunks (RUN_MAJOR: a concatenation's, one entry an input; a pad's, one), where the op goes run-major. */
  runMajor?: { body: string; words: number; chunks: number[] } | undefined;
}

/**
 * One dispatch of wgsl/layout-rows.wgsl over R rows of C elements (64-bit
 * ones counted as two) of EPW a word. Where C is whole words a position's
 * column counts words; else elements, and the words that run past a row's
 * end (ENDS_ROW) go to word_across_rows.
 */
function runRows(gpu: WebGpuBackend, inputs: readonly Tensor[], out: OutputSpec, epw: number, rows: number, c: number, op: RowsOp, aligned = false): Tensor {
  const t = gpu.allocOutput(out);
  if (rows * c === 0) return t;
  const bits = 32 / epw;
  const split = c % epw !== 0;
  const fill = (body: string) => body.replaceAll("{{EPW}}", String(epw)).replaceAll("{{BITS}}", String(bits));
  const slots = {
    RUN_WORD: runWord(epw, bits, aligned),
    INPUTS: inputs.map((_, k) => `@group(0) @binding(${k + 2}) var<storage, read> in${k}: array<u32>;`).join("\n"),
    LOAD_WORD: switchOver(inputs.length, (k) => `return in${k}[i];`),
    EPW: epw,
    BITS: bits,
    COLUMNS_PER_WORD: split ? epw : 1,
    ELEMENTS_PER_COLUMN: split ? 1 : epw,
    ENDS_ROW: split ? `c + ${epw}u > params[2]` : "false",
    RUN_MAJOR: String(op.runMajor !== undefined),
    RUN_MAJOR_BODY: op.runMajor ? fill(op.runMajor.body).replaceAll("{{RUN_CHUNK}}", String(256 * op.runMajor.words)) : "",
    RUN_WORDS: op.runMajor?.words ?? 1,
    STORE_SHIFTED: op.runMajor ? storeShifted(op.runMajor.words) : "",
    ROW: op.row,
    WORD: fill(op.word),
  };
  const words = Math.ceil((rows * c) / epw);
  // run-major: each row's chunks, then where each run's chunks start and where the last one's end
  const chunks = op.runMajor?.chunks ?? [];
  const perRow = chunks.reduce((a, b) => a + b, 0);
  const starts = chunks.map((_, k) => chunks.slice(0, k).reduce((a, b) => a + b, 0));
  const params = [words, split ? c : c / epw, c, rows, ...op.params, ...(op.runMajor ? [perRow, ...starts, perRow] : [])];
  const key = `${op.variant}|${inputs.length}|${epw}${aligned ? "|aligned" : ""}${split ? "|split" : ""}${op.runMajor ? `|runs${op.runMajor.words}` : ""}`;
  const groups = op.runMajor ? rows * perRow : Math.ceil(words / WORDS_PER_GROUP);
  gpu.run({ op: op.op, file: "layout-rows", helpers: [], key, slots }, gpu.gpuBuffer(t), params, inputs.map((x) => gpu.gpuBuffer(x)), groups);
  return t;
}

/**
 * run_word's body: the EPW elements of input k from element s, one load where
 * every run starts on a word (`aligned`), else two shifted together where s
 * falls inside a word. The shift's test costs: float16 pads of [8192, 8192]
 * whose runs all start on a word, on the H200, 62% of the copy kernel's rate
 * with it, 88% without. A pad by 1 (every run shifted) ran at 68% of a copy
 * beside it on the H200 (session 39, .gpu/prof/pad16.mts), 97% with one
 * aligned word instead of two shifted together; the second word taken from
 * the subgroup's next invocation instead of loaded did not help (H100: 77%
 * against 80%), so it is building a word from two that costs, not the load.
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

/** Concatenation of row-major `inputs` along `axis` as runs, or undefined when an input is not row-major. */
export function concatRows(gpu: WebGpuBackend, inputs: readonly Tensor[], axis: number, out: OutputSpec): Tensor | undefined {
  const { epw, scale } = wordsOf(out.dtype);
  if (!inputs.every((x) => isRowMajor(x.shape, x.strides))) return undefined;
  const c = sizeOf(out.shape.slice(axis)) * scale;
  const ck = inputs.map((x) => sizeOf(x.shape.slice(axis)) * scale);
  if (ck.every((n) => n % epw === 0) && inputs.every((x) => (x.offset * scale) % epw === 0)) return concatWholeRuns(gpu, inputs, out, epw, scale, c, ck);
  const params = [inputs.length];
  let start = 0;
  inputs.forEach((x, k) => {
    params.push(start, ck[k]!, x.offset * scale);
    start += ck[k]!;
  });
  // long runs run-major: a workgroup's words inside one run of one row, sharing its shift
  const shortest = Math.min(...ck.filter((n) => n > 0).map((n) => Math.floor(n / epw)));
  const words = runWordsFor(shortest);
  const runMajor = shortest >= RUN_MAJOR_MIN_WORDS ? { body: CONCAT_RUN_MAJOR, words, chunks: ck.map((n) => runChunks(Math.ceil(n / epw), words)) } : undefined;
  const op = { op: "concatenate", variant: "concat", row: "return vec2u(0u);", word: CONCAT_WORD, params, runMajor };
  return runRows(gpu, inputs, out, epw, sizeOf(out.shape.slice(0, axis)), c, op);
}

/** `x` padded by `low` (the output's shape gives the rest) with `value`, as runs; undefined when `x` is not row-major. */
export function padRows(gpu: WebGpuBackend, x: Tensor, value: Tensor, low: readonly number[], out: OutputSpec): Tensor | undefined {
  const { epw, scale } = wordsOf(out.dtype);
  const nd = out.shape.length;
  if (nd === 0 || !isRowMajor(x.shape, x.strides)) return undefined;
  const c = out.shape[nd - 1]! * scale;
  const cin = x.shape[nd - 1]! * scale;
  const params = [nd - 1, cin, low[nd - 1]! * scale, x.offset * scale, value.offset * scale];
  for (let d = 0; d < nd - 1; d++) params.push(out.shape[d]!, low[d]!, x.shape[d]!);
  // the value in every lane of a word (64-bit: the word of c0's half)
  const fill = scale === 2 ? "load_word(1u, params[8] + c0 % 2u)" : `part_word(1u, params[8], 1u, 0u) * 0x${fillMultiplier(epw).toString(16)}u`;
  // rows of whole words whose first run starts on a word: every run does
  const aligned = c % epw === 0 && cin % epw === 0 && (x.offset * scale - low[nd - 1]! * scale) % epw === 0;
  // long input runs that are shifted, most of their rows, run-major (run_words' two loads and the shifts a word inside
  // the input; the padding's words word by word, a division each, so rows mostly padding keep the word-by-word path);
  // where every run starts on a word the word-by-word path's one load a word is faster
  const inputWords = Math.floor(cin / epw);
  const words = runWordsFor(inputWords);
  const runMajor = !aligned && inputWords >= RUN_MAJOR_MIN_WORDS && 2 * cin >= c ? { body: padRunMajor(params.length + 4), words, chunks: [runChunks(Math.ceil(c / epw), words)] } : undefined;
  const op = { op: "pad", variant: `${scale === 2 ? "pad64" : "pad"}|${nd - 1}`, row: padRow(nd - 1), word: PAD_WORD.replace("{{FILL}}", fill), params, runMajor };
  return runRows(gpu, [x, value], out, epw, sizeOf(out.shape.slice(0, -1)), c, op, aligned);
}
