// mx.linalg's norm, qr, det, slogdet, luFactor, lu, pinv, cross, eig and
// eigvals: NumPy's values for fixed matrices, reconstructions on random
// batches in float32 and float64, MLX's output shapes and dtypes and its
// special cases (singular matrices, 2-vectors in cross), the NumPy cells of
// the op database, and on every backend: norms and cross run there, the
// factorizations say they run on the cpu only.

import { afterAll, describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { getBackend } from "../backends/backend.js";
import { NumpyProcess, numpyUnavailable, runNumpyCell } from "../conformance/numpy.js";
import { OPS } from "../conformance/opdb.js";
import { BACKENDS, expectClose } from "./helpers/backends.js";

const cpu = { stream: mx.cpu };
const mT = (x: mx.MxArray) => mx.swapaxes(x, -1, -2, cpu);
const mm = (...xs: mx.MxArray[]) => xs.reduce((a, b) => mx.matmul(a, b, cpu));
const maxAbsDiff = async (a: mx.MxArray, b: mx.MxArray) => (await mx.max(mx.abs(mx.subtract(a, b, cpu), cpu), cpu).item()) as number;
const randomMatrices = (shape: number[], dtype: mx.DType, seed: number) => mx.random.normal(shape, { key: mx.random.key(seed), dtype, ...cpu });
const eye = (m: number, n: number, d: mx.DType) => mx.eye(m, n, 0, { dtype: d, ...cpu });

describe.each([mx.float32, mx.float64].map((d) => ({ dtype: d.name, d })))("linalg decompositions on the cpu ($dtype)", ({ d }) => {
  const tol = d === mx.float32 ? 1e-5 : 1e-13;

  it("norm: NumPy's vector and matrix norms for every ord, axis and keepdims", async () => {
    const a = mx.subtract(mx.arange(9, { dtype: d }), 4, cpu);
    const b = mx.reshape(a, [3, 3], cpu);
    const vec: [number | null, number][] = [[null, 7.745966692414834], [Infinity, 4], [-Infinity, 0], [0, 8], [1, 20], [-1, 0], [2, 7.745966692414834], [3, 5.848035476425731], [0.5, 151.1062628208728]];
    for (const [ord, want] of vec) expect(await mx.linalg.norm(a, ord, cpu).item()).toBeCloseTo(want, d === mx.float32 ? 3 : 10);
    const mat: [mx.linalg.NormOrder | null, number][] = [[null, 7.745966692414834], ["fro", 7.745966692414834], ["nuc", 9.797958971132712], [Infinity, 9], [-Infinity, 2], [1, 7], [-1, 6], [2, 7.348469228349533]];
    for (const [ord, want] of mat) expect(await mx.linalg.norm(b, ord, cpu).item()).toBeCloseTo(want, d === mx.float32 ? 4 : 10);
    expect(await mx.linalg.norm(b, -2, cpu).item()).toBeLessThan(tol * 10); // b is singular
    const m = mx.reshape(mx.arange(24, { dtype: d }), [2, 3, 4], cpu);
    await expectClose(mx.linalg.norm(m, 1, [2, 0], true, cpu), [[[54], [70], [86]]], tol);
    await expectClose(mx.linalg.norm(m, Infinity, [2, 0], cpu), [18, 26, 34], tol);
    await expectClose(mx.linalg.norm(m, 2, [2, 0], cpu), [27.27874093, 36.79501011, 47.10309909], 1e-7);
    await expectClose(mx.linalg.norm(m, { axis: [1, 2], ...cpu }), [22.494443758403985, 61.78996682310163], tol);
    expect(mx.linalg.norm(m, null, null, true, cpu).shape).toEqual([1, 1, 1]);
    expect(mx.linalg.norm(m, { ord: "fro", axis: [0, 2], keepdims: true, ...cpu }).shape).toEqual([1, 3, 1]);
    expect(mx.linalg.norm(mx.array([[3, 4]], mx.int32), cpu).dtype).toBe(mx.float32);
  });

  it("qr: NumPy's Q and R (LAPACK's signs); Q R reconstructs tall, wide and batched matrices with orthonormal Q", async () => {
    const [q, r] = mx.linalg.qr(mx.array([[2, 3], [1, 2]], d, cpu), cpu);
    await expectClose(q, [[-0.8944271909999157, -0.4472135954999579], [-0.4472135954999579, 0.8944271909999159]], tol);
    await expectClose(r, [[-2.23606797749979, -3.577708763999664], [0, 0.44721359549995787]], tol);
    for (const [m, n] of [[5, 3], [3, 5], [4, 4], [1, 3], [3, 1]] as const) {
      const a = randomMatrices([2, m, n], d, 7 + m * n);
      const [qa, ra] = mx.linalg.qr(a, cpu);
      const k = Math.min(m, n);
      expect([qa.shape, ra.shape]).toEqual([[2, m, k], [2, k, n]]);
      expect(await maxAbsDiff(mm(qa, ra), a)).toBeLessThan(tol * 20);
      expect(await maxAbsDiff(mm(mT(qa), qa), eye(k, k, d))).toBeLessThan(tol * 20);
      expect(await maxAbsDiff(mx.tril(ra, -1, cpu), mx.zerosLike(ra, cpu))).toBe(0);
    }
  });

  it("det and slogdet: NumPy's values, batched; singular and empty matrices; integers give float32", async () => {
    const a = mx.array([[[1, 2], [3, 4]], [[2, 0], [0, 3]]], d, cpu);
    await expectClose(mx.linalg.det(a, cpu), [-2, 6], tol);
    const a4 = mx.array([[4, 1, 0, 2], [1, 3, 1, 0], [0, 2, 5, 1], [1, 0, 1, 2]], d, cpu);
    await expectClose(mx.linalg.det(a4, cpu), [51.999999999999986], tol * 10);
    const [sign, logabs] = mx.linalg.slogdet(a, cpu);
    await expectClose(sign, [-1, 1], 0);
    await expectClose(logabs, [0.6931471805599455, 1.791759469228055], tol);
    const singular = mx.array([[1, 2, 3], [2, 4, 6], [1, 0, 1]], d, cpu);
    expect(await mx.linalg.det(singular, cpu).item()).toBe(0);
    const [s0, l0] = mx.linalg.slogdet(singular, cpu);
    expect([await s0.item(), await l0.item()]).toEqual([0, -Infinity]);
    expect(await mx.linalg.det(mx.zeros([2, 0, 0], d), cpu).tolist()).toEqual([1, 1]);
    expect(mx.linalg.det(mx.array([[1, 2], [3, 4]], mx.int32), cpu).dtype).toBe(mx.float32);
    const b = randomMatrices([3, 5, 5], d, 11);
    const [sb, lb] = mx.linalg.slogdet(b, cpu);
    expect(await maxAbsDiff(mx.multiply(sb, mx.exp(lb, cpu), cpu), mx.linalg.det(b, cpu))).toBeLessThan(tol * 100);
  });

  it("luFactor and lu: LAPACK's pivots and packed LU; L[P] U reconstructs, L unit lower with |L| <= 1", async () => {
    const [packed, pivots] = mx.linalg.luFactor(mx.array([[1, 2], [3, 4]], d, cpu), cpu);
    await expectClose(packed, [[3, 4], [0.3333333333333333, 0.6666666666666667]], tol);
    expect(pivots.dtype).toBe(mx.uint32);
    expect(await pivots.tolist()).toEqual([1, 1]);
    // rows [2, 0, 1] of the pivot order: step 0 takes row 2 (|3| largest), step 1 row 2 again
    const [p3, l3, u3] = mx.linalg.lu(mx.array([[1, 2, 0], [2, 1, 1], [3, 0, 2]], d, cpu), cpu);
    expect(await p3.tolist()).toEqual([1, 2, 0]);
    await expectClose(l3, [[1, 0, 0], [0.3333333333333333, 1, 0], [0.6666666666666666, 0.5, 1]], tol);
    await expectClose(u3, [[3, 0, 2], [0, 2, -0.6666666666666666], [0, 0, 0]], tol, 1e-7);
    for (const [m, n] of [[5, 3], [3, 5], [4, 4]] as const) {
      const a = randomMatrices([2, m, n], d, 13 + m * n);
      const [p, l, u] = mx.linalg.lu(a, cpu);
      const k = Math.min(m, n);
      expect([p.shape, l.shape, u.shape]).toEqual([[2, m], [2, m, k], [2, k, n]]);
      expect(await maxAbsDiff(mm(mx.takeAlongAxis(l, mx.expandDims(p, -1, cpu), -2, cpu), u), a)).toBeLessThan(tol * 20);
      expect((await mx.max(mx.abs(l, cpu), cpu).item()) as number).toBeLessThanOrEqual(1);
      expect(mx.linalg.luFactor(a, cpu)[1].shape).toEqual([2, k]);
    }
  });

  it("pinv: NumPy's pseudo-inverse of a rank-deficient matrix; A A+ A = A on tall and wide batches", async () => {
    await expectClose(mx.linalg.pinv(mx.array([[1, 2], [2, 4], [0, 0]], d, cpu), cpu), [[0.04, 0.08, 0], [0.08, 0.16, 0]], tol * 10);
    for (const [m, n] of [[5, 3], [3, 5]] as const) {
      const a = randomMatrices([2, m, n], d, 17 + m);
      const p = mx.linalg.pinv(a, cpu);
      expect(p.shape).toEqual([2, n, m]);
      expect(await maxAbsDiff(mm(a, p, a), a)).toBeLessThan(tol * 50);
    }
    expect(mx.linalg.pinv(mx.zeros([2, 0, 3], d), cpu).shape).toEqual([2, 3, 0]);
  });

  it("eig and eigvals: complex64 values and vectors with A v = w v; conjugate pairs of a rotation; NumPy's values", async () => {
    const [w, v] = mx.linalg.eig(mx.array([[1, -2], [-2, 1]], d, cpu), cpu);
    expect([w.dtype, v.dtype]).toEqual([mx.complex64, mx.complex64]);
    expect(await w.tolist()).toEqual([{ re: 3, im: 0 }, { re: -1, im: 0 }]);
    const rot = mx.linalg.eigvals(mx.array([[0, -1], [1, 0]], d, cpu), cpu);
    expect(await rot.tolist()).toEqual([{ re: 0, im: 1 }, { re: 0, im: -1 }]);
    // NumPy: np.linalg.eigvals([[2, -1, 0], [1, 2, 0], [0, 0, 3]]) = 2+1j, 2-1j, 3
    const w3 = (await mx.linalg.eigvals(mx.array([[2, -1, 0], [1, 2, 0], [0, 0, 3]], d, cpu), cpu).tolist()) as { re: number; im: number }[];
    const sorted = w3.sort((x, y) => x.re - y.re || x.im - y.im);
    expect(sorted.map((z) => [z.re, z.im])).toEqual([[2, -1], [2, 1], [3, 0]].map(([re, im]) => [expect.closeTo(re!, 5), expect.closeTo(im!, 5)]));
    const a = randomMatrices([3, 6, 6], d, 19);
    const [wa, va] = mx.linalg.eig(a, cpu);
    expect([wa.shape, va.shape]).toEqual([[3, 6], [3, 6, 6]]);
    // A V = V diag(w), in complex64
    const ac = mx.astype(a, mx.complex64, cpu);
    const residual = mx.subtract(mm(ac, va), mx.multiply(va, mx.expandDims(wa, -2, cpu), cpu), cpu);
    expect((await mx.max(mx.abs(residual, cpu), cpu).item()) as number).toBeLessThan(1e-4);
    const norms = mx.sqrt(mx.sum(mx.square(mx.abs(va, cpu), cpu), { axis: -2, ...cpu }), cpu);
    expect(await maxAbsDiff(norms, mx.onesLike(norms, cpu))).toBeLessThan(1e-5);
    expect(await mx.linalg.eigvals(a, cpu).tolist()).toEqual(await wa.tolist());
  });
});

describe("linalg decompositions: values and errors that do not depend on the dtype", () => {
  it("eig of a defective, a zero and a NaN matrix: finite unit vectors where defined, NaN for NaN", async () => {
    for (const m of [[[2, 1, 0], [0, 2, 1], [0, 0, 2]], [[0, 0], [0, 0]]]) {
      const [w, v] = mx.linalg.eig(mx.array(m, mx.float64), cpu);
      const vs = ((await v.tolist()) as { re: number; im: number }[][]).flat();
      expect(vs.every((z) => Number.isFinite(z.re) && Number.isFinite(z.im))).toBe(true);
      expect(((await w.tolist()) as { re: number }[]).map((z) => z.re)).toEqual(m.map((r, i) => r[i]));
    }
    const [wn] = mx.linalg.eig(mx.array([[NaN, 1], [1, 1]], mx.float64), cpu);
    expect(((await wn.tolist()) as { re: number }[]).every((z) => Number.isNaN(z.re))).toBe(true);
  });

  it("refuses what MLX refuses, naming the op and the argument", () => {
    expect(() => mx.linalg.qr(mx.array([1, 2], mx.float32), cpu)).toThrow(/^\[linalg\.qr\].*dimensions/);
    expect(() => mx.linalg.eig(mx.zeros([2, 3]), cpu)).toThrow(/^\[linalg\.eig\].*square/);
    expect(() => mx.linalg.lu(mx.zeros([2, 2], mx.float16), cpu)).toThrow(/^\[linalg\.lu\].*float16/);
    expect(() => mx.linalg.norm(mx.zeros([2, 2]), "nuc", 0)).toThrow(/^\[linalg\.norm\].*ord "nuc"/);
    expect(() => mx.linalg.norm(mx.zeros([2, 2]), 3, [0, 1])).toThrow(/^\[linalg\.norm\].*ord 3 is not a matrix norm/);
    expect(() => mx.linalg.norm(mx.zeros([2, 2, 2]), 2)).toThrow(/^\[linalg\.norm\].*1-D or 2-D/);
    expect(() => mx.linalg.cross(mx.zeros([4]), mx.zeros([3]))).toThrow(/^\[linalg\.cross\].*size 2 or 3/);
  });
});

describe.each(BACKENDS)("linalg decompositions on $name", ({ device }) => {
  const o = { stream: device };
  it("vector norms, the Frobenius norm and cross run here; the factorizations say they run on the cpu", async () => {
    const b = mx.array([[-4, -3, -2], [-1, 0, 1], [2, 3, 4]], mx.float32, o);
    await expectClose(mx.linalg.norm(b, o), [7.745966692414834], 1e-6);
    await expectClose(mx.linalg.norm(b, Infinity, o), [9], 0);
    await expectClose(mx.linalg.norm(b, 1, 1, o), [9, 2, 9], 1e-6);
    await expectClose(mx.linalg.norm(b, 3, 0, true, o), [[4.179339196381231, 3.7797631496846193, 4.179339196381231]], 1e-5);
    await expectClose(mx.linalg.cross(mx.array([[1, 2, 3], [1, 0, 0]], mx.float32, o), mx.array([4, 5, 6], mx.float32, o), o), [[-3, 6, -3], [0, -6, 5]], 0);
    await expectClose(mx.linalg.cross(mx.array([1, 2], mx.float32, o), mx.array([3, 4], mx.float32, o), o), [0, 0, -2], 0);
    await expectClose(mx.linalg.cross(mx.array([1, 2, 3], mx.float32, o), mx.array([3, 4], mx.float32, o), o), [-12, 9, -2], 0);
    if (device.backend === "cpu") return;
    const backend = getBackend(device.backend);
    if (!backend.multiKernels?.qr) expect(() => mx.linalg.qr(b, o)).toThrow(/runs on the cpu only.*not implemented on backend/);
    for (const f of [() => mx.linalg.det(b, o), () => mx.linalg.lu(b, o), () => mx.linalg.pinv(b, o), () => mx.linalg.eig(b, o), () => mx.linalg.norm(b, "nuc", o)]) {
      expect(f).toThrow(/runs on the cpu only.*not implemented on backend/);
    }
  });
});

const why = numpyUnavailable();
describe.skipIf(why !== undefined)(`linalg decompositions against NumPy's LAPACK${why ? ` (skipped: ${why})` : ""}`, () => {
  const np = why ? undefined : new NumpyProcess();
  afterAll(() => np?.close());
  const names = ["linalg.norm", "linalg.qr", "linalg.det", "linalg.slogdet", "linalg.luFactor", "linalg.lu", "linalg.pinv", "linalg.cross", "linalg.eigvals", "linalg.eig"];
  it.each(names)("%s agrees with NumPy on the op database's cases", async (name) => {
    const entry = OPS.find((e) => e.name === name)!;
    for (const d of entry.dtypes) {
      const cell = await runNumpyCell(np!, entry, d, 40, 2026);
      expect(cell.status, `${name} ${d.name}: ${cell.failure?.message}\n${cell.failure?.repro}`).toBe("pass");
    }
  });
});
