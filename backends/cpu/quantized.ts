// CPU reference of the quantized primitives in MLX's layouts. Affine
// quantize follows MLX's CPU kernel step by step in float32 (so packed words,
// scales and biases match MLX's bit for bit), the microscaling modes follow
// MLX's GPU kernels (float32 steps, exact format conversions); dequantize and
// the quantized matmul compute in float64 from the stored values and round once.

import type { Backend, Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import type { DType } from "../../src/dtype.js";
import type { QuantizedMatmul, Quantize, QuantParams } from "../../src/primitives/quantized.js";
import { H, rint } from "./math.js";
import { e2m1Decode, e2m1Encode, e4m3Decode, e4m3Encode, e8m0Decode, e8m0Encode } from "./quantized-formats.js";
import { allocOutput, OffsetWalker, scratch, scratchF64, wordsOf } from "./tensor.js";
import { float64Values } from "./float64-values.js";

const f32 = Math.fround;

/** Element values of `t` in row-major order of its shape, as float64 (counted scratch). */
export function values(t: Tensor): Float64Array {
  return float64Values(t);
}

/**
 * Calls `visit(x, xg, g)` for each group g of `gs` consecutive row-major
 * elements of `t`, its float32 values at x[xg..xg + gs): the quantizers read
 * their input a bounded chunk of groups at a time (it may be a broadcast far
 * larger than memory, as the packed output is not).
 */
function forEachGroup(t: Tensor, gs: number, visit: (x: Float64Array, xg: number, g: number) => void): void {
  const W = wordsOf(t) as ArrayLike<number>;
  const dec = decoder(t.dtype);
  const per = Math.max(1, Math.floor(4096 / gs));
  const wk = new OffsetWalker(t.shape, t.strides, t.offset);
  const offs = new Float64Array(per * gs), x = new Float64Array(per * gs);
  for (let g = 0; wk.left > 0; ) {
    const n = wk.next(offs);
    for (let i = 0; i < n; i++) x[i] = f32(dec(W[offs[i]!]!));
    for (let xg = 0; xg < n; xg += gs) visit(x, xg, g++);
  }
}

function decoder(d: DType): (w: number) => number {
  return d.name === "float16" ? (w) => H.T16[w]! : d.name === "bfloat16" ? (w) => H.TB16[w]! : (w) => w;
}

/** Rounds a float64 value once to `d`'s storage word (float16 / bfloat16 bits, else the value). */
export function encoder(d: DType): (v: number) => number {
  return d.name === "float16" ? H.f16 : d.name === "bfloat16" ? H.bf16 : (v) => v;
}

/** Value i of a packed row (words from `base`): bits [i * bits, (i + 1) * bits) of the row's little-endian bit stream. */
export function unpackAt(W: ArrayLike<number>, base: number, i: number, bits: number): number {
  const bit = i * bits, word = bit >>> 5, shift = bit & 31;
  let v = W[base + word]! >>> shift;
  if (shift + bits > 32) v |= W[base + word + 1]! << (32 - shift);
  return v & ((1 << bits) - 1);
}

/** Writes code q at value j of the words from `base` (bits [j * bits, (j + 1) * bits)). */
function pack(Q: Uint32Array, base: number, j: number, bits: number, q: number): void {
  const bit = j * bits, word = base + (bit >>> 5), shift = bit & 31;
  Q[word] = (Q[word]! | (q << shift)) >>> 0;
  if (shift + bits > 32) Q[word + 1] = (Q[word + 1]! | (q >>> (32 - shift))) >>> 0;
}

export function quantizeKernel(backend: Backend): MultiKernel {
  return (prim, [w, globalScale], specs) => ((prim as Quantize).q.mode === "affine" ? quantizeAffine(backend, prim as Quantize, w!, specs) : quantizeMicro(backend, prim as Quantize, w!, globalScale, specs));
}

/** nvfp4's scale encoding: 448 * 6 / globalScale in float32 (MLX's kernels), 1 without a global scale. */
function scaleEncoding(globalScale: Tensor | undefined): number {
  return globalScale ? f32(2688 / values(globalScale)[0]!) : 1;
}

/**
 * MLX's microscaling quantization: a group's scale from its largest magnitude
 * over the format's largest value (e8m0 power of two, or e4m3 for nvfp4,
 * times the global scale's encoding where given), the values times the
 * encoding over the scale (float32) rounded to e2m1 or e4m3.
 */
function quantizeMicro(backend: Backend, prim: Quantize, w: Tensor, globalScale: Tensor | undefined, [wqSpec, sSpec]: readonly OutputSpec[]): Tensor[] {
  const { groupSize: gs, bits, mode } = prim.q;
  const enc = scaleEncoding(globalScale);
  const wq = allocOutput(backend, wqSpec!), sc = allocOutput(backend, sSpec!);
  const Q = wq.w as Uint32Array;
  const groups = sizeOf(w.shape) / gs, wordsPerGroup = (gs * bits) / 32;
  Q.fill(0, 0, groups * wordsPerGroup);
  forEachGroup(w, gs, (x, xg, g) => {
    let amax = 0;
    // NaN is skipped, as MLX's kernels' max does
    for (let j = 0; j < gs; j++) {
      const a = Math.abs(x[xg + j]!);
      if (amax < a) amax = a;
    }
    const sdec = f32(f32(amax / (bits === 4 ? 6 : 448)) * enc);
    const code = mode === "nvfp4" ? e4m3Encode(sdec) : e8m0Encode(sdec);
    const scale = f32(mode === "nvfp4" ? e4m3Decode(code) : e8m0Decode(code));
    const inv = scale === 0 ? 0 : f32(enc / scale);
    for (let j = 0; j < gs; j++) {
      const v = f32(x[xg + j]! * inv);
      pack(Q, g * wordsPerGroup, j, bits, bits === 8 ? e4m3Encode(v) : e2m1Encode(v));
    }
    sc.w[g] = code;
  });
  return [wq.t, sc.t];
}

/** MLX's affine quantization: per group the scale and bias (float32 steps), then the values rounded, clamped and packed. */
function quantizeAffine(backend: Backend, prim: Quantize, w: Tensor, [wqSpec, sSpec, bSpec]: readonly OutputSpec[]): Tensor[] {
  const { groupSize: gs, bits } = prim.q;
  const wq = allocOutput(backend, wqSpec!), sc = allocOutput(backend, sSpec!), bi = allocOutput(backend, bSpec!);
  const enc = encoder(w.dtype);
  const nBins = (1 << bits) - 1, eps = f32(1e-7);
  const groups = sizeOf(w.shape) / gs, wordsPerGroup = (gs * bits) / 32;
  const Q = wq.w as Uint32Array;
  Q.fill(0, 0, groups * wordsPerGroup);
  forEachGroup(w, gs, (x, xg, g) => {
    let lo = Infinity, hi = -Infinity;
    // NaN is skipped, as MLX's std::max / std::min do; a NaN value packs as 0
    for (let j = 0; j < gs; j++) {
      const v = x[xg + j]!;
      if (hi < v) hi = v;
      if (v < lo) lo = v;
    }
    const mask = Math.abs(lo) > Math.abs(hi);
    let scale = Math.max(f32(f32(hi - lo) / nBins), eps);
    scale = mask ? scale : -scale;
    const edge = mask ? lo : hi;
    const q0 = rint(f32(edge / scale));
    let bias = 0;
    if (q0 !== 0) {
      scale = f32(edge / q0);
      bias = edge;
    }
    for (let j = 0; j < gs; j++) pack(Q, g * wordsPerGroup, j, bits, Math.min(Math.max(rint(f32(f32(x[xg + j]! - bias) / scale)), 0), nBins) || 0);
    sc.w[g] = enc(scale);
    bi.w[g] = enc(bias);
  });
  return [wq.t, sc.t, bi.t];
}

/**
 * Group g's scale and bias and the value of a code, in float64: affine (the
 * stored scale and bias, the code itself) or microscaling (the decoded
 * scale, no bias, the code's e2m1 / e4m3 value).
 */
interface GroupDecoder {
  scale(g: number): number;
  bias(g: number): number;
  value(code: number): number;
}

function groupDecoder(q: QuantParams, scales: Tensor, third: Tensor | undefined): GroupDecoder {
  const S = values(scales);
  if (q.mode === "affine") {
    const B = values(third!);
    return { scale: (g) => S[g]!, bias: (g) => B[g]!, value: (c) => c };
  }
  const value = q.bits === 8 ? e4m3Decode : e2m1Decode;
  // no bias: -0, which adding leaves every value as it is (the -0 codes' -0 included, as MLX's tables give it)
  if (q.mode !== "nvfp4") return { scale: (g) => e8m0Decode(S[g]!), bias: () => -0, value };
  // nvfp4 with a global scale (the third input): the e4m3 scale times globalScale / (448 * 6), both steps in float32 as MLX's kernels
  const unscale = third ? f32(values(third)[0]! / 2688) : 1;
  return { scale: (g) => f32(e4m3Decode(S[g]!) * unscale), bias: () => -0, value };
}

/**
 * scale * value + bias per element: affine in float64, rounded once to the
 * output dtype; the microscaling modes as MLX's Metal kernel, the product
 * rounded to float32 and then to the output dtype (exact but for nvfp4 with a
 * global scale).
 */
export function dequantizeKernel(backend: Backend): Kernel {
  return (prim, [w, scales, biases], out) => {
    const q = (prim as Quantize).q;
    const { groupSize: gs, bits } = q;
    const { t, w: O } = allocOutput(backend, out);
    const words = packedRows(w!);
    const d = groupDecoder(q, scales!, biases);
    const K = out.shape[out.shape.length - 1]!, rows = K === 0 ? 0 : O.length / K;
    const store = encoder(out.dtype), enc = q.mode === "affine" ? store : (v: number) => store(f32(v));
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < K; k++) {
        const g = r * (K / gs) + Math.floor(k / gs);
        O[r * K + k] = enc(d.scale(g) * d.value(unpackAt(words.W, words.rowBase(r), k, bits)) + d.bias(g));
      }
    }
    return t;
  };
}

