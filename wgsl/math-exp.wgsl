// mlx-ts's own exponentials and logarithms in float32 (precise math mode):
// exp, expm1, log, log2, log10, log1p, sinh, cosh, tanh, arcsinh, arccosh,
// arctanh, power, sigmoid, logaddexp, sqrt, rsqrt. Only + - * / are trusted
// (fma may be unfused: tanh's residual uses one where an unfused one costs an
// eighth of an ulp; division is 2.5 ulp; the driver's sqrt only seeds a
// corrected root): exp reduces by Cody-Waite (ln2 in two parts), log splits
// exponent and significand on the bits (subnormal inputs through their
// integer significand, so no arithmetic sees a subnormal), results below
// 2^-126 are rounded onto the subnormal grid in integer arithmetic, quotients
// are corrected by their exact residual (math-core.wgsl's Dekker product),
// and intermediate values travel as (hi, lo) pairs. Measured within 1 ulp of
// the correctly rounded float32 value over the whole float32 range (tanh,
// which trades its pairs for speed, 2), logaddexp 2^-31 of max(a, b) more
// where it cancels (test/math-exp.test.ts).

// (hi, lo) pairs: hi + lo with hi the rounded sum and lo its exact rounding error
// (mx_keep, math-core.wgsl, stops the compiler from folding the error to 0).
fn mx_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = mx_keep(a + b);
  let bb = mx_keep(s - a);
  return vec2<f32>(s, (a - mx_keep(s - bb)) + (b - bb));
}

// a + b = s + e with |a| >= |b|.
fn mx_fast_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = mx_keep(a + b);
  return vec2<f32>(s, b - mx_keep(s - a));
}

// (nh + nl) / (dh + dl) as a pair for a normalized denominator: the quotient and its
// correction from the exact residual (Dekker's product: WGSL's fma may be unfused, as on lavapipe).
fn mx_div_pair(nh: f32, nl: f32, dh: f32, dl: f32) -> vec2<f32> {
  let q = nh / dh;
  let qd = mx_two_prod(q, dh);
  let r = ((nh - qd.x) - qd.y) + (nl - q * dl);
  return vec2<f32>(q, r / dh);
}

fn mx_inf(negative: bool) -> f32 {
  return bitcast<f32>(select(0x7f800000u, 0xff800000u, negative));
}

// v * 2^n for any n (|v| in [0.5, 2) where n <= -126): overflow gives inf,
// results below 2^-126 are rounded to the subnormal grid on the integer
// significand (so a driver that flushes subnormals in arithmetic still returns them).
fn mx_scale(v: f32, n: i32) -> f32 {
  if (n > 127) { return v * mx_two_pow(127) * mx_two_pow(min(n - 127, 127)); }
  if (n > -126) { return v * mx_two_pow(n); }
  if (n < -151) { return mx_sign_as(0.0, v); }
  // |v| 2^(n + 149) < 2^24 is the significand on the 2^-149 grid (2^24 lands on 2^-125's bits)
  let m = u32(round(abs(v) * mx_two_pow(n + 149)));
  return bitcast<f32>(m | (bitcast<u32>(v) & 0x80000000u));
}

// e^x = 2^k (1 + r + q + lo) with |r| <= ln2 / 2, q = r^2 / 2 rounded, lo the
// polynomial's rest and every rounding error (about 2^-31 of the sum).
struct MxExpParts {
  k: i32,
  r: f32,
  q: f32,
  lo: f32,
}

// e^(r + rerr) for |r| <= 0.35: Taylor to r^9 (the rest is below 2^-32), r^2 / 2 exact as a pair.
fn mx_exp_poly(k: i32, r: f32, rerr: f32) -> MxExpParts {
  let rr = mx_two_prod(r, r);
  let c = r * rr.x * (0.166666672 + r * (0.0416666679 + r * (0.00833333377 + r * (0.00138888892 + r * (0.000198412701 + r * (2.48015873e-05 + r * 2.75573192e-06))))));
  return MxExpParts(k, r, 0.5 * rr.x, (0.5 * rr.y + c) + rerr * (1.0 + r));
}

// Cody-Waite: k = round(x / ln2), x - k ln2_hi exact (ln2_hi has 16 significant bits), then - k ln2_lo; |x| <= 104.
fn mx_exp_parts(x: f32) -> MxExpParts {
  let k = mx_round_product(x, 1.44269502);
  let rh = x - k.f * 0.693145752;
  let r = mx_two_sum(rh, -k.f * 1.42860677e-06);
  return mx_exp_poly(k.i, r.x, r.y);
}

// e^x = 2^k (1 + s) for |x| <= 104 on the short path: k = round(x / ln2),
// r = x - k ln2 rounded once (2^-26 of 1 at most), s = e^r - 1 by Taylor to
// r^7 (the rest below 2^-27), rounded once.
struct MxExpShort { k: MxRound, s: f32 }

fn mx_exp_short(x: f32) -> MxExpShort {
  let k = mx_round_product(x, 1.44269502);
  let r = (x - k.f * 0.693145752) - k.f * 1.42860677e-06;
  return MxExpShort(k, r + r * r * (0.5 + r * (0.166666672 + r * (0.0416666679 + r * (0.00833333377 + r * (0.00138888892 + r * 0.000198412701))))));
}

