// The small float formats of MLX's microscaling quantization, encoded and
// decoded exactly (the CPU reference's definition of them): e2m1 (fp4
// values), e4m3 (fp8 values and nvfp4 scales, saturating at 448 as MLX's
// kernels do) and e8m0 (power-of-two scales of mxfp4 / mxfp8).

/** floor(log2(a)) for a finite a > 0, exactly. */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

const E2M1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];

/** The e2m1 code of x: nearest grid value (ties to the even code), magnitudes past 5 to 6; NaN to 6 (code 7, as MLX). */
export function e2m1Encode(x: number): number {
  if (Number.isNaN(x)) return 0x7;
  const sign = x < 0 || Object.is(x, -0) ? 0x8 : 0;
  const a = Math.abs(x);
  let c: number;
  if (a > 5) c = 7;
  else if (a >= 3.5) c = 6;
  else if (a > 2.5) c = 5;
  else if (a >= 1.75) c = 4;
  else if (a > 1.25) c = 3;
  else if (a >= 0.75) c = 2;
  else if (a > 0.25) c = 1;
  else c = 0;
  return c | sign;
}

export function e2m1Decode(c: number): number {
  const v = E2M1[c & 7]!;
  return c & 8 ? -v : v;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/**
 * The e4m3 code of x, as MLX's `ToFP8` (mlx/backend/cpu/unary_ops.h) and
 * Metal `fp8_e4m3` compute it from x's float32 bits (x rounded to float32
 * first, as they convert every input): magnitudes from 448 (bits 543 << 21),
 * infinities and NaN saturate to 0x7e (448) with the sign bit of x (a NaN's
 * too); below 2^-6 subnormal steps of 2^-9; otherwise the top 3 mantissa bits
 * rounded to nearest even. Never 0x7f or 0xff.
 */
export function e4m3Encode(x: number): number {
  F32[0] = x;
  const b = U32[0]!;
  const sign = (b >>> 24) & 0x80;
  const f = b & 0x7fffffff;
  let c: number;
  if (f >= 0x43e00000) c = 0x7e;
  // below 2^-6 (121 << 23): |x| + 2^14 in float32 holds the count of 2^-9 steps in its low bits (141 << 23 is 2^14's bits)
  // (a float64 sum of two float32 values stored to float32 is their float32 sum: 53 >= 2 * 24 + 2 bits)
  else if (f < 0x3c800000) {
    U32[0] = f;
    F32[0] = F32[0]! + 16384;
    c = U32[0]! - 0x46800000;
  }
  // rebias the exponent (-120 << 23), round the mantissa to 3 bits, ties to even (+0x7ffff, + the kept bit's parity)
  else c = ((f - 0x3c000000 + 0x7ffff + ((f >>> 20) & 1)) >>> 20) & 0xff;
  return c | sign;
}

/** An e4m3 code's value (0x7f reads as 480 and 0xff as -480, as MLX's `FromFP8` gives: no NaN code; the encoder never gives them). */
export function e4m3Decode(c: number): number {
  const e = (c >> 3) & 15, m = c & 7;
  const v = e === 0 ? m * 2 ** -9 : (1 + m / 8) * 2 ** (e - 7);
  return c & 0x80 ? -v : v;
}

/** The e8m0 code of x > 0: 127 + round(log2 x) (the real logarithm rounded), clamped to [-127, 127]; non-finite to 0xff; 0 to code 0. */
export function e8m0Encode(x: number): number {
  if (!Number.isFinite(x)) return 0xff;
  if (x <= 0) return 0;
  const e = exponentOf(x);
  const m = x / 2 ** e;
  const n = e + (m * m >= 2 ? 1 : 0);
  return Math.min(Math.max(n, -127), 127) + 127;
}

/** 2^(code - 127), with code 0 read as 2^-127 and 0xff as infinity (MLX's float conversion). */
export function e8m0Decode(c: number): number {
  return c === 0xff ? Infinity : 2 ** (c - 127);
}
