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
import { allocOutput, offsets, wordsOf } from "./tensor.js";
import { storeFn } from "./float64-values.js";

export interface Segments {
  /** Start of each segment (one per output element, row-major over the kept axes). */
  base: Float64Array;
  /** Elements per segment. */
  R: number;
  /** Offsets inside a segment, or null when they are r * stride. */
  red: Float64Array | null;
  stride: number;
}

export function segments(shape: readonly number[], strides: readonly number[], offset: number, axes: readonly number[]): Segments {
  const kept = [...shape.keys()].filter((d) => !axes.includes(d));
  const k = collapseDims(kept.map((d) => shape[d]!), [kept.map((d) => strides[d]!)]);
  const r = collapseDims(axes.map((d) => shape[d]!), [axes.map((d) => strides[d]!)]);
  const base = offsets(k.shape, k.strides[0]!, offset);
  const R = axes.reduce((p, d) => p * shape[d]!, 1);
  if (r.shape.length <= 1) return { base, R, red: null, stride: r.strides[0]![0] ?? 1 };
  return { base, R, red: offsets(r.shape, r.strides[0]!, 0), stride: 0 };
}

/** Offset of element r of a segment. */
function segmentOffsets(seg: Segments): Float64Array {
  return seg.red ?? Float64Array.from({ length: seg.R }, (_, r) => r * seg.stride);
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

type ReduceLoop = (out: ArrayLike<number | bigint> & Record<number, unknown>, I: ArrayLike<unknown>, seg: Segments) => void;
const loops = new Map<string, ReduceLoop>();

/** Marker for the float sum, which has its own loop: two float64 partial sums per block of 4096, blocks folded with compensation. */
export const FLOAT_SUM: Reducer = { init: "", step: "", result: "" };

/**
 * The float sum's statements, leaving it in `acc`: two float64 partial sums per
 * block of 4096 (`at(r)` is element r), blocks folded with compensation.
 */
export function floatSumStatements(at: (r: string) => string): string {
  return `let acc = 0, comp = 0;
      for (let b = 0; b < R; b += 4096) {
        const e = b + 4096 < R ? b + 4096 : R;
        let s0 = 0, s1 = 0, r = b;
        for (; r + 1 < e; r += 2) { s0 += ${at("r")}; s1 += ${at("(r + 1)")}; }
        if (r < e) s0 += ${at("r")};
        const blk = s0 + s1; ${FOLD}
      }
      // once a block is infinite or NaN the compensation is meaningless (inf - inf): the plain sum is the IEEE result
      acc = acc - acc === 0 ? acc + comp : acc;`;
}

/** `types` names the input and output storage so each pairing gets its own (monomorphic) loop. */
function compileReduce(types: string, read: string, r: Reducer, write: string): ReduceLoop {
  const key = [types, read, r === FLOAT_SUM ? "floatSum" : r.init, r.step, r.result, write].join("|");
  let f = loops.get(key);
  if (!f) {
    const load = (at: (idx: string) => string, idx: string) => read.replace(/@/g, at(idx));
    const generic = (at: (idx: string) => string) =>
      `{ ${r.init} for (let r = 0; r < R; r++) { const a = ${load(at, "r")}; ${r.step} } out[o] = ${write.replace(/\$/g, r.result)}; }`;
    const floatSum = (at: (idx: string) => string) => `{ ${floatSumStatements((i) => load(at, i))} out[o] = ${write.replace(/\$/g, "acc")}; }`;
    const body = r === FLOAT_SUM ? floatSum : generic;
    f = new Function(
      "H",
      `return function reduceLoop(out, I, seg) {
        const base = seg.base, red = seg.red, R = seg.R, s = seg.stride, n = base.length;
        if (red) { for (let o = 0; o < n; o++) { const p = base[o] | 0; ${body((i) => `I[p + red[${i}]]`)} } }
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
  const red = segmentOffsets(seg);
  for (let o = 0; o < seg.base.length; o++) {
    let re = op === "sum" ? 0 : 1, im = 0;
    for (let r = 0; r < red.length; r++) {
      const p = 2 * (seg.base[o]! + red[r]!);
      const a = I[p]!, b = I[p + 1]!;
      if (op === "sum") {
        re += a;
        im += b;
      } else [re, im] = [re * a - im * b, re * b + im * a];
    }
    w[2 * o] = re;
    w[2 * o + 1] = im;
  }
}

export function reduceKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const p = prim as Reduce | ArgReduce;
    const axes = "axes" in p ? p.axes : [p.axis];
    const seg = segments(x!.shape, x!.strides, x!.offset, axes);
    const { t, w } = allocOutput(backend, out);
    if (x!.dtype === complex64) {
      complexSum(p.name as "sum" | "prod", x!, seg, w as Float32Array);
      return t;
    }
    const r = reducerFor(p.name, x!.dtype);
    if (!r) throw new Error(`[${p.name}] has no CPU kernel for dtype ${x!.dtype.name}`);
    const write = p.name === "argmax" || p.name === "argmin" ? "$" : writeAs(out.dtype, "$");
    compileReduce(`${x!.dtype.name}>${out.dtype.name}`, readAs(x!.dtype), r, write)(w, wordsOf(x!), seg);
    return t;
  };
}

/** Decodes one segment into float64 scratch. */
function loadSegment(I: ArrayLike<number>, dtype: DType, p: number, red: Float64Array, scratch: Float64Array): void {
  const dec = dtype.name === "float16" ? H.T16 : dtype.name === "bfloat16" ? H.TB16 : null;
  for (let r = 0; r < red.length; r++) {
    const v = I[p + red[r]!]!;
    scratch[r] = dec ? dec[v]! : v;
  }
}

function segmentMax(s: Float64Array): number {
  let m = -Infinity;
  for (const v of s) {
    if (v !== v) return NaN;
    if (v > m) m = v;
  }
  return m;
}

export function logsumexpKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const seg = segments(x!.shape, x!.strides, x!.offset, (prim as LogSumExp).axes);
    const { t, w } = allocOutput(backend, out);
    const I = wordsOf(x!) as ArrayLike<number>;
    const store = storeFn(out.dtype);
    const red = segmentOffsets(seg);
    const scratch = new Float64Array(seg.R);
    for (let o = 0; o < seg.base.length; o++) {
      loadSegment(I, x!.dtype, seg.base[o]!, red, scratch);
      const m = segmentMax(scratch);
      let v: number;
      if (m !== m || m === Infinity || m === -Infinity) v = m;
      else {
        let s = 0;
        for (const a of scratch) s += Math.exp(a - m);
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
    const seg = segments(x!.shape, x!.strides, x!.offset, axes);
    const oseg = segments(out.shape, rowMajorStrides(out.shape), 0, axes);
    const { t, w } = allocOutput(backend, out);
    const I = wordsOf(x!) as ArrayLike<number>;
    const store = storeFn(out.dtype);
    const red = segmentOffsets(seg), ored = segmentOffsets(oseg);
    const scratch = new Float64Array(seg.R);
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
