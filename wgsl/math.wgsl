// Scalar math the elementwise kernels use where WGSL has no builtin or the
// builtin's domain is narrower than NumPy's: expm1/log1p (Kahan's
// corrections), sigmoid, logaddexp, pow for negative bases,
// NaN-propagating maximum/minimum (ordered on the bits, dtypes.wgsl f32_le), an exact fmod and on it NumPy's floor
// division and remainder, and wrapping integer powers. Prepended to
// elementwise kernels; no templating.

fn expm1_f(x: f32) -> f32 {
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  if (um1 == -1.0 || is_inf(u)) { return um1; }
  // x / log(u) is about 1: dividing first keeps um1 * x from overflowing near the top of the range
  return um1 * (x / log(u));
}

fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (is_inf(u)) { return u; }
  return log(u) * (x / (u - 1.0));
}

fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

fn logaddexp_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return a + b; }
  if (a == b) { return a + 0.6931471805599453; }
  let m = max(a, b);
  return m + log1p_f(exp(-abs(a - b)));
}

// maximum/minimum: a if it is NaN, else b if it is, else the larger (smaller)
// on the bits, so subnormals are never flushed; one select, no branch (a
// reduction folds every element through these).
fn maximum_f(a: f32, b: f32) -> f32 {
  return select(b, a, is_nan(a) | (!is_nan(b) & f32_key_le(b, a)));
}

fn minimum_f(a: f32, b: f32) -> f32 {
  return select(b, a, is_nan(a) | (!is_nan(b) & f32_key_le(a, b)));
}

// pow with C's rules: negative bases with integer exponents, pow(x, 0) = 1, pow(1, y) = 1, pow(-1, +-inf) = 1.
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0 || (a == -1.0 && is_inf(b))) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return a + b; }
  let p = pow(abs(a), b);
  if (a > 0.0) { return p; }
  let odd = b == trunc(b) && abs(b) < 16777216.0 && (i32(b) & 1) == 1;
  if (a == 0.0) {
    let z = select(0.0, inf_f32(), b < 0.0);
    return select(z, -z, odd && bitcast<u32>(a) == 0x80000000u);
  }
  if (b != trunc(b)) { return nan_f32(); }
  return select(p, -p, odd);
}

// C's fmod(a, b), exact (the sign of a): long division of the significands on
// their integer bits (a - b * trunc(a / b) in f32 loses the remainder once the
// quotient rounds, e.g. fmod(1, 0.1)).
fn fmod_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || b == 0.0) { return nan_f32(); }
  if (is_inf(b)) { return a; }
  let sign = bitcast<u32>(a) & 0x80000000u;
  let ua = bitcast<u32>(a) & 0x7fffffffu;
  let ub = bitcast<u32>(b) & 0x7fffffffu;
  if (ua < ub) { return a; }
  // significands with the implicit bit at 23 (subnormals normalized), biased exponents
  var ea = i32(ua >> 23u);
  var eb = i32(ub >> 23u);
  var ma = ua & 0x7fffffu;
  var mb = ub & 0x7fffffu;
  if (ea == 0) { ea = 1; while (ma < 0x800000u) { ma = ma << 1u; ea--; } } else { ma = ma | 0x800000u; }
  if (eb == 0) { eb = 1; while (mb < 0x800000u) { mb = mb << 1u; eb--; } } else { mb = mb | 0x800000u; }
  // ma * 2^(ea - eb) mod mb, one bit of the quotient per step (ma stays below 2 mb < 2^25)
  for (; ea > eb; ea--) {
    if (ma >= mb) { ma = ma - mb; }
    ma = ma << 1u;
  }
  if (ma >= mb) { ma = ma - mb; }
  if (ma == 0u) { return bitcast<f32>(sign); }
  while (ma < 0x800000u) { ma = ma << 1u; eb--; }
  if (eb > 0) { return bitcast<f32>(sign | (u32(eb) << 23u) | (ma & 0x7fffffu)); }
  return bitcast<f32>(sign | (ma >> u32(1 - eb)));
}

// NumPy's float remainder (the divisor's sign; a zero result takes the divisor's sign too).
fn remainder_f(a: f32, b: f32) -> f32 {
  let m = fmod_f(a, b);
  if (m == 0.0) { return bitcast<f32>(bitcast<u32>(b) & 0x80000000u); }
  return select(m, m + b, (m < 0.0) != (b < 0.0));
}

