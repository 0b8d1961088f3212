// WebGPU reductions: sum/prod/max/min/all/any and argmax/argmin. Segments of
// at most 64 elements take one invocation per output (wgsl/segments.wgsl;
// contiguous rows that lie on quads of words read a quad at a time);
// medium ones of many outputs a group of 4 to 32 invocations per output
// (wgsl/reduce-groups.wgsl); longer ones, or those of few outputs, a
// workgroup per output (contiguous rows of 1025 to 2048 elements two a
// workgroup, arg-reductions aside; wgsl/reduce.wgsl, eight loads in flight per
// invocation, sixteen for packed 8/16-bit elements, whole quads of words for
// their sums over long contiguous chunks; long segments of few
// outputs split into chunks folded by a second pass: reduce.wgsl again, or
// wgsl/reduce-arg-partials.wgsl over the chunks' winning indices for argmax/argmin). The exact order of a float sum
// is stated in wgsl/reduce.wgsl's header. Float max/min/argmax/argmin of
// float32/float16/bfloat16 over longer segments fold integer order keys of
// the bits instead (wgsl/reduce-keys.wgsl: the same results, bit for bit);
// their argmax/argmin and max/min over rows that lie on whole quads of words
// (in one chunk; max/min where reduce.wgsl, reduce-groups.wgsl or, for short
// rows, segments.wgsl would fold them) take a group of lanes a row folded by
// subgroup operations, several short rows a subgroup
// (backends/webgpu/extreme-rows.ts: the same results, bit for bit).
// float16/bfloat16 sums and products of many contiguous rows on whole quads
// take a group of lanes a row in an order of their own, and a long contiguous
// segment of one output rows of its own, their float32 results folded as a
// chunked segment's partials are (backends/webgpu/sum-rows16.ts).
// f32/i32/u32 accumulators (NaN-propagating max/min, first NaN for arg-reductions, NumPy's
// rules), i64/u64 pairs of words for int64/uint64 (wgsl/int64.wgsl), vec2<f32>
// pairs for complex64 sum and prod (wgsl/complex.wgsl); outputs
// narrower than 32 bits are cast from a 32-bit result (float16/bfloat16 results
// of a workgroup per output, of short rows read as quads, of the row kernels
// of extreme-rows.ts and sum-rows16.ts, max/min of one output in one chunk of
// the keyed kernel and of a whole array's few chunks' partials, are packed by the kernel itself).
// Kernels count with 32-bit words: a segment of 2^31 elements or more (a
// broadcast view can make one) is reduced in pieces folded on the device.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { bfloat16, complex64, float16, float32, int32, int64, is16BitFloat, uint32, uint64, type DType } from "../../src/dtype.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { ArgReduce, Reduce } from "../../src/primitives/reduce.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { computeType, elementsPerWord, helpersFor, inputDecl, wordShift, type ComputeType } from "./codegen.js";
import { castResult, mapKernel } from "./elementwise.js";
import { argRows, argSegments, maxRows, maxShortRows } from "./extreme-rows.js";
import { sumRows16, takesSumRows16, takesWholeSumRows16, wholeSumRows16 } from "./sum-rows16.js";

/** The word dtype each compute type accumulates in (what the reduce kernel writes before its cast). */
export const WORD_DTYPE: Record<ComputeType, DType> = { f32: float32, i32: int32, u32: uint32, i64: int64, u64: uint64, c64: complex64 };

const is64 = (t: ComputeType): t is "i64" | "u64" => t === "i64" || t === "u64";

/** Segments this long or shorter get one invocation per output element (no workgroup tree). */
export const SEGMENT_INVOCATION_MAX = 64;
/**
 * Segments longer than SEGMENT_INVOCATION_MAX and at most this long, of at
 * least GROUPED_MIN_OUTPUTS outputs, get a group of invocations per output
 * (wgsl/reduce-groups.wgsl); the A/B switch: 64 gives them a workgroup each.
 * On the H200 (2026-12-01, f32 rows, sum/max/argmax GB/s, grouped against a
 * workgroup each): 65 elements 1317-1387 / 1011-1041 / 852-867 against
 * 130 / 82 / 66-70; 256: 1252-1301 / 982-1008 / 830-887 against 379-381 /
 * 306-307 / 254-255; 1024: 1428-1449 / 1039-1065 / 867-875 against
 * 1080-1085 / 726-738 / 605; 2048: 1513-1570 / 1228-1271 / 1047-1076
 * against 2448-2460 / 1756-1783 / 1439-1461, so 2048 keeps a workgroup.
 */
export const GROUPED_SEGMENT_MAX = 1024;
/** Outputs a reduction needs for the grouped kernel (fewer: a workgroup each spreads better). */
export const GROUPED_MIN_OUTPUTS = 1024;
/** Elements a lane of the grouped kernel folds, about (its group: 4 to 32 lanes). */
const ELEMENTS_PER_LANE = 16;

/** Lanes per output of wgsl/reduce-groups.wgsl for segments of R elements: a power of two, 4 to 32. */
function lanesFor(R: number): number {
  return Math.min(32, Math.max(4, 2 ** Math.ceil(Math.log2(Math.ceil(R / ELEMENTS_PER_LANE)))));
}

/**
 * Lanes per output where `nOut` segments of R elements (in `chunks` chunks)
 * go to wgsl/reduce-groups.wgsl (medium segments, many outputs, one chunk),
 * else 0; compile's fused reductions fold in the same order where it applies.
 */
export function groupedLanes(nOut: number, R: number, chunks: number): number {
  return chunks === 1 && R > SEGMENT_INVOCATION_MAX && R <= GROUPED_SEGMENT_MAX && nOut >= GROUPED_MIN_OUTPUTS ? lanesFor(R) : 0;
}
/** A chunk gives each of a workgroup's 256 invocations at least 64 elements (fewer barriers per element). */
const MIN_CHUNK = 256 * 64;
/** Chunks over all outputs are capped at about this many workgroups. */
const TARGET_WORKGROUPS = 2048;
/** Segment elements one dispatch indexes (u32 indices with room for the chunk arithmetic); longer segments go in pieces. */
export const MAX_SEGMENT = 2 ** 31;

/** Chunks per segment: one, or for long segments of few outputs enough to spread them over the GPU. */
export function chunksFor(nOut: number, R: number): number {
  return Math.max(1, Math.min(Math.ceil(R / MIN_CHUNK), Math.floor(TARGET_WORKGROUPS / nOut)));
}

