// The cpu reference's linear-algebra kernels: cholesky, triInv, inv, solve,
// det, slogdet, pinv, eigh, svd, qr, luFactor and eig over the leading (batch)
// axes, each matrix read into float64 in turn, factored by linalg-algorithms.ts,
// linalg-factor.ts or linalg-eig.ts and rounded once to the output dtype.

import type { Backend, Kernel, MultiKernel, Tensor } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import type { Cholesky, TriInv } from "../../src/primitives/linalg-cholesky.js";
import type { Eig } from "../../src/primitives/linalg-eig.js";
import type { Eigh } from "../../src/primitives/linalg-eigh.js";
import type { SVD } from "../../src/primitives/linalg-svd.js";
import type { Solve } from "../../src/primitives/linalg-solve.js";
import { choleskyLower, lowerInverse, luSolve, svd, symmetricEigen, symmetricFrom, triangularSolve } from "./linalg-algorithms.js";
import { generalEigen } from "./linalg-eig.js";
import { householderQr, luFactor, rowIndices } from "./linalg-factor.js";
import { allocOutput, OffsetWalker, scratchF64, wordsOf } from "./tensor.js";
import { H } from "./math.js";
import { firstFailedPivot, notPositiveDefiniteMessage, singularMessage } from "../linalg-errors.js";

/** The number of matrices of shape (m, n) in `shape`. */
const batchOf = (shape: readonly number[]) => sizeOf(shape.slice(0, -2));

/**
 * The matrices of `x` (its last two axes) in batch order, each as row-major
 * float64 in one reused buffer: a batch read whole could be a broadcast far
 * larger than its results (det of [2^20, n, n] gives 2^20 numbers).
 */
function matrices(x: Tensor): () => Float64Array {
  const size = x.shape.length < 2 ? 0 : x.shape.at(-2)! * x.shape.at(-1)!;
  const W = wordsOf(x) as ArrayLike<number>;
  const dec = x.dtype.name === "float16" ? H.T16 : x.dtype.name === "bfloat16" ? H.TB16 : null;
  const wk = new OffsetWalker(x.shape, x.strides, x.offset);
  const a = scratchF64(size), offs = scratchF64(size);
  return () => {
    wk.next(offs, size);
    for (let i = 0; i < size; i++) {
      const v = W[offs[i]!]!;
      a[i] = dec ? dec[v]! : Number(v);
    }
    return a;
  };
}

/** `m` (row-major n x n) transposed. */
function transposed(m: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = m[i * n + j]!;
  return t;
}

/** A kernel mapping each n x n matrix of the input (b: its index in the batch) to an n x n output matrix. */
function squareMap(backend: Backend, f: (a: Float64Array, p: number, n: number, b: number) => Float64Array): Kernel {
  return (_prim, [x], out) => {
    const n = x!.shape.at(-1)!;
    const { t, w } = allocOutput(backend, out);
    const next = matrices(x!);
    for (let b = 0; b < batchOf(x!.shape); b++) (w as Float64Array | Float32Array).set(f(next(), 0, n, b), b * n * n);
    return t;
  };
}

/** An error for matrix `b` of a batch with an exact zero pivot (MLX's inv and solve raise one too). */
const singular = (b: number) => new Error(singularMessage(b));

/** The sign and log|det| of the n x n matrix at offset p of `a`, from its LU factorization (sign 0 and -inf when singular). */
function signLogDet(a: Float64Array, p: number, n: number): { sign: number; log: number } {
  const { lu, pivots } = luFactor(a, p, n, n);
  let sign = 1, log = 0;
  for (let j = 0; j < n; j++) {
    const d = lu[j * n + j]!;
    if (pivots[j] !== j) sign = -sign;
    if (d === 0) return { sign: 0, log: -Infinity };
    if (d < 0) sign = -sign;
    log += Math.log(Math.abs(d));
  }
  return { sign, log };
}

/** The pseudo-inverse (n x m, row-major) of the m x n matrix at offset p of `a`: V diag(1/s) U^T, s at most `rcond` max(s) taken as 0. */
function pseudoInverse(a: Float64Array, p: number, m: number, n: number, rcond: number): Float64Array {
  if (m === 0 || n === 0) return new Float64Array(0);
  const { u, s, vt } = svd(a, p, m, n);
  const cutoff = rcond * (s[0] ?? 0);
  const out = new Float64Array(n * m);
  // a NaN singular value (a NaN or infinite input) makes every entry NaN, not a value dropped below the cutoff
  if (s.some((sv) => Number.isNaN(sv))) return out.fill(NaN);
  s.forEach((sv, r) => {
    if (!(sv > cutoff)) return;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = out[i * m + j]! + (vt[r * n + i]! * u[j * m + r]!) / sv;
  });
  return out;
}

