// Independent float64 and exact-integer references for the tests: what each
// op should give before the single rounding to the output dtype, and a
// bit-level comparison that treats NaN as equal and -0 as distinct from +0.

import { expect } from "vitest";
import * as mx from "../../index.js";

/** Rounds float64 values once to `dtype` (astype on the CPU reference, itself tested exhaustively). */
export function roundTo(values: readonly number[], dtype: mx.DType): number[] {
  const cpu = { stream: mx.cpu };
  return Array.from(mx.array([...values], mx.float64, cpu).astype(dtype, cpu).astype(mx.float64, cpu).dataSync() as Float64Array);
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

export function expectSameValues(got: readonly unknown[], want: readonly unknown[], label: string): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((g, i) => {
    if (!sameValue(g, want[i])) throw new Error(`${label}: element ${i} is ${String(g)}, expected ${String(want[i])}`);
  });
}

/** Distance in units in the last place of `dtype` between two finite values (0 when both NaN or equal). */
export function ulpDistance(a: number, b: number, dtype: mx.DType): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const mant = dtype.name === "float16" ? 10 : dtype.name === "bfloat16" ? 7 : dtype.name === "float32" ? 23 : 52;
  const minExp = dtype.name === "float16" ? -14 : dtype.name === "float64" ? -1022 : -126;
  const e = Math.max(Math.floor(Math.log2(Math.max(Math.abs(a), Math.abs(b)))), minExp);
  return Math.abs(a - b) / 2 ** (e - mant);
}
