// The sorting review's fixes on every backend, against values NumPy gives
// (np.searchsorted; np.sort/np.argsort kind="stable" on complex64;
// np.log(np.cumsum(np.exp(z))) in complex128): searchsorted as a binary
// search (no values x sequence intermediate, shapeless traces, vmap), complex64
// sort/argsort/partition/argpartition/topk in MLX's order, complex logcumsumexp.

import { describe, expect, it } from "vitest";
import * as mx from "../index.js";
import { BACKENDS, expectArray } from "./helpers/backends.js";

type C = { re: number; im: number };
const c = (re: number, im: number): C => ({ re, im });
const flat = (x: unknown): unknown[] => (Array.isArray(x) ? x.flatMap(flat) : [x]);

/** Each component within tol·max(1, |w|) of the expected complex w; infinities and NaN must match exactly. */
async function expectComplexClose(a: mx.MxArray, want: unknown, tol = 2e-6): Promise<void> {
  expect(a.dtype).toBe(mx.complex64);
  const got = flat(await a.tolist()) as C[], w = flat(want) as C[];
  expect(got.length).toBe(w.length);
  got.forEach((g, i) => {
    const scale = Math.max(1, Math.hypot(w[i]!.re, w[i]!.im) || 0);
    for (const k of ["re", "im"] as const) {
      const ok = Number.isFinite(w[i]![k]) ? Math.abs(g[k] - w[i]![k]) <= tol * scale : Object.is(g[k], w[i]![k]);
      expect(ok, `element ${i}.${k}: got ${g[k]}, want ${w[i]![k]}`).toBe(true);
    }
  });
}

// np.searchsorted of these values into every prefix seq[:m], m = 0..13 (lengths across powers of two)
const SEQ = [-Infinity, -3.0, -0, 0.0, 0.0, 1.5, 2.0, 2.0, 2.0, 7.0, Infinity, NaN, NaN];
const VALUES = [NaN, -Infinity, -5.0, -3.0, -0, 0.0, 1.0, 2.0, 2.5, 7.0, 100.0, Infinity];
const PREFIX = {
  left: [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2], [3, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3], [4, 0, 1, 1, 2, 2, 4, 4, 4, 4, 4, 4], [5, 0, 1, 1, 2, 2, 5, 5, 5, 5, 5, 5], [6, 0, 1, 1, 2, 2, 5, 6, 6, 6, 6, 6], [7, 0, 1, 1, 2, 2, 5, 6, 7, 7, 7, 7], [8, 0, 1, 1, 2, 2, 5, 6, 8, 8, 8, 8], [9, 0, 1, 1, 2, 2, 5, 6, 9, 9, 9, 9], [10, 0, 1, 1, 2, 2, 5, 6, 9, 9, 10, 10], [11, 0, 1, 1, 2, 2, 5, 6, 9, 9, 10, 10], [11, 0, 1, 1, 2, 2, 5, 6, 9, 9, 10, 10], [11, 0, 1, 1, 2, 2, 5, 6, 9, 9, 10, 10]],
  right: [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [2, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2], [3, 1, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3], [4, 1, 1, 2, 4, 4, 4, 4, 4, 4, 4, 4], [5, 1, 1, 2, 5, 5, 5, 5, 5, 5, 5, 5], [6, 1, 1, 2, 5, 5, 5, 6, 6, 6, 6, 6], [7, 1, 1, 2, 5, 5, 5, 7, 7, 7, 7, 7], [8, 1, 1, 2, 5, 5, 5, 8, 8, 8, 8, 8], [9, 1, 1, 2, 5, 5, 5, 9, 9, 9, 9, 9], [10, 1, 1, 2, 5, 5, 5, 9, 9, 10, 10, 10], [11, 1, 1, 2, 5, 5, 5, 9, 9, 10, 10, 11], [12, 1, 1, 2, 5, 5, 5, 9, 9, 10, 10, 11], [13, 1, 1, 2, 5, 5, 5, 9, 9, 10, 10, 11]],
};

