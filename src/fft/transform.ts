// The one transform behind every mx.fft function (MLX's fft_impl): the input
// cut or zero-padded to the requested sizes along the axes, cast to complex64
// (float32 for a real forward transform), one FFT node, then the norm's scale.

import { getBackend } from "../../backends/backend.js";
import type { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { complex64, float32 } from "../dtype.js";
import { opError } from "../errors.js";
import { node } from "../ops/base.js";
import { array } from "../ops/creation.js";
import { astype, multiply } from "../ops/elementwise.js";
import { pad, slice } from "../ops/layout.js";
import { FFT } from "../primitives/fft.js";
import { normalizeAxis } from "../shape.js";
import { checkSize, type FftNorm } from "./args.js";

export interface TransformKind {
  real: boolean;
  inverse: boolean;
}

/** The scale the norm puts on a transform of `count` points. */
function normScale(norm: FftNorm, count: number, inverse: boolean): number {
  if (norm === "ortho") return inverse ? Math.sqrt(count) : 1 / Math.sqrt(count);
  if (norm === "forward") return inverse ? count : 1 / count;
  return 1;
}

/** The axes (argument `name`: "axis" or "axes"), normalized and distinct. */
export function transformAxes(op: string, a: MxArray, axes: readonly number[], name: string): number[] {
  const out = axes.map((ax) => normalizeAxis(op, ax, a.ndim, name, [a]));
  if (new Set(out).size !== out.length) throw opError(op, `duplicate axes in ${name} ${JSON.stringify(axes)}`, [a], "value");
  return out;
}

/**
 * The transform of `a` over `axes` (normalized, distinct) with lengths `n`
 * (per axis: the signal length; for a complex-to-real transform the last is
 * the output length; the argument `sizeName`: "n" or "s"), scaled by `norm`, on stream `s`.
 */
export function transform(op: string, a: MxArray, n: readonly number[], sizeName: "n" | "s", axes: readonly number[], kind: TransformKind, norm: FftNorm, s: Stream): MxArray {
  if (axes.length === 0) return a;
  n.forEach((v, i) => checkSize(op, sizeName === "n" ? "n" : `s[${i}]`, v));
  const backend = getBackend(s.device.backend);
  if (!backend.capabilities.dtypes.has(complex64) || !backend.kernels.fft) {
    throw opError(op, `is not implemented on backend '${s.device.backend}': it has no complex64 FFT kernel yet`, [a]);
  }
  const so = { stream: s };
  const inShape = [...a.shape];
  axes.forEach((ax, i) => (inShape[ax] = n[i]!));
  const last = axes[axes.length - 1]!;
  if (kind.real && kind.inverse) inShape[last] = Math.floor(n[n.length - 1]! / 2) + 1;
  let x = a;
  if (inShape.some((d, i) => d < a.shape[i]!)) x = slice(x, inShape.map(() => 0), inShape.map((d, i) => Math.min(d, a.shape[i]!)), undefined, so);
  if (inShape.some((d, i) => d > a.shape[i]!)) x = pad(x, inShape.map((d, i): [number, number] => [0, Math.max(0, d - a.shape[i]!)]), { stream: s });
  x = astype(x, kind.real && !kind.inverse ? float32 : complex64, so);
  const realSize = kind.real && kind.inverse ? n[n.length - 1]! : 0;
  const out = node(new FFT(axes, kind.inverse, kind.real, realSize), [x], s);
  const scale = normScale(norm, n.reduce((p, v) => p * v, 1), kind.inverse);
  return scale === 1 ? out : multiply(out, array(scale, out.dtype, so), so);
}
