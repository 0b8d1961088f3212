// complex64 in svd, eig, eigvals, eigh, eigvalsh and the norms through the
// singular values (2, -2, "nuc"), as MLX takes it (check_float_or_complex):
// computed in complex128 on the cpu and rounded once. MLX's output dtypes:
// svd's S float32 with U, Vh complex64; eigh's values float32 with complex64
// vectors; eig complex64. NumPy's values (np.linalg on the complex64 inputs,
// in complex128) and the reconstructions U S Vh = A, A V = V diag(w),
// H V = V diag(w). No gradients (MLX's svd, eig and eigh have none): refused.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";

const cpu = { stream: mx.cpu };
const L = mx.linalg;
const u32 = 2 ** -23;
const c = (re: number, im: number) => ({ re, im });

// fixtures (np.random.seed(5), rounded to 2 digits, complex64) and NumPy 1.24's results on them
const A = [[c(0.44, -0.36), c(-0.33, 0.6), c(2.43, -1.66)], [c(-0.25, -0.7), c(0.11, 1.15), c(1.58, 1.86)], [c(-0.91, -1.51), c(-0.59, 0.64), c(0.19, -0.98)], [c(-0.33, -0.86), c(-1.19, -0.87), c(-0.2, -0.42)]];
const G = [[c(1, -0.31), c(0.71, -0.48), c(0.06, 0.1), c(-0.36, 0.36)], [c(0, 0.27), c(-0.11, 1.29), c(0.79, 1.14), c(-0.63, 0.49)], [c(-0.01, -0.34), c(-0.1, -0.1), c(-0.05, 1.41), c(0.25, 0.22)], [c(0.2, -1.31), c(1.33, -0.69), c(-0.09, -0.58), c(1.56, 1.15)]];
// not Hermitian: eigh reads the triangle UPLO names (the other one its conjugate, the diagonal's imaginary parts ignored)
const H = [[c(-0.11, 1.82), c(2.26, -0.43), c(0.66, -1.16), c(0.12, -1.4)], [c(-0.44, 0.87), c(0.97, -0.2), c(-0.24, -0.6), c(-0.82, -0.24)], [c(0.57, 2.09), c(0.01, 0.35), c(1.19, 0.75), c(-0.07, 0.78)], [c(-2.86, 1.02), c(0.79, 1.06), c(-1.88, -0.71), c(1.54, -0.22)]];
const NUMPY = {
  svdA: [4.072905540466309, 2.63297438621521, 1.3692646026611328],
  normsA: { nuc: 8.075145, 2: 4.0729055, [-2]: 1.3692646 },
  eigvalsG: [c(2.0094709396362305, 1.476884365081787), c(-0.30580466985702515, 1.7463639974594116), c(0.15425850450992584, -0.28025320172309875), c(0.5420750975608826, 0.5970047116279602)],
  eigvalshH: { L: [-3.819096803665161, 0.022652992978692055, 2.206698179244995, 5.179745674133301], U: [-2.678922414779663, 0.36042118072509766, 2.060668468475342, 3.847832679748535] },
};

/** The parts of a complex64 array as complex128 (re, im) matrices of float64 numbers. */
async function parts(x: mx.MxArray): Promise<{ re: number[][]; im: number[][] }> {
  return { re: (await mx.real(x, cpu).tolist()) as number[][], im: (await mx.imag(x, cpu).tolist()) as number[][] };
}
type CM = { re: number[][]; im: number[][] };
const fromLiteral = (m: { re: number; im: number }[][]): CM => ({ re: m.map((r) => r.map((v) => Math.fround(v.re))), im: m.map((r) => r.map((v) => Math.fround(v.im))) });
/** x y for complex matrices (float64). */
function mul(x: CM, y: CM): CM {
  const m = x.re.length, k = y.re.length, n = y.re[0]!.length;
  const re = Array.from({ length: m }, () => new Array<number>(n).fill(0)), im = Array.from({ length: m }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < m; i++) for (let l = 0; l < k; l++) for (let j = 0; j < n; j++) {
    re[i]![j]! += x.re[i]![l]! * y.re[l]![j]! - x.im[i]![l]! * y.im[l]![j]!;
    im[i]![j]! += x.re[i]![l]! * y.im[l]![j]! + x.im[i]![l]! * y.re[l]![j]!;
  }
  return { re, im };
}
const adjoint = (x: CM): CM => ({ re: x.re[0]!.map((_, j) => x.re.map((r) => r[j]!)), im: x.im[0]!.map((_, j) => x.im.map((r) => -r[j]!)) });
const scaleColumns = (x: CM, s: number[]): CM => ({ re: x.re.map((r) => r.map((v, j) => v * (s[j] ?? 0))), im: x.im.map((r) => r.map((v, j) => v * (s[j] ?? 0))) });
const maxDiff = (x: CM, y: CM) => x.re.reduce((big, r, i) => r.reduce((b, v, j) => Math.max(b, Math.hypot(v - y.re[i]![j]!, x.im[i]![j]! - y.im[i]![j]!)), big), 0);
const eye = (n: number): CM => ({ re: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))), im: Array.from({ length: n }, () => new Array<number>(n).fill(0)) });
const sliceCols = (x: CM, k: number): CM => ({ re: x.re.map((r) => r.slice(0, k)), im: x.im.map((r) => r.slice(0, k)) });
const sliceRows = (x: CM, k: number): CM => ({ re: x.re.slice(0, k), im: x.im.slice(0, k) });