// ties in the real part, signed zeros, infinities in either part
const Z = [
  [c(2, 1), c(-1, 5), c(2, -3), c(0, 1), c(-0, 1), c(2, 1)],
  [c(Infinity, 0), c(-Infinity, 2), c(1, Infinity), c(1, -Infinity), c(0, 0), c(-2, -2)],
  [c(3, 3), c(3, -0), c(3, 0), c(-3, 3), c(9.99999993922529e-9, 0), c(-9.99999993922529e-9, 7)],
];
const SORTED_1 = [
  [c(-1, 5), c(0, 1), c(-0, 1), c(2, -3), c(2, 1), c(2, 1)],
  [c(-Infinity, 2), c(-2, -2), c(0, 0), c(1, -Infinity), c(1, Infinity), c(Infinity, 0)],
  [c(-3, 3), c(-9.99999993922529e-9, 7), c(9.99999993922529e-9, 0), c(3, -0), c(3, 0), c(3, 3)],
];
const ARGSORT_1 = [[1, 3, 4, 2, 0, 5], [1, 5, 4, 3, 2, 0], [3, 5, 4, 1, 2, 0]];
const SORTED_0 = [
  [c(2, 1), c(-Infinity, 2), c(1, Infinity), c(-3, 3), c(0, 0), c(-2, -2)],
  [c(3, 3), c(-1, 5), c(2, -3), c(0, 1), c(-0, 1), c(-9.99999993922529e-9, 7)],
  [c(Infinity, 0), c(3, -0), c(3, 0), c(1, -Infinity), c(9.99999993922529e-9, 0), c(2, 1)],
];
const ARGSORT_0 = [[0, 1, 1, 2, 1, 1], [2, 0, 0, 0, 0, 2], [1, 2, 2, 1, 2, 0]];
const ARGSORT_FLAT = [7, 15, 11, 1, 17, 10, 3, 4, 16, 9, 8, 2, 0, 5, 13, 14, 12, 6];

// np.log(np.cumsum(np.exp(z))) of W (complex128), per axis and flag
const W = [
  [c(0.5, 2.5), c(-1, 3), c(1.5, -2), c(0.25, 0), c(-2, 9)],
  [c(3, 1), c(3, -1), c(-4, 0.5), c(2, 2), c(0, -7)],
];
const LCSE_1 = [
  [c(0.5, 2.5), c(0.682813447925761, 2.5892197288168495), c(1.5415031081610198, -2.434004010376786), c(1.3320767551174693, -2.211902258589133), c(1.3403133174570492, -2.2465093241778766)],
  [c(3, 1), c(3.077520710173931, 0), c(3.0782610770351977, 0.0004042699394461002), c(2.986805352829252, 0.3462766533974956), c(3.011960942385851, 0.3032736300364172)],
];
const LCSE_0 = [
  [c(0.5, 2.5), c(-1, 3), c(1.5, -2), c(0.25, 0), c(-2, 2.7168146928204133)],
  [c(3.0090922639504596, 1.081227572625428), c(2.9880542597708803, -1.0140283580302643), c(1.496723548278794, -1.997546151922293), c(1.939236097448005, 1.8312894491888028), c(-0.13780731894683443, -0.7615501137309195)],
];
const LCSE_1_REVERSE = [
  [c(1.3403133174570492, -2.2465093241778766), c(1.4131472662944826, -1.8338729488938224), c(1.406258008723877, -1.7442654976224654), c(0.1501913555449144, 0.048014536083805355), c(-2, 2.7168146928204133)],
  [c(3.011960942385851, 0.3032736300364172), c(2.624462781911768, -0.902693993548409), c(1.8708017024402568, 1.9336715216856284), c(1.8704199698941668, 1.936466726529197), c(0, -0.7168146928204135)],
];
const LCSE_0_REVERSE_EXCLUSIVE = [
  [c(3, 1), c(3, -1), c(-4, 0.5), c(2, 2), c(0, -0.7168146928204135)],
  Array.from({ length: 5 }, () => c(-Infinity, 0)),
];
const LCSE_FLAT = [c(0.5, 2.5), c(0.682813447925761, 2.5892197288168495), c(1.5415031081610198, -2.434004010376786), c(1.3320767551174693, -2.211902258589133), c(1.3403133174570492, -2.2465093241778766), c(2.790626077286572, 1.0245599959363105), c(2.972657573078191, -0.1531158696612695), c(2.9734017444595784, -0.15254681550027877), c(2.814359767912387, 0.22652993231618634), c(2.85004377634783, 0.1796883613533803)];

