// The webgpu backend's linear algebra (backends/webgpu/linalg*.ts): cholesky,
// triInv, solveTriangular, solve, inv and qr against the cpu reference (float64
// on the same float32 inputs) within WEBGPU_LINALG's condition-bounded
// contract, for sizes 1..200, batches, non-contiguous and broadcast inputs and
// condition numbers up to 1e4; and the cpu's behaviour on singular and
// indefinite inputs (errors, NaN and infinities in the same places).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { findBackend } from "../backends/backend.js";
import { deviceFor } from "../src/device.js";
import { WEBGPU_LINALG } from "../conformance/contracts.js";

const webgpu = findBackend("webgpu");
const gpu = { stream: webgpu ? deviceFor("webgpu") : mx.cpu };
const cpu = { stream: mx.cpu };
const { c: C, u: U } = WEBGPU_LINALG;

const f64 = (x: mx.MxArray) => mx.astype(x, mx.float64, cpu);
const f32 = (x: mx.MxArray) => mx.astype(x, mx.float32, cpu);
const mT = (x: mx.MxArray) => mx.swapaxes(x, -1, -2, cpu);
const mm = (a: mx.MxArray, b: mx.MxArray) => mx.matmul(a, b, cpu);
const eye = (n: number) => mx.eye(n, n, 0, { dtype: mx.float64, ...cpu });

/** Random orthogonal matrices (batch..., n, n) in float64. */
const orthogonal = (shape: number[], seed: number) => mx.linalg.qr(mx.random.normal(shape, { key: mx.random.key(seed), dtype: mx.float64, ...cpu }), cpu)[0];

/** Singular values from 1 down to 1 / cond, geometrically. */
function spectrum(n: number, cond: number): mx.MxArray {
  return mx.power(cond, mx.negative(mx.divide(mx.arange(n, { dtype: mx.float64, ...cpu }), Math.max(1, n - 1), cpu), cpu), cpu);
}

/** float32 matrices Q1 diag(s) Q2 of condition number `cond` (up to their rounding). */
function conditioned(shape: number[], cond: number, seed: number): mx.MxArray {
  const n = shape.at(-1)!;
  return f32(mm(mx.multiply(orthogonal(shape, seed), spectrum(n, cond), cpu), orthogonal(shape, seed + 1)));
}

/** float32 symmetric positive-definite matrices Q diag(s) Q^T of condition number `cond`. */
function spd(shape: number[], cond: number, seed: number): mx.MxArray {
  const q = orthogonal(shape, seed);
  const s = mm(mx.multiply(q, spectrum(shape.at(-1)!, cond), cpu), mT(q));
  return f32(mx.multiply(mx.add(s, mT(s), cpu), 0.5, cpu));
}

/** Per matrix, max |got - want| / (n u cond max |want|); the contract holds where every ratio is at most C. */
async function ratios(got: mx.MxArray, want: mx.MxArray, n: number, cond: number): Promise<number[]> {
  const axis = [-2, -1];
  const err = mx.max(mx.abs(mx.subtract(f64(got), want, cpu), cpu), { axis, ...cpu });
  const scale = mx.max(mx.abs(want, cpu), { axis, ...cpu });
  return [(await mx.divide(err, mx.multiply(scale, Math.max(1, n) * U * cond, cpu), cpu).tolist()) as number | number[]].flat();
}

async function expectWithin(got: mx.MxArray, want: mx.MxArray, n: number, cond: number): Promise<void> {
  expect(got.dtype).toBe(mx.float32);
  expect([...got.shape]).toEqual([...want.shape]);
  for (const r of await ratios(got, want, n, cond)) expect(r).toBeLessThanOrEqual(C);
}

