// Helpers every mlx-ts MSL library starts with (the host prepends this file):
// the index width, strided offsets, NaN-aware float helpers, and the scalar math MSL lacks or
// defines on a narrower domain than NumPy (expm1, log1p, erf, erfinv,
// sigmoid, logaddexp, C's pow, MLX's float floor division, NumPy's remainder,
// saturating float-to-integer casts), their 64-bit (long / ulong) versions, and
// shuffles of 64-bit words. Written in the MSL subset of
// native/src/emu/shim/metal_stdlib.h: C++14, no `if constexpr`.
#include <metal_stdlib>
using namespace metal;

// IDX / UIDX: the signed and unsigned index types of this library: int and uint,
// or long and ulong in the large variant the host compiles when a count, an
// offset, a params word or a bound buffer reaches 2^31. Every params block is an
// array of IDX.
#ifndef IDX
#define IDX int
#define UIDX uint
#endif

/** A thread's (or threadgroup's) linear id in a grid the host made 2-D when one dimension could not hold the count. */
inline IDX linear_id(uint2 pos, uint2 size) { return IDX(pos.y) * IDX(size.x) + IDX(pos.x); }

// An elementwise params block p: [n, ndim, shape[ndim], then per operand k:
// offset, strides[ndim]]. Element e's offset in operand k:
inline IDX offset_of(constant IDX* p, int k, IDX e) {
  int nd = int(p[1]);
  int base = 2 + nd + k * (1 + nd);
  UIDX rem = UIDX(e);
  IDX off = p[base];
  for (int d = nd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[2 + d]);
    off += IDX(rem % dim) * p[base + 1 + d];
    rem = rem / dim;
  }
  return off;
}

constant float F32_INF = INFINITY;
constant float F32_NAN = NAN;

inline bool is_nan(float x) { return x != x; }

inline float expm1_f(float x) {
  float u = exp(x);
  if (u == 1.0f) return x;
  float um1 = u - 1.0f;
  if (um1 == -1.0f || isinf(u)) return um1;
  // x / log(u) is about 1: dividing first keeps um1 * x from overflowing near the top of the range
  return um1 * (x / log(u));
}

inline float log1p_f(float x) {
  float u = 1.0f + x;
  if (u == 1.0f) return x;
  // log1p(+inf) = +inf; log1p(-inf) is NaN (x < -1), as log's
  if (isinf(u)) return x > 0.0f ? u : F32_NAN;
  return log(u) * (x / (u - 1.0f));
}

inline float sigmoid_f(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + exp(-x));
  float e = exp(x);
  return e / (1.0f + e);
}

// erf: the series 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1}/(2n+1)!! below 3, 1 - erfc by
// Laplace's continued fraction from 3 to 6, +-1 beyond.
inline float erf_f(float x) {
  if (is_nan(x)) return x;
  float a = fabs(x);
  float r;
  if (a < 3.0f) {
    float x2 = a * a, term = a, sum = a;
    for (int n = 1; n < 80; n++) {
      term = term * (2.0f * x2) / float(2 * n + 1);
      sum = sum + term;
      if (term < sum * 1e-8f) break;
    }
    r = 1.1283791670955126f * exp(-x2) * sum;
  } else if (a < 6.0f) {
    float f = 0.0f;
    for (int n = 60; n >= 1; n--) f = (float(n) * 0.5f) / (a + f);
    r = 1.0f - exp(-a * a) * 0.5641895835477563f / (a + f);
  } else {
    r = 1.0f;
  }
  return x < 0.0f ? -r : r;
}

inline float erfc_pos(float x) {
  if (x < 2.0f) return 1.0f - erf_f(x);
  float f = 0.0f;
  for (int n = 80; n >= 1; n--) f = (float(n) * 0.5f) / (x + f);
  return exp(-x * x) * 0.5641895835477563f / (x + f);
}

