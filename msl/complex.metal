// Elementwise kernels of complex64 (float2: x real, y imaginary part), the
// library the host compiles in place of elementwise.metal for complex inputs:
// the same kernel names and params (unary_<name>, binary_<name>,
// astype_<dtype>, where_op, copy), one thread per output element, operands read
// through their strides. The math is the CPU reference's formulas
// (backends/cpu/complex.ts) in float32, with its special values.
// The host defines before this file:
//   UNARY_OPS(X)   X(name, functor, output type) for each unary op defined on complex64
//   BINARY_OPS(X)  the same for binary ops
//   CASTS(X)       X(dtype name, output type, expression of `z` (float2) or `a` (its real part))

// ---- bits, powers of two and the wide path ----
// Products and quotients of parts past the float32 formulas' range are taken on
// the wide path: s 2^e with s = +-[1, 2) (or a signed zero, e = 0) and e unbounded,
// rounded once at the end (onto the subnormal grid in integer arithmetic), the
// reference's float64 values where a float32 step would overflow or underflow.

/** 2^k for an integer k in [-126, 127], exactly. */
inline float pow2i(int k) { return as_type<float>(uint(k + 127) << 23); }
inline uint c_mag(float v) { return as_type<uint>(v) & 0x7fffffffu; }
inline bool c_nonzero(float v) { return c_mag(v) != 0u; }
/** The sign bit, NaN's excluded (the reference's b < 0 || b is -0). */
inline bool c_negative(float v) { return (as_type<uint>(v) & 0x80000000u) != 0u && !is_nan(v); }
inline float c_sign_as(float x, float s) { return as_type<float>((as_type<uint>(x) & 0x7fffffffu) | (as_type<uint>(s) & 0x80000000u)); }
inline bool c_nonzero2(float2 z) { return c_nonzero(z.x) || c_nonzero(z.y); }
inline bool c_finite2(float2 z) { return c_mag(z.x) < 0x7f800000u && c_mag(z.y) < 0x7f800000u; }
/** Both parts zero or of magnitude in [lo, hi) (bits of powers of two): the fast paths' cheap test. */
inline bool c_within(float2 z, uint lo, uint hi) {
  uint a = c_mag(z.x), b = c_mag(z.y);
  return (a == 0u || a - lo < hi - lo) && (b == 0u || b - lo < hi - lo);
}
/** 2^-63, 2^62: parts between them (or zero) multiply with no product overflowing or underflowing. */
constant uint C_MUL_LO = 0x20000000u;
constant uint C_MUL_HI = 0x5e800000u;
/** 2^-42, 2^42: parts between them keep every step of Smith's division normal. */
constant uint C_DIV_LO = 0x2a800000u;
constant uint C_DIV_HI = 0x54800000u;
/** 2^20: below it arctan's float32 quotient resolves the sign of its imaginary part, and power's w log z fits a pair. */
constant uint C_2P20 = 0x49800000u;
/** 2^60: from there on arcsin and arccos are their asymptotic forms (c_far). */
constant uint C_FAR = 0x5d800000u;
/** 2^-60: parts below it are lifted by 2^64 (on the bits) before they meet arithmetic that could flush them. */
constant uint C_TINY = 0x21800000u;
/** Cody-Waite's ln 2 = C_LN2_HI + C_LN2_LO (C_LN2_HI has 10 significant bits: k C_LN2_HI is exact for |k| < 2^14). */
constant float C_LN2_HI = 0.693359375f;
constant float C_LN2_LO = -2.12194440054690583e-4f;

/** |x| 2^64 for |x| < 2^-60, exact from the bits (subnormals included). */
inline float c_up64(float x) {
  uint m = c_mag(x);
  if (m < 0x00800000u) return float(m) * pow2i(-85);
  return as_type<float>(m + (64u << 23));
}
/** v 2^n rounded once for |v| in [1, 2): past the range an infinity, below 2^-126 onto the subnormal grid on the integer significand. */
inline float c_scale(float v, int n) {
  if (n > 127) return c_sign_as(F32_INF, v);
  if (n >= -126) return v * pow2i(n);
  if (n < -151) return c_sign_as(0.0f, v);
  uint m = uint(rint(fabs(v) * pow2i(n + 149)));
  return as_type<float>(m | (as_type<uint>(v) & 0x80000000u));
}

