// Float max/min of long segments on webgpu (wgsl/reduce-keys.wgsl, integer
// order keys) against a model of wgsl/reduce.wgsl's fold order, bit for bit:
// which NaN (payload and sign) and which zero (-0 or +0) wins depends on that
// order, which the keyed kernel must reproduce where NaNs or tied zeros occur.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import type { WebGpuBackend } from "../backends/webgpu/backend.js";
import { deviceFor } from "../src/device.js";
import { chunksFor } from "../backends/webgpu/reduce.js";
import { fullProfile, oneOrAll, sized } from "./helpers/profile.js";
import { seenAs, webgpuFilesRun, withoutSubgroups } from "./helpers/device-views.js";
import { marked, markedRows } from "./helpers/marked-arrays.js";

const webgpu = findBackend("webgpu") as WebGpuBackend | undefined;
const o = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };

/** A float format's bit layout: width, sign bit, +inf's bits, the storage view dtype. */
interface Format {
  dtype: mx.DType;
  bits: mx.DType;
  sign: number;
  inf: number;
  /** A quiet NaN's bits as a 32-bit result word rounds them into this format (sign kept). */
  canonicalNaN: number;
}
const F32: Format = { dtype: mx.float32, bits: mx.uint32, sign: 0x80000000, inf: 0x7f800000, canonicalNaN: -1 };
const F16: Format = { dtype: mx.float16, bits: mx.uint16, sign: 0x8000, inf: 0x7c00, canonicalNaN: 0x7e00 };
const BF16: Format = { dtype: mx.bfloat16, bits: mx.uint16, sign: 0x8000, inf: 0x7f80, canonicalNaN: 0x7fc0 };

const isNaN_ = (f: Format, b: number) => (b & (f.sign - 1)) > f.inf;
/**
 * float16 results compared with a NaN's sign left out: that sign is the
 * device's (the half-to-float conversion keeps it on lavapipe; on the H200
 * NVIDIA's driver gave +NaN).
 */
const comparable = (f: Format, bits: number[]) => (f === F16 ? bits.map((b) => (isNaN_(f, b) ? b & (f.sign - 1) : b)) : bits);
/** Numeric order of non-NaN bits, -0 tied with +0 (wgsl/dtypes.wgsl f32_key). */
const key = (f: Format, b: number) => ((b & (f.sign - 1)) === 0 ? 0 : b >= f.sign ? -(b - f.sign) : b);

/** reduce.wgsl's fold of max/min (maximum_f/minimum_f): a NaN accumulator stays, a NaN element wins, a tie keeps the accumulator. */
function folder(f: Format, isMax: boolean): (a: number, b: number) => number {
  return (a, b) => (isNaN_(f, a) ? a : isNaN_(f, b) ? b : (isMax ? key(f, b) <= key(f, a) : key(f, a) <= key(f, b)) ? a : b);
}

/** reduce.wgsl's fold of elements xs[c0 .. end) of one chunk, in its stated order. */
function chunkFold(xs: number[], c0: number, end: number, fold: (a: number, b: number) => number, init: number): number {
  const shares = Array.from({ length: 256 }, (_, lid) => {
    const a = [init, init, init, init];
    for (let r = c0 + lid, m = 0; r < end; r += 256, m++) a[m & 3] = fold(a[m & 3]!, xs[r]!);
    return fold(fold(a[0]!, a[1]!), fold(a[2]!, a[3]!));
  });
  const groups = Array.from({ length: 32 }, (_, i) => shares.slice(8 * i + 1, 8 * i + 8).reduce(fold, shares[8 * i]!));
  return groups.slice(1).reduce(fold, groups[0]!);
}

