// CPU matmul: each batch's output in tiles, each tile's operands unpacked to
// float64 a slice of K at a time (B packed in 4-column panels), multiplied
// with float64 accumulation in k order, then rounded once to the output
// dtype. complex64 accumulates (re, im) pairs.

import type { Backend, Kernel, Tensor } from "../backend.js";
import { complex64, type DType } from "../../src/dtype.js";
import { H } from "./math.js";
import { allocOutput, wordsOf } from "./tensor.js";

/** Element (i, j) of batch b as float64 ("@" decoding per dtype). */
function decoder(dtype: DType): ((w: number) => number) | null {
  return dtype.name === "float16" ? (w) => H.T16[w]! : dtype.name === "bfloat16" ? (w) => H.TB16[w]! : null;
}

/**
 * Tile sizes: every output tile of MB x NB accumulates over K in slices of
 * KB, its operands' slices unpacked to float64 scratch of a few hundred KiB,
 * so a product over a long K (a broadcast costs no memory) takes no scratch
 * proportional to it (the whole matrices once took 3 GiB for K = 2^26).
 */
const MB = 64, NB = 64, KB = 256;

/** Rows r0.. (rn) and columns c0.. (cn) of the matrix at `base` of t ([..., R, C]) into row-major float64 `out` (pairs for complex). */
function unpackTile(t: Tensor, base: number, r0: number, rn: number, c0: number, cn: number, out: Float64Array): void {
  const nd = t.shape.length;
  const sr = t.strides[nd - 2]!, sc = t.strides[nd - 1]!;
  const W = wordsOf(t) as ArrayLike<number>;
  const dec = decoder(t.dtype);
  if (t.dtype === complex64) {
    for (let i = 0; i < rn; i++) for (let j = 0; j < cn; j++) {
      const p = 2 * (base + (r0 + i) * sr + (c0 + j) * sc);
      out[2 * (i * cn + j)] = W[p]!;
      out[2 * (i * cn + j) + 1] = W[p + 1]!;
    }
    return;
  }
  for (let i = 0; i < rn; i++) {
    const row = base + (r0 + i) * sr + c0 * sc;
    for (let j = 0; j < cn; j++) {
      const v = W[row + j * sc]!;
      out[i * cn + j] = dec ? dec(v) : v;
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
 * C += A @ B (C: M x N, row-major) with a 2x4 register block: each C element
 * adds its K products in float64 in order k = 0..K-1, after what C holds
 * (from 0: the same sum as a naive loop over the whole of K).
 */
function gemm(A: Float64Array, Bp: Float64Array, M: number, K: number, N: number, C: Float64Array): void {
  const panels = Math.ceil(N / 4);
  for (let i = 0; i < M; i += 2) {
    const a0 = i * K, a1 = i + 1 < M ? a0 + K : a0;
    const two = i + 1 < M;
    for (let p = 0; p < panels; p++) {
      const j = p * 4, r0 = i * N + j, r1 = r0 + N;
      const w = Math.min(4, N - j);
      let c00 = C[r0]!, c01 = w > 1 ? C[r0 + 1]! : 0, c02 = w > 2 ? C[r0 + 2]! : 0, c03 = w > 3 ? C[r0 + 3]! : 0;
      let c10 = two ? C[r1]! : 0, c11 = two && w > 1 ? C[r1 + 1]! : 0, c12 = two && w > 2 ? C[r1 + 2]! : 0, c13 = two && w > 3 ? C[r1 + 3]! : 0;
      let bo = p * K * 4;
      for (let k = 0; k < K; k++, bo += 4) {
        const x0 = A[a0 + k]!, x1 = A[a1 + k]!;
        const b0 = Bp[bo]!, b1 = Bp[bo + 1]!, b2 = Bp[bo + 2]!, b3 = Bp[bo + 3]!;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
      }
      C[r0] = c00;
      if (w > 1) C[r0 + 1] = c01;
      if (w > 2) C[r0 + 2] = c02;
      if (w > 3) C[r0 + 3] = c03;
      if (two) {
        C[r1] = c10;
        if (w > 1) C[r1 + 1] = c11;
        if (w > 2) C[r1 + 2] = c12;
        if (w > 3) C[r1 + 3] = c13;
      }
    }
  }
}

/** C += A @ B for complex pairs, each element's products added in k order. */
function gemmComplex(A: Float64Array, B: Float64Array, M: number, K: number, N: number, C: Float64Array): void {
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

/** Element offset of batch `batchIndex`'s matrix in t. */
function batchBase(t: Tensor, batchIndex: readonly number[]): number {
  let base = t.offset;
  batchIndex.forEach((i, d) => (base += i * t.strides[d]!));
  return base;
}

export function matmulKernel(backend: Backend): Kernel {
  return (_prim, [a, b], out) => {
    const { t, w } = allocOutput(backend, out);
    const nd = out.shape.length;
    const M = a!.shape[nd - 2]!, K = a!.shape[nd - 1]!, N = b!.shape[nd - 1]!;
    const batchShape = out.shape.slice(0, -2);
    const batches = batchShape.reduce((s, d) => s * d, 1);
    const k = a!.dtype === complex64 ? 2 : 1;
    const mb = Math.min(MB, M), nb = Math.min(NB, N), kb = Math.min(KB, K);
    const A = new Float64Array(mb * kb * k), B = new Float64Array(kb * nb * k), C = new Float64Array(mb * nb * k);
    const Bp = k === 1 ? new Float64Array(kb * Math.ceil(nb / 4) * 4) : B;
    const enc = out.dtype.name === "float16" ? H.f16 : out.dtype.name === "bfloat16" ? H.bf16 : null;
    const idx = new Array<number>(batchShape.length).fill(0);
    for (let bi = 0; bi < batches; bi++) {
      const baseA = batchBase(a!, idx), baseB = batchBase(b!, idx);
      const o = bi * M * N;
      for (let i0 = 0; i0 < M; i0 += mb) {
        const mn = Math.min(mb, M - i0);
        for (let j0 = 0; j0 < N; j0 += nb) {
          const nn = Math.min(nb, N - j0);
          C.fill(0, 0, mn * nn * k);
          for (let k0 = 0; k0 < K; k0 += kb) {
            const kn = Math.min(kb, K - k0);
            unpackTile(a!, baseA, i0, mn, k0, kn, A);
            unpackTile(b!, baseB, k0, kn, j0, nn, B);
            if (k === 2) gemmComplex(A, B, mn, kn, nn, C);
            else {
              packPanels(B, kn, nn, Bp);
              gemm(A, Bp, mn, kn, nn, C);
            }
          }
          for (let i = 0; i < mn; i++) {
            const row = (o + (i0 + i) * N + j0) * k;
            for (let j = 0; j < nn * k; j++) {
              const v = C[i * nn * k + j]!;
              w[row + j] = enc ? enc(v) : v;
            }
          }
        }
      }
      for (let d = batchShape.length - 1; d >= 0; d--) {
        if (++idx[d]! < batchShape[d]!) break;
        idx[d] = 0;
      }
    }
    return t;
  };
}
