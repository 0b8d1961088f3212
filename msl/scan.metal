// Scans along one axis (cumsum, cumprod, cummax, cummin, logcumsumexp). The
// host (backends/metal/scan.ts) strings three kernels together:
//   scan_tile: a threadgroup of 256 scans a tile of 2048 elements of a line:
//     a coalesced load into threadgroup memory, a serial scan of 8 elements
//     per thread, the thread totals scanned within each simdgroup (simd
//     prefix sums for float and uint sums, simd_shuffle_up steps otherwise),
//     the 8 simdgroup totals scanned by the first simdgroup, and the prefixes
//     combined back. With several tiles per line, each tile's total goes to
//     `totals`; the host scans those (exclusively, with these kernels) and
//   scan_fixup combines each tile's prefix into tiles 1 and later.
//   scan_lines: a thread per line scans it in order (short lines, or many
//     lines: adjacent threads then read adjacent lines).
// complex64 sums and products accumulate in float2 (real, imaginary part;
// products as complex numbers). Results are in the accumulator type A at the output's
// row-major offsets; the host casts narrower output dtypes afterwards. Scan
// position k of a line is axis index k, or n - 1 - k when reversed; a line's
// first element is never combined with the identity (keeps -0). Integer sums
// and products wrap.
// The host compiles one library per (input dtype, op, accumulator) and defines:
//   T the input storage type; V its compute type; A the accumulator;
//   COMBINE the functor (op_sum, op_prod, op_max, op_min, op_logaddexp);
//   IDENTITY the exclusive scan's first value (in A, within the output dtype's range).
// params: [n, lines, tiles, nk, axis in stride, axis out stride, input offset,
//          reverse, inclusive, kept shape[nk], kept in strides[nk], kept out strides[nk]]

#define TILE 2048
#define ITEMS 8

struct op_sum {
  float operator()(float a, float b) const { return a + b; }
  int operator()(int a, int b) const { return int(uint(a) + uint(b)); }
  uint operator()(uint a, uint b) const { return a + b; }
  long operator()(long a, long b) const { return long(ulong(a) + ulong(b)); }
  ulong operator()(ulong a, ulong b) const { return a + b; }
  float2 operator()(float2 a, float2 b) const { return a + b; }
};
struct op_prod {
  float operator()(float a, float b) const { return a * b; }
  int operator()(int a, int b) const { return int(uint(a) * uint(b)); }
  uint operator()(uint a, uint b) const { return a * b; }
  long operator()(long a, long b) const { return long(ulong(a) * ulong(b)); }
  ulong operator()(ulong a, ulong b) const { return a * b; }
  float2 operator()(float2 a, float2 b) const { return cmul(a, b); }
};
// op_max(a, b), a the earlier part and b the later: b wins a tie (+-0) and op_min keeps a, MLX's cpu rule; the first NaN stays.
struct op_max {
  float operator()(float a, float b) const { return is_nan(a) ? a : is_nan(b) ? b : (a > b ? a : b); }
  int operator()(int a, int b) const { return max(a, b); }
  uint operator()(uint a, uint b) const { return max(a, b); }
  long operator()(long a, long b) const { return a >= b ? a : b; }
  ulong operator()(ulong a, ulong b) const { return a >= b ? a : b; }
};
struct op_min {
  float operator()(float a, float b) const { return minimum_f(a, b); }
  int operator()(int a, int b) const { return min(a, b); }
  uint operator()(uint a, uint b) const { return min(a, b); }
  long operator()(long a, long b) const { return a <= b ? a : b; }
  ulong operator()(ulong a, ulong b) const { return a <= b ? a : b; }
};
struct op_logaddexp {
  float operator()(float a, float b) const { return logaddexp_f(a, b); }
};

/** The inclusive scan of `v` over the simdgroup's lanes, in lane order. */
template <class F>
inline A simd_scan(A v, uint lane, F f) {
  for (ushort d = 1; d < 32; d <<= 1) {
    A o = shuffle_up(v, d);
    if (lane >= d) v = f(o, v);
  }
  return v;
}
inline float simd_scan(float v, uint, op_sum) { return simd_prefix_inclusive_sum(v); }
inline uint simd_scan(uint v, uint, op_sum) { return simd_prefix_inclusive_sum(v); }

inline IDX axis_index(constant IDX* p, IDX k) { return p[7] != 0 ? p[0] - 1 - k : k; }

