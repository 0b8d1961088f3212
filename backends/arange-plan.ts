// Float arange's exact terms, shared by the three backends: element i is the
// exact value start + i * step rounded once to the dtype, the integer sum
// S = A + X_i times 2^E rounded once (the GPU kernels from S's bits alone).

import type { DType } from "../src/dtype.js";
import { bf16FromNumber, f16FromNumber } from "../src/half.js";

/**
 * A float dtype's rounding grid: `precision` significand bits, `pos0` the
 * exponent of its least subnormal, `kmax` emax - emin (the binades of finite
 * values past the least normal one), `width` in bits.
 */
export interface FloatFormat {
  precision: number;
  pos0: number;
  kmax: number;
  width: number;
}

const FORMATS: Record<string, FloatFormat> = {
  float16: { precision: 11, pos0: -24, kmax: 29, width: 16 },
  bfloat16: { precision: 8, pos0: -133, kmax: 253, width: 16 },
  float32: { precision: 24, pos0: -149, kmax: 253, width: 32 },
  float64: { precision: 53, pos0: -1074, kmax: 2045, width: 64 },
};

/** The rounding grid of a float dtype (complex64 rounds its real part as float32). */
export function floatFormat(d: DType): FloatFormat {
  return FORMATS[d.name === "complex64" ? "float32" : d.name]!;
}

/** The bits of `v` rounded once to a 16- or 32-bit float dtype (element 0 of an arange is its start). */
function floatBits(v: number, d: DType): number {
  if (d.name === "float16") return f16FromNumber(v);
  if (d.name === "bfloat16") return bf16FromNumber(v);
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v, true);
  return b.getUint32(0, true);
}

/**
 * Element i > 0 of a float arange is S * 2^exponent rounded once, where S is
 * the 128-bit integer a + X_i and X_i = ±jam((i * mt) << shl, jam) (negative
 * for a negative step): mt is |step|'s significand, jam(x, s) shifts x right
 * by s and sets the lowest bit when a set bit fell off. |a| and |X_i| are
 * below 2^124. Element 0 is start rounded once (a may hold it jammed).
 */
export interface ArangePlan {
  a: bigint;
  mt: bigint;
  negative: boolean;
  shl: number;
  jam: number;
  exponent: number;
}

/** The window S spans: 124 bits, so a + X_i never leaves 128-bit two's complement. */
const WINDOW = 124;

/** |x| = m * 2^e with m odd (or m = 0). */
function significand(x: number): { m: bigint; e: number } {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, Math.abs(x));
  const biased = b.getUint32(0) >>> 20;
  let m = (BigInt(b.getUint32(0) & 0xfffff) << 32n) | BigInt(b.getUint32(4));
  let e = biased === 0 ? -1074 : biased - 1075;
  if (biased !== 0) m |= 1n << 52n;
  if (m === 0n) return { m, e: 0 };
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e++;
  }
  return { m, e };
}

const bitLength = (m: bigint): number => (m === 0n ? 0 : m.toString(2).length);

/** m (>= 0) shifted right by s with the lowest bit set when set bits fell off. */
export function jamShift(m: bigint, s: number): bigint {
  const k = BigInt(s);
  return (m >> k) | ((m & ((1n << k) - 1n)) !== 0n ? 1n : 0n);
}

/**
 * The plan of arange(start, step, count) (step 0 for a constant range). Both
 * terms are aligned to the finer exponent; when the coarser one shifted there
 * would pass 124 bits, the grid coarsens until it fits and the finer term,
 * then at least 2^39 times smaller than the other, is jammed: S keeps 92 bits
 * or more above the sticky bit and the kept term is even, so S rounds (to at
 * most 53 bits) as the exact sum does.
 */
export function arangePlan(start: number, step: number, count: number): ArangePlan {
  const stepped = count > 1 ? step : 0;
  if (!Number.isFinite(start) || !Number.isFinite(stepped)) {
    // an infinite start or step (NumberOfElements' count 1 / 0): every element past
    // the first is start + step, an infinity (S = ±1 times 2^2048, past every format)
    const rest = start + stepped;
    if (Number.isNaN(rest)) throw new RangeError(`[arange] start ${start} and step ${step} have no sum`);
    return { a: rest < 0 ? -1n : 1n, mt: 0n, negative: false, shl: 0, jam: 0, exponent: 2048 };
  }
  const s = significand(start), t = significand(stepped);
  const es = s.m !== 0n ? s.e : t.e, et = t.m !== 0n ? t.e : es;
  const sign = start < 0 ? -1n : 1n, negative = step < 0;
  if (es >= et) {
    // start is the coarser term: a = start's significand shifted up; i * mt (below 2^84) is jammed when a would pass the window
    const d = es - et, over = Math.max(0, bitLength(s.m) + d - WINDOW);
    // (i * mt has at most 84 bits: jams past 96 bits all give the same sticky bit)
    return { a: sign * (s.m << BigInt(d - over)), mt: t.m, negative, shl: 0, jam: Math.min(over, 96), exponent: et + over };
  }
  // step is the coarser term: i * mt shifted up by d; start (below 2^53) is jammed when (count - 1) * mt << d would pass the window
  const d = et - es, over = Math.max(0, bitLength(t.m) + bitLength(BigInt(Math.max(count - 1, 0))) + d - WINDOW);
  return { a: sign * jamShift(s.m, over), mt: t.m, negative, shl: d - over, jam: 0, exponent: es + over };
}

/**
 * The plan as 32-bit kernel words: [first, mt low, mt high, negative, shl,
 * jam, exponent, a as four words (two's complement, low first), precision,
 * pos0, kmax, width - 1], `first` being start's bits in the dtype.
 */
export function arangePlanWords(start: number, step: number, count: number, d: DType): number[] {
  const p = arangePlan(start, step, count), f = floatFormat(d);
  const a = BigInt.asUintN(128, p.a);
  const word = (k: number) => Number((a >> BigInt(32 * k)) & 0xffffffffn);
  return [
    floatBits(start, d), Number(p.mt & 0xffffffffn), Number(p.mt >> 32n), p.negative ? 1 : 0, p.shl, p.jam, p.exponent,
    word(0), word(1), word(2), word(3), f.precision, f.pos0, f.kmax, f.width - 1,
  ];
}
