// CPU reference FFT: every transform computed in float64 (backends/fft-float64.ts:
// radix-2, or Bluestein's chirp-z for other lengths) and rounded once to
// complex64 / float32. Axes are transformed one after another (a real
// forward transform's halved axis first, a real inverse's last).

import type { Backend, Kernel } from "../backend.js";
import { complex64 } from "../../src/dtype.js";
import type { FftParams } from "../../src/primitives/fft.js";
import { dft, idft } from "../fft-float64.js";
import { float64Values } from "./float64-values.js";
import { allocOutput, elementOffsets, scratchF64, wordsOf } from "./tensor.js";

type AxisKind = "forward" | "inverse" | "realForward" | "realInverse";

interface Field {
  shape: number[];
  re: Float64Array;
  im: Float64Array;
}

/** `f` transformed along `ax`; a real inverse transform makes `outLength` samples from its n/2 + 1 frequencies. */
function transformAxis(f: Field, ax: number, kind: AxisKind, outLength: number): Field {
  const len = f.shape[ax]!;
  const outer = f.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = f.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const n = kind === "realInverse" ? outLength : len;
  const keep = kind === "realForward" ? Math.floor(n / 2) + 1 : n;
  const shape = f.shape.map((d, i) => (i === ax ? keep : d));
  const total = outer * keep * inner;
  const re = scratchF64(total), im = scratchF64(total);
  const lr = scratchF64(n), li = scratchF64(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * len + k) * inner + i;
      if (kind === "realInverse") {
        // the Hermitian extension of the half-spectrum (zero past its length)
        for (let k = 0; k < n; k++) {
          const src = k < len ? k : n - k;
          lr[k] = src < len ? f.re[at(src)]! : 0;
          li[k] = src >= len ? 0 : k < len ? f.im[at(src)]! : -f.im[at(src)]!;
        }
      } else {
        for (let k = 0; k < n; k++) {
          lr[k] = f.re[at(k)]!;
          li[k] = f.im[at(k)]!;
        }
      }
      if (kind === "forward" || kind === "realForward") dft(lr, li);
      else idft(lr, li);
      if (kind === "realForward") {
        // exactly real for a real signal: DC, and Nyquist for even n
        li[0] = 0;
        if (n % 2 === 0) li[n / 2] = 0;
      }
      for (let k = 0; k < keep; k++) {
        const to = (o * keep + k) * inner + i;
        re[to] = lr[k]!;
        im[to] = kind === "realInverse" ? 0 : li[k]!;
      }
    }
  }
  return { shape, re, im };
}

export function fftKernel(backend: Backend): Kernel {
  return (prim, [x], out) => {
    const p = prim.params() as FftParams;
    const n = x!.shape.reduce((a, d) => a * d, 1);
    // the output first; then the transforms in float64 (counted scratch)
    const { t, w: o } = allocOutput(backend, out);
    let f: Field;
    if (x!.dtype === complex64) {
      const w = wordsOf(x!) as Float32Array, offs = elementOffsets(x!);
      const re = scratchF64(n), im = scratchF64(n);
      for (let i = 0; i < n; i++) {
        re[i] = w[2 * offs[i]!]!;
        im[i] = w[2 * offs[i]! + 1]!;
      }
      f = { shape: [...x!.shape], re, im };
    } else f = { shape: [...x!.shape], re: float64Values(x!), im: scratchF64(n) };
    const last = p.axes[p.axes.length - 1]!;
    const others = p.axes.slice(0, -1);
    if (p.real && !p.inverse) f = transformAxis(f, last, "realForward", 0);
    for (const ax of p.real ? others : p.axes) f = transformAxis(f, ax, p.inverse ? "inverse" : "forward", 0);
    if (p.real && p.inverse) f = transformAxis(f, last, "realInverse", p.realSize);
    const size = out.shape.reduce((a, d) => a * d, 1);
    if (out.dtype === complex64) {
      for (let i = 0; i < size; i++) {
        o[2 * i] = f.re[i]!;
        o[2 * i + 1] = f.im[i]!;
      }
    } else for (let i = 0; i < size; i++) o[i] = f.re[i]!;
    return t;
  };
}
