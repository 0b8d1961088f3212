// The float64 matrix algorithms of the cpu reference's linear algebra, on one
// row-major matrix at a time: Cholesky, triangular inverse, symmetric
// eigendecomposition (two-sided cyclic Jacobi, generic over real symmetric
// and complex Hermitian matrices), SVD (one-sided Jacobi, generic over real
// and complex columns), and solves (LU with partial pivoting, triangular
// substitution). The Jacobi methods scale each matrix by a power
// of two first (exactly, so any float64 scale is safe) and rotate in
// Rutishauser's form (LAPACK-level accuracy).

/** The symmetric n x n matrix whose lower (`upper` false) or upper triangle is that of `a` (row-major at `p`). */
export function symmetricFrom(a: ArrayLike<number>, p: number, n: number, upper: boolean): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = upper ? a[p + j * n + i]! : a[p + i * n + j]!;
      s[i * n + j] = v;
      s[j * n + i] = v;
    }
  }
  return s;
}

/**
 * The lower Cholesky factor of the symmetric `s` (overwritten), without
 * pivoting: a pivot that is not positive (s not positive definite) makes
 * its column and every later one NaN.
 */
export function choleskyLower(s: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = s[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    const pivot = d > 0 ? Math.sqrt(d) : NaN;
    l[j * n + j] = pivot;
    for (let i = j + 1; i < n; i++) {
      let v = s[i * n + j]!;
      for (let k = 0; k < j; k++) v -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = v / pivot;
    }
  }
  return l;
}

/** The inverse of the lower triangular `l` (its upper triangle is not read), lower triangular; a zero pivot gives inf/NaN (the kernels check for one first). */
export function lowerInverse(l: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    b[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let v = 0;
      for (let k = j; k < i; k++) v += l[i * n + k]! * b[k * n + j]!;
      b[i * n + j] = -v / l[i * n + i]!;
    }
  }
  return b;
}

