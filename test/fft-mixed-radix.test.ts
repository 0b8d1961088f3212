// The GPU FFT's mixed-radix lengths (n = 2^a 3^b 5^c 7^d 11^e 13^f: Stockham
// passes of radix 4, 2, 3, 5, 7, 11, 13, no Bluestein; test/fft-radix-11-13
// has the radix-11 and -13 lengths): the host's plan (radices, group sizes
// that keep a thread's operands in its registers), then on every backend
// fft / ifft / rfft / irfft / fftn / rfftn / irfftn of such lengths, in one
// workgroup and through the multi-pass path, against NumPy in float64.

import { describe, expect, it } from "vitest";
import { describeWithNumpy } from "./helpers/numpy.js";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { numpy, parts, relativeError, signal, type NumpyCase } from "./helpers/fft-numpy.js";
import { fftGroupSize, fftRadices, isMixedRadixLength } from "../backends/fft-tables.js";

/** The measured error is below 0.6 u log2 n (and below 1.1 for Bluestein before): 1 u log2 n leaves room, and a wrong twiddle or butterfly is O(1). */
const BOUND = 1;

describe("the mixed-radix plan", () => {
  const smooth = Array.from({ length: 4096 }, (_, i) => i + 1).filter(isMixedRadixLength);

  it("recognises 2^a 3^b 5^c 7^d 11^e 13^f and factors it into radices 4, 2, 3, 5, 7, 11, 13", () => {
    expect(smooth.slice(0, 20)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 21, 22]);
    expect([17, 19, 23, 34, 97, 1003, 4099].some(isMixedRadixLength)).toBe(false);
    expect(fftRadices(1000)).toEqual([4, 2, 5, 5, 5]);
    expect(fftRadices(11 * 13 * 8)).toEqual([4, 2, 11, 13]);
    expect(fftRadices(3 * 7 * 11 * 13)).toEqual([3, 7, 11, 13]);
    expect(fftRadices(2048)).toEqual([4, 4, 4, 4, 4, 2]);
    for (const m of smooth) expect(fftRadices(m).reduce((p, r) => p * r, 1)).toBe(m);
  });

  // wgsl/fft.wgsl holds 16 operands a thread in lines up to 2048, msl/fft.metal 26 in lines up to 4096, 256 threads
  it.each([
    ["webgpu", 2048, 16],
    ["metal", 4096, 26],
  ])("on %s every pass of a line in workgroup memory fits a thread's registers", (_, tgMax, regs) => {
    for (const m of smooth.filter((m) => m <= tgMax)) {
      const group = fftGroupSize(m, 256);
      for (const r of fftRadices(m)) expect(Math.ceil(m / r / group), `m=${m} radix ${r}`).toBeLessThanOrEqual(Math.floor(regs / r));
    }
  });
});

/** Lengths of every family: one workgroup (up to 2048 / 4096) and the multi-pass path (3000 up, 3^10). */
const LENGTHS = [3, 5, 6, 7, 9, 12, 15, 21, 25, 35, 45, 49, 60, 63, 100, 105, 125, 240, 343, 360, 1000, 2187, 3000, 4725, 10000, 59049];
const lineCount = (n: number) => (n > 5000 ? 1 : n > 500 ? 2 : 3);

let oneDim: Map<number, { re: number[]; im: number[]; want: [number[], number[]][] }> | undefined;

/** Each length's signal (lineCount lines) and NumPy's fft, ifft and rfft of it; NumPy runs once for all lengths. */
function oneDimCase(n: number) {
  if (!oneDim) {
    const inputs = LENGTHS.map((len) => ({ len, re: signal(len * lineCount(len), len), im: signal(len * lineCount(len), len + 3) }));
    const cases = inputs.flatMap(({ len, re, im }): NumpyCase[] => {
      const shape = [lineCount(len), len];
      return [
        { fn: "fft", shape, re, im, kwargs: {} },
        { fn: "ifft", shape, re, im, kwargs: {} },
        { fn: "rfft", shape, re, im: [], kwargs: {} },
      ];
    });
    const all = numpy(cases);
    oneDim = new Map(inputs.map(({ len, re, im }, i) => [len, { re, im, want: all.slice(3 * i, 3 * i + 3) }]));
  }
  return oneDim.get(n)!;
}

