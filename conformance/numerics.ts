// Numeric helpers shared by the conformance checks and the tests: rounding
// float64 values once to a dtype, value identity (NaN equals NaN, -0 differs
// from +0), and distances in units in the last place of a float dtype.

import * as mx from "../src/index.js";

/** Rounds float64 values once to `dtype` (astype on the CPU reference, itself tested exhaustively). */
export function roundTo(values: readonly number[], dtype: mx.DType): number[] {
  const cpu = { stream: mx.cpu };
  return Array.from(mx.array([...values], mx.float64, cpu).astype(dtype, cpu).astype(mx.float64, cpu).dataSync() as Float64Array);
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

/** Mantissa bits and minimum normal exponent of each float dtype. */
export const FLOAT_FORMAT: Readonly<Record<string, { mant: number; minExp: number }>> = {
  float16: { mant: 10, minExp: -14 },
  bfloat16: { mant: 7, minExp: -126 },
  float32: { mant: 23, minExp: -126 },
  float64: { mant: 52, minExp: -1022 },
};

/** The unit in the last place of `dtype` at magnitude |v| (subnormal spacing below the normal range). */
export function ulpOf(v: number, dtype: mx.DType | string): number {
  const f = FLOAT_FORMAT[typeof dtype === "string" ? dtype : dtype.name] ?? FLOAT_FORMAT.float64!;
  const e = Math.max(v === 0 || !Number.isFinite(v) ? f.minExp : Math.floor(Math.log2(Math.abs(v))), f.minExp);
  return 2 ** (e - f.mant);
}

/** The smallest normal float32: WGSL may flush anything smaller, intermediates included, to zero. */
export const F32_MIN_NORMAL = 2 ** -126;

/**
 * A result float32 would hold as a subnormal: WGSL lets implementations flush
 * subnormal inputs and outputs to zero (§15.7.2, "Differences from IEEE-754",
 * https://www.w3.org/TR/WGSL/#differences-from-ieee754), and NVIDIA's driver does.
 */
export function flushable(r: number): boolean {
  return r !== 0 && Math.abs(r) < F32_MIN_NORMAL;
}

/** The histogram bin of an ulp error: 0 for exact, then 1 + floor(log2) from below 1 ulp up, capped at 24. */
export function ulpBin(ulps: number): number {
  return ulps === 0 ? 0 : Math.min(24, Math.max(1, Math.floor(Math.log2(ulps)) + 2));
}

/** Distance in units in the last place of `dtype` between two finite values (0 when both NaN or equal). */
export function ulpDistance(a: number, b: number, dtype: mx.DType): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(a - b) / ulpOf(Math.max(Math.abs(a), Math.abs(b)), dtype);
}