/** tan of the rotation angle zeroing an off-diagonal `apq` between diagonal `app`, `aqq` (the smaller root). */
export function rotationTangent(app: number, aqq: number, apq: number): number {
  const theta = (aqq - app) / (2 * apq);
  if (Math.abs(theta) > 1e150) return 1 / (2 * theta);
  return (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
}

/** The most sweeps a Jacobi iteration (one- or two-sided) makes. */
const MAX_SWEEPS = 80;
/** float64's machine epsilon. */
const EPS = 2 ** -52;

/** x 2^k, rounded once (2^k itself may lie outside float64's range). */
export function ldexp(x: number, k: number): number {
  if (k > 1023) return x * 2 ** 1023 * 2 ** (k - 1023);
  if (k < -1022) return x * 2 ** (k + 1022) * 2 ** -1022;
  return x * 2 ** k;
}

/** The k for which `largest` 2^k lies in [2^e, 2^(e + 1)), for a finite `largest` > 0 (0 when it is 0). */
export function scaleExponent(largest: number, e: number): number {
  if (!(largest > 0)) return 0;
  let k = e - Math.floor(Math.log2(largest));
  // log2 rounds near powers of two
  while (ldexp(largest, k) >= 2 ** (e + 1)) k--;
  while (ldexp(largest, k) < 2 ** e) k++;
  return k;
}

/** The sweeps the last Jacobi iteration of each kind took (for tests and measurements). */
export const jacobiSweeps = { svd: 0, eigh: 0 };

/**
 * Rotates the pair (x, y) of equal-length vectors by (c, s) = (cos, sin):
 * x' = c x - s y, y' = s x + c y, in Rutishauser's form (each entry changed
 * by a correction proportional to s, with tau = s / (1 + c)), whose rounding
 * errors shrink with the angle: the late sweeps' small rotations leave the
 * vectors, and their orthogonality, nearly untouched.
 */
function rotate(x: Float64Array, y: Float64Array, c: number, s: number): void {
  const tau = s / (1 + c);
  for (let r = 0; r < x.length; r++) {
    const xr = x[r]!, yr = y[r]!;
    x[r] = xr - s * (yr + tau * xr);
    y[r] = yr + s * (xr - tau * yr);
  }
}

/**
 * What the two-sided Jacobi eigensolver needs of a Hermitian (for real
 * entries, symmetric) n x n row-major matrix type M; the eigenvectors are an
 * M too. An off-diagonal entry a_pq is r w with r real and |w| = 1, as
 * JacobiColumns' polar: for complex entries r = |a_pq|, for real ones r =
 * a_pq (signed) and w = 1. Implemented by a class per type, not by object
 * literals: each class is its own hidden class to V8, so twoSidedJacobi's
 * calls stay inlined for both types (literals of the same keys share one,
 * and the calls are then not inlined: 8 x 8 real matrices took ~25% longer).
 */
export interface JacobiMatrix<M> {
  /** The largest |a_ij| (for complex entries, the largest |re| or |im|): NaN or infinite when an entry is. */
  largestPart(a: M): number;
  /** `a` times 2^k, in place. */
  scale(a: M, k: number): void;
  /** The n x n identity. */
  identity(n: number): M;
  /** The n x n matrix of NaN. */
  nan(n: number): M;
  /** The (real) diagonal entry a_ii. */
  diagonal(a: M, n: number, i: number): number;
  /** r of a_pq = r w. */
  offDiagonal(a: M, n: number, p: number, q: number): number;
  /** a_pq = a_qp = 0. */
  zero(a: M, n: number, p: number, q: number): void;
  /**
   * Rotates the rows and columns p, q of `a` off the 2 x 2 block (keeping `a`
   * Hermitian), and the columns p, q of `v`, by J = [[c, s w], [-s conj(w), c]]
   * with w = a_pq / r: column x' = c x - s conj(w) y, y' = s w x + c y, in
   * Rutishauser's form; then a_pq = a_qp = 0. The diagonal is not read or written.
   */
  rotate(a: M, v: M, n: number, p: number, q: number, r: number, c: number, s: number): void;
  /** The n x n matrix whose column j is column order[j] of `v`. */
  columnsOf(v: M, n: number, order: readonly number[]): M;
}

/**
 * Eigenvalues (ascending, real) and eigenvectors (the columns of `vectors`,
 * orthonormal) of the Hermitian n x n `a` (overwritten), by cyclic Jacobi
 * rotations until every off-diagonal entry is negligible beside its two
 * diagonal ones (|a_pq| <= eps sqrt(|a_pp| |a_qq|)). The matrix is first
 * scaled by a power of two (exactly) to a largest part near 1, so that no
 * test or rotation overflows or underflows whatever the input's scale; the
 * values are scaled back once at the end. A NaN or an infinity in `a` makes
 * every output NaN (as svd; LAPACK's syev gives NaN or does not converge).
 */
export function twoSidedJacobi<M>(a: M, n: number, ops: JacobiMatrix<M>): { values: Float64Array; vectors: M } {
  const largest = ops.largestPart(a);
  if (!Number.isFinite(largest)) {
    jacobiSweeps.eigh = 0;
    return { values: new Float64Array(n).fill(NaN), vectors: ops.nan(n) };
  }
  const k = scaleExponent(largest, 0);
  if (k !== 0) ops.scale(a, k);
  const v = ops.identity(n);
  // the diagonal, kept here (no rotation reads it)
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = ops.diagonal(a, n, i);
  let sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const r = ops.offDiagonal(a, n, p, q);
        const app = d[p]!, aqq = d[q]!;
        if (r === 0 || Math.abs(r) <= EPS * Math.sqrt(Math.abs(app)) * Math.sqrt(Math.abs(aqq))) {
          ops.zero(a, n, p, q);
          continue;
        }
        rotated = true;
        const t = rotationTangent(app, aqq, r);
        const c = 1 / Math.sqrt(t * t + 1);
        ops.rotate(a, v, n, p, q, r, c, t * c);
        d[p] = app - t * r;
        d[q] = aqq + t * r;
      }
    }
    if (!rotated) break;
  }
  jacobiSweeps.eigh = sweep + 1;
  const order = [...d.keys()].sort((i, j) => d[i]! - d[j]! || i - j);
  return { values: new Float64Array(order.map((i) => ldexp(d[i]!, -k))), vectors: ops.columnsOf(v, n, order) };
}

