// Reductions: one threadgroup per output element, or per chunk of a long
// segment (the host then folds the chunks' partials, kept in the accumulator
// type, with a second reduction). Each thread folds a strided share of the
// reduced elements, the simdgroup folds its lanes with simd
// collectives (simd_sum, shuffles), and the first simdgroup folds the
// per-simdgroup partials from threadgroup memory. NaN propagates through
// max/min (NumPy); arg-reductions keep the first index of the extreme (the
// first NaN when there is one). Integer sums and products wrap.
// The host compiles one library per input dtype and defines:
//   T     the input storage type; V its compute type (float, int or uint)
//   S     the storage type of sum and prod results (T, or int for bool); SA its accumulator
// Kernels: reduce_<op> (output in the result dtype), reduce_<op>_acc (sum, prod,
// max, min, all, any: output in the accumulator type, for chunk partials).
// Threadgroups must be a multiple of 32 threads (every lane active).
// params: [nOut, R, kdims, rdims, chunks, chunk length, kshape, kstrides, rshape, rstrides, offset];
// threadgroup g folds chunk g % chunks of segment g / chunks.

inline int kept_offset(constant int* p, uint o) {
  int kd = p[2], rd = p[3];
  int off = p[6 + 2 * kd + 2 * rd];
  for (int d = kd - 1; d >= 0; d--) {
    uint dim = uint(p[6 + d]);
    off += int(o % dim) * p[6 + kd + d];
    o /= dim;
  }
  return off;
}

inline int reduced_offset(constant int* p, uint r) {
  int kd = p[2], rd = p[3];
  int off = 0;
  for (int d = rd - 1; d >= 0; d--) {
    uint dim = uint(p[6 + 2 * kd + d]);
    off += int(r % dim) * p[6 + 2 * kd + rd + d];
    r /= dim;
  }
  return off;
}

/** The reduced index range [first, end) of threadgroup g's chunk. */
inline uint2 chunk_range(constant int* p, uint g) {
  uint len = uint(p[5]);
  uint first = (g % uint(p[4])) * len;
  return uint2(first, min(uint(p[1]), first + len));
}

struct fold_sum {
  float operator()(float a, float b) const { return a + b; }
  int operator()(int a, int b) const { return int(uint(a) + uint(b)); }
  uint operator()(uint a, uint b) const { return a + b; }
};
struct fold_prod {
  float operator()(float a, float b) const { return a * b; }
  int operator()(int a, int b) const { return int(uint(a) * uint(b)); }
  uint operator()(uint a, uint b) const { return a * b; }
};
struct fold_max {
  float operator()(float a, float b) const { return maximum_f(a, b); }
  int operator()(int a, int b) const { return max(a, b); }
  uint operator()(uint a, uint b) const { return max(a, b); }
};
struct fold_min {
  float operator()(float a, float b) const { return minimum_f(a, b); }
  int operator()(int a, int b) const { return min(a, b); }
  uint operator()(uint a, uint b) const { return min(a, b); }
};
struct fold_all {
  uint operator()(uint a, uint b) const { return a & b; }
};
struct fold_any {
  uint operator()(uint a, uint b) const { return a | b; }
};

/** The fold of all lanes' `acc`, valid in lane 0. */
template <class A, class F>
inline A simd_fold(A acc, F fold) {
  for (ushort s = 16; s > 0; s >>= 1) acc = fold(acc, simd_shuffle_down(acc, s));
  return acc;
}
inline float simd_fold(float acc, fold_sum) { return simd_sum(acc); }
inline int simd_fold(int acc, fold_sum) { return simd_sum(acc); }
inline uint simd_fold(uint acc, fold_sum) { return simd_sum(acc); }

/** Lifts an input element to the accumulator (all/any: to 0/1). */
inline float lift(float v, float) { return v; }
inline int lift(int v, int) { return v; }
inline uint lift(uint v, uint) { return v; }
inline float lift(int v, float) { return float(v); }
inline int lift(uint v, int) { return int(v); }

#define REDUCE_KERNEL(NAME, FOLD, A, OUT, INIT, LIFT)                                                      \
  kernel void reduce_##NAME(device OUT* out [[buffer(0)]], device const T* x [[buffer(1)]],                \
                            constant int* p [[buffer(2)]], uint o [[threadgroup_position_in_grid]],       \
                            uint t [[thread_index_in_threadgroup]], uint nt [[threads_per_threadgroup]],  \
                            uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) { \
    threadgroup A partial[32];                                                                             \
    fold_##FOLD fold;                                                                                      \
    int base = kept_offset(p, o / uint(p[4]));                                                             \
    uint2 range = chunk_range(p, o);                                                                       \
    A acc = INIT;                                                                                          \
    for (uint r = range.x + t; r < range.y; r += nt) {                                                     \
      V v = V(x[base + reduced_offset(p, r)]);                                                             \
      acc = fold(acc, LIFT);                                                                               \
    }                                                                                                      \
    acc = simd_fold(acc, fold);                                                                            \
    if (lane == 0) partial[sg] = acc;                                                                      \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
    if (sg == 0) {                                                                                         \
      acc = lane < (nt + 31) / 32 ? partial[lane] : A(INIT);                                               \
      acc = simd_fold(acc, fold);                                                                          \
      if (lane == 0) out[o] = OUT(acc);                                                                    \
    }                                                                                                      \
  }

