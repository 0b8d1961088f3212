// The cpu reference's Jacobi iterations (backends/cpu/linalg-algorithms.ts):
// svd (one-sided) and eigh (two-sided) at any scale of the input (a matrix
// scaled far from 1 was left unrotated: its column norms came back as the
// singular values), the one-sided convergence test |ci . cj| <= tol |ci| |cj|
// that a sweep can meet (every svd ran the 80-sweep cap), float64
// accuracy on par with LAPACK's (rotations in Rutishauser's form), the full
// U of a tall matrix (its singular vectors completed to a basis in O(m^2 n)),
// and eigh of a matrix holding NaN or an infinity (NaN at once).

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { jacobiSweeps } from "../backends/cpu/linalg-algorithms.js";

const cpu = { stream: mx.cpu };
const eps = 2 ** -52;
const L = mx.linalg;

/** The singular values of [[3, 1], [1, 2], [0, 1]]: sqrt(8 ± sqrt(29)) (A^T A = [[10, 5], [5, 6]]). */
const exactS = [Math.sqrt(8 + Math.sqrt(29)), Math.sqrt(8 - Math.sqrt(29))];
const G = [[3, 1], [1, 2], [0, 1]];

const list = async (x: mx.MxArray) => [(await x.tolist()) as unknown].flat(Infinity) as number[];

describe("svd, pinv, norm and eigh at any scale (float64)", () => {
  it.each([1, 1e-170, 1e-300, 2 ** -1000, 1e78, 1e200, 1e300])("scale %s: the singular values, the 2-, -2- and nuclear norms, pinv, eigvalsh and eigh", async (scale) => {
    const g = mx.multiply(mx.array(G, mx.float64, cpu), scale, cpu);
    const close = (got: number, want: number, ulps = 4) => expect(Math.abs(got - want)).toBeLessThanOrEqual(ulps * eps * Math.abs(want));
    const s = await list(L.svd(g, false, cpu));
    s.forEach((v, i) => close(v / scale, exactS[i]!));
    const [u, s2, vt] = L.svd(g, cpu);
    (await list(s2)).forEach((v, i) => close(v / scale, exactS[i]!));
    // U S Vt = g
    const k = mx.slice(u, [0, 0], [3, 2], undefined, cpu);
    const back = await list(mx.matmul(mx.multiply(k, s2, cpu), vt, cpu));
    back.forEach((v, i) => expect(Math.abs(v / scale - G.flat()[i]!)).toBeLessThanOrEqual(8 * eps * 3));
    close(((await L.norm(g, 2, cpu).item()) as number) / scale, exactS[0]!);
    close(((await L.norm(g, -2, cpu).item()) as number) / scale, exactS[1]!);
    close(((await L.norm(g, "nuc", cpu).item()) as number) / scale, exactS[0]! + exactS[1]!);
    // pinv(s g) = pinv(g) / s
    const p = await list(L.pinv(g, cpu)), p1 = await list(L.pinv(mx.array(G, mx.float64, cpu), cpu));
    p.forEach((v, i) => expect(Math.abs(v * scale - p1[i]!)).toBeLessThanOrEqual(16 * eps));
    // eigenvalues s [1, 3] of s [[2, 1], [1, 2]], vectors (1, ∓1) / sqrt 2
    const a = mx.multiply(mx.array([[2, 1], [1, 2]], mx.float64, cpu), scale, cpu);
    (await list(L.eigvalsh(a, cpu))).forEach((v, i) => close(v / scale, [1, 3][i]!));
    const [w, v] = L.eigh(a, cpu);
    (await list(w)).forEach((x, i) => close(x / scale, [1, 3][i]!));
    (await list(mx.abs(v, cpu))).forEach((x) => close(x, Math.SQRT1_2));
  });

  it("the largest and smallest float64 inputs: singular values that overflow are infinite, subnormal ones rounded once", async () => {
    // 2^-1072 [[3, 1], [1, 2], [0, 1]] is exact; its singular values are subnormal, rounded to multiples of 2^-1074
    const tiny = 2 ** -1072;
    const s = await list(L.svd(mx.multiply(mx.array(G, mx.float64, cpu), tiny, cpu), false, cpu));
    expect(s).toEqual(exactS.map((v) => Math.round(v * 4) * 2 ** -1074));
    // s_max of 2^1022 G is 3.66 2^1022 < 2^1024; of 1.5 2^1023 [[1, 1], [1, 1]] 3 2^1023, past float64's range
    close(((await list(L.svd(mx.multiply(mx.array(G, mx.float64, cpu), 2 ** 1022, cpu), false, cpu)))[0]!) / 2 ** 1022, exactS[0]!);
    const big = await list(L.svd(mx.multiply(mx.array([[1.5, 1.5], [1.5, 1.5]], mx.float64, cpu), 2 ** 1023, cpu), false, cpu));
    expect(big).toEqual([Infinity, 0]);
    // eigenvalues ±sqrt(2) 2^1023 of 2^1023 [[1, 1], [1, -1]] (aqq - app overflows unscaled)
    const w = await list(L.eigvalsh(mx.multiply(mx.array([[1, 1], [1, -1]], mx.float64, cpu), 2 ** 1023, cpu), cpu));
    close(w[1]! / 2 ** 1023, Math.SQRT2);
    close(-w[0]! / 2 ** 1023, Math.SQRT2);
    function close(got: number, want: number) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(4 * eps * want);
    }
  });

  it.each([1e-38, 1e-44, 1e37])("float32 near its range (scale %s): computed in float64, rounded once", async (scale) => {
    const g = mx.multiply(mx.array(G, mx.float32, cpu), mx.array(scale, mx.float32), cpu);
    const f32 = (x: number) => Math.fround(x);
    const entries = G.flat().map((v) => f32(f32(v) * f32(scale)));
    // the exact singular values of the float32 input, through float64 svd of the same numbers
    const want = await list(L.svd(mx.array(entries, mx.float64, cpu).reshape([3, 2]), false, cpu));
    expect(await list(L.svd(g, false, cpu))).toEqual(want.map(f32));
    const sym = mx.multiply(mx.array([[2, 1], [1, 2]], mx.float32, cpu), mx.array(scale, mx.float32), cpu);
    const ws = await list(L.eigvalsh(sym, cpu));
    const w64 = await list(L.eigvalsh(mx.astype(sym, mx.float64, cpu), cpu));
    expect(ws).toEqual(w64.map(f32));
  });
});

