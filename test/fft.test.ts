// mx.fft: the cpu reference against NumPy's np.fft for every length 1..64 and
// some large and prime ones (forward, inverse, real, Hermitian); then on every
// backend the transforms with n / s, axes and norm, strided inputs, the
// frequencies and shifts, the gradients (vjp the adjoint of jvp), vmap, and
// MLX's argument errors.

import { describe, expect, it } from "vitest";
import { describeWithNumpy, itWithNumpy, runPython } from "./helpers/numpy.js";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { GPU_FFT } from "../conformance/contracts.js";

type C = { re: number; im: number };
const U = 2 ** -24;

/** Deterministic float32-representable values. */
function signal(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(Math.sin(seed * 12.9898 + i * 78.233) * 3 + Math.cos(i * 0.37 + seed)));
}

/** Runs NumPy on cases [kind, re, im, n] and returns [re, im] lists (real results: im empty). */
function numpy(cases: readonly [string, number[], number[], number][]): [number[], number[]][] {
  const script = `
import json, sys, numpy as np
out = []
for kind, re, im, n in json.load(sys.stdin):
    x = np.array(re, dtype=np.float64) + 1j * np.array(im, dtype=np.float64)
    y = {"fft": lambda: np.fft.fft(x, n), "ifft": lambda: np.fft.ifft(x, n), "rfft": lambda: np.fft.rfft(x.real, n), "irfft": lambda: np.fft.irfft(x, n)}[kind]()
    out.append([np.real(y).tolist(), np.imag(y).tolist() if np.iscomplexobj(y) else []])
print(json.dumps(out))
`;
  return runPython<[number[], number[]][]>(script, cases);
}

/** A complex64 array from parts. */
const complexOf = (re: number[], im: number[], o: mx.OpOptions) => mx.add(mx.array(re, mx.float32, o), mx.multiply(mx.array(im, mx.float32, o), mx.array({ re: 0, im: 1 }, mx.complex64, o), o), o);

async function parts(y: mx.MxArray): Promise<[number[], number[]]> {
  const v = (await mx.reshape(y, [-1]).tolist()) as (C | number)[];
  return y.dtype === mx.complex64 ? [v.map((z) => (z as C).re), v.map((z) => (z as C).im)] : [v as number[], []];
}

/** max |got - want| over components, and the 2-norm of the input. */
function maxError(got: [number[], number[]], want: [number[], number[]]): number {
  let e = 0;
  want[0].forEach((w, i) => (e = Math.max(e, Math.abs(got[0][i]! - w), Math.abs((got[1][i] ?? 0) - (want[1][i] ?? 0)))));
  return e;
}
const norm2 = (re: number[], im: number[]) => Math.sqrt(re.reduce((s, v, i) => s + v * v + (im[i] ?? 0) ** 2, 0));
const norm1 = (re: number[], im: number[]) => re.reduce((s, v, i) => s + Math.hypot(v, im[i] ?? 0), 0);