/** Real symmetric matrices for twoSidedJacobi: r is a_pq itself and w is 1. */
class RealSymmetric implements JacobiMatrix<Float64Array> {
  largestPart(a: Float64Array): number {
    let largest = 0;
    for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]!));
    return largest;
  }
  scale(a: Float64Array, k: number): void { for (let i = 0; i < a.length; i++) a[i] = ldexp(a[i]!, k); }
  identity(n: number): Float64Array {
    const v = new Float64Array(n * n);
    for (let i = 0; i < n; i++) v[i * n + i] = 1;
    return v;
  }
  nan(n: number): Float64Array { return new Float64Array(n * n).fill(NaN); }
  diagonal(a: Float64Array, n: number, i: number): number { return a[i * n + i]!; }
  offDiagonal(a: Float64Array, n: number, p: number, q: number): number { return a[p * n + q]!; }
  zero(a: Float64Array, n: number, p: number, q: number): void { a[p * n + q] = a[q * n + p] = 0; }
  rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number, _r: number, c: number, s: number): void {
    const tau = s / (1 + c);
    // x' = x - s (y + tau x), y' = y + s (x - tau y) on columns p, q (and rows p, q of `a`, its mirror)
    for (let i = 0; i < n; i++) {
      if (i === p || i === q) continue;
      const ip = a[i * n + p]!, iq = a[i * n + q]!;
      a[i * n + p] = a[p * n + i] = ip - s * (iq + tau * ip);
      a[i * n + q] = a[q * n + i] = iq + s * (ip - tau * iq);
    }
    for (let i = 0; i < n; i++) {
      const ip = v[i * n + p]!, iq = v[i * n + q]!;
      v[i * n + p] = ip - s * (iq + tau * ip);
      v[i * n + q] = iq + s * (ip - tau * iq);
    }
    this.zero(a, n, p, q);
  }
  columnsOf(v: Float64Array, n: number, order: readonly number[]): Float64Array {
    const out = new Float64Array(n * n);
    order.forEach((src, dst) => {
      for (let i = 0; i < n; i++) out[i * n + dst] = v[i * n + src]!;
    });
    return out;
  }
}
const REAL_SYMMETRIC = new RealSymmetric();

/** Eigenvalues (ascending) and eigenvectors (the columns of the row-major n x n `vectors`) of the symmetric `s` (overwritten), by twoSidedJacobi. */
export function symmetricEigen(s: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  return twoSidedJacobi(s, n, REAL_SYMMETRIC);
}

/**
 * What completeBasisOf needs of a column type C whose scalars are S (number
 * for real columns, re and im for complex ones).
 */
export interface BasisColumns<C, S> {
  /** The unit vector e_k of length m. */
  unit(k: number, m: number): C;
  /** A copy of `x`. */
  copy(x: C): C;
  /** `x`'s entries from `from` on: a view, writes go to `x`. */
  tail(x: C, from: number): C;
  /** x^H y. */
  inner(x: C, y: C): S;
  /** y -= f a x, in place. */
  subtractScaled(y: C, x: C, a: S, f: number): void;
  /** The sum of |x_k|^2. */
  sumSquares(x: C): number;
  /** The Householder vector of the nonzero `x` (a new column): x + w |x| e_1, w the phase of x_1 (1 where x_1 is 0), so that no entry cancels. */
  reflector(x: C): C;
}

