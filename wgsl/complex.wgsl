// complex64 arithmetic for the WebGPU kernels: a value is a vec2<f32> (x: real,
// y: imaginary part), stored as two u32 words (codegen.ts inputDecl). The
// formulas are the CPU reference's (backends/cpu/complex.ts) in float32 on
// mlx-ts's own math library (math-*.wgsl, not the driver's builtins), scaled
// so that no intermediate overflows or underflows where the result does not;
// zero, NaN and infinity tests are made on the bits (a driver that flushes
// subnormals cannot change them). Operands with parts too large or too small for
// the float32 formula take a wide path (CWide: exponents unbounded) where it could
// overflow or underflow. Prepended after math.wgsl; no slots.

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

/** ms = (m, s) as their exact 2^64 multiples where m is below 2^-60, else as they are. */
fn c_lift_tiny(ms: vec2<f32>) -> vec2<f32> {
  if (c_tiny(ms.x)) { return vec2<f32>(mx_up64(ms.x), mx_up64(ms.y)); }
  return ms;
}

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
  // through the one call of the core (a GPU compiler inlines every call)
  let l = c_lift_tiny(ms);
  let h = c_hypot_core(l.x, l.y);
  if (c_tiny(ms.x)) { return mx_down64(h); }
  return h;
}

/** 2^-63 and 2^62 (bits): parts between them (or zero) multiply with no product overflowing or underflowing. */
const C_MUL_LO = 0x20000000u;
const C_MUL_HI = 0x5e800000u;
/** 2^-42 and 2^42 (bits): parts between them (or zero) keep every step of Smith's division normal. */
const C_DIV_LO = 0x2a800000u;
const C_DIV_HI = 0x54800000u;

/** Both parts zero or of magnitude in [lo, hi) (bits of powers of two), on the bits: the fast paths' cheap test. */
fn c_within(z: vec2<f32>, lo: u32, hi: u32) -> bool {
  let a = bitcast<u32>(z.x) & 0x7fffffffu;
  let b = bitcast<u32>(z.y) & 0x7fffffffu;
  return (a == 0u || a - lo < hi - lo) && (b == 0u || b - lo < hi - lo);
}

// ---- the wide path: s 2^e, s = +-[1, 2) or a signed zero (e = 0), e unbounded ----

struct CWide { s: f32, e: i32 }
struct CWide2 { re: CWide, im: CWide }

/** A finite v as s 2^e (subnormals normalized from the bits). */
fn cw_of(v: f32) -> CWide {
  if (!mx_nonzero(v)) { return CWide(v, 0); }
  let f = mx_frexp(v);
  return CWide(mx_sign_as(f.x, v), i32(f.y));
}
/** s 2^e normalized, for a normal or zero s. */
fn cw_norm(s: f32, e: i32) -> CWide {
  if (!mx_nonzero(s)) { return CWide(s, 0); }
  let f = mx_frexp(s);
  return CWide(mx_sign_as(f.x, s), e + i32(f.y));
}
/** The zero of p op q's sign for a product or quotient (on the bits: a constant zero must not be folded away). */
fn cw_zero(p: CWide, q: CWide) -> CWide { return CWide(bitcast<f32>((bitcast<u32>(p.s) ^ bitcast<u32>(q.s)) & 0x80000000u), 0); }
fn cw_neg(p: CWide) -> CWide { return CWide(mx_neg(p.s), p.e); }
fn cw_mul(p: CWide, q: CWide) -> CWide {
  if (!mx_nonzero(p.s) || !mx_nonzero(q.s)) { return cw_zero(p, q); }
  return cw_norm(p.s * q.s, p.e + q.e);
}
/** p / q for a nonzero q. */
fn cw_div(p: CWide, q: CWide) -> CWide {
  if (!mx_nonzero(p.s)) { return cw_zero(p, q); }
  return cw_norm(div_f(p.s, q.s), p.e - q.e);
}
/** p + q rounded once; a term 2^60 below the other is past the rounding and cannot cancel it; zeros sum as IEEE's. */
fn cw_add(p: CWide, q: CWide) -> CWide {
  let pz = !mx_nonzero(p.s);
  let qz = !mx_nonzero(q.s);
  if (pz && qz) { return CWide(bitcast<f32>(bitcast<u32>(p.s) & bitcast<u32>(q.s) & 0x80000000u), 0); }
  if (pz) { return q; }
  if (qz) { return p; }
  let e = max(p.e, q.e);
  let dp = p.e - e;
  let dq = q.e - e;
  let ps = select(0.0, p.s * mx_two_pow(max(dp, -60)), dp >= -60);
  let qs = select(0.0, q.s * mx_two_pow(max(dq, -60)), dq >= -60);
  return cw_norm(ps + qs, e);
}
/** |p| <= |q|. */
fn cw_le(p: CWide, q: CWide) -> bool {
  if (!mx_nonzero(p.s)) { return true; }
  if (!mx_nonzero(q.s)) { return false; }
  return p.e < q.e || (p.e == q.e && mx_abs(p.s) <= mx_abs(q.s));
}
/** p as a float32: rounded once (onto the subnormal grid on the bits), past the range an infinity. */
fn cw_to(p: CWide) -> f32 {
  if (!mx_nonzero(p.s)) { return p.s; }
  return mx_scale(p.s, p.e);
}
fn cw2_to(q: CWide2) -> vec2<f32> { return vec2<f32>(cw_to(q.re), cw_to(q.im)); }

