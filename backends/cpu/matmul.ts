// CPU matmul: each batch's operands are unpacked to float64, multiplied in
// i-k-j order with float64 accumulation (row of C kept in float64), then
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

function gemm(A: Float64Array, B: Float64Array, M: number, K: number, N: number, C: Float64Array): void {
  C.fill(0);
  for (let i = 0; i < M; i++) {
    const ci = i * N;
    for (let k = 0; k < K; k++) {
      const a = A[i * K + k]!;
      const bk = k * N;
      for (let j = 0; j < N; j++) C[ci + j] = C[ci + j]! + a * B[bk + j]!;
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
    const { t, w } = allocOutput(backend, out);
    const enc = out.dtype.name === "float16" ? H.f16 : out.dtype.name === "bfloat16" ? H.bf16 : null;
    const idx = new Array<number>(batchShape.length).fill(0);
    for (let bi = 0; bi < batches; bi++) {
      unpack(a!, idx, A);
      unpack(b!, idx, B);
      (k === 2 ? gemmComplex : gemm)(A, B, M, K, N, C);
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
