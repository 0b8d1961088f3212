// The GPU FFT's radix-11 and radix-13 Stockham passes: lengths with 11 and 13
// among their factors (11 .. 13^3 2, in one workgroup and through the
// multi-pass path) planned without Bluestein, then fft / ifft / rfft / irfft
// of batches of them and fftn / rfftn / irfftn over such axes, on every
// backend against NumPy in float64 and on the GPUs against the cpu reference.

import { describe, expect, it } from "vitest";
import { describeWithNumpy } from "./helpers/numpy.js";
import * as mx from "../index.js";
import { BACKENDS } from "./helpers/backends.js";
import { numpy, parts, relativeError, signal, type NumpyCase } from "./helpers/fft-numpy.js";
import { fftRadices, fftTables } from "../backends/fft-tables.js";

/**
 * Measured on lavapipe and the MSL execution layer: at most 0.4 u log2 n
 * (relative l2 error 0.7 to 2.6 u, as the radix-7 lengths of the same sizes;
 * Bluestein gave 1.3 to 3.1 u for them); a wrong constant or twiddle is O(1).
 */
const BOUND = 0.6;

/**
 * One workgroup on both GPUs up to 1144; 3510 = 2 3^3 5 13 two radix-13
 * butterflies a thread in one Metal threadgroup and multi-pass on WebGPU;
 * 4394 = 2 13^3 and 4576 = 11 13 32 multi-pass on both.
 */
const LENGTHS = [11, 13, 22, 26, 33, 121, 143, 169, 286, 1001, 11 * 13 * 8, 3510, 4394, 4576];
const lineCount = (n: number) => (n > 2000 ? 2 : 3);
const cpu = { stream: mx.cpu };

describe("the radix-11 and -13 plan", () => {
  it("runs every length as Stockham passes with its 11s and 13s as radices, no Bluestein", () => {
    for (const n of LENGTHS) {
      expect(fftTables(n).chirp, `n=${n}`).toBeNull();
      expect(fftRadices(n).reduce((p, r) => p * r, 1)).toBe(n);
    }
    expect(fftRadices(143)).toEqual([11, 13]);
    expect(fftRadices(4394)).toEqual([2, 13, 13, 13]);
    expect(fftTables(17).chirp).not.toBeNull();
  });
});

type Kind = "fft" | "ifft" | "rfft" | "irfft";
const KINDS: Kind[] = ["fft", "ifft", "rfft", "irfft"];

/** A length's batch: the input of each kind (irfft's a half spectrum), its shape, and NumPy's results; NumPy runs once for all lengths. */
let batches: Map<number, { re: number[]; im: number[]; shapes: number[][]; want: [number[], number[]][] }> | undefined;

function batch(n: number) {
  if (!batches) {
    const inputs = LENGTHS.map((len) => ({ len, lines: lineCount(len), re: signal(len * lineCount(len), len), im: signal(len * lineCount(len), len + 5) }));
    const cases = inputs.flatMap(({ len, lines, re, im }): NumpyCase[] => {
      const half = Math.floor(len / 2) + 1;
      return KINDS.map((fn) => {
        const m = fn === "irfft" ? half : len;
        return { fn, shape: [lines, m], re: re.slice(0, lines * m), im: fn === "rfft" ? [] : im.slice(0, lines * m), kwargs: fn === "irfft" ? { n: len } : {} };
      });
    });
    const all = numpy(cases);
    batches = new Map(inputs.map(({ len, re, im }, i) => [len, { re, im, shapes: cases.slice(4 * i, 4 * i + 4).map((c) => c.shape), want: all.slice(4 * i, 4 * i + 4) }]));
  }
  return batches.get(n)!;
}