/** Finite nonzero parts as +-1 (zeros, infinities, NaN kept): where a part is infinite or NaN the others count only by sign and zeroness. */
fn c_unit_part(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  let m = b & 0x7fffffffu;
  return select(v, bitcast<f32>((b & 0x80000000u) | 0x3f800000u), m != 0u && m < 0x7f800000u);
}
fn c_unit(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(c_unit_part(z.x), c_unit_part(z.y)); }

fn c_mul_plain(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(x.x * y.x - x.y * y.y, x.x * y.y + x.y * y.x);
}
/**
 * x y. Parts past 2^62 or below 2^-63 take the wide path (the reference's float64 products neither
 * overflow nor underflow); with an infinite or NaN part, the float64 sums are those of the parts as +-1.
 */
fn c_mul(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  if (c_within(x, C_MUL_LO, C_MUL_HI) && c_within(y, C_MUL_LO, C_MUL_HI)) { return c_mul_plain(x, y); }
  if (!c_finite(x) || !c_finite(y)) { return c_mul_plain(c_unit(x), c_unit(y)); }
  let a = cw_of(x.x); let b = cw_of(x.y); let c = cw_of(y.x); let d = cw_of(y.y);
  return vec2<f32>(cw_to(cw_dot(a, c, cw_neg(b), d)), cw_to(cw_dot(a, d, b, c)));
}
/** p q + r t from the exact products of the significands (Dekker's), rounded once: the float64 sum's accuracy, zeros as IEEE's. */
fn cw_dot(p: CWide, q: CWide, r: CWide, t: CWide) -> CWide {
  let pq = cw_mul(p, q);
  let rt = cw_mul(r, t);
  if (!mx_nonzero(pq.s) || !mx_nonzero(rt.s)) { return cw_add(pq, rt); }
  let e1 = p.e + q.e;
  let e2 = r.e + t.e;
  let e = max(e1, e2);
  if (min(e1, e2) - e < -60) { return cw_add(pq, rt); }
  let u = mx_two_prod(p.s, q.s) * mx_two_pow(e1 - e);
  let v = mx_two_prod(r.s, t.s) * mx_two_pow(e2 - e);
  let h = mx_two_sum(u.x, v.x);
  return cw_norm(h.x + (h.y + (u.y + v.y)), e);
}

/** n / d for a zero d: NaN for a zero or NaN n, else an infinity signed as the IEEE quotient. */
fn c_over_zero(n: f32, d: f32) -> f32 {
  if (!mx_nonzero(n) || is_nan(n)) { return nan_f32(); }
  return mx_inf(c_signbit(n) != c_signbit(d));
}

