// Element storage for every dtype the WebGPU backend holds. Every buffer is
// array<u32>; 8-bit elements sit four to a word and 16-bit elements two to a
// word, little-endian, so element e of a dtype lives in word e >> shift.
// Compute types: f32 for float16/bfloat16/float32, i32 for int8/int16/int32,
// u32 for uint8/uint16/uint32 and bool. unpack_<dtype>(word, e) extracts
// element e from its word; pack_<dtype>(value) gives the element's bits
// (in the low bits), rounding floats to nearest even. int64/uint64 (two words
// per element) live in int64.wgsl, prepended after this file where needed.
// Prepended to every kernel; no templating.

fn sh8(e: u32) -> u32 { return (e & 3u) * 8u; }
fn sh16(e: u32) -> u32 { return (e & 1u) * 16u; }

fn unpack_float32(w: u32, e: u32) -> f32 { return bitcast<f32>(w); }
fn unpack_int32(w: u32, e: u32) -> i32 { return bitcast<i32>(w); }
fn unpack_uint32(w: u32, e: u32) -> u32 { return w; }
fn unpack_float16(w: u32, e: u32) -> f32 { return unpack2x16float(w >> sh16(e)).x; }
fn unpack_bfloat16(w: u32, e: u32) -> f32 { return bitcast<f32>(((w >> sh16(e)) & 0xffffu) << 16u); }
fn unpack_int16(w: u32, e: u32) -> i32 { return bitcast<i32>(w << (16u - sh16(e))) >> 16u; }
fn unpack_uint16(w: u32, e: u32) -> u32 { return (w >> sh16(e)) & 0xffffu; }
fn unpack_int8(w: u32, e: u32) -> i32 { return bitcast<i32>(w << (24u - sh8(e))) >> 24u; }
fn unpack_uint8(w: u32, e: u32) -> u32 { return (w >> sh8(e)) & 0xffu; }
fn unpack_bool(w: u32, e: u32) -> u32 { return (w >> sh8(e)) & 0xffu; }

fn pack_float32(v: f32) -> u32 { return bitcast<u32>(v); }
fn pack_int32(v: i32) -> u32 { return bitcast<u32>(v); }
fn pack_uint32(v: u32) -> u32 { return v; }
fn pack_int16(v: i32) -> u32 { return bitcast<u32>(v) & 0xffffu; }
fn pack_uint16(v: u32) -> u32 { return v & 0xffffu; }
fn pack_int8(v: i32) -> u32 { return bitcast<u32>(v) & 0xffu; }
fn pack_uint8(v: u32) -> u32 { return v & 0xffu; }
fn pack_bool(v: u32) -> u32 { return select(0u, 1u, v != 0u); }

// float32 -> bfloat16 bits, round to nearest even; NaN stays a quiet NaN.
fn pack_bfloat16(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) > 0x7f800000u) { return ((b >> 16u) & 0x8000u) | 0x7fc0u; }
  return (b + 0x7fffu + ((b >> 16u) & 1u)) >> 16u;
}

// int32 / uint32 -> float32 rounded to nearest even: both 16-bit halves convert
// exactly and the sum rounds once (WGSL's + is correctly rounded, while f32(v)
// of an integer past 2^24 may give either neighbour).
fn i32_to_f32(a: i32) -> f32 { return f32(a >> 16u) * 65536.0 + f32(a & 0xffff); }
fn u32_to_f32(a: u32) -> f32 { return f32(a >> 16u) * 65536.0 + f32(a & 0xffffu); }

