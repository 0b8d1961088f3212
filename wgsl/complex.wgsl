// complex64 arithmetic for the WebGPU kernels: a value is a vec2<f32> (x: real,
// y: imaginary part), stored as two u32 words (codegen.ts inputDecl). The
// formulas are the CPU reference's (backends/cpu/complex.ts) in float32 on
// mlx-ts's own math library (math-*.wgsl, not the driver's builtins), scaled
// so that no intermediate overflows or underflows where the result does not;
// zero, NaN and infinity tests are made on the bits (a driver that flushes
// subnormals cannot change them). Prepended after math.wgsl; no slots.

/** A complex64 value in a kernel's slots (codegen.ts compute type "c64"). */
alias c64 = vec2<f32>;

/** 2^126, the magnitude past which sqrt's 0.5 a + 0.5 |z| could overflow (a finite z is quartered). */
const C_HUGE = 8.50705917302346158658e37;

fn c_has_nan(z: vec2<f32>) -> bool { return is_nan(z.x) || is_nan(z.y); }
fn c_nonzero(z: vec2<f32>) -> bool { return mx_nonzero(z.x) || mx_nonzero(z.y); }
fn c_signbit(v: f32) -> bool { return bitcast<u32>(v) >= 0x80000000u; }
fn c_neg(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(mx_neg(z.x), mx_neg(z.y)); }
/** The bits of z's real part (half 0) or imaginary part (half 1): one output word of a scatter's fold. */
fn c_word(z: vec2<f32>, half: u32) -> u32 { return bitcast<u32>(select(z.x, z.y, half == 1u)); }

/** z * 2^64 exactly, for parts below 2^-60 in magnitude (subnormals included). */
fn c_up64(z: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(mx_sign_as(mx_up64(z.x), z.x), mx_sign_as(mx_up64(z.y), z.y));
}
/** |v| below 2^-60 (on the bits). */
fn c_tiny(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) < 0x21800000u; }

/** The larger and the smaller magnitude of z's parts (ordered on the bits). */
fn c_order(z: vec2<f32>) -> vec2<f32> {
  let a = mx_abs(z.x);
  let b = mx_abs(z.y);
  return select(vec2<f32>(a, b), vec2<f32>(b, a), f32_lt(a, b));
}

/** m sqrt(1 + (s/m)^2) for 0 <= s <= m, m normal. */
fn c_hypot_core(m: f32, s: f32) -> f32 {
  let q = mx_div(s, m).x;
  return m * mx_sqrt(1.0 + q * q);
}

/** |z| scaled by its larger part (no overflow, no underflow of the squares); an infinite part wins over NaN (C's hypot). */
fn c_abs(z: vec2<f32>) -> f32 {
  if (is_inf(z.x) || is_inf(z.y)) { return inf_f32(); }
  if (c_has_nan(z)) { return nan_f32(); }
  let ms = c_order(z);
  if (!mx_nonzero(ms.x)) { return 0.0; }
  if (c_tiny(ms.x)) { return mx_down64(c_hypot_core(mx_up64(ms.x), mx_up64(ms.y))); }
  return c_hypot_core(ms.x, ms.y);
}

fn c_mul(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(x.x * y.x - x.y * y.y, x.x * y.y + x.y * y.x);
}

/** n / d for a zero d: NaN for a zero or NaN n, else an infinity signed as the IEEE quotient. */
fn c_over_zero(n: f32, d: f32) -> f32 {
  if (!mx_nonzero(n) || is_nan(n)) { return nan_f32(); }
  return mx_inf(c_signbit(n) != c_signbit(d));
}

/** Smith's division: the larger divisor part scales the other (no overflow of c^2 + d^2). */
fn c_div_smith(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  let a = x.x; let b = x.y; let c = y.x; let d = y.y;
  if (f32_le(mx_abs(d), mx_abs(c))) {
    if (!c_nonzero(y)) { return vec2<f32>(c_over_zero(a, c), c_over_zero(b, c)); }
    let r = div_f(d, c);
    let den = c + d * r;
    return vec2<f32>(div_f(a + b * r, den), div_f(b - a * r, den));
  }
  let r = div_f(c, d);
  let den = c * r + d;
  return vec2<f32>(div_f(a * r + b, den), div_f(b * r - a, den));
}