/** `x` with its kept dims and its reduced dims each merged: the kept dims first, then the reduced ones. */
function merged(x: Tensor, axes: readonly number[]): { x: Tensor; nk: number } {
  const kept = [...x.shape.keys()].filter((d) => !axes.includes(d));
  const k = collapseDims(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!)]);
  const r = collapseDims(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
  return { x: { ...x, shape: [...k.shape, ...r.shape], strides: [...k.strides[0]!, ...r.strides[0]!] }, nk: k.shape.length };
}

/** params for wgsl/reduce.wgsl, wgsl/reduce-groups.wgsl and wgsl/segments.wgsl over merged `x` (its first `nk` dims kept). */
function reduceParams(x: Tensor, nk: number, chunks: number): number[] {
  const R = x.shape.slice(nk).reduce((p, d) => p * d, 1);
  const ks = x.shape.slice(0, nk), rs = x.shape.slice(nk);
  return [ks.reduce((p, d) => p * d, 1), R, ks.length, rs.length, chunks, Math.ceil(R / chunks), ...ks, ...x.strides.slice(0, nk), ...rs, ...x.strides.slice(nk), x.offset];
}

export interface Fold {
  init: string;
  fold: string;
}

/** The folds of 64-bit accumulators (pairs of words: x low, y high). */
function foldFor64(op: string, t: "i64" | "u64"): Fold {
  switch (op) {
    case "sum":
      return { init: "vec2u(0u, 0u)", fold: "w64_add(a, b)" };
    case "prod":
      return { init: "vec2u(1u, 0u)", fold: "w64_mul(a, b)" };
    case "max":
      return { init: t === "i64" ? "vec2u(0u, 0x80000000u)" : "vec2u(0u, 0u)", fold: `select(b, a, ${t}_le(b, a))` };
    case "min":
      return { init: t === "i64" ? "vec2u(0xffffffffu, 0x7fffffffu)" : "vec2u(0xffffffffu, 0xffffffffu)", fold: `select(b, a, ${t}_le(a, b))` };
  }
  throw new Error(`[${op}] is not a reduction of 64-bit words`);
}

/** The folds of complex64 accumulators (vec2<f32>: real, imaginary part). */
function foldForComplex(op: string): Fold {
  if (op === "sum") return { init: "vec2<f32>(0.0, 0.0)", fold: "a + b" };
  if (op === "prod") return { init: "vec2<f32>(1.0, 0.0)", fold: "c_mul(a, b)" };
  throw new Error(`[${op}] is not a reduction of complex64 on webgpu`);
}

export function foldFor(op: string, t: ComputeType): Fold {
  if (t === "c64") return foldForComplex(op);
  if (is64(t) && op !== "all" && op !== "any") return foldFor64(op, t);
  const zero = t === "f32" ? "0.0" : t === "i32" ? "0" : "0u";
  const one = t === "f32" ? "1.0" : t === "i32" ? "1" : "1u";
  switch (op) {
    case "sum":
      return { init: zero, fold: "a + b" };
    case "prod":
      return { init: one, fold: "a * b" };
    case "max":
      return t === "f32" ? { init: "-inf_f32()", fold: "maximum_f(a, b)" } : { init: t === "i32" ? "-2147483647 - 1" : "0u", fold: "max(a, b)" };
    case "min":
      return t === "f32" ? { init: "inf_f32()", fold: "minimum_f(a, b)" } : { init: t === "i32" ? "2147483647" : "4294967295u", fold: "min(a, b)" };
    case "all":
      return { init: "1u", fold: "a & b" };
    case "any":
      return { init: "0u", fold: "a | b" };
  }
  throw new Error(`[${op}] is not a reduction`);
}

function betterFor(op: string, v: ComputeType): string {
  const cmp = op === "argmax" ? ">" : "<";
  const tie = `(x == y && xi < yi)`;
  if (is64(v)) return `${v}_lt(${op === "argmax" ? "y, x" : "x, y"}) || (w64_eq(x, y) && xi < yi)`;
  if (v !== "f32") return `(x ${cmp} y) || ${tie}`;
  // one u32 key each (dtypes.wgsl argmax_key/argmin_key, on the bits): the first NaN wins, -0 ties +0, subnormals are never flushed
  return `key_wins(${op}_key(x), xi, ${op}_key(y), yi)`;
}

/** reduce.wgsl's WORD_SHIFT and RUN_LOAD: an element of `d` from its word `w` and its bit there. */
function runLoad(d: DType): { WORD_SHIFT: string; RUN_LOAD: string } {
  if (d.size > 4) return { WORD_SHIFT: "0", RUN_LOAD: "load_0(w)" };
  const shift = String(wordShift(d));
  if (d === bfloat16) return { WORD_SHIFT: shift, RUN_LOAD: "bitcast<f32>((in0[w] << (16u - bit)) & 0xffff0000u)" };
  return { WORD_SHIFT: shift, RUN_LOAD: d.size === 4 ? `unpack_${d.name}(in0[w], 0u)` : `unpack_${d.name}(in0[w] >> bit, 0u)` };
}

/**
 * wgsl/reduce.wgsl's loop over whole steps of `loads` elements 256 apart
 * (all inside the chunk), every load issued before any fold: element 256 i of
 * a step folds into accumulator i % 4, in order, so a step of sixteen folds
 * exactly as two of eight.
 */
function stepLoop(loads: number, isArg: boolean): string {
  const span = 256 * (loads - 1);
  const lines = [`let end${loads} = select(0u, r_end - ${span}u, r_end > ${span}u);`, `for (; r < end${loads}; r += ${256 * loads}u) {`];
  for (let i = 0; i < loads; i++) lines.push(`  let v${i} = run_load(u32(off${i ? ` + ${i} * s256` : ""}), bit);`);
  for (let q = 0; q < 4; q++) {
    let acc = isArg ? `b${q}` : `a${q}`;
    for (let i = q; i < loads; i += 4) acc = isArg ? `pick(${acc}, Best(v${i}, r${i ? ` + ${256 * i}u` : ""}))` : `fold(${acc}, lift(v${i}))`;
    lines.push(`  ${isArg ? `b${q}` : `a${q}`} = ${acc};`);
  }
  lines.push(`  off += ${loads} * s256;`, "}");
  return lines.join("\n      ");
}

/**
 * reduce.wgsl's WHOLE_STEPS: steps of eight loads in flight, after steps of
 * sixteen for packed 8/16-bit elements, whose words bring an invocation only
 * part of their bytes (H200 device time, share of the copy kernel's, two runs
 * each, before long contiguous sums read whole quads: f16 sum 64M 63% -> 65%,
 * rows of 4096 52% -> 57-58%; bf16 63% -> 65%, 55% -> 59%).
 */
function wholeSteps(d: DType, isArg: boolean): string {
  return [...(d.size < 4 ? [stepLoop(16, isArg)] : []), stepLoop(8, isArg)].join("\n      ");
}