describe("svd of complex64", () => {
  it("MLX's test matrix [[1+1j, 2+2j], [3+3j, 4+4j]]: S float32, U and Vh complex64, U S Vh = A", async () => {
    const a = mx.array([[c(1, 1), c(2, 2)], [c(3, 3), c(4, 4)]], mx.complex64, cpu);
    const [u, s, vh] = L.svd(a, cpu);
    expect([u.dtype, s.dtype, vh.dtype]).toEqual([mx.complex64, mx.float32, mx.complex64]);
    // sqrt(2) times the singular values of [[1, 2], [3, 4]]
    const want = [Math.SQRT2 * Math.sqrt(15 + Math.sqrt(221)), Math.SQRT2 * Math.sqrt(15 - Math.sqrt(221))];
    ((await s.tolist()) as number[]).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(u32 * want[0]!));
    const back = mul(scaleColumns(await parts(u), (await s.tolist()) as number[]), await parts(vh));
    expect(maxDiff(back, fromLiteral([[c(1, 1), c(2, 2)], [c(3, 3), c(4, 4)]]))).toBeLessThanOrEqual(4 * u32 * want[0]!);
    expect(L.svd(a, false, cpu).dtype).toBe(mx.float32);
  });

  it.each([["tall 4 x 3", false], ["wide 3 x 4 (its adjoint)", true]] as const)("%s: NumPy's singular values; U and Vh unitary, U S Vh = A within a few float32 ulps", async (_, wide) => {
    const a0 = fromLiteral(A);
    const a = wide ? adjoint(a0) : a0;
    const x = mx.array(a.re.map((r, i) => r.map((v, j) => c(v, a.im[i]![j]!))), mx.complex64, cpu);
    const [u, s, vh] = L.svd(x, cpu);
    const [m, n] = wide ? [3, 4] : [4, 3];
    expect([[...u.shape], [...s.shape], [...vh.shape]]).toEqual([[m, m], [3], [n, n]]);
    const sv = (await s.tolist()) as number[];
    sv.forEach((v, i) => expect(Math.abs(v - NUMPY.svdA[i]!)).toBeLessThanOrEqual(u32 * NUMPY.svdA[0]!));
    expect(await L.svd(x, false, cpu).tolist()).toEqual(sv);
    const [up, vp] = [await parts(u), await parts(vh)];
    expect(maxDiff(mul(adjoint(up), up), eye(m))).toBeLessThanOrEqual(4 * u32);
    expect(maxDiff(mul(vp, adjoint(vp)), eye(n))).toBeLessThanOrEqual(4 * u32);
    expect(maxDiff(mul(scaleColumns(sliceCols(up, 3), sv), sliceRows(vp, 3)), a)).toBeLessThanOrEqual(4 * u32 * NUMPY.svdA[0]!);
  });

  it("norm of ord 2, -2 and 'nuc' through the singular values: NumPy's, in float32 (as NumPy; MLX casts ±2 back to complex64)", async () => {
    const x = mx.array(A, mx.complex64, cpu);
    for (const ord of ["nuc", 2, -2] as const) {
      const r = L.norm(x, ord, cpu);
      expect(r.dtype).toBe(mx.float32);
      expect(Math.abs(((await r.item()) as number) - NUMPY.normsA[ord])).toBeLessThanOrEqual(2 * u32 * NUMPY.normsA.nuc);
    }
    // over other axes, batched, keepdims
    const b = mx.stack([x, mx.multiply(x, mx.array(c(0, 2), mx.complex64), cpu)], { axis: 2, ...cpu });
    const n2 = L.norm(b, 2, [0, 1], true, cpu);
    expect([...n2.shape]).toEqual([1, 1, 2]);
    const got = ((await n2.tolist()) as number[][][])[0]![0]!;
    expect(Math.abs(got[0]! - NUMPY.svdA[0]!)).toBeLessThanOrEqual(2 * u32 * NUMPY.svdA[0]!);
    expect(Math.abs(got[1]! - 2 * NUMPY.svdA[0]!)).toBeLessThanOrEqual(4 * u32 * NUMPY.svdA[0]!);
  });

  it("a real matrix as complex64: the real svd's singular values; NaN gives NaN throughout", async () => {
    const r = mx.array([[3, 1], [1, 2], [0, 1]], mx.float32, cpu);
    expect(await L.svd(mx.astype(r, mx.complex64, cpu), false, cpu).tolist()).toEqual(await L.svd(r, false, cpu).tolist());
    const [u, s, vh] = L.svd(mx.array([[c(NaN, 0), c(1, 0)], [c(1, 1), c(2, 0)]], mx.complex64, cpu), cpu);
    for (const y of [mx.real(u, cpu), s, mx.imag(vh, cpu)]) expect(((await y.tolist()) as number[][]).flat().every((v) => Number.isNaN(v))).toBe(true);
  });
});