describe.each(BACKENDS)("sorting review fixes on $name", ({ device }) => {
  const o = { stream: device };

  it("searchsorted gives NumPy's index on every prefix of a sequence with infinities, signed zeros and NaN", async () => {
    const seq = mx.array(SEQ, mx.float32, o), values = mx.array(VALUES, mx.float32, o);
    for (const side of ["left", "right"] as const) {
      for (let m = 0; m <= SEQ.length; m++) {
        const got = await mx.searchsorted(mx.slice(seq, [0], [m], undefined, o), values, { side, ...o }).tolist();
        expect(got, `${side}, sequence of ${m}`).toEqual(PREFIX[side][m]);
      }
    }
    await expectArray(mx.searchsorted(seq, mx.reshape(values, [3, 4], o), o), [[11, 0, 1, 1], [2, 2, 5, 6], [9, 9, 10, 10]], mx.uint32, [3, 4]);
    const bytes = mx.array([0, 3, 3, 3, 9, 200, 255, 255], mx.uint8, o), probes = mx.array([0, 1, 3, 4, 255, 254, 200], mx.uint8, o);
    await expectArray(mx.searchsorted(bytes, probes, o), [0, 1, 1, 4, 6, 6, 5]);
    await expectArray(mx.searchsorted(bytes, probes, { side: "right", ...o }), [1, 1, 4, 4, 8, 6, 6]);
    await expectArray(mx.searchsorted(mx.array([1, 3], mx.int32, o), 2.5, o), 1, mx.uint32, []);
  });

  it("searchsorted places 4096 values in a sequence of 2^20 + 3 without a values x sequence intermediate", async () => {
    const m = 2 ** 20 + 3;
    const seq = mx.arange(m, { dtype: mx.float32, ...o });
    // integers and half-integers from -2.5 past the end: np.searchsorted(np.arange(m), v) = clip(ceil(v), 0, m)
    const v = Array.from({ length: 4096 }, (_, k) => k * 256.5 - 2.5);
    const want = v.map((x) => Math.min(Math.max(Math.ceil(x), 0), m));
    expect(await mx.searchsorted(seq, mx.array(v, mx.float32, o), o).tolist()).toEqual(want);
    expect(await mx.searchsorted(seq, mx.array([0, 7, m - 1], mx.float32, o), { side: "right", ...o }).tolist()).toEqual([1, 8, m]);
  });

  it("searchsorted in a shapeless compile replays on sequences of other lengths, and vmaps", async () => {
    const f = mx.compile((s: mx.MxArray, v: mx.MxArray) => mx.searchsorted(s, v, o), { shapeless: true });
    expect(await f(mx.array([1, 2, 3, 4], mx.float32, o), mx.array([2, 9], mx.float32, o)).tolist()).toEqual([1, 4]);
    expect(await f(mx.arange(100, { dtype: mx.float32, ...o }), mx.array([50.5, 9, 99, 200], mx.float32, o)).tolist()).toEqual([51, 9, 99, 100]);
    const seqs = mx.array([[1, 2, 3, 4], [10, 20, 30, 40]], mx.float32, o), values = mx.array([[2.5, 0, 5], [25, 10, 50]], mx.float32, o);
    await expectArray(mx.vmap((s: mx.MxArray, v: mx.MxArray) => mx.searchsorted(s, v, o))(seqs, values), [[2, 0, 4], [2, 0, 4]]);
  });

  it("sorts complex64 by real part, then imaginary part, as NumPy (stable: -0 and +0 keep their order)", async () => {
    const z = mx.array(Z, mx.complex64, o);
    await expectArray(mx.sort(z, o), SORTED_1, mx.complex64);
    await expectArray(mx.argsort(z, o), ARGSORT_1, mx.uint32);
    await expectArray(mx.sort(z, { axis: 0, ...o }), SORTED_0);
    await expectArray(mx.argsort(z, { axis: 0, ...o }), ARGSORT_0);
    await expectArray(mx.argsort(z, null), ARGSORT_FLAT);
    // a shapeless compile replays the order on other lengths
    const sorted = mx.compile((a: mx.MxArray) => mx.sort(a, o), { shapeless: true });
    await expectArray(sorted(mx.array([c(2, 1), c(2, -1)], mx.complex64, o)), [c(2, -1), c(2, 1)]);
    await expectArray(sorted(mx.array(Z[0]!, mx.complex64, o)), SORTED_1[0]!);
    // a transposed (strided) input sorts as its copy
    await expectArray(mx.sort(mx.transpose(z, [1, 0], o), { axis: 1, ...o }), Array.from({ length: 6 }, (_, j) => SORTED_0.map((row) => row[j]!)), mx.complex64);
  });

  it("puts complex64 elements with NaN in either part last, in their input order (MLX's rule)", async () => {
    // NumPy's order differs: [R+Rj, R+nanj, nan+Rj, nan+nanj], so its argsort is [4, 6, 2, 0, 3, 7, 1, 5]
    const z = mx.array([c(3, 1), c(NaN, 2), c(2, 1), c(1, NaN), c(0, 1), c(NaN, NaN), c(2, -1), c(NaN, -5)], mx.complex64, o);
    await expectArray(mx.argsort(z, o), [4, 6, 2, 0, 1, 3, 5, 7]);
    await expectArray(mx.sort(z, o), [c(0, 1), c(2, -1), c(2, 1), c(3, 1), c(NaN, 2), c(1, NaN), c(NaN, NaN), c(NaN, -5)]);
    await expectArray(mx.topk(z, 3, o), [c(1, NaN), c(NaN, NaN), c(NaN, -5)]);
  });

  it("partitions complex64 and takes its top k as the full sort orders it", async () => {
    const z = mx.array(Z, mx.complex64, o);
    await expectArray(mx.partition(z, 2, o), SORTED_1);
    await expectArray(mx.argpartition(z, -1, { axis: 0, ...o }), ARGSORT_0);
    await expectArray(mx.topk(z, 2, o), SORTED_1.map((row) => row.slice(4)));
    await expectArray(mx.topk(z, 1, { axis: 0, ...o }), [SORTED_0[2]!]);
    expect(() => mx.partition(z, 6, o)).toThrow(/\[partition\] kth 6 is out of range/);
  });

  it("routes the cotangent of a complex sort to each element's source", async () => {
    const f = (a: mx.MxArray) => mx.sum(mx.real(mx.multiply(mx.sort(a, o), mx.array([c(1, 0), c(2, 0), c(3, 0)], mx.complex64, o), o), o), o);
    // sorted: 1+2i (from 1), 3+0i (from 2), 3+1i (from 0), weighted 1, 2, 3
    const g = (await mx.grad(f)(mx.array([c(3, 1), c(1, 2), c(3, 0)], mx.complex64, o)).tolist()) as C[];
    expect(g.map((w) => [w.re, w.im + 0])).toEqual([[3, 0], [1, 0], [2, 0]]);
  });

  it("logcumsumexp of complex64 is NumPy's log(cumsum(exp(z))) on the principal branch, on every axis and flag", async () => {
    const w = mx.array(W, mx.complex64, o);
    await expectComplexClose(mx.logcumsumexp(w, 1, o), LCSE_1);
    await expectComplexClose(mx.logcumsumexp(w, 0, o), LCSE_0);
    await expectComplexClose(mx.logcumsumexp(w, 1, { reverse: true, ...o }), LCSE_1_REVERSE);
    await expectComplexClose(mx.logcumsumexp(w, 1, { inclusive: false, ...o }), LCSE_1.map((row) => [c(-Infinity, 0), ...row.slice(0, 4)]));
    await expectComplexClose(mx.logcumsumexp(w, 0, { reverse: true, inclusive: false, ...o }), LCSE_0_REVERSE_EXCLUSIVE);
    await expectComplexClose(mx.logcumsumexp(w, o), LCSE_FLAT);
    // MLX's test (python/tests/test_ops.py test_logcumsumexp): [1, 2, 3] + 1j
    await expectComplexClose(mx.logcumsumexp(mx.array([c(1, 1), c(2, 1), c(3, 1)], mx.complex64, o), o), [c(1, 1), c(2.313261687518223, 1), c(3.4076059644443806, 1)]);
  });

  it("logcumsumexp of complex64 stays finite past exp's range and keeps terms far below the running sum", async () => {
    // np.log(np.cumsum(np.exp(z - 1000))) + 1000: exp(z) itself overflows
    const big = mx.array([c(1000, 0.5), c(1000, 0.5), c(-1000, 3), c(999, -2)], mx.complex64, o);
    await expectComplexClose(mx.logcumsumexp(big, o), [c(1000, 0.5), c(1000.6931471805599, 0.5), c(1000.6931471805599, 0.5), c(1000.5419926200165, 0.37160177636317643)]);
    // e^-20 and e^-30·e^i beside 1: log1p's accuracy, not 1 + tiny rounded to 1
    const [a, b, d] = (await mx.logcumsumexp(mx.array([c(0, 0), c(-20, 0), c(-30, 1)], mx.complex64, o), o).tolist()) as C[];
    expect(a).toEqual(c(0, 0));
    expect(Math.abs(b!.re / 2.0611536900435727e-9 - 1)).toBeLessThan(1e-5);
    expect(Math.abs(d!.re / 2.061204316213391e-9 - 1)).toBeLessThan(1e-5);
    expect(Math.abs(d!.im / 7.874168198820664e-14 - 1)).toBeLessThan(1e-4);
    // 1 + e^(i pi) all but cancels: |1 + w| read directly, not through log1p(|1 + w|^2 - 1) = log1p(-1)
    await expectComplexClose(mx.logcumsumexp(mx.array([c(0, 0), c(0, Math.fround(Math.PI))], mx.complex64, o), o), [c(0, 0), c(-16.25250995, -1.57079628)]);
  });

  it("logcumsumexp of complex64: -inf contributes nothing, a zero sum is -inf + 0i, NaN spreads to both parts, +inf leads", async () => {
    const z = mx.array([c(-Infinity, 2), c(-Infinity, 3), c(0.5, 1), c(NaN, 1), c(2, 0), c(Infinity, 0)], mx.complex64, o);
    await expectArray(mx.logcumsumexp(z, o), [c(-Infinity, 0), c(-Infinity, 0), c(0.5, 1), c(NaN, NaN), c(NaN, NaN), c(NaN, NaN)]);
    // an infinite real part keeps its own imaginary part, as MLX's logaddexp (NumPy's exp(inf + 2j) is -inf + inf j, whose log has imaginary part 3 pi / 4)
    await expectArray(mx.logcumsumexp(mx.array([c(1, 3), c(Infinity, 2), c(5, 1), c(Infinity, 1)], mx.complex64, o), o), [c(1, 3), c(Infinity, 2), c(Infinity, 2), c(Infinity, 2)]);
    // NumPy: log(exp(nan + 1j)) is nan + nanj
    await expectArray(mx.logcumsumexp(mx.array([c(NaN, 1), c(1, 0)], mx.complex64, o), o), [c(NaN, NaN), c(NaN, NaN)]);
    await expectArray(mx.logcumsumexp(mx.zeros([2, 0], mx.complex64, o), 1, o), [[], []]);
  });

  it("differentiates complex logcumsumexp as the direct formula log(cumsum(exp(z)))", async () => {
    const z = mx.array([c(0.3, 1), c(-0.5, 2.5), c(1.2, -0.7), c(0.1, 0.4)], mx.complex64, o);
    const weights = mx.array([c(1, 0.5), c(-2, 1), c(0.5, 0), c(1, -1)], mx.complex64, o);
    const loss = (scan: (a: mx.MxArray) => mx.MxArray) => (a: mx.MxArray) => mx.sum(mx.real(mx.multiply(scan(a), weights, o), o), o);
    const direct = (await mx.grad(loss((a) => mx.log(mx.cumsum(mx.exp(a, o), { axis: 0, ...o }), o)))(z).tolist()) as C[];
    await expectComplexClose(mx.grad(loss((a) => mx.logcumsumexp(a, 0, o)))(z), direct, 1e-5);
    // two leading -inf terms (exp: 0) change neither the outputs after them nor their gradient, and get gradient 0
    const padded = mx.concatenate([mx.array([c(-Infinity, 0), c(-Infinity, 2)], mx.complex64, o), z], 0, o);
    const later = (a: mx.MxArray) => mx.sum(mx.real(mx.multiply(mx.slice(mx.logcumsumexp(a, 0, o), [2], [6], undefined, o), weights, o), o), o);
    await expectComplexClose(mx.grad(later)(padded), [c(0, 0), c(0, 0), ...direct], 1e-5);
  });
});