/**
 * wgsl/segments.wgsl's and wgsl/reduce-groups.wgsl's EIGHT_STEPS: while eight
 * of an invocation's elements r, r + dr, ..., r + 7 dr lie in the segment (R
 * elements from `base`, one merged reduced dim of step `step0`, consecutive
 * elements of the invocation `s` apart), all eight are loaded before any is
 * folded into acc (arg-reductions: best_v, best_i), in that order.
 */
function eightSteps(dr: string, isArg: boolean): string {
  const index = (i: number) => (i ? `r + ${i}u * ${dr}` : "r");
  const lines = [`for (; r + 7u * ${dr} < R; r += 8u * ${dr}) {`, "  let off = base + i32(r) * step0;"];
  for (let i = 0; i < 8; i++) lines.push(`  let v${i} = load_0(u32(off${i ? ` + ${i} * s` : ""}));`);
  if (isArg) {
    for (let i = 0; i < 8; i++) lines.push(`  take_arg(v${i}, ${index(i)});`);
  } else {
    lines.push(`  acc = ${Array.from({ length: 8 }, (_, i) => i).reduce((a, i) => `fold(${a}, lift(v${i}))`, "acc")};`);
  }
  lines.push("}");
  return lines.join("\n    ");
}

/**
 * segments.wgsl's and reduce-groups.wgsl's TAKE_ARG: fn take_arg(v, r)
 * (empty but for arg-reductions), which makes element r (value v) the best of
 * an invocation's elements where it beats the best so far (its elements come
 * in index order, so ties keep the best). Float values compare order keys
 * (dtypes.wgsl argmax_key / argmin_key: the first NaN wins, -0 ties +0), the
 * best's kept in best_key rather than computed again at every element (none
 * is 0: the first element always beats it); other values compare by `better`.
 */
function argTaker(op: string, isArg: boolean, v: ComputeType): string {
  if (!isArg) return `fn take_arg(v: ${v}, r: u32) {}`;
  if (v !== "f32") return `fn take_arg(v: ${v}, r: u32) { if (best_i == NONE || better(v, r, best_v, best_i)) { best_v = v; best_i = r; } }`;
  return `fn take_arg(v: f32, r: u32) { let k = ${op}_key(v); if (k > best_key) { best_key = k; best_v = v; best_i = r; } }`;
}

/**
 * reduce-groups.wgsl's TAKE_LANE: fn take_lane(j) (empty but for
 * arg-reductions), lane j's best (none where its index is NONE) taken where it
 * beats the best so far (ties to the lower index). Float values compare the
 * lanes' order keys (part_k) instead of computing both keys again for each
 * lane: lane 0's fold of 32 lanes was what held grouped argmax back (H200,
 * rows of 1024 / 256 against the copy kernel: float32 39% -> 62-64%, float16
 * 18% -> 29%).
 */
function laneTaker(isArg: boolean, v: ComputeType): string {
  if (!isArg) return "fn take_lane(j: u32) {}";
  if (v !== "f32") return "fn take_lane(j: u32) { let i = part_i[j]; if (i != NONE && (best_i == NONE || better(part_v[j], i, best_v, best_i))) { best_v = part_v[j]; best_i = i; } }";
  return "fn take_lane(j: u32) { let i = part_i[j]; let k = part_k[j]; if (i != NONE && (k > best_key || (k == best_key && i < best_i))) { best_key = k; best_v = part_v[j]; best_i = i; } }";
}

/** The ROWS_DISPATCH slot of wgsl/reduce.wgsl and wgsl/reduce-keys.wgsl: main hands a workgroup of several rows to rows_main. */
function rowsDispatch(rows: number): string {
  return rows > 1 ? "if (ROWS > 1u) {\n    rows_main(g, lid);\n    return;\n  }" : "";
}

/** Workgroups a reduction of several rows a workgroup must still have (fewer rows a workgroup otherwise). */
const ROWS_MIN_WORKGROUPS = 1024;

/**
 * Segments a workgroup of wgsl/reduce.wgsl takes where they are contiguous
 * rows in one chunk of at most 8 elements an invocation (`perInvocation`):
 * enough rows for 16 loads an invocation in flight, where that leaves at
 * least ROWS_MIN_WORKGROUPS workgroups. H200, device time against the copy
 * kernel, sums of rows of 2048 (two a workgroup): float32 88% -> 99%,
 * float16 39% -> 43%, bfloat16 41% -> 46%.
 */
function reduceRows(nOut: number, perInvocation: number): number {
  if (perInvocation > 8) return 1;
  let rows = 1;
  while (rows * 2 * perInvocation <= 16 && nOut / (rows * 2) >= ROWS_MIN_WORKGROUPS) rows *= 2;
  return rows;
}

/**
 * reduce.wgsl's ROWS_MAIN for `rows` contiguous segments (R elements each,
 * one chunk) of at most `perInvocation` elements an invocation, for the
 * reductions other than argmax/argmin: every row's elements loaded first
 * (clamped into the row), then row by row folded in reduce.wgsl's stated
 * order (element lid + 256 m into accumulator m % 4, m ascending) and
 * finished, so each row's result has the bits of a workgroup of its own.
 */
function reduceRowsMain(rows: number, perInvocation: number, t: ComputeType, init: string): string {
  if (rows === 1) return "";
  const lines = ["fn rows_main(g: u32, lid: u32) {", "  let nk = kept_dim_count();", "  let R = params[1];", "  let last = R - 1u;", "  var no_best: Best;", "  no_best.i = NONE;"];
  for (let j = 0; j < rows; j++) {
    lines.push(
      `  let c_${j} = chunk_of(g * ROWS + ${j}u);`,
      `  var base_${j} = 0u;`,
      `  if (c_${j}.valid) { base_${j} = u32(segment_base(nk, 1u, c_${j}.o)); }`,
    );
    for (let m = 0; m < perInvocation; m++) lines.push(`  let v_${j}_${m} = load_0(base_${j} + ${m ? `min(lid + ${256 * m}u, last)` : "lid"});`);
  }
  for (let j = 0; j < rows; j++) {
    lines.push("  {", `    var a0: ${t} = ${init};`, "    var a1 = a0;", "    var a2 = a0;", "    var a3 = a0;", `    if (c_${j}.valid) {`);
    for (let m = 0; m < perInvocation; m++) lines.push(`      if (lid${m ? ` + ${256 * m}u` : ""} < R) { a${m % 4} = fold(a${m % 4}, lift(v_${j}_${m})); }`);
    lines.push("    }", `    finish(g * ROWS + ${j}u, lid, c_${j}.valid, fold(fold(a0, a1), fold(a2, a3)), no_best);`, "  }");
  }
  lines.push("}");
  return lines.join("\n");
}