describe("the full U of a tall complex64 matrix", () => {
  it("400 x 7: the singular vectors completed to a unitary U (Householder reflections), U S Vh = A within a few float32 ulps", async () => {
    const [m, n] = [400, 7];
    const entries = (f: (i: number, j: number) => number) => Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => Math.fround(f(i, j))));
    const a = { re: entries((i, j) => Math.sin(1 + i * 7.3 + j * j)), im: entries((i, j) => Math.cos(2 + i * 3.1 - j * 5.7)) };
    const x = mx.array(a.re.map((r, i) => r.map((v, j) => c(v, a.im[i]![j]!))), mx.complex64, cpu);
    const [u, s, vh] = L.svd(x, cpu);
    expect([[...u.shape], [...s.shape], [...vh.shape]]).toEqual([[m, m], [n], [n, n]]);
    const sv = (await s.tolist()) as number[];
    const [up, vp] = [await parts(u), await parts(vh)];
    // U^H U = I, in float64 over U's columns as flat arrays
    const cols = (p: number[][]) => Array.from({ length: m }, (_, j) => Float64Array.from(p, (r) => r[j]!));
    const [ur, ui] = [cols(up.re), cols(up.im)];
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = i; j < m; j++) {
        let re = 0, im = 0;
        for (let k = 0; k < m; k++) {
          re += ur[i]![k]! * ur[j]![k]! + ui[i]![k]! * ui[j]![k]!;
          im += ur[i]![k]! * ui[j]![k]! - ui[i]![k]! * ur[j]![k]!;
        }
        worst = Math.max(worst, Math.hypot(re - (i === j ? 1 : 0), im));
      }
    }
    expect(worst).toBeLessThanOrEqual(4 * u32);
    expect(maxDiff(mul(scaleColumns(sliceCols(up, n), sv), vp), a)).toBeLessThanOrEqual(4 * u32 * sv[0]!);
  });
});

