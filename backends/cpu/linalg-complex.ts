// The float64 complex matrix algorithms of the cpu reference's linear algebra
// (complex64 inputs, computed in complex128 and rounded once): the Hermitian
// eigendecomposition and the SVD by the two- and one-sided Jacobi iterations
// of linalg-algorithms.ts on complex matrices and columns, one row-major
// matrix at a time, held as separate real and imaginary parts. Each rotation
// is the real one of linalg-algorithms.ts conjugated by the phase of the
// entry it zeroes, so a matrix with zero imaginary parts is rotated as the
// real algorithms rotate it (but for the direction of a 45-degree rotation
// between two columns or diagonal entries that are equal, when the entry
// zeroed is negative).

import { ldexp, oneSidedJacobi, scaleExponent, twoSidedJacobi, type JacobiColumns, type JacobiMatrix } from "./linalg-algorithms.js";

/** A complex matrix or vector: its real and imaginary parts, row-major. */
export interface ComplexArray {
  re: Float64Array;
  im: Float64Array;
}

/** The largest |re| or |im| of `x`. */
function largestPart(x: ComplexArray): number {
  let big = 0;
  for (let i = 0; i < x.re.length; i++) big = Math.max(big, Math.abs(x.re[i]!), Math.abs(x.im[i]!));
  return big;
}

/**
 * The Hermitian n x n matrix whose lower (`upper` false) or upper triangle is
 * that of `a` (row-major, complex), the other triangle its conjugate; the
 * imaginary parts of the diagonal are not read (taken as zero, as LAPACK's
 * heev and NumPy's eigh do).
 */
export function hermitianFrom(a: ComplexArray, n: number, upper: boolean): ComplexArray {
  const re = new Float64Array(n * n), im = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      // the entry (i, j) below the diagonal: read there, or conjugated from (j, i) above
      const src = upper ? j * n + i : i * n + j;
      const r = a.re[src]!, m = upper ? -a.im[src]! : a.im[src]!;
      re[i * n + j] = r;
      im[i * n + j] = m;
      re[j * n + i] = r;
      im[j * n + i] = -m;
    }
    re[i * n + i] = a.re[i * n + i]!;
  }
  return { re, im };
}

/** Complex Hermitian matrices for twoSidedJacobi: r = |a_pq| and w its phase; the diagonal's imaginary parts are not read. */
class Hermitian implements JacobiMatrix<ComplexArray> {
  largestPart(a: ComplexArray): number { return largestPart(a); }
  scale(a: ComplexArray, k: number): void {
    for (let i = 0; i < a.re.length; i++) {
      a.re[i] = ldexp(a.re[i]!, k);
      a.im[i] = ldexp(a.im[i]!, k);
    }
  }
  identity(n: number): ComplexArray {
    const v = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) v.re[i * n + i] = 1;
    return v;
  }
  nan(n: number): ComplexArray { return { re: new Float64Array(n * n).fill(NaN), im: new Float64Array(n * n).fill(NaN) }; }
  diagonal(a: ComplexArray, n: number, i: number): number { return a.re[i * n + i]!; }
  offDiagonal(a: ComplexArray, n: number, p: number, q: number): number { return Math.hypot(a.re[p * n + q]!, a.im[p * n + q]!); }
  zero(a: ComplexArray, n: number, p: number, q: number): void { a.re[p * n + q] = a.im[p * n + q] = a.re[q * n + p] = a.im[q * n + p] = 0; }
  rotate(a: ComplexArray, v: ComplexArray, n: number, p: number, q: number, r: number, c: number, s: number): void {
    const tau = s / (1 + c), wr = a.re[p * n + q]! / r, wi = a.im[p * n + q]! / r;
    // entries (i, p), (i, q) of x = column p, y = column q: x' = x - s (conj(w) y + tau x), y' = y + s (w x - tau y);
    // `mirror` writes their conjugates to (p, i), (q, i)
    const rotateRow = (m: ComplexArray, i: number, mirror: boolean) => {
      const pr = m.re[i * n + p]!, pi = m.im[i * n + p]!, qr = m.re[i * n + q]!, qi = m.im[i * n + q]!;
      const npr = pr - s * (wr * qr + wi * qi + tau * pr), npi = pi - s * (wr * qi - wi * qr + tau * pi);
      const nqr = qr + s * (wr * pr - wi * pi - tau * qr), nqi = qi + s * (wr * pi + wi * pr - tau * qi);
      m.re[i * n + p] = npr;
      m.im[i * n + p] = npi;
      m.re[i * n + q] = nqr;
      m.im[i * n + q] = nqi;
      if (mirror) {
        m.re[p * n + i] = npr;
        m.im[p * n + i] = -npi;
        m.re[q * n + i] = nqr;
        m.im[q * n + i] = -nqi;
      }
    };
    for (let i = 0; i < n; i++) if (i !== p && i !== q) rotateRow(a, i, true);
    for (let i = 0; i < n; i++) rotateRow(v, i, false);
    this.zero(a, n, p, q);
  }
  columnsOf(v: ComplexArray, n: number, order: readonly number[]): ComplexArray {
    const out = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
    order.forEach((src, dst) => {
      for (let i = 0; i < n; i++) {
        out.re[i * n + dst] = v.re[i * n + src]!;
        out.im[i * n + dst] = v.im[i * n + src]!;
      }
    });
    return out;
  }
}
const HERMITIAN = new Hermitian();

