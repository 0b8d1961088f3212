// Scalar math the elementwise kernels use where WGSL has no builtin or the
// builtin's domain is narrower than NumPy's: expm1/log1p (Kahan's
// corrections), sigmoid, logaddexp, pow for negative bases,
// NaN-propagating maximum/minimum (ordered on the bits, dtypes.wgsl f32_le), an exact fmod and on it NumPy's
// remainder, MLX's float floor division, integer division and wrapping integer powers. Prepended to
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

// MLX's float floor division, floor(a / b) of the quotient rounded to the result's dtype: q is
// div_f(a, b) (correctly rounded, wgsl/quotient.wgsl), rounded again to float16 or bfloat16 for
// those dtypes (backends/webgpu/codegen.ts), so 1 // 0.1 is 10 (NumPy floors the exact quotient: 9).
// On the bits outside [1, 2^23): a driver may flush a subnormal quotient, whose floor would then
// lose the -1 of a negative one, and may assume away infinities and NaN, which stay as they are.
fn floor_quotient(q: f32) -> f32 {
  let u = bitcast<u32>(q);
  let m = u & 0x7fffffffu;
  if (m >= 0x4b000000u) { return q; }
  if (m >= 0x3f800000u) { return floor(q); }
  return bitcast<f32>(select(u & 0x80000000u, 0xbf800000u, u > 0x80000000u));
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
