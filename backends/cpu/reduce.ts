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
import { allocOutput, wordsOf } from "./tensor.js";

/** Offsets of `shape` walked with `strides` from `start`, row-major. */
function offsets(shape: readonly number[], strides: readonly number[], start: number): Float64Array {
  let n = 1;
  for (const d of shape) n *= d;
  const out = new Float64Array(n);
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  let p = start;
  for (let i = 0; i < n; i++) {
    out[i] = p;
    for (let d = nd - 1; d >= 0; d--) {
      p += strides[d]!;
      if (++idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

export interface Segments {
  /** Start of each segment (one per output element, row-major over the kept axes). */
  base: Float64Array;
  /** Offsets inside a segment. */
  red: Float64Array;
  /** red[r] === r: the inner loop can index directly. */
  unit: boolean;
}

export function segments(shape: readonly number[], strides: readonly number[], offset: number, axes: readonly number[]): Segments {
  const kept = [...shape.keys()].filter((d) => !axes.includes(d));
  const base = offsets(kept.map((d) => shape[d]!), kept.map((d) => strides[d]!), offset);
  const red = offsets(axes.map((d) => shape[d]!), axes.map((d) => strides[d]!), 0);
  return { base, red, unit: red.every((v, i) => v === i) };
}

interface Reducer {
  init: string;
  step: string;
  result: string;
}

function reducerFor(op: string, dtype: DType): Reducer | undefined {
  const big = is64BitInt(dtype), float = dtype.kind === "float";
  switch (op) {
    case "sum":
      if (float) return { init: "let acc = 0, comp = 0;", step: "{ const t = acc + a; if (Math.abs(acc) >= Math.abs(a)) comp += (acc - t) + a; else comp += (a - t) + acc; acc = t; }", result: "acc + comp" };
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

function compileReduce(read: string, r: Reducer, write: string): ReduceLoop {
  const key = [read, r.init, r.step, write].join("|");
  let f = loops.get(key);
  if (!f) {
    const body = (at: string) => `{ ${r.init} for (let r = 0; r < R; r++) { const a = ${read.replace(/@/g, at)}; ${r.step} } out[o] = ${write.replace(/\$/g, r.result)}; }`;
    f = new Function(
      "H",
      `return function reduceLoop(out, I, seg) {
        const base = seg.base, red = seg.red, R = red.length, n = base.length;
        if (seg.unit) { for (let o = 0; o < n; o++) { const p = base[o]; ${body("I[p + r]")} } }
        else { for (let o = 0; o < n; o++) { const p = base[o]; ${body("I[p + red[r]]")} } }
      };`,
    )(H) as ReduceLoop;
    loops.set(key, f);
  }
  return f;
}

function complexSum(op: "sum" | "prod", x: Tensor, seg: Segments, w: Float32Array): void {
  const I = wordsOf(x) as Float32Array;
  for (let o = 0; o < seg.base.length; o++) {
    let re = op === "sum" ? 0 : 1, im = 0;
    for (let r = 0; r < seg.red.length; r++) {
      const p = 2 * (seg.base[o]! + seg.red[r]!);
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
    compileReduce(readAs(x!.dtype), r, write)(w, wordsOf(x!), seg);
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
    const scratch = new Float64Array(seg.red.length);
    for (let o = 0; o < seg.base.length; o++) {
      loadSegment(I, x!.dtype, seg.base[o]!, seg.red, scratch);
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
    const scratch = new Float64Array(seg.red.length);
    for (let o = 0; o < seg.base.length; o++) {
      loadSegment(I, x!.dtype, seg.base[o]!, seg.red, scratch);
      const m = segmentMax(scratch);
      let s = 0;
      for (let r = 0; r < scratch.length; r++) s += scratch[r] = Math.exp(scratch[r]! - m);
      for (let r = 0; r < scratch.length; r++) w[oseg.base[o]! + oseg.red[r]!] = store(scratch[r]! / s);
    }
    return t;
  };
}

function storeFn(dtype: DType): (v: number) => number {
  return dtype.name === "float16" ? H.f16 : dtype.name === "bfloat16" ? H.bf16 : (v) => v;
}