describeWithNumpy("the cpu reference against NumPy", () => {
  const lengths = [...Array.from({ length: 64 }, (_, i) => i + 1), 97, 127, 128, 251, 1000, 1024, 4099];
  const cpu = { stream: mx.cpu };

  it.each(["fft", "ifft", "rfft", "irfft"])("%s of every length 1..64 and large and prime ones: one rounding of NumPy's result", async (kind) => {
    const cases = lengths.map((n): [string, number[], number[], number] => {
      const m = kind === "irfft" ? Math.floor(n / 2) + 1 : n;
      return [kind, signal(m, n), kind === "rfft" ? Array<number>(m).fill(0) : signal(m, n + 1000), n];
    });
    const want = numpy(cases);
    for (const [i, [, re, im, n]] of cases.entries()) {
      const f = (mx.fft as unknown as Record<string, (a: mx.MxArray, n: number, o: object) => mx.MxArray>)[kind]!;
      const x = kind === "rfft" ? mx.array(re, mx.float32, cpu) : complexOf(re, im, cpu);
      const got = await parts(f(x, n, cpu));
      const w = want[i]!;
      expect(got[0].length).toBe(w[0].length);
      // NumPy's own float64 error, relative to the input, plus half an ulp of each float32 component
      const slack = 1e-13 * norm2(re, im);
      w[0].forEach((v, k) => expect(Math.abs(got[0][k]! - v), `${kind} n=${n} re[${k}]`).toBeLessThanOrEqual(U * Math.abs(v) + slack));
      w[1].forEach((v, k) => expect(Math.abs(got[1][k]! - v), `${kind} n=${n} im[${k}]`).toBeLessThanOrEqual(U * Math.abs(v) + slack));
    }
  });

  it("rfft's DC and Nyquist frequencies are exactly real", async () => {
    const y = await parts(mx.fft.rfft(mx.array(signal(12, 3), mx.float32, cpu), cpu));
    expect(y[1][0]).toBe(0);
    expect(y[1][6]).toBe(0);
  });
});

/** Lengths every backend transforms (power-of-two, Bluestein, one-threadgroup and multi-pass). */
const GPU_LENGTHS = [1, 2, 3, 5, 7, 8, 16, 31, 64, 100, 257, 1024, 4096, 5000, 8192];
let gpuCases: Map<number, { re: number[]; im: number[]; lines: number; want: [number[], number[]][] }> | undefined;

/** The signal of length n (lines of it) and NumPy's fft and ifft of each line; NumPy runs once for all lengths. */
function gpuCase(n: number) {
  if (!gpuCases) {
    const inputs = GPU_LENGTHS.map((len) => {
      const lines = len > 1000 ? 2 : 3;
      return { len, lines, re: signal(len * lines, len), im: signal(len * lines, len + 7) };
    });
    const cases: [string, number[], number[], number][] = [];
    for (const { len, lines, re, im } of inputs) for (let l = 0; l < lines; l++) for (const kind of ["fft", "ifft"]) cases.push([kind, re.slice(l * len, (l + 1) * len), im.slice(l * len, (l + 1) * len), len]);
    const all = numpy(cases);
    gpuCases = new Map();
    let at = 0;
    for (const { len, lines, re, im } of inputs) {
      gpuCases.set(len, { re, im, lines, want: all.slice(at, at + 2 * lines) });
      at += 2 * lines;
    }
  }
  return gpuCases.get(n)!;
}

