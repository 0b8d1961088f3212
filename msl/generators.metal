// Kernels that create data. arange: element e of an integer dtype is start
// + e * step in exact wrapping arithmetic (C int or uint for 32 bits or fewer,
// 64-bit words for int64 / uint64). arange_float (float32, float16, bfloat16;
// backends/arange-plan.ts): element e > 0 is the exact start + e * step
// rounded once, as the 128-bit integer S = a +- jam((e * mt) << shl, jam)
// times 2^exponent, rounded to nearest even from its bits (subnormals,
// overflow to inf, a nonzero S that rounds to 0 keeps its sign); element 0 is
// start's bits; no float arithmetic. random_bits: Threefry-2x32 with 20 rounds
// in MLX's counter layout, bit for bit the CPU reference's, for a batch of
// keys: key b fills key_bytes consecutive bytes of the output with its own
// stream, whose words split in two halves; counter (i, half + odd + i) fills
// word i and word half + odd + i, and an odd word count takes the first word
// of counter (half, 0). One thread per (key, counter); runs that are not whole
// words are stored bytewise, as MLX's rbits does.
// The host defines T and C for integer arange (with WIDE for int64 / uint64:
// arange_wide), FLOAT_BITS (ushort or uint, the output word) for arange_float.
// arange params: [n, start bits, step bits]; arange_wide params: [n, start
// low word, high word, step low, high]; arange_float params: [n, first, mt low,
// mt high, negative, shl, jam, exponent, a (4 words, low first), precision,
// pos0, kmax, width - 1]; random_bits params: [keys, words, half, odd,
// key_bytes, key offset, pair stride, batch ndim, batch shape[ndim], batch strides[ndim]]