/** Offset of line l's first element: in the input (with the input offset) when `in`, else in the output. */
inline IDX line_offset(constant IDX* p, IDX l, bool in) {
  int nk = int(p[3]);
  IDX off = in ? p[6] : 0;
  int strides = 9 + nk * (in ? 1 : 2);
  UIDX rem = UIDX(l);
  for (int d = nk - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[9 + d]);
    off += IDX(rem % dim) * p[strides + d];
    rem /= dim;
  }
  return off;
}

kernel void scan_tile(device A* out [[buffer(0)]], device const T* x [[buffer(1)]], device A* totals [[buffer(2)]],
                      constant IDX* p [[buffer(3)]], uint2 gpos [[threadgroup_position_in_grid]],
                      uint2 gcount [[threadgroups_per_grid]], uint t [[thread_index_in_threadgroup]],
                      uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup A buf[TILE];
  threadgroup A sg_total[8];
  COMBINE f;
  IDX g = linear_id(gpos, gcount);
  IDX n = p[0], tiles = p[2];
  bool valid = g < p[1] * tiles;
  IDX line = valid ? g / tiles : 0;
  IDX start = (g % tiles) * TILE;
  IDX in_base = line_offset(p, line, true), out_base = line_offset(p, line, false);
  for (int j = 0; j < ITEMS; j++) {
    IDX k = start + IDX(t) + 256 * j;
    A v = A(IDENTITY);
    if (valid && k < n) v = A(V(x[in_base + axis_index(p, k) * p[4]]));
    buf[t + 256 * j] = v;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  A acc = buf[ITEMS * t];
  for (int j = 1; j < ITEMS; j++) {
    acc = f(acc, buf[ITEMS * t + j]);
    buf[ITEMS * t + j] = acc;
  }
  A incl = simd_scan(acc, lane, f);
  A lanes_before = shuffle_up(incl, 1);
  if (lane == 31) sg_total[sg] = incl;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (sg == 0) {
    A s = simd_scan(lane < 8 ? sg_total[lane] : A(IDENTITY), lane, f);
    if (lane < 8) sg_total[lane] = s;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (t > 0) {
    A before = sg > 0 ? sg_total[sg - 1] : lanes_before;
    if (sg > 0 && lane > 0) before = f(before, lanes_before);
    for (int j = 0; j < ITEMS; j++) buf[ITEMS * t + j] = f(before, buf[ITEMS * t + j]);
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (!valid) return;
  bool inclusive = p[8] != 0;
  for (int j = 0; j < ITEMS; j++) {
    IDX e = IDX(t) + 256 * j;
    IDX k = start + e;
    if (k < n) out[out_base + axis_index(p, k) * p[5]] = inclusive ? buf[e] : (e > 0 ? buf[e - 1] : A(IDENTITY));
  }
  if (tiles > 1 && t == 0) totals[g] = buf[TILE - 1];
}

kernel void scan_fixup(device A* out [[buffer(0)]], device const A* prefix [[buffer(1)]], constant IDX* p [[buffer(2)]],
                       uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],
                       uint t [[thread_index_in_threadgroup]]) {
  COMBINE f;
  IDX g = linear_id(gpos, gcount);
  IDX tiles = p[2];
  IDX tile = g % tiles;
  if (g >= p[1] * tiles || tile == 0) return;
  A pre = prefix[g];
  IDX out_base = line_offset(p, g / tiles, false);
  for (int j = 0; j < ITEMS; j++) {
    IDX k = tile * TILE + IDX(t) + 256 * j;
    if (k < p[0]) {
      IDX o = out_base + axis_index(p, k) * p[5];
      out[o] = f(pre, out[o]);
    }
  }
}

kernel void scan_lines(device A* out [[buffer(0)]], device const T* x [[buffer(1)]], constant IDX* p [[buffer(2)]],
                       uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  COMBINE f;
  IDX l = linear_id(pos, size);
  if (l >= p[1]) return;
  IDX in_base = line_offset(p, l, true), out_base = line_offset(p, l, false);
  bool inclusive = p[8] != 0;
  A acc = A(IDENTITY);
  for (IDX k = 0; k < p[0]; k++) {
    A v = A(V(x[in_base + axis_index(p, k) * p[4]]));
    IDX o = out_base + axis_index(p, k) * p[5];
    if (!inclusive) out[o] = acc;
    acc = k == 0 ? v : f(acc, v);
    if (inclusive) out[o] = acc;
  }
}