/** What the one-sided Jacobi SVD needs of a column type besides completeBasisOf's. */
export interface JacobiColumns<C, S> extends BasisColumns<C, S> {
  /** g as r w with r real and |w| = 1: for complex g, r = |g|; for real g, r = g (signed) and w = 1. */
  polar(g: S): { r: number; w: S };
  /** The pair (x, y) rotated in place by J = [[c, s w], [-s conj(w), c]]: x' = c x - s conj(w) y, y' = s w x + c y, in Rutishauser's form. */
  rotate(x: C, y: C, c: number, s: number, w: S): void;
  /** The 2-norm of `x`, without overflow or underflow. */
  norm2(x: C): number;
  /** x / d, a new column. */
  divided(x: C, d: number): C;
}

/**
 * Extends the orthonormal (unitary) columns `cols` (each of length m, r of
 * them, r <= m) to an orthonormal basis of m columns, `cols` kept as they
 * are first, in O(m^2 r): Householder reflections H_0 ... H_{r-1} reduce
 * `cols` to upper triangular form (H_{r-1} ... H_0 cols = R, R's diagonal of
 * modulus 1), so the last m - r columns of Q = H_0 ... H_{r-1}, Q e_r ...
 * Q e_{m-1}, are orthonormal and orthogonal to `cols` at working precision
 * (Householder QR is backward stable). Real and complex columns alike.
 */
export function completeBasisOf<C, S>(cols: readonly C[], m: number, ops: BasisColumns<C, S>): C[] {
  // H_j = I - f v v^H on entries j.., f = 2 / (v^H v)
  const reflectors: { v: C; f: number }[] = [];
  const reflect = (j: number, x: C) => {
    const { v, f } = reflectors[j]!;
    const y = ops.tail(x, j);
    ops.subtractScaled(y, v, ops.inner(v, y), f);
  };
  for (const col of cols) {
    const x = ops.copy(col);
    for (let j = 0; j < reflectors.length; j++) reflect(j, x);
    const v = ops.reflector(ops.tail(x, reflectors.length));
    reflectors.push({ v, f: 2 / ops.sumSquares(v) });
  }
  const out = [...cols];
  for (let t = cols.length; t < m; t++) {
    const q = ops.unit(t, m);
    for (let j = reflectors.length - 1; j >= 0; j--) reflect(j, q);
    out.push(q);
  }
  return out;
}

/** The 2-norm of `x`, without overflow or underflow (scaled by a power of two where the plain sum could). */
export function norm2(x: ArrayLike<number>): number {
  let big = 0;
  for (let i = 0; i < x.length; i++) big = Math.max(big, Math.abs(x[i]!));
  if (big === 0 || !Number.isFinite(big)) return big;
  const k = big > 2 ** -400 && big < 2 ** 400 ? 0 : scaleExponent(big, 0);
  let r = 0;
  for (let i = 0; i < x.length; i++) {
    const v = ldexp(x[i]!, k);
    r += v * v;
  }
  return ldexp(Math.sqrt(r), -k);
}

/** The sum of squares of `x`. */
function sumSquares(x: Float64Array): number {
  let r = 0;
  for (let k = 0; k < x.length; k++) r += x[k]! * x[k]!;
  return r;
}

/** Real columns for oneSidedJacobi and completeBasisOf: the phase w is always 1 (rotate ignores it). */
const REAL_COLUMNS: JacobiColumns<Float64Array, number> = {
  unit: (k, m) => {
    const r = new Float64Array(m);
    r[k] = 1;
    return r;
  },
  copy: (x) => x.slice(),
  tail: (x, from) => x.subarray(from),
  inner: (x, y) => {
    let d = 0;
    for (let k = 0; k < x.length; k++) d += x[k]! * y[k]!;
    return d;
  },
  subtractScaled: (y, x, a, f) => {
    const fa = f * a;
    for (let k = 0; k < y.length; k++) y[k] = y[k]! - fa * x[k]!;
  },
  sumSquares,
  reflector: (x) => {
    const v = x.slice();
    v[0] = v[0]! + (v[0]! < 0 ? -1 : 1) * norm2(x);
    return v;
  },
  polar: (g) => ({ r: g, w: 1 }),
  rotate,
  norm2,
  divided: (x, d) => x.map((v) => v / d),
};

