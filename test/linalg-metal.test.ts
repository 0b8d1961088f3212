// mx.linalg's GPU kernels on the metal backend (msl/linalg.metal): cholesky,
// solveTriangular, triInv, solve, inv and qr against the float64 cpu
// reference within the metal linalg contract (conformance/contracts.ts
// METAL_LINALG_C: c n u κ |x|max) for n = 1..64 (one block and the multi-pass
// blocked path), batches, non-contiguous and broadcast inputs, condition
// numbers up to 1e4; non-SPD, zero-pivot and singular inputs as the cpu's.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { METAL_LINALG_C } from "../conformance/contracts.js";

const hasMetal = mx.registeredBackends().some((b) => b.name === "metal");
const cpu = { stream: mx.cpu };
const gpu = { stream: mx.metal };
const u = 2 ** -24;

const f64 = (x: mx.MxArray) => mx.astype(x, mx.float64, cpu);
const mT = (x: mx.MxArray) => mx.swapaxes(x, -1, -2, cpu);
const maxAbs = async (x: mx.MxArray) => (await mx.max(mx.abs(f64(x), cpu), cpu).item()) as number;
/** The largest ‖A‖∞ ‖A^-1‖∞ over the batch `a` (inverse: the cpu's, in float64). */
async function kappa(a: mx.MxArray, inverse = mx.linalg.inv(f64(a), cpu)): Promise<number> {
  const norm = (x: mx.MxArray) => mx.max(mx.sum(mx.abs(f64(x), cpu), { axis: -1, ...cpu }), { axis: -1, ...cpu });
  return (await mx.max(mx.multiply(norm(a), norm(inverse), cpu), cpu).item()) as number;
}

/** |got - want|max <= c n u κ |want|max: the contract (want in float64). */
async function expectWithin(got: mx.MxArray, want: mx.MxArray, n: number, k: number): Promise<void> {
  expect(got.dtype).toBe(mx.float32);
  expect([...got.shape]).toEqual([...want.shape]);
  const err = await maxAbs(mx.subtract(f64(got), want, cpu));
  expect(err).toBeLessThanOrEqual(METAL_LINALG_C * n * u * k * Math.max(await maxAbs(want), 2 ** -126));
}

/** A batch of float32 n x n matrices with singular values log-spaced from 1 down to 1/cond (orthogonal factors from the cpu's qr). */
function conditioned(batch: number[], n: number, cond: number, seed: number): mx.MxArray {
  const o = { dtype: mx.float64, ...cpu };
  const [q1] = mx.linalg.qr(mx.random.normal([...batch, n, n], { key: mx.random.key(seed), ...o }), cpu);
  const [q2] = mx.linalg.qr(mx.random.normal([...batch, n, n], { key: mx.random.key(seed + 1), ...o }), cpu);
  const s = mx.power(cond, mx.divide(mx.negative(mx.arange(n, o), cpu), Math.max(1, n - 1), cpu), cpu);
  return mx.astype(mx.matmul(mx.multiply(q1!, s, cpu), mT(q2!), cpu), mx.float32, cpu);
}

/** Symmetric positive-definite float32 matrices X X^T + 1e-3 I of condition about cond^2. */
function spd(batch: number[], n: number, cond: number, seed: number): mx.MxArray {
  const x = f64(conditioned(batch, n, cond, seed));
  return mx.astype(mx.add(mx.matmul(x, mT(x), cpu), mx.multiply(mx.eye(n, n, 0, { dtype: mx.float64, ...cpu }), 1e-3, cpu), cpu), mx.float32, cpu);
}

const normals = (shape: number[], seed: number) => mx.random.normal(shape, { key: mx.random.key(seed), ...cpu });

