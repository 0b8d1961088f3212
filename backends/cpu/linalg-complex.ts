// The float64 complex matrix algorithms of the cpu reference's linear algebra
// (complex64 inputs, computed in complex128 and rounded once): the Hermitian
// eigendecomposition by complex Jacobi rotations and the SVD by the one-sided
// Jacobi iteration of linalg-algorithms.ts on complex columns, one row-major
// matrix at a time, held as separate real and imaginary parts. Each rotation
// is the real one of linalg-algorithms.ts conjugated by the phase of the
// entry it zeroes, so a matrix with zero imaginary parts is rotated as the
// real algorithms rotate it (but for the direction of a 45-degree rotation
// between two columns or diagonal entries that are equal, when the entry
// zeroed is negative).

import { jacobiSweeps, ldexp, oneSidedJacobi, rotationTangent, scaleExponent, type JacobiColumns } from "./linalg-algorithms.js";

/** A complex matrix or vector: its real and imaginary parts, row-major. */
export interface ComplexArray {
  re: Float64Array;
  im: Float64Array;
}

const MAX_SWEEPS = 80;
const EPS = 2 ** -52;

/** The largest |re| or |im| of `x`. */
function largestPart(x: ComplexArray): number {
  let big = 0;
  for (let i = 0; i < x.re.length; i++) big = Math.max(big, Math.abs(x.re[i]!), Math.abs(x.im[i]!));
  return big;
}

/** `x` scaled by 2^k in place (exactly, or rounded once). */
function scaleInPlace(x: ComplexArray, k: number): void {
  if (k === 0) return;
  for (let i = 0; i < x.re.length; i++) {
    x.re[i] = ldexp(x.re[i]!, k);
    x.im[i] = ldexp(x.im[i]!, k);
  }
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

/**
 * Eigenvalues (ascending, real) and eigenvectors (the columns of the complex
 * n x n `vectors`, orthonormal) of the Hermitian `h` (overwritten), by cyclic
 * Jacobi rotations J = [[c, s w], [-s conj(w), c]] (w the phase of the
 * entry zeroed) until every off-diagonal entry is negligible beside its two
 * diagonal ones (|h_pq| <= eps sqrt(|h_pp| |h_qq|)); first scaled by a power
 * of two to a largest part near 1, the values scaled back at the end. A NaN
 * or an infinity in `h` makes every output NaN.
 */
export function hermitianEigen(h: ComplexArray, n: number): { values: Float64Array; vectors: ComplexArray } {
  const big = largestPart(h);
  // a NaN or an infinity: every output NaN at once (as the real symmetricEigen)
  if (!Number.isFinite(big)) {
    jacobiSweeps.eigh = 0;
    const nan = (len: number) => new Float64Array(len).fill(NaN);
    return { values: nan(n), vectors: { re: nan(n * n), im: nan(n * n) } };
  }
  const k = scaleExponent(big, 0);
  scaleInPlace(h, k);
  const { re, im } = h;
  const vr = new Float64Array(n * n), vi = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vr[i * n + i] = 1;
  let sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const xr = re[p * n + q]!, xi = im[p * n + q]!;
        const mag = Math.hypot(xr, xi);
        const app = re[p * n + p]!, aqq = re[q * n + q]!;
        if (mag === 0 || mag <= EPS * Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq))) {
          re[p * n + q] = im[p * n + q] = re[q * n + p] = im[q * n + p] = 0;
          continue;
        }
        rotated = true;
        const t = rotationTangent(app, aqq, mag);
        const c = 1 / Math.sqrt(t * t + 1), sn = t * c, tau = sn / (1 + c);
        // w = h_pq / |h_pq|; columns p, q (rows off the 2 x 2 block, the rows kept their conjugates) in Rutishauser's form:
        // x' = x - s (conj(w) y + tau x), y' = y + s (w x - tau y)
        const wr = xr / mag, wi = xi / mag;
        const rotate = (ar: Float64Array, ai: Float64Array, r: number, mirror: boolean) => {
          const pr = ar[r * n + p]!, pi = ai[r * n + p]!, qr = ar[r * n + q]!, qi = ai[r * n + q]!;
          const npr = pr - sn * (wr * qr + wi * qi + tau * pr), npi = pi - sn * (wr * qi - wi * qr + tau * pi);
          const nqr = qr + sn * (wr * pr - wi * pi - tau * qr), nqi = qi + sn * (wr * pi + wi * pr - tau * qi);
          ar[r * n + p] = npr;
          ai[r * n + p] = npi;
          ar[r * n + q] = nqr;
          ai[r * n + q] = nqi;
          if (mirror) {
            ar[p * n + r] = npr;
            ai[p * n + r] = -npi;
            ar[q * n + r] = nqr;
            ai[q * n + r] = -nqi;
          }
        };
        for (let r = 0; r < n; r++) if (r !== p && r !== q) rotate(re, im, r, true);
        re[p * n + p] = app - t * mag;
        re[q * n + q] = aqq + t * mag;
        re[p * n + q] = im[p * n + q] = re[q * n + p] = im[q * n + p] = 0;
        for (let r = 0; r < n; r++) rotate(vr, vi, r, false);
      }
    }
    if (!rotated) break;
  }
  jacobiSweeps.eigh = sweep + 1;
  const diag = Array.from({ length: n }, (_, i) => re[i * n + i]!);
  const order = [...diag.keys()].sort((i, j) => diag[i]! - diag[j]! || i - j);
  const values = new Float64Array(order.map((i) => ldexp(diag[i]!, -k)));
  const vectors = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
  order.forEach((src, dst) => {
    for (let r = 0; r < n; r++) {
      vectors.re[r * n + dst] = vr[r * n + src]!;
      vectors.im[r * n + dst] = vi[r * n + src]!;
    }
  });
  return { values, vectors };
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
