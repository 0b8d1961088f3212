// MLX's quantization: quantize (a thread per group of GS values), dequantize
// (a thread per value) and the quantized matmul, which unpacks weights in
// registers (no dequantized matrix is materialised). Codes of BITS bits sit
// little-end first in the uint32 words of a row (value i: bits [i * BITS,
// (i + 1) * BITS) of the row). MODE 0 (affine; float steps as MLX's CPU
// kernel): a float scale and bias per group, the code is the value. MODE 1
// (mxfp4 / mxfp8): an e8m0 scale per group of 32, codes e2m1 (BITS 4) or
// e4m3 (BITS 8); MODE 2 (nvfp4): an e4m3 scale per group of 16, e2m1 codes.
// The formats as backends/cpu/quantized-formats.ts (exponents from the bits).
// quantize_global / dequantize_global: nvfp4 with MLX's global scale (a
// float32 element): scales encode scale * 448 * 6 / globalScale. to_fp8 /
// from_fp8: the elementwise e4m3 conversions.
// qmm_t: out[m, n] = sum_k x[m, k] W[n, k]; a threadgroup of 256 is 8 output
//   columns x 32 lanes; a lane takes blocks of BLOCK = min(32, GS) values
//   (whole words) and folds s * dot(x, value) + b * sum(x) per block; lanes
//   sum in a tree.
// qmm_n: out[m, n] = sum_k x[m, k] W[k, n]; 32 columns (one per lane) x 8
//   slices of k, the slices summed in a tree.
// Each threadgroup computes ROWS rows of x (1: matrix-vector; 8: the weights
// read once serve 8 rows), never straddling a batch.
// The host defines T (the float type of x and outputs, and of affine scales
// and biases), ST (the scales' type: T, or uchar bits), BITS, GS, ROWS, MODE,
// and IDX/UIDX. Outside affine mode the scales are bound as the biases too
// (bias_of gives -0, which adds nothing).

constant uint MASK = (1u << BITS) - 1u;
constant int BLOCK = GS < 32 ? GS : 32;

inline uint e2m1_encode(float x) {
  if (is_nan(x)) return 7u;
  uint sign = signbit(x) ? 8u : 0u;
  float a = fabs(x);
  uint c = 0u;
  if (a > 5.0f) c = 7u; else if (a >= 3.5f) c = 6u; else if (a > 2.5f) c = 5u; else if (a >= 1.75f) c = 4u;
  else if (a > 1.25f) c = 3u; else if (a >= 0.75f) c = 2u; else if (a > 0.25f) c = 1u;
  return c | sign;
}

inline float e2m1_decode(uint c) {
  uint e = (c >> 1) & 3u;
  float m = float(c & 1u);
  float v = e == 0u ? 0.5f * m : (1.0f + 0.5f * m) * float(1u << (e - 1u));
  return (c & 8u) ? -v : v;
}

/* MLX's fp8_e4m3 on x's bits: from 448 (543 << 21), infinities and NaN to 0x7e with x's sign bit; below 2^-6 steps of 2^-9; else 3 mantissa bits, ties to even */
inline uint e4m3_encode(float x) {
  uint b = as_type<uint>(x);
  uint sign = (b >> 24) & 0x80u;
  uint f = b & 0x7fffffffu;
  uint c = 0x7eu;
  if (f < 0x3c800000u) c = uint(rint(as_type<float>(f) * 512.0f));
  else if (f < 0x43e00000u) c = ((f - 0x3c000000u + 0x7ffffu + ((f >> 20) & 1u)) >> 20) & 0xffu;
  return c | sign;
}

inline float e4m3_decode(uint c) {
  uint e = (c >> 3) & 15u, m = c & 7u;
  float v = e == 0u ? float(m) * 0.001953125f : as_type<float>(((e + 120u) << 23) | (m << 20));
  return (c & 0x80u) ? -v : v;
}

inline uint e8m0_encode(float x) {
  if (!isfinite(x)) return 0xffu;
  uint b = as_type<uint>(x);
  if (x <= 0.0f || (b & 0x7f800000u) == 0u) return 0u;
  float m = as_type<float>((b & 0x7fffffu) | 0x3f800000u);
  // log2 rounded: the exponent, plus one where the mantissa exceeds sqrt(2) (the smallest float above it is 1.4142136573791504)
  return min((b >> 23) + (m >= 1.4142136573791504f ? 1u : 0u), 254u);
}

