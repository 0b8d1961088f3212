// 64-bit integers on pairs of u32 words (WGSL has none): a value is a
// vec2<u32> (x: low word, y: high word), two's complement for int64, so the
// i64/u64 aliases name the same type and the signedness is in the function.
// Wrapping add/sub/mul, comparisons, shifts, long division, and conversions
// to and from f32/i32/u32 with the CPU reference's rounding and saturation.
// Prepended (after dtypes.wgsl) to kernels that touch int64/uint64; no slots.

alias i64 = vec2<u32>;
alias u64 = vec2<u32>;

const SIGN_BIT = 0x80000000u;

fn i64_from_i32(a: i32) -> i64 { return vec2u(bitcast<u32>(a), select(0u, 0xffffffffu, a < 0)); }
fn u64_from_u32(a: u32) -> u64 { return vec2u(a, 0u); }
fn i64_from_bool(a: bool) -> i64 { return vec2u(select(0u, 1u, a), 0u); }

fn w64_nz(a: u64) -> bool { return (a.x | a.y) != 0u; }
fn i64_neg_p(a: i64) -> bool { return (a.y & SIGN_BIT) != 0u; }

fn w64_add(a: u64, b: u64) -> u64 {
  let lo = a.x + b.x;
  return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn w64_sub(a: u64, b: u64) -> u64 {
  return vec2u(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}
fn w64_neg(a: u64) -> u64 { return w64_sub(vec2u(0u, 0u), a); }

/** The full 64-bit product of two u32, from their 16-bit halves. */
fn u32_mul_wide(a: u32, b: u32) -> u64 {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2u((p00 & 0xffffu) | (mid << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}
/** The low 64 bits of a * b (the same bits for int64 and uint64). */
fn w64_mul(a: u64, b: u64) -> u64 {
  let p = u32_mul_wide(a.x, b.x);
  return vec2u(p.x, p.y + a.x * b.y + a.y * b.x);
}

fn w64_eq(a: u64, b: u64) -> bool { return a.x == b.x && a.y == b.y; }
fn u64_lt(a: u64, b: u64) -> bool { return a.y < b.y || (a.y == b.y && a.x < b.x); }
fn u64_le(a: u64, b: u64) -> bool { return !u64_lt(b, a); }
fn i64_lt(a: i64, b: i64) -> bool { return u64_lt(vec2u(a.x, a.y ^ SIGN_BIT), vec2u(b.x, b.y ^ SIGN_BIT)); }
fn i64_le(a: i64, b: i64) -> bool { return !i64_lt(b, a); }

fn i64_abs(a: i64) -> i64 { return select(a, w64_neg(a), i64_neg_p(a)); }
fn i64_sign(a: i64) -> i64 {
  if (i64_neg_p(a)) { return vec2u(0xffffffffu, 0xffffffffu); }
  return vec2u(select(0u, 1u, w64_nz(a)), 0u);
}

/** a << n for n in [0, 63]. */
fn w64_shl(a: u64, n: u32) -> u64 {
  if (n == 0u) { return a; }
  if (n >= 32u) { return vec2u(0u, a.x << (n - 32u)); }
  return vec2u(a.x << n, (a.y << n) | (a.x >> (32u - n)));
}
/** Logical a >> n for n in [0, 63]. */
fn u64_shr(a: u64, n: u32) -> u64 {
  if (n == 0u) { return a; }
  if (n >= 32u) { return vec2u(a.y >> (n - 32u), 0u); }
  return vec2u((a.x >> n) | (a.y << (32u - n)), a.y >> n);
}
/** Arithmetic a >> n for n in [0, 63]. */
fn i64_shr(a: i64, n: u32) -> i64 {
  if (n == 0u) { return a; }
  let fill = select(0u, 0xffffffffu, i64_neg_p(a));
  if (n >= 32u) { return vec2u(bitcast<u32>(bitcast<i32>(a.y) >> (n - 32u)), fill); }
  return vec2u((a.x >> n) | (a.y << (32u - n)), bitcast<u32>(bitcast<i32>(a.y) >> n));
}
/** The shift count b when it lies in [0, 64) (as an unsigned or signed 64-bit value), else 64. */
fn w64_shift_count(b: u64) -> u32 { return select(64u, b.x, b.y == 0u && b.x < 64u); }
fn u64_lshift(a: u64, b: u64) -> u64 { let n = w64_shift_count(b); return select(w64_shl(a, n & 63u), vec2u(0u, 0u), n == 64u); }
fn u64_rshift(a: u64, b: u64) -> u64 { let n = w64_shift_count(b); return select(u64_shr(a, n & 63u), vec2u(0u, 0u), n == 64u); }
fn i64_rshift(a: i64, b: i64) -> i64 {
  let n = w64_shift_count(b);
  let fill = select(vec2u(0u, 0u), vec2u(0xffffffffu, 0xffffffffu), i64_neg_p(a));
  return select(i64_shr(a, n & 63u), fill, n == 64u);
}

/** Unsigned n / d and n % d (d nonzero) as (q.x, q.y, r.x, r.y): restoring long division over n's significant bits. */
fn u64_divmod(n: u64, d: u64) -> vec4u {
  if (n.y == 0u && d.y == 0u) { return vec4u(n.x / d.x, 0u, n.x % d.x, 0u); }
  var q = vec2u(0u, 0u);
  var r = vec2u(0u, 0u);
  let top = select(31 - i32(countLeadingZeros(n.x)), 63 - i32(countLeadingZeros(n.y)), n.y != 0u);
  for (var i = top; i >= 0; i--) {
    let carry = (r.y & SIGN_BIT) != 0u;
    let bit = select(n.x >> u32(i), n.y >> u32(i - 32), i >= 32) & 1u;
    r = vec2u((r.x << 1u) | bit, (r.y << 1u) | (r.x >> 31u));
    if (carry || !u64_lt(r, d)) {
      r = w64_sub(r, d);
      if (i >= 32) { q.y = q.y | (1u << u32(i - 32)); } else { q.x = q.x | (1u << u32(i)); }
    }
  }
  return vec4u(q, r);
}

// Division by zero gives 0 (the CPU reference's rule); signed results follow
// floor division (the remainder takes the divisor's sign) and wrap, so
// INT64_MIN // -1 is INT64_MIN and INT64_MIN % -1 is 0.
fn u64_floordiv(a: u64, b: u64) -> u64 {
  if (!w64_nz(b)) { return vec2u(0u, 0u); }
  return u64_divmod(a, b).xy;
}
fn u64_rem(a: u64, b: u64) -> u64 {
  if (!w64_nz(b)) { return vec2u(0u, 0u); }
  return u64_divmod(a, b).zw;
}
fn i64_floordiv(a: i64, b: i64) -> i64 {
  if (!w64_nz(b)) { return vec2u(0u, 0u); }
  let qr = u64_divmod(i64_abs(a), i64_abs(b));
  if (i64_neg_p(a) == i64_neg_p(b)) { return qr.xy; }
  return w64_sub(w64_neg(qr.xy), vec2u(select(0u, 1u, w64_nz(qr.zw)), 0u));
}
fn i64_rem(a: i64, b: i64) -> i64 {
  if (!w64_nz(b)) { return vec2u(0u, 0u); }
  let r = u64_divmod(i64_abs(a), i64_abs(b)).zw;
  let m = select(r, w64_neg(r), i64_neg_p(a));
  return select(m, w64_add(m, b), w64_nz(r) && i64_neg_p(a) != i64_neg_p(b));
}

/** a ** b wrapping at 64 bits; a negative exponent gives 0 (MLX's rule). */
fn w64_pow(a: u64, b: u64, signed_exp: bool) -> u64 {
  if (signed_exp && i64_neg_p(b)) { return vec2u(0u, 0u); }
  var r = vec2u(1u, 0u);
  var base = a;
  var e = b;
  while (w64_nz(e)) {
    if ((e.x & 1u) != 0u) { r = w64_mul(r, base); }
    base = w64_mul(base, base);
    e = u64_shr(e, 1u);
  }
  return r;
}

/**
 * Unsigned a as f32: round to nearest even, or (odd = true) round to odd, so
 * that a second rounding to float16/bfloat16 is correct (the reference rounds
 * once from the exact value).
 */
fn u64_to_f32(a: u64, odd: bool) -> f32 {
  if (a.y == 0u && a.x < 0x1000000u) { return f32(a.x); }
  let lz = select(countLeadingZeros(a.x) + 32u, countLeadingZeros(a.y), a.y != 0u);
  let msb = 63u - lz; // >= 24
  let shift = msb - 23u;
  let m = u64_shr(a, shift).x; // 24 significant bits
  let dropped = w64_sub(a, w64_shl(vec2u(m, 0u), shift));
  let halfway = w64_shl(vec2u(1u, 0u), shift - 1u);
  var mant = m;
  if (odd) {
    if (w64_nz(dropped)) { mant = mant | 1u; }
  } else if (u64_lt(halfway, dropped) || (w64_eq(dropped, halfway) && (m & 1u) == 1u)) {
    mant = mant + 1u;
  }
  // mant may have carried to 2^24: the exponent field absorbs it
  return bitcast<f32>(((msb + 127u) << 23u) + mant - 0x800000u);
}
fn i64_to_f32(a: i64, odd: bool) -> f32 {
  let m = u64_to_f32(i64_abs(a), odd);
  return select(m, -m, i64_neg_p(a));
}

/** f32 -> uint64 / int64: truncate toward zero, saturate, NaN -> 0 (the reference's cast). */
fn f32_to_u64_mag(a: f32) -> u64 {
  let b = bitcast<u32>(a) & 0x7fffffffu;
  let e = i32(b >> 23u) - 127;
  if (e < 0) { return vec2u(0u, 0u); }
  let mant = (b & 0x7fffffu) | 0x800000u;
  if (e <= 23) { return vec2u(mant >> u32(23 - e), 0u); }
  return w64_shl(vec2u(mant, 0u), u32(e - 23));
}
fn f32_to_u64_sat(a: f32) -> u64 {
  let b = bitcast<u32>(a);
  if (is_nan(a) || (b & SIGN_BIT) != 0u) { return vec2u(0u, 0u); }
  if ((b >> 23u) >= 127u + 64u) { return vec2u(0xffffffffu, 0xffffffffu); }
  return f32_to_u64_mag(a);
}
fn f32_to_i64_sat(a: f32) -> i64 {
  let b = bitcast<u32>(a);
  if (is_nan(a)) { return vec2u(0u, 0u); }
  let neg = (b & SIGN_BIT) != 0u;
  if (((b & 0x7fffffffu) >> 23u) >= 127u + 63u) {
    return select(vec2u(0xffffffffu, 0x7fffffffu), vec2u(0u, SIGN_BIT), neg);
  }
  let m = f32_to_u64_mag(a);
  return select(m, w64_neg(m), neg);
}

/** An int64 / uint64 index value on an axis of n > 0 elements: wrapped once when negative, then clamped into [0, n). */
fn norm_i64(v: i64, n: u32) -> u32 {
  if (i64_neg_p(v)) {
    // v + n when that is >= 0 (then v >= -n > -2^32: v.x + n wraps to it), else 0
    if (v.y == 0xffffffffu && v.x >= 0u - n) { return min(v.x + n, n - 1u); }
    return 0u;
  }
  return select(n - 1u, min(v.x, n - 1u), v.y == 0u);
}
fn norm_u64(v: u64, n: u32) -> u32 { return select(n - 1u, min(v.x, n - 1u), v.y == 0u); }

/** Word h (0: low, 1: high) of a 64-bit value, for kernels that write one word per invocation. */
fn w64_word(v: u64, h: u32) -> u32 { return select(v.x, v.y, h == 1u); }