/** The bits webgpu's max/min of a segment of more than 64 elements gives (one output of `nOut`). */
function model(f: Format, xs: number[], isMax: boolean, nOut: number): number {
  const fold = folder(f, isMax);
  const init = isMax ? f.sign | f.inf : f.inf;
  const chunks = chunksFor(nOut, xs.length), len = Math.ceil(xs.length / chunks);
  const partials = Array.from({ length: chunks }, (_, c) => chunkFold(xs, c * len, Math.min(xs.length, (c + 1) * len), fold, init));
  const r = chunks === 1 ? partials[0]! : chunks <= 64 ? partials.reduce(fold, init) : chunkFold(partials, 0, chunks, fold, init);
  return isNaN_(f, r) && f.canonicalNaN >= 0 ? (r & f.sign) | f.canonicalNaN : r;
}

/**
 * Seeded segments mixing signed zeros, NaNs of both signs and several payloads, infinities and numbers
 * (`sign`: the numbers' and infinities' sign bit only, so that a zero can be the extreme).
 */
function segment(f: Format, n: number, seed: number, nanShare: number, sign?: number): number[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const nans = [f.inf + 1, f.inf + 3, f.sign | (f.inf + 1), f.sign | (f.inf + 5)];
  return Array.from({ length: n }, () => {
    const p = rnd();
    if (p < nanShare) return nans[Math.floor(rnd() * 4)]!;
    if (p < 0.5) return rnd() < 0.5 ? 0 : f.sign;
    const bit = sign ?? (rnd() < 0.5 ? f.sign : 0);
    return (p < 0.52 ? f.inf : Math.floor(rnd() * f.inf)) | bit;
  }).map((b) => b >>> 0);
}

describe.skipIf(!webgpu)("webgpu float max/min of long segments: reduce.wgsl's bits (NaN payload, signed zero)", () => {
  for (const [formatIndex, f] of [F32, F16, BF16].entries()) {
    it(`${f.dtype.name}: whole arrays (one and several chunks), rows, an odd offset, a strided axis`, async () => {
      // float32: 2050 rows of 3100, two contiguous rows a workgroup (reduce-keys.wgsl's rows_main), with NaNs (and
      // without: the full profile); the 16-bit formats' 300001 elements (many chunks) in the full profile
      const many = f === F32 ? sized([[3100, 2050, 0.001]] as const, [[3100, 2050, 0.001], [3100, 2050, 0]] as const) : [];
      const long = f === F32 || fullProfile ? ([[300001, 1, 0]] as const) : [];
      const cases = [[1000, 1, 0.002], [40001, 1, 0.0001], ...long, [3001, 4, 0.001], [5000, 3, 0], ...many] as const;
      for (const [caseIndex, [n, rows, nanShare]] of cases.entries()) {
        // without NaNs (a zero the extreme) max and min; with NaNs, in the default profile max or min in turn over
        // the cases and formats (a kernel variant compiled for one op, not two): each layout's kernel still meets
        // both across the formats, but for float32's many rows (rows_main), which take one
        for (const isMax of nanShare > 0 ? oneOrAll([true, false], caseIndex + formatIndex) : [true, false]) {
          // NaNs and numbers of both signs, or no NaN and numbers on the far side of zero (zeros the extreme)
          const data = Array.from({ length: rows }, (_, i) => segment(f, n, 7 * n + i, nanShare, nanShare > 0 ? undefined : isMax ? f.sign : 0));
          const grid = mx.reshape(mx.view(mx.array(data.flat(), f.bits, o), f.dtype, o), [rows, n], o);
          const op = isMax ? mx.max : mx.min;
          const got = async (a: mx.MxArray) => (await mx.view(mx.reshape(a, [-1, 1], o), f.bits, o).tolist()) as number[][];
          const want = data.map((xs) => model(f, xs, isMax, rows));
          let whole: number[][] = [];
          const files = await webgpuFilesRun(async () => (whole = await got(op(grid, -1, o))));
          expect(comparable(f, whole.flat())).toEqual(comparable(f, want));
          // a 16-bit whole array's result packed by the keyed kernel (one chunk) or by reduce.wgsl folding the partials
          // of a few chunks: no cast dispatch after
          if (rows === 1 && f !== F32) expect(files, `${f.dtype.name} [${n}]`).toEqual(chunksFor(1, n) === 1 ? ["reduce-keys"] : ["reduce-keys", "reduce"]);
          // the same rows from an odd element offset, and as the columns of a row-major transpose (a strided reduced axis)
          const tail = mx.slice(grid, [0, 1], [rows, n], undefined, o);
          expect(comparable(f, (await got(op(tail, -1, o))).flat())).toEqual(comparable(f, data.map((xs) => model(f, xs.slice(1), isMax, rows))));
          expect(comparable(f, (await got(op(mx.contiguous(mx.transpose(grid, [1, 0], o), false, o), 0, o))).flat())).toEqual(comparable(f, want));
        }
      }
    });
  }
});

