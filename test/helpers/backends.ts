// The backends every op test runs on (describe.each), and comparison helpers
// that check a result against expected values under a stated tolerance.

import { afterEach, beforeEach, expect } from "vitest";
import * as mx from "../../index.js";
import { deviceFor } from "../../src/device.js";
import { sameValue } from "../../conformance/numerics.js";

export const BACKENDS = mx.registeredBackends().map((b) => ({ name: b.displayName, device: deviceFor(b.name) }));

/** Makes `device` the default for each test of the enclosing describe (tests of one backend's behaviour, whatever MLX_TS_DEVICE says), restoring the default after each. */
export function withDefaultDevice(device: mx.Device): void {
  let saved: mx.Device | undefined;
  beforeEach(() => {
    saved = mx.defaultDevice();
    mx.setDefaultDevice(device);
  });
  afterEach(() => mx.setDefaultDevice(saved!));
}

export type Nested = number | boolean | bigint | { re: number; im: number } | Nested[];

function flat(x: unknown): unknown[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

/** Exact comparison of values, shape and dtype (NaN equals NaN, -0 differs from +0 when `signedZero`). */
export async function expectArray(a: mx.MxArray, expected: Nested, dtype?: mx.DType, shape?: readonly number[]): Promise<void> {
  if (dtype) expect(a.dtype.name).toBe(dtype.name);
  if (shape) expect([...a.shape]).toEqual([...shape]);
  const got = await a.tolist();
  expect(got).toEqual(expected);
}

/** |got - want| <= atol + rtol * |want| elementwise (NaN matches NaN, infinities must match). */
export async function expectClose(a: mx.MxArray, expected: Nested, rtol = 1e-6, atol = 0): Promise<void> {
  const got = flat(await a.tolist()) as number[];
  const want = flat(expected) as number[];
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    const w = want[i]!;
    if (Number.isNaN(w)) return expect(g, `element ${i}`).toBeNaN();
    if (!Number.isFinite(w)) return expect(g, `element ${i}`).toBe(w);
    const ok = Math.abs(g - w) <= atol + rtol * Math.abs(w);
    expect(ok, `element ${i}: got ${g}, want ${w} (rtol ${rtol}, atol ${atol})`).toBe(true);
  });
}

/** The elements of `a` as a flat list of decoded numbers (row-major). */
export async function values(a: mx.MxArray): Promise<number[]> {
  return flat(await a.tolist()) as number[];
}

/** Element-by-element identity (NaN equals NaN, -0 differs from +0), naming the first differing element. */
export function expectSameValues(got: readonly unknown[], want: readonly unknown[], label: string): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((g, i) => {
    if (!sameValue(g, want[i])) throw new Error(`${label}: element ${i} is ${String(g)}, expected ${String(want[i])}`);
  });
}
