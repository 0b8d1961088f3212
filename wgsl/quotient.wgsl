// Correctly rounded float32 division on every adapter (prepended with
// dtypes.wgsl). Vulkan lets a driver compute a / b as a * (1 / b): 2.5 ulp for
// 2^-126 <= |b| <= 2^126 and anything outside (on the H200 1 / 3e38 flushes to
// 0, so 3e38 / 3e38 gave 0). div_f divides the significands, both in [1, 2),
// where the driver's quotient is within a few ulp; corrects it by its exact
// residual; sets the exponent on the bits; and leaves near-ties, subnormals,
// zeros, infinities and NaN to integer long division and IEEE's rules: the
// IEEE quotient, bit for bit. The elementwise kernel runs div_f_fast's
// branch-free path and recomputes only the words it leaves undecided.

/** v, opaque to the shader compiler (a driver may not reassociate across it); NaN stays NaN. */
fn div_keep(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  return bitcast<f32>(b | u32((b & 0x7fffffffu) > 0x7f800000u));
}

/** A nonzero finite magnitude's bits as a 24-bit significand (bit 23 set) and its unbiased exponent; subnormals are normalized. */
fn div_unpack(m: u32) -> vec2<i32> {
  if (m < 0x00800000u) {
    let s = i32(countLeadingZeros(m)) - 8;
    return vec2<i32>(i32(m << u32(s)), -126 - s);
  }
  return vec2<i32>(i32((m & 0x7fffffu) | 0x800000u), i32(m >> 23u) - 127);
}

/**
 * sign | q 2^(e - 24) rounded to nearest even, for q in [2^24, 2^25) (23
 * fraction bits and the rounding bit) and `sticky` (bits below it nonzero):
 * normal, subnormal or infinite.
 */
fn div_round(q: u32, sticky: bool, e: i32, sign: u32) -> f32 {
  let biased = e + 127;
  if (biased >= 255) { return bitcast<f32>(sign | 0x7f800000u); }
  var sig: u32;
  var rb: u32;
  var st = sticky;
  var top = 0u;
  if (biased >= 1) {
    sig = q >> 1u;
    rb = q & 1u;
    top = u32(biased - 1) << 23u;
  } else {
    // a subnormal result: the significand of 2^-149 units is q 2^(biased - 2)
    let s = u32(2 - biased);
    if (s >= 26u) { return bitcast<f32>(sign); }
    sig = q >> s;
    rb = (q >> (s - 1u)) & 1u;
    st = st || (q & ((1u << (s - 1u)) - 1u)) != 0u;
  }
  sig = sig + select(0u, 1u, rb == 1u && (st || (sig & 1u) == 1u));
  // a carry out of the significand moves into the exponent field (to infinity past the largest finite)
  return bitcast<f32>(sign | (top + sig));
}

/** sign | (ma / mb) 2^e correctly rounded, by long division of the 24-bit significands. */
fn div_long(ma: u32, mb: u32, e: i32, sign: u32) -> f32 {
  var rem = ma;
  var ex = e;
  if (rem < mb) { rem = rem << 1u; ex = ex - 1; }
  var q = 0u;
  for (var i = 0; i < 25; i++) {
    q = q << 1u;
    if (rem >= mb) { rem = rem - mb; q = q | 1u; }
    rem = rem << 1u;
  }
  return div_round(q, rem != 0u, ex, sign);
}

/** div_f_fast's answer where it cannot decide (a signalling NaN's bits, which no quotient it returns has). */
const DIV_UNDECIDED = 0x7fa0d1f0u;

/**
 * a / b for normal a and b whose quotient is normal, without a branch (so a
 * kernel issues its loads first); DIV_UNDECIDED's bits for other operands and
 * where the quotient may lie within 2^-12 ulp of a midpoint (about one in
 * 2000 random pairs), which div_f settles by long division.
 */
fn div_f_fast(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let ea = (ua >> 23u) & 0xffu;
  let eb = (ub >> 23u) & 0xffu;
  let sa = bitcast<f32>((ua & 0x7fffffu) | 0x3f800000u);
  let sb = bitcast<f32>((ub & 0x7fffffu) | 0x3f800000u);
  // the driver's reciprocal of a value in [1, 2), one Newton step from within a few ulp of 1 / sb whatever its own error
  let r0 = 1.0 / sb;
  let inv = r0 + r0 * (1.0 - div_keep(sb * r0));
  let q = div_keep(sa * inv);
  // q sb = p + err exactly (Dekker: halves cut on the bits), sa - p exactly (Sterbenz)
  let p = div_keep(q * sb);
  let qh = bitcast<f32>(bitcast<u32>(q) & 0xfffff000u);
  let ql = q - qh;
  let bh = bitcast<f32>(bitcast<u32>(sb) & 0xfffff000u);
  let bl = sb - bh;
  let err = ((qh * bh - p) + qh * bl + ql * bh) + ql * bl;
  let c = (div_keep(sa - p) - err) * inv;
  let hi = div_keep(q + c);
  // what hi leaves of sa / sb, in units of hi's ulp (hi lies in [1/2, 2], so the scale is a normal power of two)
  let hb = bitcast<u32>(hi);
  let left = div_ulps(div_keep(q - hi) + c, hb);
  let e = i32(ea) - i32(eb);
  let biased = i32(hb >> 23u) + e;
  // hi is the rounded quotient unless the exact one may lie within 2^-12 ulp of a midpoint; a power of two's lower neighbour is nearer
  let decided = ea - 1u < 254u && eb - 1u < 254u && abs(left) < 0.49975586 && (hb & 0x7fffffu) != 0u && biased >= 1 && biased <= 254;
  return bitcast<f32>(select(DIV_UNDECIDED, ((ua ^ ub) & 0x80000000u) | (hb + bitcast<u32>(e << 23u)), decided));
}

/** a / b, correctly rounded (IEEE 754), with IEEE's zeros, infinities and NaN. */
fn div_f(a: f32, b: f32) -> f32 {
  let fast = div_f_fast(a, b);
  if (bitcast<u32>(fast) != DIV_UNDECIDED) { return fast; }
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let ma = ua & 0x7fffffffu;
  let mb = ub & 0x7fffffffu;
  let sign = (ua ^ ub) & 0x80000000u;
  if (ma > 0x7f800000u || mb > 0x7f800000u) { return nan_f32(); }
  if (ma == 0x7f800000u) { return select(bitcast<f32>(sign | 0x7f800000u), nan_f32(), mb == 0x7f800000u); }
  if (mb == 0u) { return select(bitcast<f32>(sign | 0x7f800000u), nan_f32(), ma == 0u); }
  if (ma == 0u || mb == 0x7f800000u) { return bitcast<f32>(sign); }
  let pa = div_unpack(ma);
  let pb = div_unpack(mb);
  return div_long(u32(pa.x), u32(pb.x), pa.y - pb.y, sign);
}

/** v in units of the ulp of the positive normal float whose bits are hb (its exponent field above 23): v 2^(150 - field). */
fn div_ulps(v: f32, hb: u32) -> f32 {
  return v * bitcast<f32>((277u - (hb >> 23u)) << 23u);
}