/** Each element the same number, NaN or infinity (finite ones within `tol` relative). */
async function expectSamePattern(got: mx.MxArray, want: mx.MxArray, tol: number): Promise<void> {
  const g = (await got.tolist()) as number[][], w = (await want.tolist()) as number[][];
  g.flat().forEach((v, i) => {
    const e = w.flat()[i]!;
    if (Number.isFinite(e)) expect(Math.abs(v - e), `element ${i}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
    else expect(v, `element ${i}`).toBe(e);
  });
}

const SIZES = [1, 2, 5, 31, 32, 33, 64];

describe.skipIf(!hasMetal)("linalg on metal", () => {
  it.each(SIZES)("cholesky n=%i: lower and upper, batched, within the contract; the other triangle exactly zero", async (n) => {
    const a = spd([2], n, 30, n);
    const k = Math.sqrt(await kappa(a));
    for (const upper of [false, true]) {
      const got = mx.linalg.cholesky(a, { upper, ...gpu });
      await expectWithin(got, mx.linalg.cholesky(f64(a), { upper, ...cpu }), n, k);
      const other = upper ? mx.tril(got, -1, cpu) : mx.triu(got, 1, cpu);
      expect(await maxAbs(other)).toBe(0);
    }
  });

  it("cholesky reads one triangle; a non-positive pivot is the cpu's error, naming the matrix and the column (in the first block and past it)", async () => {
    const a = spd([], 40, 10, 3);
    const junk = mx.multiply(normals([40, 40], 4), 100, cpu);
    await expectWithin(mx.linalg.cholesky(mx.add(mx.tril(a, 0, cpu), mx.triu(junk, 1, cpu), cpu), gpu), mx.linalg.cholesky(f64(a), cpu), 40, Math.sqrt(await kappa(a)));
    await expectWithin(mx.linalg.cholesky(mx.add(mx.triu(a, 0, cpu), mx.tril(junk, -1, cpu), cpu), true, gpu), mx.linalg.cholesky(f64(a), true, cpu), 40, Math.sqrt(await kappa(a)));
    const small = mx.array([[1, 2, 0], [2, 1, 0], [0, 0, 1]], mx.float32);
    const message = /\[linalg\.cholesky\].*matrix 0 of the batch is not positive definite \(the pivot of column 1 /;
    await expect(mx.linalg.cholesky(small, gpu).tolist()).rejects.toThrow(message);
    await expect(mx.linalg.cholesky(small, cpu).tolist()).rejects.toThrow(message);
    // the diagonal entry 36 made negative: the pivot of column 36 (in the second block) fails, in matrix 1 of a batch
    const broken = mx.subtract(a, mx.multiply(mx.eye(40, 40, 0, cpu), mx.multiply(mx.equal(mx.arange(40, cpu), 36, cpu), 1e3, cpu), cpu), cpu);
    const batch = mx.stack([a, broken], { axis: 0, ...cpu });
    await expect(mx.linalg.cholesky(batch, gpu).tolist()).rejects.toThrow(/matrix 1 of the batch is not positive definite \(the pivot of column 36 /);
    await expect(mx.linalg.cholesky(f64(batch), cpu).tolist()).rejects.toThrow(/matrix 1 of the batch is not positive definite \(the pivot of column 36 /);
    await expectWithin(mx.linalg.cholesky(a, gpu), mx.linalg.cholesky(f64(a), cpu), 40, Math.sqrt(await kappa(a)));
  });

  it.each(SIZES)("solveTriangular n=%i: lower and upper, 1 to 40 right-hand sides, broadcast batch", async (n) => {
    const l = mx.linalg.cholesky(f64(spd([2], n, 30, 10 + n)), cpu);
    for (const upper of [false, true]) {
      const t = mx.astype(upper ? mT(l) : l, mx.float32, cpu);
      const k = await kappa(t, mx.linalg.triInv(f64(t), { upper, ...cpu }));
      for (const rhs of [1, 9, 40]) {
        const b = normals([n, rhs], rhs);
        await expectWithin(mx.linalg.solveTriangular(t, b, { upper, ...gpu }), mx.linalg.solveTriangular(f64(t), f64(b), { upper, ...cpu }), n, k);
      }
      const v = normals([n], 2);
      await expectWithin(mx.linalg.solveTriangular(t, v, { upper, ...gpu }), mx.linalg.solveTriangular(f64(t), f64(v), { upper, ...cpu }), n, k);
    }
  });

  it.each(SIZES)("triInv n=%i: lower and upper within the contract, the other triangle zero", async (n) => {
    const l = mx.astype(mx.linalg.cholesky(f64(spd([3], n, 30, 20 + n)), cpu), mx.float32, cpu);
    for (const upper of [false, true]) {
      const t = upper ? mT(l) : l;
      const want = mx.linalg.triInv(f64(t), { upper, ...cpu });
      await expectWithin(mx.linalg.triInv(t, { upper, ...gpu }), want, n, await kappa(t, want));
    }
  });

  it("triInv, solveTriangular and choleskyInv with an exact zero on the diagonal: the cpu's error (MLX's tri_inv raises), naming the matrix and the row", async () => {
    const z = mx.array([[2, 0, 0, 0], [1, 0, 0, 0], [3, 1, 5, 0], [1, 0, 2, 4]], mx.float32);
    const message = /matrix 1 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 1\)/;
    for (const upper of [false, true]) {
      const t = mx.stack([mx.eye(4, 4, 0, { dtype: mx.float32, ...cpu }), upper ? mT(z) : z], { axis: 0, ...cpu });
      const b = mx.array([[1, 0], [1, 0], [1, 1], [1, 2]], mx.float32);
      for (const s of [gpu, cpu]) {
        await expect(mx.linalg.triInv(t, { upper, ...s }).tolist()).rejects.toThrow(message);
        await expect(mx.linalg.solveTriangular(t, b, { upper, ...s }).tolist()).rejects.toThrow(message);
        await expect(mx.linalg.choleskyInv(t, { upper, ...s }).tolist()).rejects.toThrow(message);
      }
    }
    // the triangle not read may hold zeros
    await expectSamePattern(mx.linalg.triInv(mx.array([[2, 0], [1, 4]], mx.float32), { upper: true, ...gpu }), mx.array([[0.5, 0], [0, 0.25]], mx.float32), 0);
  });

  it.each(SIZES)("solve and inv n=%i: condition 1 to 1e4, rows needing pivots", async (n) => {
    for (const cond of [1, 1e4]) {
      const a = conditioned([2], n, cond, 30 + n);
      const k = await kappa(a);
      const b = normals([2, n, 5], n);
      await expectWithin(mx.linalg.solve(a, b, gpu), mx.linalg.solve(f64(a), f64(b), cpu), n, k);
      await expectWithin(mx.linalg.inv(a, gpu), mx.linalg.inv(f64(a), cpu), n, k);
    }
    // the reversal plus 1e-3 X: well conditioned, tiny diagonal entries (elimination without pivots blows up)
    const reversal = mx.take(mx.eye(n, n, 0, cpu), mx.array(Array.from({ length: n }, (_, i) => n - 1 - i), mx.int32), 0, cpu);
    const p = mx.add(reversal, mx.multiply(normals([n, n], 5), 1e-3, cpu), cpu);
    await expectWithin(mx.linalg.inv(p, gpu), mx.linalg.inv(f64(p), cpu), n, await kappa(p));
  });

  it("solve and inv of a singular matrix in a batch: the cpu's error, naming the matrix", async () => {
    const a = mx.stack([mx.eye(3, 3, 0, cpu), mx.array([[1, 2, 3], [2, 4, 6], [0, 1, 1]], mx.float32)], { axis: 0, ...cpu });
    const message = /matrix 1 of the batch is singular/;
    await expect(mx.linalg.inv(a, gpu).tolist()).rejects.toThrow(message);
    await expect(mx.linalg.solve(a, mx.ones([3], mx.float32), gpu).tolist()).rejects.toThrow(message);
    await expect(mx.linalg.inv(a, cpu).tolist()).rejects.toThrow(message);
    // past the first panel: column 40 zero
    const big = mx.multiply(conditioned([], 48, 10, 9), mx.notEqual(mx.arange(48, cpu), 40, cpu), cpu);
    await expect(mx.linalg.inv(big, gpu).tolist()).rejects.toThrow(/matrix 0 of the batch is singular/);
    await expect(mx.linalg.inv(big, cpu).tolist()).rejects.toThrow(/matrix 0 of the batch is singular/);
  });

  it.each([[1, 1], [5, 3], [3, 5], [33, 33], [64, 20], [20, 64]])("qr %i x %i: Q and R as the cpu's (its sign convention), Q orthonormal", async (m, n) => {
    const a = mx.astype(normals([2, m, n], m * 100 + n), mx.float32, cpu);
    const [q, r] = mx.linalg.qr(a, gpu);
    const [q0, r0] = mx.linalg.qr(f64(a), cpu);
    // κ of the leading square block's columns: ‖A‖∞ over its smallest singular value, through the cpu's svd
    const s = mx.linalg.svd(f64(a), false, cpu);
    const k = (await mx.max(mx.divide(mx.max(s, { axis: -1, ...cpu }), mx.min(s, { axis: -1, ...cpu }), cpu), cpu).item()) as number;
    await expectWithin(q, q0, Math.max(m, n), k);
    await expectWithin(r, r0, Math.max(m, n), k);
    const kk = Math.min(m, n);
    await expectWithin(mx.matmul(mT(q), q, cpu), mx.broadcastTo(mx.eye(kk, kk, 0, { dtype: mx.float64, ...cpu }), [2, kk, kk], cpu), m, 4);
    expect(await maxAbs(mx.tril(r, -1, cpu))).toBe(0);
  });

  it("qr of zero columns: no reflection (tau 0), Q the identity's columns, R zero", async () => {
    const [q, r] = mx.linalg.qr(mx.zeros([3, 2], mx.float32), gpu);
    expect(await q.tolist()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(await r.tolist()).toEqual([[0, 0], [0, 0]]);
  });

  it("non-contiguous inputs: transposed, strided, broadcast batches; empty batches", async () => {
    const a = conditioned([3], 36, 100, 50);
    const at = mT(a);
    const b = mx.slice(normals([36, 12], 7), [0, 0], [36, 12], [1, 3], cpu);
    await expectWithin(mx.linalg.solve(at, b, gpu), mx.linalg.solve(f64(at), f64(b), cpu), 36, await kappa(at));
    const strided = mx.slice(conditioned([4], 34, 10, 51), [0, 0, 0], [4, 34, 34], [2, 1, 1], cpu);
    await expectWithin(mx.linalg.inv(strided, gpu), mx.linalg.inv(f64(strided), cpu), 34, await kappa(strided));
    const ab = mx.reshape(conditioned([3], 6, 10, 54), [3, 1, 6, 6], cpu), bb = normals([2, 6, 4], 55);
    await expectWithin(mx.linalg.solve(ab, bb, gpu), mx.linalg.solve(f64(ab), f64(bb), cpu), 6, await kappa(ab));
    await expectWithin(mx.linalg.solveTriangular(ab, bb, { upper: true, ...gpu }), mx.linalg.solveTriangular(f64(ab), f64(bb), { upper: true, ...cpu }), 6, await kappa(mx.triu(ab, 0, cpu)));
    const s = mx.broadcastTo(spd([1], 5, 10, 52), [2, 3, 5, 5], cpu);
    await expectWithin(mx.linalg.cholesky(s, gpu), mx.linalg.cholesky(f64(s), cpu), 5, Math.sqrt(await kappa(s)));
    const [q, r] = mx.linalg.qr(mT(normals([2, 4, 6], 53)), gpu);
    const [q0, r0] = mx.linalg.qr(f64(mT(normals([2, 4, 6], 53))), cpu);
    await expectWithin(q, q0, 6, 100);
    await expectWithin(r, r0, 6, 100);
    expect([...mx.linalg.inv(mx.zeros([0, 3, 3]), gpu).shape]).toEqual([0, 3, 3]);
    expect([...mx.linalg.cholesky(mx.zeros([2, 0, 0]), gpu).shape]).toEqual([2, 0, 0]);
  });
});