fn c_finite(z: vec2<f32>) -> bool { return !(c_has_nan(z) || is_inf(z.x) || is_inf(z.y)); }

/** The unbiased exponent of z's larger part (z finite and nonzero), from the bits. */
fn c_exponent(z: vec2<f32>) -> i32 { return i32(mx_frexp(c_order(z).x).y); }

/**
 * v 2^n on the bits: exact where the result is normal; past 2^127 an infinity, below 2^-126 a
 * zero of v's sign (the callers scale by the larger part, beside which such a part is below
 * rounding); zeros, infinities and NaN as they are.
 */
fn c_ldexp(v: f32, n: i32) -> f32 {
  if (!mx_nonzero(v) || is_nan(v) || is_inf(v)) { return v; }
  let f = mx_frexp(mx_abs(v));
  let e = i32(f.y) + n;
  if (e < -126) { return mx_sign_as(0.0, v); }
  if (e > 127) { return mx_sign_as(inf_f32(), v); }
  return mx_sign_as(f.x * mx_two_pow(e), v);
}

/** z 2^n: mx_scale per part (rounded onto the subnormal grid on the bits), infinities and NaN as they are. */
fn c_scale(z: vec2<f32>, n: i32) -> vec2<f32> {
  let re = select(mx_scale(z.x, n), z.x, is_nan(z.x) || is_inf(z.x) || !mx_nonzero(z.x));
  let im = select(mx_scale(z.y, n), z.y, is_nan(z.y) || is_inf(z.y) || !mx_nonzero(z.y));
  return vec2<f32>(re, im);
}

/**
 * x / y. A finite nonzero divisor is normalized on the bits to a larger part in [1, 2), and so is
 * a finite nonzero dividend, the quotient of the two is scaled back by 2^(ex - ey): Smith's
 * numerators and denominator can neither overflow nor lose bits to subnormal steps, and every
 * division has a divisor of normal size (all WGSL specifies). Zero, infinite and NaN divisors
 * take Smith's formula as they are, as the reference does.
 */
fn c_div(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  if (!c_nonzero(y) || !c_finite(y)) { return c_div_smith(x, y); }
  let ey = c_exponent(y);
  let ex = select(0, c_exponent(x), c_nonzero(x) && c_finite(x));
  let q = c_div_smith(vec2<f32>(c_ldexp(x.x, -ex), c_ldexp(x.y, -ex)), vec2<f32>(c_ldexp(y.x, -ey), c_ldexp(y.y, -ey)));
  return c_scale(q, ex - ey);
}

/**
 * 1 / z, normalized as c_div; the numerator's zero imaginary part is folded in by hand, since a
 * compiler may rewrite 0 - v as -v (which flips a zero's sign against the reference's 0 - v).
 */
fn c_recip(z: vec2<f32>) -> vec2<f32> {
  if (!c_nonzero(z) || !c_finite(z)) { return c_recip_smith(z); }
  let e = c_exponent(z);
  return c_scale(c_recip_smith(vec2<f32>(c_ldexp(z.x, -e), c_ldexp(z.y, -e))), -e);
}

/** Smith's 1 / (c + di) as the reference computes (1 + 0i) / (c + di): (1 + 0 r) / den and (0 - r) / den, or (r + 0) / den and (0 r - 1) / den. */
fn c_recip_smith(y: vec2<f32>) -> vec2<f32> {
  let c = y.x; let d = y.y;
  if (f32_le(mx_abs(d), mx_abs(c))) {
    if (!c_nonzero(y)) { return vec2<f32>(c_over_zero(1.0, c), nan_f32()); }
    let r = div_f(d, c);
    let den = c + d * r;
    // 0 - r is +0 for either zero r; 1 + 0 r is NaN for an infinite r
    let re = select(1.0, nan_f32(), is_inf(r) || is_nan(r));
    return vec2<f32>(div_f(re, den), div_f(select(mx_neg(r), 0.0, !mx_nonzero(r)), den));
  }
  let r = div_f(c, d);
  let den = c * r + d;
  let im = select(-1.0, nan_f32(), is_inf(r) || is_nan(r));
  return vec2<f32>(div_f(select(r, 0.0, !mx_nonzero(r)), den), div_f(im, den));
}

