// The cpu reference's eigendecomposition of general real or complex matrices,
// in float64: Householder reduction to Hessenberg form, then shifted QR steps in
// complex arithmetic (Wilkinson shifts, Givens rotations, deflation on small
// subdiagonals) to the complex Schur form T = Z^H A Z, and the eigenvectors
// by back-substitution in T.

/** Complex n x n matrices and vectors as separate real and imaginary row-major arrays. */
interface Complex {
  re: Float64Array;
  im: Float64Array;
}

/**
 * Upper Hessenberg H = Q^H A Q of the complex n x n `a` (row-major, not
 * modified; a real matrix has zero imaginary parts), with the unitary Q, by
 * Householder reflections P = I - tau v v^H with a real beta on the
 * subdiagonal (LAPACK's zlarfg; for a real matrix the real reflections).
 */
function hessenberg(a: Complex, n: number): { h: Complex; q: Complex } {
  const h: Complex = { re: Float64Array.from(a.re), im: Float64Array.from(a.im) };
  const q: Complex = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
  for (let i = 0; i < n; i++) q.re[i * n + i] = 1;
  const vr = new Float64Array(n), vi = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    let scale = 0;
    for (let i = k + 2; i < n; i++) scale = Math.hypot(scale, h.re[i * n + k]!, h.im[i * n + k]!);
    const ar = h.re[(k + 1) * n + k]!, ai = h.im[(k + 1) * n + k]!;
    if (scale === 0 && ai === 0) continue;
    const beta = (ar >= 0 ? -1 : 1) * Math.hypot(ar, ai, scale);
    // tau = (beta - alpha) / beta; v = [1, x / (alpha - beta)]
    const tr = (beta - ar) / beta, ti = -ai / beta;
    vr.fill(0);
    vi.fill(0);
    vr[k + 1] = 1;
    const [dr, di] = [ar - beta, ai];
    const dd = dr * dr + di * di;
    for (let i = k + 2; i < n; i++) {
      const xr = h.re[i * n + k]!, xi = h.im[i * n + k]!;
      vr[i] = (xr * dr + xi * di) / dd;
      vi[i] = (xi * dr - xr * di) / dd;
    }
    // H <- P^H H: h_c -= conj(tau) (v^H h_c) v for each column c
    for (let c = 0; c < n; c++) {
      let sr = 0, si = 0;
      for (let i = k + 1; i < n; i++) {
        sr += vr[i]! * h.re[i * n + c]! + vi[i]! * h.im[i * n + c]!;
        si += vr[i]! * h.im[i * n + c]! - vi[i]! * h.re[i * n + c]!;
      }
      // f = conj(tau) s
      const fr = tr * sr + ti * si, fi = tr * si - ti * sr;
      for (let i = k + 1; i < n; i++) {
        h.re[i * n + c] = h.re[i * n + c]! - (fr * vr[i]! - fi * vi[i]!);
        h.im[i * n + c] = h.im[i * n + c]! - (fr * vi[i]! + fi * vr[i]!);
      }
    }
    // H <- H P and Q <- Q P: each row r -= tau (row . v) v^H
    for (const m of [h, q]) {
      for (let r = 0; r < n; r++) {
        let sr = 0, si = 0;
        for (let i = k + 1; i < n; i++) {
          sr += m.re[r * n + i]! * vr[i]! - m.im[r * n + i]! * vi[i]!;
          si += m.re[r * n + i]! * vi[i]! + m.im[r * n + i]! * vr[i]!;
        }
        const fr = tr * sr - ti * si, fi = tr * si + ti * sr;
        for (let i = k + 1; i < n; i++) {
          // f conj(v_i)
          m.re[r * n + i] = m.re[r * n + i]! - (fr * vr[i]! + fi * vi[i]!);
          m.im[r * n + i] = m.im[r * n + i]! - (fi * vr[i]! - fr * vi[i]!);
        }
      }
    }
    h.re[(k + 1) * n + k] = beta;
    h.im[(k + 1) * n + k] = 0;
    for (let i = k + 2; i < n; i++) h.re[i * n + k] = h.im[i * n + k] = 0;
  }
  return { h, q };
}