struct cwide {
  float s;
  int e;
};
struct cwide2 {
  cwide re, im;
};
/** A finite v as s 2^e, from the bits (subnormals normalized). */
inline cwide cw_of(float v) {
  uint m = c_mag(v);
  if (m == 0u) return cwide{v, 0};
  int e = int(m >> 23) - 127;
  if (m < 0x00800000u) {
    int lz = int(clz(m)) - 8;
    m = m << uint(lz);
    e = -126 - lz;
  }
  return cwide{as_type<float>((m & 0x7fffffu) | 0x3f800000u | (as_type<uint>(v) & 0x80000000u)), e};
}
/** s 2^e normalized, for a normal or zero s. */
inline cwide cw_norm(float s, int e) {
  cwide f = cw_of(s);
  return cwide{f.s, c_nonzero(s) ? f.e + e : 0};
}
/** The zero of a product or quotient of p and q (its sign on the bits). */
inline cwide cw_zero(cwide p, cwide q) { return cwide{as_type<float>((as_type<uint>(p.s) ^ as_type<uint>(q.s)) & 0x80000000u), 0}; }
inline cwide cw_neg(cwide p) { return cwide{-p.s, p.e}; }
inline cwide cw_mul(cwide p, cwide q) { return c_nonzero(p.s) && c_nonzero(q.s) ? cw_norm(p.s * q.s, p.e + q.e) : cw_zero(p, q); }
/** p / q for a nonzero q. */
inline cwide cw_div(cwide p, cwide q) { return c_nonzero(p.s) ? cw_norm(p.s / q.s, p.e - q.e) : cw_zero(p, q); }
/** p + q rounded once; a term 2^60 below the other is past the rounding and cannot cancel it; zeros sum as IEEE's. */
inline cwide cw_add(cwide p, cwide q) {
  bool pz = !c_nonzero(p.s), qz = !c_nonzero(q.s);
  if (pz && qz) return cwide{as_type<float>(as_type<uint>(p.s) & as_type<uint>(q.s) & 0x80000000u), 0};
  if (pz) return q;
  if (qz) return p;
  int e = max(p.e, q.e);
  float ps = p.e - e >= -60 ? p.s * pow2i(p.e - e) : 0.0f;
  float qs = q.e - e >= -60 ? q.s * pow2i(q.e - e) : 0.0f;
  return cw_norm(ps + qs, e);
}
/** |p| <= |q|. */
inline bool cw_le(cwide p, cwide q) {
  if (!c_nonzero(p.s)) return true;
  if (!c_nonzero(q.s)) return false;
  return p.e < q.e || (p.e == q.e && fabs(p.s) <= fabs(q.s));
}
/** p q + r t from the exact products of the significands (fma), rounded once: the float64 sum's accuracy, zeros as IEEE's. */
inline cwide cw_dot(cwide p, cwide q, cwide r, cwide t) {
  cwide pq = cw_mul(p, q), rt = cw_mul(r, t);
  if (!c_nonzero(pq.s) || !c_nonzero(rt.s)) return cw_add(pq, rt);
  int e1 = p.e + q.e, e2 = r.e + t.e, e = max(e1, e2);
  if (min(e1, e2) - e < -60) return cw_add(pq, rt);
  float u = p.s * q.s, v = r.s * t.s;
  float ul = fma(p.s, q.s, -u) * pow2i(e1 - e), vl = fma(r.s, t.s, -v) * pow2i(e2 - e);
  u = u * pow2i(e1 - e);
  v = v * pow2i(e2 - e);
  float h = u + v, bv = h - u, err = (u - (h - bv)) + (v - bv);
  return cw_norm(h + (err + (ul + vl)), e);
}
/** p as a float32, rounded once (past the range an infinity). */
inline float cw_to(cwide p) { return c_nonzero(p.s) ? c_scale(p.s, p.e) : p.s; }
inline float2 cw2_to(cwide2 q) { return float2(cw_to(q.re), cw_to(q.im)); }

/** Finite nonzero parts as +-1 (zeros, infinities, NaN kept): beside an infinite or NaN part the others count only by sign and zeroness. */
inline float c_unit(float v) { return c_mag(v) != 0u && c_mag(v) < 0x7f800000u ? c_sign_as(1.0f, v) : v; }

/** |z| scaled by its larger part, tiny parts from their exact 2^64 multiples; an infinite part wins over NaN (C's hypot). */
inline float c_abs(float2 z) {
  if (isinf(z.x) || isinf(z.y)) return F32_INF;
  if (is_nan(z.x) || is_nan(z.y)) return F32_NAN;
  bool xl = c_mag(z.x) >= c_mag(z.y);
  float m = fabs(xl ? z.x : z.y), s = fabs(xl ? z.y : z.x);
  if (!c_nonzero(m)) return 0.0f;
  if (c_mag(m) >= C_TINY) {
    float q = s / m;
    return m * sqrt(1.0f + q * q);
  }
  float mu = c_up64(m), q = c_up64(s) / mu;
  return cw_to(cw_norm(mu * sqrt(1.0f + q * q), -64));
}
struct cop_abs {
  float operator()(float2 z) const { return c_abs(z); }
};
struct cop_negative {
  float2 operator()(float2 z) const { return -z; }
};

/** x y; parts past 2^62 or below 2^-63 on the wide path; with an infinite or NaN part, the float64 sums of the parts as +-1. */
inline float2 c_mul(float2 x, float2 y) {
  if (c_within(x, C_MUL_LO, C_MUL_HI) && c_within(y, C_MUL_LO, C_MUL_HI)) return cmul(x, y);
  if (!c_finite2(x) || !c_finite2(y)) {
    float a = c_unit(x.x), b = c_unit(x.y), c = c_unit(y.x), d = c_unit(y.y);
    return float2(a * c - b * d, a * d + b * c);
  }
  cwide a = cw_of(x.x), b = cw_of(x.y), c = cw_of(y.x), d = cw_of(y.y);
  return float2(cw_to(cw_dot(a, c, cw_neg(b), d)), cw_to(cw_dot(a, d, b, c)));
}