#if defined(T) && !defined(WIDE)
kernel void arange(device T* out [[buffer(0)]], constant IDX* p [[buffer(1)]], uint2 pos [[thread_position_in_grid]],
                   uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  // unsigned arithmetic wraps (no signed overflow)
  out[e] = T(C(uint(p[1]) + uint(e) * uint(p[2])));
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

#ifdef FLOAT_BITS
/** A 128-bit integer (two's complement where signed). */
struct Wide {
  ulong lo, hi;
};

inline Wide wide_add(Wide a, Wide b) {
  ulong lo = a.lo + b.lo;
  return Wide{lo, a.hi + b.hi + (lo < a.lo ? 1ul : 0ul)};
}
inline Wide wide_neg(Wide a) { return wide_add(Wide{~a.lo, ~a.hi}, Wide{1ul, 0ul}); }
/** a << s and a >> s (logical) for 0 <= s < 128. */
inline Wide wide_shl(Wide a, uint s) {
  if (s == 0u) return a;
  if (s >= 64u) return Wide{0ul, a.lo << (s - 64u)};
  return Wide{a.lo << s, (a.hi << s) | (a.lo >> (64u - s))};
}
inline Wide wide_shr(Wide a, uint s) {
  if (s == 0u) return a;
  if (s >= 64u) return Wide{a.hi >> (s - 64u), 0ul};
  return Wide{(a.lo >> s) | (a.hi << (64u - s)), a.hi >> s};
}
/** Whether a has a set bit below bit s. */
inline bool wide_bits_below(Wide a, uint s) {
  if (s <= 64u) return s != 0u && (s == 64u ? a.lo : a.lo & ((1ul << s) - 1ul)) != 0ul;
  return a.lo != 0ul || (a.hi & ((1ul << (s - 64u)) - 1ul)) != 0ul;
}

/** The float bits (no sign) of the magnitude s times 2^e rounded once to nearest even (params: precision, pos0, kmax). */
inline uint round_bits(Wide s, int e, int prec, int pos0, int kmax) {
  int length = s.hi != 0ul ? 128 - int(clz(s.hi)) : 64 - int(clz(s.lo));
  if (length == 0) return 0u;
  // drop q bits: to the precision, or to the least subnormal's grid; k is the kept grid's binade above pos0's
  int q = max(length - prec, pos0 - e);
  int k = e + q - pos0;
  if (k > kmax) return uint(kmax + 2) << uint(prec - 1);
  uint m;
  if (q <= 0) {
    m = uint(s.lo) << uint(-q);
  } else {
    // (past 127 every bit is dropped and the round bit is 0: the value is 0)
    uint r = uint(min(q, 127) - 1);
    uint t = uint(wide_shr(s, r).lo);
    m = t >> 1u;
    if ((t & 1u) != 0u && ((m & 1u) != 0u || wide_bits_below(s, r))) m += 1u;
  }
  // a carry to 2^prec moves into the next binade (or to inf) by itself
  return (uint(k) << uint(prec - 1)) + m;
}

kernel void arange_float(device FLOAT_BITS* out [[buffer(0)]], constant IDX* p [[buffer(1)]], uint2 pos [[thread_position_in_grid]],
                         uint2 size [[threads_per_grid]]) {
  IDX i = linear_id(pos, size);
  if (i >= p[0]) return;
  if (i == 0) {
    out[0] = FLOAT_BITS(uint(p[1]));
    return;
  }
  uint e = uint(i);
  ulong mt_lo = ulong(uint(p[2])), mt_hi = ulong(uint(p[3]));
  ulong low = ulong(e) * mt_lo, high = ulong(e) * mt_hi;  // e * mt = low + high * 2^32
  ulong lo = low + (high << 32u);
  Wide x = wide_shl(Wide{lo, (high >> 32u) + (lo < low ? 1ul : 0ul)}, uint(p[5]));
  uint jam = uint(p[6]);
  if (jam > 0u) {
    bool sticky = wide_bits_below(x, jam);
    x = wide_shr(x, jam);
    x.lo |= sticky ? 1ul : 0ul;
  }
  if (uint(p[4]) != 0u) x = wide_neg(x);
  Wide a = {ulong(uint(p[8])) | (ulong(uint(p[9])) << 32u), ulong(uint(p[10])) | (ulong(uint(p[11])) << 32u)};
  Wide s = wide_add(a, x);
  bool negative = (s.hi >> 63u) != 0ul;
  if (negative) s = wide_neg(s);
  uint bits = round_bits(s, int(p[7]), int(p[12]), int(p[13]), int(p[14]));
  out[i] = FLOAT_BITS(bits | (negative ? 1u << uint(p[15]) : 0u));
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

/** Stores `value` as word w of a key's run of `key_bytes` bytes at `run` (bytewise: runs need not be word-aligned; the last word may be cut). */
inline void store_stream_word(device uchar* run, IDX w, uint value, IDX key_bytes) {
  IDX first = w * 4;
  for (IDX j = 0; j < 4 && first + j < key_bytes; j++) run[first + j] = uchar(value >> uint(8 * j));
}

kernel void random_bits(device uint* out [[buffer(0)]], device const uint* key [[buffer(1)]], constant IDX* p [[buffer(2)]],
                        uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX keys = p[0], words = p[1], half_words = p[2], odd = p[3], key_bytes = p[4];
  IDX pairs = half_words + odd;
  IDX i = linear_id(pos, size);
  if (i >= keys * pairs) return;
  IDX b = i / pairs, c = i - b * pairs;
  // key b's first word: b unravelled over the batch shape, dotted with the batch strides (b < keys: the first dim needs no division)
  int nd = int(p[7]);
  IDX at = p[5], rem = b;
  for (int d = nd - 1; d > 0; d--) {
    at += (rem % p[8 + d]) * p[8 + nd + d];
    rem /= p[8 + d];
  }
  if (nd > 0) at += rem * p[8 + nd];
  uint k0 = key[at], k1 = key[at + p[6]];
  // counters are 32-bit words (MLX's layout)
  uint2 r = c < half_words ? threefry(k0, k1, uint(c), uint(pairs + c)) : threefry(k0, k1, uint(half_words), 0u);
  if (key_bytes % 4 == 0 || keys == 1) {
    // whole words per key (one key's spare bytes past its run are the buffer's padding)
    device uint* run = out + b * words;
    run[c] = r.x;
    if (c < half_words) run[pairs + c] = r.y;
    return;
  }
  device uchar* run = (device uchar*)out + b * key_bytes;
  store_stream_word(run, c, r.x, key_bytes);
  if (c < half_words) store_stream_word(run, pairs + c, r.y, key_bytes);
}
