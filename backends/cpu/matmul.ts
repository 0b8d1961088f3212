// CPU matmul: each batch's operands are unpacked to float64 (B packed in
// 4-column panels), multiplied with float64 accumulation in k order, then
// rounded once to the output dtype. complex64 accumulates (re, im) pairs.

import type { Backend, Kernel, Tensor } from "../backend.js";
import { complex64, type DType } from "../../src/dtype.js";
import { H } from "./math.js";
import { allocOutput, wordsOf } from "./tensor.js";

/** Element (i, j) of batch b as float64 ("@" decoding per dtype). */
function decoder(dtype: DType): ((w: number) => number) | null {
  return dtype.name === "float16" ? (w) => H.T16[w]! : dtype.name === "bfloat16" ? (w) => H.TB16[w]! : null;
}

/** Unpacks the matrix of batch `b` of t ([...batch, R, C]) into a row-major Float64Array (x2 for complex). */
function unpack(t: Tensor, batchIndex: number[], out: Float64Array): void {
  const nd = t.shape.length;
  const R = t.shape[nd - 2]!, C = t.shape[nd - 1]!;
  const sr = t.strides[nd - 2]!, sc = t.strides[nd - 1]!;
  let base = t.offset;
  batchIndex.forEach((i, d) => (base += i * t.strides[d]!));
  const W = wordsOf(t) as ArrayLike<number>;
  const dec = decoder(t.dtype);
  if (t.dtype === complex64) {
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
      const p = 2 * (base + i * sr + j * sc);
      out[2 * (i * C + j)] = W[p]!;
      out[2 * (i * C + j) + 1] = W[p + 1]!;
    }
    return;
  }
  for (let i = 0; i < R; i++) {
    const row = base + i * sr;
    for (let j = 0; j < C; j++) {
      const v = W[row + j * sc]!;
      out[i * C + j] = dec ? dec(v) : v;
    }
  }
}

/** B (K x N, row-major) packed into panels of 4 columns, zero-padded: Bp[(p * K + k) * 4 + q]. */
function packPanels(B: Float64Array, K: number, N: number, Bp: Float64Array): void {
  const panels = Math.ceil(N / 4);
  for (let p = 0; p < panels; p++) {
    for (let k = 0; k < K; k++) {
      const o = (p * K + k) * 4;
      for (let q = 0; q < 4; q++) {
        const j = p * 4 + q;
        Bp[o + q] = j < N ? B[k * N + j]! : 0;
      }
    }
  }
}

/**
 * C = A @ B with a 2x4 register block: each C element accumulates its K
 * products in float64 in order k = 0..K-1 (the same sum as a naive loop).
 */
function gemm(A: Float64Array, Bp: Float64Array, M: number, K: number, N: number, C: Float64Array): void {
  const panels = Math.ceil(N / 4);
  for (let i = 0; i < M; i += 2) {
    const a0 = i * K, a1 = i + 1 < M ? a0 + K : a0;
    for (let p = 0; p < panels; p++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let bo = p * K * 4;
      for (let k = 0; k < K; k++, bo += 4) {
        const x0 = A[a0 + k]!, x1 = A[a1 + k]!;
        const b0 = Bp[bo]!, b1 = Bp[bo + 1]!, b2 = Bp[bo + 2]!, b3 = Bp[bo + 3]!;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
      }
      const j = p * 4, r0 = i * N + j, r1 = r0 + N;
      const row0 = [c00, c01, c02, c03], row1 = [c10, c11, c12, c13];
      for (let q = 0; q < 4 && j + q < N; q++) {
        C[r0 + q] = row0[q]!;
        if (i + 1 < M) C[r1 + q] = row1[q]!;
      }
    }
  }
}

function gemmComplex(A: Float64Array, B: Float64Array, M: number, K: number, N: number, C: Float64Array): void {
  C.fill(0);
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) {
    const ar = A[2 * (i * K + k)]!, ai = A[2 * (i * K + k) + 1]!;
    for (let j = 0; j < N; j++) {
      const br = B[2 * (k * N + j)]!, bi = B[2 * (k * N + j) + 1]!;
      const c = 2 * (i * N + j);
      C[c] = C[c]! + ar * br - ai * bi;
      C[c + 1] = C[c + 1]! + ar * bi + ai * br;
    }
  }
}

export function matmulKernel(backend: Backend): Kernel {
  return (_prim, [a, b], out) => {
    const nd = out.shape.length;
    const M = a!.shape[nd - 2]!, K = a!.shape[nd - 1]!, N = b!.shape[nd - 1]!;
    const batchShape = out.shape.slice(0, -2);
    const batches = batchShape.reduce((s, d) => s * d, 1);
    const k = a!.dtype === complex64 ? 2 : 1;
    const A = new Float64Array(M * K * k), B = new Float64Array(K * N * k), C = new Float64Array(M * N * k);
    const Bp = k === 1 ? new Float64Array(K * Math.ceil(N / 4) * 4) : B;
    const { t, w } = allocOutput(backend, out);
    const enc = out.dtype.name === "float16" ? H.f16 : out.dtype.name === "bfloat16" ? H.bf16 : null;
    const idx = new Array<number>(batchShape.length).fill(0);
    for (let bi = 0; bi < batches; bi++) {
      unpack(a!, idx, A);
      unpack(b!, idx, B);
      if (k === 2) gemmComplex(A, B, M, K, N, C);
      else {
        packPanels(B, K, N, Bp);
        gemm(A, Bp, M, K, N, C);
      }
      const o = bi * M * N * k;
      for (let i = 0; i < C.length; i++) w[o + i] = enc ? enc(C[i]!) : C[i]!;
      for (let d = batchShape.length - 1; d >= 0; d--) {
        if (++idx[d]! < batchShape[d]!) break;
        idx[d] = 0;
      }
    }
    return t;
  };
}