/** Smith's division as the reference's float64 takes it, on wide parts (y nonzero). */
inline cwide2 c_div_wide(cwide a, cwide b, cwide c, cwide d) {
  if (cw_le(d, c)) {
    cwide r = cw_div(d, c), den = cw_add(c, cw_mul(d, r));
    return cwide2{cw_div(cw_add(a, cw_mul(b, r)), den), cw_div(cw_add(b, cw_neg(cw_mul(a, r))), den)};
  }
  cwide r = cw_div(c, d), den = cw_add(cw_mul(c, r), d);
  return cwide2{cw_div(cw_add(cw_mul(a, r), b), den), cw_div(cw_add(cw_mul(b, r), cw_neg(a)), den)};
}
/** A stand-in for a finite nonzero divisor of an infinite or NaN dividend: Smith's same branch, r and den of the same signs and zeroness. */
inline float2 c_div_proxy(float2 y) {
  float c = c_unit(y.x), d = c_unit(y.y);
  return fabs(y.y) <= fabs(y.x) ? float2(2.0f * c, d) : float2(c, 2.0f * d);
}
/**
 * x / y: Smith's formula in float32 for parts within [2^-42, 2^42) and for zero, infinite and NaN
 * divisors (the reference's special values); an infinite or NaN dividend over c_div_proxy's divisor; else the wide path.
 */
inline float2 c_div(float2 x, float2 y) {
  if ((c_within(x, C_DIV_LO, C_DIV_HI) && c_within(y, C_DIV_LO, C_DIV_HI)) || !c_nonzero2(y) || !c_finite2(y)) return cdiv_smith(x, y);
  if (!c_finite2(x)) return cdiv_smith(x, c_div_proxy(y));
  return cw2_to(c_div_wide(cw_of(x.x), cw_of(x.y), cw_of(y.x), cw_of(y.y)));
}

/**
 * a^2 - b^2 as (|a| - |b|)(|a| + |b|): no cancellation, a result that underflows keeps its sign, and
 * equal finite parts give +0 even where the squares would overflow (as the reference's float64 difference);
 * 2ab with the smaller part doubled (2ab's float32 product overflows only where 2ab does). Finite parts
 * past 2^62 or below 2^-63 on the wide path.
 */
struct cop_square {
  float2 operator()(float2 z) const {
    float a = fabs(z.x), b = fabs(z.y);
    bool same = a == b && !isinf(a);
    if (c_within(z, C_MUL_LO, C_MUL_HI) || !c_finite2(z)) {
      bool a_small = c_mag(z.x) <= c_mag(z.y);
      float im = a_small ? (z.x + z.x) * z.y : (z.y + z.y) * z.x;
      return float2(same ? 0.0f : (a - b) * (a + b), im);
    }
    cwide wa = cw_of(a), wb = cw_of(b), ab = cw_mul(cw_of(z.x), cw_of(z.y));
    float re = same ? 0.0f : cw_to(cw_mul(cw_add(wa, cw_neg(wb)), cw_add(wa, wb)));
    return float2(re, cw_to(cwide{ab.s, ab.e + 1}));
  }
};
/** 2^126: past it sqrt's 0.5 a + 0.5 |z| could overflow (a finite z is quartered). */
constant float C_HUGE = 8.50705917302346158658e37f;

/** The principal root of z (parts of normal size): the branch cut on the negative reals, a -0 imaginary part takes the lower side. */
inline float2 csqrt_core(float2 z) {
  float a = z.x, b = z.y;
  // C99 csqrt: an infinite imaginary part gives +inf + i b, whatever a is (NaN included)
  if (isinf(b)) return float2(F32_INF, b);
  if (!c_nonzero2(z)) return float2(0.0f, b);
  float r = c_abs(z);
  if (a >= 0.0f) {
    float t = sqrt(0.5f * a + 0.5f * r);
    return float2(t, b / (2.0f * t));
  }
  float t = sqrt(0.5f * r - 0.5f * a);
  return float2(fabs(b) / (2.0f * t), c_negative(b) ? -t : t);
}
/** Finite parts past 2^126 are scaled by 1/4 (|z| would overflow), parts below 2^-60 by 2^64 on the bits (subnormal steps lose bits). */
inline float2 c_sqrt(float2 z) {
  if (!c_finite2(z)) return csqrt_core(z);
  uint m = max(c_mag(z.x), c_mag(z.y));
  if (m > as_type<uint>(C_HUGE)) return 2.0f * csqrt_core(0.25f * z);
  if (m < C_TINY && m != 0u) return pow2i(-32) * csqrt_core(float2(c_sign_as(c_up64(z.x), z.x), c_sign_as(c_up64(z.y), z.y)));
  return csqrt_core(z);
}
struct cop_sqrt {
  float2 operator()(float2 z) const { return c_sqrt(z); }
};
struct cop_reciprocal {
  float2 operator()(float2 z) const { return c_div(float2(1.0f, 0.0f), z); }
};
/** e^a (cos b, sin b); past e^88 the factor is applied in two halves so a finite product does not overflow early. */
struct cop_exp {
  float2 operator()(float2 z) const {
    // a zero imaginary part stays (C99 cexp: exp(inf + 0i) = inf + 0i, where e^a sin(0) would be inf * 0)
    if (z.y == 0.0f) return float2(exp(z.x), z.y);
    float c = cos(z.y), s = sin(z.y);
    if (z.x <= 88.0f) {
      float e = exp(z.x);
      return float2(e * c, e * s);
    }
    float h = exp(0.5f * z.x);
    return float2(h * c * h, h * s * h);
  }
};
/** log1p(q^2) / 2 for q = s / m (m >= s >= 0, m finite nonzero): tiny parts from their exact 2^64 multiples. */
inline float c_log_ratio(float m, float s) {
  float q = c_mag(m) >= C_TINY ? s / m : c_up64(s) / c_up64(m);
  return 0.5f * log1p_f(q * q);
}
/** log m for a finite nonzero m >= 0 (below 2^-60 from its exact 2^64 multiple). */
inline float c_log_part(float m) { return c_mag(m) >= C_TINY ? log(m) : log(c_up64(m)) - 44.3614195558365f; }
/**
 * The principal logarithm log |z| + i atan2(b, a), the branch cut on the negative reals;
 * log |z| as log m + log1p(q^2) / 2 (m the larger part, q = smaller / m), so |z| never overflows or underflows.
 */