// e^x for |x| <= 86 where the result is rounded to float16 or bfloat16 (11
// or 8 significant bits): the device's exp2 of x log2(e). WGSL bounds exp2's
// error by 3 + 2 |y| ulp of float32 (under 2^-15 of the value for |y| <= 125)
// and the product's rounding adds |x| 2^-24, far below the narrow format's
// 2^-12 (bfloat16 2^-9), so the rounded result is within one ulp of the
// correctly rounded one. Other x (NaN and the infinities among them) are
// mx_narrow_invalid's: the caller takes the float32 function there.
fn mx_exp_narrow(x: f32) -> f32 {
  return exp2(x * 1.44269502);
}

// sigmoid(x) = 1 / (1 + e^-x) for |x| <= 86, rounded to float16 or bfloat16:
// e^-x as mx_exp_narrow (at most 2^124, so 1 + e^-x is finite and its
// reciprocal a normal float), then a sum and a division (2.5 ulp): again far
// below the narrow format's rounding.
fn mx_sigmoid_narrow(x: f32) -> f32 {
  return 1.0 / (1.0 + exp2(x * -1.44269502));
}

// tanh(x) for |x| <= 86, rounded to float16 or bfloat16: (1 - e) / (1 + e)
// with e = e^-2|x| by exp2, whose error (WGSL: 3 + 2 |y| ulp of exp2(y))
// stays under 2^-15 of 1 - e >= 0.031 for |x| >= 2^-6; below, x - x^3 / 3
// (the rest under 2^-26 of x), and below 2^-12 x itself, on the bits (a
// bfloat16 subnormal is a float32 subnormal, which the H200 flushes in
// arithmetic). The sign is x's.
fn mx_tanh_narrow(x: f32) -> f32 {
  let bits = bitcast<u32>(x) & 0x7fffffffu;
  let a = bitcast<f32>(bits);
  let e = exp2(a * -2.88539004);
  let t = select((1.0 - e) / (1.0 + e), a - a * a * a * 0.333333343, a < 0.015625);
  return select(mx_sign_as(t, x), x, bits < 0x39800000u);
}

// The float16 word of two results held to one 16-bit ulp (the narrow paths',
// the float32 library's fast paths'; finite float32s), v.x in the low half,
// by the device's pack2x16float (one instruction where pack_float16 takes
// about fifteen; WGSL lets it round to either neighbour, within that ulp; the
// H200 and lavapipe round to nearest even), and 1 where a half needs pack_float16:
// a magnitude above 65504 (WGSL rounds it to 65504 or to infinity below 2^16)
// or a result above 2^-25 packed as zero (a driver may flush float16
// subnormals). x.y: that flag.
fn pack_narrow_pair_float16(v: vec2<f32>) -> vec2<u32> {
  let w = pack2x16float(v);
  let a = abs(v);
  // scalar tests (no bool vectors: the naga -> MSL path of test/naga-differential.test.ts has none)
  let flushed = ((w & 0x7fffu) == 0u && a.x > 2.98023224e-8) || (((w >> 16u) & 0x7fffu) == 0u && a.y > 2.98023224e-8);
  return vec2<u32>(w, select(0u, 1u, max(a.x, a.y) > 65504.0 || flushed));
}

// |x| > 86, or NaN: outside mx_exp_narrow, mx_sigmoid_narrow and mx_tanh_narrow (tested on the bits).
fn mx_narrow_invalid(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x42ac0000u;
}

// e^x on its own short path, without a branch: mx_exp_short's reduction,
// v = 1 + s rounded once (under 0.85 ulp), then 2^k added to v's exponent
// on the bits (exact); a biased exponent past 254 is inf, one below 1 a
// subnormal rounded on the integer significand (so a driver that flushes
// subnormals in arithmetic still returns them). x is clamped to [-104, 89]
// (beyond, e^x rounds to 0 or overflows) and NaN is selected back at the end.
fn mx_exp(x: f32) -> f32 {
  let e = mx_exp_short(clamp(x, -104.0, 89.0));
  let v = 1.0 + e.s;
  let ki = e.k.i;
  let vb = bitcast<u32>(v);
  let be = i32(vb >> 23u) + ki;
  let normal = select(vb + (bitcast<u32>(ki) << 23u), 0x7f800000u, be >= 255);
  // v 2^(k + 149) is the significand on the 2^-149 grid (-2 <= k + 149 <= 23 where it is taken, so the
  // value is in [0, 2^23]): adding 2^23 rounds it to an integer, which the sum's bits hold (no conversion)
  let sub = bitcast<u32>(v * mx_two_pow(clamp(ki + 149, -126, 127)) + 8388608.0) - 0x4b000000u;
  return select(bitcast<f32>(select(normal, sub, be <= 0)), x, is_nan(x));
}

// e^x as a normalized pair where 2^k is normal (-126 <= k <= 127).
fn mx_exp_pair(p: MxExpParts) -> vec2<f32> {
  let t = mx_two_pow(p.k);
  let s = mx_two_sum(t, t * p.r);
  let u = mx_two_sum(s.x, t * p.q);
  return mx_fast_two_sum(u.x, (s.y + u.y) + t * p.lo);
}

// expm1 as a normalized pair for |x| <= 16.5 (2^k - 1 exact: k <= 24).
fn mx_expm1_pair(x: f32) -> vec2<f32> {
  let p = mx_exp_parts(x);
  let t = mx_two_pow(p.k);
  let s = mx_two_sum(t - 1.0, t * p.r);
  let u = mx_two_sum(s.x, t * p.q);
  return mx_fast_two_sum(u.x, (s.y + u.y) + t * p.lo);
}

