// mlx-ts's own float32 trigonometric functions (sin, cos, tan, arcsin, arccos,
// arctan, arctan2), within a few ulp on every adapter: Cody-Waite and
// Payne-Hanek reduction, fitted polynomials, math-core.wgsl's exact steps; no
// driver builtin. Prepended wherever math.wgsl is (the "math" helper).

// ---- argument reduction by pi/2 ----

// word j of the bits of 2/pi after the binary point, one zero word in front (for
// small exponents); a switch rather than an indexed array, which drivers place in
// per-thread memory
fn mx_two_over_pi(j: u32) -> u32 {
  switch (j) {
    case 1u: { return 0xa2f9836eu; }
    case 2u: { return 0x4e441529u; }
    case 3u: { return 0xfc2757d1u; }
    case 4u: { return 0xf534ddc0u; }
    case 5u: { return 0xdb629599u; }
    case 6u: { return 0x3c439041u; }
    case 7u: { return 0xfe5163abu; }
    case 8u: { return 0xdebbc561u; }
    default: { return 0u; }
  }
}

/** a * b as (lo, hi) words. */
fn mx_mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  let lo = (p00 & 0xffffu) | (mid << 16u);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2<u32>(lo, hi);
}

struct MxReduced { q: u32, hi: f32, lo: f32 }

/**
 * a = q * pi/2 + (hi + lo) for finite a >= 0, |hi + lo| <= pi/4 (about): Cody-Waite
 * with a three-part pi/2 below 200, Payne-Hanek (integer product with 2/pi) above.
 */
fn mx_reduce_pio2(a: f32) -> MxReduced {
  if (a < 200.0) { return mx_reduce_cw(a); }
  return mx_reduce_ph(a);
}

/** mx_reduce_pio2 for 0 <= a < 200 (Cody-Waite; branch-free). */
fn mx_reduce_cw(a: f32) -> MxReduced {
  let k = round(a * 0.6366197466850281);
  // k * C1 and k * C2 are exact (17-bit parts, k < 128): the first two steps are exact sums
  let r1 = a - k * 1.57080078125;
  let t = k * -4.45445766672492e-06;
  let s = mx_keep(r1 - t);
  let bv = mx_keep(s - r1);
  let err = (r1 - (s - bv)) - (t + bv);
  let lo = err - k * 2.5633440682570896e-12;
  let hi = mx_keep(s + lo);
  return MxReduced(u32(k) & 3u, hi, lo - (hi - s));
}

/** mx_reduce_pio2 for finite a >= 200 (Payne-Hanek). */
fn mx_reduce_ph(a: f32) -> MxReduced {
  let bits = bitcast<u32>(a);
  let m = (bits & 0x7fffffu) | 0x800000u;
  // a = m * 2^E; the 96-bit window of 2/pi that starts 2 bits above the product's binary point
  let E = i32(bits >> 23u) - 150;
  let q0 = u32(E + 30);
  let j = q0 >> 5u;
  let sh = q0 & 31u;
  // m times the window's words w2 (lowest), w1, w0 into r0, r1, r2 (mod 2^32; the binary point
  // sits at bit 94): a loop, which keeps the registers of this rare path few
  var r0 = 0u; var r1 = 0u; var r2 = 0u;
  for (var k = 0u; k < 3u; k++) {
    let idx = j + 2u - k;
    var w = mx_two_over_pi(idx);
    if (sh != 0u) { w = (w << sh) | (mx_two_over_pi(idx + 1u) >> (32u - sh)); }
    let p = mx_mul_wide(m, w);
    if (k == 0u) {
      r0 = p.x; r1 = p.y;
    } else if (k == 1u) {
      let s = r1 + p.x;
      r2 = p.y + select(0u, 1u, s < r1);
      r1 = s;
    } else {
      r2 = r2 + p.x;
    }
  }
  var q = r2 >> 30u;
  var fh = (r2 << 2u) | (r1 >> 30u);
  var fl = (r1 << 2u) | (r0 >> 30u);
  // a fraction of 1/2 or more rounds the quotient up and leaves a negative remainder
  let neg = (fh & 0x80000000u) != 0u;
  if (neg) {
    q = q + 1u;
    fh = ~fh; fl = ~fl;
    fl = fl + 1u;
    if (fl == 0u) { fh = fh + 1u; }
  }
  var lz = countLeadingZeros(fh);
  var scale = 0;
  if (lz == 32u) { fh = fl; fl = 0u; scale = -32; lz = countLeadingZeros(fh); }
  if (lz > 0u && lz < 32u) { fh = (fh << lz) | (fl >> (32u - lz)); fl = fl << lz; }
  scale = scale - i32(lz);
  // fraction = (fh + fl 2^-32) 2^(scale-32): two exact 24-bit pieces, times pi/2 as hi + lo
  let fa = f32(fh >> 8u) * mx_two_pow(scale - 24);
  let fb = f32(((fh & 0xffu) << 16u) | (fl >> 16u)) * mx_two_pow(scale - 48);
  let pe = mx_two_prod(fa, 1.5707963705062866);
  let rest = pe.y + (fa * -4.371138828673793e-08 + fb * 1.5707963705062866);
  let hi = mx_keep(pe.x + rest);
  let lo = rest - (hi - pe.x);
  return MxReduced(q & 3u, select(hi, -hi, neg), select(lo, -lo, neg));
}

