// The FFT along one axis (backends/metal/fft.ts runs it once per transformed
// axis). Mixed-radix Stockham passes (autosorting: natural order in and out)
// over an FFT length m = 2^a 3^b 5^c 7^d 11^e 13^f, radix 4 while 4 divides
// what is left, then 2, 3, 5, 7, 11, 13 (fft_radix; backends/fft-tables.ts
// makes the same choice):
//   fft_small: one threadgroup per line, the line in threadgroup memory
//     (m <= FFT_TG_MAX), each pass a read-to-registers / barrier / write /
//     barrier round of the group's butterflies; for Bluestein the whole
//     chirp-z (premultiply, FFT, multiply by the kernel's spectrum, FFT,
//     postmultiply) in the same threadgroup.
//   fft_load, fft_pass, fft_spectrum, fft_store: the same steps for longer
//     lines, one dispatch each over all lines (a thread per element or per
//     butterfly of the pass), ping-ponging two work buffers of lines x m float2.
// A length n with another prime factor runs as Bluestein's chirp-z over a
// power of two m >= 2n - 1: X_k = w_k sum_j (x_j w_j) conj(w_(k-j)), w_j = exp(-i pi j^2 / n),
// the circular convolution as conj(FFT(conj(FFT(a) * B))) / m, B the host's
// float64 spectrum of the conjugate chirp. An inverse transform is
// conj(FFT(conj(x))) / n. Twiddles (exp(-2 pi i j / m), j < m; the odd
// radices' DFT constants among them), chirp and B come from the host (float64
// rounded once): no twiddle is computed in float32.
// Inputs and outputs are float arrays: complex64 as (re, im) pairs, real as floats.
// params: [n, m, lines, nk, in axis stride, out axis stride, in offset,
//          load mode (0 complex, 1 real, 2 Hermitian half-spectrum),
//          store mode (0 complex, 1 real part, 2 complex first n/2 + 1),
//          inverse, input length along the axis, store count, bluestein,
//          pass size ns (fft_pass), kept shape[nk], kept in strides[nk], kept out strides[nk]]

#define FFT_TG_MAX 4096
#define FFT_THREADS 256
// operands a thread holds in one pass: r per butterfly, at most FFT_REGS / r
// butterflies (backends/fft-tables.ts fftGroupSize sees to it; 26: two
// radix-13 butterflies, as a 4096-point line with a 13 has up to 315)
#define FFT_REGS 26
#define FFT_RADIX_MAX 13
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

/** The radix of the pass that leaves q points per sub-transform: 4 while 4 divides q, then 2, 3, 5, 7, 11, 13. */
inline IDX fft_radix(IDX q) {
  return q % 4 == 0 ? 4 : q % 2 == 0 ? 2 : q % 3 == 0 ? 3 : q % 5 == 0 ? 5 : q % 7 == 0 ? 7 : q % 11 == 0 ? 11 : 13;
}

/** exp(-2 pi i q / r) for q < r: the r-point DFT's constants, from the twiddle table (r divides m). */
inline void fft_radix_constants(thread float2* cw, device const float2* tw, IDX m, IDX r) {
  for (IDX q = 0; q < r; q++) cw[q] = tw[q * (m / r)];
}

/**
 * The forward r-point DFT of x[0..r) in place; the odd radices as (r - 1) / 2
 * pairs: y_k, y_(r-k) = x_0 + sum_q cos(2 pi q k / r) (x_q + x_(r-q))
 * -+ i sin(2 pi q k / r) (x_q - x_(r-q)), with cw[q] = exp(-2 pi i q / r):
 * ((r - 1) / 2)^2 real-by-complex products for each of the sums' cosine and
 * sine parts.
 */
inline void fft_dft_small(thread float2* x, IDX r, thread const float2* cw) {
  if (r == 2) {
    float2 a = x[0];
    x[0] = a + x[1];
    x[1] = a - x[1];
    return;
  }
  if (r == 4) {
    float2 a0 = x[0] + x[2], a1 = x[0] - x[2], a2 = x[1] + x[3], d = x[1] - x[3];
    // d times -i
    float2 a3 = float2(d.y, -d.x);
    x[0] = a0 + a2;
    x[1] = a1 + a3;
    x[2] = a0 - a2;
    x[3] = a1 - a3;
    return;
  }
  IDX h = (r - 1) / 2;
  float2 s[FFT_RADIX_MAX / 2 + 1], d[FFT_RADIX_MAX / 2 + 1];
  float2 y0 = x[0];
  for (IDX q = 1; q <= h; q++) {
    s[q] = x[q] + x[r - q];
    d[q] = x[q] - x[r - q];
    y0 += s[q];
  }
  for (IDX k = 1; k <= h; k++) {
    float2 a = x[0];
    // b = sum -sin(.) d_q, so that -i sin(.) d_q summed is i b
    float2 b = float2(0.0f, 0.0f);
    for (IDX q = 1; q <= h; q++) {
      float2 w = cw[(q * k) % r];
      a += w.x * s[q];
      b += w.y * d[q];
    }
    float2 ib = float2(-b.y, b.x);
    x[k] = a + ib;
    x[r - k] = a - ib;
  }
  x[0] = y0;
}

