// CPU reductions: every output element reduces one segment of the input
// (the reduced axes, in row-major order). sum/prod accumulate in float64
// (sum compensated, Neumaier), integers wrap, max/min/argmax/argmin
// propagate NaN as NumPy; logsumexp/softmax subtract the max first.

import type { Backend, Kernel, Tensor } from "../backend.js";
import { complex64, is64BitInt, type DType } from "../../src/dtype.js";
import type { ArgReduce, LogSumExp, Reduce, Softmax } from "../../src/primitives/reduce.js";
import { rowMajorStrides } from "../../src/shape.js";
import { H } from "./math.js";
import { readAs, writeAs } from "./elementwise.js";
import { collapseDims } from "../strides.js";
import { allocOutput, offsets, OffsetWalker, scratchF64, wordsOf } from "./tensor.js";
import { storeFn } from "./float64-values.js";

export interface Segments {
  /** Start of each segment (one per output element, row-major over the kept axes). */
  base: Float64Array;
  /** Elements per segment. */
  R: number;
  /** Offsets inside a segment, or null when they are r * stride or walked (`walk`). */
  red: Float64Array | null;
  stride: number;
  /**
   * Reduced dims that merge into no single stride, too many elements for a
   * table (a broadcast makes billions for free): each segment walks their
   * offsets a block of BLOCK at a time, in bounded scratch.
   */
  walk: { shape: number[]; strides: number[] } | null;
}

/** Elements per block of a segment: the float sum's blocks, and the offsets walked at a time. */
export const BLOCK = 4096;
/** A segment's offsets are tabled up to this many elements (8 bytes each), else walked a block at a time. */
const RED_TABLE_MAX = 1 << 16;

export function segments(shape: readonly number[], strides: readonly number[], offset: number, axes: readonly number[]): Segments {
  const kept = [...shape.keys()].filter((d) => !axes.includes(d));
  const k = collapseDims(kept.map((d) => shape[d]!), [kept.map((d) => strides[d]!)]);
  const r = collapseDims(axes.map((d) => shape[d]!), [axes.map((d) => strides[d]!)]);
  const base = offsets(k.shape, k.strides[0]!, offset);
  const R = axes.reduce((p, d) => p * shape[d]!, 1);
  if (r.shape.length <= 1) return { base, R, red: null, stride: r.strides[0]![0] ?? 1, walk: null };
  if (R > RED_TABLE_MAX) return { base, R, red: null, stride: 0, walk: { shape: r.shape, strides: r.strides[0]! } };
  return { base, R, red: offsets(r.shape, r.strides[0]!, 0), stride: 0, walk: null };
}

/** A walker of a segment's offsets (relative to its start) in row-major order. */
export function segmentWalker(seg: Segments): OffsetWalker {
  if (seg.walk) return new OffsetWalker(seg.walk.shape, seg.walk.strides, 0);
  if (seg.red) return new OffsetWalker([seg.R], [1], 0);
  return new OffsetWalker([seg.R], [seg.stride], 0);
}

/**
 * Calls `visit(offs, n)` with the offsets of a segment's elements (relative
 * to its start), n <= BLOCK at a time in row-major order: bounded scratch
 * however long the segment.
 */
function forEachBlock(seg: Segments, blk: Float64Array, visit: (offs: Float64Array, n: number) => void): void {
  if (seg.red) {
    for (let b = 0; b < seg.R; b += BLOCK) visit(seg.red.subarray(b), Math.min(BLOCK, seg.R - b));
    return;
  }
  const wk = segmentWalker(seg);
  for (let b = 0; b < seg.R; b += BLOCK) visit(blk, wk.next(blk, BLOCK));
}

/** Offsets of every element of a segment (a table in counted scratch: for segments as long as an output row). */
function segmentOffsets(seg: Segments): Float64Array {
  if (seg.red) return seg.red;
  const out = scratchF64(seg.R);
  segmentWalker(seg).next(out, seg.R);
  return out;
}

/** Adds `blk` into the compensated pair (acc, comp). */
const FOLD = "{ const t = acc + blk; if (Math.abs(acc) >= Math.abs(blk)) comp += (acc - t) + blk; else comp += (blk - t) + acc; acc = t; }";

export interface Reducer {
  init: string;
  step: string;
  result: string;
}

