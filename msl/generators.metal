// Kernels that create data. arange: element e is start + e * step in the
// compute type C (float for float dtypes, exact int or uint arithmetic for
// integers, wrapping), stored as T. random_bits: Threefry-2x32 with 20 rounds
// in MLX's counter layout, bit for bit the CPU reference's: the output's words
// split in two halves; counter (i, half + odd + i) fills word i and word
// half + odd + i, and an odd word count takes the first word of counter (half, 0).
// The host defines T and C (arange's library only).
// arange params: [n, start bits, step bits]; random_bits params: [key offset, key stride, words, half, odd]

#ifdef T
kernel void arange(device T* out [[buffer(0)]], constant int* p [[buffer(1)]], uint e [[thread_position_in_grid]]) {
  if (e >= uint(p[0])) return;
  C start = as_type<C>(p[1]);
  C step = as_type<C>(p[2]);
  out[e] = T(start + C(e) * step);
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

kernel void random_bits(device uint* out [[buffer(0)]], device const uint* key [[buffer(1)]], constant int* p [[buffer(2)]],
                        uint i [[thread_position_in_grid]]) {
  uint k0 = key[p[0]], k1 = key[p[0] + p[1]];
  uint half_words = uint(p[3]), odd = uint(p[4]);
  if (i < half_words) {
    uint2 r = threefry(k0, k1, i, half_words + odd + i);
    out[i] = r.x;
    out[half_words + odd + i] = r.y;
  } else if (i == half_words && odd == 1u) {
    out[half_words] = threefry(k0, k1, half_words, 0u).x;
  }
}