describe.skipIf(!webgpu)("linalg kernels on webgpu", () => {
  it("cholesky: lower and upper factors, sizes 1..200 and batches, within n u cond^1/2", async () => {
    for (const [shape, cond] of [[[1, 1], 1], [[2, 2, 2], 10], [[3, 7, 7], 100], [[2, 31, 31], 1e3], [[32, 32], 1e4], [[2, 33, 33], 1e4], [[65, 65], 1e2], [[200, 200], 1e4]] as [number[], number][]) {
      const a = spd(shape, cond, shape.at(-1)!);
      // the triangle not read holds garbage
      const garbage = mx.random.normal(shape, { key: mx.random.key(5), ...cpu });
      for (const upper of [false, true]) {
        const x = mx.add(a, upper ? mx.tril(garbage, -1, cpu) : mx.triu(garbage, 1, cpu), cpu);
        await expectWithin(mx.linalg.cholesky(x, upper, gpu), mx.linalg.cholesky(f64(x), upper, cpu), shape.at(-1)!, Math.sqrt(cond));
      }
    }
  });

  it("triInv and solveTriangular: lower and upper, many right-hand sides, within n u cond", async () => {
    for (const [shape, cond, k] of [[[1, 1], 1, 1], [[2, 5, 5], 100, 3], [[32, 32], 1e4, 40], [[3, 33, 33], 1e4, 1], [[200, 200], 1e4, 17]] as [number[], number, number][]) {
      const n = shape.at(-1)!;
      const l = f32(mx.linalg.cholesky(f64(spd(shape, cond, n + 1)), cpu));
      const b = mx.random.normal([...shape.slice(0, -1), k], { key: mx.random.key(n), ...cpu });
      // the triangle not read holds garbage
      const garbage = mx.random.normal(shape, { key: mx.random.key(6), ...cpu });
      for (const upper of [false, true]) {
        const t = upper ? mx.add(mT(l), mx.tril(garbage, -1, cpu), cpu) : mx.add(l, mx.triu(garbage, 1, cpu), cpu);
        await expectWithin(mx.linalg.triInv(t, upper, gpu), mx.linalg.triInv(f64(t), upper, cpu), n, Math.sqrt(cond));
        await expectWithin(mx.linalg.solveTriangular(t, b, upper, gpu), mx.linalg.solveTriangular(f64(t), f64(b), upper, cpu), n, Math.sqrt(cond));
      }
    }
  });

  it("solve and inv: LU with partial pivoting, sizes 1..200, batches, within n u cond", async () => {
    for (const [shape, cond, k] of [[[1, 1], 1, 2], [[3, 3, 3], 10, 1], [[2, 32, 32], 1e4, 5], [[2, 33, 33], 1e3, 33], [[64, 64], 1e4, 1], [[130, 130], 1e4, 7], [[200, 200], 1e4, 3]] as [number[], number, number][]) {
      const n = shape.at(-1)!;
      const a = conditioned(shape, cond, n + 7);
      const b = mx.random.normal([...shape.slice(0, -1), k], { key: mx.random.key(k), ...cpu });
      await expectWithin(mx.linalg.inv(a, gpu), mx.linalg.inv(f64(a), cpu), n, cond);
      await expectWithin(mx.linalg.solve(a, b, gpu), mx.linalg.solve(f64(a), f64(b), cpu), n, cond);
    }
    // a zero leading entry needs the row interchange
    await expectWithin(mx.linalg.solve(mx.array([[0, 1], [1, 0]], mx.float32, cpu), mx.array([[2], [3]], mx.float32, cpu), gpu), mx.array([[3], [2]], mx.float64, cpu), 2, 1);
  });

  it("qr: reduced factors of tall, square and wide batches agree with the cpu's, Q orthonormal, Q R = A", async () => {
    for (const shape of [[1, 1], [2, 5, 3], [3, 5], [40, 33], [2, 33, 70], [130, 64], [200, 200]]) {
      const [m, n] = shape.slice(-2) as [number, number];
      const k = Math.min(m, n);
      const a = mx.random.normal(shape, { key: mx.random.key(m * n), ...cpu });
      const [q, r] = mx.linalg.qr(a, gpu);
      const [qc, rc] = mx.linalg.qr(f64(a), cpu);
      expect([...q.shape, ...r.shape]).toEqual([...shape.slice(0, -2), m, k, ...shape.slice(0, -2), k, n]);
      for (const ratio of await ratios(mm(f64(q), f64(r)), f64(a), Math.max(m, n), 1)) expect(ratio).toBeLessThanOrEqual(C);
      for (const ratio of await ratios(mm(mT(f64(q)), f64(q)), mx.broadcastTo(eye(k), [...shape.slice(0, -2), k, k], cpu), m, 1)) expect(ratio).toBeLessThanOrEqual(C);
      expect(await mx.all(mx.equal(mx.tril(r, -1, cpu), 0, cpu), cpu).item()).toBe(true);
      // a random matrix is well conditioned: its factors are close to the reference's, signs included (cond < 1e3 here)
      await expectWithin(r, rc, Math.max(m, n), 1e3);
      await expectWithin(q, qc, Math.max(m, n), 1e3);
    }
  });

  it("reads transposed, sliced and broadcast inputs as the cpu does", async () => {
    const a = spd([2, 40, 40], 100, 3);
    const onGpu = mx.array(await a.tolist(), mx.float32, gpu);
    // a transposed view of a GPU array (the same matrices: they are symmetric) and a strided slice of one
    await expectWithin(mx.linalg.cholesky(mx.swapaxes(onGpu, -1, -2, gpu), gpu), mx.linalg.cholesky(f64(a), cpu), 40, 10);
    const big = mx.array(await conditioned([70, 70], 10, 9).tolist(), mx.float32, gpu);
    const sliced = mx.slice(big, [1, 0], [70, 70], [2, 2], gpu);
    await expectWithin(mx.linalg.inv(sliced, gpu), mx.linalg.inv(f64(mx.slice(conditioned([70, 70], 10, 9), [1, 0], [70, 70], [2, 2], cpu)), cpu), 35, 1e4);
    // one matrix against a batch of right-hand sides, a vector against a batch of matrices
    const m = conditioned([6, 6], 10, 4);
    const bs = mx.random.normal([3, 6, 2], { key: mx.random.key(2), ...cpu });
    await expectWithin(mx.linalg.solve(m, bs, gpu), mx.linalg.solve(f64(m), f64(bs), cpu), 6, 10);
    const v = mx.array([1, 2, 3, 4, 5, 6], mx.float32, cpu);
    const ms = conditioned([4, 6, 6], 10, 8);
    const got = mx.linalg.solve(ms, v, gpu);
    expect([...got.shape]).toEqual([4, 6]);
    await expectWithin(mx.expandDims(got, -1, cpu), mx.expandDims(mx.linalg.solve(f64(ms), f64(v), cpu), -1, cpu), 6, 10);
    await expectWithin(mx.linalg.solveTriangular(mx.tril(m, 0, cpu), mx.expandDims(v, -1, cpu), gpu), mx.linalg.solveTriangular(f64(mx.tril(m, 0, cpu)), f64(mx.expandDims(v, -1, cpu)), cpu), 6, 1e3);
  });

  it("empty batches and 0 x 0 matrices give empty results", async () => {
    expect([...(await mx.linalg.cholesky(mx.zeros([0, 3, 3], mx.float32, cpu), gpu).tolist() as unknown[])]).toEqual([]);
    expect(mx.linalg.inv(mx.zeros([2, 0, 0], mx.float32, cpu), gpu).shape).toEqual([2, 0, 0]);
    await mx.eval(mx.linalg.inv(mx.zeros([2, 0, 0], mx.float32, cpu), gpu), mx.linalg.solve(mx.eye(3, 3, 0, { dtype: mx.float32, ...cpu }), mx.zeros([3, 0], mx.float32, cpu), gpu));
    const [q, r] = mx.linalg.qr(mx.zeros([0, 4, 2], mx.float32, cpu), gpu);
    await mx.eval(q, r);
    expect([...q.shape, ...r.shape]).toEqual([0, 4, 2, 0, 2, 2]);
  });

  it("a singular matrix is an error for solve and inv, as on the cpu, naming the matrix; later work is unaffected", async () => {
    const batch = mx.array([[[1, 0], [0, 1]], [[1, 2], [2, 4]]], mx.float32, cpu);
    await expect(mx.linalg.inv(batch, cpu).tolist()).rejects.toThrow(/matrix 1 of the batch is singular/);
    await expect(mx.linalg.inv(batch, gpu).tolist()).rejects.toThrow(/\[linalg\.inv\] matrix 1 of the batch is singular/);
    await expect(mx.linalg.solve(mx.zeros([40, 40], mx.float32, cpu), mx.ones([40], mx.float32, cpu), gpu).tolist()).rejects.toThrow(/\[linalg\.solve\] matrix 0 of the batch is singular/);
    expect(await mx.linalg.inv(mx.array([[2, 0], [0, 4]], mx.float32, cpu), gpu).tolist()).toEqual([[0.5, 0], [0, 0.25]]);
  });

  it("an indefinite matrix is the cpu's error for cholesky, naming the matrix and the column", async () => {
    const indefinite = mx.array([[4, 2, 0, 1], [2, 1, 0, 0], [0, 0, 3, 0], [1, 0, 0, 2]], mx.float32, cpu);
    const message = /\[linalg\.cholesky\].*matrix 0 of the batch is not positive definite \(the pivot of column 1 /;
    await expect(mx.linalg.cholesky(indefinite, gpu).tolist()).rejects.toThrow(message);
    await expect(mx.linalg.cholesky(indefinite, cpu).tolist()).rejects.toThrow(message);
    // a batch of 40 x 40 matrices, matrix 1's pivot 35 (in the second block) negative
    const broken = mx.subtract(spd([2, 40, 40], 10, 1), mx.multiply(mx.reshape(mx.array([0, 1], mx.float32, cpu), [2, 1, 1], cpu), mx.diag(mx.array(Array.from({ length: 40 }, (_, i) => (i === 35 ? 10 : 0)), mx.float32, cpu), 0, cpu), cpu), cpu);
    await expect(mx.linalg.cholesky(broken, gpu).tolist()).rejects.toThrow(/\[linalg\.cholesky\] matrix 1 of the batch is not positive definite \(the pivot of column 35 /);
    await expect(mx.linalg.cholesky(broken, cpu).tolist()).rejects.toThrow(/matrix 1 of the batch is not positive definite \(the pivot of column 35 /);
    expect(await mx.linalg.cholesky(mx.array([[4, 2], [2, 2]], mx.float32, cpu), gpu).tolist()).toEqual([[2, 0], [1, 1]]);
  });

  it("a triangle with an exact zero on its diagonal is the cpu's error for triInv, solveTriangular and choleskyInv (MLX's tri_inv raises), naming the matrix and the row", async () => {
    const zeroDiagonal = mx.array([[1, 0, 0], [2, 0, 0], [1, 1, 3]], mx.float32, cpu);
    for (const s of [gpu, cpu]) {
      await expect(mx.linalg.triInv(zeroDiagonal, s).tolist()).rejects.toThrow(/\[linalg\.triInv\].*matrix 0 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 1\)/);
      await expect(mx.linalg.solveTriangular(zeroDiagonal, mx.array([1, 1, 1], mx.float32, cpu), s).tolist()).rejects.toThrow(/\[linalg\.solveTriangular\].*matrix 0 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 1\)/);
      // webgpu reports the error of its triInv kernel, the cpu names the op called and its step
      await expect(mx.linalg.choleskyInv(zeroDiagonal, s).tolist()).rejects.toThrow(/\[linalg\.(choleskyInv|triInv)\].*matrix 0 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 1\)/);
    }
    // a batch of 40 x 40 upper triangles, matrix 1's diagonal zero in row 35 (the second block); the other triangle is not read
    const diag = mx.reshape(mx.array(Array.from({ length: 80 }, (_, i) => (i === 75 ? 0 : 2)), mx.float32, cpu), [2, 1, 40], cpu);
    const upper = mx.add(mx.multiply(mx.eye(40, 40, 0, { dtype: mx.float32, ...cpu }), diag, cpu), mx.triu(mx.ones([2, 40, 40], mx.float32, cpu), 1, cpu), cpu);
    const withLower = mx.add(upper, mx.tril(mx.ones([40, 40], mx.float32, cpu), -1, cpu), cpu);
    for (const s of [gpu, cpu]) {
      await expect(mx.linalg.triInv(withLower, { upper: true, ...s }).tolist()).rejects.toThrow(/matrix 1 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 35\)/);
      await expect(mx.linalg.solveTriangular(withLower, mx.ones([2, 40, 3], mx.float32, cpu), { upper: true, ...s }).tolist()).rejects.toThrow(/matrix 1 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 35\)/);
    }
    // later work is unaffected; a zero in the triangle not read is no error
    expect(await mx.linalg.triInv(mx.array([[2, 0], [0, 4]], mx.float32, cpu), gpu).tolist()).toEqual([[0.5, 0], [0, 0.25]]);
    expect(await mx.linalg.solveTriangular(mx.array([[2, 5], [1, 4]], mx.float32, cpu), mx.array([2, 9], mx.float32, cpu), gpu).tolist()).toEqual([1, 2]);
  });
});