/** The eigenvalue of [[a, b], [c, d]] (complex entries as [re, im]) nearer to d: Wilkinson's shift. */
function wilkinsonShift(a: [number, number], b: [number, number], c: [number, number], d: [number, number]): [number, number] {
  // eigenvalues d + t with t = m ± sqrt(m^2 + bc), m = (a - d) / 2
  const m: [number, number] = [(a[0] - d[0]) / 2, (a[1] - d[1]) / 2];
  const bc: [number, number] = [b[0] * c[0] - b[1] * c[1], b[0] * c[1] + b[1] * c[0]];
  const disc: [number, number] = [m[0] * m[0] - m[1] * m[1] + bc[0], 2 * m[0] * m[1] + bc[1]];
  // principal square root of disc
  const r = Math.hypot(disc[0], disc[1]);
  let sr = Math.sqrt((r + Math.abs(disc[0])) / 2), si = sr === 0 ? 0 : disc[1] / (2 * sr);
  if (disc[0] < 0) [sr, si] = [Math.abs(si), disc[1] >= 0 ? sr : -sr];
  // the root of smaller modulus: t = -bc / (m ± s), with the sign making |m ± s| largest
  const plus: [number, number] = [m[0] + sr, m[1] + si], minus: [number, number] = [m[0] - sr, m[1] - si];
  const den = Math.hypot(...plus) >= Math.hypot(...minus) ? plus : minus;
  const dd = den[0] * den[0] + den[1] * den[1];
  if (dd === 0) return d;
  const t: [number, number] = [-(bc[0] * den[0] + bc[1] * den[1]) / dd, -(bc[1] * den[0] - bc[0] * den[1]) / dd];
  return [d[0] + t[0], d[1] + t[1]];
}

const MAX_ITERATIONS_PER_VALUE = 60;

/**
 * The complex Schur form of the upper Hessenberg `t` with the
 * transformations applied to `z` (n x n), both overwritten: T upper
 * triangular and Z unitary with A = Z T Z^H. Throws when an eigenvalue does
 * not converge.
 */