/**
 * Fewest quads per invocation for wgsl/reduce.wgsl's whole-quad reading. H200,
 * float16 sums along rows, device time, share of the copy kernel's, quads
 * against element loads: 2 quads an invocation (rows of 4096) 44% / 57%, 4
 * (8192) 61% / 70%, 8 (16384) 77% / 72%, 16 (32768) 80% / 70%, the 64M
 * array (16) 75% / 66%; bfloat16 alike.
 */
const QUADS_PER_INVOCATION = 8;

/**
 * Whether wgsl/reduce.wgsl reads whole quads of words (QUADS): a sum or
 * product of packed 8/16-bit elements over one merged reduced dim of stride
 * 1, in chunks that give every invocation at least QUADS_PER_INVOCATION
 * quads (with fewer, the element loads' sixteen in flight are faster).
 */
function readsQuads(op: string, x: Tensor, nk: number, chunkLen: number): boolean {
  const contiguous = x.shape.length === nk + 1 && x.strides[nk] === 1;
  return mayReadQuads(op, x.dtype, chunkLen) && contiguous;
}

/**
 * Whether a reduction of elements of `d` in chunks of `chunkLen` may take the
 * whole-quad reading (where its segments are contiguous): compile's fused
 * reductions, which fold in the element order, run such groups node by node.
 */
export function mayReadQuads(op: string, d: DType, chunkLen: number): boolean {
  return (op === "sum" || op === "prod") && d.size < 4 && chunkLen >= 256 * QUADS_PER_INVOCATION * 4 * elementsPerWord(d);
}

/** Binding 3: the input buffer read as quads of words (reduce.wgsl's QUADS, segments.wgsl's QUAD_ROWS). */
const QUAD_BINDING = "@group(0) @binding(3) var<storage, read> in4: array<vec4<u32>>;\nfn quad(q: u32) -> vec4<u32> { return in4[q]; }";

/** fn take_quad(a, v): `a` folded with the four words of quad v in order. */
const TAKE_QUAD = (t: string) => `fn take_quad(a: ${t}, v: vec4<u32>) -> ${t} { return take_word(take_word(take_word(take_word(a, v.x), v.y), v.z), v.w); }`;

/** fn take_word(a, word) and fn take_quad(a, v): a word's elements of `d` folded into `a` in index order (a float16 word unpacked at once). */
function wordTaker(d: DType, t: string): string {
  const values = d === float16 ? ["h.x", "h.y"] : Array.from({ length: elementsPerWord(d) }, (_, p) => `unpack_${d.name}(word, ${p}u)`);
  const body = `${d === float16 ? "let h = unpack2x16float(word); " : ""}return ${values.reduce((acc, v) => `fold(${acc}, lift(${v}))`, "a")};`;
  return `fn take_word(a: ${t}, word: u32) -> ${t} { ${body} }\n${TAKE_QUAD(t)}`;
}

/**
 * reduce.wgsl's slots of its whole-quad reading: QUADS, QUAD (binding 3),
 * TAKE_WORD (a word's elements folded in index order: a float16 word
 * unpacked at once) and the steps of eight quads in flight, quad i of a step
 * into accumulator i % 4. Where `quads` is false the functions are never
 * called and the steps are empty.
 */
function quadSlots(d: DType, t: ComputeType, quads: boolean): Record<string, string> {
  const perWord = elementsPerWord(d);
  if (!quads) {
    return { QUADS: "false", PER_WORD: String(perWord), QUAD: "fn quad(q: u32) -> vec4<u32> { return vec4<u32>(); }", TAKE_WORD: `fn take_word(a: ${t}, word: u32) -> ${t} { return a; }\n${TAKE_QUAD(t)}`, QUAD_STEP: "", QUAD_LAST_STEP: "" };
  }
  const takeWord = wordTaker(d, t);
  const step = (last: boolean) => {
    const at = (i: number) => (i === 0 ? "q" : last ? `min(q + ${256 * i}u, last)` : `q + ${256 * i}u`);
    const lines = Array.from({ length: 8 }, (_, i) => `let v${i} = quad(${at(i)});`);
    for (let i = 0; i < 8; i++) {
      const take = `a${i % 4} = take_quad(a${i % 4}, v${i});`;
      lines.push(last && i > 0 ? `if (q + ${256 * i}u < span.qb) { ${take} }` : take);
    }
    return lines.join("\n          ");
  };
  return {
    QUADS: "true",
    PER_WORD: String(perWord),
    QUAD: QUAD_BINDING,
    TAKE_WORD: takeWord,
    QUAD_STEP: step(false),
    QUAD_LAST_STEP: step(true),
  };
}

/**
 * Quads of words a row of merged `x` (first `nk` dims kept) has where
 * wgsl/segments.wgsl may read its rows a quad at a time (QUAD_ROWS): one
 * reduced dim of stride 1, whole quads a row, every row starting on a quad,
 * elements of at most 32 bits folded into a 32-bit accumulator; else 0. Each
 * invocation's loads of 4-byte elements were 128-256 bytes apart (a lane a
 * row): H200, device time against the copy kernel, 64M elements as rows of 8
 * / 16 / 32 / 64, element loads -> quads: float32 sum 79 / 48 / 25 / 24% ->
 * 85 / 94 / 76 / 66%, max 67 / 47 / 25 / 24% -> 72 / 78 / 70 / 60%, argmax
 * 59 / 47 / 25 / 24% -> 72 / 72 / 68 / 60%; float16 sum 44 / 39 / 23 / 12%
 * -> 46 / 62 / 70 / 60%, argmax 28 / 29 / 24 / 12% -> 49 / 55 / 55 / 53%.
 */
function quadRowCount(x: Tensor, nk: number, t: ComputeType): number {
  const d = x.dtype, R = x.shape[nk] ?? 0;
  if (is64(t) || t === "c64" || d.size > 4) return 0;
  if (x.shape.length !== nk + 1 || x.strides[nk] !== 1 || (R * d.size) % 16 !== 0) return 0;
  const onQuads = (elements: number) => (elements * d.size) % 16 === 0;
  if (!onQuads(x.offset) || x.shape.some((n, i) => i < nk && n > 1 && !onQuads(x.strides[i]!))) return 0;
  return (R * d.size) / 16;
}

/**
 * Quads a row at most where wgsl/segments.wgsl packs float16/bfloat16 results
 * of two rows an invocation (PAIRS). H200, against one row an invocation and
 * a cast after: float16 sums of rows of 8 / 16 / 32 / 64 46 / 62 / 70 / 60%
 * -> 79 / 87 / 72 / 58% of copy, max 31 / 37 / 39 / 39% -> 39 / 42 / 40 /
 * 23% (bfloat16 alike).
 */