// sin(r) on |r| <= pi/4 + eps, r = hi + lo; the result as a pair (its sum is sin r)
fn mx_sin_k(hi: f32, lo: f32) -> vec2f {
  let z = hi * hi;
  let t = hi * z * mx_sin_p(z) + lo * (1.0 - 0.5 * z);
  let s = mx_keep(hi + t);
  return vec2f(s, t - (s - hi));
}

// cos(r) on |r| <= pi/4 + eps, r = hi + lo, as a pair: 1 - r^2/2 with its rounding errors carried
fn mx_cos_k(hi: f32, lo: f32) -> vec2f {
  let zz = mx_two_prod(hi, hi);
  let z = zz.x;
  let hz = 0.5 * z;
  let w = mx_keep(1.0 - hz);
  let t = ((1.0 - w) - hz) + (z * z * mx_cos_p(z) - (hi * lo + 0.5 * zz.y));
  let c = mx_keep(w + t);
  return vec2f(c, t - (c - w));
}

// The polynomials of sin(r) = r + r z P(z) and cos(r) = 1 - z/2 + z^2 Q(z), z = r^2.
// Kernels evaluate both rather than select per-lane coefficients: a select of
// two constants costs a move and a select on the H200, two fused multiply-adds' time.
fn mx_sin_p(z: f32) -> f32 {
  return -0.1666666716337204 + z * (0.008333329111337662 + z * (-0.00019839232845697552 + z * 2.717366214710637e-06));
}
fn mx_cos_p(z: f32) -> f32 {
  return 0.0416666679084301 + z * (-0.0013888883404433727 + z * (2.4799372113193385e-05 + z * -2.7198620955459774e-07));
}

// sin(r) (odd false) or cos(r) (odd true) on |r| <= pi/4 + eps, r = hi + lo: both
// selected at the end (no branch), the rounding error of 1 - r^2/2 carried
// (sin and cos of huge arguments take this; tan the pairs above)
fn mx_sin_or_cos_k(hi: f32, lo: f32, odd: bool) -> f32 {
  let z = hi * hi;
  let hz = 0.5 * z;
  let w = mx_keep(1.0 - hz);
  let cos_r = w + (((1.0 - w) - hz) + (z * z * mx_cos_p(z) - hi * lo));
  let sin_r = hi + (hi * z * mx_sin_p(z) + lo * (1.0 - hz));
  return select(sin_r, cos_r, odd);
}

/** (nh + nl) / (dh + dl), the quotient corrected by its residual. */
fn mx_div2(nh: f32, nl: f32, dh: f32, dl: f32) -> f32 {
  // one reciprocal: the residual corrects the quotient's error, and the correction needs few bits
  let inv = 1.0 / dh;
  let q = mx_keep(nh * inv);
  let pe = mx_two_prod(q, dh);
  return q + ((((nh - pe.x) - pe.y) + nl) - q * dl) * inv;
}

/** |x| < 2^-12 or x is not finite: one unsigned comparison on the bits (the common case takes one branch). */
fn mx_trig_rare(x: f32) -> bool {
  return ((bitcast<u32>(x) & 0x7fffffffu) - 0x39800000u) >= (0x7f800000u - 0x39800000u);
}

