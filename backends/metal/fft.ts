// Metal FFT through msl/fft.metal: each transformed axis in turn (a real
// forward transform's halved axis first, a real inverse's last), every line
// of it at once. Lengths 2^a 3^b 5^c 7^d 11^e 13^f run as mixed-radix
// Stockham passes (radix 4, 2, 3, 5, 7, 11, 13), other lengths as Bluestein's
// chirp-z over a power of two; the tables (twiddles, chirp, kernel spectrum)
// are float64 on the host (backends/fft-tables.ts), rounded once to float32
// and uploaded. Lines whose FFT length fits threadgroup memory run in one
// threadgroup each (fft_small); longer ones as a dispatch per pass over all
// lines.

import type { Kernel, Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import type { FftParams } from "../../src/primitives/fft.js";
import { fftAxisPlan, fftGroupSize, fftRadices, fftSteps, type FftStep } from "../fft-tables.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";

const LIBRARY: LibraryKey = { file: "fft", variant: "", defines: () => ({}) };
/** msl/fft.metal FFT_TG_MAX and FFT_THREADS. */
const TG_MAX = 4096;
const THREADS = 256;

/** A float32 array uploaded to the device. */
function upload(metal: MetalBackend, data: Float32Array): Tensor {
  const t = metal.allocOutput({ shape: [data.length], dtype: float32 });
  metal.write(t.buffer, data);
  return t;
}

/** One axis of the transform: `x` (any strides) into `out` (row-major). */
function transformAxis(metal: MetalBackend, x: Tensor, out: Tensor, ax: number, step: FftStep): void {
  const plan = fftAxisPlan(x, out, ax, step);
  if (!plan) return;
  const { m, tw, chirp, spec, lines, storeCount, words } = plan;
  const op = "fft";
  const twT = upload(metal, tw);
  const chirpT = chirp ? upload(metal, chirp) : twT;
  const specT = spec ? upload(metal, spec) : twT;
  if (m <= TG_MAX) {
    metal.run(op, LIBRARY, "fft_small", [out, x, twT, chirpT, specT], words(0), { groups: lines, group: fftGroupSize(m, THREADS) });
  } else {
    let a = metal.allocOutput({ shape: [lines, m], dtype: complex64 });
    let b = metal.allocOutput({ shape: [lines, m], dtype: complex64 });
    const passes = () => {
      let ns = 1;
      for (const r of fftRadices(m)) {
        metal.run(op, LIBRARY, "fft_pass", [b, a, twT], words(ns), { threads: lines * (m / r), group: THREADS });
        [a, b] = [b, a];
        ns *= r;
      }
    };
    metal.run(op, LIBRARY, "fft_load", [a, x, chirpT], words(0), { threads: lines * m, group: THREADS });
    passes();
    if (spec) {
      metal.run(op, LIBRARY, "fft_spectrum", [a, specT], words(0), { threads: lines * m, group: THREADS });
      passes();
    }
    metal.run(op, LIBRARY, "fft_store", [out, a, chirpT], words(0), { threads: lines * storeCount, group: THREADS });
    metal.release(a.buffer);
    metal.release(b.buffer);
  }
  for (const t of new Set([twT, chirpT, specT])) metal.release(t.buffer);
}

export function fftKernel(metal: MetalBackend): Kernel {
  return (prim, [x], spec) => {
    const p = prim.params() as FftParams;
    if (p.real && !p.inverse ? x!.dtype !== float32 : x!.dtype !== complex64) {
      throw new Error(`[${prim.errorName}] is not implemented on backend 'metal' for ${x!.dtype.name} input (a ${p.real && !p.inverse ? "float32" : "complex64"} one is)`);
    }
    let cur = x!;
    fftSteps(p, x!.shape).forEach(({ axis, step, shape }, i, all) => {
      const next = i === all.length - 1 ? metal.allocOutput(spec) : metal.allocOutput({ shape, dtype: complex64 });
      transformAxis(metal, cur, next, axis, step);
      if (cur !== x) metal.release(cur.buffer);
      cur = next;
    });
    return cur;
  };
}
