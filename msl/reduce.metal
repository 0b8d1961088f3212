// Reductions, in three shapes chosen by the host from the segment length R
// and the output count: segments_<op> gives each output element one thread
// that folds its R elements in order (short segments: no threadgroup memory,
// no barriers); groups_<op> gives each output element of medium segments a
// group of `lanes` threads (a power of two, at most 32; the word after the
// params' offset), 256 / lanes outputs per threadgroup: lane l folds elements
// l, l + lanes, ... in order, then lane 0 the lanes' results in lane order
// from threadgroup memory;
// reduce_<op> gives each output element, or each chunk of a long segment, a
// threadgroup (the host then folds the chunks' partials, kept in the
// accumulator type, with a second reduction): each thread folds a strided
// share, the simdgroup folds its lanes with simd collectives (simd_sum,
// shuffles), and the first simdgroup folds the per-simdgroup partials from
// threadgroup memory. NaN propagates through max/min (NumPy); arg-reductions
// keep the first index of the extreme (the first NaN when there is one).
// Integer sums and products wrap.
// The host compiles one library per input dtype and defines:
//   T     the input storage type; V its compute type (float, int, uint, long or ulong)
//   S     the storage type of sum and prod results (T, or int for bool); SA its accumulator
//   COMPLEX  1 for complex64 (T, V, S and SA float2): sum and prod only, SA_ONE its product identity
//   IDX, UIDX  the index types (see common.metal)
// Kernels: segments_<op>, groups_<op> and reduce_<op> (output in the result dtype),
// reduce_<op>_acc (sum, prod, max, min, all, any: output in the accumulator
// type, for chunk partials). Threadgroups of reduce_* are a multiple of 32
// threads (every lane active); grids may be 2-D (ids are linear).
// params: [nOut, R, kdims, rdims, chunks, chunk length, kshape, kstrides, rshape, rstrides, offset(, lanes)];
// threadgroup g folds chunk g % chunks of segment g / chunks.

inline IDX kept_offset(constant IDX* p, IDX o) {
  int kd = int(p[2]), rd = int(p[3]);
  IDX off = p[6 + 2 * kd + 2 * rd];
  UIDX rem = UIDX(o);
  for (int d = kd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[6 + d]);
    off += IDX(rem % dim) * p[6 + kd + d];
    rem /= dim;
  }
  return off;
}

inline IDX reduced_offset(constant IDX* p, IDX r) {
  int kd = int(p[2]), rd = int(p[3]);
  IDX off = 0;
  UIDX rem = UIDX(r);
  for (int d = rd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[6 + 2 * kd + d]);
    off += IDX(rem % dim) * p[6 + 2 * kd + rd + d];
    rem /= dim;
  }
  return off;
}

/** A reduced index range [first, end). */
struct span {
  IDX first, end;
};

/** The reduced index range of threadgroup g's chunk. */
inline span chunk_range(constant IDX* p, IDX g) {
  IDX len = p[5];
  IDX first = (g % p[4]) * len;
  span s = {first, first + len < p[1] ? first + len : p[1]};
  return s;
}

#ifndef SA_ONE
#define SA_ONE SA(1)
#endif

struct fold_sum {
  float2 operator()(float2 a, float2 b) const { return a + b; }
  float operator()(float a, float b) const { return a + b; }
  int operator()(int a, int b) const { return int(uint(a) + uint(b)); }
  uint operator()(uint a, uint b) const { return a + b; }
  long operator()(long a, long b) const { return long(ulong(a) + ulong(b)); }
  ulong operator()(ulong a, ulong b) const { return a + b; }
};
struct fold_prod {
  float2 operator()(float2 a, float2 b) const { return cmul(a, b); }
  float operator()(float a, float b) const { return a * b; }
  int operator()(int a, int b) const { return int(uint(a) * uint(b)); }
  uint operator()(uint a, uint b) const { return a * b; }
  long operator()(long a, long b) const { return long(ulong(a) * ulong(b)); }
  ulong operator()(ulong a, ulong b) const { return a * b; }
};
struct fold_max {
  float operator()(float a, float b) const { return maximum_f(a, b); }
  int operator()(int a, int b) const { return max(a, b); }
  uint operator()(uint a, uint b) const { return max(a, b); }
  long operator()(long a, long b) const { return a >= b ? a : b; }
  ulong operator()(ulong a, ulong b) const { return a >= b ? a : b; }
};
struct fold_min {
  float operator()(float a, float b) const { return minimum_f(a, b); }
  int operator()(int a, int b) const { return min(a, b); }
  uint operator()(uint a, uint b) const { return min(a, b); }
  long operator()(long a, long b) const { return a <= b ? a : b; }
  ulong operator()(ulong a, ulong b) const { return a <= b ? a : b; }
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
  for (ushort s = 16; s > 0; s >>= 1) acc = fold(acc, shuffle_down(acc, s));
  return acc;
}
inline float simd_fold(float acc, fold_sum) { return simd_sum(acc); }
inline int simd_fold(int acc, fold_sum) { return simd_sum(acc); }
inline uint simd_fold(uint acc, fold_sum) { return simd_sum(acc); }