/** a^2 - b^2 as (|a| - |b|)(|a| + |b|): no cancellation, and equal finite parts give +0 (the reference's exact difference). */
fn c_square(z: vec2<f32>) -> vec2<f32> {
  let a = mx_abs(z.x);
  let b = mx_abs(z.y);
  let re = select((a - b) * (a + b), 0.0, f32_eq(a, b) && !is_inf(a));
  return vec2<f32>(re, (z.x * z.y) * 2.0);
}

/** The principal root for parts of normal size: the branch cut on the negative reals, a -0 imaginary part takes the lower side. */
fn c_sqrt_core(z: vec2<f32>) -> vec2<f32> {
  let a = z.x; let b = z.y;
  // C99 csqrt: an infinite imaginary part gives +inf + i b, whatever a is (NaN included)
  if (is_inf(b)) { return vec2<f32>(inf_f32(), b); }
  if (!c_nonzero(z)) { return vec2<f32>(0.0, b); }
  let r = c_abs(z);
  if (f32_le(0.0, a)) {
    let t = mx_sqrt(0.5 * a + 0.5 * r);
    return vec2<f32>(t, b / (2.0 * t));
  }
  let t = mx_sqrt(0.5 * r - 0.5 * a);
  return vec2<f32>(mx_abs(b) / (2.0 * t), select(t, mx_neg(t), c_signbit(b)));
}

/** Finite parts past 2^126 are scaled by 1/4 (|z| would overflow), parts below 2^-60 by 2^64 (subnormal steps lose bits). */
fn c_sqrt(z: vec2<f32>) -> vec2<f32> {
  let m = c_order(z).x;
  if (m > C_HUGE && !is_inf(m)) { return 2.0 * c_sqrt_core(0.25 * z); }
  if (c_tiny(m) && mx_nonzero(m)) { return mx_two_pow(-32) * c_sqrt_core(c_up64(z)); }
  return c_sqrt_core(z);
}

/** e^a (cos b, sin b); past e^88 the factor is applied in two halves so that a finite product does not overflow early. */
fn c_exp(z: vec2<f32>) -> vec2<f32> {
  // a zero imaginary part stays (C99 cexp: exp(inf + 0i) = inf + 0i, where e^a sin(0) would be inf * 0)
  if (!mx_nonzero(z.y)) { return vec2<f32>(mx_exp(z.x), z.y); }
  let c = mx_cos(z.y);
  let s = mx_sin(z.y);
  if (z.x <= 88.0) {
    let e = mx_exp(z.x);
    return vec2<f32>(e * c, e * s);
  }
  let h = mx_exp(0.5 * z.x);
  return vec2<f32>((h * c) * h, (h * s) * h);
}

/**
 * The principal logarithm log |z| + i atan2(b, a), the branch cut on the negative reals;
 * log |z| as log m + log1p(q^2) / 2 (m the larger part, q = smaller / m), so |z| never overflows or underflows.
 */
fn c_log(z: vec2<f32>) -> vec2<f32> {
  let im = mx_atan2(z.y, z.x);
  if (is_inf(z.x) || is_inf(z.y)) { return vec2<f32>(inf_f32(), im); }
  if (c_has_nan(z)) { return vec2<f32>(nan_f32(), im); }
  let ms = c_order(z);
  if (!mx_nonzero(ms.x)) { return vec2<f32>(mx_inf(true), im); }
  // the ratio of tiny parts from their exact 2^64 multiples
  let q = select(mx_div(ms.y, ms.x).x, mx_div(mx_up64(ms.y), mx_up64(ms.x)).x, c_tiny(ms.x));
  return vec2<f32>(mx_log(ms.x) + 0.5 * mx_log1p(q * q), im);
}

