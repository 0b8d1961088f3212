// The float64 factorizations of the cpu reference's linear algebra beyond
// linalg-algorithms.ts, on one row-major matrix at a time: Householder QR
// (LAPACK's reflector and sign convention, so Q and R match NumPy's) and LU
// with partial pivoting (LAPACK's getrf: the first largest pivot, a zero
// pivot column left in place).

/**
 * The reduced QR factorization of the row-major m x n matrix at offset p of
 * `a`: q (m x k) with orthonormal columns and upper-triangular r (k x n),
 * k = min(m, n), by Householder reflections. Each reflector maps x to
 * beta e1 with beta = -sign(x0) ||x|| (LAPACK's dlarfg); a column already
 * zero below its diagonal is left unreflected.
 */
export function householderQr(a: ArrayLike<number>, p: number, m: number, n: number): { q: Float64Array; r: Float64Array } {
  const k = Math.min(m, n);
  const w = Float64Array.from({ length: m * n }, (_, i) => a[p + i]!);
  const vs: Float64Array[] = [], taus: number[] = [];
  for (let j = 0; j < k; j++) {
    const alpha = w[j * n + j]!;
    let scale = 0;
    for (let i = j + 1; i < m; i++) scale = Math.hypot(scale, w[i * n + j]!);
    const v = new Float64Array(m - j);
    v[0] = 1;
    if (scale === 0) {
      vs.push(v);
      taus.push(0);
      continue;
    }
    const beta = (alpha >= 0 ? -1 : 1) * Math.hypot(alpha, scale);
    const tau = (beta - alpha) / beta;
    for (let i = j + 1; i < m; i++) v[i - j] = w[i * n + j]! / (alpha - beta);
    // columns right of j: w <- (I - tau v v^T) w
    for (let c = j + 1; c < n; c++) {
      let d = 0;
      for (let i = j; i < m; i++) d += v[i - j]! * w[i * n + c]!;
      d *= tau;
      for (let i = j; i < m; i++) w[i * n + c] = w[i * n + c]! - d * v[i - j]!;
    }
    w[j * n + j] = beta;
    for (let i = j + 1; i < m; i++) w[i * n + j] = 0;
    vs.push(v);
    taus.push(tau);
  }
  const r = new Float64Array(k * n);
  for (let i = 0; i < k; i++) for (let c = i; c < n; c++) r[i * n + c] = w[i * n + c]!;
  // Q = H_0 ... H_{k-1} applied to the first k columns of the identity, last reflector first
  const q = new Float64Array(m * k);
  for (let i = 0; i < k; i++) q[i * k + i] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const v = vs[j]!, tau = taus[j]!;
    if (tau === 0) continue;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let i = j; i < m; i++) d += v[i - j]! * q[i * k + c]!;
      d *= tau;
      for (let i = j; i < m; i++) q[i * k + c] = q[i * k + c]! - d * v[i - j]!;
    }
  }
  return { q, r };
}

/**
 * The LU factorization with partial pivoting of the row-major m x n matrix
 * at offset p of `a`: lu (m x n; L's strict lower triangle with its unit
 * diagonal implied, and U on and above the diagonal) and pivots (k of them:
 * row j was swapped with row pivots[j] at step j, 0-based, as LAPACK's ipiv
 * less one). A zero pivot leaves its column unscaled, as getrf does.
 */
export function luFactor(a: ArrayLike<number>, p: number, m: number, n: number): { lu: Float64Array; pivots: Uint32Array } {
  const k = Math.min(m, n);
  const w = Float64Array.from({ length: m * n }, (_, i) => a[p + i]!);
  const pivots = new Uint32Array(k);
  for (let j = 0; j < k; j++) {
    let piv = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(w[i * n + j]!) > Math.abs(w[piv * n + j]!)) piv = i;
    pivots[j] = piv;
    if (piv !== j) for (let c = 0; c < n; c++) [w[j * n + c], w[piv * n + c]] = [w[piv * n + c]!, w[j * n + c]!];
    const d = w[j * n + j]!;
    if (d === 0) continue;
    for (let i = j + 1; i < m; i++) {
      const f = (w[i * n + j] = w[i * n + j]! / d);
      if (f === 0) continue;
      for (let c = j + 1; c < n; c++) w[i * n + c] = w[i * n + c]! - f * w[j * n + c]!;
    }
  }
  return { lu: w, pivots };
}

/** The row permutation of an LU factorization from its pivots: A = L[perm] U row by row (MLX's row indices). */
export function rowIndices(pivots: Uint32Array, m: number): Uint32Array {
  const rows = Uint32Array.from({ length: m }, (_, i) => i);
  for (let j = pivots.length - 1; j >= 0; j--) {
    const piv = pivots[j]!;
    [rows[j], rows[piv]] = [rows[piv]!, rows[j]!];
  }
  return rows;
}
