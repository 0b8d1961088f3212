// Scalar math of the CPU reference, all in float64 (or exact integer / BigInt
// arithmetic): the functions JS lacks (erf, erfinv, rint), NumPy's float
// remainder, integer floor division, wrapping integer powers, the cast helpers.

import { bigIntToRoundOddNumber, floatToBigInt, floatToInt } from "../../src/convert.js";
import { BF16_TABLE, F16_TABLE, bf16FromNumber, f16FromNumber } from "../../src/half.js";

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf for 0 <= x < 3 by the series 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!! (all terms positive). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc for x >= 3 by the continued fraction of Laplace, evaluated bottom-up. */
function erfcContinuedFraction(x: number): number {
  let f = 0;
  for (let n = 120; n >= 1; n--) f = (n / 2) / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

export function erf(x: number): number {
  if (x !== x) return NaN;
  const a = Math.abs(x);
  if (a < 3) return x < 0 ? -erfSeries(a) : erfSeries(a);
  if (a > 6) return x > 0 ? 1 : -1;
  const r = 1 - erfcContinuedFraction(a);
  return x > 0 ? r : -r;
}

export function erfc(x: number): number {
  if (x !== x) return NaN;
  if (x < 3) return 1 - erf(x);
  if (x > 27) return 0;
  return erfcContinuedFraction(x);
}

/** Inverse of erf: a starting guess, then Newton steps on erf (|y| <= 0.5) or erfc (tails). */
export function erfinv(y: number): number {
  if (y !== y || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  const s = y < 0 ? -1 : 1;
  const a = Math.abs(y);
  // Winitzki's closed form as the starting point (relative error about 2e-3)
  const k = 0.147;
  const ln = Math.log((1 - a) * (1 + a));
  const t = 2 / (Math.PI * k) + ln / 2;
  let x = Math.sqrt(Math.sqrt(t * t - ln / k) - t);
  const tail = 1 - a; // exact for a >= 0.5 (Sterbenz)
  for (let i = 0; i < 8; i++) {
    const d = TWO_OVER_SQRT_PI * Math.exp(-x * x);
    const step = a <= 0.5 ? (erf(x) - a) / d : -(erfc(x) - tail) / d;
    x -= step;
    if (Math.abs(step) <= Math.abs(x) * 1e-16) break;
  }
  return s * x;
}

/** Round half to even (C's rint in the default mode); keeps -0. */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function logaddexp(a: number, b: number): number {
  if (a === b) return a + Math.LN2; // also +-inf with itself
  const d = a - b;
  if (d > 0) return a + Math.log1p(Math.exp(-d));
  if (d <= 0) return b + Math.log1p(Math.exp(d));
  return d; // NaN
}

/** NumPy float remainder: the result takes the divisor's sign. */
export function remF(a: number, b: number): number {
  const m = a % b;
  if (m !== 0 && (b < 0) !== (m < 0)) return m + b;
  return m === 0 ? (b < 0 ? -0 : 0) : m;
}

export function remI(a: number, b: number): number {
  const m = a % b;
  return m !== 0 && (b < 0) !== (m < 0) ? m + b : m;
}

export function floorDivB(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

export function remB(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const m = a % b;
  return m !== 0n && (m < 0n) !== (b < 0n) ? m + b : m;
}

/** pow with C's special cases JS lacks: pow(1, y) = 1 and pow(-1, +-inf) = 1. */
export function powF(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

/** Integer power wrapping at 32 bits (the store narrows further); a negative exponent gives 0 whatever the base (MLX's rule). */
export function powI(a: number, b: number): number {
  if (b < 0) return 0;
  let r = 1, base = a | 0, e = b;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, base);
    base = Math.imul(base, base);
    e = Math.floor(e / 2);
  }
  return r;
}

/** powI for 64-bit integers, wrapping at 64 bits. */
export function powB(a: bigint, b: bigint): bigint {
  if (b < 0n) return 0n;
  let r = 1n, base = a, e = b;
  while (e > 0n) {
    if (e & 1n) r = BigInt.asUintN(64, r * base);
    base = BigInt.asUintN(64, base * base);
    e >>= 1n;
  }
  return r;
}

/** Helpers visible to generated loops as `H`. */
export const H = {
  T16: F16_TABLE,
  TB16: BF16_TABLE,
  f16: f16FromNumber,
  bf16: bf16FromNumber,
  f2i: floatToInt,
  f2b: floatToBigInt,
  b2fOdd: bigIntToRoundOddNumber,
  erf, erfinv, rint, sigmoid, logaddexp, remF, remI, floorDivB, remB, powF, powI, powB,
};
