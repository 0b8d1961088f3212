// Kernels that create data. arange: element e is start + e * step in the
// compute type C (float for float dtypes, exact int or uint arithmetic for
// integers, wrapping), stored as T; the upper half counts back from the last
// element, last - (n - 1 - e) * step, which the host computes as the reference
// does (so a linspace ends exactly on its stop). random_bits: Threefry-2x32 with 20 rounds
// in MLX's counter layout, bit for bit the CPU reference's: the output's words
// split in two halves; counter (i, half + odd + i) fills word i and word
// half + odd + i, and an odd word count takes the first word of counter (half, 0).
// The host defines T and C (arange's library only), and WIDE for int64 / uint64
// (arange_wide instead of arange).
// arange params: [n, start bits, step bits, last bits]; arange_wide params: [n, start
// low word, high word, step low, high]; random_bits params: [key offset, key stride, words, half, odd]

/** a + k * step and a - k * step, wrapping for integers (unsigned arithmetic: no signed overflow). */
inline float step_up(float a, IDX k, float step) { return a + float(k) * step; }
inline int step_up(int a, IDX k, int step) { return int(uint(a) + uint(k) * uint(step)); }
inline uint step_up(uint a, IDX k, uint step) { return a + uint(k) * step; }
inline float step_down(float a, IDX k, float step) { return a - float(k) * step; }
inline int step_down(int a, IDX k, int step) { return int(uint(a) - uint(k) * uint(step)); }
inline uint step_down(uint a, IDX k, uint step) { return a - uint(k) * step; }

#if defined(T) && !defined(WIDE)
kernel void arange(device T* out [[buffer(0)]], constant IDX* p [[buffer(1)]], uint2 pos [[thread_position_in_grid]],
                   uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size), n = p[0];
  if (e >= n) return;
  C start = as_type<C>(int(p[1]));
  C step = as_type<C>(int(p[2]));
  C last = as_type<C>(int(p[3]));
  out[e] = T(e < n / 2 ? step_up(start, e, step) : step_down(last, n - 1 - e, step));
}
#endif

#ifdef WIDE
/** arange of int64 / uint64: start + e * step in wrapping 64-bit arithmetic (exact: no float terms). */
kernel void arange_wide(device T* out [[buffer(0)]], constant IDX* p [[buffer(1)]], uint2 pos [[thread_position_in_grid]],
                        uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  ulong start = ulong(uint(p[1])) | (ulong(uint(p[2])) << 32ul);
  ulong step = ulong(uint(p[3])) | (ulong(uint(p[4])) << 32ul);
  out[e] = T(start + ulong(e) * step);
}
#endif

inline uint rotl(uint x, uint r) { return (x << r) | (x >> (32u - r)); }

inline uint2 threefry(uint k0, uint k1, uint c0, uint c1) {
  uint ks[3] = {k0, k1, k0 ^ k1 ^ 0x1bd11bdau};
  const uint rot[8] = {13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u};
  uint x0 = c0 + ks[0];
  uint x1 = c1 + ks[1];
  for (uint i = 0; i < 5u; i++) {
    for (uint j = 0; j < 4u; j++) {
      x0 = x0 + x1;
      x1 = rotl(x1, rot[(i % 2u) * 4u + j]);
      x1 = x1 ^ x0;
    }
    x0 = x0 + ks[(i + 1u) % 3u];
    x1 = x1 + ks[(i + 2u) % 3u] + i + 1u;
  }
  return uint2(x0, x1);
}

kernel void random_bits(device uint* out [[buffer(0)]], device const uint* key [[buffer(1)]], constant IDX* p [[buffer(2)]],
                        uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  uint k0 = key[p[0]], k1 = key[p[0] + p[1]];
  IDX i = linear_id(pos, size), half_words = p[3];
  uint odd = uint(p[4]);
  // counters are 32-bit words (MLX's layout); indices into the output are IDX
  if (i < half_words) {
    uint2 r = threefry(k0, k1, uint(i), uint(half_words + IDX(odd) + i));
    out[i] = r.x;
    out[half_words + IDX(odd) + i] = r.y;
  } else if (i == half_words && odd == 1u) {
    out[half_words] = threefry(k0, k1, uint(half_words), 0u).x;
  }
}