/** The fold of reduction `op` over elements `a` of `dtype` (FLOAT_SUM: the float sum, whose loop is floatSumStatements). */
export function reducerFor(op: string, dtype: DType): Reducer | undefined {
  const big = is64BitInt(dtype), float = dtype.kind === "float";
  switch (op) {
    case "sum":
      if (float) return FLOAT_SUM;
      return big ? { init: "let acc = 0n;", step: "acc += a;", result: "acc" } : { init: "let acc = 0;", step: "acc = (acc + a) | 0;", result: "acc" };
    case "prod":
      if (float) return { init: "let acc = 1;", step: "acc *= a;", result: "acc" };
      return big ? { init: "let acc = 1n;", step: "acc = BigInt.asUintN(64, acc * a);", result: "acc" } : { init: "let acc = 1;", step: "acc = Math.imul(acc, a);", result: "acc" };
    case "max":
    case "min": {
      const cmp = op === "max" ? ">" : "<";
      return { init: "let acc;", step: `if (r === 0 || a ${cmp} acc || a !== a) { if (acc === acc || r === 0) acc = a; }`, result: "acc" };
    }
    case "all":
      return { init: "let acc = 1;", step: "if (a === 0) acc = 0;", result: "acc" };
    case "any":
      return { init: "let acc = 0;", step: "if (a !== 0) acc = 1;", result: "acc" };
    case "argmax":
    case "argmin": {
      const cmp = op === "argmax" ? ">" : "<";
      return { init: "let best, acc = 0;", step: `if (r === 0 || a ${cmp} best || (a !== a && best === best)) { best = a; acc = r; }`, result: "acc" };
    }
  }
  return undefined;
}

type ReduceLoop = (out: ArrayLike<number | bigint> & Record<number, unknown>, I: ArrayLike<unknown>, seg: Segments, walker: (seg: Segments) => OffsetWalker, blk: Float64Array) => void;
const loops = new Map<string, ReduceLoop>();

/** Marker for the float sum, which has its own loop: two float64 partial sums per block of 4096, blocks folded with compensation. */
export const FLOAT_SUM: Reducer = { init: "", step: "", result: "" };

/**
 * The float sum's statements, leaving it in `acc`: two float64 partial sums per
 * block of 4096 (`at(r)` is element r), blocks folded with compensation;
 * `onBlock` runs as each block [b, e) starts.
 */
export function floatSumStatements(at: (r: string) => string, onBlock = ""): string {
  return `let acc = 0, comp = 0;
      for (let b = 0; b < R; b += 4096) {
        const e = b + 4096 < R ? b + 4096 : R;
        ${onBlock}
        let s0 = 0, s1 = 0, r = b;
        for (; r + 1 < e; r += 2) { s0 += ${at("r")}; s1 += ${at("(r + 1)")}; }
        if (r < e) s0 += ${at("r")};
        const blk = s0 + s1; ${FOLD}
      }
      // once a block is infinite or NaN the compensation is meaningless (inf - inf): the plain sum is the IEEE result
      acc = acc - acc === 0 ? acc + comp : acc;`;
}

/**
 * `types` names the input and output storage so each pairing gets its own
 * (monomorphic) loop. Walked segments (seg.walk) fold in blocks of 4096 whose
 * offsets the walker writes into `offs` as each block starts: the same order
 * of elements as a table.
 */
function compileReduce(types: string, read: string, r: Reducer, write: string): ReduceLoop {
  const key = [types, read, r === FLOAT_SUM ? "floatSum" : r.init, r.step, r.result, write].join("|");
  let f = loops.get(key);
  if (!f) {
    const load = (at: (idx: string) => string, idx: string) => read.replace(/@/g, at(idx));
    const generic = (at: (idx: string) => string) =>
      `{ ${r.init} for (let r = 0; r < R; r++) { const a = ${load(at, "r")}; ${r.step} } out[o] = ${write.replace(/\$/g, r.result)}; }`;
    const genericBlocks = (at: (idx: string) => string, onBlock: string) =>
      `{ ${r.init} for (let b = 0; b < R; b += 4096) { const e = b + 4096 < R ? b + 4096 : R; ${onBlock} for (let r = b; r < e; r++) { const a = ${load(at, "r")}; ${r.step} } } out[o] = ${write.replace(/\$/g, r.result)}; }`;
    const floatSum = (at: (idx: string) => string, onBlock = "") => `{ ${floatSumStatements((i) => load(at, i), onBlock)} out[o] = ${write.replace(/\$/g, "acc")}; }`;
    const body = r === FLOAT_SUM ? floatSum : generic;
    const walked = r === FLOAT_SUM ? floatSum : genericBlocks;
    f = new Function(
      "H",
      `return function reduceLoop(out, I, seg, walker, offs) {
        const base = seg.base, red = seg.red, R = seg.R, s = seg.stride, n = base.length;
        if (red) { for (let o = 0; o < n; o++) { const p = base[o] | 0; ${body((i) => `I[p + red[${i}]]`)} } }
        else if (seg.walk) { for (let o = 0; o < n; o++) { const p = base[o] | 0; const wk = walker(seg); ${walked((i) => `I[p + offs[${i} - b]]`, "wk.next(offs, e - b);")} } }
        else if (s === 1) { for (let o = 0; o < n; o++) { const p = base[o] | 0; ${body((i) => `I[p + ${i}]`)} } }
        else { for (let o = 0; o < n; o++) { const p = base[o] | 0; ${body((i) => `I[p + ${i} * s]`)} } }
      };`,
    )(H) as ReduceLoop;
    loops.set(key, f);
  }
  return f;
}