/** x is a nonzero subnormal, |x| >= 200, inf or NaN: the arguments mx_sin_fast gets wrong. */
fn mx_sin_fast_invalid(x: f32) -> bool {
  let m = bitcast<u32>(x) & 0x7fffffffu;
  return (m - 1u < 0x7fffffu) | (m >= 0x43480000u);
}

/** |x| >= 200, inf or NaN: the arguments mx_cos_fast gets wrong. */
fn mx_cos_fast_invalid(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) >= 0x43480000u;
}

/** sin x from s = +-sin or +-cos of the remainder of |x| in quadrant q. */
fn mx_sin_signed(s: f32, q: u32, x: f32) -> f32 {
  return select(s, -s, (q >= 2u) != (bitcast<u32>(x) >= 0x80000000u));
}

/** cos x from c = +-cos or +-sin of the remainder of |x| in quadrant q. */
fn mx_cos_signed(c: f32, q: u32) -> f32 {
  return select(c, -c, q - 1u < 2u);
}

/** sin x from the reduction r of |x| (finite x, |x| >= 2^-12). */
fn mx_sin_reduced(r: MxReduced, x: f32) -> f32 {
  return mx_sin_signed(mx_sin_or_cos_k(r.hi, r.lo, (r.q & 1u) == 1u), r.q, x);
}

/** cos x from the reduction r of |x| (finite x). */
fn mx_cos_reduced(r: MxReduced) -> f32 {
  return mx_cos_signed(mx_sin_or_cos_k(r.hi, r.lo, (r.q & 1u) == 0u), r.q);
}

// ---- the fast path of sin and cos (elementwise kernels, |x| < 200) ----
// No compensated step, so no value passes through mx_keep (whose integer
// operations cost sin a third of its bandwidth on the H200): the reduction's
// one rounded step is exact exactly where it cancels, and the kernel's
// rounding errors add up to about 1.5 ulp (measured 1 on lavapipe and the
// H200, as the compensated path; the contract allows 2).

/**
 * mx_reduce_cw for 0 <= a < 200 without its compensated sum: a - k C1 is
 * exact (k C1 exact, Sterbenz), less k C2 (exact) rounded once, which is exact
 * where the two cancel (Sterbenz again), so a tiny remainder near a multiple
 * of pi/2 keeps every bit; the third part of pi/2 rides along as lo.
 */
fn mx_reduce_cw_fast(a: f32) -> MxReduced {
  let k = mx_round_product(a, 0.6366197466850281);
  let hi = (a - k.f * 1.57080078125) - k.f * -4.45445766672492e-06;
  return MxReduced(bitcast<u32>(k.i) & 3u, hi, k.f * -2.5633440682570896e-12);
}

/**
 * mx_sin_or_cos_k without the rounding error of 1 - r^2/2 carried (at most
 * half an ulp more) and without cos's r lo term (below 2^-31 of the result).
 */
fn mx_sin_or_cos_k_fast(hi: f32, lo: f32, odd: bool) -> f32 {
  let z = hi * hi;
  return select(hi + (hi * z * mx_sin_p(z) + lo), (1.0 - 0.5 * z) + z * z * mx_cos_p(z), odd);
}

/**
 * sin x without a branch for zero and every normal |x| < 200; wrong for the
 * rest (mx_sin_fast_invalid), which the elementwise kernel recomputes with
 * mx_sin. Below 2^-12 the polynomial returns x itself, signed zeros included.
 */
fn mx_sin_fast(x: f32) -> f32 {
  let r = mx_reduce_cw_fast(mx_abs(x));
  return mx_sin_signed(mx_sin_or_cos_k_fast(r.hi, r.lo, (r.q & 1u) == 1u), r.q, x);
}

/** cos x as mx_sin_fast, for every finite |x| < 200 (a subnormal a driver flushes still gives 1). */
fn mx_cos_fast(x: f32) -> f32 {
  let r = mx_reduce_cw_fast(mx_abs(x));
  return mx_cos_signed(mx_sin_or_cos_k_fast(r.hi, r.lo, (r.q & 1u) == 0u), r.q);
}

fn mx_sin(x: f32) -> f32 {
  let m = bitcast<u32>(x) & 0x7fffffffu;
  if (m >= 0x7f800000u) { return nan_f32(); }
  if (m >= 0x43480000u) { return mx_sin_reduced(mx_reduce_ph(mx_abs(x)), x); }
  // zeros and subnormals: sin x rounds to x (kept on the bits where a driver flushes)
  if (m < 0x00800000u) { return x; }
  return mx_sin_fast(x);
}