describe("convergence and accuracy (float64)", () => {
  const n = 120;
  const x = mx.random.normal([n, n], { key: mx.random.key(3), dtype: mx.float64, ...cpu });
  const t = (a: mx.MxArray) => mx.swapaxes(a, -1, -2, cpu);
  const fro = async (a: mx.MxArray) => (await L.norm(a, cpu).item()) as number;
  const maxAbs = async (a: mx.MxArray) => (await mx.max(mx.abs(a, cpu), cpu).item()) as number;
  const eye = mx.eye(n, n, 0, { dtype: mx.float64, ...cpu });

  it("svd stops when every pair of columns is orthogonal at working precision (about 10 sweeps, not the cap of 80); U S Vt = A and U, V orthogonal within 30 eps", async () => {
    const [u, s, vt] = L.svd(x, cpu);
    await mx.eval(u, s, vt);
    expect(jacobiSweeps.svd).toBeGreaterThanOrEqual(5);
    expect(jacobiSweeps.svd).toBeLessThanOrEqual(16);
    const rec = (await fro(mx.subtract(mx.matmul(mx.multiply(u, s, cpu), vt, cpu), x, cpu))) / (await fro(x));
    expect(rec / eps).toBeLessThan(30);
    expect((await maxAbs(mx.subtract(mx.matmul(t(u), u, cpu), eye, cpu))) / eps).toBeLessThan(30);
    expect((await maxAbs(mx.subtract(mx.matmul(vt, t(vt), cpu), eye, cpu))) / eps).toBeLessThan(30);
    // a tall and a wide matrix converge as well
    await mx.eval(L.svd(mx.slice(x, [0, 0], [n, 20], undefined, cpu), false, cpu));
    expect(jacobiSweeps.svd).toBeLessThanOrEqual(16);
    await mx.eval(L.svd(mx.slice(x, [0, 0], [20, n], undefined, cpu), false, cpu));
    expect(jacobiSweeps.svd).toBeLessThanOrEqual(16);
  });

  it("eigh: S V = V diag(w) and V orthogonal within 30 eps", async () => {
    const sym = mx.add(x, t(x), cpu);
    const [w, v] = L.eigh(sym, cpu);
    await mx.eval(w, v);
    expect(jacobiSweeps.eigh).toBeLessThanOrEqual(16);
    const res = (await fro(mx.subtract(mx.matmul(sym, v, cpu), mx.multiply(v, w, cpu), cpu))) / (await fro(sym));
    expect(res / eps).toBeLessThan(30);
    expect((await maxAbs(mx.subtract(mx.matmul(t(v), v, cpu), eye, cpu))) / eps).toBeLessThan(30);
  });
});

