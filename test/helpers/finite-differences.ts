// Central finite differences in float64 on the cpu, and an elementwise
// closeness check, for tests that hold a gradient rule against them.
import { expect } from "vitest";
import * as mx from "../../index.js";

const cpu = { stream: mx.cpu };

/** The values of `x` as JS numbers. */
export const values = async (x: mx.MxArray): Promise<number[]> => Array.from((await x.data()) as ArrayLike<number>, Number);

/** Central finite differences of scalar `f` at `x` (float64, cpu): one entry per element of `x`. */
export async function finiteDifferences(f: (x: mx.MxArray) => mx.MxArray, x: mx.MxArray): Promise<number[]> {
  const at0 = await values(x);
  const out: number[] = [];
  for (let j = 0; j < at0.length; j++) {
    const h = 1e-6 * Math.max(1, Math.abs(at0[j]!));
    const at = async (d: number) => {
      const p = [...at0];
      p[j]! += d;
      return f(mx.reshape(mx.array(p, mx.float64, cpu), x.shape, cpu)).toNumber();
    };
    out.push(((await at(h)) - (await at(-h))) / (2 * h));
  }
  return out;
}

/** Every element of `got` within `atol + rtol |want|` of `want`. */
export function expectNear(got: number[], want: number[], rtol = 1e-6, atol = 1e-8): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!), `element ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(atol + rtol * Math.abs(want[i]!)));
}
