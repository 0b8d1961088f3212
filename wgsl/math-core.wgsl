// Float32 building blocks of mlx-ts's WGSL math library: bit-level abs, negate,
// sign and zero tests that never flush subnormals, exact scaling by 2^+-64 on
// the bits, Dekker's exact product, and quotients and square roots corrected by
// their exact residuals. Prepended wherever math.wgsl is (the "math" helper).

// ---- bit-level helpers: subnormals are never flushed ----

fn mx_abs(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) & 0x7fffffffu); }
fn mx_neg(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) ^ 0x80000000u); }
/** x is not +-0 (NaN counts as nonzero), tested on the bits. */
fn mx_nonzero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
/** -1, 0 or 1 by the sign bit; zeros keep their sign, NaN stays NaN. */
fn mx_sign(x: f32) -> f32 {
  let u = bitcast<u32>(x);
  let m = u & 0x7fffffffu;
  if (m == 0u || m > 0x7f800000u) { return x; }
  return bitcast<f32>((u & 0x80000000u) | 0x3f800000u);
}
/** |x| with the sign bit of s. */
fn mx_sign_as(x: f32, s: f32) -> f32 {
  return bitcast<f32>((bitcast<u32>(x) & 0x7fffffffu) | (bitcast<u32>(s) & 0x80000000u));
}
/** 2^n as a normal float32 (-126 <= n <= 127). */
fn mx_two_pow(n: i32) -> f32 { return bitcast<f32>(u32(n + 127) << 23u); }
/** |x| * 2^64 for |x| < 2^-60, exact from the bits (subnormals included). */
fn mx_up64(x: f32) -> f32 {
  let m = bitcast<u32>(x) & 0x7fffffffu;
  if (m < 0x00800000u) { return f32(m) * mx_two_pow(-85); }
  return bitcast<f32>(m + (64u << 23u));
}
/** v * 2^-64 for finite v >= 0, rounded to nearest even on the bits (the result may be subnormal). */
fn mx_down64(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  let e = b >> 23u;
  if (e >= 65u) { return bitcast<f32>(b - (64u << 23u)); }
  if (e == 0u) { return 0.0; }
  let sh = 65u - e;
  if (sh > 25u) { return 0.0; }
  let mant = (b & 0x7fffffu) | 0x800000u;
  let q = mant >> sh;
  let rem = mant & ((1u << sh) - 1u);
  let half = 1u << (sh - 1u);
  return bitcast<f32>(q + select(0u, 1u, rem > half || (rem == half && (q & 1u) == 1u)));
}

// ---- rounding to an integer without a conversion ----

/** An integer-valued float and the same integer. */
struct MxRound { f: f32, i: i32 }

/**
 * round(a c) (ties to even) for |a c| < 2^22 without the conversion units (on
 * the H200 each conversion costs as much as eight fused multiply-adds, and
 * round() then i32() are two): a c + 1.5 2^23 lands on the integer grid, its
 * bits hold the integer, and or-ing in their own exponent bits is a no-op the
 * compiler cannot see through, so it cannot fold (v + M) - M back to v. The
 * product and sum are one explicit fma, so no kernel rounds the product
 * first where another contracts it (a fused kernel gives the same k).
 */
fn mx_round_product(a: f32, c: f32) -> MxRound {
  let b = bitcast<u32>(fma(a, c, 12582912.0)) | 0x4b000000u;
  return MxRound(bitcast<f32>(b) - 12582912.0, bitcast<i32>(b) - 0x4b400000);
}

// ---- exact products and corrected quotients ----

/**
 * v itself, opaque to the shader compiler: drivers reassociate float
 * arithmetic (Mesa rewrites (a + b) - a to b), which erases compensated error
 * terms; a rounded value that passes through here is kept as rounded.
 * (Or-ing in the NaN flag leaves every value, NaN included, unchanged.)
 */
fn mx_keep(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  return bitcast<f32>(b | u32((b & 0x7fffffffu) > 0x7f800000u));
}

/** a*b = p + e exactly (Dekker; the halves are cut on the bits, so contraction cannot break it). */
fn mx_two_prod(a: f32, b: f32) -> vec2f {
  let p = mx_keep(a * b);
  let ah = bitcast<f32>(bitcast<u32>(a) & 0xfffff000u);
  let al = a - ah;
  let bh = bitcast<f32>(bitcast<u32>(b) & 0xfffff000u);
  let bl = b - bh;
  return vec2f(p, ((ah * bh - p) + ah * bl + al * bh) + al * bl);
}
/** a / b as hi + lo: the correctly rounded quotient and its exact residual's (div_f both: the same bits on every adapter). */
fn mx_div(a: f32, b: f32) -> vec2f {
  let hi = div_f(a, b);
  let pe = mx_two_prod(hi, b);
  return vec2f(hi, div_f(mx_keep(a - pe.x) - pe.y, b));
}
/**
 * z - s^2 for s within 2^-12 of sqrt(z) (z a positive normal), rounded once
 * at the end: s = sh + sl cut on the bits (sh holds 12 significant bits), so
 * sh^2, 2 sh sl and sl^2 are exact products; z - sh^2 is exact (Sterbenz:
 * z / sh^2 lies in [1/2, 2]), and so is its difference with 2 sh sl (the two
 * nearly cancel). Contracting any of these into an fma changes nothing.
 */
fn mx_sqrt_residual(z: f32, s: f32) -> f32 {
  let sh = bitcast<f32>(bitcast<u32>(s) & 0xfffff000u);
  let sl = s - sh;
  let t = mx_keep(z - sh * sh);
  return mx_keep(t - (sh + sh) * sl) - sl * sl;
}
/**
 * sqrt of a normal x in [2^-100, 2^100] as a pair: the driver's root, its
 * residual times the driver's 1 / (2 sqrt) (the correction needs no more
 * digits than that: no division).
 */
fn mx_sqrt_pair(x: f32) -> vec2f {
  let s = sqrt(x);
  return vec2f(s, mx_sqrt_residual(x, s) * (0.5 * inverseSqrt(x)));
}
/** sqrt(z) as a normalized hi + lo for z = 0 or a positive normal z (mx_sqrt_pair's). */
fn mx_sqrt2(z: f32) -> vec2f {
  if (z == 0.0) { return vec2f(0.0, 0.0); }
  let p = mx_sqrt_pair(z);
  let hi = mx_keep(p.x + p.y);
  return vec2f(hi, p.y - (hi - p.x));
}

