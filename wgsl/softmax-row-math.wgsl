// The per-element math of the dense-row softmax and logsumexp kernels
// (wgsl/softmax-rows.wgsl and the long-row kernels of
// backends/webgpu/softmax-long.ts), a helper file: float order keys for the
// row maximum, e^d on a finite row's normal range (16-bit rows take
// math-exp.wgsl's mx_exp_narrow), and the packs of results in [0, 1]. No slots.

/** The bits of `v` as a key whose unsigned order is the float order (-0 below +0), a positive NaN above +inf. */
fn order_key(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn key_value(k: u32) -> f32 { return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u)); }

/**
 * mx_exp(d)'s bits for -86 <= d <= 0 (tiny positive d included): there
 * k = round(d / ln2) >= -124 and 1 + s is in [0.7, 1.42], so 2^k (1 + s) is a
 * normal float, and mx_exp's clamp, overflow, subnormal and NaN steps all
 * leave its exponent add as it is. `one` is 1.0 the compiler cannot see as a
 * constant: where 1 + s has a single use (here, not in mx_exp) Mesa rewrites
 * 1 + (r + q) as (r + 1) + q, a different rounding.
 */
fn exp_normal(d: f32, one: f32) -> f32 {
  let e = mx_exp_short(d);
  return bitcast<f32>(bitcast<u32>(one + e.s) + (bitcast<u32>(e.k.i) << 23u));
}

/** pack_float16(v) for 0 <= v <= 1: the normal case on the bits, below 2^-14 the subnormal v 2^24 rounded to an integer by adding 2^23 (ties to even, the sum's bits hold it; v 2^24 is exact). */
fn pack_unit_float16(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  let m = b - 0x38000000u;
  let normal = (m + 0xfffu + ((m >> 13u) & 1u)) >> 13u;
  let subnormal = bitcast<u32>(v * 16777216.0 + 8388608.0) - 0x4b000000u;
  return select(subnormal, normal, b >= 0x38800000u);
}

/** pack_bfloat16(v) for 0 <= v <= 1 (never NaN): round to nearest even on the bits. */
fn pack_unit_bfloat16(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}

fn pack_unit_float32(v: f32) -> u32 { return bitcast<u32>(v); }

/**
 * The word of two 16-bit results in [0, 1], a in the low half. float16 by
 * the device's pack2x16float: one instruction where pack_unit_float16 takes
 * about ten, rounding to either neighbour where WGSL leaves the mode open
 * (round to nearest even on the H200 and lavapipe); H200, rows of 4096,
 * device time: 64% -> 70% of the copy kernel.
 */
fn pack_pair_unit_float16(a: f32, b: f32) -> u32 { return pack2x16float(vec2<f32>(a, b)); }
fn pack_pair_unit_bfloat16(a: f32, b: f32) -> u32 { return pack_unit_bfloat16(a) | (pack_unit_bfloat16(b) << 16u); }