fn mx_expm1(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  // |x| < 2^-25 (zeros and subnormals too): x + x^2 / 2 rounds to x
  if ((bitcast<u32>(x) & 0x7fffffffu) < 0x33000000u) { return x; }
  if (x > 16.5) { return mx_exp(x) - 1.0; }
  // e^x below 2^-25: -1 + e^x rounds to -1
  if (x < -18.0) { return -1.0; }
  return mx_expm1_fast(x);
}

// mx_expm1 for -18 <= x <= 16.5 with |x| >= 2^-25 without a branch (the
// elementwise kernel's fast path; the others are mx_expm1_invalid's, on the bits).
fn mx_expm1_fast(x: f32) -> f32 {
  let e = mx_expm1_pair(x);
  return e.x + e.y;
}
fn mx_expm1_invalid(x: f32) -> bool {
  let b = bitcast<u32>(x);
  let a = b & 0x7fffffffu;
  return a < 0x33000000u || select(a > 0x41840000u, a > 0x41900000u, b >= 0x80000000u);
}

// Positive finite x (given by its bits) as 2^e (1 + f), 1 + f in [sqrt(1/2), sqrt(2)],
// e and f exact; a subnormal's integer significand is converted to float first.
fn mx_log_split(bits: u32) -> vec2<f32> {
  if (bits < 0x00800000u) {
    let sp = mx_log_split_normal(bitcast<u32>(f32(bits)));
    return vec2<f32>(sp.x - 149.0, sp.y);
  }
  return mx_log_split_normal(bits);
}

// mx_log_split of a positive normal finite x, without a branch or a
// conversion: the biased exponent (at most 255) as a float from its bits.
fn mx_log_split_normal(bits: u32) -> vec2<f32> {
  // 1 + f above sqrt(2) (on the bits): halved, the exponent one up
  let high = (bits & 0x007fffffu) > 0x003504f3u;
  let m = bitcast<f32>((bits & 0x007fffffu) | select(0x3f800000u, 0x3f000000u, high));
  let biased = bitcast<f32>((bits >> 23u) | 0x4b000000u) - 8388608.0;
  return vec2<f32>(biased - select(127.0, 126.0, high), m - 1.0);
}

// x is not a positive normal finite float (zeros, subnormals, negatives,
// infinities, NaN), on the bits: outside mx_log_fast and its kin.
fn mx_not_positive_normal(x: f32) -> bool {
  return bitcast<u32>(x) - 0x00800000u >= 0x7f000000u;
}

// log(1 + f) for f in [-0.2929, 0.4142] as a normalized pair (about 2^-36 relative):
// 2 atanh(s), s = f / (2 + f) carried as a pair, the series 2 (s + s^3/3 + ... + s^11/11)
// (s^2 <= 0.0295) with its s^3/3 term as a pair too.
fn mx_log1p_small(f: f32) -> vec2<f32> {
  let d = mx_two_sum(2.0, f);
  let s = mx_div_pair(f, 0.0, d.x, d.y);
  let z = mx_two_prod(s.x, s.x);
  let c = mx_two_prod(2.0 * s.x, z.x);
  let cl = c.y + 2.0 * (s.x * (z.y + 2.0 * s.x * s.y) + s.y * z.x);
  let third = mx_two_prod(c.x, 0.333333343);
  let rest = c.x * z.x * (0.200000003 + z.x * (0.142857149 + z.x * (0.111111112 + z.x * 0.0909090936)));
  let h = mx_two_sum(2.0 * s.x, third.x);
  return mx_fast_two_sum(h.x, h.y + (2.0 * s.y + ((third.y + (c.x * -9.93410748e-09 + cl * 0.333333343)) + rest)));
}

// e (ah + al) + (l.x + l.y) (bh + bl) as a normalized pair; ah has at most 16 significant bits, so e ah is exact.
fn mx_log_combine(e: f32, l: vec2<f32>, ah: f32, al: f32, bh: f32, bl: f32) -> vec2<f32> {
  let p = mx_two_prod(l.x, bh);
  let s = mx_two_sum(e * ah, p.x);
  return mx_fast_two_sum(s.x, s.y + ((p.y + (l.x * bl + l.y * bh)) + e * al));
}

// (k ln2 + log(1 + f) + c) log_b(e) for f in [-0.29, 0.42] and k exact, |c|
// tiny, without pairs: log(1 + f) = 2 atanh(s), s = f / (2 + f), is f + l
// with l = s (f^2/2 + R) - f^2/2 and R = 2 s^2/3 + 2 s^4/5 + ... + 2 s^8/9 (the
// rest under 2^-28 of the result), so the exact f carries the value and s (a
// division's 2.5 ulp included) only the small l. log_b(2) = ah + al with ah
// of at most 15 significant bits (k ah exact) and log_b(e) = bh + bl, as pairs.
fn mx_log_sum(k: f32, f: f32, c: f32, ah: f32, al: f32, bh: f32, bl: f32) -> f32 {
  let s = f / (2.0 + f);
  let z = s * s;
  let r = z * (0.666666687 + z * (0.400000006 + z * (0.285714298 + z * 0.222222224)));
  let hfsq = 0.5 * f * f;
  let l = (s * (hfsq + r) + c) - hfsq;
  return k * ah + (f * bh + ((f * bl + l * bh) + k * al));
}

