// CPU kernels that create data from parameters: arange (floats the exact
// start + i * step rounded once, through backends/arange-plan.ts; integers
// exact in the dtype's wrapping arithmetic) and Threefry random bits in MLX's
// layout, each key of a batch [...batch, 2] filling its own run of the output.

import type { Backend, Kernel, OutputSpec, Tensor } from "../backend.js";
import type { Arange } from "../../src/primitives/misc.js";
import { threefryBytes } from "../../src/threefry.js";
import { castExpr } from "./elementwise.js";
import { H } from "./math.js";
import { allocOutput, elementOffsets, wordsOf, type CpuBuffer } from "./tensor.js";
import { sizeOf } from "../../src/shape.js";
import { float64 } from "../../src/dtype.js";
import { arangePlan, floatFormat, jamShift, type FloatFormat } from "../arange-plan.js";

/** The first element and step of an integer arange (the op gives integral ones, MLX's terms); a one-element range has no step. */
function integerTerms(p: Arange): { first: bigint; step: bigint } {
  return { first: BigInt(Math.trunc(p.start)), step: p.count > 1 ? BigInt(Math.trunc(p.step)) : 0n };
}

/** Elements start + i * step of an integer arange in the dtype's wrapping arithmetic. */
function integerArange(p: Arange, words: (number | bigint)[]): void {
  const bits = p.dtype.size * 8;
  const wrap = (v: bigint) => (p.dtype.kind === "int" ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
  const { first, step } = integerTerms(p);
  if (bits === 64) {
    for (let i = 0; i < p.count; i++) words[i] = wrap(first + BigInt(i) * step);
    return;
  }
  // 32 bits and narrower: Math.imul wraps the product exactly, the typed-array store narrows
  const f = Number(BigInt.asIntN(32, first)), s = Number(BigInt.asIntN(32, step));
  for (let i = 0; i < p.count; i++) words[i] = (f + Math.imul(i, s)) | 0;
}

/** An integer arange's [start, step] as 32-bit kernel words (wrapped) for a GPU backend's dtypes of 32 bits or fewer. */
export function integerArangeWords(p: Arange): [number, number] {
  const { first, step } = integerTerms(p);
  return [Number(BigInt.asUintN(32, first)), Number(BigInt.asUintN(32, step))];
}

/** 2^k for k in [-1074, 1023], at k + 1074. */
const POW2 = Float64Array.from({ length: 2098 }, (_, k) => 2 ** (k - 1074));

/** S * 2^e (S an integer) rounded once, to nearest even, to format f: the value, exact as a double (Infinity past f's range). */
function roundExact(s: bigint, e: number, f: FloatFormat): number {
  if (s === 0n) return 0;
  const m = s < 0n ? -s : s;
  // drop q bits: to the precision, or to the least subnormal's grid
  const q = Math.max(m.toString(2).length - f.precision, f.pos0 - e);
  let kept = m;
  if (q > 0) {
    const k = BigInt(q), rem = m & ((1n << k) - 1n), half = 1n << (k - 1n);
    kept = m >> k;
    if (rem > half || (rem === half && (kept & 1n) === 1n)) kept++;
  } else kept <<= BigInt(-q);
  const v = e + q > 1023 ? Infinity : Number(kept) * POW2[e + q + 1074]!;
  return s < 0n ? -v : v;
}

/**
 * Elements of a float arange as float64 values that `put` rounds to the
 * dtype: start itself, then S_i * 2^E of the plan (backends/arange-plan.ts).
 * Where every S_i stays below 2^84 (no jam) S_i steps by addition as
 * hi * 2^32 + lo in two doubles: exact below 2^53, else its top 53 bits,
 * truncated with a sticky bit (whose rounding to 24 bits or fewer is the
 * exact value's) or, for float64, rounded to nearest even; elsewhere S_i is
 * the plan's BigInt sum, rounded here to the dtype.
 */
function floatArange(p: Arange, put: (i: number, v: number) => void): void {
  put(0, p.start);
  const stepped = p.count > 1 ? p.step : 0;
  if (!Number.isFinite(p.start) || !Number.isFinite(stepped)) {
    // an infinite start or step (NumberOfElements' count 1 / 0): start + i * step is start + step's infinity
    for (let i = 1; i < p.count; i++) put(i, p.start + stepped);
    return;
  }
  const plan = arangePlan(p.start, p.step, p.count), f = floatFormat(p.dtype);
  const b = (plan.negative ? -plan.mt : plan.mt) << BigInt(plan.shl), e = plan.exponent;
  const fits = (v: bigint) => v < 2n ** 84n && v > -(2n ** 84n);
  if (plan.jam > 0 || !fits(plan.a) || !fits(plan.a + BigInt(p.count - 1) * b)) {
    const sign = plan.negative ? -1n : 1n;
    for (let i = 1; i < p.count; i++) put(i, roundExact(plan.a + sign * jamShift((BigInt(i) * plan.mt) << BigInt(plan.shl), plan.jam), e, f));
    return;
  }
  const wide = f.precision === 53, R = 2 ** 32;
  let hi = Number(plan.a >> 32n), lo = Number(plan.a & 0xffffffffn);
  const bhi = Number(b >> 32n), blo = Number(b & 0xffffffffn);
  for (let i = 1; i < p.count; i++) {
    lo += blo;
    if (lo >= R) {
      lo -= R;
      hi += bhi + 1;
    } else hi += bhi;
    // |S| = h * 2^32 + l
    const negative = hi < 0;
    const h = negative ? (lo === 0 ? -hi : -hi - 1) : hi, l = negative && lo !== 0 ? R - lo : lo;
    let v: number;
    if (h < 2 ** 21) v = (h * R + l) * POW2[e + 1074]!;
    else {
      // keep the top 53 bits, dropping r of l's (S >= 2^53 and e >= -1074: d * 2^(e + r) is a normal float64)
      const r = (h >= R ? 64 - Math.clz32(h / R) : 32 - Math.clz32(h)) - 21;
      // (d's lowest bit is l's bit r: h lands 32 - r > 0 bits up)
      let d = h * POW2[32 - r + 1074]! + (l >>> r);
      const odd = (l >>> r) & 1;
      if (!wide) {
        if (odd === 0 && (l & ((1 << r) - 1)) !== 0) d++;
      } else if (((l >>> (r - 1)) & 1) === 1 && (odd === 1 || (l & ((1 << (r - 1)) - 1)) !== 0)) d++;
      v = d * POW2[e + r + 1074]!;
    }
    // an exact zero sum is +0; a nonzero one keeps its sign when it rounds to zero
    put(i, negative ? -v : v);
  }
}

export function arangeKernel(backend: Backend): Kernel {
  return (prim, _inputs, out) => {
    const p = prim as Arange;
    const { t, w } = allocOutput(backend, out);
    const words = w as unknown as (number | bigint)[];
    if (p.dtype.kind === "int" || p.dtype.kind === "uint") {
      integerArange(p, words);
      return t;
    }
    if (p.dtype.kind === "complex") {
      // real parts as float32 arange values, imaginary parts 0
      floatArange(p, (i, v) => ((words[2 * i] = v), (words[2 * i + 1] = 0)));
      return t;
    }
    // the cast rounds once (start, and the sticky 53-bit values)
    const conv = new Function("H", `return (a) => ${castExpr(float64, p.dtype)};`)(H) as (a: number) => number | bigint;
    floatArange(p, (i, v) => (words[i] = conv(v)));
    return t;
  };
}

/**
 * How random bits lay out over a batch of keys (MLX's RandomBits): each of
 * `keys` keys fills `bytesPerKey` consecutive bytes of the output with its
 * own stream of `words` words, hashed as counter (i, half + odd + i) for
 * i < half and, for an odd `words`, counter (half, 0) for the middle word.
 */
export interface RandomBitsLayout {
  keys: number;
  bytesPerKey: number;
  words: number;
  half: number;
  odd: number;
}

/** The layout of random bits `out` drawn from `key` (uint32 of shape [...batch, 2]). */
export function randomBitsLayout(key: Tensor, out: OutputSpec): RandomBitsLayout {
  const keys = sizeOf(key.shape) / 2;
  const bytesPerKey = keys === 0 ? 0 : (sizeOf(out.shape) / keys) * out.dtype.size;
  const words = Math.ceil(bytesPerKey / 4);
  return { keys, bytesPerKey, words, half: Math.floor(words / 2), odd: words % 2 };
}

/**
 * The params that locate key b's words in a GPU kernel: [offset, pair
 * stride, batch ndim, batch shape, batch strides] (element units; key b's
 * first word lies at offset + b unravelled over the batch shape dotted with
 * the batch strides, its second a pair stride further).
 */
export function keyLocationWords(key: Tensor): number[] {
  const nd = key.shape.length - 1;
  return [key.offset, key.strides[nd]!, nd, ...key.shape.slice(0, nd), ...key.strides.slice(0, nd)];
}

export function randomBitsKernel(backend: Backend): Kernel {
  return (_prim, [key], out) => {
    const { t } = allocOutput(backend, out);
    const { keys, bytesPerKey } = randomBitsLayout(key!, out);
    const kw = wordsOf(key!) as Uint32Array;
    const at = elementOffsets(key!);
    const bytes = (t.buffer as CpuBuffer).block.raw(keys * bytesPerKey);
    for (let b = 0; b < keys; b++) bytes.set(threefryBytes(kw[at[2 * b]!]!, kw[at[2 * b + 1]!]!, bytesPerKey), b * bytesPerKey);
    return t;
  };
}
