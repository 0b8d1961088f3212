// The discrete Fourier transform in float64, shared by the cpu reference
// (backends/cpu/fft.ts) and the tables the metal kernels read: radix-2 for
// power-of-two lengths with exact (Math.cos / Math.sin) twiddles, Bluestein's
// chirp-z over a power-of-two convolution for the other lengths.

export interface Bluestein {
  /** The convolution length: a power of two >= 2n - 1. */
  m: number;
  /** w_j = exp(-i pi j^2 / n), j < n. */
  chirpRe: Float64Array;
  chirpIm: Float64Array;
  /** The DFT of the conjugate chirp laid out circularly over m points. */
  kernelRe: Float64Array;
  kernelIm: Float64Array;
}

const twiddleCache = new Map<number, [Float64Array, Float64Array]>();
const bluesteinCache = new Map<number, Bluestein>();
/** Lengths whose tables each cache keeps (the oldest go first). */
const CACHE_LENGTHS = 32;

function remember<T>(cache: Map<number, T>, n: number, make: () => T): T {
  let v = cache.get(n);
  if (v) return v;
  v = make();
  if (cache.size >= CACHE_LENGTHS) cache.delete(cache.keys().next().value!);
  cache.set(n, v);
  return v;
}

/** exp(-2 pi i k / n) for k < n / 2. */
export function twiddles(n: number): [Float64Array, Float64Array] {
  return remember(twiddleCache, n, () => {
    const c = new Float64Array(n / 2), s = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) {
      c[k] = Math.cos((2 * Math.PI * k) / n);
      s[k] = -Math.sin((2 * Math.PI * k) / n);
    }
    return [c, s];
  });
}

/** The forward DFT of (re, im) in place; n a power of two. */
function radix2(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const [c, s] = twiddles(n);
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1, step = n / len;
    for (let start = 0; start < n; start += len) {
      for (let k = 0; k < half; k++) {
        const wr = c[k * step]!, wi = s[k * step]!;
        const a = start + k, b = a + half;
        const br = re[b]! * wr - im[b]! * wi, bi = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - br;
        im[b] = im[a]! - bi;
        re[a] = re[a]! + br;
        im[a] = im[a]! + bi;
      }
    }
  }
}

export function bluestein(n: number): Bluestein {
  return remember(bluesteinCache, n, () => {
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    const chirpRe = new Float64Array(n), chirpIm = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // j^2 mod 2n keeps the angle small and exact
      const q = Number((BigInt(j) * BigInt(j)) % BigInt(2 * n));
      chirpRe[j] = Math.cos((Math.PI * q) / n);
      chirpIm[j] = -Math.sin((Math.PI * q) / n);
    }
    const kernelRe = new Float64Array(m), kernelIm = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      kernelRe[j] = chirpRe[j]!;
      kernelIm[j] = -chirpIm[j]!;
      if (j > 0) {
        kernelRe[m - j] = chirpRe[j]!;
        kernelIm[m - j] = -chirpIm[j]!;
      }
    }
    radix2(kernelRe, kernelIm);
    return { m, chirpRe, chirpIm, kernelRe, kernelIm };
  });
}

/** The forward DFT of (re, im) in place, any length. */
export function dft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  if (n <= 1) return;
  if ((n & (n - 1)) === 0) return radix2(re, im);
  const { m, chirpRe, chirpIm, kernelRe, kernelIm } = bluestein(n);
  const ar = new Float64Array(m), ai = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    ar[j] = re[j]! * chirpRe[j]! - im[j]! * chirpIm[j]!;
    ai[j] = re[j]! * chirpIm[j]! + im[j]! * chirpRe[j]!;
  }
  radix2(ar, ai);
  // the inverse transform of the product as conj(DFT(conj(.))) / m
  for (let k = 0; k < m; k++) {
    const pr = ar[k]! * kernelRe[k]! - ai[k]! * kernelIm[k]!, pi = ar[k]! * kernelIm[k]! + ai[k]! * kernelRe[k]!;
    ar[k] = pr;
    ai[k] = -pi;
  }
  radix2(ar, ai);
  for (let k = 0; k < n; k++) {
    const cr = ar[k]! / m, ci = -ai[k]! / m;
    re[k] = cr * chirpRe[k]! - ci * chirpIm[k]!;
    im[k] = cr * chirpIm[k]! + ci * chirpRe[k]!;
  }
}

/** The inverse DFT (scaled by 1/n) in place, as conj(DFT(conj(x))) / n. */
export function idft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 0; i < n; i++) im[i] = -im[i]!;
  dft(re, im);
  for (let i = 0; i < n; i++) {
    re[i] = re[i]! / n;
    // 0 - x: an exact zero comes out +0, as a direct inverse transform gives it
    im[i] = 0 - im[i]! / n;
  }
}
