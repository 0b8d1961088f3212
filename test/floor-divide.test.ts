// Float floorDivide on every backend against an exact oracle: the floor of the
// real quotient a / b (from the operands' integer significands, in BigInt)
// rounded once, over random float32 patterns (quotients up to 2^254, subnormal
// operands), quotients next to integers and 24-bit ties, and special values;
// float16 and bfloat16 results against the cpu reference's bits.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";

/** A float32's sign, integer significand and exponent (x = sign * m * 2^e). */
function parts(x: number): [number, bigint, number] {
  const w = new Uint32Array(Float32Array.of(x).buffer)[0]!;
  const e = (w >>> 23) & 0xff, m = w & 0x7fffff;
  return [w >>> 31 ? -1 : 1, BigInt(e ? m | 0x800000 : m), (e || 1) - 150];
}

/** floor(a / b), exactly (in integers), rounded once to float32, ties to even; NumPy's values where a or b is 0, inf or NaN. */
function floorDivideExact(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || b === 0 || !Number.isFinite(a)) return b === 0 ? Math.fround(a / b) : NaN;
  const neg = (Object.is(a, -0) || a < 0) !== (Object.is(b, -0) || b < 0);
  if (a === 0) return neg ? -0 : 0;
  if (!Number.isFinite(b)) return neg ? -1 : 0;
  const [, ma, ea] = parts(a), [, mb, eb] = parts(b);
  const [n, d] = ea >= eb ? [ma << BigInt(ea - eb), mb] : [ma, mb << BigInt(eb - ea)];
  const q = n / d + (neg && n % d !== 0n ? 1n : 0n);
  if (q === 0n) return neg ? -0 : 0;
  const shift = Math.max(q.toString(2).length - 24, 0);
  let m = q >> BigInt(shift);
  const rest = q - (m << BigInt(shift)), half = shift ? 1n << BigInt(shift - 1) : 0n;
  if (shift && (rest > half || (rest === half && (m & 1n) === 1n))) m += 1n;
  const mag = Math.fround(Number(m) * 2 ** shift);
  return neg ? -mag : mag;
}

/** Operand pairs: random bit patterns, both near 1 (small quotients), a multiple of b moved a few ulp, special values. */
function operands(n: number): [Float32Array, Float32Array] {
  const a = new Float32Array(n), b = new Float32Array(n);
  const wa = new Uint32Array(a.buffer), wb = new Uint32Array(b.buffer);
  let s = 20261205;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), (s ^ (s >>> 15)) >>> 0);
  const specials = [0, -0, 1, -1, 1e-45, -1e-45, 2 ** -126, 3.4028234663852886e38, Infinity, -Infinity, NaN, 0.1, 3];
  for (let i = 0; i < n; i++) {
    const mode = i % 4;
    if (mode === 0) [wa[i], wb[i]] = [next(), next()];
    else if (mode === 1) [wa[i], wb[i]] = [(next() & 0x807fffff) | (((next() % 40) + 110) << 23), (next() & 0x807fffff) | (((next() % 40) + 110) << 23)];
    else if (mode === 2) {
      // a = k * b rounded, moved by up to 2 ulp: floors next to an integer, k up to 2^30 (past 2^24: ties of the rounding)
      b[i] = Math.fround((1 + (next() % 8388608) / 8388608) * 2 ** ((next() % 60) - 30)) * (next() & 1 ? -1 : 1);
      a[i] = Math.fround(b[i]! * ((next() % (1 << 30)) + 1) * (next() & 1 ? -1 : 1));
      wa[i] = wa[i]! + (next() % 5) - 2;
    } else if (next() & 1) [a[i], wb[i]] = [specials[next() % specials.length]!, next()];
    else [wa[i], b[i]] = [next(), specials[next() % specials.length]!];
  }
  return [a, b];
}

/** Indices whose bits differ (NaN matches any NaN). */
function differing(got: Float32Array, want: Float32Array): number[] {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  return [...g.keys()].filter((i) => g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i])));
}

const [fa, fb] = operands(1 << 16);
const exact = Float32Array.from(fa, (x, i) => floorDivideExact(x, fb[i]!));

describe.each(BACKENDS)("float floorDivide on $name", ({ device }) => {
  const o = { stream: device };

  it("is the floor of the real quotient rounded once (float32)", async () => {
    const got = (await mx.floorDivide(mx.array(fa, mx.float32, o), mx.array(fb, mx.float32, o), o).data()) as Float32Array;
    expect(differing(got, exact).slice(0, 5).map((i) => [fa[i], fb[i], got[i], exact[i]])).toEqual([]);
  });

  it("gives the reference's bits for float16 and bfloat16 (random 16-bit patterns)", async () => {
    // rounded once through float32: a 16-bit divisor's quotient never has the 12 equal bits in a row that would make
    // the float32 rounding a 16-bit tie
    const n = 1 << 15;
    let s = 7;
    const bits = () => Uint16Array.from({ length: n }, () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 16));
    for (const dtype of [mx.float16, mx.bfloat16]) {
      const [wa, wb] = [bits(), bits()];
      const run = async (on: { stream: mx.Device }) => {
        const q = mx.floorDivide(mx.view(mx.array(wa, mx.uint16, on), dtype, on), mx.view(mx.array(wb, mx.uint16, on), dtype, on), on);
        return [(await mx.view(q, mx.uint16, on).data()) as Uint16Array, (await mx.astype(q, mx.float32, on).data()) as Float32Array] as const;
      };
      const [[got], [want, value]] = [await run(o), await run({ stream: mx.cpu })];
      const bad = [...got.keys()].filter((i) => got[i] !== want[i] && !Number.isNaN(value[i]));
      expect(bad.slice(0, 5).map((i) => [wa[i], wb[i], got[i], want[i]]), dtype.name).toEqual([]);
    }
  });
});