inline float2 c_log(float2 z) {
  float a = fabs(z.x), b = fabs(z.y);
  bool al = c_mag(z.x) >= c_mag(z.y);
  float m = al ? a : b, s = al ? b : a;
  float re = isinf(a) || isinf(b) ? F32_INF : is_nan(a) || is_nan(b) ? F32_NAN : !c_nonzero(m) ? -F32_INF : c_log_part(m) + c_log_ratio(m, s);
  return float2(re, atan2(z.y, z.x));
}
struct cop_log {
  float2 operator()(float2 z) const { return c_log(z); }
};
/** log z / ln 2 and log z / ln 10 (MLX). */
struct cop_log2 {
  float2 operator()(float2 z) const { return c_log(z) / 0.693147180559945309f; }
};
struct cop_log10 {
  float2 operator()(float2 z) const { return c_log(z) / 2.30258509299404568f; }
};
/**
 * 1 / sqrt(z) as the reference's Smith quotient. For a finite z off the real axis the result's real
 * part is positive and its imaginary part has Im z's opposite sign; a float32 root can lose a part to
 * underflow (sqrt(1 + 1e-45i)), so a zero left there takes the sign the reference's float64 root keeps.
 */
struct cop_rsqrt {
  float2 operator()(float2 z) const {
    float2 w = c_div(float2(1.0f, 0.0f), c_sqrt(z));
    if (!c_finite2(z) || !c_nonzero(z.y)) return w;
    if (!c_nonzero(w.x)) w.x = 0.0f;
    if (!c_nonzero(w.y)) w.y = c_sign_as(0.0f, -z.y);
    return w;
  }
};
/** Each part half to even (MLX). */
struct cop_round {
  float2 operator()(float2 z) const { return float2(rint(z.x), rint(z.y)); }
};
struct cop_sin {
  float2 operator()(float2 z) const { return float2(sin(z.x) * cosh(z.y), cos(z.x) * sinh(z.y)); }
};
struct cop_cos {
  float2 operator()(float2 z) const { return float2(cos(z.x) * cosh(z.y), -sin(z.x) * sinh(z.y)); }
};
/**
 * cosh(a) * t (sinh(a) * t when `odd`): a zero t gives a zero signed as the product. Past |a| = 80
 * (cosh = sinh = e^|a| / 2 in float32) e^|a| = e^r 2^k (r = |a| - k ln 2 with Cody-Waite's split ln 2),
 * t is lifted by 2^64 first and 2^(k-64) applied in two exact halves, so a product that is finite
 * (and normal) in the reference neither overflows early nor loses bits to a subnormal step.
 */