// log_b(2) and log_b(e) as pairs (ah, al, bh, bl) of mx_log_sum for the natural
// log, log2 and log10.
const MX_LN = vec4<f32>(0.693145752, 1.42860677e-06, 1.0, 0.0);
const MX_LOG2 = vec4<f32>(1.0, 0.0, 1.44269502, 1.92596303e-08);
const MX_LOG10 = vec4<f32>(0.301025391, 4.60503907e-06, 0.434294492, -1.01030499e-08);

// mx_log_sum with the pairs of one base (MX_LN, MX_LOG2, MX_LOG10).
fn mx_log_sum_in(k: f32, f: f32, c: f32, p: vec4<f32>) -> f32 {
  return mx_log_sum(k, f, c, p.x, p.y, p.z, p.w);
}

// k ln2 + log(1 + f) + c (mx_log_sum with the natural log's pairs).
fn mx_ln_sum(k: f32, f: f32, c: f32) -> f32 {
  return mx_log_sum_in(k, f, c, MX_LN);
}

// log_b(x) with IEEE special values, x by its bits so that negative subnormals
// give NaN and zeros -inf even where comparisons flush; x = 2^k (1 + f) by
// mx_log_split (measured: log, log2, log10 1 ulp).
fn mx_log_base(x: f32, p: vec4<f32>) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) == 0u) { return mx_inf(true); }
  if (b > 0x7f800000u) {
    if (is_nan(x)) { return x; }
    return nan_f32();
  }
  if (b == 0x7f800000u) { return x; }
  let sp = mx_log_split(b);
  return mx_log_sum_in(sp.x, sp.y, 0.0, p);
}

fn mx_log(x: f32) -> f32 { return mx_log_base(x, MX_LN); }
fn mx_log2(x: f32) -> f32 { return mx_log_base(x, MX_LOG2); }
fn mx_log10(x: f32) -> f32 { return mx_log_base(x, MX_LOG10); }

// The elementwise kernel's fast paths (backends/webgpu/elementwise.ts
// RARE_SPLITS) of log, log2, log10 for positive normal finite x (the bits of
// mx_log_base there, without its branches; the others are
// mx_not_positive_normal's).
fn mx_log_normal(x: f32, p: vec4<f32>) -> f32 {
  let sp = mx_log_split_normal(bitcast<u32>(x));
  return mx_log_sum_in(sp.x, sp.y, 0.0, p);
}
fn mx_log_fast(x: f32) -> f32 { return mx_log_normal(x, MX_LN); }
fn mx_log2_fast(x: f32) -> f32 { return mx_log_normal(x, MX_LOG2); }
fn mx_log10_fast(x: f32) -> f32 { return mx_log_normal(x, MX_LOG10); }

// log(1 + h + l) as a pair, for h > -1 and |l| below h's ulp.
fn mx_log1p_pair(h: f32, l: f32) -> vec2<f32> {
  if (h > -0.2929 && h < 0.4142) {
    let s = mx_log1p_small(h);
    return vec2<f32>(s.x, s.y + l / (1.0 + h));
  }
  let u = mx_two_sum(1.0, h);
  let sp = mx_log_split(bitcast<u32>(u.x));
  let s = mx_log1p_small(sp.y);
  return mx_log_combine(sp.x, vec2<f32>(s.x, s.y + (u.y + l) / u.x), 0.693145752, 1.42860677e-06, 1.0, 0.0);
}

fn mx_log1p(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  // |x| < 2^-25: x - x^2 / 2 rounds to x (zeros and subnormals kept)
  if ((bitcast<u32>(x) & 0x7fffffffu) < 0x33000000u) { return x; }
  if (x == -1.0) { return mx_inf(true); }
  if (x < -1.0) { return nan_f32(); }
  if (is_inf(x)) { return x; }
  return mx_log1p_fast(x);
}

// log1p for finite x > -1 with |x| >= 2^-25 (the others are
// mx_log1p_invalid's), without a branch: 1 + x = u + c exactly (u at least
// 2^-24, a normal float); log(u + c) = log(u) + c / u (the rest below 2^-48).
fn mx_log1p_fast(x: f32) -> f32 {
  let u = mx_two_sum(1.0, x);
  let sp = mx_log_split_normal(bitcast<u32>(u.x));
  return mx_ln_sum(sp.x, sp.y, u.y / u.x);
}

// Outside mx_log1p_fast, on the bits: |x| < 2^-25, x <= -1, infinities, NaN.
fn mx_log1p_invalid(x: f32) -> bool {
  let b = bitcast<u32>(x);
  let a = b & 0x7fffffffu;
  return a < 0x33000000u || a >= 0x7f800000u || b >= 0xbf800000u;
}

// log(2^e (1 + f)) + ln2 for the bits of a large positive x: asinh and acosh beyond 2^28.
fn mx_log_twice(bits: u32) -> f32 {
  let sp = mx_log_split(bits);
  let r = mx_log_combine(sp.x + 1.0, mx_log1p_small(sp.y), 0.693145752, 1.42860677e-06, 1.0, 0.0);
  return r.x + r.y;
}

