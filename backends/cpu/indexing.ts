// CPU reference kernels of the indexing primitives: gatherAxis and
// sliceUpdate move storage words; scatterAxis folds the updates that land on
// an element in row-major order, in float64 (exact integers, BigInt for
// 64-bit), and rounds once. Index values wrap once when negative and clamp.

import type { Backend, Kernel, Tensor } from "../backend.js";
import { complex64, is64BitInt, type DType } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { GatherAxis, ScatterAxis, ScatterMode, SliceUpdate } from "../../src/primitives/indexing.js";
import { complexFold, type C } from "./complex.js";
import { wordsPerElement } from "../../src/storage.js";
import { BINARY_EXPRS, exprFor, readAs, writeAs } from "./elementwise.js";
import { contiguousCopy } from "./layout.js";
import { H } from "./math.js";
import { allocOutput, bitWordsOf, elementOffsets, OffsetWalker, offsets, scratch, wordsOf } from "./tensor.js";

/** Index value v on an axis of n > 0 elements: wrapped once when negative, then clamped into [0, n). */
export function clampIndex(v: number | bigint, n: number): number {
  let j = Number(v);
  if (j < 0) j += n;
  return j < 0 ? 0 : j >= n ? n - 1 : j;
}

/** Element offsets of `t` read with the shape `shape` and stride 0 along `axis` (the base of each position). */
function baseOffsets(t: Tensor, shape: readonly number[], axis: number): Float64Array {
  return offsets(shape, t.strides.map((s, d) => (d === axis ? 0 : s)), t.offset);
}

export function gatherAxisKernel(backend: Backend): Kernel {
  return (prim, [a, idx], out) => {
    const axis = (prim as GatherAxis).axis;
    const { t } = allocOutput(backend, out);
    const n = a!.shape[axis]!;
    const base = baseOffsets(a!, idx!.shape, axis);
    const at = elementOffsets(idx!);
    const A = bitWordsOf(a!), I = wordsOf(idx!);
    const k = wordsPerElement(a!.dtype), step = a!.strides[axis]!;
    const W = bitWordsOf(t) as unknown as (number | bigint)[];
    for (let e = 0; e < at.length; e++) {
      const src = (base[e]! + clampIndex(I[at[e]!]!, n) * step) * k;
      for (let q = 0; q < k; q++) W[e * k + q] = A[src + q]!;
    }
    return t;
  };
}

/** A fold of one storage value into an accumulated JS value, and the store that rounds once. */
function combiner(dtype: DType, mode: string): { load: (w: number | bigint) => number | bigint; fold: (acc: number | bigint, u: number | bigint) => number | bigint; store: (v: number | bigint) => number | bigint } {
  const read = readAs(dtype).replace("@", "w");
  const expr = exprFor(BINARY_EXPRS[mode as "add"], dtype);
  if (!expr) throw new Error(`[scatterAxis] mode ${mode} is not defined for ${dtype.name} on the CPU backend`);
  return {
    load: new Function("H", `return (w) => ${read};`)(H),
    fold: new Function("H", `return (a, b) => ${expr};`)(H),
    store: new Function("H", `return (v) => ${writeAs(dtype, "v")};`)(H),
  };
}

/**
 * Calls `visit(e, dst, src)` for every update e in row-major order, with the
 * word offset of its target in `t` and of its value in `upd`: the offsets are
 * walked a block at a time (updates may be a broadcast far larger than memory).
 */
function forEachUpdate(t: Tensor, idx: Tensor, upd: Tensor, axis: number, visit: (e: number, dst: number, src: number) => void): void {
  const n = t.shape[axis]!;
  const I = wordsOf(idx);
  const k = wordsPerElement(t.dtype), step = t.strides[axis]!;
  const bases = new OffsetWalker(idx.shape, t.strides.map((s, d) => (d === axis ? 0 : s)), t.offset);
  const ats = new OffsetWalker(idx.shape, idx.strides, idx.offset), froms = new OffsetWalker(upd.shape, upd.strides, upd.offset);
  const size = Math.min(4096, bases.left);
  const base = new Float64Array(size), at = new Float64Array(size), from = new Float64Array(size);
  for (let e0 = 0; bases.left > 0; ) {
    const m = bases.next(base);
    ats.next(at, m);
    froms.next(from, m);
    for (let i = 0; i < m; i++) visit(e0 + i, (base[i]! + clampIndex(I[at[i]!]!, n) * step) * k, from[i]! * k);
    e0 += m;
  }
}