function complexSum(op: "sum" | "prod", x: Tensor, seg: Segments, w: Float32Array): void {
  const I = wordsOf(x) as Float32Array;
  const blk = new Float64Array(BLOCK);
  for (let o = 0; o < seg.base.length; o++) {
    let re = op === "sum" ? 0 : 1, im = 0;
    const start = seg.base[o]!;
    forEachBlock(seg, blk, (offs, n) => {
      for (let r = 0; r < n; r++) {
        const p = 2 * (start + offs[r]!);
        const a = I[p]!, b = I[p + 1]!;
        if (op === "sum") {
          re += a;
          im += b;
        } else [re, im] = [re * a - im * b, re * b + im * a];
      }
    });
    w[2 * o] = re;
    w[2 * o + 1] = im;
  }
}

export function reduceKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const p = prim as Reduce | ArgReduce;
    const axes = "axes" in p ? p.axes : [p.axis];
    // the output first: a view too large to reduce here fails on it before any scratch
    const { t, w } = allocOutput(backend, out);
    const seg = segments(x!.shape, x!.strides, x!.offset, axes);
    if (x!.dtype === complex64) {
      complexSum(p.name as "sum" | "prod", x!, seg, w as Float32Array);
      return t;
    }
    const r = reducerFor(p.name, x!.dtype);
    if (!r) throw new Error(`[${p.name}] has no CPU kernel for dtype ${x!.dtype.name}`);
    const write = p.name === "argmax" || p.name === "argmin" ? "$" : writeAs(out.dtype, "$");
    compileReduce(`${x!.dtype.name}>${out.dtype.name}`, readAs(x!.dtype), r, write)(w, wordsOf(x!), seg, segmentWalker, new Float64Array(BLOCK));
    return t;
  };
}

/** Decodes one segment into float64 scratch. */
function loadSegment(I: ArrayLike<number>, dtype: DType, p: number, red: Float64Array, scratch: Float64Array): void {
  const dec = decoderOf(dtype);
  for (let r = 0; r < red.length; r++) {
    const v = I[p + red[r]!]!;
    scratch[r] = dec ? dec[v]! : v;
  }
}

function decoderOf(dtype: DType): ArrayLike<number> | null {
  return dtype.name === "float16" ? H.T16 : dtype.name === "bfloat16" ? H.TB16 : null;
}

function segmentMax(s: Float64Array): number {
  let m = -Infinity;
  for (const v of s) {
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/**
 * log(sum(exp(x))) over each segment, read twice (its max, then the sum of
 * exp(x - max) in order) a block at a time: no scratch as long as the
 * segment, which a broadcast makes as long as 2^53.
 */
export function logsumexpKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const { t, w } = allocOutput(backend, out);
    const seg = segments(x!.shape, x!.strides, x!.offset, (prim as LogSumExp).axes);
    const I = wordsOf(x!) as ArrayLike<number>;
    const store = storeFn(out.dtype);
    const dec = decoderOf(x!.dtype);
    const blk = new Float64Array(BLOCK);
    for (let o = 0; o < seg.base.length; o++) {
      const p = seg.base[o]!;
      let m = -Infinity;
      forEachBlock(seg, blk, (offs, n) => {
        for (let r = 0; r < n && m === m; r++) {
          const v = I[p + offs[r]!]!;
          const a = dec ? dec[v]! : v;
          if (a !== a) m = NaN;
          else if (a > m) m = a;
        }
      });
      let v: number;
      if (m !== m || m === Infinity || m === -Infinity) v = m;
      else {
        let s = 0;
        forEachBlock(seg, blk, (offs, n) => {
          for (let r = 0; r < n; r++) {
            const e = I[p + offs[r]!]!;
            s += Math.exp((dec ? dec[e]! : e) - m);
          }
        });
        v = m + Math.log(s);
      }
      w[o] = store(v);
    }
    return t;
  };
}

export function softmaxKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const axes = (prim as Softmax).axes;
    const { t, w } = allocOutput(backend, out);
    const seg = segments(x!.shape, x!.strides, x!.offset, axes);
    const oseg = segments(out.shape, rowMajorStrides(out.shape), 0, axes);
    const I = wordsOf(x!) as ArrayLike<number>;
    const store = storeFn(out.dtype);
    // (a segment is a row of the output: its scratch is counted)
    const red = segmentOffsets(seg), ored = segmentOffsets(oseg);
    const scratch = scratchF64(seg.R);
    for (let o = 0; o < seg.base.length; o++) {
      loadSegment(I, x!.dtype, seg.base[o]!, red, scratch);
      const m = segmentMax(scratch);
      let s = 0;
      for (let r = 0; r < scratch.length; r++) s += scratch[r] = Math.exp(scratch[r]! - m);
      for (let r = 0; r < scratch.length; r++) w[oseg.base[o]! + ored[r]!] = store(scratch[r]! / s);
    }
    return t;
  };
}