inline float hyp_times(float a, float t, bool odd) {
  if (t == 0.0f) return odd && signbit(a) ? -t : t;
  float x = fabs(a);
  float r;
  if (x < 80.0f) {
    r = (odd ? sinh(x) : cosh(x)) * t;
  } else if (x <= 200.0f) {
    int k = int(x * 1.44269504088896341f);
    float red = (x - float(k) * 0.693145751953125f) - float(k) * 1.42860682030941723212e-6f;
    int up = k - 1 - 64, half = up / 2;
    r = ((exp(red) * (t * 18446744073709551616.0f)) * pow2i(half)) * pow2i(up - half);
  } else {
    // e^200 times the smallest t already overflows float32; t's sign on the bits (a GPU that flushes subnormals takes t * inf for 0 * inf)
    r = is_nan(x) ? x : is_nan(t) ? t : c_sign_as(F32_INF, t);
  }
  return odd && signbit(a) ? -r : r;
}
struct cop_sinh {
  float2 operator()(float2 z) const { return float2(hyp_times(z.x, cos(z.y), true), hyp_times(z.x, sin(z.y), false)); }
};
struct cop_cosh {
  float2 operator()(float2 z) const { return float2(hyp_times(z.x, cos(z.y), false), hyp_times(z.x, sin(z.y), true)); }
};
/** tanh(x + iy) in Kahan's form; past |x| = 10 the real part is +-1 and the imaginary part 4 sin y cos y e^-2|x| (the reference's). */
inline float2 ctanh(float2 z) {
  float x = z.x, y = z.y;
  if (fabs(x) > 10.0f) return float2(x > 0.0f ? 1.0f : -1.0f, 4.0f * sin(y) * cos(y) * exp(-2.0f * fabs(x)));
  float t = tan(y), beta = 1.0f + t * t, s = sinh(x), rho = sqrt(1.0f + s * s), den = 1.0f + beta * s * s;
  return float2(beta * rho * s / den, t / den);
}
struct cop_tanh {
  float2 operator()(float2 z) const { return ctanh(z); }
};
/** tan z = -i tanh(iz). */
struct cop_tan {
  float2 operator()(float2 z) const {
    float2 w = ctanh(float2(-z.y, z.x));
    return float2(w.y, -w.x);
  }
};
/** z finite with a part of magnitude 2^60 or more: A = (|z + 1| + |z - 1|) / 2 is |z| to 2^-120, and float32's squares would overflow. */
inline bool c_far(float2 z) {
  uint m = max(c_mag(z.x), c_mag(z.y));
  return m >= C_FAR && m < 0x7f800000u;
}
/** v with s's sign (v itself where s is NaN): C99's signs of a part, on branch cuts and zeros. */
inline float c_part_sign(float v, float s) { return is_nan(s) ? v : c_sign_as(v, s); }
constant float C_HALF_PI = 1.57079632679489662f;
/** 2^-40: a Y below it beside X < 1 is past float32's rounding in A - 1 and A - X. */
constant uint C_2M40 = 0x2b800000u;
/**
 * (d, h) for finite X, Y >= 0 off [0, 1] of the real axis (Hull, Fairgrieve and Tang, as the reference's
 * arcsinParts): A = (|z + 1| + |z - 1|) / 2, d = sqrt(A^2 - X^2), h = acosh A = log1p((A - 1) + sqrt((A - 1)(A + 1))),
 * A - 1 and A - X from sums that do not cancel (R - (X + 1) = Y^2 / (R + X + 1), S - (1 - X) = Y^2 / (S + 1 - X));
 * d = Y sqrt(((A + X) / (R + X + 1) + (A + X) / (S + X - 1)) / 2) past X = 1 (no Y^2 to underflow). Past 2^60
 * A is |z|: d = Y and h = log |z| + ln 2. Below 2^-40 beside X < 1, d = sqrt((1 - X)(1 + X)) and h = Y / d.
 */
inline float2 c_arcsin_parts(float X, float Y) {
  if (c_far(float2(X, Y))) {
    float m = max(X, Y), s = min(X, Y);
    return float2(Y, c_log_part(m) + (c_log_ratio(m, s) + 0.693147180559945309f));
  }
  if (X < 1.0f && c_mag(Y) < C_2M40) {
    float d0 = sqrt((1.0f - X) * (1.0f + X));
    return float2(d0, Y / d0);
  }
  float R = c_abs(float2(X + 1.0f, Y)), S = c_abs(float2(X - 1.0f, Y)), A = 0.5f * (R + S), y2 = Y * Y;
  float r_minus = y2 / (R + X + 1.0f);
  float am1 = X < 1.0f ? 0.5f * (r_minus + y2 / (S + (1.0f - X))) : 0.5f * (r_minus + (S + (X - 1.0f)));
  float d = X <= 1.0f ? sqrt((A + X) * (0.5f * (r_minus + (S + (1.0f - X)))))
                      : Y * sqrt(0.5f * ((A + X) / (R + X + 1.0f) + (A + X) / (S + (X - 1.0f))));
  return float2(d, log1p_f(am1 + sqrt(am1 * (A + 1.0f))));
}
/**
 * C99's casin (`sine`) and cacos (NumPy's), accurate in each part (MLX's log formulas, -i log(iz + sqrt(1 - z^2)),
 * cancel next to the real axis): arcsin's real part atan2(X, d), arccos's atan2(d, x), the imaginary part h
 * (c_arcsin_parts); casin's parts take z's signs (odd, conjugate-symmetric), cacos's real part lies in [+0, pi]
 * and its imaginary part has the sign opposite to Im z's. Infinite and NaN parts as the reference's.
 */