/**
 * Butterfly b of the radix-R pass of size ns on x[q] = operand b + q m / R:
 * twiddled by exp(-2 pi i q k / (R ns)), k = b mod ns, then the R-point DFT;
 * returns i, the outputs going to i + q ns.
 */
template <int R>
inline IDX fft_butterfly(thread float2* x, device const float2* tw, thread const float2* cw, IDX m, IDX ns, IDX b) {
  IDX k = b % ns, step = k * (m / (R * ns));
  for (int q = 1; q < R; q++) x[q] = cmul(tw[q * step], x[q]);
  fft_dft_small(x, R, cw);
  return (b / ns) * R * ns + k;
}

/**
 * The radix-R pass of size ns over buf[0..m) by the threadgroup: butterflies
 * t, t + threads, ... (at most FFT_REGS / R of them a thread: the host's
 * group size sees to it), all read to registers, a barrier, all written.
 */
template <int R>
inline void fft_group_pass(threadgroup cfloat* buf, device const float2* tw, IDX m, IDX ns, uint t, uint threads) {
  constexpr int PER = FFT_REGS / R;
  float2 v[PER * R], cw[FFT_RADIX_MAX];
  IDX count = m / R;
  fft_radix_constants(cw, tw, m, R);
  for (int s = 0; s < PER; s++) {
    IDX b = IDX(t) + IDX(s) * IDX(threads);
    if (b < count)
      for (int q = 0; q < R; q++) v[s * R + q] = buf[b + q * count];
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (int s = 0; s < PER; s++) {
    IDX b = IDX(t) + IDX(s) * IDX(threads);
    if (b < count) {
      IDX i = fft_butterfly<R>(v + s * R, tw, cw, m, ns, b);
      for (int q = 0; q < R; q++) buf[i + q * ns] = v[s * R + q];
    }
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
}

/** The forward FFT of buf[0..m) in place, by the threadgroup's `threads` threads, a pass per radix. */
inline void fft_group(threadgroup cfloat* buf, device const float2* tw, IDX m, uint t, uint threads) {
  for (IDX ns = 1; ns < m;) {
    IDX r = fft_radix(m / ns);
    switch (r) {
      case 4: fft_group_pass<4>(buf, tw, m, ns, t, threads); break;
      case 2: fft_group_pass<2>(buf, tw, m, ns, t, threads); break;
      case 3: fft_group_pass<3>(buf, tw, m, ns, t, threads); break;
      case 5: fft_group_pass<5>(buf, tw, m, ns, t, threads); break;
      case 7: fft_group_pass<7>(buf, tw, m, ns, t, threads); break;
      case 11: fft_group_pass<11>(buf, tw, m, ns, t, threads); break;
      default: fft_group_pass<13>(buf, tw, m, ns, t, threads); break;
    }
    ns *= r;
  }
}

/** Butterfly g of a radix-R pass of size ns over all lines' work buffers. */
template <int R>
inline void fft_global_pass(device float2* dst, device const float2* src, device const float2* tw, constant IDX* p, IDX g) {
  IDX m = p[1], ns = p[13], count = m / R;
  if (g >= p[2] * count) return;
  IDX b = g % count, base = (g / count) * m;
  float2 x[R], cw[FFT_RADIX_MAX];
  fft_radix_constants(cw, tw, m, R);
  for (int q = 0; q < R; q++) x[q] = src[base + b + q * count];
  IDX i = base + fft_butterfly<R>(x, tw, cw, m, ns, b);
  for (int q = 0; q < R; q++) dst[i + q * ns] = x[q];
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
  switch (fft_radix(p[1] / p[13])) {
    case 4: fft_global_pass<4>(dst, src, tw, p, g); break;
    case 2: fft_global_pass<2>(dst, src, tw, p, g); break;
    case 3: fft_global_pass<3>(dst, src, tw, p, g); break;
    case 5: fft_global_pass<5>(dst, src, tw, p, g); break;
    case 7: fft_global_pass<7>(dst, src, tw, p, g); break;
    case 11: fft_global_pass<11>(dst, src, tw, p, g); break;
    default: fft_global_pass<13>(dst, src, tw, p, g); break;
  }
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