fn mx_cos(x: f32) -> f32 {
  let m = bitcast<u32>(x) & 0x7fffffffu;
  if (m >= 0x7f800000u) { return nan_f32(); }
  if (m >= 0x43480000u) { return mx_cos_reduced(mx_reduce_ph(mx_abs(x))); }
  return mx_cos_fast(x);
}

fn mx_tan(x: f32) -> f32 {
  let a = mx_abs(x);
  if (mx_trig_rare(x)) { return select(x, nan_f32(), is_nan(x) || is_inf(x)); }
  return mx_tan_reduced(mx_reduce_pio2(a), x);
}

/** tan x from the reduction r of |x|: sin / cos of the remainder, or -cos / sin in odd quadrants (selected, not branched to). */
fn mx_tan_reduced(r: MxReduced, x: f32) -> f32 {
  let s = mx_sin_k(r.hi, r.lo);
  let c = mx_cos_k(r.hi, r.lo);
  let odd = (r.q & 1u) == 1u;
  let n = select(s, c, odd);
  let d = select(c, s, odd);
  let q = mx_div2(n.x, n.y, d.x, d.y);
  let t = select(q, -q, odd);
  return select(t, -t, bitcast<u32>(x) >= 0x80000000u);
}

// tan x without a branch for 2^-12 <= |x| < 200 (the elementwise kernel's
// fast path, mx_tan's bits there); the rest are mx_tan_invalid's.
fn mx_tan_fast(x: f32) -> f32 { return mx_tan_reduced(mx_reduce_cw(mx_abs(x)), x); }
fn mx_tan_invalid(x: f32) -> bool {
  return ((bitcast<u32>(x) & 0x7fffffffu) - 0x39800000u) >= (0x43480000u - 0x39800000u);
}

// ---- inverse functions ----

// asin(a) = a + a z P(z), z = a^2 <= 1/4
fn mx_asin_p(z: f32) -> f32 {
  return 0.1666666716337204 + z * (0.07499948889017105 + z * (0.044659972190856934 + z * (0.030112527310848236 + z * (0.024604693055152893 + z * (0.007509533781558275 + z * 0.034646254032850266)))));
}

fn mx_asin(x: f32) -> f32 {
  let a = mx_abs(x);
  if (is_nan(x) || a > 1.0) { return nan_f32(); }
  if (bitcast<u32>(a) < 0x39800000u) { return x; }
  var r: f32;
  if (a <= 0.5) {
    let z = a * a;
    r = a + a * z * mx_asin_p(z);
  } else {
    // asin a = pi/2 - 2 asin(sqrt((1 - a)/2))
    let z = (1.0 - a) * 0.5;
    let s = mx_sqrt2(z);
    r = (1.5707963705062866 - 2.0 * s.x) + (-4.371138828673793e-08 - 2.0 * (s.y + s.x * z * mx_asin_p(z)));
  }
  return mx_sign_as(r, x);
}

fn mx_acos(x: f32) -> f32 {
  let a = mx_abs(x);
  if (is_nan(x) || a > 1.0) { return nan_f32(); }
  if (a <= 0.5) {
    let z = a * a;
    let v = x + (x * z * mx_asin_p(z) - -4.371138828673793e-08);
    return 1.5707963705062866 - v;
  }
  if (a == 1.0) { return select(0.0, 3.1415927410125732, x < 0.0); }
  let z = (1.0 - a) * 0.5;
  let s = mx_sqrt2(z);
  let t = s.y + s.x * z * mx_asin_p(z);
  if (x > 0.0) { return 2.0 * (s.x + t); }
  return (3.1415927410125732 - 2.0 * s.x) + (-8.742277657347586e-08 - 2.0 * t);
}

// atan(t) = t + t z P(z), z = t^2 <= 1
fn mx_atan_p(z: f32) -> f32 {
  return -0.3333333134651184 + z * (0.19999927282333374 + z * (-0.1428416669368744 + z * (0.11094500869512558 + z * (-0.08985424786806107 + z * (0.07259395718574524 + z * (-0.05451517552137375 + z * (0.034474924206733704 + z * (-0.01629873923957348 + z * (0.0049260566011071205 + z * -0.0006979025201871991)))))))));
}