describe.skipIf(!webgpu)("webgpu argmax/argmin of long contiguous rows: the first extreme at every place of a quad of words", () => {
  for (const dtype of [mx.float32, mx.float16, mx.bfloat16]) {
    it(`${dtype.name}: ties after the first, rows from an odd offset, an increasing row, infinities, NaNs, zeros`, async () => {
      const rows = 16, n = 4096;
      // row i: small values, the extreme 9 first at 512 + i (rows of 4096: every place of an 8-element quad twice), tied 3 and 400 later
      const data = Array.from({ length: rows }, (_, i) => Array.from({ length: n }, (_, j) => (j === 512 + i || j === 515 + i || j === 912 + i ? 9 : (j * 7) % 5)));
      // and a row rising over its first 256 elements (a new extreme every quad; exact in every dtype)
      data.push(Array.from({ length: n }, (_, j) => (j % 256) / 8));
      const want = [...Array.from({ length: rows }, (_, i) => 512 + i), 255];
      // a row of one infinity (its first element), NaNs at 701 and 900 (the first wins), zeros of both signs the extreme
      // (tied: the first, 51), the largest finite value from 3 on after infinities of the other sign
      data.push(Array.from({ length: n }, () => -Infinity), Array.from({ length: n }, (_, j) => (j === 701 || j === 900 ? NaN : j % 3)));
      data.push(Array.from({ length: n }, (_, j) => (j === 51 ? 0 : j === 60 ? -0 : -1 - (j % 4))));
      // and -0 first at 40, +0 beside it in its word (16-bit) and in the same invocation's next step (a zero extreme
      // must not rank them apart)
      data.push(Array.from({ length: n }, (_, j) => (j === 40 ? -0 : j === 41 || j === 2088 ? 0 : -1 - (j % 4))));
      const big = dtype === mx.float16 ? 65504 : 3e38;
      data.push(Array.from({ length: n }, (_, j) => (j < 3 ? -Infinity : big)));
      // in the default profile argmin of float32 and float16 and argmax of bfloat16 (each dtype's other one: the tests
      // below), both in the full profile
      for (const sign of oneOrAll([1, -1], dtype === mx.bfloat16 ? 0 : 1)) {
        const wantSpecial = [0, 701, 51, 40, 3];
        const grid = mx.array(data.map((r) => r.map((v) => sign * v)), dtype, o);
        const op = sign > 0 ? mx.argmax : mx.argmin;
        expect(await op(grid, -1, o).tolist(), `${dtype.name} ${op.name}`).toEqual([...want, ...wantSpecial]);
        expect(await op(mx.slice(grid, [0, 1], [data.length, n], undefined, o), -1, o).tolist()).toEqual([...want, ...wantSpecial].map((w) => Math.max(0, w - 1)));
      }
    });

    it.skipIf(dtype !== mx.float32)(`${dtype.name}: many rows, two a workgroup, ties after the first`, async () => {
      const rows = 2050, n = 3100;
      // row i: the extreme 9 first at 1 + (37 i) % (n - 8), tied 3 and (where the row holds it) 1024 later, in
      // a float32 row the same invocation's next quad; small values elsewhere
      const first = (i: number) => 1 + ((37 * i) % (n - 8));
      const tied = (i: number, j: number) => j === first(i) || j === first(i) + 3 || j === first(i) + 1024;
      const data = Array.from({ length: rows }, (_, i) => Array.from({ length: n }, (_, j) => (tied(i, j) ? 9 : (j * 7 + i) % 5)));
      const want = data.map((_, i) => first(i));
      // argmin's keys on many rows in the full profile (the rows above take both)
      for (const sign of sized([1], [1, -1])) {
        const grid = mx.array(data.map((r) => r.map((v) => sign * v)), dtype, o);
        const op = sign > 0 ? mx.argmax : mx.argmin;
        expect(await op(grid, -1, o).tolist(), `${dtype.name} ${op.name}`).toEqual(want);
        expect(await op(mx.slice(grid, [0, 1], [rows, n], undefined, o), -1, o).tolist()).toEqual(want.map((w) => w - 1));
      }
    });
  }
});