export function linalgKernels(backend: Backend): Record<string, Kernel> {
  return {
    pinv: (_prim, [x], out) => {
      const [m, n] = [x!.shape.at(-2)!, x!.shape.at(-1)!];
      const eps = x!.dtype.name === "float64" ? 2 ** -52 : 2 ** -23;
      const { t, w } = allocOutput(backend, out);
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) (w as Float64Array).set(pseudoInverse(next(), 0, m, n, 10 * Math.max(m, n) * eps), b * m * n);
      return t;
    },
    det: (_prim, [x], out) => {
      const n = x!.shape.at(-1)!;
      const { t, w } = allocOutput(backend, out);
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const { lu, pivots } = luFactor(next(), 0, n, n);
        let d = 1;
        for (let j = 0; j < n; j++) d *= pivots[j] !== j ? -lu[j * n + j]! : lu[j * n + j]!;
        // a singular matrix (a zero pivot) gives +0, as sign * exp(logabsdet) does
        (w as Float64Array)[b] = d === 0 ? 0 : d;
      }
      return t;
    },
    inv: (_prim, [x], out) => {
      const n = x!.shape.at(-1)!;
      const { t, w } = allocOutput(backend, out);
      const eye = scratchF64(n * n);
      for (let i = 0; i < n; i++) eye[i * n + i] = 1;
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const inverse = luSolve(next(), 0, eye, 0, n, n);
        if (!inverse) throw singular(b);
        (w as Float64Array).set(inverse, b * n * n);
      }
      return t;
    },
    solve: (prim, [x, y], out) => {
      const [n, k] = [y!.shape.at(-2)!, y!.shape.at(-1)!];
      const triangle = (prim as Solve).triangle;
      const { t, w } = allocOutput(backend, out);
      const nextA = matrices(x!), nextB = matrices(y!);
      for (let b = 0; b < batchOf(y!.shape); b++) {
        const a = nextA(), rhs = nextB();
        const sol = triangle === null ? luSolve(a, 0, rhs, 0, n, k) : triangularSolve(a, 0, rhs, 0, n, k, triangle === "upper");
        if (!sol) throw singular(b);
        (w as Float64Array).set(sol, b * n * k);
      }
      return t;
    },
    cholesky: (prim, inputs, out) => {
      const upper = (prim as Cholesky).upper;
      return squareMap(backend, (a, p, n, b) => {
        const l = choleskyLower(symmetricFrom(a, p, n, upper), n);
        // a pivot that is not positive (or NaN): not positive definite, an error as LAPACK potrf's info > 0
        const failed = firstFailedPivot(Float64Array.from({ length: n }, (_, j) => l[j * n + j]!), 1, n);
        if (failed) throw new Error(notPositiveDefiniteMessage(b, failed.j));
        return upper ? transposed(l, n) : l;
      })(prim, inputs, out);
    },
    triInv: (prim, inputs, out) => {
      const upper = (prim as TriInv).upper;
      return squareMap(backend, (a, p, n) => {
        const m = a.subarray(p, p + n * n);
        return upper ? transposed(lowerInverse(transposed(m, n), n), n) : lowerInverse(m, n);
      })(prim, inputs, out);
    },
  };
}

export function linalgMultiKernels(backend: Backend): Record<string, MultiKernel> {
  return {
    eigh: (prim, [x], outs) => {
      const n = x!.shape.at(-1)!;
      const allocated = outs.map((o) => allocOutput(backend, o));
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const { values, vectors } = symmetricEigen(symmetricFrom(next(), 0, n, (prim as Eigh).upper), n);
        (allocated[0]!.w as Float64Array).set(values, b * n);
        (allocated[1]?.w as Float64Array | undefined)?.set(vectors, b * n * n);
      }
      return allocated.map((o) => o.t);
    },
    slogdet: (_prim, [x], outs) => {
      const n = x!.shape.at(-1)!;
      const [sign, log] = outs.map((o) => allocOutput(backend, o));
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const r = signLogDet(next(), 0, n);
        (sign!.w as Float64Array)[b] = r.sign;
        (log!.w as Float64Array)[b] = r.log;
      }
      return [sign!.t, log!.t];
    },
    luFactor: (_prim, [x], outs) => {
      const [m, n] = [x!.shape.at(-2)!, x!.shape.at(-1)!];
      const k = Math.min(m, n);
      const [lu, pivots, rows] = outs.map((o) => allocOutput(backend, o));
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const f = luFactor(next(), 0, m, n);
        (lu!.w as Float64Array).set(f.lu, b * m * n);
        (pivots!.w as Uint32Array).set(f.pivots, b * k);
        (rows!.w as Uint32Array).set(rowIndices(f.pivots, m), b * m);
      }
      return [lu!.t, pivots!.t, rows!.t];
    },
    eig: (prim, [x], outs) => {
      const n = x!.shape.at(-1)!;
      const [w, v] = outs.map((o) => allocOutput(backend, o));
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const r = generalEigen(next(), 0, n, (prim as Eig).vectors);
        // complex64: interleaved (re, im) float32 words
        (w!.w as Float32Array).set(r.values, 2 * b * n);
        if (v && r.vectors) (v.w as Float32Array).set(r.vectors, 2 * b * n * n);
      }
      return outs.map((_, i) => (i === 0 ? w!.t : v!.t));
    },
    qr: (_prim, [x], outs) => {
      const [m, n] = [x!.shape.at(-2)!, x!.shape.at(-1)!];
      const k = Math.min(m, n);
      const [q, r] = outs.map((o) => allocOutput(backend, o));
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const f = householderQr(next(), 0, m, n);
        (q!.w as Float64Array).set(f.q, b * m * k);
        (r!.w as Float64Array).set(f.r, b * k * n);
      }
      return [q!.t, r!.t];
    },
    svd: (prim, [x], outs) => {
      const [m, n] = [x!.shape.at(-2)!, x!.shape.at(-1)!];
      const k = Math.min(m, n);
      const allocated = outs.map((o) => allocOutput(backend, o));
      const uv = (prim as SVD).uv;
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const r = svd(next(), 0, m, n);
        if (!uv) {
          (allocated[0]!.w as Float64Array).set(r.s, b * k);
          continue;
        }
        (allocated[0]!.w as Float64Array).set(r.u, b * m * m);
        (allocated[1]!.w as Float64Array).set(r.s, b * k);
        (allocated[2]!.w as Float64Array).set(r.vt, b * n * n);
      }
      return allocated.map((o) => o.t);
    },
  };
}
