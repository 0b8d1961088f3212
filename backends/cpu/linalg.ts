// The cpu reference's linear-algebra kernels: cholesky, triInv, inv, solve,
// det, slogdet, cofactor (det's gradient), pinv, eigh, svd, qr, luFactor and
// eig over the leading (batch) axes, each matrix read into float64 in turn
// (eigh, svd and eig also complex64, read into complex128), factored by
// linalg-algorithms.ts, linalg-complex.ts, linalg-factor.ts or linalg-eig.ts
// and rounded once to the output dtype.

import type { Backend, Kernel, MultiKernel, Tensor } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import { complex64 } from "../../src/dtype.js";
import type { Cholesky, TriInv } from "../../src/primitives/linalg-cholesky.js";
import type { Eig } from "../../src/primitives/linalg-eig.js";
import type { Eigh } from "../../src/primitives/linalg-eigh.js";
import type { SVD } from "../../src/primitives/linalg-svd.js";
import type { Solve } from "../../src/primitives/linalg-solve.js";
import { choleskyLower, lowerInverse, luSolve, svd, symmetricEigen, symmetricFrom, triangularSolve } from "./linalg-algorithms.js";
import { generalEigen } from "./linalg-eig.js";
import { complexSvd, hermitianEigen, hermitianFrom, type ComplexArray } from "./linalg-complex.js";
import { householderQr, luFactor, rowIndices } from "./linalg-factor.js";
import { allocOutput, OffsetWalker, scratchF64, wordLayout, wordsOf } from "./tensor.js";
import { H } from "./math.js";
import { firstFailedPivot, firstZeroDiagonal, notPositiveDefiniteMessage, singularMessage, singularTriangleMessage } from "../linalg-errors.js";

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

/** The complex64 matrices of `x` in batch order, as `matrices`: float64 real and imaginary parts (row-major) in reused buffers. */
function complexMatrices(x: Tensor): () => ComplexArray {
  const size = x.shape.length < 2 ? 0 : x.shape.at(-2)! * x.shape.at(-1)!;
  const W = wordsOf(x) as ArrayLike<number>;
  const { offset, strides } = wordLayout(x);
  const wk = new OffsetWalker(x.shape, strides, offset);
  const re = new Float64Array(size), im = new Float64Array(size), offs = new Float64Array(size);
  return () => {
    wk.next(offs, size);
    for (let i = 0; i < size; i++) {
      re[i] = W[offs[i]!]!;
      im[i] = W[offs[i]! + 1]!;
    }
    return { re, im };
  };
}

/** Complex `x` (parts) as interleaved (re, im) pairs, for complex64 words. */
function interleaved(x: ComplexArray): Float64Array {
  const out = new Float64Array(2 * x.re.length);
  for (let i = 0; i < x.re.length; i++) {
    out[2 * i] = x.re[i]!;
    out[2 * i + 1] = x.im[i]!;
  }
  return out;
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

/** Throws the triangle error (MLX's tri_inv raises one, as LAPACK trtri's info > 0) when the n x n matrix `a` (matrix b of a batch) has an exact zero on its diagonal. */
function checkTriangle(a: Float64Array, n: number, b: number): void {
  const zero = firstZeroDiagonal(Float64Array.from({ length: n }, (_, j) => a[j * n + j]!), 1, n);
  if (zero) throw new Error(singularTriangleMessage(b, zero.j));
}

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

/** The sign (±1) of the determinant of the invertible n x n `q` (an orthogonal factor), from its LU factorization. */
function detSign(q: Float64Array, n: number): number {
  const { lu, pivots } = luFactor(q, 0, n, n);
  let sign = 1;
  for (let j = 0; j < n; j++) if ((pivots[j] !== j) !== (lu[j * n + j]! < 0)) sign = -sign;
  return sign;
}

/**
 * The cofactor matrix adj(A)^T (the gradient of det) of the n x n `a`:
 * det(A) A^-T from the LU factorization where no pivot is exactly zero (accurate
 * near singular matrices too: the errors of det and of A^-1 cancel), and
 * where one is, det(U) det(V) U diag(prod_{j != i} s_j) V^T from the SVD
 * A = U diag(s) V^T, which holds at any rank (adj(U S V^T) = adj(V^T) adj(S) adj(U)).
 */
function cofactorMatrix(a: Float64Array, n: number): Float64Array {
  const { lu, pivots } = luFactor(a, 0, n, n);
  let d = 1;
  for (let j = 0; j < n; j++) d *= pivots[j] !== j ? -lu[j * n + j]! : lu[j * n + j]!;
  const out = new Float64Array(n * n);
  const eye = new Float64Array(n * n);
  for (let i = 0; i < n; i++) eye[i * n + i] = 1;
  const inverse = luSolve(a, 0, eye, 0, n, n);
  if (inverse) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = d * inverse[j * n + i]!;
    return out;
  }
  const { u, s, vt } = svd(a, 0, n, n);
  // prod_{j != i} s_j: the products before i times those after
  const others = new Float64Array(n);
  let before = 1;
  for (let i = 0; i < n; i++) {
    others[i] = before;
    before *= s[i]!;
  }
  let after = 1;
  for (let i = n - 1; i >= 0; i--) {
    others[i] = others[i]! * after;
    after *= s[i]!;
  }
  const sign = detSign(u, n) * detSign(vt, n);
  for (let k = 0; k < n; k++) {
    const f = sign * others[k]!;
    if (f === 0) continue;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + u[i * n + k]! * f * vt[k * n + j]!;
  }
  return out;
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
    cofactor: (prim, inputs, out) => squareMap(backend, (a, p, n) => cofactorMatrix(a.subarray(p, p + n * n), n))(prim, inputs, out),
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
        if (triangle !== null) checkTriangle(a, n, b);
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
      return squareMap(backend, (a, p, n, b) => {
        const m = a.subarray(p, p + n * n);
        checkTriangle(m, n, b);
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
      const upper = (prim as Eigh).upper;
      if (x!.dtype === complex64) {
        // real eigenvalues (float32), complex64 vectors (interleaved words)
        const next = complexMatrices(x!);
        for (let b = 0; b < batchOf(x!.shape); b++) {
          const { values, vectors } = hermitianEigen(hermitianFrom(next(), n, upper), n);
          (allocated[0]!.w as Float32Array).set(values, b * n);
          (allocated[1]?.w as Float32Array | undefined)?.set(interleaved(vectors), 2 * b * n * n);
        }
        return allocated.map((o) => o.t);
      }
      const next = matrices(x!);
      for (let b = 0; b < batchOf(x!.shape); b++) {
        const { values, vectors } = symmetricEigen(symmetricFrom(next(), 0, n, upper), n);
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
      const next = x!.dtype === complex64 ? complexMatrices(x!) : matrices(x!);
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
      if (x!.dtype === complex64) {
        // real singular values (float32), complex64 U and Vh (interleaved words)
        const next = complexMatrices(x!);
        for (let b = 0; b < batchOf(x!.shape); b++) {
          const r = complexSvd(next(), m, n);
          (allocated[uv ? 1 : 0]!.w as Float32Array).set(r.s, b * k);
          if (!uv) continue;
          (allocated[0]!.w as Float32Array).set(interleaved(r.u), 2 * b * m * m);
          (allocated[2]!.w as Float32Array).set(interleaved(r.vh), 2 * b * n * n);
        }
        return allocated.map((o) => o.t);
      }
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
