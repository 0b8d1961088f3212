// CPU scans: each line along the axis is walked in scan order with a running
// value; floats run in float64 and each output is rounded once to its dtype,
// 32-bit and narrower integers wrap (the typed array's store wraps the
// rest), 64-bit ones run in BigInt, complex64 sums and products in pairs.

import type { Backend, Kernel, Tensor } from "../backend.js";
import { complex64, intRange, is64BitInt, type DType } from "../../src/dtype.js";
import type { Scan, ScanOp } from "../../src/primitives/scan.js";
import { rowMajorStrides } from "../../src/shape.js";
import { H } from "./math.js";
import { segments } from "./reduce.js";
import { allocOutput, scratch, wordsOf } from "./tensor.js";

type Step<V> = (acc: V, v: V) => V;

/**
 * The running step and the identity an exclusive scan starts from, per dtype
 * class. On a tie max takes the newer element and min keeps the running value,
 * MLX's cpu rule (seen on +-0); a NaN, once met, stays.
 */
function numberStep(op: ScanOp, d: DType): { step: Step<number>; identity: number } {
  const float = d.kind === "float";
  const [lo, hi] = float ? [-Infinity, Infinity] : d.kind === "bool" ? [0, 1] : intRange(d);
  switch (op) {
    case "sum":
      return { step: float ? (a, v) => a + v : (a, v) => (a + v) | 0, identity: 0 };
    case "prod":
      return { step: float ? (a, v) => a * v : (a, v) => Math.imul(a, v), identity: 1 };
    case "max":
      return { step: (a, v) => (a > v || a !== a ? a : v), identity: lo };
    case "min":
      return { step: (a, v) => (a <= v || a !== a ? a : v), identity: hi };
    case "logaddexp":
      return { step: H.logaddexp, identity: -Infinity };
  }
}

function bigStep(op: ScanOp, d: DType): { step: Step<bigint>; identity: bigint } {
  const wrap = d.kind === "int" ? (v: bigint) => BigInt.asIntN(64, v) : (v: bigint) => BigInt.asUintN(64, v);
  const [lo, hi] = d.kind === "int" ? [-(2n ** 63n), 2n ** 63n - 1n] : [0n, 2n ** 64n - 1n];
  switch (op) {
    case "sum":
      return { step: (a, v) => wrap(a + v), identity: 0n };
    case "prod":
      return { step: (a, v) => wrap(a * v), identity: 1n };
    case "max":
      return { step: (a, v) => (a >= v ? a : v), identity: lo };
    case "min":
      return { step: (a, v) => (a <= v ? a : v), identity: hi };
    case "logaddexp":
      throw new Error(`[logcumsumexp] has no CPU kernel for ${d.name}`);
  }
}

/** The lines of `t` along `axis`: the start of each and the step between its elements. */
function lines(t: { shape: readonly number[]; strides: readonly number[]; offset: number }, axis: number) {
  const seg = segments(t.shape, t.strides, t.offset, [axis]);
  return { base: seg.base, n: seg.R, stride: seg.stride };
}

/** Running values, one per line: counted scratch (see tensor.ts's scratch) that holds a V exactly. */
type Accumulators<V> = (lines: number) => { [i: number]: V };

/** Float64 scratch: holds every value of the number path (floats in float64, integers of 32 bits and fewer). */
const numberAccs: Accumulators<number> = (n) => scratch(Float64Array, n);

/** 64-bit integer scratch of the dtype's signedness (its max and min compare values of its range). */
const bigAccs = (d: DType): Accumulators<bigint> => (n) => (d.kind === "int" ? scratch(BigInt64Array, n) : scratch(BigUint64Array, n));

