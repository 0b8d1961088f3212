// The FFT along one axis (backends/metal/fft.ts runs it once per transformed
// axis). Stockham passes (autosorting: natural order in and out) over an FFT
// length m, a power of two:
//   fft_small: one threadgroup per line, the line in threadgroup memory
//     (m <= FFT_TG_MAX), radix-4 passes (and a last radix-2 one for odd
//     log2 m), each a read-to-registers / barrier / write / barrier round of
//     the group's threads; for Bluestein the whole chirp-z
//     (premultiply, FFT, multiply by the kernel's spectrum, FFT, postmultiply)
//     in the same threadgroup.
//   fft_load, fft_pass, fft_spectrum, fft_store: the same steps for longer
//     lines, one dispatch each over all lines (a thread per element or per
//     radix-2 butterfly), ping-ponging two work buffers of lines x m float2.
// A length n that is not a power of two runs as Bluestein's chirp-z over
// m >= 2n - 1: X_k = w_k sum_j (x_j w_j) conj(w_(k-j)), w_j = exp(-i pi j^2 / n),
// the circular convolution as conj(FFT(conj(FFT(a) * B))) / m, B the host's
// float64 spectrum of the conjugate chirp. An inverse transform is
// conj(FFT(conj(x))) / n. Twiddles (exp(-2 pi i j / m), j < m), chirp and B
// come from the host (float64 rounded once): no twiddle is computed in float32.
// Inputs and outputs are float arrays: complex64 as (re, im) pairs, real as floats.
// params: [n, m, lines, nk, in axis stride, out axis stride, in offset,
//          load mode (0 complex, 1 real, 2 Hermitian half-spectrum),
//          store mode (0 complex, 1 real part, 2 complex first n/2 + 1),
//          inverse, input length along the axis, store count, bluestein,
//          pass size ns (fft_pass), kept shape[nk], kept in strides[nk], kept out strides[nk]]

#define FFT_TG_MAX 4096
#define FFT_THREADS 256
// registers per thread: 4 per radix-4 butterfly, 2 per radix-2 one
#define FFT_REGS (FFT_TG_MAX / FFT_THREADS)
#define FFT_KEPT 14

inline float2 conj_f2(float2 z) { return float2(z.x, -z.y); }

/** Offset (in elements) of line l's first element: in the input (with its offset) when `in`, else in the output. */
inline IDX fft_line_offset(constant IDX* p, IDX l, bool in) {
  int nk = int(p[3]);
  IDX off = in ? p[6] : 0;
  int strides = FFT_KEPT + nk * (in ? 1 : 2);
  UIDX rem = UIDX(l);
  for (int d = nk - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[FFT_KEPT + d]);
    off += IDX(rem % dim) * p[strides + d];
    rem /= dim;
  }
  return off;
}

/** Signal element k < n of the line at `base`: complex, real, or from the Hermitian half-spectrum (zero past the input's length). */
inline float2 fft_load_elem(device const float* x, constant IDX* p, IDX base, IDX k) {
  int mode = int(p[7]);
  bool mirror = mode == 2 && k >= p[10];
  IDX src = mirror ? p[0] - k : k;
  if (src >= p[10]) return float2(0.0f, 0.0f);
  IDX o = base + src * p[4];
  if (mode == 1) return float2(x[o], 0.0f);
  float2 v = float2(x[2 * o], x[2 * o + 1]);
  return mirror ? conj_f2(v) : v;
}

/** Position i < m of the sequence the first FFT transforms (zero past n). */
inline float2 fft_prepared(device const float* x, device const float2* chirp, constant IDX* p, IDX base, IDX i) {
  if (i >= p[0]) return float2(0.0f, 0.0f);
  float2 v = fft_load_elem(x, p, base, i);
  if (p[9] != 0) v = conj_f2(v);
  if (p[12] != 0) v = cmul(v, chirp[i]);
  return v;
}

/** Output k from the last FFT's value r: Bluestein's postmultiply, the inverse's conjugate and 1/n. */
inline float2 fft_finished(float2 r, device const float2* chirp, constant IDX* p, IDX k) {
  if (p[12] != 0) r = cmul(conj_f2(r), chirp[k]) / float(p[1]);
  // 0 - y: an exact zero comes out +0, as a direct inverse transform (and the reference) gives it
  if (p[9] != 0) r = float2(r.x, 0.0f - r.y) / float(p[0]);
  return r;
}

inline void fft_store_elem(device float* out, constant IDX* p, IDX base, IDX k, float2 r) {
  IDX o = base + k * p[5];
  if (p[8] == 1) {
    out[o] = r.x;
  } else {
    out[2 * o] = r.x;
    out[2 * o + 1] = r.y;
  }
}

/** The butterfly of pass ns at t < m/2: from (a, b) = (x[t], x[t + m/2]), the outputs at i and i + ns. */
inline void fft_butterfly(float2 a, float2 b, device const float2* tw, IDX m, IDX ns, IDX t, thread IDX& i, thread float2& lo, thread float2& hi) {
  IDX k = t % ns;
  float2 wb = cmul(tw[k * (m / (2 * ns))], b);
  i = (t / ns) * 2 * ns + k;
  lo = a + wb;
  hi = a - wb;
}