/**
 * Eigenvalues (ascending, real) and eigenvectors (the columns of the complex
 * n x n `vectors`, orthonormal) of the Hermitian `h` (overwritten), by
 * twoSidedJacobi: rotations J = [[c, s w], [-s conj(w), c]], w the phase of
 * the entry zeroed. A NaN or an infinity in `h` makes every output NaN.
 */
export function hermitianEigen(h: ComplexArray, n: number): { values: Float64Array; vectors: ComplexArray } {
  return twoSidedJacobi(h, n, HERMITIAN);
}

/** A complex vector (one column). */
interface Column {
  re: Float64Array;
  im: Float64Array;
}

/** A complex scalar. */
interface Complex {
  re: number;
  im: number;
}

/** The sum of |x_k|^2. */
function sumSquares(x: Column): number {
  let r = 0;
  for (let k = 0; k < x.re.length; k++) r += x.re[k]! * x.re[k]! + x.im[k]! * x.im[k]!;
  return r;
}

/** The 2-norm of `x`, without overflow or underflow. */
function norm2(x: Column): number {
  let big = 0;
  for (let k = 0; k < x.re.length; k++) big = Math.max(big, Math.abs(x.re[k]!), Math.abs(x.im[k]!));
  if (big === 0 || !Number.isFinite(big)) return big;
  const k = big > 2 ** -400 && big < 2 ** 400 ? 0 : scaleExponent(big, 0);
  let r = 0;
  for (let i = 0; i < x.re.length; i++) {
    const a = ldexp(x.re[i]!, k), b = ldexp(x.im[i]!, k);
    r += a * a + b * b;
  }
  return ldexp(Math.sqrt(r), -k);
}

