// mx.linalg's factorizations and solves (cholesky, triInv, choleskyInv, inv,
// solve, solveTriangular, eigh, eigvalsh, svd) on the
// cpu stream: NumPy's values for fixed matrices, reconstructions and
// orthogonality on random batches in float32 and float64, gradients of the
// triangle each reads, MLX's argument errors; on a GPU stream, an error
// saying they run on the cpu only.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { BACKENDS, expectClose } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };
const A3 = [[4, 2, 0.5], [2, 3, 1], [0.5, 1, 5]];

const mT = (x: mx.MxArray) => mx.swapaxes(x, -1, -2, cpu);
const mm = (...xs: mx.MxArray[]) => xs.reduce((a, b) => mx.matmul(a, b, cpu));
const maxAbsDiff = async (a: mx.MxArray, b: mx.MxArray) => (await mx.max(mx.abs(mx.subtract(a, b, cpu), cpu), cpu).item()) as number;
const eyeLike = (x: mx.MxArray, n: number) => mx.broadcastTo(mx.eye(n, n, 0, { dtype: x.dtype, ...cpu }), [...x.shape.slice(0, -2), n, n], cpu);

/** A batch of random matrices (fixed key) of `dtype`. */
const randomMatrices = (shape: number[], dtype: mx.DType, seed: number) => mx.random.normal(shape, { key: mx.random.key(seed), dtype, ...cpu });

/** Random symmetric positive-definite matrices X X^T + n I. */
function randomSpd(shape: number[], dtype: mx.DType, seed: number): mx.MxArray {
  const x = randomMatrices(shape, dtype, seed);
  const n = shape.at(-1)!;
  return mx.add(mm(x, mT(x)), mx.multiply(eyeLike(x, n), n, cpu), cpu);
}

