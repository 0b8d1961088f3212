// CPU reference convolution: a direct loop over output pixels and kernel taps
// in float64 (input position = out * stride + tap * dilation - padLo), rounded
// once. A tap over padding or a hole of the input dilation reads a zero that
// still multiplies the weight (so a NaN or infinite weight reaches every output
// of its channel, as in the GPU backends' implicit GEMM).

import type { Backend, Kernel } from "../backend.js";
import type { ConvParams } from "../../src/primitives/conv.js";
import { float64View, storeFn } from "./float64-values.js";
import { allocOutput } from "./tensor.js";

/** The parameters padded to three spatial axes (leading axes of size 1 that change nothing). */
function toThree(p: ConvParams, xs: readonly number[], ws: readonly number[], os: readonly number[]) {
  const lead = 3 - p.strides.length;
  const pad = (v: readonly number[], fill: number) => [...Array<number>(lead).fill(fill), ...v];
  return {
    inSp: pad(xs.slice(1, -1), 1),
    kSp: pad(ws.slice(1, -1), 1),
    outSp: pad(os.slice(1, -1), 1),
    stride: pad(p.strides, 1),
    lo: pad(p.paddingLo, 0),
    kdil: pad(p.kernelDilation, 1),
    idil: pad(p.inputDilation, 1),
  };
}

/**
 * For one axis: per (output index, tap), the input index, or -1 where the
 * tap reads padding or a hole of the input dilation.
 */
function taps(outN: number, kN: number, inN: number, stride: number, lo: number, kdil: number, idil: number): Int32Array {
  const t = new Int32Array(outN * kN);
  for (let o = 0; o < outN; o++) {
    for (let k = 0; k < kN; k++) {
      const q = o * stride + k * kdil - lo;
      t[o * kN + k] = q >= 0 && q % idil === 0 && q / idil < inN ? q / idil : -1;
    }
  }
  return t;
}

export function convKernel(backend: Backend): Kernel {
  return (prim, [xt, wt], out) => {
    const p = prim.params() as ConvParams;
    // the output first; the inputs then as float64 addressed by their strides (a broadcast input decodes only what it repeats)
    const { t, w: words } = allocOutput(backend, out);
    const xv = float64View(xt!), wv = float64View(wt!);
    const x = xv.data, w = wv.data;
    const N = out.shape[0]!, O = out.shape[out.shape.length - 1]!;
    const C = xt!.shape[xt!.shape.length - 1]!, Cg = C / p.groups, Og = O / p.groups;
    const g = toThree(p, xt!.shape, wt!.shape, out.shape);
    const [ID, IH, IW] = g.inSp as [number, number, number];
    const [KD, KH, KW] = g.kSp as [number, number, number];
    const [OD, OH, OW] = g.outSp as [number, number, number];
    const td = taps(OD, KD, ID, g.stride[0]!, g.lo[0]!, g.kdil[0]!, g.idil[0]!);
    const th = taps(OH, KH, IH, g.stride[1]!, g.lo[1]!, g.kdil[1]!, g.idil[1]!);
    const tw = taps(OW, KW, IW, g.stride[2]!, g.lo[2]!, g.kdil[2]!, g.idil[2]!);
    // strides: batch, three spatial (leading ones 0), channel; the weights' out channel, three taps, in channel
    const lead = 3 - p.strides.length;
    const xs = xv.strides, ws = wv.strides;
    const [sN, sC] = [xs[0]!, xs[xs.length - 1]!];
    const [sD, sH, sW] = [...Array<number>(lead).fill(0), ...xs.slice(1, -1)] as [number, number, number];
    const [wO, wC] = [ws[0]!, ws[ws.length - 1]!];
    const [wD, wH, wW] = [...Array<number>(lead).fill(0), ...ws.slice(1, -1)] as [number, number, number];
    const store = storeFn(out.dtype);
    const acc = new Float64Array(O);
    let outIndex = 0;
    for (let n = 0; n < N; n++) {
      for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
        acc.fill(0);
        for (let kd = 0; kd < KD; kd++) {
          const id = td[od * KD + kd]!;
          for (let kh = 0; kh < KH; kh++) {
            const ih = th[oh * KH + kh]!;
            for (let kw = 0; kw < KW; kw++) {
              const iw = tw[ow * KW + kw]!;
              const inside = id >= 0 && ih >= 0 && iw >= 0;
              const xBase = inside ? xv.offset + n * sN + id * sD + ih * sH + iw * sW : 0;
              // the flipped kernel reads tap (KD - 1 - kd, ...)
              const tapBase = wv.offset + (p.flip ? (KD - 1 - kd) * wD + (KH - 1 - kh) * wH + (KW - 1 - kw) * wW : kd * wD + kh * wH + kw * wW);
              for (let o = 0; o < O; o++) {
                const xg = xBase + Math.floor(o / Og) * Cg * sC;
                const wBase = tapBase + o * wO;
                let s = acc[o]!;
                // padding reads a zero that still multiplies the weight (a NaN weight reaches the output)
                if (inside) for (let c = 0; c < Cg; c++) s += x[xg + c * sC]! * w[wBase + c * wC]!;
                else for (let c = 0; c < Cg; c++) s += 0 * w[wBase + c * wC]!;
                acc[o] = s;
              }
            }
          }
        }
        for (let o = 0; o < O; o++) words[outIndex++] = store(acc[o]!);
      }
    }
    return t;
  };
}