/**
 * The one-sided Jacobi SVD of the m x n matrix (m >= n) whose columns are
 * `cols` (rotated in place), scaled by 2^k: U's columns (m of them, the left
 * singular vectors then a completion to a basis), the singular values
 * (descending, scaled back by 2^-k) and V's columns (n), A = U S V^H. A pair
 * of columns (ci, cj) with ci^H cj = g = r w (`polar`) is rotated, in
 * Rutishauser's form, by the real rotation that zeroes r between |ci|^2 and
 * |cj|^2 conjugated by the phase w, until |g| <= tol |ci| |cj|,
 * tol = max(eps, sqrt(m) u) (LAPACK dgesvj's one-sided Jacobi test:
 * orthogonal at working precision), which a sweep meets after about 10
 * sweeps. The caller scales the columns so that their sums of squares cannot
 * overflow, and neither the test nor a rotation overflows or underflows.
 */
export function oneSidedJacobi<C, S>(cols: readonly C[], m: number, k: number, ops: JacobiColumns<C, S>): { u: C[]; s: Float64Array; v: C[] } {
  const n = cols.length;
  const vcols = Array.from({ length: n }, (_, j) => ops.unit(j, n));
  // the columns' sums of squares, kept current
  const sq = Float64Array.from(cols, (c) => ops.sumSquares(c));
  // LAPACK dgesvj's tolerance, sqrt(m) u, at least eps: above the rounding error of the computed dot products
  const tol = Math.max(EPS, Math.sqrt(m) * 2 ** -53);
  let sweep = 0;
  for (; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let i = 0; i < n - 1; i++) {
      for (let j = i + 1; j < n; j++) {
        const ci = cols[i]!, cj = cols[j]!;
        const { r, w } = ops.polar(ops.inner(ci, cj));
        if (r === 0 || Math.abs(r) <= tol * Math.sqrt(sq[i]!) * Math.sqrt(sq[j]!)) continue;
        rotated = true;
        const t = rotationTangent(sq[i]!, sq[j]!, r);
        const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
        ops.rotate(ci, cj, c, sn, w);
        ops.rotate(vcols[i]!, vcols[j]!, c, sn, w);
        sq[i] = ops.sumSquares(ci);
        sq[j] = ops.sumSquares(cj);
      }
    }
    if (!rotated) break;
  }
  jacobiSweeps.svd = sweep + 1;
  const norms = cols.map((c) => ops.norm2(c));
  const order = [...norms.keys()].sort((i, j) => norms[j]! - norms[i]! || i - j);
  const s = new Float64Array(order.map((i) => ldexp(norms[i]!, -k)));
  const nonzero = order.filter((i) => norms[i]! > 0);
  const u = completeBasisOf(nonzero.map((i) => ops.divided(cols[i]!, norms[i]!)), m, ops);
  return { u, s, v: order.map((i) => vcols[i]!) };
}

/**
 * The full SVD of the row-major m x n `a` (at offset p; its transpose, n x m
 * in storage, when `transposed`) with m >= n, by oneSidedJacobi: u (m x m),
 * singular values (descending, n of them) and v (n x n, the right singular
 * vectors as columns). The columns are first scaled by a power of two
 * (exactly) to a largest entry near 2^e, the most for which their sums of
 * squares cannot overflow, so that whatever the input's scale neither the
 * convergence test nor a rotation overflows or underflows.
 */
function svdTall(a: ArrayLike<number>, p: number, m: number, n: number, transposed: boolean): { u: Float64Array[]; s: Float64Array; v: Float64Array[] } {
  let largest = 0;
  for (let i = 0; i < m * n; i++) largest = Math.max(largest, Math.abs(a[p + i]!));
  const k = scaleExponent(largest, Math.floor((1021 - Math.log2(Math.max(m, 1))) / 2));
  const cols = Array.from({ length: n }, (_, j) => Float64Array.from({ length: m }, (_, i) => ldexp(transposed ? a[p + j * m + i]! : a[p + i * n + j]!, k)));
  return oneSidedJacobi(cols, m, k, REAL_COLUMNS);
}

