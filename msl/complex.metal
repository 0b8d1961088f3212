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

struct cop_abs {
  float operator()(float2 z) const { return cabs(z); }
};
struct cop_negative {
  float2 operator()(float2 z) const { return -z; }
};
/**
 * a^2 - b^2 as (|a| - |b|)(|a| + |b|): no cancellation, a result that underflows keeps its sign, and
 * equal finite parts give +0 even where the squares would overflow (as the reference's float64 difference).
 */
struct cop_square {
  float2 operator()(float2 z) const {
    float a = fabs(z.x), b = fabs(z.y);
    float re = a == b && !isinf(a) ? 0.0f : (a - b) * (a + b);
    return float2(re, 2.0f * z.x * z.y);
  }
};
/** 2^126, 2^64, 2^-32 and 2^-100: the scales that keep sqrt's and log's intermediates finite and normal. */
constant float C_HUGE = 8.50705917302346158658e37f;
constant float C_UP = 18446744073709551616.0f;
constant float C_UP_ROOT = 2.3283064365386962890625e-10f;
constant float C_TINY = 7.88860905221011805412e-31f;

/** The principal root of z (parts of normal size): the branch cut on the negative reals, a -0 imaginary part takes the lower side. */
inline float2 csqrt_core(float2 z) {
  float a = z.x, b = z.y;
  // C99 csqrt: an infinite imaginary part gives +inf + i b, whatever a is (NaN included)
  if (isinf(b)) return float2(F32_INF, b);
  if (a == 0.0f && b == 0.0f) return float2(0.0f, b);
  float r = cabs(z);
  if (a >= 0.0f) {
    float t = sqrt(0.5f * a + 0.5f * r);
    return float2(t, b / (2.0f * t));
  }
  float t = sqrt(0.5f * r - 0.5f * a);
  return float2(fabs(b) / (2.0f * t), signbit(b) ? -t : t);
}
/** Finite parts past 2^126 are scaled by 1/4 (|z| would overflow), parts below 2^-100 by 2^64 (subnormal steps lose bits). */
struct cop_sqrt {
  float2 operator()(float2 z) const {
    float m = max(fabs(z.x), fabs(z.y));
    if (m > C_HUGE && !isinf(m)) return 2.0f * csqrt_core(0.25f * z);
    if (m < C_TINY && m > 0.0f) return C_UP_ROOT * csqrt_core(C_UP * z);
    return csqrt_core(z);
  }
};
struct cop_reciprocal {
  float2 operator()(float2 z) const { return cdiv(float2(1.0f, 0.0f), z); }
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
/**
 * The principal logarithm log |z| + i atan2(b, a), the branch cut on the negative reals;
 * log |z| as log m + log1p(q^2) / 2 (m the larger part, q = smaller / m), so |z| never overflows or underflows.
 */
struct cop_log {
  float2 operator()(float2 z) const {
    float a = fabs(z.x), b = fabs(z.y);
    float m = max(a, b), s = min(a, b);
    float re = isinf(a) || isinf(b) ? F32_INF : is_nan(a) || is_nan(b) ? F32_NAN : m == 0.0f ? -F32_INF : log(m) + 0.5f * log1p_f((s / m) * (s / m));
    return float2(re, atan2(z.y, z.x));
  }
};
/** log z / ln 2 and log z / ln 10 (MLX). */
struct cop_log2 {
  float2 operator()(float2 z) const { return cop_log()(z) / 0.693147180559945309f; }
};
struct cop_log10 {
  float2 operator()(float2 z) const { return cop_log()(z) / 2.30258509299404568f; }
};
struct cop_rsqrt {
  float2 operator()(float2 z) const { return cdiv(float2(1.0f, 0.0f), cop_sqrt()(z)); }
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
/** 2^k for an integer k in [-126, 127], exactly. */
inline float pow2i(int k) { return as_type<float>(uint(k + 127) << 23); }
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
    r = ((exp(red) * (t * C_UP)) * pow2i(half)) * pow2i(up - half);
  } else {
    r = is_nan(x) ? x : t * F32_INF;  // e^200 times the smallest t already overflows float32
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
/** sqrt(1 - z^2), shared by arcsin and arccos. */
inline float2 c_cosine(float2 z) { return cop_sqrt()(float2(1.0f, 0.0f) - cmul(z, z)); }
/** log u for u v = 1: log u itself when |u| >= |v|, else -log v (the reference's choice: no cancellation). */
inline float2 log_of_larger(float2 u, float2 v) { return cabs(u) >= cabs(v) ? cop_log()(u) : -cop_log()(v); }
/** MLX's definitions: arccos z = -i log(z + i sqrt(1 - z^2)). */
struct cop_arccos {
  float2 operator()(float2 z) const {
    float2 r = c_cosine(z);
    float2 y = log_of_larger(float2(z.x - r.y, z.y + r.x), float2(z.x + r.y, z.y - r.x));
    return float2(y.y, -y.x);
  }
};
/** arcsin z = -i log(iz + sqrt(1 - z^2)). */
struct cop_arcsin {
  float2 operator()(float2 z) const {
    float2 r = c_cosine(z);
    float2 y = log_of_larger(float2(r.x - z.y, r.y + z.x), float2(r.x + z.y, r.y - z.x));
    return float2(y.y, -y.x);
  }
};
/** arctan z = log((1 + iz) / (1 - iz)) / 2i. */
struct cop_arctan {
  float2 operator()(float2 z) const {
    float2 y = cop_log()(cdiv(float2(1.0f - z.y, z.x), float2(1.0f + z.y, -z.x)));
    return float2(0.5f * y.y, -0.5f * y.x);
  }
};
/** z / |z|, 0 at 0 (MLX). */
struct cop_sign {
  float2 operator()(float2 z) const { return z.x == 0.0f && z.y == 0.0f ? z : cdiv(z, float2(cabs(z), 0.0f)); }
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
  float2 operator()(float2 x, float2 y) const { return cmul(x, y); }
};
struct cop_divide {
  float2 operator()(float2 x, float2 y) const { return cdiv(x, y); }
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
/** z^w = exp(w log z) (MLX), 0^w = 0 (NaN when w has a NaN part); log |z| as cop_log computes it. */
struct cop_power {
  float2 operator()(float2 z, float2 w) const {
    if (z.x == 0.0f && z.y == 0.0f) return c_has_nan(w) ? float2(F32_NAN, F32_NAN) : float2(0.0f, 0.0f);
    float2 l = cop_log()(z);
    float mag = exp(w.x * l.x - w.y * l.y), phase = w.y * l.x + w.x * l.y;
    return float2(mag * cos(phase), mag * sin(phase));
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