// sqrt and rsqrt of a positive normal x in [2^-100, 2^100] without a branch
// (the elementwise kernel's fast paths; other x are mx_sqrt_invalid's).
fn mx_sqrt_fast(x: f32) -> f32 {
  let s = mx_sqrt_pair(x);
  return s.x + s.y;
}
fn mx_rsqrt_fast(v: f32) -> f32 {
  // one Newton step on the driver's estimate, the residual 1 - v y^2 computed with y^2 as a pair
  let y = inverseSqrt(v);
  let h = mx_two_prod(y, y);
  let vh = mx_two_prod(v, h.x);
  let r = ((1.0 - vh.x) - vh.y) - v * h.y;
  return y + y * (0.5 * r);
}
fn mx_sqrt_invalid(x: f32) -> bool { return bitcast<u32>(x) - 0x0d800000u > 0x64000000u; }

// sqrt(x) rounded to float16 or bfloat16: x times the device's inverseSqrt
// (WGSL: 2 ulp, so the product is a few float32 ulp off the root), whose
// 16-bit rounding is the true root's unless it lies within 16 ulp of a
// midpoint between two 16-bit values (the bits under the format's last,
// `low`, equal to `mid`; a float16's root can lie within 2^-25 of one,
// relative to the root, never on one): flagged by mx_sqrt_narrow_invalid,
// with an x that is not a positive normal, for mx_sqrt.
fn mx_sqrt_narrow(x: f32) -> f32 { return x * inverseSqrt(x); }
fn mx_sqrt_narrow_invalid(x: f32, low: u32, mid: u32) -> bool {
  let s = bitcast<u32>(mx_sqrt_narrow(x));
  return mx_not_positive_normal(x) || (s & low) - (mid - 16u) < 32u;
}

fn mx_sqrt(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if (!mx_sqrt_invalid(x)) { return mx_sqrt_fast(x); }
  if ((b & 0x7fffffffu) == 0u) { return x; }
  if (b > 0x7f800000u) {
    if (is_nan(x)) { return x; }
    return nan_f32();
  }
  if (b == 0x7f800000u) { return x; }
  // scaled by an even power of two into [2^-100, 2^100]; subnormals through their significand (x = 2b 2^-150)
  var v = x;
  var scale = 1.0;
  if (b < 0x00800000u) {
    v = f32(2u * b);
    scale = mx_two_pow(-75);
  } else if (b < 0x0d800000u) {
    v = x * mx_two_pow(50);
    scale = mx_two_pow(-25);
  } else if (b > 0x71800000u) {
    v = x * mx_two_pow(-50);
    scale = mx_two_pow(25);
  }
  let s = mx_sqrt_pair(v);
  return (s.x + s.y) * scale;
}

fn mx_rsqrt(x: f32) -> f32 {
  let b = bitcast<u32>(x);
  if ((b & 0x7fffffffu) == 0u) { return mx_inf(b != 0u); }
  if (b > 0x7f800000u) {
    if (is_nan(x)) { return x; }
    return nan_f32();
  }
  if (b == 0x7f800000u) { return 0.0; }
  var v = x;
  var scale = 1.0;
  if (b < 0x00800000u) {
    v = f32(2u * b);
    scale = mx_two_pow(75);
  } else if (b < 0x0d800000u) {
    v = x * mx_two_pow(50);
    scale = mx_two_pow(25);
  } else if (b > 0x71800000u) {
    v = x * mx_two_pow(-50);
    scale = mx_two_pow(-25);
  }
  return mx_rsqrt_fast(v) * scale;
}

// 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: e^-|x| (|x| clamped to
// 18: below 2^-25 it leaves 1 for x > 17.4) rounded once, the numerator
// selected so lanes of either sign run one quotient, and the quotient
// q0 = num / (1 + w) corrected once by its residual, which needs neither
// 1 + w rounded nor a second division (measured: 1 ulp; the pairs and
// corrected division this replaced, also 1 ulp, held 64M elements at 30% of
// the copy kernel's bandwidth on the H200). Below -18, e^x (1 - e^x + ...)
// rounds to e^x within an ulp (a branch rarely taken).
fn mx_sigmoid(x: f32) -> f32 {
  if (x < -18.0) { return mx_exp(x); }
  return mx_sigmoid_fast(x);
}

// mx_sigmoid for x >= -18 and NaN without a branch (the elementwise kernel's
// fast path; x < -18 is mx_sigmoid_invalid's).
fn mx_sigmoid_invalid(x: f32) -> bool { return x < -18.0; }
fn mx_sigmoid_fast(x: f32) -> f32 {
  // w = e^-|x| = 2^k (1 + s), rounded once
  let ey = mx_exp_short(-bitcast<f32>(min(bitcast<u32>(x) & 0x7fffffffu, 0x41900000u)));
  let t = mx_two_pow(ey.k.i);
  let w = t + t * ey.s;
  let inv = 1.0 / (1.0 + w);
  let num = select(1.0, w, x < 0.0);
  // kept as rounded: the residual is q0's, so the sum below must not take num * inv unrounded (a contraction Mesa makes)
  let q0 = mx_keep(num * inv);
  // the residual num - q0 (1 + w) without rounding 1 + w: num - q0 is exact (Sterbenz: q0 is within a factor 2 of num)
  return select(q0 + fma(-q0, w, num - q0) * inv, x, is_nan(x));
}