inline float e8m0_decode(uint c) {
  return as_type<float>(c == 0u ? 0x400000u : c << 23);
}

/** A code's value: the code itself (affine) or its e2m1 / e4m3 value. */
inline float decode(uint c) {
  if (MODE == 0) return float(c);
  return BITS == 8 ? e4m3_decode(c) : e2m1_decode(c);
}

inline float scale_of(device const ST* s, IDX i) {
  if (MODE == 0) return float(s[i]);
  return MODE == 2 ? e4m3_decode(uint(s[i])) : e8m0_decode(uint(s[i]));
}

inline float bias_of(device const ST* b, IDX i) {
  // microscaling: no bias, -0.0f, which an fma adds without changing any value (a -0 code's -0 included)
  return MODE == 0 ? float(b[i]) : -0.0f;
}

/** Value i of the packed row starting at w. */
inline float qval(device const uint* w, IDX i) {
  IDX bit = i * BITS;
  IDX wd = bit >> 5;
  uint sh = uint(bit & 31);
  uint v = w[wd] >> sh;
  if (sh + BITS > 32u) v |= w[wd + 1] << (32u - sh);
  return decode(v & MASK);
}

/** Code q at value j of a group's words. */
inline void put(thread uint* words, int j, uint q) {
  int bit = j * BITS, wd = bit >> 5;
  uint sh = uint(bit & 31);
  words[wd] |= q << sh;
  if (sh + BITS > 32u) words[wd + 1] |= q >> (32u - sh);
}

/**
 * Group g of a microscaling mode: the scale from the largest magnitude (times
 * enc: nvfp4's 448 * 6 / globalScale, else 1), the values times enc / scale.
 */
inline void quantize_micro(device uint* out, device ST* scales, device const T* x, IDX g, float enc) {
  const int WORDS = GS * BITS / 32;
  uint words[WORDS];
  for (int i = 0; i < WORDS; i++) words[i] = 0u;
  float amax = 0.0f;
  for (int j = 0; j < GS; j++) { float a = fabs(float(x[j])); if (amax < a) amax = a; } /* NaN skipped, as MLX's max */
  float sdec = (amax / (BITS == 4 ? 6.0f : 448.0f)) * enc;
  uint code = MODE == 2 ? e4m3_encode(sdec) : e8m0_encode(sdec);
  float scale = MODE == 2 ? e4m3_decode(code) : e8m0_decode(code);
  scales[g] = ST(code);
  float inv = scale == 0.0f ? 0.0f : enc / scale;
  for (int j = 0; j < GS; j++) {
    float v = float(x[j]) * inv;
    put(words, j, BITS == 8 ? e4m3_encode(v) : e2m1_encode(v));
  }
  for (int i = 0; i < WORDS; i++) out[i] = words[i];
}

// params: [groups, offset of w, offset of the global scale]. nvfp4 with a global scale (a float32 element).
kernel void quantize_global(device uint* wq [[buffer(0)]], device ST* scales [[buffer(1)]], device const T* w [[buffer(2)]],
                            device const float* global_scale [[buffer(3)]], constant IDX* p [[buffer(4)]],
                            uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX g = linear_id(pos, size);
  if (g >= p[0]) return;
  quantize_micro(wq + g * (GS * BITS / 32), scales, w + p[1] + g * GS, g, div_rn_f(2688.0f, global_scale[p[2]]));
}