describe("eig and eigvals of complex64", () => {
  it("MLX's test matrix: complex64 values and vectors with A V = V diag(w)", async () => {
    const a = [[c(1, 1), c(2, 2)], [c(3, 3), c(4, 4)]];
    const [w, v] = L.eig(mx.array(a, mx.complex64, cpu), cpu);
    expect([w.dtype, v.dtype]).toEqual([mx.complex64, mx.complex64]);
    const [wp, vp] = [await parts(mx.expandDims(w, 0, cpu)), await parts(v)];
    const av = mul(fromLiteral(a), vp);
    const vw: CM = { re: vp.re.map((r, i) => r.map((x, j) => x * wp.re[0]![j]! - vp.im[i]![j]! * wp.im[0]![j]!)), im: vp.re.map((r, i) => r.map((x, j) => x * wp.im[0]![j]! + vp.im[i]![j]! * wp.re[0]![j]!)) };
    // |A| is about 8: a few float32 ulps of it
    expect(maxDiff(av, vw)).toBeLessThanOrEqual(16 * u32 * 8);
  });

  it("NumPy's eigenvalues of a general complex matrix; unit vectors with their largest component real and positive; A V = V diag(w)", async () => {
    const x = mx.array(G, mx.complex64, cpu);
    const [w, v] = L.eig(x, cpu);
    const wp = await parts(mx.expandDims(w, 0, cpu));
    const values = wp.re[0]!.map((re, j) => c(re, wp.im[0]![j]!));
    for (const want of NUMPY.eigvalsG) expect(Math.min(...values.map((g) => Math.hypot(g.re - want.re, g.im - want.im)))).toBeLessThanOrEqual(8 * u32 * 2.5);
    expect(await parts(mx.expandDims(L.eigvals(x, cpu), 0, cpu))).toEqual(wp);
    const vp = await parts(v);
    for (let j = 0; j < 4; j++) {
      const col = vp.re.map((r, i) => c(r[j]!, vp.im[i]![j]!));
      expect(Math.abs(Math.hypot(...col.map((z) => Math.hypot(z.re, z.im))) - 1)).toBeLessThanOrEqual(4 * u32);
      const big = col.reduce((b, z, i) => (Math.hypot(z.re, z.im) > Math.hypot(col[b]!.re, col[b]!.im) ? i : b), 0);
      expect(col[big]!.im).toBe(0);
      expect(col[big]!.re).toBeGreaterThan(0);
    }
    const av = mul(fromLiteral(G), vp);
    const vw: CM = { re: vp.re.map((r, i) => r.map((x, j) => x * values[j]!.re - vp.im[i]![j]! * values[j]!.im)), im: vp.re.map((r, i) => r.map((x, j) => x * values[j]!.im + vp.im[i]![j]! * values[j]!.re)) };
    expect(maxDiff(av, vw)).toBeLessThanOrEqual(16 * u32 * 3);
  });

  it("a complex matrix's eigenvalues are not made real (the rule for a real matrix's rounding noise, |im| <= 4 n u |A|, is not applied): diag(1 + 1e-20 i, 2)", async () => {
    const w = await parts(mx.expandDims(L.eigvals(mx.array([[c(1, 1e-20), c(0, 0)], [c(0, 0), c(2, 0)]], mx.complex64, cpu), cpu), 0, cpu));
    expect(w.im[0]!.sort()).toEqual([0, Math.fround(1e-20)]);
  });
});