/**
 * Smith's division: the larger divisor part scales the other (no overflow of c^2 + d^2). The
 * numerators' products are rounded before their sums (mx_keep), so an exact cancellation gives 0 as in the reference: the H200's
 * compiler contracted a + b r into an fma, so (1 + 1.5i) / (1.5 - i) had a real part of -1.4e-8, not 0.
 */
fn c_div_smith(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  let a = x.x; let b = x.y; let c = y.x; let d = y.y;
  if (f32_le(mx_abs(d), mx_abs(c))) {
    if (!c_nonzero(y)) { return vec2<f32>(c_over_zero(a, c), c_over_zero(b, c)); }
    let r = div_f(d, c);
    let den = c + d * r;
    return vec2<f32>(div_f(a + mx_keep(b * r), den), div_f(b - mx_keep(a * r), den));
  }
  let r = div_f(c, d);
  let den = c * r + d;
  return vec2<f32>(div_f(mx_keep(a * r) + b, den), div_f(mx_keep(b * r) - a, den));
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

/**
 * Smith's division as the reference's float64 takes it, on wide parts (y nonzero): r = d / c
 * (c / d), den = c + d r, then ((a + b r) / den, (b - a r) / den) (or ((a r + b) / den, (b r - a) / den)).
 */
fn c_div_wide(a: CWide, b: CWide, c: CWide, d: CWide) -> CWide2 {
  if (cw_le(d, c)) {
    let r = cw_div(d, c);
    let den = cw_add(c, cw_mul(d, r));
    return CWide2(cw_div(cw_add(a, cw_mul(b, r)), den), cw_div(cw_add(b, cw_neg(cw_mul(a, r))), den));
  }
  let r = cw_div(c, d);
  let den = cw_add(cw_mul(c, r), d);
  return CWide2(cw_div(cw_add(cw_mul(a, r), b), den), cw_div(cw_add(cw_mul(b, r), cw_neg(a)), den));
}

/**
 * A stand-in for a finite nonzero divisor of an infinite or NaN dividend: the same branch of Smith's
 * algorithm, r of the same sign and zeroness and den of the same sign (the float64 terms' sizes do not count there).
 */
fn c_div_proxy(y: vec2<f32>) -> vec2<f32> {
  let c = c_unit_part(y.x);
  let d = c_unit_part(y.y);
  if (f32_le(mx_abs(y.y), mx_abs(y.x))) { return vec2<f32>(2.0 * c, d); }
  return vec2<f32>(c, 2.0 * d);
}

/**
 * x / y. Parts within [2^-42, 2^42) take Smith's formula in float32 (no step overflows or
 * underflows); others the wide path, rounded once per part; zero, infinite and NaN divisors take
 * Smith's formula as they are, as the reference does, and an infinite or NaN dividend c_div_proxy's divisor.
 */
fn c_div(x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  if ((c_within(x, C_DIV_LO, C_DIV_HI) && c_within(y, C_DIV_LO, C_DIV_HI)) || !c_nonzero(y) || !c_finite(y)) { return c_div_smith(x, y); }
  if (!c_finite(x)) { return c_div_smith(x, c_div_proxy(y)); }
  return cw2_to(c_div_wide(cw_of(x.x), cw_of(x.y), cw_of(y.x), cw_of(y.y)));
}

/** 1 / z: c_recip_smith's formula within [2^-42, 2^42) and for zero, infinite and NaN z, else the wide (1 + 0i) / z. */
fn c_recip(z: vec2<f32>) -> vec2<f32> {
  if (c_within(z, C_DIV_LO, C_DIV_HI) || !c_nonzero(z) || !c_finite(z)) { return c_recip_smith(z); }
  return cw2_to(c_div_wide(CWide(1.0, 0), CWide(0.0, 0), cw_of(z.x), cw_of(z.y)));
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

/**
 * a^2 - b^2 as (|a| - |b|)(|a| + |b|): no cancellation, and equal finite parts give +0 (the
 * reference's exact difference); 2ab with the smaller part doubled (a compiler may turn (ab)2 into
 * (2a)b, which overflows early). Finite parts past 2^62 or below 2^-63 on the wide path.
 */
fn c_square(z: vec2<f32>) -> vec2<f32> {
  let a = mx_abs(z.x);
  let b = mx_abs(z.y);
  let same = f32_eq(a, b) && !is_inf(a);
  if (c_within(z, C_MUL_LO, C_MUL_HI) || !c_finite(z)) {
    let a_small = f32_le(a, b);
    let im = select(z.y + z.y, z.x + z.x, a_small) * select(z.x, z.y, a_small);
    return vec2<f32>(select((a - b) * (a + b), 0.0, same), im);
  }
  let wa = cw_of(a);
  let wb = cw_of(b);
  let re = select(cw_to(cw_mul(cw_add(wa, cw_neg(wb)), cw_add(wa, wb))), 0.0, same);
  let ab = cw_mul(cw_of(z.x), cw_of(z.y));
  return vec2<f32>(re, cw_to(CWide(ab.s, ab.e + 1)));
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
  return vec2<f32>(mx_abs(b) / (2.0 * t), select(t, mx_neg(t), c_signbit(b) && !is_nan(b)));
}

/** Finite parts past 2^126 are scaled by 1/4 (|z| would overflow), parts below 2^-60 by 2^64 (subnormal steps lose bits). */
fn c_sqrt(z: vec2<f32>) -> vec2<f32> {
  // the scalings chosen first and the core called once: each call is inlined, and three copies of it
  // (with c_abs's) in arcsin's kernel made it the slowest kernel measured on the H200
  let finite = c_finite(z);
  let m = c_order(z).x;
  let huge = finite && m > C_HUGE;
  let tiny = finite && c_tiny(m) && mx_nonzero(m);
  var a = z;
  if (huge) { a = 0.25 * z; }
  if (tiny) { a = c_up64(z); }
  let w = c_sqrt_core(a);
  if (huge) { return 2.0 * w; }
  if (tiny) { return mx_two_pow(-32) * w; }
  return w;
}

/**
 * 1 / sqrt(z) as the reference's Smith quotient. For a finite z off the real axis the result's real
 * part is positive and its imaginary part has Im z's opposite sign; a float32 root can lose a part to
 * underflow (sqrt(1 + 1e-45i)), so a zero left there takes the sign the reference's float64 root keeps.
 */
fn c_rsqrt(z: vec2<f32>) -> vec2<f32> {
  let w = c_recip(c_sqrt(z));
  if (!c_finite(z) || !mx_nonzero(z.y)) { return w; }
  return vec2<f32>(select(w.x, 0.0, !mx_nonzero(w.x)), select(w.y, mx_sign_as(0.0, mx_neg(z.y)), !mx_nonzero(w.y)));
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
fn c_log(z: vec2<f32>) -> vec2<f32> { return c_log_plus(z, 0.0); }
/** log z + k for a real k >= 0, the real part as log m + (log1p(q^2) / 2 + k) (k = 0: c_log's, the bracket being >= +0). */
fn c_log_plus(z: vec2<f32>, k: f32) -> vec2<f32> {
  let im = mx_atan2(z.y, z.x);
  if (is_inf(z.x) || is_inf(z.y)) { return vec2<f32>(inf_f32(), im); }
  if (c_has_nan(z)) { return vec2<f32>(nan_f32(), im); }
  let ms = c_order(z);
  if (!mx_nonzero(ms.x)) { return vec2<f32>(mx_inf(true), im); }
  return vec2<f32>(mx_log(ms.x) + (c_log_ratio(ms) + k), im);
}
/** log1p(q^2) / 2 for q = s / m (ms = (m, s), m nonzero finite): the ratio of tiny parts from their exact 2^64 multiples. */
fn c_log_ratio(ms: vec2<f32>) -> f32 {
  let l = c_lift_tiny(ms);
  let q = mx_div(l.y, l.x).x;
  return 0.5 * mx_log1p(q * q);
}

/** ln 2. */
const C_LN2 = 0.693147180559945309;
/** Cody-Waite's ln 2 = C_LN2_HI + C_LN2_LO; C_LN2_HI has 10 significant bits (k C_LN2_HI is exact for |k| < 2^14). */
const C_LN2_HI = 0.693359375;
const C_LN2_LO = -2.12194440054690583e-4;

/**
 * log of a wide quotient (q nonzero or a signed zero pair): log |q| + i atan2, both parts scaled by the larger's
 * power of two (a part 2^126 below it is a signed zero there: it counts only by sign beside the other).
 */
fn c_log_wide(q: CWide2) -> vec2<f32> {
  let rz = !mx_nonzero(q.re.s);
  let iz = !mx_nonzero(q.im.s);
  if (rz && iz) { return vec2<f32>(mx_inf(true), mx_atan2(q.im.s, q.re.s)); }
  let e = select(select(max(q.re.e, q.im.e), q.re.e, iz), q.im.e, rz);
  let a = select(q.re.s * mx_two_pow(max(q.re.e - e, -126)), mx_sign_as(0.0, q.re.s), rz || q.re.e - e < -126);
  let b = select(q.im.s * mx_two_pow(max(q.im.e - e, -126)), mx_sign_as(0.0, q.im.s), iz || q.im.e - e < -126);
  let ms = c_order(vec2<f32>(a, b));
  let k = f32(e);
  return vec2<f32>(k * C_LN2_HI + (mx_log(ms.x) + (c_log_ratio(ms) + k * C_LN2_LO)), mx_atan2(b, a));
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
    // e^200 times the smallest t already overflows float32; t's sign on the bits (an adapter that flushes
    // subnormals, the H200, took t * inf for 0 * inf: NaN for sin(1e-38 + 3e38i))
    r = select(select(mx_sign_as(inf_f32(), t), t, is_nan(t)), x, is_nan(x));
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

/** 2^20 (bits): below it arctan's float32 quotient resolves the sign of its imaginary part, and power's w log z fits a pair. */
const C_2P20 = 0x49800000u;
/** 2^60 (bits): from there on 1 is below the rounding of z^2 in float64, and the float32 formula's z^2 would overflow. */
const C_FAR = 0x5d800000u;
/** z finite with a part of magnitude 2^60 or more. */
fn c_far(z: vec2<f32>) -> bool {
  let m = max(bitcast<u32>(z.x) & 0x7fffffffu, bitcast<u32>(z.y) & 0x7fffffffu);
  return m >= C_FAR && m < 0x7f800000u;
}
/** v with s's sign (v itself where s is NaN): C99's signs of a part, on branch cuts and zeros. */
fn c_part_sign(v: f32, s: f32) -> f32 { return select(mx_sign_as(v, s), v, is_nan(s)); }
/** pi / 2. */
const C_HALF_PI = 1.57079632679489662;
/** 2^-40 (bits): a Y below it beside X < 1 is past float32's rounding in A - 1 and A - X. */
const C_2M40 = 0x2b800000u;
/**
 * (d, h) for finite X, Y >= 0 off [0, 1] of the real axis (Hull, Fairgrieve and Tang, as the reference's
 * arcsinParts): A = (|z + 1| + |z - 1|) / 2, d = sqrt(A^2 - X^2), h = acosh A = log1p((A - 1) + sqrt((A - 1)(A + 1))),
 * A - 1 and A - X from sums that do not cancel (R - (X + 1) = Y^2 / (R + X + 1), S - (1 - X) = Y^2 / (S + 1 - X));
 * d = Y sqrt(((A + X) / (R + X + 1) + (A + X) / (S + X - 1)) / 2) past X = 1 (no Y^2 to underflow). Past 2^60
 * (c_far) A is |z| to 2^-120: d = Y and h = log |z| + ln 2. Below 2^-40 beside X < 1, d = sqrt((1 - X)(1 + X))
 * and h = Y / d. Below 2^60 no square or product overflows. One log1p on every path (each call is inlined).
 */
fn c_arcsin_parts(X: f32, Y: f32, far: bool) -> vec2<f32> {
  if (!far && X < 1.0 && (bitcast<u32>(Y) & 0x7fffffffu) < C_2M40) {
    let d0 = mx_sqrt((1.0 - X) * (1.0 + X));
    return vec2<f32>(d0, Y / d0);
  }
  var d: f32;
  var arg: f32;
  var base = 0.0;
  var scale = 1.0;
  if (far) {
    let ms = c_order(vec2<f32>(X, Y));
    let q = ms.y / ms.x;
    d = Y;
    arg = q * q;
    base = mx_log(ms.x) + C_LN2;
    scale = 0.5;
  } else {
    let R = c_abs(vec2<f32>(X + 1.0, Y));
    let S = c_abs(vec2<f32>(X - 1.0, Y));
    let A = 0.5 * (R + S);
    let y2 = Y * Y;
    let r_minus = y2 / (R + X + 1.0);
    var am1: f32;
    if (X < 1.0) { am1 = 0.5 * (r_minus + y2 / (S + (1.0 - X))); } else { am1 = 0.5 * (r_minus + (S + (X - 1.0))); }
    if (X <= 1.0) {
      d = mx_sqrt((A + X) * (0.5 * (r_minus + (S + (1.0 - X)))));
    } else {
      d = Y * mx_sqrt(0.5 * ((A + X) / (R + X + 1.0) + (A + X) / (S + (X - 1.0))));
    }
    arg = am1 + mx_sqrt(am1 * (A + 1.0));
  }
  return vec2<f32>(d, base + scale * mx_log1p(arg));
}
/**
 * C99's casin (`sine`) and cacos (NumPy's), accurate in each part (MLX's log formulas, -i log(iz + sqrt(1 - z^2)),
 * cancel next to the real axis): arcsin's real part atan2(X, d), arccos's atan2(d, x), the imaginary part h
 * (c_arcsin_parts); casin's parts take z's signs (odd, conjugate-symmetric), cacos's real part lies in [+0, pi]
 * and its imaginary part has the sign opposite to Im z's. Infinite and NaN parts as the reference's.
 */
fn c_arcsin_or_arccos(z: vec2<f32>, sine: bool) -> vec2<f32> {
  let X = abs(z.x);
  let Y = abs(z.y);
  if (is_nan(z.x)) { return vec2<f32>(nan_f32(), select(nan_f32(), select(mx_neg(z.y), z.y, sine), is_inf(Y))); }
  if (is_nan(z.y)) {
    if (!mx_nonzero(X)) { return vec2<f32>(select(C_HALF_PI, z.x, sine), nan_f32()); }
    return vec2<f32>(nan_f32(), select(nan_f32(), select(mx_inf(true), inf_f32(), sine), is_inf(X)));
  }
  if (is_inf(X) || is_inf(Y)) {
    // A = |z| = inf: d stands for Y, X and Y for their limits (1 where infinite, else 0)
    let xl = select(0.0, 1.0, is_inf(X));
    let yl = select(0.0, 1.0, is_inf(Y));
    if (sine) { return vec2<f32>(mx_sign_as(mx_atan2(xl, yl), z.x), mx_sign_as(inf_f32(), z.y)); }
    return vec2<f32>(mx_atan2(yl, mx_sign_as(xl, z.x)), mx_sign_as(inf_f32(), mx_neg(z.y)));
  }
  if ((bitcast<u32>(z.y) & 0x7fffffffu) == 0u && X <= 1.0) {
    // on [-1, 1] the real function (its imaginary part exactly zero)
    if (sine) { return vec2<f32>(mx_asin(z.x), z.y); }
    return vec2<f32>(mx_acos(z.x), mx_sign_as(0.0, mx_neg(z.y)));
  }
  let dh = c_arcsin_parts(X, Y, c_far(z));
  if (sine) { return vec2<f32>(mx_sign_as(mx_atan2(X, dh.x), z.x), mx_sign_as(dh.y, z.y)); }
  return vec2<f32>(mx_atan2(dh.x, z.x), mx_sign_as(dh.y, mx_neg(z.y)));
}
fn c_arcsin(z: vec2<f32>) -> vec2<f32> { return c_arcsin_or_arccos(z, true); }
fn c_arccos(z: vec2<f32>) -> vec2<f32> { return c_arcsin_or_arccos(z, false); }
/**
 * arctan z = log((1 + iz) / (1 - iz)) / 2i, as C99's catan (NumPy's) has it: for finite z = x + yi,
 * Kahan's parts atan2(2x, (1 - y)(1 + y) - x^2) / 2 and log1p(4|y| / ((1 - |y|)^2 + x^2)) / 4, whose
 * imaginary part does not cancel (the quotient's log |q| does, |q| lying near 1 for large |z|); parts
 * past 2^20 or below 2^-42 take them wide (the real part as the wide quotient's argument); an
 * infinite part gives +-pi/2 +- 0i, NaN parts as C99's. The parts take z's signs (catan is odd and conjugate-
 * symmetric), on the branch cuts and at zeros too: arctan(-0 + 1.5i) = -pi/2 + 0.80i.
 */
fn c_arctan(z: vec2<f32>) -> vec2<f32> {
  // the poles +-i: +-0 +- inf i
  if (!mx_nonzero(z.x) && abs(z.y) == 1.0) { return vec2<f32>(mx_sign_as(0.0, z.x), mx_sign_as(inf_f32(), z.y)); }
  // infinite and NaN parts as C99's catan (the reference's): an infinite part gives +-pi/2 +- 0i
  let X = abs(z.x);
  let Y = abs(z.y);
  if (is_nan(z.x)) { return vec2<f32>(nan_f32(), select(select(nan_f32(), mx_sign_as(0.0, z.y), is_inf(Y)), z.y, !mx_nonzero(Y))); }
  if (is_nan(z.y)) { return select(vec2<f32>(nan_f32(), nan_f32()), vec2<f32>(mx_sign_as(C_HALF_PI, z.x), 0.0), is_inf(X)); }
  if (is_inf(X) || is_inf(Y)) { return vec2<f32>(mx_sign_as(C_HALF_PI, z.x), mx_sign_as(0.0, z.y)); }
  var re: f32;
  var im: f32;
  if (c_within(z, C_DIV_LO, C_2P20)) {
    let below = 1.0 - z.y;
    re = 0.5 * mx_atan2(2.0 * z.x, below * (1.0 + z.y) - z.x * z.x);
    // with |y|: 4|y| / ((1 - |y|)^2 + x^2) >= 0, no cancellation next to -1 (the sign comes last)
    let ay = abs(z.y);
    im = 0.25 * mx_log1p(div_f(4.0 * ay, (1.0 - ay) * (1.0 - ay) + z.x * z.x));
  } else {
    let b = cw_of(z.y);
    let a = cw_of(z.x);
    let one = CWide(1.0, 0);
    let below = cw_add(one, cw_neg(b));
    let above = cw_add(one, b);
    let x2 = cw_mul(a, a);
    let den = cw_add(cw_mul(above, above), x2);
    re = 0.5 * c_log_wide(CWide2(cw_div(cw_add(cw_mul(below, above), cw_neg(x2)), den), cw_div(CWide(a.s, a.e + 1), den))).y;
    // 4|y| / ((1 - |y|)^2 + x^2) >= 0: past 2^64 its log1p is its log
    let ab = CWide(abs(b.s), b.e);
    let gap = cw_add(one, cw_neg(ab));
    let r = cw_div(CWide(ab.s, ab.e + 2), cw_add(cw_mul(gap, gap), x2));
    im = 0.25 * select(mx_log1p(cw_to(r)), f32(r.e) * C_LN2_HI + (mx_log(r.s) + f32(r.e) * C_LN2_LO), r.e >= 64);
  }
  return vec2<f32>(c_part_sign(re, z.x), c_part_sign(im, z.y));
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

/** 2^-12 and 2^12 (bits): bases whose log |z| is small enough that exp(w log z) in float32 keeps power's bound. */
const C_POW_LO = 0x39800000u;
const C_POW_HI = 0x45800000u;

/**
 * e^(t + tl) f (|tl| <= 2^-10) as the reference's float64 e^t times f: past e^+-87 e^t = 2^k e^r
 * (r = t - k ln 2) meets a finite f on the wide path, so a finite product neither overflows early nor
 * loses bits (and a zero f gives a signed zero up to float64's e^709.78, NaN past it).
 */
fn c_exp_times(t: f32, tl: f32, f: f32) -> f32 {
  if (!mx_nonzero(f)) { return select(f, nan_f32(), is_nan(t) || t > 709.78); }
  if (mx_abs(t) < 87.0 || is_inf(t) || is_nan(t) || is_inf(f) || is_nan(f)) { return (mx_exp(t) * (1.0 + tl)) * f; }
  let tc = clamp(t, -2000.0, 2000.0);
  let k = round(tc * 1.44269504088896341);
  let r = (tc - k * C_LN2_HI) - k * C_LN2_LO;
  let g = cw_of(f);
  return cw_to(cw_norm((mx_exp(r) * (1.0 + tl)) * g.s, g.e + i32(k)));
}

/**
 * z^w = exp(w log z) (MLX), 0^w = 0 (NaN when w has a NaN part). For finite w and bases outside
 * [2^-12, 2^12], log |z| = k C_LN2_HI + rest (the first exact) makes w log z a pair, whose low parts
 * correct e^t (a factor 1 + tl) and the phase (cos(p + pl) = cos p - pl sin p): float32's rounding
 * of log |z| ~ 88 would otherwise reach the result multiplied by |w log z|.
 */
fn c_pow(z: vec2<f32>, w: vec2<f32>) -> vec2<f32> {
  if (!c_nonzero(z)) { return select(vec2<f32>(0.0, 0.0), vec2<f32>(nan_f32(), nan_f32()), c_has_nan(w)); }
  let l = c_log(z);
  let t = w.x * l.x - w.y * l.y;
  let phase = w.y * l.x + w.x * l.y;
  // (exponents past 2^20 keep the plain formula: w log z's parts could overflow)
  if (c_within(z, C_POW_LO, C_POW_HI) || !c_finite(z) || !c_within(w, 0u, C_2P20)) {
    return vec2<f32>(c_exp_times(t, 0.0, mx_cos(phase)), c_exp_times(t, 0.0, mx_sin(phase)));
  }
  let ms = c_order(z);
  // m = 2^k f with f in [sqrt(1/2), sqrt(2)) from the bits
  let fr = mx_frexp(ms.x);
  let high = fr.x > 1.41421356;
  let k = select(fr.y, fr.y + 1.0, high);
  let f = select(fr.x, 0.5 * fr.x, high);
  let lh = k * C_LN2_HI;
  let ll = mx_log(f) + (c_log_ratio(ms) + k * C_LN2_LO);
  let px = mx_two_prod(w.x, lh);
  let tt = mx_two_sum(px.x, px.y + (w.x * ll - w.y * l.y));
  let py = mx_two_prod(w.y, lh);
  let pp = mx_two_sum(py.x, py.y + (w.y * ll + w.x * l.y));
  // an exactly zero phase keeps the formula's signed zero
  let p = select(pp.x, phase, !mx_nonzero(phase));
  let pl = select(pp.y, 0.0, !mx_nonzero(phase));
  let c = mx_cos(p);
  let s = mx_sin(p);
  let cc = select(c - pl * s, c, !mx_nonzero(pl));
  let sc = select(s + pl * c, s, !mx_nonzero(pl));
  return vec2<f32>(c_exp_times(tt.x, tt.y, cc), c_exp_times(tt.x, tt.y, sc));
}

/** MLX's order of complex64: by real part, ties by imaginary part; comparisons with a NaN part are false. */
fn c_after(x: vec2<f32>, y: vec2<f32>) -> bool { return f32_lt(y.x, x.x) || (f32_eq(x.x, y.x) && f32_lt(y.y, x.y)); }
fn c_not_before(x: vec2<f32>, y: vec2<f32>) -> bool { return f32_lt(y.x, x.x) || (f32_eq(x.x, y.x) && f32_le(y.y, x.y)); }
fn c_eq(x: vec2<f32>, y: vec2<f32>) -> bool { return f32_eq(x.x, y.x) && f32_eq(x.y, y.y); }