describeWithNumpy.each(BACKENDS)("mixed-radix FFT lengths on $name", ({ device }) => {
  const o = { stream: device };
  const complexOf = (re: number[], im: number[], shape: number[]) =>
    mx.reshape(mx.add(mx.array(re, mx.float32, o), mx.multiply(mx.array(im, mx.float32, o), mx.array({ re: 0, im: 1 }, mx.complex64, o), o), o), shape, o);

  it.each(LENGTHS)("fft, ifft and rfft of length %i within u log2 n of NumPy", async (n) => {
    const { re, im, want } = oneDimCase(n);
    const shape = [lineCount(n), n];
    const x = complexOf(re, im, shape);
    const got = [mx.fft.fft(x, o), mx.fft.ifft(x, o), mx.fft.rfft(mx.reshape(mx.array(re, mx.float32, o), shape, o), o)];
    for (const [k, y] of got.entries()) expect(relativeError(await parts(y), want[k]!, n), ["fft", "ifft", "rfft"][k]).toBeLessThanOrEqual(BOUND);
  });

  it("irfft of even and odd mixed-radix lengths along a middle axis, batched", async () => {
    const sizes = [6, 15, 45, 100, 360, 3000];
    const inputs = sizes.map((n) => {
      const half = Math.floor(n / 2) + 1;
      return { n, half, re: signal(4 * half * 2, n), im: signal(4 * half * 2, n + 1) };
    });
    const want = numpy(inputs.map(({ n, half, re, im }) => ({ fn: "irfft", shape: [4, half, 2], re, im, kwargs: { n, axis: 1 } })));
    for (const [i, { n, half, re, im }] of inputs.entries()) {
      const y = mx.fft.irfft(complexOf(re, im, [4, half, 2]), n, 1, o);
      expect(y.shape).toEqual([4, n, 2]);
      expect(relativeError(await parts(y), want[i]!, n), `n=${n}`).toBeLessThanOrEqual(BOUND);
    }
  });

  it("fftn, rfftn and irfftn over several mixed-radix axes and chosen axes", async () => {
    const shape = [6, 10, 21];
    const size = shape.reduce((p, d) => p * d, 1);
    const re = signal(size, 1), im = signal(size, 2);
    const spec = { fn: "rfftn", shape, re, im: [], kwargs: {} };
    const cases: [NumpyCase, () => mx.MxArray][] = [
      [{ fn: "fftn", shape, re, im, kwargs: {} }, () => mx.fft.fftn(complexOf(re, im, shape), o)],
      [{ fn: "ifftn", shape, re, im, kwargs: { axes: [0, 2] } }, () => mx.fft.ifftn(complexOf(re, im, shape), null, [0, 2], o)],
      [{ fn: "fftn", shape, re, im, kwargs: { s: [12, 15], axes: [2, 0] } }, () => mx.fft.fftn(complexOf(re, im, shape), [12, 15], [2, 0], o)],
      [spec, () => mx.fft.rfftn(mx.reshape(mx.array(re, mx.float32, o), shape, o), o)],
      [{ fn: "irfftn", shape: [6, 10, 11], re: re.slice(0, 660), im: im.slice(0, 660), kwargs: { s: [6, 10, 21] } }, () => mx.fft.irfftn(complexOf(re.slice(0, 660), im.slice(0, 660), [6, 10, 11]), [6, 10, 21], o)],
    ];
    const want = numpy(cases.map(([c]) => c));
    for (const [i, [c, f]] of cases.entries()) expect(relativeError(await parts(f()), want[i]!, size), `${c.fn} ${JSON.stringify(c.kwargs)}`).toBeLessThanOrEqual(BOUND);
  });
});