/** Complex columns for oneSidedJacobi and completeBasisOf. */
const COMPLEX_COLUMNS: JacobiColumns<Column, Complex> = {
  unit: (k, m) => {
    const r = { re: new Float64Array(m), im: new Float64Array(m) };
    r.re[k] = 1;
    return r;
  },
  copy: (x) => ({ re: x.re.slice(), im: x.im.slice() }),
  tail: (x, from) => ({ re: x.re.subarray(from), im: x.im.subarray(from) }),
  // x^H y
  inner: (x, y) => {
    let re = 0, im = 0;
    for (let k = 0; k < x.re.length; k++) {
      re += x.re[k]! * y.re[k]! + x.im[k]! * y.im[k]!;
      im += x.re[k]! * y.im[k]! - x.im[k]! * y.re[k]!;
    }
    return { re, im };
  },
  subtractScaled: (y, x, a, f) => {
    const br = f * a.re, bi = f * a.im;
    for (let k = 0; k < y.re.length; k++) {
      const xr = x.re[k]!, xi = x.im[k]!;
      y.re[k] = y.re[k]! - (br * xr - bi * xi);
      y.im[k] = y.im[k]! - (br * xi + bi * xr);
    }
  },
  sumSquares,
  reflector: (x) => {
    const v = { re: x.re.slice(), im: x.im.slice() };
    const alpha = norm2(x), first = Math.hypot(x.re[0]!, x.im[0]!);
    // x_1 += w alpha, w = x_1 / |x_1|
    if (first === 0) v.re[0] = alpha;
    else {
      v.re[0] = v.re[0]! + (x.re[0]! / first) * alpha;
      v.im[0] = v.im[0]! + (x.im[0]! / first) * alpha;
    }
    return v;
  },
  polar: (g) => {
    const r = Math.hypot(g.re, g.im);
    return { r, w: { re: g.re / r, im: g.im / r } };
  },
  // x' = x - s (conj(w) y + tau x), y' = y + s (w x - tau y), tau = s / (1 + c)
  rotate: (x, y, c, s, w) => {
    const tau = s / (1 + c), wr = w.re, wi = w.im;
    for (let k = 0; k < x.re.length; k++) {
      const xr = x.re[k]!, xi = x.im[k]!, yr = y.re[k]!, yi = y.im[k]!;
      x.re[k] = xr - s * (wr * yr + wi * yi + tau * xr);
      x.im[k] = xi - s * (wr * yi - wi * yr + tau * xi);
      y.re[k] = yr + s * (wr * xr - wi * xi - tau * yr);
      y.im[k] = yi + s * (wr * xi + wi * xr - tau * yi);
    }
  },
  norm2,
  divided: (x, d) => ({ re: x.re.map((v) => v / d), im: x.im.map((v) => v / d) }),
};

/**
 * The full SVD of the complex m x n `a` (row-major; its conjugate transpose
 * when `adjoint`, then n x m in storage) with m >= n, by oneSidedJacobi:
 * U's columns (m of them), the singular values (descending) and V's columns
 * (n), A = U S V^H. Scaled as the real svdTall (|x_k|^2 sums two squares).
 */
function svdTall(a: ComplexArray, m: number, n: number, adjoint: boolean): { u: Column[]; s: Float64Array; v: Column[] } {
  const k = scaleExponent(largestPart(a), Math.floor((1021 - Math.log2(Math.max(2 * m, 1))) / 2));
  const cols: Column[] = Array.from({ length: n }, (_, j) => ({
    re: Float64Array.from({ length: m }, (_, i) => ldexp(adjoint ? a.re[j * m + i]! : a.re[i * n + j]!, k)),
    im: Float64Array.from({ length: m }, (_, i) => ldexp(adjoint ? -a.im[j * m + i]! : a.im[i * n + j]!, k)),
  }));
  return oneSidedJacobi(cols, m, k, COMPLEX_COLUMNS);
}

/**
 * The full SVD A = U diag(s) Vh of the complex row-major m x n `a`: u (m x m),
 * s (min(m, n), descending, real) and vh (n x n, V's conjugate transpose),
 * complex row-major. A NaN or an infinity makes every output NaN (as the real svd).
 */
export function complexSvd(a: ComplexArray, m: number, n: number): { u: ComplexArray; s: Float64Array; vh: ComplexArray } {
  const k = Math.min(m, n);
  for (let i = 0; i < m * n; i++) {
    if (!Number.isFinite(a.re[i]!) || !Number.isFinite(a.im[i]!)) {
      const nan = (len: number) => new Float64Array(len).fill(NaN);
      return { u: { re: nan(m * m), im: nan(m * m) }, s: nan(k), vh: { re: nan(n * n), im: nan(n * n) } };
    }
  }
  const tall = m >= n;
  // a = U S V^H; for a wide matrix factor a^H = V S U^H instead
  const r = tall ? svdTall(a, m, n, false) : svdTall(a, n, m, true);
  const [left, right] = tall ? [r.u, r.v] : [r.v, r.u];
  const u = { re: new Float64Array(m * m), im: new Float64Array(m * m) };
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      u.re[i * m + j] = left[j]!.re[i]!;
      u.im[i * m + j] = left[j]!.im[i]!;
    }
  }
  // Vh's row j: the conjugate of V's column j
  const vh = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      vh.re[j * n + i] = right[j]!.re[i]!;
      vh.im[j * n + i] = -right[j]!.im[i]!;
    }
  }
  return { u, s: r.s.subarray(0, k), vh };
}