/** Lifts an input element to the accumulator (all/any: to 0/1). */
inline float2 lift(float2 v, float2) { return v; }
inline float lift(float v, float) { return v; }
inline int lift(int v, int) { return v; }
inline uint lift(uint v, uint) { return v; }
inline long lift(long v, long) { return v; }
inline ulong lift(ulong v, ulong) { return v; }
inline float lift(int v, float) { return float(v); }
inline int lift(uint v, int) { return int(v); }

/** The parameters of a kernel with one threadgroup per item: its linear id from a grid of one or two dimensions. */
#define GROUP_IDS                                                                                          \
  uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],                      \
      uint t [[thread_index_in_threadgroup]], uint nt [[threads_per_threadgroup]],                          \
      uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]

#define REDUCE_KERNEL(NAME, FOLD, A, OUT, INIT, LIFT)                                                      \
  kernel void reduce_##NAME(device OUT* out [[buffer(0)]], device const T* x [[buffer(1)]],                \
                            constant IDX* p [[buffer(2)]], GROUP_IDS) {                                    \
    threadgroup A partial[32];                                                                             \
    IDX o = linear_id(gpos, gcount);                                                                       \
    if (o >= p[0] * p[4]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */         \
    fold_##FOLD fold;                                                                                      \
    IDX base = kept_offset(p, o / p[4]);                                                                   \
    span range = chunk_range(p, o);                                                                        \
    A acc = INIT;                                                                                          \
    for (IDX r = range.first + IDX(t); r < range.end; r += IDX(nt)) {                                      \
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

/** The parameters of a kernel with a group of threads per output: a threadgroup's linear id, the thread's index in it. */
#define LANE_IDS                                                                                           \
  uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],                      \
      uint t [[thread_index_in_threadgroup]], uint nt [[threads_per_threadgroup]]

/** Thread t's output, lane and segment of a groups_ kernel: `lanes` threads per output, nt / lanes per threadgroup. */
struct lane_of {
  IDX o, base, R, step;
  uint lane, lanes;
  bool valid, single;
};

inline lane_of lane_place(constant IDX* p, uint2 gpos, uint2 gcount, uint t, uint nt) {
  int kd = int(p[2]), rd = int(p[3]);
  lane_of l;
  l.lanes = uint(p[7 + 2 * kd + 2 * rd]);
  l.o = linear_id(gpos, gcount) * IDX(nt / l.lanes) + IDX(t / l.lanes);
  l.lane = t % l.lanes;
  l.valid = l.o < p[0];
  l.base = l.valid ? kept_offset(p, l.o) : 0;
  l.R = p[1];
  l.single = rd == 1;
  l.step = p[6 + 2 * kd + 1];
  return l;
}

/** Element r of the segment of `l` (one merged reduced dim: no index arithmetic per element). */
inline IDX lane_offset(constant IDX* p, lane_of l, IDX r) {
  return l.base + (l.single ? r * l.step : reduced_offset(p, r));
}

/** A group of threads per output element (medium segments): each lane folds a strided share in order, lane 0 the lanes. */
#define GROUP_KERNEL(NAME, FOLD, A, OUT, INIT, LIFT)                                                       \
  kernel void groups_##NAME(device OUT* out [[buffer(0)]], device const T* x [[buffer(1)]],                \
                            constant IDX* p [[buffer(2)]], LANE_IDS) {                                     \
    threadgroup A partial[256];                                                                            \
    lane_of l = lane_place(p, gpos, gcount, t, nt);                                                        \
    fold_##FOLD fold;                                                                                      \
    A acc = INIT;                                                                                          \
    if (l.valid) {                                                                                         \
      for (IDX r = IDX(l.lane); r < l.R; r += IDX(l.lanes)) {                                              \
        V v = V(x[lane_offset(p, l, r)]);                                                                  \
        acc = fold(acc, LIFT);                                                                             \
      }                                                                                                    \
    }                                                                                                      \
    partial[t] = acc;                                                                                      \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
    if (l.valid && l.lane == 0) {                                                                          \
      for (uint k = 1; k < l.lanes; k++) acc = fold(acc, partial[t + k]);                                  \
      out[l.o] = OUT(acc);                                                                                 \
    }                                                                                                      \
  }

/** One thread per output element: its segment folded in order. */
#define SEGMENT_KERNEL(NAME, FOLD, A, OUT, INIT, LIFT)                                                     \
  kernel void segments_##NAME(device OUT* out [[buffer(0)]], device const T* x [[buffer(1)]],              \
                              constant IDX* p [[buffer(2)]], uint2 pos [[thread_position_in_grid]],         \
                              uint2 size [[threads_per_grid]]) {                                           \
    IDX o = linear_id(pos, size);                                                                          \
    if (o >= p[0]) return;                                                                                 \
    fold_##FOLD fold;                                                                                      \
    IDX base = kept_offset(p, o), R = p[1];                                                                \
    A acc = INIT;                                                                                          \
    for (IDX r = 0; r < R; r++) {                                                                          \
      V v = V(x[base + reduced_offset(p, r)]);                                                             \
      acc = fold(acc, LIFT);                                                                               \
    }                                                                                                      \
    out[o] = OUT(acc);                                                                                     \
  }