const QUAD_PAIR_ROWS_MAX = 4;

/**
 * wgsl/segments.wgsl's slots of its quad reading of `quadRows` quads a row (0:
 * not read as quads): the row's quads loaded, then its elements folded in index
 * order (arg-reductions: compared in index order, the first one taken); with
 * `pairs`, two rows' quads loaded and folded into pair_result.
 */
function quadRowSlots(d: DType, t: string, quadRows: number, isArg: boolean, pairs: boolean): Record<string, string> {
  if (!quadRows) return { QUAD_ROWS: "0", QUAD_ELEMENTS: "1", QUAD: "", TAKE_WORD: "", QUAD_ROW_FOLD: "", QUAD_PAIR_FOLD: "" };
  const quads = Array.from({ length: quadRows }, (_, i) => i);
  const loads = (v: string, q: string) => quads.map((i) => `let ${v}${i} = quad(${q}${i ? ` + ${i}u` : ""});`);
  const folded = (v: string) => quads.reduce((a, i) => `take_quad(${a}, ${v}${i})`, "acc");
  const perWord = elementsPerWord(d);
  // arg-reductions: each element of the row's quads taken in index order
  const takes = () => Array.from({ length: quadRows * 4 * perWord }, (_, e) => `take_arg(unpack_${d.name}(v${Math.floor(e / (4 * perWord))}.${"xyzw"[Math.floor(e / perWord) % 4]}, ${e % perWord}u), ${e}u);`);
  const rowFold = [...loads("v", "q"), ...(isArg ? takes() : [`acc = ${folded("v")};`])];
  const pairFold = pairs ? [...loads("v", "q"), ...loads("w", "p"), `pair_result[0] = ${folded("v")};`, `pair_result[1] = ${folded("w")};`] : [];
  return {
    QUAD_ROWS: String(quadRows),
    QUAD_ELEMENTS: String(4 * perWord),
    QUAD: QUAD_BINDING,
    TAKE_WORD: isArg ? "" : wordTaker(d, t),
    QUAD_ROW_FOLD: rowFold.join("\n    "),
    QUAD_PAIR_FOLD: pairFold.join("\n      "),
  };
}

/** A reduction kernel's accumulator slots: its type, the lift of an element, the identity and the fold. */
interface Accumulator {
  T: string;
  LIFT: string;
  INIT: string;
  FOLD: string;
}

/**
 * Float max/min of segments.wgsl, reduce-groups.wgsl and compile's
 * fused-reduce.wgsl as a fold of (order key, bits) pairs: an element replaces
 * the accumulator only where its key (dtypes.wgsl argmax_key / argmin_key:
 * NaN above every number, -0 as +0) is strictly greater, so the first NaN and
 * the earlier of -0 and +0 win, the results of maximum_f / minimum_f bit for
 * bit, without recomputing the accumulator's key at every element. H200,
 * device time against the copy kernel: grouped float32 max rows of 1024 / 256
 * 42 / 43% -> 82 / 77%, float16 19% -> 34%; short rows of 16 float32 78% -> 93%.
 */
export function keyValueFold(op: "max" | "min"): Accumulator {
  return { T: "vec2<u32>", LIFT: `vec2<u32>(arg${op}_key(v), bitcast<u32>(v))`, INIT: `lift(${op === "max" ? "-" : ""}inf_f32())`, FOLD: "select(a, b, b.x > a.x)" };
}

/** The f32 result of a folded (order key, bits) pair `r`. */
export const keyValueResult = (r: string): string => `bitcast<f32>(${r}.y)`;

/** Whether a reduction `op` into accumulators of type `t` folds (order key, bits) pairs where segments.wgsl or reduce-groups.wgsl takes it. */
export const foldsKeyValues = (op: string, t: ComputeType): op is "max" | "min" => t === "f32" && (op === "max" || op === "min");

/**
 * reduce.wgsl's PAIRS and PAIR_WORD: with `dtype` (float16 or bfloat16) two
 * output slots a workgroup and their results packed into one word as the
 * cast to `dtype` packs them; without, one slot a workgroup. It saves the
 * cast's dispatch (about 5 us on the H200). Device time against the copy
 * kernel, two runs each: sums of rows of 4096 float16 63% -> 71%, bfloat16
 * 67% -> 72%; of 64M elements (their partials' fold pass) 76% -> 82%,
 * 77% -> 83%.
 */
function pairSlots(dtype: DType | undefined, valueOf = (r: string) => r): Record<string, string> {
  if (!dtype) return { PAIRS: "false", PAIR_WORD: "fn pair_word(both: bool) -> u32 { return 0u; }" };
  const pack = (k: number) => `pack_${dtype.name}(${valueOf(`pair_result[${k}]`)})`;
  return { PAIRS: "true", PAIR_WORD: `fn pair_word(both: bool) -> u32 { return ${pack(0)} | select(0u, ${pack(1)} << 16u, both); }` };
}

/** wgsl/reduce-chunk.wgsl's and wgsl/reduce-segment.wgsl's constants: what of the params a kernel may take as fixed. */
interface LayoutConstants {
  ONE_CHUNK: string;
  ONE_BY_ONE: string;
}

/**
 * The reduction kernels' ONE_CHUNK and ONE_BY_ONE for merged
 * `x` (first `nk` dims kept) in `chunks` chunks a segment. Fixed in the
 * kernel, a workgroup's chunk and segment base need no params loads that
 * wait on others before its first element loads. H200, rows of 4096, device
 * time against the copy kernel: float16 sums 57% -> 63% (the reduce
 * kernel alone, without the cast to float16 after it: 68% -> 83%), bfloat16
 * 58% -> 67%, float16 max 40% -> 44%, argmax 34% -> 37%, float32 argmax
 * 84% -> 87%; grouped sums (reduce-groups.wgsl) of rows of 1024 float16
 * 53% -> 61%, bfloat16 56% -> 65%, of 256 49% -> 57%, 52% -> 61%.
 */
function layoutConstants(x: Tensor, nk: number, chunks: number): LayoutConstants {
  return { ONE_CHUNK: String(chunks === 1), ONE_BY_ONE: String(nk === 1 && x.shape.length === 2) };
}

/** Reductions and input dtypes wgsl/reduce-keys.wgsl folds on integer order keys (segments with a workgroup per output). */
const KEYED_OPS = new Set(["max", "min", "argmax", "argmin"]);
const KEYED_DTYPES = new Set(["float32", "float16", "bfloat16"]);