// erfinv: Winitzki's closed form, then Newton steps on erf (|y| <= 0.5) or on
// erfc against the exact tail 1 - |y|.
inline float erfinv_f(float y) {
  if (is_nan(y) || y < -1.0f || y > 1.0f) return F32_NAN;
  if (y == 1.0f) return F32_INF;
  if (y == -1.0f) return -F32_INF;
  if (y == 0.0f) return y;
  float a = fabs(y);
  float ln = log((1.0f - a) * (1.0f + a));
  float t = 2.0f / (3.14159265f * 0.147f) + ln * 0.5f;
  float x = sqrt(sqrt(t * t - ln / 0.147f) - t);
  float tail = 1.0f - a;
  for (int i = 0; i < 4; i++) {
    float d = 1.1283791670955126f * exp(-x * x);
    if (d == 0.0f) break;
    if (a <= 0.5f) x = x - (erf_f(x) - a) / d;
    else x = x + (erfc_pos(x) - tail) / d;
  }
  return y < 0.0f ? -x : x;
}

inline float logaddexp_f(float a, float b) {
  if (is_nan(a) || is_nan(b)) return a + b;
  if (a == b) return a + 0.6931471805599453f;
  float m = a > b ? a : b;
  return m + log1p_f(exp(-fabs(a - b)));
}

/** NaN-propagating maximum and minimum (NumPy's). */
inline float maximum_f(float a, float b) { return is_nan(a) ? a : is_nan(b) ? b : (a >= b ? a : b); }
inline float minimum_f(float a, float b) { return is_nan(a) ? a : is_nan(b) ? b : (a <= b ? a : b); }

/**
 * pow with C99's rules (F.9.4.4): negative bases with integer exponents, pow(x, 0) = 1, pow(1, y) = 1,
 * pow(-1, +-inf) = 1, and pow(-inf, y) = pow(+inf, y) (-0 or -inf for odd integer y): a
 * non-integer y gives NaN for finite negative bases only.
 */
inline float pow_f(float a, float b) {
  if (b == 0.0f || a == 1.0f || (a == -1.0f && isinf(b))) return 1.0f;
  if (is_nan(a) || is_nan(b)) return a + b;
  float p = pow(fabs(a), b);
  if (a > 0.0f) return p;
  bool odd = b == trunc(b) && fabs(b) < 16777216.0f && (int(b) & 1) == 1;
  if (a == 0.0f) {
    float z = b < 0.0f ? F32_INF : 0.0f;
    return odd && as_type<uint>(a) == 0x80000000u ? -z : z;
  }
  if (b != trunc(b) && !isinf(a)) return F32_NAN;
  return odd ? -p : p;
}

/** NumPy's float remainder on the exact fmod (the divisor's sign; a zero takes the divisor's sign too). */
inline float remainder_f(float a, float b) {
  float m = fmod(a, b);
  if (m == 0.0f) return copysign(0.0f, b);
  return (m < 0.0f) != (b < 0.0f) ? m + b : m;
}
/**
 * a / b correctly rounded (to nearest even), whatever the device's division (the MSL table allows
 * 2.5 ulp, which next to an integer quotient would move floorDivide's floor): IEEE's special
 * cases, then long division of the 24-bit significands (subnormals normalized) into 25 quotient
 * bits and a sticky bit, rounded on the bits to a normal, subnormal or infinite result (the
 * webgpu backend's div_long and div_round, wgsl/quotient.wgsl).
 */