function scanLines<V>(I: ArrayLike<V>, O: { [i: number]: V }, x: Tensor, out: Tensor, p: Scan, step: Step<V>, identity: V, load: (w: V) => V, store: (v: V) => V, accumulators: Accumulators<V>): void {
  const src = lines(x, p.axis), dst = lines(out, p.axis);
  const n = src.n;
  const first = p.reverse ? n - 1 : 0, dir = p.reverse ? -1 : 1;
  if (src.stride !== 1 && src.base.length > 1) {
    // a strided axis: step every line together, so neighbouring lines are read together; their running
    // values are a row of the output's size, from the pool (mx.getPeakMemory and setMemoryLimit see them)
    const accs = accumulators(src.base.length);
    for (let l = 0; l < src.base.length; l++) accs[l] = identity;
    for (let k = 0; k < n; k++) {
      const at = first + dir * k;
      for (let l = 0; l < src.base.length; l++) {
        const v = load(I[src.base[l]! + at * src.stride]!);
        const o = dst.base[l]! + at * dst.stride;
        if (!p.inclusive) O[o] = store(accs[l]!);
        accs[l] = k === 0 ? v : step(accs[l]!, v);
        if (p.inclusive) O[o] = store(accs[l]!);
      }
    }
    return;
  }
  for (let l = 0; l < src.base.length; l++) {
    let acc = identity;
    let i = src.base[l]! + first * src.stride, o = dst.base[l]! + first * dst.stride;
    for (let k = 0; k < n; k++, i += dir * src.stride, o += dir * dst.stride) {
      const v = load(I[i]!);
      if (p.inclusive) {
        acc = k === 0 ? v : step(acc, v);
        O[o] = store(acc);
      } else {
        O[o] = store(acc);
        acc = k === 0 ? v : step(acc, v);
      }
    }
  }
}

function scanComplex(I: Float32Array, O: Float32Array, x: Tensor, out: Tensor, p: Scan): void {
  if (p.op !== "sum" && p.op !== "prod") throw new Error(`[scan] ${p.op} is not defined for complex64`);
  const pairs = (t: Tensor) => ({ ...t, shape: [...t.shape, 2], strides: [...t.strides.map((s) => 2 * s), 1], offset: 2 * t.offset });
  const src = lines(pairs(x), p.axis), dst = lines(pairs(out), p.axis);
  const n = src.n;
  const first = p.reverse ? n - 1 : 0, dir = p.reverse ? -1 : 1;
  // the pairs' last dim is kept: each line here is the real or the imaginary part; take them two at a time
  for (let l = 0; l < src.base.length; l += 2) {
    let re = p.op === "sum" ? 0 : 1, im = 0;
    let i = src.base[l]! + first * src.stride, o = dst.base[l]! + first * dst.stride;
    for (let k = 0; k < n; k++, i += dir * src.stride, o += dir * dst.stride) {
      if (!p.inclusive) [O[o], O[o + 1]] = [re, im];
      const a = I[i]!, b = I[i + 1]!;
      if (p.op === "sum") [re, im] = [re + a, im + b];
      else [re, im] = [re * a - im * b, re * b + im * a];
      if (p.inclusive) [O[o], O[o + 1]] = [re, im];
    }
  }
}

export function scanKernel(backend: Backend): Kernel {
  return (prim, [x], spec) => {
    const p = prim as Scan;
    const { t, w } = allocOutput(backend, spec);
    const out: Tensor = { ...t, strides: rowMajorStrides(spec.shape) };
    const I = wordsOf(x!);
    if (x!.dtype === complex64) {
      scanComplex(I as Float32Array, w as Float32Array, x!, out, p);
    } else if (is64BitInt(x!.dtype)) {
      const { step, identity } = bigStep(p.op, x!.dtype);
      scanLines(I as BigInt64Array, w as BigInt64Array, x!, out, p, step, identity, (v) => v, (v) => v, bigAccs(x!.dtype));
    } else {
      const { step, identity } = numberStep(p.op, x!.dtype);
      const load = x!.dtype.name === "float16" ? (v: number) => H.T16[v]! : x!.dtype.name === "bfloat16" ? (v: number) => H.TB16[v]! : (v: number) => v;
      const o = spec.dtype;
      const store = o.name === "float16" ? H.f16 : o.name === "bfloat16" ? H.bf16 : o.kind === "bool" ? (v: number) => (v ? 1 : 0) : (v: number) => v;
      scanLines(I as unknown as ArrayLike<number>, w as unknown as { [i: number]: number }, x!, out, p, step, identity, load, store, numberAccs);
    }
    return t;
  };
}