function complexSchur(t: Complex, z: Complex, n: number): { t: Complex; z: Complex } {
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm = Math.max(norm, Math.abs(t.re[i]!), Math.abs(t.im[i]!));
  const tiny = 2 ** -1022;
  const at = (i: number, j: number): [number, number] => [t.re[i * n + j]!, t.im[i * n + j]!];
  const cs = new Float64Array(n), sr = new Float64Array(n), si = new Float64Array(n);
  let hi = n - 1, iterations = 0;
  while (hi > 0) {
    // the window [lo, hi]: the subdiagonal entries below its diagonal are not negligible
    let lo = hi;
    while (lo > 0) {
      const sub = Math.hypot(...at(lo, lo - 1));
      const near = Math.hypot(...at(lo, lo)) + Math.hypot(...at(lo - 1, lo - 1));
      if (sub <= 2 ** -53 * (near === 0 ? norm : near) || sub < tiny) {
        t.re[lo * n + lo - 1] = t.im[lo * n + lo - 1] = 0;
        break;
      }
      lo--;
    }
    if (lo === hi) {
      hi--;
      iterations = 0;
      continue;
    }
    if (++iterations > MAX_ITERATIONS_PER_VALUE) throw new Error("the QR iteration did not converge");
    // an exceptional shift now and then breaks cycles
    const mu = iterations % 11 === 10 ? ([t.re[hi * n + hi]! + Math.abs(t.re[hi * n + hi - 1]!), t.im[hi * n + hi]!] as [number, number]) : wilkinsonShift(at(hi - 1, hi - 1), at(hi - 1, hi), at(hi, hi - 1), at(hi, hi));
    for (let k = lo; k <= hi; k++) {
      t.re[k * n + k] = t.re[k * n + k]! - mu[0];
      t.im[k * n + k] = t.im[k * n + k]! - mu[1];
    }
    // T - mu I = Q R by rotations G_k = [[c, s], [-conj(s), c]] on rows k, k + 1
    for (let k = lo; k < hi; k++) {
      const [xr, xi] = at(k, k), [yr, yi] = at(k + 1, k);
      const ax = Math.hypot(xr, xi), r = Math.hypot(ax, Math.hypot(yr, yi));
      let c: number, s: [number, number];
      if (r === 0) [c, s] = [1, [0, 0]];
      else if (ax === 0) [c, s] = [0, [1, 0]];
      else {
        c = ax / r;
        // s = (x / |x|) conj(y) / r
        const [ur, ui] = [xr / ax, xi / ax];
        s = [(ur * yr + ui * yi) / r, (ui * yr - ur * yi) / r];
      }
      cs[k] = c;
      sr[k] = s[0];
      si[k] = s[1];
      for (let j = k; j < n; j++) {
        const [pr, pi] = at(k, j), [qr, qi] = at(k + 1, j);
        t.re[k * n + j] = c * pr + s[0] * qr - s[1] * qi;
        t.im[k * n + j] = c * pi + s[0] * qi + s[1] * qr;
        // -conj(s) p + c q
        t.re[(k + 1) * n + j] = -(s[0] * pr + s[1] * pi) + c * qr;
        t.im[(k + 1) * n + j] = -(s[0] * pi - s[1] * pr) + c * qi;
      }
    }
    // R Q + mu I: the rotations' adjoints on columns k, k + 1 (of T above row k + 2, and all of Z)
    for (let k = lo; k < hi; k++) {
      const c = cs[k]!, s0 = sr[k]!, s1 = si[k]!;
      for (const [m, rows] of [[t, Math.min(k + 2, hi + 1)], [z, n]] as const) {
        for (let i = 0; i < rows; i++) {
          const pr = m.re[i * n + k]!, pi = m.im[i * n + k]!, qr = m.re[i * n + k + 1]!, qi = m.im[i * n + k + 1]!;
          // [p, q] G^H: p' = c p + conj(s) q, q' = -s p + c q
          m.re[i * n + k] = c * pr + s0 * qr + s1 * qi;
          m.im[i * n + k] = c * pi + s0 * qi - s1 * qr;
          m.re[i * n + k + 1] = -(s0 * pr - s1 * pi) + c * qr;
          m.im[i * n + k + 1] = -(s0 * pi + s1 * pr) + c * qi;
        }
      }
    }
    for (let k = lo; k <= hi; k++) {
      t.re[k * n + k] = t.re[k * n + k]! + mu[0];
      t.im[k * n + k] = t.im[k * n + k]! + mu[1];
    }
  }
  return { t, z };
}

/** x / y for complex numbers, scaled so that |y|^2 neither overflows nor underflows (Smith's). */
function divide(xr: number, xi: number, yr: number, yi: number): [number, number] {
  if (Math.abs(yr) >= Math.abs(yi)) {
    const r = yi / yr, d = yr + yi * r;
    return [(xr + xi * r) / d, (xi - xr * r) / d];
  }
  const r = yr / yi, d = yr * r + yi;
  return [(xr * r + xi) / d, (xi * r - xr) / d];
}

/**
 * The eigenvalues (interleaved re, im; n of them, in the order of the Schur
 * form's diagonal) of the row-major n x n matrix at offset p of `a` (real),
 * or of the complex `a` (its parts), and with `vectors` the eigenvectors (the
 * columns of a complex n x n matrix, interleaved), each of unit 2-norm with
 * its largest component real and positive (LAPACK geev's normalisation). For
 * a real matrix, eigenvalues whose imaginary part is below n u ‖A‖ (rounding
 * noise of a real eigenvalue) are made real, and so are their vectors.
 */