inline float div_rn_f(float a, float b) {
  uint ua = as_type<uint>(a), ub = as_type<uint>(b);
  uint ma = ua & 0x7fffffffu, mb = ub & 0x7fffffffu, sign = (ua ^ ub) & 0x80000000u;
  if (ma > 0x7f800000u || mb > 0x7f800000u) return F32_NAN;
  if (ma == 0x7f800000u) return mb == 0x7f800000u ? F32_NAN : as_type<float>(sign | 0x7f800000u);
  if (mb == 0u) return ma == 0u ? F32_NAN : as_type<float>(sign | 0x7f800000u);
  if (ma == 0u || mb == 0x7f800000u) return as_type<float>(sign);
  // significands in [2^23, 2^24) and unbiased exponents
  int ea = int(ma >> 23) - 127, eb = int(mb >> 23) - 127;
  if (ma < 0x800000u) { int s = int(clz(ma)) - 8; ma <<= uint(s); ea = -126 - s; } else ma = (ma & 0x7fffffu) | 0x800000u;
  if (mb < 0x800000u) { int s = int(clz(mb)) - 8; mb <<= uint(s); eb = -126 - s; } else mb = (mb & 0x7fffffu) | 0x800000u;
  // the quotient q 2^(e - 24), q in [2^24, 2^25): 23 fraction bits and the rounding bit
  int e = ea - eb;
  if (ma < mb) { ma <<= 1; e--; }
  uint q = 0u;
  for (int i = 0; i < 25; i++) {
    q <<= 1;
    if (ma >= mb) { ma -= mb; q |= 1u; }
    ma <<= 1;
  }
  bool sticky = ma != 0u;
  int biased = e + 127;
  if (biased >= 255) return as_type<float>(sign | 0x7f800000u);
  uint sig, rb, top = 0u;
  if (biased >= 1) {
    sig = q >> 1;
    rb = q & 1u;
    top = uint(biased - 1) << 23;
  } else {
    // a subnormal result: the significand in units of 2^-149 is q 2^(biased - 2)
    uint s = uint(2 - biased);
    if (s >= 26u) return as_type<float>(sign);
    sig = q >> s;
    rb = (q >> (s - 1u)) & 1u;
    sticky = sticky || (q & ((1u << (s - 1u)) - 1u)) != 0u;
  }
  sig += (rb == 1u && (sticky || (sig & 1u) == 1u)) ? 1u : 0u;
  // a carry out of the significand moves into the exponent field (to infinity past the largest finite)
  return as_type<float>(sign | (top + sig));
}

/**
 * MLX's float floor division, floor(a / b) of the quotient rounded to the result's dtype: q is
 * div_rn_f(a, b), rounded again to half or bfloat for those dtypes (elementwise.metal), so
 * 1 // 0.1 is 10 (NumPy floors the exact quotient: 9). On the bits outside [1, 2^23): a device
 * may flush a subnormal quotient, whose floor would then lose the -1 of a negative one.
 */
inline float floor_quotient(float q) {
  uint u = as_type<uint>(q), m = u & 0x7fffffffu;
  if (m >= 0x4b000000u) return q;
  if (m >= 0x3f800000u) return floor(q);
  return as_type<float>(u > 0x80000000u ? 0xbf800000u : (u & 0x80000000u));
}