// uint32 / int32 -> float32 rounded to odd (the top 24 bits, the last one set
// where a dropped bit is): pack_bfloat16 after it then rounds once from the
// exact integer, as the reference does (f32(v) then pack_bfloat16 rounds
// twice: int32 2^30 + 2^22 + 1 would give 2^30). On the bits, so the driver's
// own rounding of f32(v) (which WGSL leaves open) plays no part. Magnitudes
// below 2^24 are exact either way. float16 needs none of this: integers up to
// 2^24 are exact in float32 and beyond that both roundings overflow.
fn u32_to_f32_odd(a: u32) -> f32 {
  if (a < 0x1000000u) { return f32(a); }
  let msb = 31u - countLeadingZeros(a);
  let shift = msb - 23u;
  let m = (a >> shift) | select(0u, 1u, (a & ((1u << shift) - 1u)) != 0u);
  return bitcast<f32>(((msb + 127u) << 23u) + m - 0x800000u);
}
fn i32_to_f32_odd(a: i32) -> f32 {
  let m = u32_to_f32_odd(select(bitcast<u32>(a), 0u - bitcast<u32>(a), a < 0));
  return bitcast<f32>(bitcast<u32>(m) | select(0u, 0x80000000u, a < 0));
}

// float32 -> float16 bits, round to nearest even (pack2x16float's rounding is
// implementation-defined, so it is done with integer operations). For + - * /
// and sqrt of float16 operands computed correctly rounded in float32, this
// second rounding gives the correctly rounded float16 result, the reference's:
// rounding twice is innocuous when the wider format has p' >= 2p + 2
// significand bits (Figueroa, 1995), and binary32's 24 = 2 * 11 + 2. float16
// subnormals are float32 normals, so a driver that flushes float32 subnormals
// cannot change a float16 result either. Branch-free: the normal rounding on
// the bits, a subnormal result as |v| 2^24 rounded to an integer by adding
// 2^23 (the sum's bits hold it; |v| 2^24 is exact, and a float32 subnormal
// the driver flushes packs to zero as it should), overflow and NaN selected
// last. H200, 64M elements, device time, share of the copy kernel, against
// the branches this replaced: float16 add 71% -> 90%, negative 56% -> 74%,
// float32 -> float16 casts 81% -> 99% (likely: the elementwise kernel's
// later loads were no longer issued ahead across the branches).
fn pack_float16(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  let a = b & 0x7fffffffu;
  let m = a - 0x38000000u;
  let normal = (m + 0xfffu + ((m >> 13u) & 1u)) >> 13u;
  let subnormal = bitcast<u32>(bitcast<f32>(a) * 16777216.0 + 8388608.0) - 0x4b000000u;
  let finite = select(select(subnormal, normal, a >= 0x38800000u), 0x7c00u, a >= 0x477ff000u);
  return ((b >> 16u) & 0x8000u) | select(finite, 0x7e00u, a > 0x7f800000u);
}

// The float16 word of two float32 values (v.x in the low half), correctly
// rounded where each is a zero or rounds to a float16 normal: each magnitude
// is first rounded to 11 significant bits (to nearest even) on its bits, so
// the device's pack2x16float (which WGSL lets round to either neighbour) has
// nothing left to round, and the signs are set on the bits after. y: 1 where
// a half needs pack_float16 instead (a float16 subnormal, overflow, inf or
// NaN), for the caller to recompute the word. About half pack_float16's
// integer operations an element (the elementwise kernel's float16 words).
fn pack_pair_float16(v: vec2<f32>) -> vec2<u32> {
  let b = bitcast<vec2<u32>>(v);
  let a = bitcast<vec2<f32>>(b & vec2<u32>(0x7fffffffu));
  let w = pack2x16float(vec2<f32>(round_float16_normal(a.x), round_float16_normal(a.y))) | ((b.x >> 16u) & 0x8000u) | (b.y & 0x80000000u);
  // magnitudes in [2^-14, 65520) round to a normal; scalar tests (no bool vectors: naga's MSL path has none)
  let rare = float16_rare(v.x) || float16_rare(v.y);
  return vec2<u32>(w, select(0u, 1u, rare));
}