export function generalEigen(a: ArrayLike<number> | Complex, p: number, n: number, vectors: boolean): { values: Float64Array; vectors?: Float64Array } {
  const real = !("re" in a);
  const m: Complex = real ? { re: Float64Array.from({ length: n * n }, (_, i) => a[p + i]!), im: new Float64Array(n * n) } : { re: a.re.subarray(p, p + n * n), im: a.im.subarray(p, p + n * n) };
  for (let i = 0; i < n * n; i++) {
    // NaN or an infinity anywhere: every value and vector NaN
    if (!Number.isFinite(m.re[i]!) || !Number.isFinite(m.im[i]!)) return { values: new Float64Array(2 * n).fill(NaN), ...(vectors ? { vectors: new Float64Array(2 * n * n).fill(NaN) } : {}) };
  }
  // scaled by a power of two near its largest entry (exactly), so the shifts neither overflow nor underflow
  let largest = 0;
  for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(m.re[i]!), Math.abs(m.im[i]!));
  const scale = largest === 0 ? 1 : 2 ** Math.round(Math.log2(largest));
  const { h, q } = hessenberg({ re: m.re.map((v) => v / scale), im: m.im.map((v) => v / scale) }, n);
  const { t, z } = complexSchur(h, q, n);
  let norm = 0;
  for (let i = 0; i < n * n; i++) norm = Math.max(norm, Math.hypot(t.re[i]!, t.im[i]!));
  const noise = 4 * n * 2 ** -53 * norm;
  const values = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    values[2 * k] = t.re[k * n + k]! * scale;
    values[2 * k + 1] = real && Math.abs(t.im[k * n + k]!) <= noise ? 0 : t.im[k * n + k]! * scale;
  }
  if (!vectors) return { values };
  const out = new Float64Array(2 * n * n);
  const small = Math.max(2 ** -53 * norm, 2 ** -1022);
  for (let k = 0; k < n; k++) {
    // (T - λ I) y = 0 with y_k = 1, y_j = 0 below k, by back-substitution (a zero pivot replaced by a tiny one, as LAPACK does)
    const yr = new Float64Array(k + 1), yi = new Float64Array(k + 1);
    yr[k] = 1;
    const [lr, li] = [t.re[k * n + k]!, t.im[k * n + k]!];
    for (let j = k - 1; j >= 0; j--) {
      let sr = 0, si = 0;
      for (let m = j + 1; m <= k; m++) {
        const [ar, ai] = [t.re[j * n + m]!, t.im[j * n + m]!];
        sr += ar * yr[m]! - ai * yi[m]!;
        si += ar * yi[m]! + ai * yr[m]!;
      }
      let [dr, di] = [t.re[j * n + j]! - lr, t.im[j * n + j]! - li];
      if (Math.hypot(dr, di) < small) [dr, di] = [small, 0];
      [yr[j], yi[j]] = divide(-sr, -si, dr, di);
    }
    // v = Z y, normalised
    const vr = new Float64Array(n), vi = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let m = 0; m <= k; m++) {
        vr[i] = vr[i]! + z.re[i * n + m]! * yr[m]! - z.im[i * n + m]! * yi[m]!;
        vi[i] = vi[i]! + z.re[i * n + m]! * yi[m]! + z.im[i * n + m]! * yr[m]!;
      }
    }
    let big = 0, len = 0;
    for (let i = 0; i < n; i++) {
      const mag = Math.hypot(vr[i]!, vi[i]!);
      len = Math.hypot(len, mag);
      if (mag > Math.hypot(vr[big]!, vi[big]!)) big = i;
    }
    // divide by |v| and by the phase of its largest component
    const [pr, pi] = [vr[big]! / Math.hypot(vr[big]!, vi[big]!), vi[big]! / Math.hypot(vr[big]!, vi[big]!)];
    for (let i = 0; i < n; i++) {
      const [cr, ci] = divide(vr[i]!, vi[i]!, pr * len, pi * len);
      out[2 * (i * n + k)] = cr;
      // a real eigenvalue's phase-normalised vector is real: what is left is rounding
      out[2 * (i * n + k) + 1] = i === big || (real && values[2 * k + 1] === 0) ? 0 : ci;
    }
  }
  return { values, vectors: out };
}