describe("the full U of a tall matrix (float64): the singular vectors completed to an orthonormal basis by Householder reflections", () => {
  const [m, n] = [400, 7];
  const x = mx.random.normal([m, n], { key: mx.random.key(7), dtype: mx.float64, ...cpu });
  const fro = async (a: mx.MxArray) => (await L.norm(a, cpu).item()) as number;

  it.each([["full rank", [1, 1, 1, 1, 1, 1, 1]], ["a zero column (rank 6)", [1, 1, 0, 1, 1, 1, 1]]] as const)("400 x 7, %s: U orthonormal within 30 eps, U S Vt = A", async (_, mask) => {
    const a = mx.multiply(x, mx.array([...mask], mx.float64, cpu), cpu);
    const [u, s, vt] = L.svd(a, cpu);
    const orth = mx.subtract(mx.matmul(mx.swapaxes(u, 0, 1, cpu), u, cpu), mx.eye(m, m, 0, { dtype: mx.float64, ...cpu }), cpu);
    expect(((await mx.max(mx.abs(orth, cpu), cpu).item()) as number) / eps).toBeLessThan(30);
    const back = mx.matmul(mx.multiply(mx.slice(u, [0, 0], [m, n], undefined, cpu), s, cpu), vt, cpu);
    expect((await fro(mx.subtract(back, a, cpu))) / (await fro(a)) / eps).toBeLessThan(30);
  });
});

describe("eigh of a matrix holding NaN or an infinity", () => {
  const n = 30;
  const sym = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Math.sin(i + j) + Math.cos(i * j)));
  const allNaN = async (y: mx.MxArray) => [(await y.tolist()) as unknown].flat(Infinity).every((v) => (typeof v === "number" ? Number.isNaN(v) : Number.isNaN((v as { re: number }).re) && Number.isNaN((v as { im: number }).im)));

  it.each([NaN, Infinity])("%s in the triangle read: every value and vector NaN at once, without a sweep (it ran all 80), float64 and complex64", async (bad) => {
    const withBad = sym.map((r, i) => r.map((v, j) => (i === 5 && j === 0 ? bad : v)));
    for (const a of [mx.array(withBad, mx.float64, cpu), mx.array(withBad.map((r) => r.map((v) => ({ re: v, im: 0.5 }))), mx.complex64, cpu)]) {
      const [w, v] = L.eigh(a, cpu);
      await mx.eval(w, v);
      expect(jacobiSweeps.eigh).toBe(0);
      expect(await allNaN(w)).toBe(true);
      expect(await allNaN(v)).toBe(true);
    }
  });
});