inline float2 c_arcsin_or_arccos(float2 z, bool sine) {
  float X = fabs(z.x), Y = fabs(z.y);
  if (is_nan(z.x)) return float2(F32_NAN, isinf(Y) ? (sine ? z.y : -z.y) : F32_NAN);
  if (is_nan(z.y)) {
    if (!c_nonzero(X)) return float2(sine ? z.x : C_HALF_PI, F32_NAN);
    return float2(F32_NAN, isinf(X) ? (sine ? F32_INF : -F32_INF) : F32_NAN);
  }
  if (isinf(X) || isinf(Y)) {
    // A = |z| = inf: d stands for Y, X and Y for their limits (1 where infinite, else 0)
    float xl = isinf(X) ? 1.0f : 0.0f, yl = isinf(Y) ? 1.0f : 0.0f;
    if (sine) return float2(c_sign_as(atan2(xl, yl), z.x), c_sign_as(F32_INF, z.y));
    return float2(atan2(yl, c_sign_as(xl, z.x)), c_sign_as(F32_INF, -z.y));
  }
  if (!c_nonzero(z.y) && X <= 1.0f) {
    // on [-1, 1] the real function (its imaginary part exactly zero)
    return sine ? float2(asin(z.x), z.y) : float2(acos(z.x), c_sign_as(0.0f, -z.y));
  }
  float2 dh = c_arcsin_parts(X, Y);
  if (sine) return float2(c_sign_as(atan2(X, dh.x), z.x), c_sign_as(dh.y, z.y));
  return float2(atan2(dh.x, z.x), c_sign_as(dh.y, -z.y));
}
struct cop_arcsin {
  float2 operator()(float2 z) const { return c_arcsin_or_arccos(z, true); }
};
struct cop_arccos {
  float2 operator()(float2 z) const { return c_arcsin_or_arccos(z, false); }
};
/**
 * log of a wide quotient: log |q| + i atan2, both parts scaled by the larger's power of two (a part
 * 2^126 below it is a signed zero there: beside the other it counts only by sign).
 */
inline float2 c_log_wide(cwide2 q) {
  bool rz = !c_nonzero(q.re.s), iz = !c_nonzero(q.im.s);
  if (rz && iz) return float2(-F32_INF, atan2(q.im.s, q.re.s));
  int e = rz ? q.im.e : iz ? q.re.e : max(q.re.e, q.im.e);
  float a = rz || q.re.e - e < -126 ? c_sign_as(0.0f, q.re.s) : q.re.s * pow2i(q.re.e - e);
  float b = iz || q.im.e - e < -126 ? c_sign_as(0.0f, q.im.s) : q.im.s * pow2i(q.im.e - e);
  bool al = c_mag(a) >= c_mag(b);
  float m = fabs(al ? a : b), s = fabs(al ? b : a), k = float(e);
  return float2(k * C_LN2_HI + (log(m) + (c_log_ratio(m, s) + k * C_LN2_LO)), atan2(b, a));
}
/**
 * arctan z = log((1 + iz) / (1 - iz)) / 2i, as C99's catan (NumPy's) has it: for finite z = x + yi,
 * Kahan's parts atan2(2x, (1 - y)(1 + y) - x^2) / 2 and log1p(4|y| / ((1 - |y|)^2 + x^2)) / 4, whose
 * imaginary part does not cancel (the quotient's log |q| does, |q| lying near 1 for large |z|); parts
 * past 2^20 or below 2^-42 take them wide (the real part as the wide quotient's argument); an
 * infinite part gives +-pi/2 +- 0i, NaN parts as C99's. The parts take z's signs (catan is odd and conjugate-
 * symmetric), on the branch cuts and at zeros too: arctan(-0 + 1.5i) = -pi/2 + 0.80i.
 */
struct cop_arctan {
  float2 operator()(float2 z) const {
    // the poles +-i: +-0 +- inf i
    if (!c_nonzero(z.x) && fabs(z.y) == 1.0f) return float2(c_sign_as(0.0f, z.x), c_sign_as(F32_INF, z.y));
    // infinite and NaN parts as C99's catan (the reference's): an infinite part gives +-pi/2 +- 0i
    float X = fabs(z.x), Y = fabs(z.y);
    if (is_nan(z.x)) return float2(F32_NAN, !c_nonzero(Y) ? z.y : isinf(Y) ? c_sign_as(0.0f, z.y) : F32_NAN);
    if (is_nan(z.y)) return isinf(X) ? float2(c_sign_as(C_HALF_PI, z.x), 0.0f) : float2(F32_NAN, F32_NAN);
    if (isinf(X) || isinf(Y)) return float2(c_sign_as(C_HALF_PI, z.x), c_sign_as(0.0f, z.y));
    float re, im;
    if (c_within(z, C_DIV_LO, C_2P20)) {
      float below = 1.0f - z.y;
      re = 0.5f * atan2(2.0f * z.x, below * (1.0f + z.y) - z.x * z.x);
      // with |y|: 4|y| / ((1 - |y|)^2 + x^2) >= 0, no cancellation next to -1 (the sign comes last)
      float ay = fabs(z.y);
      im = 0.25f * log1p_f((4.0f * ay) / ((1.0f - ay) * (1.0f - ay) + z.x * z.x));
    } else {
      cwide a = cw_of(z.x), b = cw_of(z.y), one = cwide{1.0f, 0};
      cwide below = cw_add(one, cw_neg(b)), above = cw_add(one, b);
      cwide x2 = cw_mul(a, a), den = cw_add(cw_mul(above, above), x2);
      re = 0.5f * c_log_wide(cwide2{cw_div(cw_add(cw_mul(below, above), cw_neg(x2)), den), cw_div(cwide{a.s, a.e + 1}, den)}).y;
      // 4|y| / ((1 - |y|)^2 + x^2) >= 0: past 2^64 its log1p is its log
      cwide ab = cwide{fabs(b.s), b.e}, gap = cw_add(one, cw_neg(ab));
      cwide r = cw_div(cwide{ab.s, ab.e + 2}, cw_add(cw_mul(gap, gap), x2));
      im = 0.25f * (r.e >= 64 ? float(r.e) * C_LN2_HI + (log(r.s) + float(r.e) * C_LN2_LO) : log1p_f(cw_to(r)));
    }
    return float2(c_part_sign(re, z.x), c_part_sign(im, z.y));
  }
};
/** v 2^-e for a finite v with |v| < 2^(e+1): exact, or a zero of v's sign below 2^-126 (beside a part near 1 it is past rounding). */
inline float c_down(float v, int e) {
  cwide p = cw_of(v);
  return !c_nonzero(v) || p.e - e < -126 ? c_sign_as(0.0f, v) : p.s * pow2i(p.e - e);
}
/**
 * z / |z|, z itself at 0 (MLX): the reference's Smith quotient by the real |z|, ((a + 0 b) / |z|, (b - 0 a) / |z|);
 * a finite z is normalized on the bits first (its larger part in [1, 2)), so |z| neither overflows nor is a subnormal divisor.
 */