/** A radix-4 butterfly of pass ns on v[0..3] (x[t + r m/4], k = t mod ns): twiddled, then the 4-point DFT, in place. */
inline void fft_radix4(thread float2* v, device const float2* tw, IDX m, IDX ns, IDX k) {
  IDX step = k * (m / (4 * ns));
  float2 v1 = cmul(tw[step], v[1]), v2 = cmul(tw[2 * step], v[2]), v3 = cmul(tw[3 * step], v[3]);
  float2 a0 = v[0] + v2, a1 = v[0] - v2, a2 = v1 + v3, d = v1 - v3;
  // d times -i
  float2 a3 = float2(d.y, -d.x);
  v[0] = a0 + a2;
  v[1] = a1 + a3;
  v[2] = a0 - a2;
  v[3] = a1 - a3;
}

/**
 * The forward FFT of buf[0..m) in place, by the threadgroup's `threads`
 * threads: radix-4 passes while 4 ns <= m, then one radix-2 pass when log2 m
 * is odd; each pass reads its operands to registers, meets a barrier, writes.
 */
inline void fft_group(threadgroup cfloat* buf, device const float2* tw, IDX m, uint t, uint threads) {
  float2 v[FFT_REGS];
  IDX quarter = m / 4, half = m / 2, ns = 1;
  for (; ns * 4 <= m; ns *= 4) {
    int j = 0;
    for (IDX b = IDX(t); b < quarter; b += IDX(threads))
      for (int r = 0; r < 4; r++) v[j++] = buf[b + r * quarter];
    threadgroup_barrier(mem_flags::mem_threadgroup);
    j = 0;
    for (IDX b = IDX(t); b < quarter; b += IDX(threads), j += 4) {
      IDX k = b % ns, i = (b / ns) * 4 * ns + k;
      fft_radix4(v + j, tw, m, ns, k);
      for (int r = 0; r < 4; r++) buf[i + r * ns] = v[j + r];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (ns < m) {
    int j = 0;
    for (IDX b = IDX(t); b < half; b += IDX(threads), j += 2) {
      v[j] = buf[b];
      v[j + 1] = buf[b + half];
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    j = 0;
    for (IDX b = IDX(t); b < half; b += IDX(threads), j += 2) {
      IDX i;
      float2 lo, hi;
      fft_butterfly(v[j], v[j + 1], tw, m, ns, b, i, lo, hi);
      buf[i] = lo;
      buf[i + ns] = hi;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
}

kernel void fft_small(device float* out [[buffer(0)]], device const float* x [[buffer(1)]],
                      device const float2* tw [[buffer(2)]], device const float2* chirp [[buffer(3)]],
                      device const float2* spec [[buffer(4)]], constant IDX* p [[buffer(5)]],
                      uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],
                      uint t [[thread_index_in_threadgroup]], uint threads [[threads_per_threadgroup]]) {
  threadgroup cfloat buf[FFT_TG_MAX];
  IDX line = linear_id(gpos, gcount);
  // a threadgroup past the last line (a 2-D grid's tail) still reaches every barrier
  bool valid = line < p[2];
  IDX m = p[1];
  IDX in_base = valid ? fft_line_offset(p, line, true) : 0;
  for (IDX i = IDX(t); i < m; i += IDX(threads)) buf[i] = valid ? fft_prepared(x, chirp, p, in_base, i) : float2(0.0f, 0.0f);
  threadgroup_barrier(mem_flags::mem_threadgroup);
  fft_group(buf, tw, m, t, threads);
  if (p[12] != 0) {
    for (IDX i = IDX(t); i < m; i += IDX(threads)) buf[i] = conj_f2(cmul(buf[i], spec[i]));
    threadgroup_barrier(mem_flags::mem_threadgroup);
    fft_group(buf, tw, m, t, threads);
  }
  if (!valid) return;
  IDX out_base = fft_line_offset(p, line, false);
  for (IDX k = IDX(t); k < p[11]; k += IDX(threads)) fft_store_elem(out, p, out_base, k, fft_finished(buf[k], chirp, p, k));
}

kernel void fft_load(device float2* work [[buffer(0)]], device const float* x [[buffer(1)]],
                     device const float2* chirp [[buffer(2)]], constant IDX* p [[buffer(3)]],
                     uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX g = linear_id(pos, size);
  IDX m = p[1];
  if (g >= p[2] * m) return;
  work[g] = fft_prepared(x, chirp, p, fft_line_offset(p, g / m, true), g % m);
}

kernel void fft_pass(device float2* dst [[buffer(0)]], device const float2* src [[buffer(1)]],
                     device const float2* tw [[buffer(2)]], constant IDX* p [[buffer(3)]],
                     uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX g = linear_id(pos, size);
  IDX m = p[1], half = m / 2;
  if (g >= p[2] * half) return;
  IDX line = g / half, t = g % half, base = line * m;
  IDX i;
  float2 lo, hi;
  fft_butterfly(src[base + t], src[base + t + half], tw, m, p[13], t, i, lo, hi);
  dst[base + i] = lo;
  dst[base + i + p[13]] = hi;
}

kernel void fft_spectrum(device float2* work [[buffer(0)]], device const float2* spec [[buffer(1)]], constant IDX* p [[buffer(2)]],
                         uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX g = linear_id(pos, size);
  if (g >= p[2] * p[1]) return;
  work[g] = conj_f2(cmul(work[g], spec[g % p[1]]));
}

kernel void fft_store(device float* out [[buffer(0)]], device const float2* work [[buffer(1)]],
                      device const float2* chirp [[buffer(2)]], constant IDX* p [[buffer(3)]],
                      uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX g = linear_id(pos, size);
  IDX count = p[11];
  if (g >= p[2] * count) return;
  IDX line = g / count, k = g % count;
  fft_store_elem(out, p, fft_line_offset(p, line, false), k, fft_finished(work[line * p[1] + k], chirp, p, k));
}