describe.each([mx.float32, mx.float64].map((d) => ({ dtype: d.name, d })))("linalg on the cpu ($dtype)", ({ d }) => {
  const tol = d === mx.float32 ? 1e-5 : 1e-13;

  it("cholesky: NumPy's factor; upper is its transpose; L L^T reconstructs a batch", async () => {
    const a = mx.array(A3, d, cpu);
    const want = [[2, 0, 0], [1, 1.4142135623730951, 0], [0.25, 0.5303300858899106, 2.1578345627040085]];
    await expectClose(mx.linalg.cholesky(a, cpu), want, tol);
    await expectClose(mx.linalg.cholesky(a, true, cpu), await mT(mx.array(want, d, cpu)).tolist(), tol);
    expect(mx.linalg.cholesky(a, cpu).dtype).toBe(d);
    const b = randomSpd([2, 3, 5, 5], d, 1);
    const l = mx.linalg.cholesky(b, cpu);
    expect(await maxAbsDiff(mx.triu(l, 1, cpu), mx.zerosLike(l, cpu))).toBe(0);
    expect(await maxAbsDiff(mm(l, mT(l)), b)).toBeLessThan(tol * 40);
    const u = mx.linalg.cholesky(b, { upper: true, ...cpu });
    expect(await maxAbsDiff(mm(mT(u), u), b)).toBeLessThan(tol * 40);
  });

  it("cholesky reads one triangle; a non-positive or NaN pivot is an error naming the matrix and the column", async () => {
    const a = mx.array(A3, d, cpu);
    const lowerOnly = mx.tril(a, 0, cpu), upperOnly = mx.triu(a, 0, cpu);
    expect(await mx.linalg.cholesky(lowerOnly, cpu).tolist()).toEqual(await mx.linalg.cholesky(a, cpu).tolist());
    expect(await mx.linalg.cholesky(upperOnly, true, cpu).tolist()).toEqual(await mx.linalg.cholesky(a, true, cpu).tolist());
    const indefinite = mx.array([[1, 2, 0], [2, 1, 0], [0, 0, 1]], d, cpu);
    const message = /\[linalg\.cholesky\].*matrix 0 of the batch is not positive definite \(the pivot of column 1 of its Cholesky factorization is not positive, or is NaN\)/;
    await expect(mx.linalg.cholesky(indefinite, cpu).tolist()).rejects.toThrow(message);
    await expect(mx.linalg.cholesky(indefinite, true, cpu).tolist()).rejects.toThrow(message);
    // in a batch: the second matrix named; a NaN, a zero pivot and a 0 x 0 matrix
    await expect(mx.linalg.cholesky(mx.stack([mx.eye(3, 3, 0, { dtype: d, ...cpu }), indefinite], { axis: 0, ...cpu }), cpu).tolist()).rejects.toThrow(/matrix 1 of the batch is not positive definite \(the pivot of column 1/);
    await expect(mx.linalg.cholesky(mx.array([[NaN, 1], [1, 1]], d, cpu), cpu).tolist()).rejects.toThrow(/matrix 0 of the batch is not positive definite \(the pivot of column 0/);
    await expect(mx.linalg.cholesky(mx.array([[1, 1], [1, 1]], d, cpu), cpu).tolist()).rejects.toThrow(/the pivot of column 1/);
    expect([...mx.linalg.cholesky(mx.zeros([2, 0, 0], d, cpu), cpu).shape]).toEqual([2, 0, 0]);
    // later work is unaffected
    expect(await mx.linalg.cholesky(mx.array([[4, 2], [2, 2]], d, cpu), cpu).tolist()).toEqual([[2, 0], [1, 1]]);
  });

  it("triInv: NumPy's inverse of a triangle, lower and upper, batched", async () => {
    const t = mx.array([[2, 0, 0], [1, 4, 0], [3, -1, 5]], d, cpu);
    await expectClose(mx.linalg.triInv(t, cpu), [[0.5, 0, 0], [-0.125, 0.25, 0], [-0.325, 0.05, 0.2]], tol, 1e-15);
    await expectClose(mx.linalg.triInv(mT(t), true, cpu), await mT(mx.linalg.triInv(t, cpu)).tolist(), tol);
    const l = mx.linalg.cholesky(randomSpd([4, 6, 6], d, 2), cpu);
    expect(await maxAbsDiff(mm(l, mx.linalg.triInv(l, cpu)), eyeLike(l, 6))).toBeLessThan(tol * 10);
  });

  it("eigh: NumPy's eigenvalues and (up to sign) eigenvectors; V diag(w) V^T reconstructs; V is orthogonal", async () => {
    const [w, v] = mx.linalg.eigh(mx.array(A3, d, cpu), cpu);
    await expectClose(w, [1.370272234079647, 4.28365153438174, 6.346076231538615], tol);
    const absV = [[0.5823073803970533, 0.5652118028096821, 0.5843404253513106], [0.8007540167654307, 0.2746339319336716, 0.5323243447980568], [0.14039629400076784, 0.7778893374994162, 0.6125169868955224]];
    await expectClose(mx.abs(v, cpu), absV, tol * 10);
    const b = mx.multiply(mx.add(randomMatrices([3, 2, 5, 5], d, 3), mT(randomMatrices([3, 2, 5, 5], d, 3)), cpu), 0.5, cpu);
    const [wb, vb] = mx.linalg.eigh(b, cpu);
    await mx.eval(wb, vb);
    expect(wb.shape).toEqual([3, 2, 5]);
    const recon = mm(mx.multiply(vb, mx.expandDims(wb, -2, cpu), cpu), mT(vb));
    expect(await maxAbsDiff(recon, b)).toBeLessThan(tol * 50);
    expect(await maxAbsDiff(mm(mT(vb), vb), eyeLike(vb, 5))).toBeLessThan(tol * 50);
    const ws = (await wb.tolist()) as number[][][];
    for (const row of ws.flat()) for (let i = 1; i < row.length; i++) expect(row[i]!).toBeGreaterThanOrEqual(row[i - 1]!);
  });

  it("eigvalsh: the triangle UPLO names (NumPy's values for a non-symmetric input); equal to eigh's values", async () => {
    const a = mx.array([[1, 5], [7, 2]], d, cpu);
    await expectClose(mx.linalg.eigvalsh(a, cpu), [-5.5178344238090995, 8.5178344238091], tol);
    await expectClose(mx.linalg.eigvalsh(a, "U", cpu), [-3.524937810560445, 6.524937810560445], tol);
    await expectClose(mx.linalg.eigvalsh(a, { UPLO: "U", ...cpu }), [-3.524937810560445, 6.524937810560445], tol);
    const b = randomSpd([4, 4], d, 4);
    expect(await mx.linalg.eigvalsh(b, cpu).tolist()).toEqual(await mx.linalg.eigh(b, cpu)[0].tolist());
  });

  it("svd: NumPy's singular values; U diag(S) Vt reconstructs tall, wide and batched matrices; U and Vt are orthogonal", async () => {
    await expectClose(mx.linalg.svd(mx.array([[1, 2, 3], [4, 5, 6]], d, cpu), false, cpu), [9.508032000695724, 0.7728696356734843], tol);
    for (const [m, n] of [[5, 3], [3, 5], [4, 4], [1, 3], [3, 1]] as const) {
      const a = randomMatrices([2, m, n], d, 5 + m * n);
      const [u, s, vt] = mx.linalg.svd(a, cpu);
      await mx.eval(u, s, vt);
      expect([u.shape, s.shape, vt.shape]).toEqual([[2, m, m], [2, Math.min(m, n)], [2, n, n]]);
      const k = Math.min(m, n);
      const uk = mx.slice(u, [0, 0, 0], [2, m, k], undefined, cpu), vtk = mx.slice(vt, [0, 0, 0], [2, k, n], undefined, cpu);
      expect(await maxAbsDiff(mm(mx.multiply(uk, mx.expandDims(s, -2, cpu), cpu), vtk), a)).toBeLessThan(tol * 50);
      expect(await maxAbsDiff(mm(mT(u), u), eyeLike(u, m))).toBeLessThan(tol * 50);
      expect(await maxAbsDiff(mm(vt, mT(vt)), eyeLike(vt, n))).toBeLessThan(tol * 50);
      expect(await mx.linalg.svd(a, { computeUV: false, ...cpu }).tolist()).toEqual(await s.tolist());
      expect(mx.linalg.svd(a, undefined, cpu).length).toBe(3);
    }
    // a rank-deficient matrix: a zero singular value, U still orthogonal
    const [u0, s0] = mx.linalg.svd(mx.array([[1, 2], [2, 4], [0, 0]], d, cpu), cpu);
    await mx.eval(u0, s0);
    await expectClose(s0, [5, 0], tol, 1e-6);
    expect(await maxAbsDiff(mm(mT(u0), u0), eyeLike(u0, 3))).toBeLessThan(tol * 10);
  });

  const A3b = [[2, 1, 0], [1, 3, 1], [0, 1, 4]];
  const B32 = [[1, 2], [3, 4], [5, 6]];
  const invA3b = [[0.6111111111111112, -0.22222222222222224, 0.05555555555555556], [-0.22222222222222224, 0.4444444444444445, -0.11111111111111112], [0.05555555555555556, -0.11111111111111112, 0.2777777777777778]];

  it("inv and choleskyInv: NumPy's inverse; A A^-1 = I on a batch; a singular matrix is an error", async () => {
    const a = mx.array(A3b, d, cpu);
    await expectClose(mx.linalg.inv(a, cpu), invA3b, tol * 4);
    await expectClose(mx.linalg.choleskyInv(mx.linalg.cholesky(a, cpu), cpu), invA3b, tol * 4);
    await expectClose(mx.linalg.choleskyInv(mx.linalg.cholesky(a, true, cpu), true, cpu), invA3b, tol * 4);
    const b = mx.add(randomMatrices([3, 5, 5], d, 11), mx.multiply(eyeLike(a, 5), 4, cpu), cpu);
    expect(await maxAbsDiff(mm(b, mx.linalg.inv(b, cpu)), eyeLike(b, 5))).toBeLessThan(tol * 20);
    await expect(mx.linalg.inv(mx.array([[1, 2], [2, 4]], d, cpu), cpu).tolist()).rejects.toThrow(/singular/);
  });

  it("solve and solveTriangular: NumPy's solutions; a vector b; batches broadcast", async () => {
    const a = mx.array(A3b, d, cpu), b = mx.array(B32, d, cpu);
    await expectClose(mx.linalg.solve(a, b, cpu), [[0.2222222222222222, 0.6666666666666666], [0.5555555555555556, 0.6666666666666667], [1.1111111111111112, 1.3333333333333333]], tol * 4);
    await expectClose(mx.linalg.solveTriangular(a, b, cpu), [[0.5, 1], [0.8333333333333333, 1], [1.0416666666666667, 1.25]], tol * 4);
    await expectClose(mx.linalg.solveTriangular(a, b, true, cpu), [[0.20833333333333337, 0.5833333333333334], [0.5833333333333333, 0.8333333333333333], [1.25, 1.5]], tol * 4);
    const x = mx.linalg.solve(a, mx.array([1, 3, 5], d, cpu), cpu);
    expect(x.shape).toEqual([3]);
    await expectClose(x, [0.2222222222222222, 0.5555555555555556, 1.1111111111111112], tol * 4);
    const batch = mx.add(randomMatrices([4, 1, 3, 3], d, 12), mx.multiply(eyeLike(a, 3), 4, cpu), cpu);
    const rhs = randomMatrices([2, 3, 2], d, 13);
    const xs = mx.linalg.solve(batch, rhs, cpu);
    expect(xs.shape).toEqual([4, 2, 3, 2]);
    expect(await maxAbsDiff(mm(batch, xs), mx.broadcastTo(rhs, [4, 2, 3, 2], cpu))).toBeLessThan(tol * 20);
    expect(mx.linalg.solve(mx.array(A3b, mx.int32, cpu), mx.array([1, 2, 3], d, cpu), cpu).dtype).toBe(d);
  });

  it("refuses MLX's bad inputs, naming the op and the argument", () => {
    expect(() => mx.linalg.solve(mx.array(A3b, d), mx.array([1, 2], d), cpu)).toThrow(/^\[linalg.solve\] the last dimension of a \(3\) must match the length of b \(2\)/);
    expect(() => mx.linalg.solveTriangular(mx.array(A3b, mx.int32), mx.array([1, 2, 3], mx.int32), cpu)).toThrow(/^\[linalg.solveTriangular\] a and b must promote to float32 or float64/);
    expect(() => mx.linalg.cholesky(mx.array([[1, 0], [0, 1]], mx.int32), cpu)).toThrow(/^\[linalg.cholesky\] a must be float32 or float64, got int32/);
    expect(() => mx.linalg.eigh(mx.array([1, 2], d), cpu)).toThrow(/^\[linalg.eigh\] a must have at least 2 dimensions/);
    expect(() => mx.linalg.eigvalsh(mx.zeros([2, 3], d), cpu)).toThrow(/^\[linalg.eigvalsh\] a must be square/);
    expect(() => mx.linalg.eigh(mx.eye(2, 2, 0, d), "X" as "L", cpu)).toThrow(/^\[linalg.eigh\] UPLO must be "L" or "U"/);
    expect(() => mx.linalg.svd(mx.eye(2, 2, 0, d), { computeUV: 1 as unknown as boolean, ...cpu })).toThrow(/^\[linalg.svd\] computeUV must be a boolean/);
    expect(() => mx.linalg.cholesky(mx.eye(2, 2, 0, d), true, { upper: true, ...cpu })).toThrow(/upper was given twice/);
    expect(() => mx.linalg.cholesky(mx.eye(2, 2, 0, d), undefined, true as never)).toThrow(/^\[linalg.cholesky\] options must be an object/);
    expect(() => mx.linalg.triInv(mx.eye(2, 2, 0, d), { lower: true, ...cpu } as never)).toThrow(/^\[linalg.triInv\] unknown option 'lower'/);
  });
});

describe("linalg gradients of the triangle read (float64, cpu)", () => {
  /** Central finite differences of sum(v * f(a)) at every element of `a`. */
  async function numericGrad(f: (a: mx.MxArray) => mx.MxArray, a: mx.MxArray, v: mx.MxArray): Promise<number[]> {
    const x = (await a.tolist()) as number[][];
    const out: number[] = [];
    for (let i = 0; i < x.length; i++) {
      for (let j = 0; j < x.length; j++) {
        const at = async (h: number) => {
          const p = x.map((r) => [...r]);
          p[i]![j]! += h;
          return (await mx.sum(mx.multiply(v, f(mx.array(p, mx.float64, cpu)), cpu), cpu).item()) as number;
        };
        out.push(((await at(1e-6)) - (await at(-1e-6))) / 2e-6);
      }
    }
    return out;
  }

  const cases: [string, (a: mx.MxArray) => mx.MxArray][] = [
    ["cholesky (lower)", (a) => mx.linalg.cholesky(a, cpu)],
    ["cholesky (upper)", (a) => mx.linalg.cholesky(a, true, cpu)],
    ["eigh vectors (UPLO U)", (a) => mx.linalg.eigh(a, "U", cpu)[1]],
    ["eigvalsh", (a) => mx.linalg.eigvalsh(a, cpu)],
    ["triInv (upper)", (a) => mx.linalg.triInv(mx.add(a, mx.multiply(mx.eye(4, 4, 0, mx.float64), 20, cpu), cpu), true, cpu)],
    ["solveTriangular (lower)", (a) => mx.linalg.solveTriangular(a, mx.reshape(mx.arange(8, { dtype: mx.float64, ...cpu }), [4, 2], cpu), cpu)],
  ];
  it.each(cases)("%s: vjp matches finite differences, zero on the triangle not read", async (_name, f) => {
    // a non-symmetric input: the factorization sees only one triangle of it
    const a = mx.add(randomSpd([4, 4], mx.float64, 7), mx.multiply(randomMatrices([4, 4], mx.float64, 8), 0.3, cpu), cpu);
    const v = randomMatrices([...f(a).shape], mx.float64, 9);
    const [, [g]] = mx.vjp((x: mx.MxArray) => f(x), [a], [v]);
    const analytic = (await mx.reshape(g!, [-1], cpu).tolist()) as number[];
    const numeric = await numericGrad(f, a, v);
    analytic.forEach((x, k) => expect(Math.abs(x - numeric[k]!), `element ${k}: vjp ${x}, finite differences ${numeric[k]}`).toBeLessThan(1e-6 * (1 + Math.abs(numeric[k]!))));
    expect(numeric.filter((x) => x === 0).length).toBe(6);
  });

  it("svd through its vectors needs a square matrix", () => {
    const a = randomMatrices([3, 2], mx.float64, 10);
    expect(() => mx.grad((x: mx.MxArray) => mx.sum(mx.linalg.svd(x, cpu)[0], cpu))(a)).toThrow(/^\[linalg.svd\] the vjp of the singular vectors is defined for square matrices only/);
    expect(mx.grad((x: mx.MxArray) => mx.sum(mx.linalg.svd(x, false, cpu), cpu))(a).shape).toEqual([3, 2]);
  });
});

describe.each(BACKENDS.filter((b) => b.device.backend !== "cpu"))("linalg on a $name stream", ({ device }) => {
  it("runs where the backend has the op's kernel, else says it runs on the cpu only, naming the op", () => {
    const a = mx.array(A3, mx.float32, { stream: device });
    const o = { stream: device };
    const backend = getBackend(device.backend);
    const has = (prim: string) => backend.kernels[prim] !== undefined || backend.multiKernels?.[prim] !== undefined;
    const calls: [string, string, () => unknown][] = [
      ["cholesky", "cholesky", () => mx.linalg.cholesky(a, o)],
      ["eigh", "eigh", () => mx.linalg.eigh(a, o)],
      ["eigvalsh", "eigh", () => mx.linalg.eigvalsh(a, o)],
      ["svd", "svd", () => mx.linalg.svd(a, o)],
      ["triInv", "triInv", () => mx.linalg.triInv(a, o)],
      ["inv", "inv", () => mx.linalg.inv(a, o)],
      ["choleskyInv", "triInv", () => mx.linalg.choleskyInv(a, o)],
      ["solve", "solve", () => mx.linalg.solve(a, a, o)],
      ["solveTriangular", "solve", () => mx.linalg.solveTriangular(a, a, o)],
    ];
    for (const [name, prim, call] of calls) {
      if (has(prim)) expect(call).not.toThrow();
      else expect(call).toThrow(new RegExp(`^\\[linalg.${name}\\] runs on the cpu only for now .*pass \\{ stream: mx.cpu \\}`));
    }
  });

  it("takes the GPU's arrays on the cpu stream", async () => {
    const a = mx.array(A3, mx.float32, { stream: device });
    await expectClose(mx.linalg.eigvalsh(a, cpu), [1.370272234079647, 4.28365153438174, 6.346076231538615], 1e-6);
  });
});
