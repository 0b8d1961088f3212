// mx.linalg at exactly singular matrices: triInv, solveTriangular and
// choleskyInv of a triangle with a zero on its diagonal are an error (MLX's
// tri_inv raises, as LAPACK trtri's info > 0, and NumPy raises), not
// infinities and NaN; det's gradient is the cofactor matrix adj(A)^T at every
// matrix, singular ones included (it went through inv(A) and threw there),
// in vjp, jvp and vmap; slogdet's gradient (A^-T) does not exist there and
// stays an error.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { Cofactor } from "../src/primitives/linalg-det.js";

const cpu = { stream: mx.cpu };
const L = mx.linalg;
const flat = async (x: mx.MxArray) => [(await x.tolist()) as unknown].flat(Infinity) as number[];

describe("a triangle with an exact zero on its diagonal (cpu)", () => {
  const message = (b: number, j: number) => new RegExp(`matrix ${b} of the batch is singular \\(its triangle has an exact zero on the diagonal, in row ${j}\\)`);

  it.each([mx.float32, mx.float64])("triInv, solveTriangular and choleskyInv throw, naming the op, the matrix and the row (%s)", async (d) => {
    const z = mx.array([[0, 0], [1, 1]], d, cpu);
    await expect(L.triInv(z, cpu).tolist()).rejects.toThrow(/^\[linalg\.triInv\].*matrix 0 of the batch is singular \(its triangle has an exact zero on the diagonal, in row 0\)/);
    await expect(L.solveTriangular(z, mx.array([1, 1], d, cpu), cpu).tolist()).rejects.toThrow(/^\[linalg\.solveTriangular\].*matrix 0 of the batch is singular/);
    await expect(L.choleskyInv(z, cpu).tolist()).rejects.toThrow(/^\[linalg\.choleskyInv\].*matrix 0 of the batch is singular/);
    // upper, in a batch (the second matrix), -0 counts as zero; the lower triangle is not read
    const batch = mx.array([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[2, 1, 1], [5, 3, 1], [5, 5, -0]]], d, cpu);
    await expect(L.triInv(batch, true, cpu).tolist()).rejects.toThrow(message(1, 2));
    await expect(L.solveTriangular(batch, mx.ones([2, 3, 2], d, cpu), true, cpu).tolist()).rejects.toThrow(message(1, 2));
    await expect(L.choleskyInv(batch, true, cpu).tolist()).rejects.toThrow(message(1, 2));
    // the lower triangle of the same batch has no zero on its diagonal... except the -0
    await expect(L.triInv(batch, cpu).tolist()).rejects.toThrow(message(1, 2));
  });

  it("a non-zero diagonal, however small, is inverted (NaN is not zero, as in LAPACK's test)", async () => {
    expect((await flat(L.triInv(mx.array([[2 ** -1000, 0], [0, 2]], mx.float64, cpu), cpu))).map((v) => v + 0)).toEqual([2 ** 1000, 0, 0, 0.5]);
    // the 9 above the diagonal is not read
    expect(await L.solveTriangular(mx.array([[2, 9], [0, 4]], mx.float64, cpu), mx.array([2, 8], mx.float64, cpu), cpu).tolist()).toEqual([1, 2]);
    const n = await flat(L.triInv(mx.array([[NaN, 0], [0, 2]], mx.float64, cpu), cpu));
    expect(Number.isNaN(n[0])).toBe(true);
  });
});

/** Central differences of det at `a` (float64, flattened). */
async function numericGrad(a: number[][], h = 1e-5): Promise<number[]> {
  const n = a.length, out: number[] = [];
  for (let k = 0; k < n * n; k++) {
    const shifted = (e: number) => L.det(mx.array(a.map((row, i) => row.map((v, j) => (i * n + j === k ? v + e : v))), mx.float64, cpu), cpu);
    out.push((((await shifted(h).item()) as number) - ((await shifted(-h).item()) as number)) / (2 * h));
  }
  return out;
}