/**
 * The full SVD of the row-major m x n matrix of `a` at offset p:
 * u (m x m), s (min(m, n), descending) and vt (n x n), row-major.
 */
export function svd(a: ArrayLike<number>, p: number, m: number, n: number): { u: Float64Array; s: Float64Array; vt: Float64Array } {
  const k = Math.min(m, n);
  // a NaN or an infinity has no SVD (LAPACK's gesdd does not converge): every output NaN, U included
  for (let i = 0; i < m * n; i++) {
    if (!Number.isFinite(a[p + i]!)) return { u: new Float64Array(m * m).fill(NaN), s: new Float64Array(k).fill(NaN), vt: new Float64Array(n * n).fill(NaN) };
  }
  const tall = m >= n;
  // a = U S V^T; for a wide matrix factor a^T = V S U^T instead
  const r = tall ? svdTall(a, p, m, n, false) : svdTall(a, p, n, m, true);
  const [left, right] = tall ? [r.u, r.v] : [r.v, r.u];
  const u = new Float64Array(m * m);
  for (let j = 0; j < m; j++) for (let i = 0; i < m; i++) u[i * m + j] = left[j]![i]!;
  const vt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) vt[j * n + i] = right[j]![i]!;
  return { u, s: r.s.subarray(0, k), vt };
}

/**
 * Solves a x = b for the n x n `a` (row-major at offset pa) and the n x k `b`
 * (at pb) by Gaussian elimination with partial pivoting; x is n x k row-major.
 * Returns undefined when a pivot is exactly zero (a singular matrix).
 */
export function luSolve(a: ArrayLike<number>, pa: number, b: ArrayLike<number>, pb: number, n: number, k: number): Float64Array | undefined {
  const m = Float64Array.from({ length: n * n }, (_, i) => a[pa + i]!);
  const x = Float64Array.from({ length: n * k }, (_, i) => b[pb + i]!);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]!) > Math.abs(m[p * n + c]!)) p = r;
    const pivot = m[p * n + c]!;
    if (pivot === 0) return undefined;
    if (p !== c) {
      for (let j = 0; j < n; j++) [m[c * n + j], m[p * n + j]] = [m[p * n + j]!, m[c * n + j]!];
      for (let j = 0; j < k; j++) [x[c * k + j], x[p * k + j]] = [x[p * k + j]!, x[c * k + j]!];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c]! / pivot;
      if (f === 0) continue;
      for (let j = c; j < n; j++) m[r * n + j] = m[r * n + j]! - f * m[c * n + j]!;
      for (let j = 0; j < k; j++) x[r * k + j] = x[r * k + j]! - f * x[c * k + j]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    for (let j = 0; j < k; j++) {
      let v = x[c * k + j]!;
      for (let i = c + 1; i < n; i++) v -= m[c * n + i]! * x[i * k + j]!;
      x[c * k + j] = v / m[c * n + c]!;
    }
  }
  return x;
}

/**
 * Solves t x = b by substitution for the triangle of the n x n `a` at pa
 * (lower, or upper when `upper`; the other triangle is not read) and the
 * n x k `b` at pb; a zero on the diagonal gives infinities and NaN (the
 * kernels check for one first).
 */
export function triangularSolve(a: ArrayLike<number>, pa: number, b: ArrayLike<number>, pb: number, n: number, k: number, upper: boolean): Float64Array {
  const x = new Float64Array(n * k);
  for (let step = 0; step < n; step++) {
    const r = upper ? n - 1 - step : step;
    for (let j = 0; j < k; j++) {
      let v = b[pb + r * k + j]!;
      if (upper) for (let i = r + 1; i < n; i++) v -= a[pa + r * n + i]! * x[i * k + j]!;
      else for (let i = 0; i < r; i++) v -= a[pa + r * n + i]! * x[i * k + j]!;
      x[r * k + j] = v / a[pa + r * n + r]!;
    }
  }
  return x;
}
