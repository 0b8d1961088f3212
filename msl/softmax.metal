// softmax and logsumexp: one threadgroup per segment. The segment's maximum
// (NaN-propagating), then the sum of exp(x - max), each folded by simd
// collectives and threadgroup partials; then max + log(sum) (logsumexp; an
// infinite or NaN maximum is the result itself) or exp(x - max) / sum per
// element (softmax). Computed in float, stored as T.
// The host defines T (a float storage type) and IDX/UIDX (common.metal).
// Threadgroups are a multiple of 32 threads; the grid may be 2-D (ids are linear).
// params: [nOut, R, kdims, rdims, kshape, kstrides, rshape, rstrides, offset, out kstrides, out rstrides]

/** The offset of index i over dims [shape, strides] at p[s], p[st]. */
inline IDX decompose(constant IDX* p, int s, int st, int nd, IDX i) {
  IDX off = 0;
  UIDX rem = UIDX(i);
  for (int d = nd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[s + d]);
    off += IDX(rem % dim) * p[st + d];
    rem /= dim;
  }
  return off;
}

/** Folds `v` over the threadgroup (max or sum); every thread gets the result. */
inline float group_fold(float v, bool is_max, threadgroup float* part, uint lane, uint sg, uint nt) {
  if (is_max) {
    for (ushort s = 16; s > 0; s >>= 1) v = maximum_f(v, simd_shuffle_down(v, s));
  } else {
    v = simd_sum(v);
  }
  if (lane == 0) part[sg] = v;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  float r = part[0];
  for (uint k = 1; k < (nt + 31) / 32; k++) r = is_max ? maximum_f(r, part[k]) : r + part[k];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return r;
}

#define SOFTMAX_KERNEL(NAME, LSE)                                                                         \
  kernel void NAME(device T* out [[buffer(0)]], device const T* x [[buffer(1)]], constant IDX* p [[buffer(2)]], \
                   uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],       \
                   uint t [[thread_index_in_threadgroup]], uint nt [[threads_per_threadgroup]],              \
                   uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {    \
    threadgroup float part[32];                                                                             \
    IDX o = linear_id(gpos, gcount);                                                                        \
    if (o >= p[0]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */                 \
    IDX R = p[1];                                                                                           \
    int kd = int(p[2]), rd = int(p[3]);                                                                     \
    int rs = 4 + 2 * kd, at = 4 + 2 * kd + 2 * rd;                                                          \
    IDX base = p[at] + decompose(p, 4, 4 + kd, kd, o);                                                      \
    float m = -F32_INF;                                                                                     \
    for (IDX r = IDX(t); r < R; r += IDX(nt)) m = maximum_f(m, float(x[base + decompose(p, rs, rs + rd, rd, r)])); \
    m = group_fold(m, true, part, lane, sg, nt);                                                            \
    float acc = 0.0f;                                                                                       \
    for (IDX r = IDX(t); r < R; r += IDX(nt)) acc += exp(float(x[base + decompose(p, rs, rs + rd, rd, r)]) - m); \
    float total = group_fold(acc, false, part, lane, sg, nt);                                               \
    if (LSE) {                                                                                              \
      if (t == 0) out[o] = T((isinf(m) || is_nan(m)) ? m : m + log(total));                                 \
    } else {                                                                                                \
      IDX out_base = decompose(p, 4, at + 1, kd, o);                                                        \
      for (IDX r = IDX(t); r < R; r += IDX(nt)) {                                                           \
        float v = exp(float(x[base + decompose(p, rs, rs + rd, rd, r)]) - m) / total;                        \
        out[out_base + decompose(p, rs, at + 1 + kd, rd, r)] = T(v);                                         \
      }                                                                                                     \
    }                                                                                                       \
  }

SOFTMAX_KERNEL(softmax, false)
SOFTMAX_KERNEL(logsumexp, true)