REDUCE_KERNEL(sum, sum, SA, S, SA(0), lift(v, SA(0)))
REDUCE_KERNEL(prod, prod, SA, S, SA(1), lift(v, SA(0)))
REDUCE_KERNEL(max, max, V, T, V(MAX_INIT), v)
REDUCE_KERNEL(min, min, V, T, V(MIN_INIT), v)
REDUCE_KERNEL(all, all, uint, bool, 1u, (v != 0 ? 1u : 0u))
REDUCE_KERNEL(any, any, uint, bool, 0u, (v != 0 ? 1u : 0u))
REDUCE_KERNEL(sum_acc, sum, SA, SA, SA(0), lift(v, SA(0)))
REDUCE_KERNEL(prod_acc, prod, SA, SA, SA(1), lift(v, SA(0)))
REDUCE_KERNEL(max_acc, max, V, V, V(MAX_INIT), v)
REDUCE_KERNEL(min_acc, min, V, V, V(MIN_INIT), v)
REDUCE_KERNEL(all_acc, all, uint, uint, 1u, (v != 0 ? 1u : 0u))
REDUCE_KERNEL(any_acc, any, uint, uint, 0u, (v != 0 ? 1u : 0u))

/** Whether (x, xi) beats (y, yi) for argmax (GT) or argmin: NaN first, then the extreme, ties to the lower index. */
inline bool arg_better(float x, uint xi, float y, uint yi, bool gt) {
  if (is_nan(x)) return !is_nan(y) || xi < yi;
  if (is_nan(y)) return false;
  return (gt ? x > y : x < y) || (x == y && xi < yi);
}
inline bool arg_better(int x, uint xi, int y, uint yi, bool gt) { return (gt ? x > y : x < y) || (x == y && xi < yi); }
inline bool arg_better(uint x, uint xi, uint y, uint yi, bool gt) { return (gt ? x > y : x < y) || (x == y && xi < yi); }

#define ARG_KERNEL(NAME, GT)                                                                               \
  kernel void reduce_##NAME(device uint* out [[buffer(0)]], device const T* x [[buffer(1)]],               \
                            constant int* p [[buffer(2)]], uint o [[threadgroup_position_in_grid]],       \
                            uint t [[thread_index_in_threadgroup]], uint nt [[threads_per_threadgroup]],  \
                            uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) { \
    threadgroup V pv[32];                                                                                  \
    threadgroup uint pi[32];                                                                               \
    int base = kept_offset(p, o);                                                                          \
    uint R = uint(p[1]);                                                                                   \
    V best = V(0);                                                                                         \
    uint bi = 0xffffffffu;                                                                                 \
    for (uint r = t; r < R; r += nt) {                                                                     \
      V v = V(x[base + reduced_offset(p, r)]);                                                             \
      if (bi == 0xffffffffu || arg_better(v, r, best, bi, GT)) { best = v; bi = r; }                       \
    }                                                                                                      \
    for (ushort s = 16; s > 0; s >>= 1) {                                                                  \
      V ov = simd_shuffle_down(best, s);                                                                   \
      uint oi = simd_shuffle_down(bi, s);                                                                  \
      if (oi != 0xffffffffu && (bi == 0xffffffffu || arg_better(ov, oi, best, bi, GT))) { best = ov; bi = oi; } \
    }                                                                                                      \
    if (lane == 0) { pv[sg] = best; pi[sg] = bi; }                                                         \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
    if (sg == 0) {                                                                                         \
      bool has = lane < (nt + 31) / 32;                                                                    \
      best = has ? pv[lane] : V(0);                                                                        \
      bi = has ? pi[lane] : 0xffffffffu;                                                                   \
      for (ushort s = 16; s > 0; s >>= 1) {                                                                \
        V ov = simd_shuffle_down(best, s);                                                                 \
        uint oi = simd_shuffle_down(bi, s);                                                                \
        if (oi != 0xffffffffu && (bi == 0xffffffffu || arg_better(ov, oi, best, bi, GT))) { best = ov; bi = oi; } \
      }                                                                                                    \
      if (lane == 0) out[o] = bi == 0xffffffffu ? 0u : bi;                                                 \
    }                                                                                                      \
  }

ARG_KERNEL(argmax, true)
ARG_KERNEL(argmin, false)