// tanh |x| = u / (u + 2) with u = e^2|x| - 1 on one path for every |x| (no
// piece to select, no lanes of a workgroup running two): e^2|x| = 2^k (1 + s)
// (mx_exp_short), u = (2^k - 1) + 2^k s (2^k s exact, 2^k - 1 exact for
// k <= 24, so one rounding; above, 2^k - 1's own rounding moves the quotient
// by far less than an ulp), and the quotient corrected by its residual (so
// the driver's division may be off by its 2.5 ulp); an error of u shrinks by
// 2 / (u + 2) in the quotient, but where u has just crossed a power of 2 and
// the quotient has not, u's rounding is up to one ulp of the result: at most
// 2 ulp (measured 2; the two-piece form this replaced gave 1 at 1.4 times
// the cost on the H200). |x| is clamped to 9.1 (beyond, tanh rounds to 1);
// tiny |x| and NaN return x.
fn mx_tanh(x: f32) -> f32 {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  // |x| clamped to 9.1 (its bits 0x4111999a) on the bits: the float min of the same value, without a float compare
  let ey = mx_exp_short(2.0 * bitcast<f32>(min(a, 0x4111999au)));
  let e = mx_two_pow(ey.k.i);
  let u = (e - 1.0) + e * ey.s;
  let inv = 1.0 / (u + 2.0);
  let q0 = u * inv;
  // the residual u - q0 (u + 2) without rounding u + 2: u - q0 u rounded once (near 2 q0), less 2 q0 exactly (Sterbenz)
  let q = q0 + (fma(-q0, u, u) - 2.0 * q0) * inv;
  // |x| < 2^-12: x - x^3 / 3 rounds to x; NaN stays
  return select(mx_sign_as(q, x), x, (a < 0x39800000u) | (a > 0x7f800000u));
}

// (e^|x| + sign e^-|x|) / 2 for |x| <= 90: both exponentials reduced, summed
// on e^|x|'s scale, scaled once without a branch (2^(k - 1) with k - 1 <= 129
// as two normal powers; their products exact, or past the largest float).
fn mx_exp_pm(ax: f32, sign: f32) -> f32 {
  let p = mx_exp_parts(ax);
  let q = mx_exp_parts(-ax);
  let n = q.k - p.k;
  let s = select(0.0, mx_two_pow(max(n, -126)), n >= -60);
  let h = mx_two_sum(1.0, p.r);
  let d = mx_two_sum(h.x, sign * s * (1.0 + (q.r + (q.q + q.lo))));
  let n2 = p.k - 1;
  return (d.x + (d.y + h.y + (p.q + p.lo))) * mx_two_pow(min(n2, 127)) * mx_two_pow(max(n2 - 127, 0));
}

fn mx_sinh(x: f32) -> f32 {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  // |x| < 2^-12: x + x^3 / 6 rounds to x; NaN and infinities stay
  if (a < 0x39800000u || a >= 0x7f800000u) { return x; }
  if (a > 0x42b40000u) { return mx_sign_as(mx_inf(false), x); }
  return mx_sinh_fast(x);
}

// mx_sinh for 2^-12 <= |x| <= 90 without a branch (the elementwise kernel's
// fast path): below 1 the Taylor series to x^11 (the rest is below 2^-32
// relative), above it the exponentials; both computed, one selected.
fn mx_sinh_fast(x: f32) -> f32 {
  let ax = abs(x);
  let z = x * x;
  let series = x + x * z * (0.166666672 + z * (0.00833333377 + z * (0.000198412701 + z * (2.75573188e-06 + z * 2.50521084e-08))));
  return select(mx_sign_as(mx_exp_pm(ax, -1.0), x), series, ax < 1.0);
}
fn mx_sinh_invalid(x: f32) -> bool {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  return a < 0x39800000u || a > 0x42b40000u;
}

fn mx_cosh(x: f32) -> f32 {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  if (a > 0x7f800000u) { return x; }
  if (a > 0x42b40000u) { return mx_inf(false); }
  return mx_cosh_fast(x);
}

// mx_cosh for |x| <= 90 (0x42b40000) without a branch (the elementwise kernel's fast path).
fn mx_cosh_fast(x: f32) -> f32 {
  return mx_exp_pm(abs(x), 1.0);
}
fn mx_cosh_invalid(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x42b40000u;
}

// log(1 + h + l) for h > -1 (1 + h normal) and |l| below h's ulp, as one
// float without a branch: 1 + h as a two-sum, split, and mx_ln_sum with the
// two-sum's rest and l as its correction (the inverse hyperbolics' last step).
fn mx_log1p_sum(h: f32, l: f32) -> f32 {
  let u = mx_two_sum(1.0, h);
  let sp = mx_log_split_normal(bitcast<u32>(u.x));
  return mx_ln_sum(sp.x, sp.y, (u.y + l) / u.x);
}

fn mx_arcsinh(x: f32) -> f32 {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  // |x| < 2^-12: x - x^3 / 6 rounds to x; NaN and infinities stay
  if (a < 0x39800000u || a >= 0x7f800000u) { return x; }
  // beyond 2^28: log(2|x|)
  if (a > 0x4d800000u) { return mx_sign_as(mx_log_twice(a), x); }
  return mx_arcsinh_fast(x);
}