SEGMENT_KERNEL(sum, sum, SA, S, SA(0), lift(v, SA(0)))
SEGMENT_KERNEL(prod, prod, SA, S, SA_ONE, lift(v, SA(0)))
GROUP_KERNEL(sum, sum, SA, S, SA(0), lift(v, SA(0)))
GROUP_KERNEL(prod, prod, SA, S, SA_ONE, lift(v, SA(0)))
REDUCE_KERNEL(sum, sum, SA, S, SA(0), lift(v, SA(0)))
REDUCE_KERNEL(prod, prod, SA, S, SA_ONE, lift(v, SA(0)))
REDUCE_KERNEL(sum_acc, sum, SA, SA, SA(0), lift(v, SA(0)))
REDUCE_KERNEL(prod_acc, prod, SA, SA, SA_ONE, lift(v, SA(0)))

#if !COMPLEX
SEGMENT_KERNEL(max, max, V, T, V(MAX_INIT), v)
SEGMENT_KERNEL(min, min, V, T, V(MIN_INIT), v)
SEGMENT_KERNEL(all, all, uint, bool, 1u, (v != 0 ? 1u : 0u))
SEGMENT_KERNEL(any, any, uint, bool, 0u, (v != 0 ? 1u : 0u))
GROUP_KERNEL(max, max, V, T, V(MAX_INIT), v)
GROUP_KERNEL(min, min, V, T, V(MIN_INIT), v)
GROUP_KERNEL(all, all, uint, bool, 1u, (v != 0 ? 1u : 0u))
GROUP_KERNEL(any, any, uint, bool, 0u, (v != 0 ? 1u : 0u))

REDUCE_KERNEL(max, max, V, T, V(MAX_INIT), v)
REDUCE_KERNEL(min, min, V, T, V(MIN_INIT), v)
REDUCE_KERNEL(all, all, uint, bool, 1u, (v != 0 ? 1u : 0u))
REDUCE_KERNEL(any, any, uint, bool, 0u, (v != 0 ? 1u : 0u))
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
inline bool arg_better(long x, uint xi, long y, uint yi, bool gt) { return (gt ? x > y : x < y) || (x == y && xi < yi); }
inline bool arg_better(ulong x, uint xi, ulong y, uint yi, bool gt) { return (gt ? x > y : x < y) || (x == y && xi < yi); }

/** Arg-reductions: indices are uint (MLX's result dtype; the host refuses segments of 2^32 or more). */
#define ARG_SEGMENT_KERNEL(NAME, GT)                                                                       \
  kernel void segments_##NAME(device uint* out [[buffer(0)]], device const T* x [[buffer(1)]],             \
                              constant IDX* p [[buffer(2)]], uint2 pos [[thread_position_in_grid]],         \
                              uint2 size [[threads_per_grid]]) {                                           \
    IDX o = linear_id(pos, size);                                                                          \
    if (o >= p[0]) return;                                                                                 \
    IDX base = kept_offset(p, o), R = p[1];                                                                \
    V best = V(0);                                                                                         \
    uint bi = 0xffffffffu;                                                                                 \
    for (IDX r = 0; r < R; r++) {                                                                          \
      V v = V(x[base + reduced_offset(p, r)]);                                                             \
      if (bi == 0xffffffffu || arg_better(v, uint(r), best, bi, GT)) { best = v; bi = uint(r); }           \
    }                                                                                                      \
    out[o] = bi == 0xffffffffu ? 0u : bi;                                                                  \
  }