/** (c_hi + c_lo) + s * atan(t + tl) for 0 <= t <= 1, s = +-1. */
fn mx_atan_core(t: f32, tl: f32, c_hi: f32, c_lo: f32, s: f32) -> f32 {
  let z = t * t;
  return (c_hi + s * t) + (c_lo + s * (t * z * mx_atan_p(z) + tl));
}

fn mx_atan(x: f32) -> f32 {
  let a = mx_abs(x);
  if (is_nan(x)) { return x; }
  if (bitcast<u32>(a) < 0x39800000u) { return x; }
  if (is_inf(x)) { return mx_sign_as(1.5707963705062866, x); }
  return mx_atan_fast(x);
}

// atan for finite |x| >= 2^-12 without a branch (mx_atan's path there, and
// the elementwise kernel's fast path: the two pieces' operands selected, 1 /
// |x| computed for every x); tiny and non-finite x are mx_trig_rare's. One
// function for both, so a fused kernel gets the same bits (the H200's
// compiler contracted the pieces' constant forms differently: 1 ulp apart).
fn mx_atan_fast(x: f32) -> f32 {
  let a = mx_abs(x);
  let big = a > 1.0;
  let t = select(vec2f(a, 0.0), mx_div(1.0, a), big);
  let r = mx_atan_core(t.x, t.y, select(0.0, 1.5707963705062866, big), select(0.0, -4.371138828673793e-08, big), select(1.0, -1.0, big));
  return mx_sign_as(r, x);
}

/** Significand in [1, 2) and unbiased exponent of a positive finite nonzero x, from the bits. */
fn mx_frexp(x: f32) -> vec2f {
  var b = bitcast<u32>(x) & 0x7fffffffu;
  var e = i32(b >> 23u) - 127;
  if (b < 0x00800000u) {
    let lz = countLeadingZeros(b) - 8u;
    b = b << lz;
    e = -126 - i32(lz);
  }
  return vec2f(bitcast<f32>((b & 0x7fffffu) | 0x3f800000u), f32(e));
}

// atan2 with C99's special values: signed zeros, infinities, all quadrants.
fn mx_atan2(y: f32, x: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return nan_f32(); }
  let xneg = bitcast<u32>(x) >= 0x80000000u;
  var r: f32;
  let ay = bitcast<u32>(y) & 0x7fffffffu;
  let ax = bitcast<u32>(x) & 0x7fffffffu;
  if (ay == 0u) {
    r = select(0.0, 3.1415927410125732, xneg);
  } else if (ax == 0u) {
    r = 1.5707963705062866;
  } else if (is_inf(y)) {
    r = select(select(1.5707963705062866, 0.7853981852531433, is_inf(x)), 2.356194496154785, is_inf(x) && xneg);
  } else if (is_inf(x)) {
    r = select(0.0, 3.1415927410125732, xneg);
  } else {
    // t = smaller / larger from significands and exponents (no overflow, no flushed quotient)
    let small_is_y = ay <= ax;
    let fs = mx_frexp(bitcast<f32>(select(ax, ay, small_is_y)));
    let fl = mx_frexp(bitcast<f32>(select(ay, ax, small_is_y)));
    let q = mx_div(fs.x, fl.x);
    let d = i32(fs.y) - i32(fl.y);
    if (small_is_y && !xneg && d < -13) {
      // atan2 is y / x to the last bit here; below 2^-126 it is rounded to a subnormal on the bits
      if (d < -152) { r = 0.0; } else if (d >= -120) { r = q.x * mx_two_pow(d); } else { r = mx_down64(q.x * mx_two_pow(d + 64)); }
    } else {
      var t = 0.0; var tl = 0.0;
      if (d >= -100) { t = q.x * mx_two_pow(d); tl = q.y * mx_two_pow(d); }
      if (small_is_y) {
        if (xneg) { r = mx_atan_core(t, tl, 3.1415927410125732, -8.742277657347586e-08, -1.0); } else { r = mx_atan_core(t, tl, 0.0, 0.0, 1.0); }
      } else {
        r = mx_atan_core(t, tl, 1.5707963705062866, -4.371138828673793e-08, select(-1.0, 1.0, xneg));
      }
    }
  }
  return mx_sign_as(r, y);
}