// mx_arcsinh for 2^-12 <= |x| <= 2^28 without a branch (the elementwise
// kernel's fast path): log1p(|x| + x^2 / (1 + sqrt(1 + x^2))), the sum as a pair.
fn mx_arcsinh_fast(x: f32) -> f32 {
  let ax = abs(x);
  let z = ax * ax;
  let w = mx_sqrt_pair(1.0 + z);
  let d = mx_two_sum(1.0, w.x);
  let q = mx_div_pair(z, mx_two_prod(ax, ax).y, d.x, d.y + w.y);
  let t = mx_two_sum(ax, q.x);
  return mx_sign_as(mx_log1p_sum(t.x, t.y + q.y), x);
}
fn mx_arcsinh_invalid(x: f32) -> bool {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  return a < 0x39800000u || a > 0x4d800000u;
}

fn mx_arccosh(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x < 1.0) { return nan_f32(); }
  if (is_inf(x)) { return x; }
  if (x == 1.0) { return 0.0; }
  if (x > 268435456.0) { return mx_log_twice(bitcast<u32>(x)); }
  return mx_arccosh_fast(x);
}

// mx_arccosh for 1 < x <= 2^28 without a branch (the elementwise kernel's
// fast path): log1p(t + sqrt(t (t + 2))), t = x - 1, with t (t + 2) and its
// root as pairs.
fn mx_arccosh_fast(x: f32) -> f32 {
  let t = mx_two_sum(x, -1.0);
  let a = mx_two_sum(t.x, 2.0);
  let u = mx_two_prod(t.x, a.x);
  let uh = u.x;
  let ul = u.y + (t.x * (a.y + t.y) + t.y * a.x);
  let s = mx_sqrt_pair(uh);
  let v = mx_two_sum(t.x, s.x);
  return mx_log1p_sum(v.x, v.y + t.y + s.y + ul * (0.5 / s.x));
}
// Outside mx_arccosh_fast, on the bits: x <= 1 (negatives included), x > 2^28, NaN.
fn mx_arccosh_invalid(x: f32) -> bool {
  let b = bitcast<u32>(x);
  return b <= 0x3f800000u || b > 0x4d800000u;
}

fn mx_arctanh(x: f32) -> f32 {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  // |x| < 2^-12: x + x^3 / 3 rounds to x; NaN stays
  if (a < 0x39800000u || a > 0x7f800000u) { return x; }
  if (a > 0x3f800000u) { return nan_f32(); }
  if (a == 0x3f800000u) { return mx_sign_as(mx_inf(false), x); }
  return mx_arctanh_fast(x);
}

// mx_arctanh for 2^-12 <= |x| < 1 without a branch (the elementwise kernel's
// fast path): log1p(2|x| / (1 - |x|)) / 2, the quotient as a pair.
fn mx_arctanh_fast(x: f32) -> f32 {
  let ax = abs(x);
  let d = mx_two_sum(1.0, -ax);
  let q = mx_div_pair(2.0 * ax, 0.0, d.x, d.y);
  return mx_sign_as(0.5 * mx_log1p_sum(q.x, q.y), x);
}
fn mx_arctanh_invalid(x: f32) -> bool {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  return a < 0x39800000u || a >= 0x3f800000u;
}

// m + log1p(e^(d + dl)) for m >= 0 and -64 < d <= 0 (|dl| below d's ulp), where
// nothing cancels (log1p is positive): e^(d + dl) = 2^k (1 + s') with
// s' = s + dl (1 + s) from mx_exp_short; 1 + e^(d + dl) = (1 + 2^k) + 2^k s'
// (1 + 2^k exact for k >= -23) as u + ul exactly, its log by mx_ln_sum with
// ul / u; below 2^-23, log1p(e) = e - e^2 / 2. No pairs past the two-sum of
// the arguments: softplus (logaddexp(x, 0)) and binary cross-entropy on
// logits take this path.
fn mx_logaddexp_nonneg(m: f32, d: f32, dl: f32) -> f32 {
  let ey = mx_exp_short(d);
  let t = mx_two_pow(ey.k.i);
  let ts = t * (ey.s + dl * (1.0 + ey.s));
  let one_t = 1.0 + t;
  let u = mx_keep(one_t + ts);
  let ul = (one_t - u) + ts;
  let sp = mx_log_split_normal(bitcast<u32>(u));
  let big = mx_ln_sum(sp.x, sp.y, ul / u);
  let e = t + ts;
  return m + select(big, e - 0.5 * e * e, ey.k.i < -23);
}

// mx_logaddexp where it takes mx_logaddexp_nonneg, without a branch (the
// elementwise kernel's fast path: softplus and cross-entropy on logits);
// NaN, infinities, a == b, max(a, b) < 0 and e^(n - m) below e^-64 are
// mx_logaddexp_rare's.
fn mx_logaddexp_fast(a: f32, b: f32) -> f32 {
  let m = select(b, a, a >= b);
  let n = select(a, b, a >= b);
  let dd = mx_two_sum(n, -m);
  return mx_logaddexp_nonneg(select(m, 0.0, bitcast<u32>(m) == 0x80000000u), dd.x, dd.y);
}
fn mx_logaddexp_rare(a: f32, b: f32) -> bool {
  let m = select(b, a, a >= b);
  let n = select(a, b, a >= b);
  let special = ((bitcast<u32>(a) & 0x7fffffffu) >= 0x7f800000u) | ((bitcast<u32>(b) & 0x7fffffffu) >= 0x7f800000u);
  return special | (a == b) | (bitcast<u32>(m) > 0x80000000u) | !(n - m > -64.0);
}