ARG_SEGMENT_KERNEL(argmax, true)
ARG_SEGMENT_KERNEL(argmin, false)

#define ARG_GROUP_KERNEL(NAME, GT)                                                                         \
  kernel void groups_##NAME(device uint* out [[buffer(0)]], device const T* x [[buffer(1)]],               \
                            constant IDX* p [[buffer(2)]], LANE_IDS) {                                     \
    threadgroup V pv[256];                                                                                 \
    threadgroup uint pi[256];                                                                              \
    lane_of l = lane_place(p, gpos, gcount, t, nt);                                                        \
    V best = V(0);                                                                                         \
    uint bi = 0xffffffffu;                                                                                 \
    if (l.valid) {                                                                                         \
      for (IDX r = IDX(l.lane); r < l.R; r += IDX(l.lanes)) {                                              \
        V v = V(x[lane_offset(p, l, r)]);                                                                  \
        if (bi == 0xffffffffu || arg_better(v, uint(r), best, bi, GT)) { best = v; bi = uint(r); }         \
      }                                                                                                    \
    }                                                                                                      \
    pv[t] = best;                                                                                          \
    pi[t] = bi;                                                                                            \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
    if (l.valid && l.lane == 0) {                                                                          \
      for (uint k = 1; k < l.lanes; k++) {                                                                 \
        V ov = pv[t + k];                                                                                  \
        uint oi = pi[t + k];                                                                               \
        if (oi != 0xffffffffu && (bi == 0xffffffffu || arg_better(ov, oi, best, bi, GT))) { best = ov; bi = oi; } \
      }                                                                                                    \
      out[l.o] = bi == 0xffffffffu ? 0u : bi;                                                              \
    }                                                                                                      \
  }

ARG_GROUP_KERNEL(argmax, true)
ARG_GROUP_KERNEL(argmin, false)

#define ARG_KERNEL(NAME, GT)                                                                               \
  kernel void reduce_##NAME(device uint* out [[buffer(0)]], device const T* x [[buffer(1)]],               \
                            constant IDX* p [[buffer(2)]], GROUP_IDS) {                                    \
    threadgroup V pv[32];                                                                                  \
    threadgroup uint pi[32];                                                                               \
    IDX o = linear_id(gpos, gcount);                                                                       \
    if (o >= p[0]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */                \
    IDX base = kept_offset(p, o), R = p[1];                                                                \
    V best = V(0);                                                                                         \
    uint bi = 0xffffffffu;                                                                                 \
    for (IDX r = IDX(t); r < R; r += IDX(nt)) {                                                            \
      V v = V(x[base + reduced_offset(p, r)]);                                                             \
      if (bi == 0xffffffffu || arg_better(v, uint(r), best, bi, GT)) { best = v; bi = uint(r); }           \
    }                                                                                                      \
    for (ushort s = 16; s > 0; s >>= 1) {                                                                  \
      V ov = shuffle_down(best, s);                                                                   \
      uint oi = shuffle_down(bi, s);                                                                  \
      if (oi != 0xffffffffu && (bi == 0xffffffffu || arg_better(ov, oi, best, bi, GT))) { best = ov; bi = oi; } \
    }                                                                                                      \
    if (lane == 0) { pv[sg] = best; pi[sg] = bi; }                                                         \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                       \
    if (sg == 0) {                                                                                         \
      bool has = lane < (nt + 31) / 32;                                                                    \
      best = has ? pv[lane] : V(0);                                                                        \
      bi = has ? pi[lane] : 0xffffffffu;                                                                   \
      for (ushort s = 16; s > 0; s >>= 1) {                                                                \
        V ov = shuffle_down(best, s);                                                                 \
        uint oi = shuffle_down(bi, s);                                                                \
        if (oi != 0xffffffffu && (bi == 0xffffffffu || arg_better(ov, oi, best, bi, GT))) { best = ov; bi = oi; } \
      }                                                                                                    \
      if (lane == 0) out[o] = bi == 0xffffffffu ? 0u : bi;                                                 \
    }                                                                                                      \
  }

ARG_KERNEL(argmax, true)
ARG_KERNEL(argmin, false)
#endif