/**
 * Contiguous keyed chunks a workgroup of wgsl/reduce-keys.wgsl takes: float32
 * chunks of 3 or 4 quads an invocation two a workgroup, where that leaves at
 * least ROWS_MIN_WORKGROUPS workgroups. H200, device time against the copy
 * kernel, argmax / max: float32 rows of 4096 (two a workgroup) 68% -> 85% /
 * 83% -> 95%; rows of 2048 (four) 45% -> 47%; 16-bit rows of 4096 (four) 34%
 * -> 33% / 40% -> 42%, of 2048 (eight) 21% -> 17%, so those keep one (what
 * bounds 16-bit rows is not known). Through reduce.wgsl's rows instead, argmax
 * of rows of 2048 lost: float32 47% -> 29%, float16 17% -> 14%.
 */
function keyedRows(d: DType, nChunks: number, quadsPerInvocation: number): number {
  return d === float32 && quadsPerInvocation >= 3 && quadsPerInvocation <= 4 && nChunks / 2 >= ROWS_MIN_WORKGROUPS ? 2 : 1;
}

/**
 * reduce-keys.wgsl's ROWS_MAIN for `rows` contiguous chunks of at most `quads`
 * quads an invocation: every chunk's quads loaded (clamped into the chunk)
 * before any is taken, then chunk by chunk its elements taken in increasing
 * index (head element, head words, quads, tail words, tail element) and
 * finished.
 */
function keyedRowsMain(rows: number, quads: number): string {
  if (rows === 1) return "";
  const lines = ["fn rows_main(g: u32, lid: u32) {", "  let nk = kept_dim_count();", "  let step0 = single_step(nk);", "  let sh = reduced_dims(nk);"];
  for (let j = 0; j < rows; j++) {
    lines.push(
      `  let c_${j} = chunk_of(g * ROWS + ${j}u);`,
      `  var base_${j} = 0;`,
      `  if (c_${j}.valid) { base_${j} = segment_base(nk, 1u, c_${j}.o); }`,
      `  let s_${j} = quad_spans(u32(base_${j}) + c_${j}.c0, u32(base_${j}) + c_${j}.r_end, PER_WORD);`,
      `  let q_${j} = s_${j}.qa + lid;`,
      `  let last_${j} = max(s_${j}.qb, s_${j}.qa + 1u) - 1u;`,
    );
    for (let i = 0; i < quads; i++) lines.push(`  let v_${j}_${i} = quad(min(q_${j}${i ? ` + ${256 * i}u` : ""}, last_${j}));`);
  }
  for (let j = 0; j < rows; j++) {
    const [c, b, sp, q] = [`c_${j}`, `base_${j}`, `s_${j}`, `q_${j}`];
    lines.push(
      "  hi = I32_MIN;",
      "  lo = I32_MAX;",
      "  best_i = NONE;",
      `  if (${c}.valid) {`,
      `    let e0 = u32(${b}) + ${c}.c0;`,
      `    let e1 = u32(${b}) + ${c}.r_end;`,
      `    if (PER_WORD > 1u && lid == 0u && ${sp}.w0 * PER_WORD > e0 && e0 < e1) { take(bits_at(e0), ${c}.c0); }`,
      `    if (${sp}.w0 + lid < ${sp}.head_end) { take_word(${sp}.w0 + lid, in0[${sp}.w0 + lid], ${b}); }`,
    );
    for (let i = 0; i < quads; i++) {
      const at = i ? `${q} + ${256 * i}u` : q;
      lines.push(`    if (${at} < ${sp}.qb) { take_quad(${at}, v_${j}_${i}, ${b}); }`);
    }
    lines.push(
      `    if (${sp}.tail_start + lid < ${sp}.w1) { take_word(${sp}.tail_start + lid, in0[${sp}.tail_start + lid], ${b}); }`,
      `    if (PER_WORD > 1u && lid == 1u && ${sp}.w1 * PER_WORD < e1 && e0 < e1) { take(bits_at(e1 - 1u), ${c}.r_end - 1u); }`,
      "  }",
      `  finish(g * ROWS + ${j}u, lid, ${c}.valid, ${c}.c0, ${c}.r_end, ${b}, true, step0, sh, 1u);`,
    );
  }
  lines.push("}");
  return lines.join("\n");
}

/**
 * The launch of wgsl/reduce-keys.wgsl for `op` over elements of `d` (float32,
 * float16 or bfloat16), `rows` chunks a workgroup of at most `quads` quads an
 * invocation (rows > 1: contiguous).
 */
function keyedCall(op: string, d: DType, contiguous: boolean, rows: number, quads: number, layout: LayoutConstants, packs?: DType): KernelCall {
  const isArg = op === "argmax" || op === "argmin";
  const wide = d === float32;
  const exact = isArg ? { init: "0.0", fold: "a" } : foldFor(op, "f32");
  return {
    op,
    file: "reduce-keys",
    helpers: helpersFor([d], ["math", "strided", "reduce-segment", "reduce-chunk"]),
    key: `${op},${d.name},${contiguous},${rows},${rows > 1 ? quads : 0},${layout.ONE_CHUNK},${layout.ONE_BY_ONE},${packs?.name ?? ""}`,
    // generated when the kernel is compiled, not at every launch (the unrolled rows cost the H200's host about 19 us each)
    slots: () => ({
      ...layout,
      ROWS: String(rows),
      ROWS_MAIN: keyedRowsMain(rows, quads),
      ROWS_DISPATCH: rowsDispatch(rows),
      INPUT: inputDecl(0, 2, d),
      CONTIGUOUS: String(contiguous),
      QUAD: contiguous
        ? "@group(0) @binding(3) var<storage, read> in4: array<vec4<u32>>;\nfn quad(q: u32) -> vec4<u32> { return in4[q]; }"
        : "fn quad(q: u32) -> vec4<u32> { return vec4<u32>(in0[4u * q], in0[4u * q + 1u], in0[4u * q + 2u], in0[4u * q + 3u]); }",
      BITS: wide ? "bitcast<i32>(in0[e])" : "bitcast<i32>((in0[e >> 1u] << (16u - sh16(e))) & 0xffff0000u)",
      PER_WORD: wide ? "1" : "2",
      INF: d === float16 ? "0x7c000000" : "0x7f800000",
      VALUE: d === float16 ? "unpack2x16float(bitcast<u32>(x) >> 16u).x" : "bitcast<f32>(x)",
      ISARG: String(isArg),
      ISMAX: String(op === "max"),
      ARGKEY: op === "argmin" ? "s - t" : "t - s",
      INIT: exact.init,
      FOLD: exact.fold,
      STORE_VALUE: packs ? `out_words[g] = pack_${packs.name}(f);` : "out_words[g] = bitcast<u32>(f);",
    }),
  };
}