/** The words of a packed tensor, contiguous per row: row r starts at rowBase(r). */
function packedRows(w: Tensor): { W: Uint32Array; rowBase: (r: number) => number } {
  const n = w.shape[w.shape.length - 1]!;
  const W = scratch(Uint32Array, sizeOf(w.shape));
  const words = wordsOf(w) as Uint32Array;
  const wk = new OffsetWalker(w.shape, w.strides, w.offset);
  const offs = new Float64Array(Math.min(W.length, 4096));
  for (let at = 0; wk.left > 0; ) {
    const k = wk.next(offs);
    for (let i = 0; i < k; i++) W[at + i] = words[offs[i]!]!;
    at += k;
  }
  return { W, rowBase: (r) => r * n };
}

/**
 * x [..., M, K] times the dequantized weights (transposed or not): each batch's
 * weights are unpacked to float64 a block of output columns at a time and
 * every output accumulates its K products in float64, in k order.
 */
export function quantizedMatmulKernel(backend: Backend): Kernel {
  return (prim, [x, w, scales, biases], out) => {
    const p = prim as QuantizedMatmul;
    const { groupSize: gs, bits } = p.q;
    const { t, w: O } = allocOutput(backend, out);
    const X = values(x!), d = groupDecoder(p.q, scales!, biases);
    const words = packedRows(w!);
    const nw = w!.shape.length;
    const wRows = w!.shape[nw - 2]!, wCols = (w!.shape[nw - 1]! * 32) / bits;
    const K = x!.shape[x!.shape.length - 1]!, N = out.shape[out.shape.length - 1]!;
    const wBatches = sizeOf(w!.shape.slice(0, -2));
    const rowsPerBatch = wBatches === 0 ? 0 : X.length / K / wBatches;
    const enc = encoder(out.dtype);
    /** Weight (row, col) of batch bt's matrix, dequantized in float64. */
    const weight = (bt: number, r: number, c: number) => {
      const row = bt * wRows + r;
      const g = row * (wCols / gs) + Math.floor(c / gs);
      return d.scale(g) * d.value(unpackAt(words.W, words.rowBase(row), c, bits)) + d.bias(g);
    };
    // the weights dequantized a block of output columns at a time (a model's whole matrix in float64 was 16x its packed bytes)
    const NB = Math.max(1, Math.min(N, Math.floor(2 ** 17 / Math.max(1, K))));
    const dense = scratchF64(NB * K);
    for (let bt = 0; bt < wBatches; bt++) {
      for (let n0 = 0; n0 < N; n0 += NB) {
        const nn = Math.min(NB, N - n0);
        for (let j = 0; j < nn; j++) for (let k = 0; k < K; k++) dense[j * K + k] = p.transpose ? weight(bt, n0 + j, k) : weight(bt, k, n0 + j);
        for (let m = 0; m < rowsPerBatch; m++) {
          const xo = (bt * rowsPerBatch + m) * K;
          for (let j = 0; j < nn; j++) {
            let acc = 0;
            for (let k = 0; k < K; k++) acc += X[xo + k]! * dense[j * K + k]!;
            O[(bt * rowsPerBatch + m) * N + n0 + j] = enc(acc);
          }
        }
      }
    }
    return t;
  };
}

/** The single-output quantized kernels of the table. */
export function quantizedKernels(backend: Backend): Record<string, Kernel> {
  return { dequantize: dequantizeKernel(backend), quantizedMatmul: quantizedMatmulKernel(backend) };
}
