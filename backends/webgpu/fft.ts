// WebGPU FFT through wgsl/fft.wgsl (msl/fft.metal's algorithm): each
// transformed axis in turn (a real forward transform's halved axis first, a
// real inverse's last), every line of it at once. Lengths 2^a 3^b 5^c 7^d
// 11^e 13^f run as mixed-radix Stockham passes (radix 4, 2, 3, 5, 7, 11, 13),
// other lengths as Bluestein's chirp-z over a power of two, on float64 host
// tables (backends/fft-tables.ts) rounded once to float32 and uploaded. Lines
// whose FFT length fits workgroup memory (2048 pairs) run in one workgroup
// each; longer ones as a dispatch per pass over all lines.

import type { Kernel, Tensor } from "../backend.js";
import { complex64, float32 } from "../../src/dtype.js";
import type { FftParams } from "../../src/primitives/fft.js";
import { fftAxisPlan, fftGroupSize, fftRadices, fftSteps, type FftStep } from "../fft-tables.js";
import type { WebGpuBackend } from "./backend.js";

/** wgsl/fft.wgsl's workgroup memory, in pairs, and the largest workgroup. */
const TG_MAX = 2048;
const THREADS = 256;

const MODE = { small: 0, load: 1, pass: 2, spectrum: 3, store: 4 } as const;

function upload(gpu: WebGpuBackend, data: Float32Array): Tensor {
  const t = gpu.allocOutput({ shape: [data.length], dtype: float32 });
  gpu.write(t.buffer, data);
  return t;
}

/** One axis of the transform: `x` (any strides) into `out` (row-major). */
function transformAxis(gpu: WebGpuBackend, x: Tensor, out: Tensor, ax: number, step: FftStep): void {
  const plan = fftAxisPlan(x, out, ax, step);
  if (!plan) return;
  const { m, tw, chirp, spec, lines, storeCount, words } = plan;
  const twT = upload(gpu, tw);
  const chirpT = chirp ? upload(gpu, chirp) : twT;
  const specT = spec ? upload(gpu, spec) : twT;
  const tables = [twT, chirpT, specT].map((t) => gpu.gpuBuffer(t));
  const run = (mode: number, wg: number, dst: Tensor, src: Tensor | null, ns: number, groups: number) =>
    gpu.run({ op: "fft", file: "fft", helpers: ["fft-radix"], key: `${mode}|${wg}`, slots: { MODE: mode, WG: wg } }, gpu.gpuBuffer(dst), words(ns), [src ? gpu.gpuBuffer(src) : tables[0]!, ...tables], groups);
  if (m <= TG_MAX) {
    run(MODE.small, fftGroupSize(m, THREADS), out, x, 0, lines);
  } else {
    let a = gpu.allocOutput({ shape: [lines, m], dtype: complex64 });
    let b = gpu.allocOutput({ shape: [lines, m], dtype: complex64 });
    const groups = (count: number) => Math.ceil(count / THREADS);
    const passes = () => {
      let ns = 1;
      for (const r of fftRadices(m)) {
        run(MODE.pass, THREADS, b, a, ns, groups(lines * (m / r)));
        [a, b] = [b, a];
        ns *= r;
      }
    };
    run(MODE.load, THREADS, a, x, 0, groups(lines * m));
    passes();
    if (spec) {
      run(MODE.spectrum, THREADS, a, null, 0, groups(lines * m));
      passes();
    }
    run(MODE.store, THREADS, out, a, 0, groups(lines * storeCount));
    gpu.release(a.buffer);
    gpu.release(b.buffer);
  }
  for (const t of new Set([twT, chirpT, specT])) gpu.release(t.buffer);
}

export function fftKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], spec) => {
    const p = prim.params() as FftParams;
    const want = p.real && !p.inverse ? float32 : complex64;
    if (x!.dtype !== want) throw new Error(`[${prim.errorName}] is not implemented on backend 'webgpu' for ${x!.dtype.name} input (a ${want.name} one is)`);
    let cur = x!;
    fftSteps(p, x!.shape).forEach(({ axis, step, shape }, i, all) => {
      const next = i === all.length - 1 ? gpu.allocOutput(spec) : gpu.allocOutput({ shape, dtype: complex64 });
      transformAxis(gpu, cur, next, axis, step);
      if (cur !== x) gpu.release(cur.buffer);
      cur = next;
    });
    return cur;
  };
}