describe("eigh and eigvalsh of complex64 (Hermitian)", () => {
  it("MLX's dtypes: values float32, vectors complex64; the review's Hermitian matrix has eigenvalues 1 and 4", async () => {
    const h = mx.array([[c(2, 0), c(1, -1)], [c(1, 1), c(3, 0)]], mx.complex64, cpu);
    const [w, v] = L.eigh(h, cpu);
    expect([w.dtype, v.dtype]).toEqual([mx.float32, mx.complex64]);
    expect(await w.tolist()).toEqual([1, 4]);
    expect(await L.eigvalsh(h, cpu).tolist()).toEqual([1, 4]);
  });

  it.each(["L", "U"] as const)("UPLO %s: NumPy's eigenvalues of the triangle read; V unitary and H V = V diag(w)", async (uplo) => {
    const x = mx.array(H, mx.complex64, cpu);
    const [w, v] = L.eigh(x, uplo, cpu);
    const wv = (await w.tolist()) as number[];
    const want = NUMPY.eigvalshH[uplo];
    wv.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(2 * u32 * 6));
    expect(await L.eigvalsh(x, { UPLO: uplo, ...cpu }).tolist()).toEqual(wv);
    // the Hermitian matrix read: the triangle, its conjugate mirrored, a real diagonal
    const a = fromLiteral(H);
    const h: CM = { re: a.re.map((r, i) => r.map((_, j) => (uplo === "L" ? (i >= j ? a.re[i]![j]! : a.re[j]![i]!) : i <= j ? a.re[i]![j]! : a.re[j]![i]!))), im: a.im.map((r, i) => r.map((_, j) => (i === j ? 0 : uplo === "L" ? (i > j ? a.im[i]![j]! : -a.im[j]![i]!) : i < j ? a.im[i]![j]! : -a.im[j]![i]!))) };
    const vp = await parts(v);
    expect(maxDiff(mul(adjoint(vp), vp), eye(4))).toBeLessThanOrEqual(4 * u32);
    expect(maxDiff(mul(h, vp), scaleColumns(vp, wv))).toBeLessThanOrEqual(8 * u32 * 6);
  });

  it("a real symmetric matrix as complex64: exactly the real eigh's values and vectors (the complex rotations reduce to the real ones)", async () => {
    const s = mx.array([[4, 1, -2, 0.5], [1, 3, 0, 1], [-2, 0, 5, -1], [0.5, 1, -1, 2]], mx.float32, cpu);
    const [w, v] = L.eigh(s, cpu);
    const [wc, vc] = L.eigh(mx.astype(s, mx.complex64, cpu), cpu);
    expect(await wc.tolist()).toEqual(await w.tolist());
    expect(await mx.real(vc, cpu).tolist()).toEqual(await v.tolist());
    expect(((await mx.imag(vc, cpu).tolist()) as number[][]).flat().every((x) => x === 0)).toBe(true);
  });

  it("batched and through vmap; empty batches", async () => {
    const x = mx.array(H, mx.complex64, cpu);
    const b = mx.stack([x, mx.conjugate(x, cpu)], { axis: 0, ...cpu });
    const w = (await L.eigvalsh(b, cpu).tolist()) as number[][];
    expect(w[0]).toEqual(await L.eigvalsh(x, cpu).tolist());
    expect(await mx.vmap((y: mx.MxArray) => L.eigvalsh(y, cpu))(b).tolist()).toEqual(w);
    const [ew, ev] = L.eigh(mx.zeros([0, 3, 3], mx.complex64, cpu), cpu);
    expect([[...ew.shape], ew.dtype, [...ev.shape], ev.dtype]).toEqual([[0, 3], mx.float32, [0, 3, 3], mx.complex64]);
  });
});

describe("what complex64 does not get", () => {
  it("gradients of svd, eigh, eig and the norms through them are refused, naming the op (MLX's have no vjp at all)", () => {
    const x = mx.array(H, mx.complex64, cpu);
    expect(() => mx.grad((y: mx.MxArray) => mx.sum(L.svd(y, false, cpu), cpu))(x)).toThrow(/^\[grad\] svd has no complex64 gradient rule/);
    expect(() => mx.grad((y: mx.MxArray) => mx.sum(L.eigvalsh(y, cpu), cpu))(x)).toThrow(/^\[grad\] eigh has no complex64 gradient rule/);
    expect(() => mx.grad((y: mx.MxArray) => L.norm(y, "nuc", cpu))(x)).toThrow(/^\[grad\] svd has no complex64 gradient rule/);
    expect(() => mx.grad((y: mx.MxArray) => mx.sum(mx.abs(L.eig(y, cpu)[0], cpu), cpu))(x)).toThrow(/^\[grad\] eig has no complex64 gradient rule/);
  });

  it("the other factorizations refuse complex64 as MLX's do (check_float), and svd/eigh other dtypes", () => {
    const x = mx.array(H, mx.complex64, cpu);
    for (const f of [() => L.qr(x, cpu), () => L.inv(x, cpu), () => L.cholesky(x, cpu), () => L.pinv(x, cpu), () => L.lu(x, cpu)]) expect(f).toThrow(/a must be float32 or float64, got complex64/);
    expect(() => L.svd(mx.eye(2, 2, 0, mx.float16), cpu)).toThrow(/^\[linalg\.svd\] a must be float32 or float64, got float16 \(.*except svd, eig, eigvals, eigh and eigvalsh, which take complex64 too/);
    expect(() => L.eigvalsh(mx.zeros([3], mx.complex64), cpu)).toThrow(/^\[linalg\.eigvalsh\] a must have at least 2 dimensions/);
    expect(() => L.eig(mx.zeros([2, 3], mx.complex64), cpu)).toThrow(/^\[linalg\.eig\] a must be square/);
  });
});