/** Integer division never traps: x / 0 and x % 0 are 0, INT_MIN / -1 wraps. */
inline int floor_divide_i(int a, int b) {
  if (b == 0) return 0;
  if (b == -1) return int(0u - uint(a));
  int q = a / b;
  return ((a % b != 0) && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int remainder_i(int a, int b) {
  if (b == 0 || b == -1) return 0;
  int m = a % b;
  return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
}

/** Integer powers wrap at 32 bits; a negative exponent gives 0 whatever the base (MLX's rule). */
inline uint pow_u(uint a, uint b) {
  uint r = 1u, base = a, e = b;
  while (e > 0u) {
    if ((e & 1u) == 1u) r = r * base;
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
inline int pow_i(int a, int b) {
  if (b < 0) return 0;
  return int(pow_u(uint(a), uint(b)));
}

/** float -> integer casts: truncate, saturate to [lo, hi], NaN -> 0. */
inline int f32_to_i32_sat(float v, float lo, float hi) {
  if (is_nan(v)) return 0;
  float c = clamp(trunc(v), lo, hi);
  if (c >= 2147483647.0f) return 2147483647;
  return int(c);
}
inline uint f32_to_u32_sat(float v, float hi) {
  if (is_nan(v) || v <= 0.0f) return 0u;
  float c = min(trunc(v), hi);
  if (c >= 4294967295.0f) return 4294967295u;
  return uint(c);
}

// 64-bit integers (long, ulong): the same rules as the 32-bit helpers above.
inline long floor_divide_l(long a, long b) {
  if (b == 0) return 0;
  if (b == -1) return long(0ul - ulong(a));
  long q = a / b;
  return ((a % b != 0) && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline long remainder_l(long a, long b) {
  if (b == 0 || b == -1) return 0;
  long m = a % b;
  return (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
}
inline ulong pow_ul(ulong a, ulong b) {
  ulong r = 1ul, base = a, e = b;
  while (e > 0ul) {
    if ((e & 1ul) == 1ul) r = r * base;
    base = base * base;
    e = e >> 1ul;
  }
  return r;
}
inline long pow_l(long a, long b) {
  if (b < 0) return 0;
  return long(pow_ul(ulong(a), ulong(b)));
}

/** float -> 64-bit integer casts: truncate, saturate to the type's range, NaN -> 0. */
inline long f32_to_i64_sat(float v) {
  if (is_nan(v)) return 0;
  if (v >= 9223372036854775808.0f) return 9223372036854775807l;
  if (v <= -9223372036854775808.0f) return -9223372036854775807l - 1l;
  return long(trunc(v));
}
inline ulong f32_to_u64_sat(float v) {
  if (is_nan(v) || v <= 0.0f) return 0ul;
  if (v >= 18446744073709551616.0f) return 18446744073709551615ul;
  return ulong(trunc(v));
}

/**
 * A 64-bit integer as a float rounded to odd (truncated to 24 significant bits, the last set
 * when any bit was dropped): rounding that once more to half or bfloat gives the correctly
 * rounded result, where float(a) would round twice.
 */
inline float u64_to_f32_odd(ulong m) {
  int s = 0;
  while ((m >> ulong(s)) >= 16777216ul) s++;
  ulong top = m >> ulong(s);
  if (s > 0 && (m & ((1ul << ulong(s)) - 1ul)) != 0ul) top = top | 1ul;
  return float(top) * float(1ul << ulong(s));
}
inline float i64_to_f32_odd(long a) {
  float f = u64_to_f32_odd(a < 0 ? 0ul - ulong(a) : ulong(a));
  return a < 0 ? -f : f;
}

/** simd_shuffle_down / simd_shuffle_up of any scalar: 64-bit integers travel as two 32-bit words (Metal shuffles 32-bit lanes). */
template <class W> inline W shuffle_down(W x, ushort d) { return simd_shuffle_down(x, d); }
inline long shuffle_down(long x, ushort d) { return as_type<long>(simd_shuffle_down(as_type<uint2>(x), d)); }
inline ulong shuffle_down(ulong x, ushort d) { return as_type<ulong>(simd_shuffle_down(as_type<uint2>(x), d)); }
template <class W> inline W shuffle_up(W x, ushort d) { return simd_shuffle_up(x, d); }
inline long shuffle_up(long x, ushort d) { return as_type<long>(simd_shuffle_up(as_type<uint2>(x), d)); }
inline ulong shuffle_up(ulong x, ushort d) { return as_type<ulong>(simd_shuffle_up(as_type<uint2>(x), d)); }

// complex64 as float2 (x: real part, y: imaginary part), the CPU reference's
// formulas evaluated in float32 (backends/cpu/complex.ts). cfloat names the
// type where a declaration could read as a vector constructor (threadgroup arrays).
typedef float2 cfloat;
inline float2 cmul(float2 x, float2 y) { return float2(fma(x.x, y.x, -x.y * y.y), fma(x.x, y.y, x.y * y.x)); }
/** Smith's division: the larger divisor component scales the other (no overflow of c^2 + d^2). */
inline float2 cdiv_smith(float2 x, float2 y) {
  float a = x.x, b = x.y, c = y.x, d = y.y;
  if (fabs(c) >= fabs(d)) {
    if (c == 0.0f && d == 0.0f) return float2(a / c, b / c);
    float r = d / c, den = c + d * r;
    return float2((a + b * r) / den, (b - a * r) / den);
  }
  float r = c / d, den = c * r + d;
  return float2((a * r + b) / den, (b * r - a) / den);
}
/** x / y; a finite divisor past 2^126 is quartered first (x / (y / 4) / 4), so Smith's denominator cannot overflow. */
inline float2 cdiv(float2 x, float2 y) {
  float m = max(fabs(y.x), fabs(y.y));
  if (m > 8.50705917302346158658e37f && !isinf(m)) return 0.25f * cdiv_smith(x, 0.25f * y);
  return cdiv_smith(x, y);
}
/** |z| scaled by its larger component (no overflow or underflow of the squares); an infinite part wins over NaN (C's hypot). */
inline float cabs(float2 z) {
  float a = fabs(z.x), b = fabs(z.y);
  if (isinf(a) || isinf(b)) return F32_INF;
  if (is_nan(a) || is_nan(b)) return F32_NAN;
  float m = max(a, b), s = min(a, b);
  if (m == 0.0f) return 0.0f;
  float q = s / m;
  return m * sqrt(1.0f + q * q);
}
