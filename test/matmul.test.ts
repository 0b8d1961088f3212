// matmul on every backend: 1-D rules, batching with broadcast batch dims,
// transposed operands, promotion, float64 accumulation, and shape errors.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray, values } from "./helpers/backends.js";

describe.each(BACKENDS)("matmul on $name", ({ device }) => {
  const o = { stream: device };
  it("follows NumPy's 1-D and batching rules", async () => {
    const a = mx.reshape(mx.arange(6, { dtype: mx.float32, ...o }), [2, 3], o);
    const v = mx.array([1, 2, 3], mx.float32, o);
    await expectArray(mx.matmul(a, v, o), [8, 26], mx.float32, [2]);
    await expectArray(mx.matmul(mx.array([1, 1], mx.float32, o), a, o), [3, 5, 7], mx.float32, [3]);
    await expectArray(mx.matmul(v, v, o), 14, mx.float32, []);
    const batch = mx.reshape(mx.arange(12, { dtype: mx.float32, ...o }), [2, 1, 2, 3], o);
    const out = mx.matmul(batch, mx.broadcastTo(mx.transpose(a, undefined, o), [3, 3, 2], o), o);
    expect(out.shape).toEqual([2, 3, 2, 2]);
    await expectArray(mx.slice(out, [1, 2], [2, 3], undefined, o).reshape(-1), [23, 86, 32, 122]);
    expect(mx.matmul(mx.array([[1]], mx.int32, o), mx.array([[2]], mx.int32, o), o).dtype).toBe(mx.float32);
  });

  it("equals a float64 triple loop rounded once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), async (M, K, N, transB) => {
        const A = Array.from({ length: M * K }, (_, i) => Math.fround(Math.cos(i + M)));
        const B = Array.from({ length: K * N }, (_, i) => Math.fround(Math.sin(i * 1.7 + N)));
        const a = mx.reshape(mx.array(A, mx.float32, o), [M, K], o);
        const b = transB ? mx.transpose(mx.reshape(mx.array(B, mx.float32, o), [N, K], o), undefined, o) : mx.reshape(mx.array(B, mx.float32, o), [K, N], o);
        const bAt = (k: number, j: number) => (transB ? B[j * K + k]! : B[k * N + j]!);
        const want: number[] = [];
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += A[i * K + k]! * bAt(k, j);
          want.push(Math.fround(s));
        }
        const got = await values(mx.matmul(a, b, o));
        got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(device.backend === "cpu" ? 0 : 1e-5 * K));
      }),
      { numRuns: 40 },
    );
  });

  it("names the op and shapes on mismatched inner dimensions", () => {
    expect(() => mx.matmul(mx.zeros([2, 3], undefined, o), mx.zeros([2, 3], undefined, o), o)).toThrow(/\[matmul\] inner dimensions differ: 3 .* vs 2/);
    expect(() => mx.matmul(mx.array(1, undefined, o), mx.zeros([2], undefined, o), o)).toThrow(/\[matmul\] inputs must have at least one dimension/);
  });
});