/**
 * The reduction of merged `x` (first `nk` dims kept) as 32-bit words of
 * accumulator type `t` (arg-reductions: u32 indices), one per output element,
 * or already in `outDtype` where the kernel packs float16/bfloat16 results
 * itself (PAIRS). `partials`: `x` holds the float32 partials of a chunked
 * max/min, which reduce.wgsl then folds instead of the keyed kernel (the same
 * bits) where it can write a 16-bit result itself: no cast dispatch after.
 */
function reduceWords(gpu: WebGpuBackend, op: string, x: Tensor, nk: number, t: ComputeType, outDtype?: DType, partials = false): Tensor {
  const isArg = op === "argmax" || op === "argmin";
  const nOut = x.shape.slice(0, nk).reduce((p, d) => p * d, 1);
  const R = x.shape.slice(nk).reduce((p, d) => p * d, 1);
  if (R >= MAX_SEGMENT) {
    if (isArg) throw new RangeError(`[${op}] cannot reduce ${R} elements per output on webgpu: its kernels index with 32-bit words and take fewer than 2^31 (input shape [${x.shape.join(", ")}])`);
    return reduceInPieces(gpu, op, x, nk, t);
  }
  const word = isArg ? uint32 : WORD_DTYPE[t];
  const chunks = R <= SEGMENT_INVOCATION_MAX ? 1 : chunksFor(nOut, R);
  const v = computeType(x.dtype);
  const f = isArg ? { init: "0u", fold: "a" } : foldFor(op, t);
  // arg-reductions compare the values themselves (lift unused)
  const lift = isArg ? "0u" : op === "all" || op === "any" ? (is64(v) ? "select(0u, 1u, w64_nz(v))" : "select(0u, 1u, v != 0u)") : v === t ? "v" : `${t}(v)`;
  const packs16 = is16BitFloat(outDtype);
  // float16/bfloat16 max/min of a whole array's partials of a few chunks: reduce.wgsl packs the result itself where
  // segments.wgsl would leave a cast to follow; the same bits, as maximum_f/minimum_f (the first NaN, ties to the left
  // operand, a total order of keys) give the leftmost best element however the fold is grouped (H100, [1M] float16
  // 11.96 -> 10.4 us a op; partials of many outputs, a workgroup a pair of them, keep segments.wgsl: not measured)
  const short = R <= SEGMENT_INVOCATION_MAX && !(partials && packs16 && nOut === 1 && (op === "max" || op === "min"));
  const lanes = groupedLanes(nOut, R, chunks);
  // float16/bfloat16 sums and products of many contiguous rows on whole quads: a group of lanes a row (its own stated order)
  if (!short && chunks === 1 && nk === 1 && takesSumRows16(gpu, op, x, outDtype)) return sumRows16(gpu, op, x, outDtype!);
  // one long contiguous float16/bfloat16 segment: rows of its own (the same kernel), their float32 results folded here
  if (chunks > 1 && takesWholeSumRows16(gpu, op, x, nk, outDtype)) {
    const rowResults = wholeSumRows16(gpu, op, x);
    const folded = reduceWords(gpu, op, rowResults, 1, t, outDtype, true);
    gpu.release(rowResults.buffer);
    return folded;
  }
  // argmax/argmin of long contiguous segments (several chunks each): rows of their own, their results folded
  if (isArg && chunks > 1) {
    const taken = argSegments(gpu, op as "argmax" | "argmin", x, nk);
    if (taken) return taken;
  }
  // float rows on whole quads, each in one chunk: a group of lanes a row, folded by subgroup operations (short rows
  // too, several rows a subgroup); max and min with the bits of the kernel that would fold them (reduce.wgsl's or
  // reduce-groups.wgsl's; short rows segments.wgsl's, through the argmax kernel); not the partials of chunks
  const maxOrMin = (op === "max" || op === "min") && !partials;
  if (chunks === 1 && nk === 1 && (isArg || maxOrMin)) {
    const taken = isArg ? argRows(gpu, op, x, short) : short ? maxShortRows(gpu, op, x, outDtype) : maxRows(gpu, op, x, lanes, outDtype);
    if (taken) return taken;
  }
  // argmax/argmin of a whole contiguous array in one chunk: one row of those kernels (H100, device time per op in
  // passes of ten, against the keyed kernel: [4096] float16 4.86 -> 4.04 us, float32 4.91 -> 3.85 us)
  if (isArg && chunks === 1 && nk === 0 && x.shape.length === 1 && x.strides[0] === 1) {
    const taken = argRows(gpu, op, { ...x, shape: [1, R], strides: [R, 1] }, short);
    if (taken) return taken;
  }
  const contiguous = x.shape.length === nk + 1 && x.strides[nk] === 1;
  const keyed = !short && !lanes && KEYED_OPS.has(op) && KEYED_DTYPES.has(x.dtype.name) && !(partials && packs16);
  // reduce.wgsl: a workgroup per output (or per chunk of one)
  const wholeWorkgroups = !short && !lanes && !keyed;
  const layout = layoutConstants(x, nk, chunks);
  // short rows read a quad of words at a time where they lie on quads (wgsl/segments.wgsl)
  const quadRows = short ? quadRowCount(x, nk, t) : 0;
  // contiguous rows in one chunk of at most 8 elements an invocation, enough of them for several a workgroup
  // (not arg-reductions: float argmax that way measured slower than the keyed kernel, integer argmax not measured)
  const perInvocation = Math.ceil(R / 256);
  const rows = wholeWorkgroups && !isArg && chunks === 1 && contiguous ? reduceRows(nOut, perInvocation) : 1;
  // float16/bfloat16 results the kernel packs itself (PAIRS): two output slots a workgroup, or an invocation of segments.wgsl
  const pairable = (wholeWorkgroups && rows === 1 && chunks === 1) || (quadRows > 0 && quadRows <= QUAD_PAIR_ROWS_MAX);
  const pairDtype = pairable && packs16 && t === "f32" && !isArg ? outDtype : undefined;
  // the keyed kernel's float16/bfloat16 max/min of one output in one chunk: its word its own, packed there
  const keyPacks = keyed && !isArg && packs16 && nOut * chunks === 1 ? outDtype : undefined;
  const res = gpu.allocOutput({ shape: chunks > 1 ? [nOut, chunks] : [nOut], dtype: keyPacks ?? pairDtype ?? word });
  if (nOut === 0) return res;
  if (keyed) {
    // one reduced dim of stride 1: the kernel also reads the buffer as quads of words (binding 3)
    const inputs = contiguous ? [gpu.gpuBuffer(x), gpu.gpuBuffer(x)] : [gpu.gpuBuffer(x)];
    // quads an invocation per chunk, at most (a chunk's whole quads [ceil(w0 / 4), floor(w1 / 4)): at most a quarter of its words)
    const quads = Math.ceil(Math.ceil(Math.ceil(Math.ceil(R / chunks) / elementsPerWord(x.dtype)) / 4) / 256);
    const keyRows = contiguous ? keyedRows(x.dtype, nOut * chunks, quads) : 1;
    gpu.run(keyedCall(op, x.dtype, contiguous, keyRows, quads, layout, keyPacks), gpu.gpuBuffer(res), reduceParams(x, nk, chunks), inputs, Math.ceil((nOut * chunks) / keyRows));
  } else {
    const quads = wholeWorkgroups && rows === 1 && readsQuads(op, x, nk, Math.ceil(R / chunks));
    // float max/min one invocation or a group of lanes an output: (key, bits) pairs folded
    const keyValue = (short || lanes > 0) && foldsKeyValues(op, t);
    gpu.run(
      {
        op,
        file: short ? "segments" : lanes ? "reduce-groups" : "reduce",
        helpers: helpersFor([x.dtype, word], short || lanes ? ["math", "strided", "reduce-segment"] : ["math", "strided", "reduce-segment", "reduce-chunk"]),
        key: `${op},${x.dtype.name},${t},${lanes},${quads},${rows},${rows > 1 ? perInvocation : 0},${layout.ONE_CHUNK},${layout.ONE_BY_ONE},${pairDtype?.name ?? ""},${quadRows},${keyValue}`,
        slots: () => {
          const acc: Accumulator = keyValue ? keyValueFold(op as "max" | "min") : { T: t, LIFT: lift, INIT: f.init, FOLD: f.fold };
          return {
            ...layout,
            ...pairSlots(pairDtype, keyValue ? keyValueResult : undefined),
            ROWS: String(rows),
            ROWS_DISPATCH: rowsDispatch(rows),
            ROWS_MAIN: reduceRowsMain(rows, perInvocation, t, f.init),
            ...(short ? quadRowSlots(x.dtype, acc.T, quadRows, isArg, pairDtype !== undefined) : quadSlots(x.dtype, t, quads)),
            LANES: String(lanes),
            EIGHT_STEPS: eightSteps(lanes ? "LANES" : "1u", isArg),
            WHOLE_STEPS: wholeSteps(x.dtype, isArg),
            INPUT: inputDecl(0, 2, x.dtype),
            ...runLoad(x.dtype),
            V: v,
            ...acc,
            ISARG: String(isArg),
            BETTER: isArg ? betterFor(op, v) : "false",
            TAKE_ARG: argTaker(op, isArg, v),
            TAKE_LANE: laneTaker(isArg, v),
            STORE: pairDtype ? "pair_result[i & 1u] = r;" : keyValue ? "out_words[i] = r.y;" : is64(t) ? "out_words[2u * i] = r.x; out_words[2u * i + 1u] = r.y;" : t === "c64" ? "out_words[2u * i] = bitcast<u32>(r.x); out_words[2u * i + 1u] = bitcast<u32>(r.y);" : `out_words[i] = ${t === "u32" ? "r" : "bitcast<u32>(r)"};`,
          };
        },
      },
      gpu.gpuBuffer(res),
      reduceParams(x, nk, chunks),
      quads || quadRows ? [gpu.gpuBuffer(x), gpu.gpuBuffer(x)] : [gpu.gpuBuffer(x)],
      short ? Math.ceil(nOut / (pairDtype ? 512 : 256)) : lanes ? Math.ceil(nOut / (256 / lanes)) : pairDtype ? Math.ceil(nOut / 2) : Math.ceil((nOut * chunks) / rows),
    );
  }
  if (chunks === 1) return res;
  if (isArg) {
    // the chunks' winning indices (a word of partials cannot hold the value too): their values re-read
    const picked = gpu.allocOutput({ shape: [nOut], dtype: uint32 });
    const slots = { INPUT: inputDecl(0, 2, x.dtype), V: v, BETTER: betterFor(op, v), ONE_BY_ONE: layout.ONE_BY_ONE };
    gpu.run({ op, file: "reduce-arg-partials", helpers: helpersFor([x.dtype], ["math", "strided", "reduce-segment"]), key: `${op},${x.dtype.name},${layout.ONE_BY_ONE}`, slots }, gpu.gpuBuffer(picked), reduceParams(x, nk, chunks), [gpu.gpuBuffer(x), gpu.gpuBuffer(res)], nOut);
    gpu.release(res.buffer);
    return picked;
  }
  // fold the partials of each output (all/any partials are 0/1 words, folded as any/all of uint32)
  const folded = reduceWords(gpu, op, res, 1, t, outDtype, true);
  gpu.release(res.buffer);
  return folded;
}