describe("det's gradient at singular matrices: the cofactor matrix", () => {
  const det = (x: mx.MxArray) => L.det(x, cpu);
  const expectClose = (got: number[], want: number[], tol: number) => got.forEach((g, i) => expect(Math.abs(g - want[i]!), `element ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!))));

  it.each([mx.float32, mx.float64])("the review's matrix [[1, 2], [2, 4]]: [[4, -2], [-2, 1]], as MLX's (%s)", async (d) => {
    const g = mx.grad(det)(mx.array([[1, 2], [2, 4]], d, cpu));
    expect(g.dtype).toBe(d);
    // (the null vector completing the SVD's basis carries a rounding or two: a few ulps of the dtype)
    expectClose(await flat(g), [4, -2, -2, 1], 4 * (d === mx.float32 ? 2 ** -23 : 2 ** -52));
  });

  const singular: [string, number[][]][] = [
    ["3 x 3 of rank 2", [[1, 2, 3], [4, 5, 6], [7, 8, 9]]],
    ["3 x 3 of rank 1 (cofactors zero)", [[1, 2, 3], [2, 4, 6], [3, 6, 9]]],
    ["a zero matrix", [[0, 0, 0], [0, 0, 0], [0, 0, 0]]],
    ["diag(0, 2, 3)", [[0, 0, 0], [0, 2, 0], [0, 0, 3]]],
    ["5 x 5 of rank 4", [[2, 1, 0, 3, 1], [1, 3, 1, 0, 2], [3, 4, 1, 3, 3], [0, 1, 4, 1, 0], [1, 0, 2, 2, 5]]],
    ["5 x 5 of rank 3", [[2, 1, 0, 3, 1], [1, 3, 1, 0, 2], [3, 4, 1, 3, 3], [1, 3, 1, 0, 2], [1, 0, 2, 2, 5]]],
  ];
  it.each(singular)("%s: finite differences of det (a polynomial, so they are exact up to rounding)", async (_, a) => {
    const g = await flat(mx.grad(det)(mx.array(a, mx.float64, cpu)));
    expectClose(g, await numericGrad(a), 1e-8);
  });

  it("the cofactor matrix of a rank n-1 matrix exactly: adj(A)^T = [[-3, 6, -3], [6, -12, 6], [-3, 6, -3]] for [[1..3], [4..6], [7..9]]", async () => {
    expectClose(await flat(mx.grad(det)(mx.array(singular[0]![1], mx.float64, cpu))), [-3, 6, -3, 6, -12, 6, -3, 6, -3], 1e-14);
  });

  it("an invertible matrix: det(A) A^-T as before; batched, scaled by the cotangent, through vmap", async () => {
    const a = mx.array([[[1, 2], [3, 4]], [[1, 2], [2, 4]]], mx.float64, cpu);
    const [, [g]] = mx.vjp((x: mx.MxArray) => det(x), [a], [mx.array([2, 3], mx.float64, cpu)]);
    expectClose(await flat(g!), [8, -6, -4, 2, 12, -6, -6, 3], 1e-15);
    const v = mx.vmap(mx.grad(det))(a);
    expectClose(await flat(v), [4, -3, -2, 1, 4, -2, -2, 1], 1e-15);
  });

  it("jvp at a singular matrix: tr(adj(A) T)", async () => {
    const [, [t]] = mx.jvp((x: mx.MxArray) => det(x), [mx.array([[1, 2], [2, 4]], mx.float64, cpu)], [mx.array([[1, 0], [0, 1]], mx.float64, cpu)]);
    expectClose([(await t!.item()) as number], [5], 4 * 2 ** -52);
  });

  it("second order at an invertible matrix: the gradient of the gradient matches finite differences", async () => {
    const a = [[1, 2, 0], [3, 4, 1], [0, 1, 2]];
    const f = (x: mx.MxArray) => mx.sum(mx.multiply(mx.grad(det)(x), mx.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], mx.float64, cpu), cpu), cpu);
    const g = await flat(mx.grad(f)(mx.array(a, mx.float64, cpu)));
    const h = 1e-5, numeric: number[] = [];
    for (let k = 0; k < 9; k++) {
      const at = (e: number) => f(mx.array(a.map((row, i) => row.map((v, j) => (i * 3 + j === k ? v + e : v))), mx.float64, cpu));
      numeric.push((((await at(h).item()) as number) - ((await at(-h).item()) as number)) / (2 * h));
    }
    expectClose(g, numeric, 1e-7);
    const [, [t]] = mx.jvp((x: mx.MxArray) => mx.grad(det)(x), [mx.array(a, mx.float64, cpu)], [mx.array([[1, 0, 0], [0, 0, 0], [0, 0, 0]], mx.float64, cpu)]);
    // d/da00 of adj(A)^T: the cofactors that hold a00 (those of a11, a12, a21, a22)
    expectClose(await flat(t!), [0, 0, 0, 0, 2, -1, 0, -1, 4], 1e-12);
  });

  it("the cofactor primitive (det's gradient) validates as det: square float32 or float64 matrices", () => {
    const c = new Cofactor();
    expect(() => c.validate([{ shape: [3, 3], dtype: mx.float32 }])).not.toThrow();
    expect(() => c.validate([{ shape: [3, 2], dtype: mx.float64 }])).toThrow(/^\[cofactor\] a must be square/);
    expect(() => c.validate([{ shape: [2, 2], dtype: mx.float16 }])).toThrow(/^\[cofactor\] a must be float32 or float64/);
    expect(() => c.validate([{ shape: [2], dtype: mx.float32 }])).toThrow(/^\[cofactor\] a must have at least 2 dimensions/);
  });

  it("slogdet's gradient A^-T has no value at a singular matrix: an error, naming the step", async () => {
    const logabsdet = (x: mx.MxArray) => L.slogdet(x, cpu)[1];
    await expect(mx.grad(logabsdet)(mx.array([[1, 2], [2, 4]], mx.float64, cpu)).tolist()).rejects.toThrow(/inv step.*matrix 0 of the batch is singular/);
  });
});