describe.each(BACKENDS)("mx.fft on $name", ({ device }) => {
  const o = { stream: device };

  itWithNumpy.each(GPU_LENGTHS)("fft and ifft of length %i within c log2(2n) u sum|x| of NumPy (GPU_FFT)", async (n) => {
    const { re, im, lines, want } = gpuCase(n);
    const x = mx.reshape(complexOf(re, im, o), [lines, n], o);
    const fwd = await parts(mx.fft.fft(x, o)), inv = await parts(mx.fft.ifft(x, o));
    // the contract of conformance/contracts.ts
    const bound = GPU_FFT.c * Math.log2(2 * n) * U;
    for (let l = 0; l < lines; l++) {
      const norm = norm1(re.slice(l * n, (l + 1) * n), im.slice(l * n, (l + 1) * n));
      const sl = (p: [number[], number[]]): [number[], number[]] => [p[0].slice(l * n, (l + 1) * n), p[1].slice(l * n, (l + 1) * n)];
      expect(maxError(sl(fwd), want[2 * l]!)).toBeLessThanOrEqual(bound * norm);
      expect(maxError(sl(inv), want[2 * l + 1]!)).toBeLessThanOrEqual((bound * norm) / n);
    }
  });

  itWithNumpy("rfft and irfft, even and odd n, cut and padded, along a middle axis", async () => {
    for (const n of [1, 2, 6, 7, 12, 33]) {
      const x = mx.reshape(mx.array(signal(3 * n * 2, n), mx.float32, o), [3, n, 2], o);
      const y = mx.fft.rfft(x, null, 1, o);
      expect(y.shape).toEqual([3, Math.floor(n / 2) + 1, 2]);
      const back = mx.fft.irfft(y, n, 1, o);
      expect(back.shape).toEqual([3, n, 2]);
      const err = (await mx.max(mx.abs(mx.subtract(back, x, o), o), o).item()) as number;
      expect(err).toBeLessThan(1e-5);
    }
    // n cuts the signal or pads it with zeros
    const x = mx.array([1, 2, 3, 4], mx.float32, o);
    expect((await parts(mx.fft.rfft(x, 2, o)))[0]).toEqual([3, -1]);
    const padded = await parts(mx.fft.rfft(x, 8, o));
    const want = numpy([["rfft", [1, 2, 3, 4], [0, 0, 0, 0], 8]])[0]!;
    expect(maxError(padded, want)).toBeLessThan(1e-5);
    // irfft's default length is 2 (m - 1)
    expect(mx.fft.irfft(mx.zeros([5], mx.complex64, o), o).shape).toEqual([8]);
  });

  it("fft2, fftn, ifftn and rfftn/irfftn over chosen axes with sizes, against the composition of 1-d transforms", async () => {
    const x = mx.reshape(complexOf(signal(60, 1), signal(60, 2), o), [3, 4, 5], o);
    const close = async (a: mx.MxArray, b: mx.MxArray, tol = 2e-5) => {
      expect(a.shape).toEqual(b.shape);
      expect((await mx.max(mx.abs(mx.subtract(a, b, o), o), o).item()) as number).toBeLessThan(tol);
    };
    await close(mx.fft.fft2(x, o), mx.fft.fft(mx.fft.fft(x, null, 2, o), null, 1, o));
    await close(mx.fft.fftn(x, o), mx.fft.fft(mx.fft.fft(mx.fft.fft(x, null, 2, o), null, 1, o), null, 0, o), 5e-5);
    await close(mx.fft.fftn(x, [6, 3], [0, 2], o), mx.fft.fft(mx.fft.fft(x, 3, 2, o), 6, 0, o));
    await close(mx.fft.fftn(x, [2, 8], o), mx.fft.fft(mx.fft.fft(x, 8, 2, o), 2, 1, o));
    await close(mx.fft.ifftn(mx.fft.fftn(x, o), o), x);
    await close(mx.fft.ifft2(x, { axes: [0, 1], ...o }), mx.fft.ifft(mx.fft.ifft(x, null, 1, o), null, 0, o));
    const r = mx.real(x, o);
    const spec = mx.fft.rfftn(r, o);
    expect(spec.shape).toEqual([3, 4, 3]);
    await close(spec, mx.fft.fft(mx.fft.fft(mx.fft.rfft(r, o), null, 1, o), null, 0, o), 5e-5);
    await close(mx.fft.irfftn(spec, [3, 4, 5], o), r);
    await close(mx.fft.irfft2(mx.fft.rfft2(r, o), [4, 5], o), r);
    await close(mx.fft.rfft2(r, [4, 4], [0, 2], o), mx.fft.fft(mx.fft.rfft(r, 4, 2, o), 4, 0, o));
  });

  it("norm: backward, ortho and forward scale as NumPy's", async () => {
    const x = complexOf([1, 2, 3, 4], [0, -1, 0.5, 2], o);
    const back = await parts(mx.fft.fft(x, o));
    const ortho = await parts(mx.fft.fft(x, { norm: "ortho", ...o }));
    const fwd = await parts(mx.fft.fft(x, { norm: "forward", ...o }));
    back[0].forEach((v, i) => {
      expect(ortho[0][i]).toBeCloseTo(v / 2, 5);
      expect(fwd[0][i]).toBeCloseTo(v / 4, 5);
    });
    const inv = await parts(mx.fft.ifft(x, { norm: "forward", ...o }));
    expect(inv[0][0]).toBeCloseTo(10, 5);
    expect((await parts(mx.fft.irfft(mx.fft.rfft(mx.array([1, 2, 3], mx.float32, o), { norm: "ortho", ...o }), 3, { norm: "ortho", ...o })))[0].map((v) => Math.round(v * 1e5) / 1e5)).toEqual([1, 2, 3]);
  });

  it("reads transposed and strided inputs, and integer inputs as complex64", async () => {
    const base = mx.reshape(complexOf(signal(24, 5), signal(24, 6), o), [4, 6], o);
    const t = mx.transpose(base, undefined, o);
    const contiguous = mx.add(t, mx.zeros([6, 4], mx.complex64, o), o);
    expect(await mx.fft.fft(t, o).tolist()).toEqual(await mx.fft.fft(contiguous, o).tolist());
    const strided = mx.slice(base, [0, 1], [4, 6], [2, 2], o);
    expect(await mx.fft.fft(strided, o).tolist()).toEqual(await mx.fft.fft(mx.add(strided, mx.zeros(strided.shape, mx.complex64, o), o), o).tolist());
    const y = mx.fft.fft(mx.array([1, 0, 0, 0], mx.int32, o), o);
    expect(y.dtype).toBe(mx.complex64);
    expect(await y.tolist()).toEqual([{ re: 1, im: 0 }, { re: 1, im: 0 }, { re: 1, im: 0 }, { re: 1, im: 0 }]);
    // empty batches
    expect(mx.fft.fft(mx.zeros([0, 4], mx.float32, o), o).shape).toEqual([0, 4]);
    expect(await mx.fft.fft(mx.zeros([0, 4], mx.float32, o), o).tolist()).toEqual([]);
  });

  it("vjp is the adjoint of jvp for fft, ifft, rfft and irfft (Re <ct, A t> = <A* ct, t>)", async () => {
    const dot = async (a: mx.MxArray, b: mx.MxArray) => {
      const [ar, ai] = await parts(a), [br, bi] = await parts(b);
      return ar.reduce((s, v, i) => s + v * br[i]! + (ai[i] ?? 0) * (bi[i] ?? 0), 0);
    };
    const cases: [string, (x: mx.MxArray) => mx.MxArray, mx.MxArray, mx.MxArray][] = [
      ["fft", (x) => mx.fft.fft(x, o), complexOf(signal(6, 1), signal(6, 2), o), complexOf(signal(6, 3), signal(6, 4), o)],
      ["ifft", (x) => mx.fft.ifft(x, o), complexOf(signal(5, 1), signal(5, 2), o), complexOf(signal(5, 3), signal(5, 4), o)],
      ["rfft", (x) => mx.fft.rfft(x, o), mx.array(signal(7, 1), mx.float32, o), complexOf(signal(4, 3), signal(4, 4), o)],
      ["rfft even", (x) => mx.fft.rfft(x, o), mx.array(signal(8, 1), mx.float32, o), complexOf(signal(5, 3), signal(5, 4), o)],
      ["irfft", (x) => mx.fft.irfft(x, 8, o), complexOf(signal(5, 1), signal(5, 2), o), mx.array(signal(8, 3), mx.float32, o)],
      ["fft2", (x) => mx.fft.fft2(x, o), mx.reshape(complexOf(signal(6, 1), signal(6, 2), o), [2, 3], o), mx.reshape(complexOf(signal(6, 3), signal(6, 4), o), [2, 3], o)],
    ];
    for (const [label, f, t, ct] of cases) {
      const [, [jt]] = mx.jvp(f, [t], [t]);
      const [, [vct]] = mx.vjp(f, [t], [ct]);
      const lhs = await dot(ct, jt!), rhs = await dot(vct!, t);
      expect(Math.abs(lhs - rhs), label).toBeLessThan(1e-4 * (Math.abs(lhs) + 1));
    }
  });

  it("vmap over a batch axis matches the stacked transforms", async () => {
    const x = mx.reshape(complexOf(signal(24, 8), signal(24, 9), o), [2, 3, 4], o);
    const f = (a: mx.MxArray) => mx.fft.rfft(mx.real(mx.fft.fft(a, null, 0, o), o), o);
    const mapped = mx.vmap(f, { inAxes: 1 })(x) as mx.MxArray;
    const stacked = mx.stack([0, 1, 2].map((i) => f(mx.take(x, i, 1, o))), { axis: 0, ...o });
    expect(mapped.shape).toEqual(stacked.shape);
    expect((await mx.max(mx.abs(mx.subtract(mapped, stacked, o), o), o).item()) as number).toBeLessThan(1e-5);
  });

  it("fftfreq, rfftfreq, fftshift and ifftshift as NumPy's", async () => {
    expect(await mx.fft.fftfreq(6, 0.5, o).tolist()).toEqual([0, 1, 2, -3, -2, -1].map((v) => Math.fround(v * Math.fround(1 / 3))));
    expect(await mx.fft.rfftfreq(5, { d: 2, ...o }).tolist()).toEqual([0, 1, 2].map((v) => Math.fround(v * Math.fround(0.1))));
    const x = mx.reshape(mx.arange(15, o), [3, 5], o);
    expect(await mx.fft.fftshift(x, o).tolist()).toEqual([[13, 14, 10, 11, 12], [3, 4, 0, 1, 2], [8, 9, 5, 6, 7]]);
    expect(await mx.fft.ifftshift(x, 1, o).tolist()).toEqual([[2, 3, 4, 0, 1], [7, 8, 9, 5, 6], [12, 13, 14, 10, 11]]);
    expect(await mx.fft.ifftshift(mx.fft.fftshift(x, [0, 1], o), { axes: [0, 1], ...o }).tolist()).toEqual(await x.tolist());
  });

  it("MLX's argument errors", () => {
    const x = mx.array([1, 2, 3, 4], mx.float32);
    expect(() => mx.fft.fft(x, 0, o)).toThrow(/^\[fft\.fft\].*n must be a positive integer/);
    expect(() => mx.fft.fft(x, { norm: "bogus" as never, ...o })).toThrow(/^\[fft\.fft\] norm must be one of/);
    expect(() => mx.fft.fft(mx.array(1, mx.float32), o)).toThrow(/^\[fft\.fft\] a must have at least one dimension/);
    expect(() => mx.fft.fftn(mx.zeros([2, 2]), null, [0, 0], o)).toThrow(/^\[fft\.fftn\] duplicate axes/);
    expect(() => mx.fft.fft2(x, o)).toThrow(/^\[fft\.fft2\] axes -2 is out of bounds/);
    expect(() => mx.fft.fftn(mx.zeros([2, 2]), [2], [0, 1], o)).toThrow(/^\[fft\.fftn\] s and axes must have the same length/);
    expect(() => mx.fft.irfft(mx.array([1], mx.complex64), o)).toThrow(/^\[fft\.irfft\] the default output length 2 \(m - 1\) is 0, not positive: .*; pass n/);
    expect(() => mx.fft.fft(x, 2, { n: 2, ...o })).toThrow(/^\[fft\.fft\] n given twice/);
    expect(() => mx.fft.fftfreq(0, o)).toThrow(/^\[fft\.fftfreq\] n must be a positive integer/);
    expect(() => mx.fft.rfftfreq(4, 0, o)).toThrow(/^\[fft\.rfftfreq\] d must be non-zero/);
    expect(() => mx.fft.fftshift(x, 3, o)).toThrow(/^\[fft\.fftshift\] axes 3 is out of bounds/);
  });
});