export function scatterAxisKernel(backend: Backend): Kernel {
  return (prim, [a, idx, upd]) => {
    const { axis, mode } = prim as ScatterAxis;
    const t = contiguousCopy(backend, a!);
    const n = t.shape[axis]!;
    const K = idx!.shape[axis]!;
    if (n === 0 || K === 0 || idx!.shape.some((d) => d === 0)) return t;
    const O = wordsOf(t) as unknown as (number | bigint)[], U = wordsOf(upd!);
    const k = wordsPerElement(t.dtype);
    if (mode === "set") {
      const [B, V] = [bitWordsOf(t) as unknown as (number | bigint)[], bitWordsOf(upd!)];
      forEachUpdate(t, idx!, upd!, axis, (_e, dst, src) => {
        for (let q = 0; q < k; q++) B[dst + q] = V[src + q]!;
      });
      return t;
    }
    const groups = destinationGroups(t, idx!, upd!, axis, sizeOf(t.shape) * k);
    if (t.dtype === complex64) return scatterComplex(t, mode, groups, (visit) => forEachUpdate(t, idx!, upd!, axis, (_e, dst, src) => visit(dst, src)), U as Float32Array);
    const { load, fold, store } = combiner(t.dtype, mode);
    if (groups) {
      groups((dst, srcs) => {
        for (let q = 0; q < k; q++) {
          let v = load(O[dst + q]!);
          for (const src of srcs) v = fold(v, load(U[src + q]!));
          O[dst + q] = store(v);
        }
      });
      return t;
    }
    const { acc, touched } = accumulators(t.dtype, O.length);
    forEachUpdate(t, idx!, upd!, axis, (_e, dst, src) => {
      for (let q = 0; q < k; q++) {
        const p = dst + q;
        const prev = touched[p] ? acc[p]! : load(O[p]!);
        touched[p] = 1;
        acc[p] = fold(prev, load(U[src + q]!));
      }
    });
    for (let p = 0; p < O.length; p++) if (touched[p]) O[p] = store(acc[p]!);
    return t;
  };
}

/** Each destination word's updates, in update order (their word offsets in the updates). */
type Groups = (visit: (dst: number, srcs: readonly number[]) => void) => void;

/**
 * Where few updates land on a large output, the updates grouped by
 * destination word, each group in update order (the order the dense
 * accumulators below fold them in, so the same bits): 16 bytes of counted
 * scratch an update, against the accumulators' 9 an output word (an
 * embedding's gradient: a batch's rows into a vocabulary's). Undefined where
 * the accumulators are smaller.
 */
function destinationGroups(t: Tensor, idx: Tensor, upd: Tensor, axis: number, words: number): Groups | undefined {
  const m = sizeOf(idx.shape);
  if (16 * m >= 9 * words || m * words > 2 ** 53) return undefined;
  // destination * m + update ordinal: sorted as numbers, by destination, then in update order
  const keys = scratch(Float64Array, m), srcs = scratch(Float64Array, m);
  forEachUpdate(t, idx, upd, axis, (e, dst, src) => {
    keys[e] = dst * m + e;
    srcs[e] = src;
  });
  keys.sort();
  return (visit) => {
    const group: number[] = [];
    for (let j = 0; j < m; ) {
      const dst = Math.floor(keys[j]! / m), next = (dst + 1) * m;
      group.length = 0;
      for (; j < m && keys[j]! < next; j++) group.push(srcs[keys[j]! - dst * m]!);
      visit(dst, group);
    }
  };
}

/**
 * The running value of each output word a scatter folds into, and whether an
 * update has reached it: counted scratch of the output's size (from the cpu
 * pool, so mx.getPeakMemory sees it and mx.setMemoryLimit bounds it), in a
 * type that holds each fold exactly: float64 for every dtype but the 64-bit
 * integers, whose sums and products wrap as their words do.
 */
function accumulators(dtype: DType, words: number): { acc: (number | bigint)[]; touched: Uint8Array } {
  const touched = scratch(Uint8Array, words);
  if (!is64BitInt(dtype)) return { acc: scratch(Float64Array, words) as unknown as number[], touched };
  const acc = dtype.kind === "int" ? scratch(BigInt64Array, words) : scratch(BigUint64Array, words);
  return { acc: acc as unknown as bigint[], touched };
}

/** complex64 scatter: each target's updates fold as complex numbers in float64, in row-major order, rounded once per part. */
function scatterComplex(t: Tensor, mode: Exclude<ScatterMode, "set">, groups: Groups | undefined, updates: (visit: (dst: number, src: number) => void) => void, U: Float32Array): Tensor {
  const O = wordsOf(t) as Float32Array;
  const fold = complexFold(mode);
  if (groups) {
    groups((dst, srcs) => {
      let v: C = [O[dst]!, O[dst + 1]!];
      for (const src of srcs) v = fold(v, [U[src]!, U[src + 1]!]);
      O[dst] = v[0];
      O[dst + 1] = v[1];
    });
    return t;
  }
  // a pair of float64 per element (at its real word), counted scratch as above
  const acc = scratch(Float64Array, O.length), touched = scratch(Uint8Array, O.length);
  updates((dst, src) => {
    const prev: C = touched[dst] ? [acc[dst]!, acc[dst + 1]!] : [O[dst]!, O[dst + 1]!];
    const [re, im] = fold(prev, [U[src]!, U[src + 1]!]);
    touched[dst] = 1;
    acc[dst] = re;
    acc[dst + 1] = im;
  });
  for (let p = 0; p < O.length; p += 2) {
    if (!touched[p]) continue;
    O[p] = acc[p]!;
    O[p + 1] = acc[p + 1]!;
  }
  return t;
}

export function sliceUpdateKernel(backend: Backend): Kernel {
  return (prim, [a, u]) => {
    const { start, step } = prim as SliceUpdate;
    const t = contiguousCopy(backend, a!);
    const k = wordsPerElement(t.dtype);
    const offset = start.reduce((s, v, d) => s + v * t.strides[d]!, 0);
    const dst = offsets(u!.shape, t.strides.map((s, d) => s * step[d]!), offset);
    const src = elementOffsets(u!);
    const O = bitWordsOf(t) as unknown as (number | bigint)[], U = bitWordsOf(u!);
    for (let e = 0; e < dst.length; e++) for (let q = 0; q < k; q++) O[dst[e]! * k + q] = U[src[e]! * k + q]!;
    return t;
  };
}