// v rounded to float16 and back, the value the next kernel loads where one
// stores pack_float16(v). float16_rare: v rounds to a float16 subnormal,
// overflows, or is inf or NaN; elsewhere (a zero or a result rounding to a
// normal) round_float16_normal rounds it to 11 significant bits on its bits
// (the sign rides along, the carry of a rounding up lands in the exponent as
// it should); round_float16 takes the rest through pack_float16 and the
// device's unpacking, as a load would give them. Compile's fused float16 nodes
// (backends/webgpu/fuse.ts roundsLater).
fn float16_rare(v: f32) -> bool {
  let a = bitcast<u32>(v) & 0x7fffffffu;
  return a != 0u && a - 0x38800000u > 0x0effefffu;
}
fn round_float16_normal(v: f32) -> f32 {
  let b = bitcast<u32>(v);
  return bitcast<f32>((b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u);
}
fn round_float16(v: f32) -> f32 {
  if (float16_rare(v)) { return unpack2x16float(pack_float16(v)).x; }
  return round_float16_normal(v);
}

// maximum/minimum of two float16 or bfloat16 elements on their bits (their
// uint16 views; inf: +inf's bits, qnan: the quiet NaN their packing gives): a
// if it is NaN, else b if it is, else the larger (smaller) by its order key
// (the zeros equal), as maximum_f/minimum_f (math.wgsl) and the packing after them give,
// without unpacking and packing each element.
fn order_key16(x: u32) -> u32 {
  let y = select(x, 0u, x == 0x8000u); // -0 as +0, as f32_key
  return select(y | 0x8000u, ~y & 0xffffu, (y & 0x8000u) != 0u);
}
fn extreme_bits16(a: u32, b: u32, inf: u32, qnan: u32, larger: bool) -> u32 {
  let a_nan = (a & 0x7fffu) > inf;
  let ka = order_key16(a);
  let kb = order_key16(b);
  let keep_a = select(ka <= kb, kb <= ka, larger);
  let r = select(b, a, a_nan | (!((b & 0x7fffu) > inf) & keep_a));
  return select(r, (r & 0x8000u) | qnan, (r & 0x7fffu) > inf);
}

// NaN and infinity tests on the bits (WGSL lets implementations assume finite floats in arithmetic).
fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u; }

// Float order on the bits (drivers may flush subnormals in float compares, e.g.
// NVIDIA's 1.4e-45 > 0 is false): f32_key maps a non-NaN float's bits to a u32
// whose unsigned order is the numeric order, -0 mapped as +0. The f32_lt/le/eq
// tests are false when either side is NaN, as IEEE compares are.
fn f32_key(v: f32) -> u32 {
  let b = select(bitcast<u32>(v), 0u, bitcast<u32>(v) == 0x80000000u);
  return b ^ select(0x80000000u, 0xffffffffu, (b & 0x80000000u) != 0u);
}
// argmax's and argmin's order as one u32: a NaN above every number (so the
// first NaN wins), else f32_key for argmax, its complement for argmin;
// key_wins: (kx, xi) beats (ky, yi), the lower index winning a tie.
fn argmax_key(v: f32) -> u32 { return select(f32_key(v), 0xffffffffu, is_nan(v)); }
fn argmin_key(v: f32) -> u32 { return select(~f32_key(v), 0xffffffffu, is_nan(v)); }
fn key_wins(kx: u32, xi: u32, ky: u32, yi: u32) -> bool { return kx > ky || (kx == ky && xi < yi); }
/** a <= b on the bits, for numbers (NaN is the caller's to handle). */
fn f32_key_le(a: f32, b: f32) -> bool { return f32_key(a) <= f32_key(b); }
fn f32_lt(a: f32, b: f32) -> bool { return !is_nan(a) && !is_nan(b) && f32_key(a) < f32_key(b); }
fn f32_le(a: f32, b: f32) -> bool { return !is_nan(a) && !is_nan(b) && f32_key(a) <= f32_key(b); }
fn f32_eq(a: f32, b: f32) -> bool { return !is_nan(a) && !is_nan(b) && f32_key(a) == f32_key(b); }

// NaN and infinity as runtime values (constant expressions may not be NaN or infinite).
fn nan_f32() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn inf_f32() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
