// What the GPU FFT kernels (backends/metal/fft.ts, backends/webgpu/fft.ts)
// share on the host: the order of the per-axis steps of a transform, the
// radices of a mixed-radix length (2^a 3^b 5^c 7^d 11^e 13^f), the float32
// tables a length-n step reads (twiddles, and for other lengths Bluestein's
// chirp and the conjugate chirp's spectrum), computed in float64 and rounded
// once, and each axis's plan (lines, load and store modes, parameter words).

import type { Tensor } from "./backend.js";
import type { FftParams } from "../src/primitives/fft.js";
import { rowMajorStrides } from "../src/shape.js";
import { collapseDims } from "./strides.js";
import { bluestein } from "./fft-float64.js";

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

/**
 * The radix of the Stockham pass that leaves q = m / ns points per
 * sub-transform: 4 while 4 divides q, then 2, 3, 5, 7, 11, 13 (the kernels'
 * fft_radix in wgsl/fft-radix.wgsl and msl/fft.metal make the same choice).
 */
function fftRadix(q: number): number {
  return q % 4 === 0 ? 4 : q % 2 === 0 ? 2 : q % 3 === 0 ? 3 : q % 5 === 0 ? 5 : q % 7 === 0 ? 7 : q % 11 === 0 ? 11 : 13;
}

/** Whether n = 2^a 3^b 5^c 7^d 11^e 13^f, a length the kernels' mixed-radix passes transform directly. */
export function isMixedRadixLength(n: number): boolean {
  let q = n;
  for (const p of [2, 3, 5, 7, 11, 13]) while (q % p === 0) q /= p;
  return q === 1;
}

/** The radices of the passes over a length-m FFT (m mixed-radix), first pass first. */
export function fftRadices(m: number): number[] {
  const radices: number[] = [];
  for (let ns = 1; ns < m; ns *= radices[radices.length - 1]!) radices.push(fftRadix(m / ns));
  return radices;
}

/**
 * The workgroup (threadgroup) of a length-m line in workgroup memory: a
 * thread per butterfly of the widest pass, a power of two up to `threads`.
 */
export function fftGroupSize(m: number, threads: number): number {
  const widest = Math.ceil(m / Math.min(...fftRadices(m), m));
  let group = 1;
  while (group < widest && group < threads) group *= 2;
  return group;
}

/** exp(-2 pi i j / m) for j < m, each from its float64 angle reduced to [0, pi]. */
function fullTwiddles(m: number): Float32Array {
  const re = new Float64Array(m), im = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const fold = 2 * j > m ? m - j : j;
    const angle = (2 * Math.PI * fold) / m;
    re[j] = Math.cos(angle);
    im[j] = fold === j ? -Math.sin(angle) : Math.sin(angle);
  }
  return pairs(re, im);
}

/**
 * The tables of a length-n step: its FFT length m (n itself for a
 * mixed-radix length, else Bluestein's power of two >= 2n - 1), twiddles for
 * m, and Bluestein's chirp and kernel spectrum (null for a mixed-radix n).
 */
export function fftTables(n: number): { m: number; tw: Float32Array; chirp: Float32Array | null; spec: Float32Array | null } {
  if (isMixedRadixLength(n)) return { m: n, tw: fullTwiddles(n), chirp: null, spec: null };
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