// params: [groups, offset of w]. Outside affine mode the biases buffer is the scales' again and is not written.
kernel void quantize(device uint* wq [[buffer(0)]], device ST* scales [[buffer(1)]], device ST* biases [[buffer(2)]],
                     device const T* w [[buffer(3)]], constant IDX* p [[buffer(4)]],
                     uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX g = linear_id(pos, size);
  if (g >= p[0]) return;
  device const T* x = w + p[1] + g * GS;
  const int WORDS = GS * BITS / 32;
  device uint* out = wq + g * WORDS;
  if (MODE != 0) {
    quantize_micro(out, scales, x, g, 1.0f);
    return;
  }
  uint words[WORDS];
  for (int i = 0; i < WORDS; i++) words[i] = 0u;
  float lo = INFINITY, hi = -INFINITY;
  for (int j = 0; j < GS; j++) {
    float v = float(x[j]);
    if (v < lo) lo = v; /* NaN skipped, as MLX's std::min / std::max; a NaN value packs as 0 */
    if (hi < v) hi = v;
  }
  const float n_bins = float(MASK);
  bool toward_min = fabs(lo) > fabs(hi);
  float scale = max((hi - lo) / n_bins, 1e-7f);
  scale = toward_min ? scale : -scale;
  float edge = toward_min ? lo : hi;
  float q0 = rint(edge / scale);
  float bias = 0.0f;
  if (q0 != 0.0f) {
    scale = edge / q0;
    bias = edge;
  }
  scales[g] = ST(scale);
  biases[g] = ST(bias);
  for (int j = 0; j < GS; j++) {
    float q = rint((float(x[j]) - bias) / scale);
    put(words, j, is_nan(q) ? 0u : uint(clamp(q, 0.0f, n_bins)));
  }
  for (int i = 0; i < WORDS; i++) out[i] = words[i];
}

// params: [values, values per row, words per row, offsets of w, scales, biases]
kernel void dequantize(device T* out [[buffer(0)]], device const uint* w [[buffer(1)]], device const ST* s [[buffer(2)]],
                       device const ST* b [[buffer(3)]], constant IDX* p [[buffer(4)]],
                       uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  IDX K = p[1], row = e / K, i = e % K;
  IDX gi = row * (K / GS) + i / GS;
  out[e] = T(fma(scale_of(s, p[4] + gi), qval(w + p[3] + row * p[2], i), bias_of(b, p[5] + gi)));
}

// nvfp4 with a global scale (params as dequantize's, the last the global scale's offset): each e4m3 scale times globalScale / (448 * 6).
kernel void dequantize_global(device T* out [[buffer(0)]], device const uint* w [[buffer(1)]], device const ST* s [[buffer(2)]],
                              device const float* global_scale [[buffer(3)]], constant IDX* p [[buffer(4)]],
                              uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  IDX K = p[1], row = e / K, i = e % K;
  IDX gi = row * (K / GS) + i / GS;
  float scale = scale_of(s, p[4] + gi) * div_rn_f(global_scale[p[5]], 2688.0f);
  out[e] = T(scale * qval(w + p[3] + row * p[2], i));
}

