// mlx-ts's own float32 erf and erfinv, within a few ulp on every adapter:
// erf(x) = x (1 + P(x^2)) below 0.84, 1 - exp(-x^2) R(x) above (x^2 exact as
// hi + lo, its own exp), erfinv by Halley steps on erf or, towards +-1, on erfc
// against the exact tail 1 - |y|. Tiny and subnormal values are scaled on the
// bits (math-core.wgsl). Prepended wherever math.wgsl is (the "math" helper).

/** exp(-(h + l)) for 0 <= h <= 30, |l| <= ulp(h): Cody-Waite by ln 2 and a fitted polynomial. */
fn mx_erf_exp_neg(h: f32, l: f32) -> f32 {
  let k = round(h * 1.4426950216293335);
  // k * L1 is exact (L1 has 18 bits, k < 64)
  let r = ((k * 0.693145751953125 - h) + k * 1.428606765330187e-06) - l;
  let q = 0.5 + r * (0.1666666567325592 + r * (0.04166628047823906 + r * (0.008333503268659115 + r * (0.0013945742975920439 + r * 0.00019789293583016843))));
  let e = 1.0 + (r + r * r * q);
  return e * mx_two_pow(-i32(k));
}

// erf(a) / a - 1 as a polynomial in z = a^2, a <= 0.85
fn mx_erf_p(z: f32) -> f32 {
  return 0.12837916612625122 + z * (-0.37612637877464294 + z * (0.11283747106790543 + z * (-0.026862481608986855 + z * (0.005209298804402351 + z * (-0.0008244289783760905 + z * 8.836248889565468e-05)))));
}

/** R(a) of erfc(a) = exp(-a^2) R(a), fitted on two pieces: 0.84 <= a < 1.9 and 1.9 <= a <= 4. */
fn mx_erfc_near(a: f32) -> f32 {
  let t = a - 1.37;
  return 0.34421971440315247 + t * (-0.18521714210510254 + t * (0.09047224372625351 + t * (-0.04084676131606102 + t * (0.017256079241633415 + t * (-0.006882695015519857 + t * (0.00260909809730947 + t * (-0.0009425816824659705 + t * (0.00032806844683364034 + t * (-0.00011897303920704871 + t * 3.789393667830154e-05)))))))));
}
fn mx_erfc_far(a: f32) -> f32 {
  let u = a - 2.95;
  return 0.1817600429058075 + u * (-0.0559949167072773 + u * (0.0165750440210104 + u * (-0.004732328001409769 + u * (0.0013072958681732416 + u * (-0.0003504714695736766 + u * (9.129484533332288e-05 + u * (-2.2874834030517377e-05 + u * (5.681568381987745e-06 + u * (-1.6421075770267635e-06 + u * 3.818907714503439e-07)))))))));
}

/** erfc(a) for 0.84 <= a <= 4: exp(-a^2) R(a). */
fn mx_erfc_tail(a: f32) -> f32 {
  let sq = mx_two_prod(a, a);
  var r: f32;
  if (a < 1.9) { r = mx_erfc_near(a); } else { r = mx_erfc_far(a); }
  return mx_erf_exp_neg(sq.x, sq.y) * r;
}

// erf for finite |x| >= 2^-60 without a branch (mx_erf's path there, and the
// elementwise kernel's fast path, so a fused kernel gets the same bits):
// every piece computed, one selected; the tail's argument held to 4, beyond
// which erf rounds to 1. The tiny, infinite and NaN arguments are
// mx_erf_invalid's.
fn mx_erf_fast(x: f32) -> f32 {
  let at = min(mx_abs(x), 4.0);
  let sq = mx_two_prod(at, at);
  return mx_erf_selected(x, mx_erf_exp_neg(sq.x, sq.y));
}
// erf for 2^-60 <= |x| finite where the result is rounded to float16 or
// bfloat16: mx_erf_fast with e^-a^2 from the device's exp2 of a^2 rounded
// once (a^2's 2^-24 and exp2's 3 + 2|y| ulp make at most 2^-19 of erfc,
// which is under 0.23 of 1 - erfc: far below a 16-bit ulp of erf >= 0.77).
fn mx_erf_narrow(x: f32) -> f32 {
  let at = min(mx_abs(x), 4.0);
  return mx_erf_selected(x, exp2(at * at * -1.44269502));
}
// erf x from every piece, one selected, given e = e^-a^2 for a = min(|x|, 4):
// mx_erfc_tail of a with both of R's pieces computed.
fn mx_erf_selected(x: f32, e: f32) -> f32 {
  let a = mx_abs(x);
  let at = min(a, 4.0);
  let small = a + a * mx_erf_p(a * a);
  let tail = 1.0 - e * select(mx_erfc_far(at), mx_erfc_near(at), at < 1.9);
  return mx_sign_as(select(select(1.0, tail, a < 4.0), small, a < 0.84), x);
}

fn mx_erf_invalid(x: f32) -> bool {
  let m = bitcast<u32>(x) & 0x7fffffffu;
  return m < 0x21800000u || m >= 0x7f800000u;
}

fn mx_erf(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = mx_abs(x);
  var r: f32;
  if (bitcast<u32>(a) < 0x21800000u) {
    // |x| < 2^-60: 2/sqrt(pi) x, scaled by 2^64 on the bits so subnormals keep their digits
    let s = mx_up64(a);
    r = mx_down64(s + (s * 0.12837916612625122 + s * 9.692613378575743e-10));
  } else if (is_inf(x)) {
    r = 1.0;
  } else {
    return mx_erf_fast(x);
  }
  return mx_sign_as(r, x);
}

fn mx_erfinv(y: f32) -> f32 {
  let a = mx_abs(y);
  if (is_nan(y) || a > 1.0) { return nan_f32(); }
  if (a == 1.0) { return mx_sign_as(inf_f32(), y); }
  if (bitcast<u32>(a) < 0x21800000u) {
    // |y| < 2^-60: sqrt(pi)/2 y on the bits
    let s = mx_up64(a);
    return mx_sign_as(mx_down64(s * 0.8862269520759583 + s * -2.6623199644859596e-08), y);
  }
  // Winitzki's closed form as the start (the driver's log and sqrt are good enough for a guess)
  let tail = 1.0 - a; // exact
  let ln = log(tail * (1.0 + a));
  let w = 2.0 / (3.14159265 * 0.147) + ln * 0.5;
  var x = sqrt(sqrt(w * w - ln / 0.147) - w);
  // Halley steps (cubic: the guess's 1e-3 becomes 1e-9, then exact): with erf'' = -2x erf',
  // x -= d / (1 + x d) for the Newton step d = f / erf'
  for (var i = 0; i < 2; i++) {
    let sq = mx_two_prod(x, x);
    let slope = 1.1283791670955126 * mx_erf_exp_neg(sq.x, sq.y);
    // erf(x) - a without rounding erf(x) first: x - a is exact (x/a lies in [1/2, 2]), tail - erfc(x) too
    var f: f32;
    if (x < 0.84) { f = (x - a) + x * mx_erf_p(x * x); } else { f = tail - mx_erfc_tail(x); }
    let d = f / slope;
    x = x - d / (1.0 + x * d);
  }
  return mx_sign_as(x, y);
}