fn mx_logaddexp(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return a + b; }
  let m = select(b, a, a >= b);
  let n = select(a, b, a >= b);
  // m + log1p(0) as the reference adds it: -0 becomes +0
  let m0 = select(m, 0.0, bitcast<u32>(m) == 0x80000000u);
  if (is_inf(m) || (is_inf(n) && n < 0.0)) { return m0; }
  if (a == b) {
    // a + ln2 with ln2 as a pair
    let s = mx_two_sum(a, 0.693147182);
    return s.x + (s.y - 1.90465421e-09);
  }
  // m + log1p(e^(n - m)), n - m as a pair: e^(d + dl) = e^d (1 + dl)
  let dd = mx_two_sum(n, -m);
  let d = dd.x;
  if (d < -104.0) { return m0; }
  if ((bitcast<u32>(m0) & 0x80000000u) == 0u && d > -64.0) { return mx_logaddexp_nonneg(m0, d, dd.y); }
  let p = mx_exp_parts(d);
  if (p.k < -100) {
    // e^d < 2^-100 only counts against |m| < 2^-60: both scaled by 2^64 on the bits, summed, scaled back rounding once
    if ((bitcast<u32>(m) & 0x7fffffffu) >= 0x21800000u) { return m0; }
    let big = mx_sign_as(mx_up64(m), m) + mx_scale(1.0 + (p.r + (p.q + p.lo)), p.k + 64);
    return mx_sign_as(mx_down64(abs(big)), big);
  }
  let e0 = mx_exp_pair(p);
  let e = mx_fast_two_sum(e0.x, e0.y + e0.x * dd.y);
  let l = mx_log1p_pair(e.x, e.y);
  let s = mx_two_sum(m, l.x);
  return s.x + (s.y + l.y);
}

// |a|^b for finite nonzero a (by its bits) and finite nonzero b: 2^(b log2|a|), log2|a| and the product as pairs.
fn mx_pow_abs(bits: u32, b: f32) -> f32 {
  let sp = mx_log_split(bits);
  let g = mx_log_combine(sp.x, mx_log1p_small(sp.y), 1.0, 0.0, 1.44269502, 1.92596303e-08);
  let y = mx_two_prod(b, g.x);
  let yh = y.x;
  if (yh > 129.0) { return mx_inf(false); }
  if (yh < -152.0) { return 0.0; }
  let yl = y.y + b * g.y;
  let k = round(yh);
  let r = mx_two_sum(yh - k, yl);
  // (r.x + r.y) ln2, ln2 as a pair, |product| <= 0.35
  let ph = mx_two_prod(r.x, 0.693147182);
  let p = mx_exp_poly(i32(k), ph.x, ph.y + (r.x * -1.90465421e-09 + r.y * 0.693147182));
  return mx_scale(1.0 + (p.r + (p.q + p.lo)), p.k);
}

// pow with C's special cases: pow(x, +-0) = 1, pow(1, y) = 1, pow(-1, +-inf) = 1, NaN otherwise
// propagates, negative bases need integer exponents (odd ones keep the sign), zeros and
// infinities by the exponent's sign; zeros and signs read from the bits. Squares and
// cubes of 2^-31 <= |a| <= 2^31 (every product a normal float) are a * a and (a * a) * a:
// one rounding, or two (under 2 ulp), where the general path costs about a hundred
// instructions (H200, 64M elements, device time: x^3 at 8% of the copy kernel's bandwidth).
fn mx_power(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a) & 0x7fffffffu;
  let ub = bitcast<u32>(b) & 0x7fffffffu;
  // b == 2 or 3 on the bits (a NaN b compares as nothing in particular where a driver assumes finite floats)
  let cube = bitcast<u32>(b) == 0x40400000u;
  if ((bitcast<u32>(b) == 0x40000000u || cube) && ua >= 0x30000000u && ua <= 0x4f000000u) {
    let square = a * a;
    return select(square, square * a, cube);
  }
  if (ub == 0u || a == 1.0 || (a == -1.0 && ub == 0x7f800000u)) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return a + b; }
  let negative_base = (bitcast<u32>(a) & 0x80000000u) != 0u;
  let negative_exp = (bitcast<u32>(b) & 0x80000000u) != 0u;
  // |b| < 1 is never integral (a flushed subnormal must not compare equal to its trunc)
  let integral = ub >= 0x3f800000u && trunc(b) == b;
  let odd = integral && ub < 0x4b800000u && (i32(b) & 1) == 1;
  let flip = odd && negative_base;
  if (ua == 0u) {
    return mx_sign_as(select(0.0, mx_inf(false), negative_exp), select(1.0, -1.0, flip));
  }
  if (ua == 0x7f800000u) {
    return mx_sign_as(select(mx_inf(false), 0.0, negative_exp), select(1.0, -1.0, flip));
  }
  if (ub == 0x7f800000u) {
    // |a| != 1: |a| > 1 grows towards +inf, |a| < 1 shrinks
    return select(0.0, mx_inf(false), (ua > 0x3f800000u) != negative_exp);
  }
  if (negative_base && !integral) { return nan_f32(); }
  let r = mx_pow_abs(ua, b);
  return select(r, mx_neg(r), flip);
}