struct cop_sign {
  float2 operator()(float2 z) const {
    if (!c_nonzero2(z)) return z;
    float re = z.x + z.y * 0.0f, im = z.y - z.x * 0.0f;
    if (!c_finite2(z)) {
      float m = c_abs(z);
      return float2(re / m, im / m);
    }
    int e = cw_of(c_mag(z.x) >= c_mag(z.y) ? z.x : z.y).e;
    float m = c_abs(float2(c_down(z.x, e), c_down(z.y, e)));
    return float2(c_down(re, e) / m, c_down(im, e) / m);
  }
};
struct cop_isnan {
  bool operator()(float2 z) const { return is_nan(z.x) || is_nan(z.y); }
};
struct cop_isinf {
  bool operator()(float2 z) const { return isinf(z.x) || isinf(z.y); }
};
struct cop_isfinite {
  bool operator()(float2 z) const { return !is_nan(z.x) && !isinf(z.x) && !is_nan(z.y) && !isinf(z.y); }
};
struct cop_stopGradient {
  float2 operator()(float2 z) const { return z; }
};

struct cop_add {
  float2 operator()(float2 x, float2 y) const { return x + y; }
};
struct cop_subtract {
  float2 operator()(float2 x, float2 y) const { return x - y; }
};
struct cop_multiply {
  float2 operator()(float2 x, float2 y) const { return c_mul(x, y); }
};
struct cop_divide {
  float2 operator()(float2 x, float2 y) const { return c_div(x, y); }
};
/** MLX's order of complex64: by real part, ties by imaginary part; comparisons with a NaN part are false. */
inline bool c_after(float2 x, float2 y) { return x.x > y.x || (x.x == y.x && x.y > y.y); }
inline bool c_not_before(float2 x, float2 y) { return x.x > y.x || (x.x == y.x && x.y >= y.y); }
inline bool c_has_nan(float2 z) { return is_nan(z.x) || is_nan(z.y); }
struct cop_greater {
  bool operator()(float2 x, float2 y) const { return c_after(x, y); }
};
struct cop_greaterEqual {
  bool operator()(float2 x, float2 y) const { return c_not_before(x, y); }
};
struct cop_less {
  bool operator()(float2 x, float2 y) const { return c_after(y, x); }
};
struct cop_lessEqual {
  bool operator()(float2 x, float2 y) const { return c_not_before(y, x); }
};
/** A NaN in x returns x; otherwise the later (earlier) of the two, y on ties. */
struct cop_maximum {
  float2 operator()(float2 x, float2 y) const { return c_has_nan(x) || c_after(x, y) ? x : y; }
};
struct cop_minimum {
  float2 operator()(float2 x, float2 y) const { return c_has_nan(x) || c_after(y, x) ? x : y; }
};
/**
 * e^(t + tl) f for |tl| <= 2^-10, as the reference's float64 e^t times f: past e^+-87 e^t = 2^k e^r
 * (r = t - k ln 2) meets f on the wide path, so a finite product neither overflows early nor loses
 * bits (a zero f gives a signed zero up to float64's e^709.78, NaN past it).
 */
inline float c_exp_times(float t, float tl, float f) {
  if (!c_nonzero(f)) return is_nan(t) || t > 709.78f ? F32_NAN : f;
  if (fabs(t) < 87.0f || !isfinite(t) || !isfinite(f)) return (exp(t) * (1.0f + tl)) * f;
  float tc = clamp(t, -2000.0f, 2000.0f), k = rint(tc * 1.44269504088896341f);
  float r = (tc - k * C_LN2_HI) - k * C_LN2_LO;
  cwide g = cw_of(f);
  return cw_to(cw_norm((exp(r) * (1.0f + tl)) * g.s, g.e + int(k)));
}
/** a + b as the rounded sum and its exact error (Knuth's). */
inline float2 two_sum(float a, float b) {
  float s = a + b, bb = s - a;
  return float2(s, (a - (s - bb)) + (b - bb));
}
/** 2^-12, 2^12 and 2^20 (bits): the bases and exponents of power's plain formula. */
constant uint C_POW_LO = 0x39800000u;
constant uint C_POW_HI = 0x45800000u;
/**
 * z^w = exp(w log z) (MLX), 0^w = 0 (NaN when w has a NaN part). For finite w (parts below 2^20) and
 * bases outside [2^-12, 2^12], log |z| = k C_LN2_HI + rest (the first exact) makes w log z a pair (fma's
 * exact products), whose low parts correct e^t (a factor 1 + tl) and the phase (cos(p + pl) = cos p - pl sin p):
 * float32's rounding of log |z| ~ 88 would otherwise reach the result multiplied by |w log z|.
 */
