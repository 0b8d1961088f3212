// What the GPU FFT kernels (backends/metal/fft.ts, backends/webgpu/fft.ts)
// share on the host: the order of the per-axis steps of a transform, the
// float32 tables a length-n step reads (twiddles, Bluestein's chirp and the
// conjugate chirp's spectrum), computed in float64 and rounded once, and each
// axis's plan (lines, load and store modes, parameter words).

import type { Tensor } from "./backend.js";
import type { FftParams } from "../src/primitives/fft.js";
import { rowMajorStrides } from "../src/shape.js";
import { collapseDims } from "./strides.js";
import { bluestein, twiddles } from "./fft-float64.js";

export type FftStep = "forward" | "inverse" | "realForward" | "realInverse";

/**
 * The steps of a transform on an input of `shape`: a real forward transform
 * halves its last axis first, a real inverse restores it last; each step's
 * output shape.
 */
export function fftSteps(p: FftParams, shape: readonly number[]): { axis: number; step: FftStep; shape: number[] }[] {
  const last = p.axes[p.axes.length - 1]!;
  const others = p.axes.slice(0, -1);
  const order: [number, FftStep][] = p.real
    ? p.inverse
      ? [...others.map((ax): [number, FftStep] => [ax, "inverse"]), [last, "realInverse"]]
      : [[last, "realForward"], ...others.map((ax): [number, FftStep] => [ax, "forward"])]
    : p.axes.map((ax): [number, FftStep] => [ax, p.inverse ? "inverse" : "forward"]);
  let cur = [...shape];
  return order.map(([axis, step]) => {
    cur = cur.map((d, k) => (k !== axis ? d : step === "realForward" ? Math.floor(d / 2) + 1 : step === "realInverse" ? p.realSize : d));
    return { axis, step, shape: cur };
  });
}

/** Float32 (re, im) pairs of float64 parts (at least one pair, so a buffer is never empty). */
function pairs(re: ArrayLike<number>, im: ArrayLike<number>): Float32Array {
  const out = new Float32Array(2 * Math.max(1, re.length));
  for (let i = 0; i < re.length; i++) {
    out[2 * i] = re[i]!;
    out[2 * i + 1] = im[i]!;
  }
  return out;
}

/** exp(-2 pi i j / m) for j < m (the second half the first negated). */
function fullTwiddles(m: number): Float32Array {
  const [c, s] = twiddles(Math.max(2, m));
  const half = c.length;
  const re = new Float64Array(m), im = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    re[j] = j < half ? c[j]! : -c[j - half]!;
    im[j] = j < half ? s[j]! : -s[j - half]!;
  }
  return pairs(re, im);
}

/** The tables of a length-n step: its FFT length m (a power of two), twiddles for m, and Bluestein's chirp and kernel spectrum (null for a power of two). */
export function fftTables(n: number): { m: number; tw: Float32Array; chirp: Float32Array | null; spec: Float32Array | null } {
  if ((n & (n - 1)) === 0) return { m: n, tw: fullTwiddles(n), chirp: null, spec: null };
  const b = bluestein(n);
  return { m: b.m, tw: fullTwiddles(b.m), chirp: pairs(b.chirpRe, b.chirpIm), spec: pairs(b.kernelRe, b.kernelIm) };
}

const LOAD = { complex: 0, real: 1, hermitian: 2 } as const;
const STORE = { complex: 0, real: 1, half: 2 } as const;

/** One axis of a transform as both GPU kernels (msl/fft.metal, wgsl/fft.wgsl) take it. */
export interface FftAxisPlan extends ReturnType<typeof fftTables> {
  /** Lines (transforms of the axis) in the batch. */
  lines: number;
  /** Output elements stored per line. */
  storeCount: number;
  /** The kernels' parameter words for pass `ns` (0 outside the passes). */
  words(ns: number): number[];
}

/** The plan of transforming `x` (any strides) along `ax` into row-major `out`, or null when there are no lines. */
export function fftAxisPlan(x: Tensor, out: Tensor, ax: number, step: FftStep): FftAxisPlan | null {
  const n = step === "realInverse" ? out.shape[ax]! : x.shape[ax]!;
  const outStrides = rowMajorStrides(out.shape);
  const keptDims = [...x.shape.keys()].filter((d) => d !== ax);
  const kept = collapseDims(keptDims.map((d) => x.shape[d]!), [keptDims.map((d) => x.strides[d]!), keptDims.map((d) => outStrides[d]!)]);
  const lines = keptDims.reduce((p, d) => p * x.shape[d]!, 1);
  if (lines === 0) return null;
  const tables = fftTables(n);
  const load = step === "realForward" ? LOAD.real : step === "realInverse" ? LOAD.hermitian : LOAD.complex;
  const store = step === "realForward" ? STORE.half : step === "realInverse" ? STORE.real : STORE.complex;
  const storeCount = out.shape[ax]!;
  const words = (ns: number) => [
    n, tables.m, lines, kept.shape.length, x.strides[ax]!, outStrides[ax]!, x.offset, load, store,
    step === "inverse" || step === "realInverse" ? 1 : 0, x.shape[ax]!, storeCount, tables.chirp ? 1 : 0, ns,
    ...kept.shape, ...kept.strides[0]!, ...kept.strides[1]!,
  ];
  return { ...tables, lines, storeCount, words };
}
