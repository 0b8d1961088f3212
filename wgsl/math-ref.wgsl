// The math library's exp, sigmoid, tanh, sin and cos as they were before their
// branch-free rewrites (math-exp.wgsl, math-trig.wgsl): special values and
// pieces on branches. Only the elementwise kernel's "branch" variants
// (MLX_TS_ELEMENTWISE_VARIANT, backends/webgpu/elementwise.ts) include it, so
// bench/webgpu-math-variants.ts can time both in one process.

// e^x on its own short path: r = x - k ln2 rounded once (2^-26 of 1 at most), e^r - 1
// by Taylor to r^7 (the rest below 2^-27), 1 + that rounded once: under
// 0.85 ulp before the exact scaling by 2^k.
fn mx_exp_ref(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 89.0) { return mx_inf(false); }
  if (x < -104.0) { return 0.0; }
  let k = round(x * 1.44269502);
  let r = (x - k * 0.693145752) - k * 1.42860677e-06;
  let e = r + r * r * (0.5 + r * (0.166666672 + r * (0.0416666679 + r * (0.00833333377 + r * (0.00138888892 + r * 0.000198412701)))));
  return mx_scale(1.0 + e, i32(k));
}

fn mx_sigmoid_ref(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  // e^-x below 2^-25: 1 / (1 + e^-x) rounds to 1
  if (x > 17.4) { return 1.0; }
  // e^x (1 - e^x + ...) rounds to e^x within an ulp
  if (x < -18.0) { return mx_exp_ref(x); }
  // e^-|x| = t (1 + r + lo) as a pair, then 1 / (1 + e^-x) or e^x / (1 + e^x)
  let e = mx_exp_pair(mx_exp_parts(-abs(x)));
  let d = mx_two_sum(1.0, e.x);
  let dn = mx_fast_two_sum(d.x, d.y + e.y);
  var q: vec2<f32>;
  if (x >= 0.0) {
    q = mx_div_pair(1.0, 0.0, dn.x, dn.y);
  } else {
    q = mx_div_pair(e.x, e.y, dn.x, dn.y);
  }
  return q.x + q.y;
}

// tanh on three float32 paths, no pairs (each measured within 1 ulp): an odd
// polynomial x + x z P(z), z = x^2, below 0.625; a polynomial about 0.86328125
// (its value there a pair) up to 1.1; above, 1 - 2 / (e^2|x| + 1) with e^2|x|
// = 2^k (1 + s) summed as (2^k + 1) + 2^k s (exact but for one rounding) and
// the quotient corrected (it is below 0.2, so its error shrinks in 1 - q).
// Fitted by weighted least squares (Lawson) on Chebyshev nodes.
fn mx_tanh_ref(x: f32) -> f32 {
  let a = bitcast<u32>(x) & 0x7fffffffu;
  // |x| < 2^-12: x - x^3 / 3 rounds to x; NaN stays
  if (a < 0x39800000u || a > 0x7f800000u) { return x; }
  let ax = bitcast<f32>(a);
  // 1 - tanh |x| = 2 / (e^2|x| + 1) below 2^-25
  if (ax > 9.1) { return mx_sign_as(1.0, x); }
  var r: f32;
  if (ax < 0.625) {
    let z = ax * ax;
    let p = -0.3333333134651184 + z * (0.13333210349082947 + z * (-0.05394720286130905 + z * (0.021702969446778297 + z * (-0.008182677440345287 + z * 0.0021475395187735558))));
    r = ax + ax * (z * p);
  } else if (ax < 1.1) {
    let t = ax - 0.86328125;
    let p = 0.512873649597168 + t * (-0.35795727372169495 + t * (0.07887639850378036 + t * (0.06426802277565002 + t * (-0.05975071340799332 + t * (0.01231043878942728 + t * (0.011999044567346573 + t * (-0.009975248947739601 + t * 0.0015127910301089287)))))));
    r = (t * p + -6.6798042652749245e-09) + 0.6979444026947021;
  } else {
    let y = 2.0 * ax;
    let k = round(y * 1.44269502);
    let h = (y - k * 0.693145752) - k * 1.42860677e-06;
    let s = h + h * h * (0.5 + h * (0.166666672 + h * (0.0416666679 + h * (0.00833333377 + h * (0.00138888892 + h * 0.000198412701)))));
    let e = mx_two_pow(i32(k));
    let q = mx_div(2.0, (e + 1.0) + e * s);
    r = (1.0 - q.x) - q.y;
  }
  return mx_sign_as(r, x);
}

// sin(r) (odd false) or cos(r) (odd true) on |r| <= pi/4 + eps, r = hi + lo: one
// polynomial evaluation with per-lane coefficients, so lanes of a workgroup that
// need different ones do not run both
fn mx_sin_or_cos_k_ref(hi: f32, lo: f32, odd: bool) -> f32 {
  let z = hi * hi;
  let c3 = select(2.717366214710637e-06, -2.7198620955459774e-07, odd);
  let c2 = select(-0.00019839232845697552, 2.4799372113193385e-05, odd);
  let c1 = select(0.008333329111337662, -0.0013888883404433727, odd);
  let c0 = select(-0.1666666716337204, 0.0416666679084301, odd);
  let p = c0 + z * (c1 + z * (c2 + z * c3));
  let hz = 0.5 * z;
  if (!odd) { return hi + (hi * z * p + lo * (1.0 - hz)); }
  let w = mx_keep(1.0 - hz);
  return w + (((1.0 - w) - hz) + (z * z * p - hi * lo));
}

fn mx_sin_ref(x: f32) -> f32 {
  let a = mx_abs(x);
  if (mx_trig_rare(x)) { return select(x, nan_f32(), is_nan(x) || is_inf(x)); } // |x| < 2^-12: sin x rounds to x
  let r = mx_reduce_pio2(a);
  var s = mx_sin_or_cos_k_ref(r.hi, r.lo, (r.q & 1u) == 1u);
  if (r.q >= 2u) { s = -s; }
  return select(s, -s, bitcast<u32>(x) >= 0x80000000u);
}

fn mx_cos_ref(x: f32) -> f32 {
  let a = mx_abs(x);
  if (mx_trig_rare(x)) { return select(1.0, nan_f32(), is_nan(x) || is_inf(x)); }
  let r = mx_reduce_pio2(a);
  let c = mx_sin_or_cos_k_ref(r.hi, r.lo, (r.q & 1u) == 0u);
  return select(c, -c, r.q == 1u || r.q == 2u);
}