/**
 * cosh(a) * t (sinh(a) * t when `odd`): a zero t gives a zero signed as the product. Past |a| = 80
 * e^|a| / 2 = e^r 2^(k-1) (r = |a| - k ln 2, Cody-Waite's split ln 2): t is lifted by 2^64 first and
 * 2^(k-65) applied in two exact halves, so a product that is finite neither overflows early nor loses bits.
 */
fn c_hyp_times(a: f32, t: f32, odd: bool) -> f32 {
  let neg = odd && c_signbit(a) && !is_nan(a);
  if (!mx_nonzero(t)) { return select(t, mx_neg(t), neg); }
  let x = mx_abs(a);
  var r: f32;
  if (x < 80.0) {
    r = select(mx_cosh(x), mx_sinh(x), odd) * t;
  } else if (x <= 200.0) {
    let k = i32(x * 1.44269504088896341);
    let red = (x - f32(k) * 0.693145751953125) - f32(k) * 1.42860682030941723212e-6;
    let up = k - 1 - 64;
    let up1 = up / 2;
    r = ((mx_exp(red) * (t * 18446744073709551616.0)) * mx_two_pow(up1)) * mx_two_pow(up - up1);
  } else {
    // e^200 times the smallest t already overflows float32
    r = select(t * inf_f32(), x, is_nan(x));
  }
  return select(r, mx_neg(r), neg);
}

/**
 * The reference's float64 product of t and cosh(b) (sinh(b) when `odd`) for sin and cos: as
 * c_hyp_times, but a zero t times a NaN or a factor past float64's range (|b| > 710.47) is NaN.
 */
fn c_trig_times(b: f32, t: f32, odd: bool) -> f32 {
  if (!mx_nonzero(t) && !(mx_abs(b) < 710.4758)) { return nan_f32(); }
  return c_hyp_times(b, t, odd);
}

fn c_sin(z: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(c_trig_times(z.y, mx_sin(z.x), false), c_trig_times(z.y, mx_cos(z.x), true));
}
fn c_cos(z: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(c_trig_times(z.y, mx_cos(z.x), false), c_trig_times(z.y, mx_neg(mx_sin(z.x)), true));
}
fn c_sinh(z: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(c_hyp_times(z.x, mx_cos(z.y), true), c_hyp_times(z.x, mx_sin(z.y), false));
}
fn c_cosh(z: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(c_hyp_times(z.x, mx_cos(z.y), false), c_hyp_times(z.x, mx_sin(z.y), true));
}

/** tanh(x + iy) in Kahan's form; past |x| = 10 the real part is +-1 and the imaginary part 4 sin y cos y e^-2|x| (the reference's). */
fn c_tanh(z: vec2<f32>) -> vec2<f32> {
  let x = z.x; let y = z.y;
  if (mx_abs(x) > 10.0) { return vec2<f32>(select(-1.0, 1.0, x > 0.0), 4.0 * mx_sin(y) * mx_cos(y) * mx_exp(-2.0 * mx_abs(x))); }
  let t = mx_tan(y);
  let beta = 1.0 + t * t;
  let s = mx_sinh(x);
  let rho = mx_sqrt(1.0 + s * s);
  let den = 1.0 + beta * s * s;
  return vec2<f32>(beta * rho * s / den, t / den);
}
/** tan z = -i tanh(iz). */
fn c_tan(z: vec2<f32>) -> vec2<f32> {
  let w = c_tanh(vec2<f32>(mx_neg(z.y), z.x));
  return vec2<f32>(w.y, mx_neg(w.x));
}