// NumPy's float floor division: the floor of the real quotient a / b (1 // 0.1 is 9: the
// float 0.1 lies above 1/10, though a / b rounds to 10), rounded once to float32, by integer
// long division of the significands (neither a rounded a - fmod(a, b) nor a flushed subnormal
// enters). Division by zero and NaN give the quotient's; an infinite a gives NaN, an infinite b
// -1 or a signed zero. (A float16 or bfloat16 result rounded from it is rounded once too: its
// quotient's bits never hold the 12 equal bits in a row below the 16-bit value that a tie made
// by the float32 rounding needs, as a divisor's significand below 2^11 repeats sooner.)
fn floor_divide_f(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a) & 0x7fffffffu;
  let ub = bitcast<u32>(b) & 0x7fffffffu;
  if (ub == 0u || is_nan(a) || is_nan(b)) { return div_f(a, b); }
  if (ua == 0x7f800000u) { return nan_f32(); }
  // the result's sign bit (results are put together on bits: drivers may drop the sign of a selected zero)
  let sign = (bitcast<u32>(a) ^ bitcast<u32>(b)) & 0x80000000u;
  let neg = sign != 0u;
  if (ua == 0u) { return bitcast<f32>(sign); }
  if (ub == 0x7f800000u) { return bitcast<f32>(sign | select(0u, 0x3f800000u, neg)); }
  // significands with the implicit bit at 23 (subnormals normalized), biased exponents
  var ea = i32(ua >> 23u);
  var eb = i32(ub >> 23u);
  var ma = ua & 0x7fffffu;
  var mb = ub & 0x7fffffu;
  if (ea == 0) { let s = countLeadingZeros(ma) - 8u; ma = ma << s; ea = 1 - i32(s); } else { ma = ma | 0x800000u; }
  if (eb == 0) { let s = countLeadingZeros(mb) - 8u; mb = mb << s; eb = 1 - i32(s); } else { mb = mb | 0x800000u; }
  // trunc(|a / b|) = trunc(ma * 2^k / mb) = q * 2^low + L with 0 <= L < 2^low: q keeps 26 bits,
  // the rest only whether L is nonzero (low_any) and all ones (low_all, so that L + 1 carries)
  let k = ea - eb;
  var q = 0u;
  var rem = ma;
  var low = 0u;
  var low_any = false;
  var low_all = true;
  var inexact = true;
  if (k >= 0) {
    if (rem >= mb) { q = 1u; rem = rem - mb; }
    var i = 0;
    for (; i < k; i++) {
      // with 2^25 or more bits to go, L is rem * 2^(k - i) / mb: nonzero where rem is, never all ones
      if (q >= 0x2000000u && k - i >= 25) { break; }
      rem = rem << 1u;
      let bit = rem >= mb;
      if (bit) { rem = rem - mb; }
      if (q < 0x2000000u) { q = (q << 1u) | select(0u, 1u, bit); } else { low++; low_any = low_any || bit; low_all = low_all && bit; }
    }
    // the fraction is nonzero only where rem is (with bits to go, rem > 0 already set low_any: L + 1 changes no rounding)
    inexact = rem != 0u;
    if (i < k) {
      low = low + u32(k - i);
      low_any = low_any || rem != 0u;
      low_all = false;
    }
  }
  // floor of a negative quotient with a fraction: -(trunc + 1)
  if (neg && inexact) {
    if (low == 0u || low_all) { q++; low_any = false; } else { low_any = true; }
  }
  if (q == 0u) { return bitcast<f32>(sign); }
  // q * 2^low rounded to nearest even, L deciding ties
  let d = max(i32(32u - countLeadingZeros(q)) - 24, 0);
  var m = q >> u32(d);
  if (d > 0) {
    let rest = q & ((1u << u32(d)) - 1u);
    let half = 1u << u32(d - 1);
    if (rest > half || (rest == half && (low_any || (m & 1u) == 1u))) { m++; }
  }
  let e = d + i32(low);
  if (i32(31u - countLeadingZeros(m)) + e > 127) { return bitcast<f32>(sign | 0x7f800000u); }
  return bitcast<f32>(sign | bitcast<u32>(f32(m) * bitcast<f32>(u32(127 + e) << 23u)));
}

fn floor_divide_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let q = a / b;
  return select(q, q - 1, (a % b != 0) && ((a < 0) != (b < 0)));
}

fn remainder_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let m = a % b;
  return select(m, m + b, m != 0 && ((m < 0) != (b < 0)));
}

// Integer powers wrap at 32 bits; a negative exponent gives 0 whatever the base (MLX's rule).
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) { return 0; }
  var r = 1;
  var base = a;
  var e = u32(b);
  while (e > 0u) {
    if ((e & 1u) == 1u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}

fn pow_u(a: u32, b: u32) -> u32 {
  var r = 1u;
  var base = a;
  var e = b;
  while (e > 0u) {
    if ((e & 1u) == 1u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}

// float -> integer casts: truncate, saturate to [lo, hi], NaN -> 0.
fn f32_to_i32_sat(v: f32, lo: f32, hi: f32) -> i32 {
  if (is_nan(v)) { return 0; }
  let c = clamp(trunc(v), lo, hi);
  if (c >= 2147483647.0) { return 2147483647; }
  return i32(c);
}

fn f32_to_u32_sat(v: f32, hi: f32) -> u32 {
  if (is_nan(v) || v <= 0.0) { return 0u; }
  let c = min(trunc(v), hi);
  if (c >= 4294967295.0) { return 4294967295u; }
  return u32(c);
}