describe.skipIf(!webgpu)("webgpu chunked argmax/argmin: the chunks' winners folded (wgsl/reduce-arg-partials.wgsl, eight an invocation at a time)", () => {
  // seen without subgroups: long segments then keep the chunks (with subgroups, rows of their own where they can:
  // test/webgpu-extreme-rows.test.ts)
  seenAs(withoutSubgroups);
  const index = (n: number) => mx.arange(n, { dtype: mx.int32, ...o });

  for (const [dtype, n] of [[mx.float32, 2 ** 25], [mx.bfloat16, 2 ** 23]] as const) {
    it(`${dtype.name} [${n}]: the extreme in a late chunk, ties before and after it, NaNs`, async () => {
      const chunks = chunksFor(1, n), len = n / chunks;
      expect(chunks).toBeGreaterThan(256);
      const at = (c: number, k: number) => c * len + k;
      // the extreme first in chunk chunks - 37 (an invocation's later turn), tied in a later chunk and later in its own
      const first = at(chunks - 37, 1234);
      const ties: [number, number][] = [[first, 9], [at(chunks - 37, 4000), 9], [at(chunks - 1, 5), 9], [at(3, 7), 8]];
      // argmax of float32, argmin of bfloat16 (both of each in the full profile)
      for (const sign of oneOrAll([1, -1], dtype === mx.float32 ? 0 : 1)) {
        const x = marked(n, dtype, ties.map(([a, v]) => [a, sign * v]), o);
        const op = sign > 0 ? mx.argmax : mx.argmin;
        expect(await op(x, undefined, o).tolist(), `${dtype.name} ${op.name}`).toBe(first);
        // NaNs in chunks 300 and 20 (the first wins, above every number)
        const i = index(n);
        const nan = mx.where(mx.logicalOr(mx.equal(i, at(300, 3), o), mx.equal(i, at(20, 9), o), o), NaN, x, o);
        expect(await op(nan, undefined, o).tolist(), `${dtype.name} ${op.name} with NaNs`).toBe(at(20, 9));
      }
    });
  }

  it("float16 rows [3, 2^21] (128 chunks each) and [600, 2^15] (2 each): each row's first extreme", async () => {
    for (const [rows, n] of [[3, 2 ** 21], [600, 2 ** 15]] as const) {
      const chunks = chunksFor(rows, n), len = n / chunks;
      const firsts = Array.from({ length: rows }, (_, r) => ((r * 5 + 1) % chunks) * len + r);
      // row r: 9 at firsts[r], 3 later and at its last element
      const x = markedRows(firsts, n, mx.float16, o);
      expect(await mx.argmax(x, -1, o).tolist(), `[${rows}, ${n}]`).toEqual(firsts);
    }
  });
});