struct cop_power {
  float2 operator()(float2 z, float2 w) const {
    if (!c_nonzero2(z)) return c_has_nan(w) ? float2(F32_NAN, F32_NAN) : float2(0.0f, 0.0f);
    float2 l = c_log(z);
    float t = w.x * l.x - w.y * l.y, phase = w.y * l.x + w.x * l.y;
    if (c_within(z, C_POW_LO, C_POW_HI) || !c_finite2(z) || !c_within(w, 0u, C_2P20)) {
      return float2(c_exp_times(t, 0.0f, cos(phase)), c_exp_times(t, 0.0f, sin(phase)));
    }
    // m = 2^k f with f in [sqrt(1/2), sqrt(2)) from the bits
    bool xl = c_mag(z.x) >= c_mag(z.y);
    float m = fabs(xl ? z.x : z.y), s = fabs(xl ? z.y : z.x);
    cwide fr = cw_of(m);
    bool high = fr.s > 1.41421356f;
    float k = float(high ? fr.e + 1 : fr.e), f = high ? 0.5f * fr.s : fr.s;
    float lh = k * C_LN2_HI, ll = log(f) + (c_log_ratio(m, s) + k * C_LN2_LO);
    float px = w.x * lh, py = w.y * lh;
    float2 tt = two_sum(px, fma(w.x, lh, -px) + (w.x * ll - w.y * l.y));
    float2 pp = two_sum(py, fma(w.y, lh, -py) + (w.y * ll + w.x * l.y));
    float th = tt.x, tl = tt.y, ph = pp.x, pl = pp.y;
    // an exactly zero phase keeps the formula's signed zero
    if (!c_nonzero(phase)) {
      ph = phase;
      pl = 0.0f;
    }
    float c = cos(ph), sn = sin(ph);
    float cc = c_nonzero(pl) ? c - pl * sn : c, sc = c_nonzero(pl) ? sn + pl * c : sn;
    return float2(c_exp_times(th, tl, cc), c_exp_times(th, tl, sc));
  }
};
struct cop_equal {
  bool operator()(float2 x, float2 y) const { return x.x == y.x && x.y == y.y; }
};
struct cop_notEqual {
  bool operator()(float2 x, float2 y) const { return x.x != y.x || x.y != y.y; }
};

#define ELEMENT_ID                                                                 \
  IDX e = linear_id(pos, size);                                                    \
  if (e >= p[0]) return;
#define ELEMENT_IDS uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]

#define UNARY_KERNEL(NAME, OP, OUT)                                                               \
  kernel void unary_##NAME(device OUT* out [[buffer(0)]], device const float2* a [[buffer(1)]],   \
                           constant IDX* p [[buffer(2)]], ELEMENT_IDS) {                          \
    ELEMENT_ID                                                                                    \
    out[e] = OP()(a[offset_of(p, 0, e)]);                                                         \
  }
UNARY_OPS(UNARY_KERNEL)

#define BINARY_KERNEL(NAME, OP, OUT)                                                                \
  kernel void binary_##NAME(device OUT* out [[buffer(0)]], device const float2* a [[buffer(1)]],    \
                            device const float2* b [[buffer(2)]], constant IDX* p [[buffer(3)]], ELEMENT_IDS) { \
    ELEMENT_ID                                                                                      \
    out[e] = OP()(a[offset_of(p, 0, e)], b[offset_of(p, 1, e)]);                                    \
  }
BINARY_OPS(BINARY_KERNEL)

/** astype from complex64: the real part `a` cast as a float32 would be (the reference's rule); to complex64, `z` as it is. */
#define CAST_KERNEL(NAME, OUT, EXPR)                                                              \
  kernel void astype_##NAME(device OUT* out [[buffer(0)]], device const float2* in [[buffer(1)]], \
                            constant IDX* p [[buffer(2)]], ELEMENT_IDS) {                        \
    ELEMENT_ID                                                                                   \
    float2 z = in[offset_of(p, 0, e)];                                                           \
    float a = z.x;                                                                               \
    (void)a;                                                                                     \
    out[e] = OUT(EXPR);                                                                          \
  }
CASTS(CAST_KERNEL)

kernel void where_op(device float2* out [[buffer(0)]], device const bool* c [[buffer(1)]], device const float2* a [[buffer(2)]],
                     device const float2* b [[buffer(3)]], constant IDX* p [[buffer(4)]], ELEMENT_IDS) {
  ELEMENT_ID
  out[e] = c[offset_of(p, 0, e)] ? a[offset_of(p, 1, e)] : b[offset_of(p, 2, e)];
}

kernel void copy(device float2* out [[buffer(0)]], device const float2* in [[buffer(1)]], constant IDX* p [[buffer(2)]], ELEMENT_IDS) {
  ELEMENT_ID
  out[offset_of(p, 0, e)] = in[offset_of(p, 1, e)];
}