// params: [rows per batch, N, K, words per row, groups per row, batches, row tiles, column tiles,
//          offsets of x, w, scales, biases]
#define QMM_KERNEL(NAME, TRANSPOSE)                                                                          \
  kernel void NAME(device T* out [[buffer(0)]], device const T* x [[buffer(1)]], device const uint* w [[buffer(2)]], \
                   device const ST* s [[buffer(3)]], device const ST* b [[buffer(4)]], constant IDX* p [[buffer(5)]], \
                   uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],              \
                   uint t [[thread_index_in_threadgroup]]) {                                                       \
    threadgroup float part[256 * ROWS];                                                                        \
    IDX per_batch = p[0], N = p[1], K = p[2], wpr = p[3], gpr = p[4];                                          \
    IDX col_tiles = p[7], row_tiles = p[6];                                                                   \
    IDX g = linear_id(gpos, gcount);                                                                           \
    bool valid = g < p[5] * row_tiles * col_tiles;                                                            \
    IDX ct = g % col_tiles, rt = (g / col_tiles) % row_tiles, batch = g / (col_tiles * row_tiles);             \
    uint lane = t % 32u, slot = t / 32u;                                                                       \
    IDX row0 = batch * per_batch + rt * ROWS;                                                                  \
    IDX nrows = valid ? min(IDX(ROWS), per_batch - rt * ROWS) : 0;                                             \
    x += p[8]; w += p[9]; s += p[10]; b += p[11];                                                              \
    float acc[ROWS];                                                                                           \
    for (int r = 0; r < ROWS; r++) acc[r] = 0.0f;                                                              \
    if (TRANSPOSE) {                                                                                           \
      IDX n = ct * 8 + slot;                                                                                   \
      if (valid && n < N) {                                                                                    \
        device const uint* wrow = w + (batch * N + n) * wpr;                                                   \
        IDX srow = (batch * N + n) * gpr;                                                                      \
        for (IDX blk = lane; blk < K / BLOCK; blk += 32) {                                         \
          IDX gi = srow + blk * BLOCK / GS;                                                        \
          /* the block's words, read once into registers; each value decoded once for all rows */  \
          device const uint* wb = wrow + blk * BLOCK * BITS / 32;                                  \
          uint wl[8];                                                                              \
          for (int i = 0; i < BLOCK * BITS / 32; i++) wl[i] = wb[i];                               \
          float dq[ROWS], sx[ROWS];                                                                \
          for (int r = 0; r < ROWS; r++) { dq[r] = 0.0f; sx[r] = 0.0f; }                           \
          device const T* xb = x + row0 * K + blk * BLOCK;                                         \
          for (int j = 0; j < BLOCK; j++) {                                                        \
            int bit = j * BITS;                                                                    \
            uint sh = uint(bit & 31);                                                              \
            uint c = wl[bit >> 5] >> sh;                                                           \
            if (sh + BITS > 32u) c |= wl[(bit >> 5) + 1] << (32u - sh);                            \
            float v = decode(c & MASK);                                                            \
            for (IDX r = 0; r < nrows; r++) {                                                      \
              float xv = float(xb[r * K + j]);                                                     \
              dq[r] = fma(xv, v, dq[r]);                                                           \
              sx[r] += xv;                                                                         \
            }                                                                                      \
          }                                                                                        \
          float sc = scale_of(s, gi), bi = bias_of(b, gi);                                         \
          for (IDX r = 0; r < nrows; r++) acc[r] += sc * dq[r] + bi * sx[r];                       \
        }                                                                                          \
      }                                                                                            \
    } else {                                                                                                   \
      IDX n = ct * 32 + lane;                                                                                  \
      if (valid && n < N) {                                                                                    \
        for (IDX k = slot; k < K; k += 8) {                                                                    \
          IDX gi = (batch * K + k) * gpr + n / GS;                                                             \
          float wv = fma(scale_of(s, gi), qval(w + (batch * K + k) * wpr, n), bias_of(b, gi));                 \
          for (IDX r = 0; r < nrows; r++) acc[r] = fma(float(x[(row0 + r) * K + k]), wv, acc[r]);              \
        }                                                                                                      \
      }                                                                                                        \
    }                                                                                                          \
    for (int r = 0; r < ROWS; r++) part[t * ROWS + r] = acc[r];                                                \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                           \
    if (TRANSPOSE) {                                                                                           \
      for (uint h = 16; h > 0; h >>= 1) {                                                                      \
        if (lane < h) for (int r = 0; r < ROWS; r++) part[t * ROWS + r] += part[(t + h) * ROWS + r];          \
        threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
      }                                                                                                        \
      IDX n = ct * 8 + slot;                                                                                   \
      if (IDX(lane) < nrows && n < N) out[(row0 + lane) * N + n] = T(part[slot * 32 * ROWS + lane]);           \
    } else {                                                                                                   \
      for (uint h = 4; h > 0; h >>= 1) {                                                                       \
        if (slot < h) for (int r = 0; r < ROWS; r++) part[t * ROWS + r] += part[(t + h * 32) * ROWS + r];     \
        threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
      }                                                                                                        \
      IDX n = ct * 32 + lane;                                                                                  \
      if (slot == 0 && n < N) for (IDX r = 0; r < nrows; r++) out[(row0 + r) * N + n] = T(part[lane * ROWS + r]); \
    }                                                                                                          \
  }

QMM_KERNEL(qmm_t, true)
QMM_KERNEL(qmm_n, false)

// The fp8 conversions, elementwise (params: an elementwise params block, see
// common.metal; operand 0 is the input): to_fp8 writes the e4m3 code of each
// float of type T, from_fp8 the value of each code as T.
kernel void to_fp8(device uchar* out [[buffer(0)]], device const T* x [[buffer(1)]], constant IDX* p [[buffer(2)]],
                   uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  out[e] = uchar(e4m3_encode(float(x[offset_of(p, 0, e)])));
}

kernel void from_fp8(device T* out [[buffer(0)]], device const uchar* x [[buffer(1)]], constant IDX* p [[buffer(2)]],
                     uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  out[e] = T(e4m3_decode(uint(x[offset_of(p, 0, e)])));
}