/**
 * A segment too long for 32-bit indices: reduced in pieces along its first
 * (outermost) merged reduced dim, each piece short enough, or one index of that
 * dim at a time when the inner dims alone are too long (each then split
 * again); the pieces' words are folded elementwise.
 */
function reduceInPieces(gpu: WebGpuBackend, op: string, x: Tensor, nk: number, t: ComputeType): Tensor {
  const outer = x.shape[nk]!, stride = x.strides[nk]!;
  const inner = x.shape.slice(nk + 1).reduce((p, d) => p * d, 1);
  const rows = inner < MAX_SEGMENT ? Math.max(1, Math.floor((MAX_SEGMENT - 1) / inner)) : 1;
  const fold = foldFor(op, t).fold;
  let acc: Tensor | undefined;
  for (let start = 0; start < outer; start += rows) {
    const n = Math.min(rows, outer - start);
    const piece: Tensor = { ...x, shape: x.shape.map((d, i) => (i === nk ? n : d)), offset: x.offset + start * stride };
    const words = reduceWords(gpu, op, piece, nk, t);
    if (!acc) {
      acc = words;
      continue;
    }
    const next = mapKernel(gpu, op, [acc, words], { shape: acc.shape, dtype: acc.dtype }, fold, false);
    gpu.release(acc.buffer);
    gpu.release(words.buffer);
    acc = next;
  }
  return acc!;
}

function runReduce(gpu: WebGpuBackend, op: string, x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const isArg = op === "argmax" || op === "argmin";
  const t: ComputeType = isArg || op === "all" || op === "any" ? "u32" : computeType(out.dtype);
  const m = merged(x, axes);
  // float16/bfloat16 results may come back in the output dtype already (reduce.wgsl's PAIRS): then no cast
  const words = reduceWords(gpu, op, m.x, m.nk, t, out.dtype);
  return castResult(gpu, { ...words, shape: out.shape, strides: rowMajorStrides(out.shape) }, out);
}

export function reduceKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => {
    const p = prim as Reduce | ArgReduce;
    return runReduce(gpu, p.name, x!, "axes" in p ? p.axes : [p.axis], out);
  };
}