describeWithNumpy.each(BACKENDS)("radix-11 and -13 FFT lengths on $name", ({ name, device }) => {
  const o = { stream: device };
  const complexOf = (re: number[], im: number[], shape: number[], opts: mx.OpOptions) =>
    mx.reshape(mx.add(mx.array(re, mx.float32, opts), mx.multiply(mx.array(im, mx.float32, opts), mx.array({ re: 0, im: 1 }, mx.complex64, opts), opts), opts), shape, opts);
  /** The transform `kind` of length n's batch on the stream of `opts`. */
  const transform = (kind: Kind, n: number, opts: mx.OpOptions) => {
    const { re, im, shapes } = batch(n);
    const shape = shapes[KINDS.indexOf(kind)]!;
    const size = shape[0]! * shape[1]!;
    if (kind === "rfft") return mx.fft.rfft(mx.reshape(mx.array(re.slice(0, size), mx.float32, opts), shape, opts), opts);
    const x = complexOf(re.slice(0, size), im.slice(0, size), shape, opts);
    return kind === "fft" ? mx.fft.fft(x, opts) : kind === "ifft" ? mx.fft.ifft(x, opts) : mx.fft.irfft(x, n, opts);
  };

  it.each(LENGTHS)("fft, ifft, rfft and irfft of a batch of length %i within 0.6 u log2 n of NumPy and the cpu reference", async (n) => {
    const { want } = batch(n);
    for (const [k, kind] of KINDS.entries()) {
      const got = await parts(transform(kind, n, o));
      expect(relativeError(got, want[k]!, n), `${kind} against NumPy`).toBeLessThanOrEqual(BOUND);
      if (name !== "cpu") expect(relativeError(got, await parts(transform(kind, n, cpu)), n), `${kind} against the cpu`).toBeLessThanOrEqual(BOUND);
    }
  });

  it("fftn, ifftn, rfftn and irfftn over 11- and 13-point axes, and fft of a transposed (strided) input", async () => {
    const shape = [11, 4, 13];
    const size = shape.reduce((p, d) => p * d, 1);
    const re = signal(size, 3), im = signal(size, 4);
    const half = [11, 4, 7];
    const hsize = 11 * 4 * 7;
    const cases: [NumpyCase, () => mx.MxArray][] = [
      [{ fn: "fftn", shape, re, im, kwargs: { axes: [0, 2] } }, () => mx.fft.fftn(complexOf(re, im, shape, o), null, [0, 2], o)],
      [{ fn: "ifftn", shape, re, im, kwargs: {} }, () => mx.fft.ifftn(complexOf(re, im, shape, o), o)],
      [{ fn: "rfftn", shape, re, im: [], kwargs: { axes: [2, 0] } }, () => mx.fft.rfftn(mx.reshape(mx.array(re, mx.float32, o), shape, o), null, [2, 0], o)],
      [{ fn: "irfftn", shape: half, re: re.slice(0, hsize), im: im.slice(0, hsize), kwargs: { s: [11, 13], axes: [0, 2] } }, () => mx.fft.irfftn(complexOf(re.slice(0, hsize), im.slice(0, hsize), half, o), [11, 13], [0, 2], o)],
      // the 13-point axis of a transposed view: strided lines
      [{ fn: "fft", shape: [13, 11 * 4], re: transposed(re, [11 * 4, 13]), im: transposed(im, [11 * 4, 13]), kwargs: { axis: 0 } }, () => mx.fft.fft(mx.transpose(complexOf(re, im, [11 * 4, 13], o), o), null, 0, o)],
    ];
    const want = numpy(cases.map(([c]) => c));
    for (const [i, [c, f]] of cases.entries()) expect(relativeError(await parts(f()), want[i]!, size), `${c.fn} ${JSON.stringify(c.kwargs)}`).toBeLessThanOrEqual(BOUND);
  });
});

/** The row-major values of the transpose of a [rows, cols] matrix. */
function transposed(v: number[], [rows, cols]: number[]): number[] {
  return Array.from({ length: rows! * cols! }, (_, i) => v[(i % rows!) * cols! + Math.floor(i / rows!)]!);
}
