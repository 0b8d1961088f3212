// CPU reference kernels of mx.fast's rmsNorm, layerNorm and rope: the math of
// MLX's fallback compositions computed in float64 (means, variance, angles,
// sines and cosines) and rounded once to the output dtype.

import type { Backend, Kernel } from "../backend.js";
import type { LayerNorm, RMSNorm } from "../../src/primitives/fast-norms.js";
import type { RoPE } from "../../src/primitives/fast-rope.js";
import { allocOutput } from "./tensor.js";
import { float64Values, storeFn } from "./float64-values.js";

/** Element j of a 0-d (broadcast) or 1-D parameter. */
const at = (p: Float64Array, j: number) => (p.length === 1 ? p[0]! : p[j]!);

/** A norm kernel: `row(x, start, D, w, b, out)` writes one row's float64 results. */
function normKernel(backend: Backend, row: (x: Float64Array, start: number, D: number, eps: number, y: Float64Array) => void): Kernel {
  return (prim, [x, w, b], out) => {
    const eps = (prim as RMSNorm | LayerNorm).eps;
    const { t, w: o } = allocOutput(backend, out);
    const xv = float64Values(x!), wv = float64Values(w!), bv = b ? float64Values(b) : null;
    const D = x!.shape[x!.shape.length - 1]!;
    const store = storeFn(out.dtype);
    const y = new Float64Array(D);
    for (let start = 0; start < xv.length; start += D) {
      row(xv, start, D, eps, y);
      for (let j = 0; j < D; j++) o[start + j] = store(bv ? y[j]! * at(wv, j) + at(bv, j) : y[j]! * at(wv, j));
    }
    return t;
  };
}

export function rmsNormKernel(backend: Backend): Kernel {
  return normKernel(backend, (x, start, D, eps, y) => {
    let ss = 0;
    for (let j = 0; j < D; j++) ss += x[start + j]! * x[start + j]!;
    const n = 1 / Math.sqrt(ss / D + eps);
    for (let j = 0; j < D; j++) y[j] = x[start + j]! * n;
  });
}

export function layerNormKernel(backend: Backend): Kernel {
  return normKernel(backend, (x, start, D, eps, y) => {
    let s = 0;
    for (let j = 0; j < D; j++) s += x[start + j]!;
    const mu = s / D;
    let v = 0;
    for (let j = 0; j < D; j++) v += (x[start + j]! - mu) ** 2;
    const n = 1 / Math.sqrt(v / D + eps);
    for (let j = 0; j < D; j++) y[j] = (x[start + j]! - mu) * n;
  });
}

/** The inverse frequencies of a rope: 1 / freqs, or base^(-i / half). */
export function inverseFrequencies(p: RoPE, freqs: Float64Array | null): Float64Array {
  const half = p.dims / 2;
  return Float64Array.from({ length: half }, (_, i) => (freqs ? 1 / freqs[i]! : Math.exp((-i * Math.log(p.base)) / half)));
}

export function ropeKernel(backend: Backend): Kernel {
  return (prim, [x, offset, freqs], out) => {
    const p = prim as RoPE;
    const { t, w: o } = allocOutput(backend, out);
    const xv = float64Values(x!);
    const offs = float64Values(offset!);
    const inv = inverseFrequencies(p, freqs ? float64Values(freqs) : null);
    const shape = x!.shape;
    const D = shape[shape.length - 1]!, T = shape[shape.length - 2]!;
    const perBatch = xv.length / Math.max(1, shape[0]!);
    const half = p.dims / 2;
    const sign = p.forward ? 1 : -1;
    const store = storeFn(out.dtype);
    for (let start = 0, r = 0; start < xv.length; start += D, r++) {
      const pos = ((r % T) + at(offs, Math.floor(start / perBatch))) * p.scale;
      for (let i = 0; i < half; i++) {
        const [j1, j2] = p.traditional ? [start + 2 * i, start + 2 * i + 1] : [start + i, start + i + half];
        const theta = pos * inv[i]!;
        const c = Math.cos(theta), s = sign * Math.sin(theta);
        const x1 = xv[j1]!, x2 = xv[j2]!;
        o[j1] = store(x1 * c - x2 * s);
        o[j2] = store(x1 * s + x2 * c);
      }
      for (let j = p.dims; j < D; j++) o[start + j] = store(xv[start + j]!);
    }
    return t;
  };
}

/** The kernels of this file by primitive name. */
export function fastKernels(backend: Backend): Record<string, Kernel> {
  return { rmsNorm: rmsNormKernel(backend), layerNorm: layerNormKernel(backend), rope: ropeKernel(backend) };
}
