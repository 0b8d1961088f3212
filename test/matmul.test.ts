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

  // sizes that cross tile edges (64- and 128-wide tiles on webgpu; the batched case picks the large tiles)
  it.each([
    [130, 37, 200, 1, false, false],
    [1, 300, 129, 1, false, true],
    [257, 3, 65, 1, true, false],
    [70, 129, 66, 1, true, true],
    [260, 20, 260, 22, false, true],
  ] as [number, number, number, number, boolean, boolean][])("matches float64 within K ulps on %i x %i x %i (batch %i, transposed a %s, b %s)", async (M, K, N, batch, transA, transB) => {
    const A = Float32Array.from({ length: batch * M * K }, (_, i) => Math.cos(i * 0.37));
    const B = Float32Array.from({ length: batch * K * N }, (_, i) => Math.sin(i * 0.61 + 1));
    // element (b, i, k) of A lives at b*M*K + i*K + k (or b*M*K + k*M + i when stored transposed)
    const aAt = (b: number, i: number, k: number) => A[b * M * K + (transA ? k * M + i : i * K + k)]!;
    const bAt = (b: number, k: number, j: number) => B[b * K * N + (transB ? j * K + k : k * N + j)]!;
    const a = transA ? mx.swapaxes(mx.reshape(mx.array(A, undefined, o), [batch, K, M], o), 1, 2, o) : mx.reshape(mx.array(A, undefined, o), [batch, M, K], o);
    const b = transB ? mx.swapaxes(mx.reshape(mx.array(B, undefined, o), [batch, N, K], o), 1, 2, o) : mx.reshape(mx.array(B, undefined, o), [batch, K, N], o);
    const got = (await mx.matmul(a, b, o).data()) as Float32Array;
    const u = 2 ** -24;
    for (let bi = 0; bi < batch; bi++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0, mag = 0;
      for (let k = 0; k < K; k++) {
        const t = aAt(bi, i, k) * bAt(bi, k, j);
        s += t;
        mag += Math.abs(t);
      }
      const err = Math.abs(got[(bi * M + i) * N + j]! - s);
      if (err > 2 * K * u * mag + u * Math.abs(s)) expect.fail(`C[${bi}, ${i}, ${j}] = ${got[(bi * M + i) * N + j]}, want ${s} (bound ${2 * K * u * mag})`);
    }
  });

  it("a batch of 70000 2 x 2 products (a grid beyond 65535 workgroups on webgpu)", async () => {
    const batch = 70000;
    const A = Float32Array.from({ length: batch * 4 }, (_, i) => (i % 7) - 3);
    const B = Float32Array.from({ length: batch * 4 }, (_, i) => (i % 5) - 2);
    const got = (await mx.matmul(mx.reshape(mx.array(A, undefined, o), [batch, 2, 2], o), mx.reshape(mx.array(B, undefined, o), [batch, 2, 2], o), o).data()) as Float32Array;
    for (let b = 0; b < batch; b++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      const want = A[4 * b + 2 * i]! * B[4 * b + j]! + A[4 * b + 2 * i + 1]! * B[4 * b + 2 + j]!;
      if (got[4 * b + 2 * i + j] !== want) expect.fail(`C[${b}, ${i}, ${j}] = ${got[4 * b + 2 * i + j]}, want ${want}`);
    }
  });

  it("names the op and shapes on mismatched inner dimensions", () => {
    expect(() => mx.matmul(mx.zeros([2, 3], undefined, o), mx.zeros([2, 3], undefined, o), o)).toThrow(/\[matmul\] inner dimensions differ: 3 .* vs 2/);
    expect(() => mx.matmul(mx.array(1, undefined, o), mx.zeros([2], undefined, o), o)).toThrow(/\[matmul\] inputs must have at least one dimension/);
  });
});
