// Bitonic sort of (key, index) pairs, one segment (row) of n elements padded
// to P = 2^p pairs; the design of wgsl/sort.wgsl. Keys are unsigned images of the
// elements whose unsigned order is the element order (NaN the largest, -0
// equal to +0); ties break on the index, so the sort is stable. Keys (K) and
// indices (uint) are two buffers, pair g = row * P + position.
// Kernels (threadgroups of 256 threads, blocks of 1024 pairs):
//   sort_load    reads a block of pairs from x and sorts it in threadgroup
//                memory through every merge of width <= 1024 (within P);
//   sort_global  one compare-exchange per thread (merge width k, distance j >= 1024);
//   sort_merge   the steps j < 1024 of merge width k in threadgroup memory;
//   sort_values / sort_indices  output element e: x's element at the sorted index, or the index.
// The host defines T (the input storage type), K the key type (uint, or ulong for
// 64-bit integers), KEY(v) the element's key and KEY_PAD the largest key;
// IDX/UIDX as common.metal. params: [rows, n, P, M (pairs, a multiple of 1024), k, j].

#define BLOCK 1024

/** Whether pair (ka, ia) orders after (kb, ib). */
inline bool after(K ka, uint ia, K kb, uint ib) { return ka > kb || (ka == kb && ia > ib); }

/** Position of the first element of compare pair t at distance j. */
inline IDX first_of(IDX t, IDX j) { return 2 * j * (t / j) + t % j; }

/** Key images of IEEE bits b of width W (sign bit s, infinity bits inf). */
inline uint float_key(uint b, uint s, uint inf) {
  uint mag = b & (s - 1u);
  if (mag > inf) return 0xffffffffu;
  if (mag == 0u) return s;
  if ((b & s) != 0u) return (~b) & (s | (s - 1u));
  return b | s;
}

/** The steps of merge widths k_start..k_end (from distance j_first in the first, 0: k/2) on a block at pair `base`. */
inline void local_steps(threadgroup K* sk, threadgroup uint* si, IDX base, uint t, IDX P, IDX k_start, IDX k_end, IDX j_first) {
  for (IDX k = k_start; k <= k_end; k *= 2) {
    for (IDX j = (k == k_start && j_first != 0) ? j_first : k / 2; j > 0; j /= 2) {
      for (uint h = 0; h < 2; h++) {
        IDX c = IDX(t + h * 256);
        IDX a = first_of(c, j), b = a + j;
        bool asc = (((base + a) & (P - 1)) & k) == 0;
        K ka = sk[a], kb = sk[b];
        uint ia = si[a], ib = si[b];
        if (after(ka, ia, kb, ib) == asc) {
          sk[a] = kb; si[a] = ib; sk[b] = ka; si[b] = ia;
        }
      }
      threadgroup_barrier(mem_flags::mem_threadgroup);
    }
  }
}

kernel void sort_load(device K* keys [[buffer(0)]], device uint* idx [[buffer(1)]], device const T* x [[buffer(2)]],
                      constant IDX* p [[buffer(3)]], uint2 gpos [[threadgroup_position_in_grid]],
                      uint2 gcount [[threadgroups_per_grid]], uint t [[thread_index_in_threadgroup]]) {
  threadgroup K sk[BLOCK];
  threadgroup uint si[BLOCK];
  IDX rows = p[0], n = p[1], P = p[2];
  IDX base = linear_id(gpos, gcount) * BLOCK;
  for (uint h = 0; h < 4; h++) {
    IDX l = IDX(t + h * 256), g = base + l;
    IDX row = g / P, i = g % P;
    sk[l] = row < rows && i < n ? KEY(x[row * n + i]) : KEY_PAD;
    si[l] = uint(i);
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  local_steps(sk, si, base, t, P, 2, P < BLOCK ? P : BLOCK, 0);
  for (uint h = 0; h < 4; h++) {
    IDX l = IDX(t + h * 256);
    keys[base + l] = sk[l];
    idx[base + l] = si[l];
  }
}

kernel void sort_global(device K* keys [[buffer(0)]], device uint* idx [[buffer(1)]], constant IDX* p [[buffer(2)]],
                        uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX c = linear_id(pos, size);
  IDX P = p[2], M = p[3], k = p[4], j = p[5];
  if (c >= M / 2) return;
  IDX a = first_of(c, j), b = a + j;
  bool asc = ((a & (P - 1)) & k) == 0;
  K ka = keys[a], kb = keys[b];
  uint ia = idx[a], ib = idx[b];
  if (after(ka, ia, kb, ib) == asc) {
    keys[a] = kb; idx[a] = ib; keys[b] = ka; idx[b] = ia;
  }
}

kernel void sort_merge(device K* keys [[buffer(0)]], device uint* idx [[buffer(1)]], constant IDX* p [[buffer(2)]],
                       uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],
                       uint t [[thread_index_in_threadgroup]]) {
  threadgroup K sk[BLOCK];
  threadgroup uint si[BLOCK];
  IDX P = p[2], k = p[4];
  IDX base = linear_id(gpos, gcount) * BLOCK;
  for (uint h = 0; h < 4; h++) {
    IDX l = IDX(t + h * 256);
    sk[l] = keys[base + l];
    si[l] = idx[base + l];
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  local_steps(sk, si, base, t, P, k, k, BLOCK / 2);
  for (uint h = 0; h < 4; h++) {
    IDX l = IDX(t + h * 256);
    keys[base + l] = sk[l];
    idx[base + l] = si[l];
  }
}

kernel void sort_values(device T* out [[buffer(0)]], device const uint* idx [[buffer(1)]], device const T* x [[buffer(2)]],
                        constant IDX* p [[buffer(3)]], uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  IDX n = p[1], P = p[2];
  if (e >= p[0] * n) return;
  IDX row = e / n;
  out[e] = x[row * n + IDX(idx[row * P + e % n])];
}

kernel void sort_indices(device uint* out [[buffer(0)]], device const uint* idx [[buffer(1)]], constant IDX* p [[buffer(2)]],
                         uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  IDX n = p[1], P = p[2];
  if (e >= p[0] * n) return;
  out[e] = idx[(e / n) * P + e % n];
}