/** sqrt(1 - z^2), shared by arcsin and arccos (the reference's (1 - p, -q) for z^2 = p + qi). */
fn c_cosine(z: vec2<f32>) -> vec2<f32> {
  let p = c_mul(z, z);
  return c_sqrt(vec2<f32>(1.0 - p.x, mx_neg(p.y)));
}
/** log u for u v = 1: log u itself when |u| >= |v|, else -log v (the reference's choice: no cancellation). */
fn c_log_of_larger(u: vec2<f32>, v: vec2<f32>) -> vec2<f32> {
  if (f32_le(c_abs(v), c_abs(u))) { return c_log(u); }
  return c_neg(c_log(v));
}
/** MLX's arccos z = -i log(z + i sqrt(1 - z^2)). */
fn c_arccos(z: vec2<f32>) -> vec2<f32> {
  let r = c_cosine(z);
  let y = c_log_of_larger(vec2<f32>(z.x - r.y, z.y + r.x), vec2<f32>(z.x + r.y, z.y - r.x));
  return vec2<f32>(y.y, mx_neg(y.x));
}
/** MLX's arcsin z = -i log(iz + sqrt(1 - z^2)). */
fn c_arcsin(z: vec2<f32>) -> vec2<f32> {
  let r = c_cosine(z);
  let y = c_log_of_larger(vec2<f32>(r.x - z.y, r.y + z.x), vec2<f32>(r.x + z.y, r.y - z.x));
  return vec2<f32>(y.y, mx_neg(y.x));
}
/** MLX's arctan z = log((1 + iz) / (1 - iz)) / 2i. */
fn c_arctan(z: vec2<f32>) -> vec2<f32> {
  let y = c_log(c_div(vec2<f32>(1.0 - z.y, z.x), vec2<f32>(1.0 + z.y, mx_neg(z.x))));
  return vec2<f32>(0.5 * y.y, -0.5 * y.x);
}

/** v * 0 as IEEE has it: NaN for an infinite or NaN v, else a zero of v's sign. */
fn c_times_zero(v: f32) -> f32 { return select(mx_sign_as(0.0, v), nan_f32(), is_nan(v) || is_inf(v)); }
/** v + w for a w that is a zero or NaN, with IEEE's sum of signed zeros (-0 only when both are -0). */
fn c_plus_zero(v: f32, w: f32) -> f32 {
  if (is_nan(w) || mx_nonzero(v)) { return select(v, w, is_nan(w)); }
  return select(0.0, v, c_signbit(v) && c_signbit(w));
}

/**
 * z / |z|, z itself at 0 (MLX): the reference's Smith quotient by the real |z|, ((a + 0 b) / |z|,
 * (b - 0 a) / |z|), with its products by zero spelled out (a compiler folds a literal zero's products away).
 */
fn c_sign(z: vec2<f32>) -> vec2<f32> {
  if (!c_nonzero(z)) { return z; }
  let re = c_plus_zero(z.x, c_times_zero(z.y));
  let im = c_plus_zero(z.y, mx_neg(c_times_zero(z.x)));
  if (!c_finite(z)) {
    let m = c_abs(z);
    return vec2<f32>(div_f(re, m), div_f(im, m));
  }
  // z normalized on the bits (a larger part in [1, 2)): |z| neither overflows nor is a subnormal divisor
  let e = c_exponent(z);
  let mn = c_abs(vec2<f32>(c_ldexp(z.x, -e), c_ldexp(z.y, -e)));
  return vec2<f32>(div_f(c_ldexp(re, -e), mn), div_f(c_ldexp(im, -e), mn));
}

/** z^w = exp(w log z) (MLX), 0^w = 0 (NaN when w has a NaN part). */
fn c_pow(z: vec2<f32>, w: vec2<f32>) -> vec2<f32> {
  if (!c_nonzero(z)) { return select(vec2<f32>(0.0, 0.0), vec2<f32>(nan_f32(), nan_f32()), c_has_nan(w)); }
  let l = c_log(z);
  let mag = mx_exp(w.x * l.x - w.y * l.y);
  let phase = w.y * l.x + w.x * l.y;
  return vec2<f32>(mag * mx_cos(phase), mag * mx_sin(phase));
}

/** MLX's order of complex64: by real part, ties by imaginary part; comparisons with a NaN part are false. */
fn c_after(x: vec2<f32>, y: vec2<f32>) -> bool { return f32_lt(y.x, x.x) || (f32_eq(x.x, y.x) && f32_lt(y.y, x.y)); }
fn c_not_before(x: vec2<f32>, y: vec2<f32>) -> bool { return f32_lt(y.x, x.x) || (f32_eq(x.x, y.x) && f32_le(y.y, x.y)); }
fn c_eq(x: vec2<f32>, y: vec2<f32>) -> bool { return f32_eq(x.x, y.x) && f32_eq(x.y, y.y); }
