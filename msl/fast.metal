// mx.fast kernels. rms_norm and layer_norm: one threadgroup per row of D
// contiguous elements; each thread accumulates a strided share of the row in
// float, simd_sum and threadgroup partials fold the shares (the sum of
// squares; for layer_norm the sum, then the squared deviations from the
// mean: two passes); then x * rsqrt(mean + eps) * weight (+ bias) per element.
// rope_*: one thread per output element, rotated with its partner feature by
// (t + offset[b]) * scale * inv_freq[i] (precise sin and cos), or copied past dims.
// The host defines T (the float storage type of x, weight, bias and the
// output) and IDX/UIDX (common.metal). Float parameters arrive as their bits.
// norm params: [rows, D, x offset, w offset, w stride, b offset, b stride, eps]
// rope params: [n, D, T, elements per batch entry, x offset, offset offset,
//               offset stride, freqs offset, freqs stride, dims, log2(base),
//               scale, sign (1 forward, -1 inverse)]

inline float param_f(constant IDX* p, int k) { return as_type<float>(int(p[k])); }

/** The threadgroup's sum of `v`; every thread gets it. */
inline float group_sum(float v, threadgroup float* part, uint lane, uint sg, uint nt) {
  v = simd_sum(v);
  if (lane == 0) part[sg] = v;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  float r = 0.0f;
  for (uint k = 0; k < (nt + 31) / 32; k++) r += part[k];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return r;
}

// rms_norm binds the weight again as b (never read).
#define NORM_KERNEL(NAME, LAYER)                                                                               \
  kernel void NAME(device T* out [[buffer(0)]], device const T* x [[buffer(1)]], device const T* w [[buffer(2)]], \
                   device const T* b [[buffer(3)]], constant IDX* p [[buffer(4)]],                              \
                   uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],          \
                   uint t [[thread_index_in_threadgroup]], uint nt [[threads_per_threadgroup]],                 \
                   uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {       \
    threadgroup float part[32];                                                                                \
    IDX row = linear_id(gpos, gcount);                                                                         \
    if (row >= p[0]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */                  \
    IDX D = p[1];                                                                                              \
    IDX base = p[2] + row * D;                                                                                 \
    float acc = 0.0f;                                                                                          \
    for (IDX j = IDX(t); j < D; j += IDX(nt)) {                                                                \
      float v = float(x[base + j]);                                                                            \
      acc += LAYER ? v : v * v;                                                                                \
    }                                                                                                          \
    float ms = group_sum(acc, part, lane, sg, nt) / float(D);                                                  \
    float mean = 0.0f;                                                                                         \
    if (LAYER) {                                                                                               \
      mean = ms;                                                                                               \
      float dev = 0.0f;                                                                                        \
      for (IDX j = IDX(t); j < D; j += IDX(nt)) {                                                              \
        float d = float(x[base + j]) - mean;                                                                   \
        dev += d * d;                                                                                          \
      }                                                                                                        \
      ms = group_sum(dev, part, lane, sg, nt) / float(D);                                                      \
    }                                                                                                          \
    float inv = rsqrt(ms + param_f(p, 7));                                                                     \
    for (IDX j = IDX(t); j < D; j += IDX(nt)) {                                                                \
      float v = (float(x[base + j]) - mean) * inv * float(w[p[3] + j * p[4]]);                                 \
      if (LAYER) v += float(b[p[5] + j * p[6]]);                                                               \
      out[row * D + j] = T(v);                                                                                 \
    }                                                                                                          \
  }

NORM_KERNEL(rms_norm, false)
NORM_KERNEL(layer_norm, true)

#define ROPE_KERNEL(NAME, TRADITIONAL, FREQS)                                                                  \
  kernel void NAME(device T* out [[buffer(0)]], device const T* x [[buffer(1)]], device const int* offs [[buffer(2)]], \
                   device const float* freqs [[buffer(3)]], constant IDX* p [[buffer(4)]],                      \
                   uint2 gpos [[thread_position_in_grid]], uint2 gsize [[threads_per_grid]]) {                  \
    IDX e = linear_id(gpos, gsize);                                                                            \
    if (e >= p[0]) return;                                                                                     \
    IDX D = p[1];                                                                                              \
    IDX j = e % D;                                                                                             \
    IDX dims = p[9];                                                                                           \
    float xj = float(x[p[4] + e]);                                                                             \
    if (j >= dims) {                                                                                           \
      out[e] = T(xj);                                                                                          \
      return;                                                                                                  \
    }                                                                                                          \
    IDX half_dims = dims / 2;                                                                                  \
    bool first = TRADITIONAL ? (j & 1) == 0 : j < half_dims;                                                   \
    IDX i = TRADITIONAL ? j / 2 : (first ? j : j - half_dims);                                                 \
    IDX partner = TRADITIONAL ? (first ? e + 1 : e - 1) : (first ? e + half_dims : e - half_dims);             \
    float xp = float(x[p[4] + partner]);                                                                       \
    IDX tpos = (e / D) % p[2];                                                                                 \
    IDX bidx = e / p[3];                                                                                       \
    float pos = float(tpos + IDX(offs[p[5] + bidx * p[6]])) * param_f(p, 11);                                  \
    float inv = FREQS ? 1.0f / freqs[p[7] + i * p[8]] : exp2(-(float(i) / float(half_dims)) * param_f(p, 10)); \
    float theta = pos * inv;                                                                                   \
    float s = precise::sin(theta) * param_f(p, 12);                                                            \
    float c = precise::cos(theta);                                                                             \
    out[e] = T(first ? xj * c - xp * s : xp * s + xj * c);                                                     \
  }

ROPE_KERNEL(rope, false, false)
ROPE_KERNEL(rope_traditional, true, false)
ROPE_KERNEL(rope_freqs, false, true)
ROPE_KERNEL(rope_traditional_freqs, true, true)
