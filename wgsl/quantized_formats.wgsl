// The small float formats of MLX's microscaling quantization (prepended to
// the quantized kernels; no templating), encoded and decoded as the CPU
// reference's backends/cpu/quantized-formats.ts: e2m1 (fp4 values), e4m3
// (fp8 values and nvfp4 scales, saturating at 448; infinities and NaN to
// 448 with their sign bit, as MLX) and e8m0 (power-of-two scales).
// Exponents are read from the float bits, never from log2.

fn e2m1_encode(x: f32) -> u32 {
  if (is_nan(x)) { return 7u; }
  let sign = select(0u, 8u, (bitcast<u32>(x) >> 31u) == 1u);
  let a = abs(x);
  var c = 0u;
  if (a > 5.0) { c = 7u; } else if (a >= 3.5) { c = 6u; } else if (a > 2.5) { c = 5u; } else if (a >= 1.75) { c = 4u; }
  else if (a > 1.25) { c = 3u; } else if (a >= 0.75) { c = 2u; } else if (a > 0.25) { c = 1u; }
  return c | sign;
}

fn e2m1_decode(c: u32) -> f32 {
  let e = (c >> 1u) & 3u;
  let m = f32(c & 1u);
  let v = select((1.0 + 0.5 * m) * f32(1u << (e - 1u)), 0.5 * m, e == 0u);
  return select(v, -v, (c & 8u) != 0u);
}

// MLX's ToFP8 / Metal fp8_e4m3 on x's bits (integer steps only): magnitudes
// from 448 (bits 543 << 21), infinities and NaN to 0x7e with x's sign bit;
// below 2^-6 steps of 2^-9 (a * 512 is exact; round ties to even); else the
// exponent rebiased and the mantissa rounded to 3 bits, ties to even.
fn e4m3_encode(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let sign = (b >> 24u) & 0x80u;
  let f = b & 0x7fffffffu;
  var c = 0x7eu;
  if (f < 0x3c800000u) {
    c = u32(round(bitcast<f32>(f) * 512.0));
  } else if (f < 0x43e00000u) {
    c = ((f - 0x3c000000u + 0x7ffffu + ((f >> 20u) & 1u)) >> 20u) & 0xffu;
  }
  return c | sign;
}

fn e4m3_decode(c: u32) -> f32 {
  let e = (c >> 3u) & 15u;
  let m = c & 7u;
  let v = select(bitcast<f32>(((e + 120u) << 23u) | (m << 20u)), f32(m) * 0.001953125, e == 0u);
  return select(v, -v, (c & 0x80u) != 0u);
}

fn e8m0_encode(x: f32) -> u32 {
  if (is_nan(x) || is_inf(x)) { return 0xffu; }
  let b = bitcast<u32>(x);
  if (x <= 0.0 || (b & 0x7f800000u) == 0u) { return 0u; }
  let m = bitcast<f32>((b & 0x7fffffu) | 0x3f800000u);
  // log2 rounded: the exponent, plus one where the mantissa exceeds sqrt(2) (the smallest float32 above it is 1.4142136573791504)
  return min((b >> 23u) + select(0u, 1u, m >= 1.4142136573791504), 254u);
}

fn e8m0_decode(c: u32) -> f32 {
  return bitcast<f32>(select(c << 23u, 0x400000u, c == 0u));
}
