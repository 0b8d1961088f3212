// arange into float32/float16/bfloat16 (backends/arange-plan.ts): element
// e > 0 is the exact start + e * step rounded once, as the 128-bit integer
// S = a ± jam((e * mt) << shl, jam) (vec4u, low limb first) times 2^exponent,
// rounded to nearest even from its bits: subnormals, overflow to inf, a
// nonzero S that rounds to 0 keeps its sign. Element 0 is start's bits. No
// float arithmetic. One invocation per output word (wgsl/int64.wgsl for the
// 32x32-bit product). Slots: EPW elements per word; BITS bits per element.
// params: [n, first, mt low, mt high, negative, shl, jam, exponent,
// a (4 words), precision, pos0, kmax, width - 1]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

/** Limb i of x (0 past the top): selects, no dynamic indexing (which some compilers spill to memory). */
fn limb(x: vec4u, i: u32) -> u32 {
  return select(select(select(select(0u, x.w, i == 3u), x.z, i == 2u), x.y, i == 1u), x.x, i == 0u);
}

/** Limb k of x >> s (0 <= s < 128). */
fn shr_limb(x: vec4u, s: u32, k: u32) -> u32 {
  let w = (s >> 5u) + k;
  let b = s & 31u;
  let lo = limb(x, w);
  return select((lo >> b) | (limb(x, w + 1u) << (32u - b)), lo, b == 0u);
}

fn shr128(x: vec4u, s: u32) -> vec4u {
  return vec4u(shr_limb(x, s, 0u), shr_limb(x, s, 1u), shr_limb(x, s, 2u), shr_limb(x, s, 3u));
}

/** Limb k of x << s (0 <= s < 128). */
fn shl_limb(x: vec4u, s: u32, k: u32) -> u32 {
  let w = s >> 5u;
  let b = s & 31u;
  let cur = select(0u, limb(x, k - w), k >= w);
  let prev = select(0u, limb(x, k - w - 1u), k > w);
  return select((cur << b) | (prev >> (32u - b)), cur, b == 0u);
}

fn shl128(x: vec4u, s: u32) -> vec4u {
  return vec4u(shl_limb(x, s, 0u), shl_limb(x, s, 1u), shl_limb(x, s, 2u), shl_limb(x, s, 3u));
}

/** The bits of limb k (at 32 k) that lie below bit s. */
fn low_mask(s: u32, k: u32) -> u32 {
  let lo = 32u * k;
  return select(select(0u, (1u << (s - lo)) - 1u, s > lo), 0xffffffffu, s >= lo + 32u);
}

/** Whether x has a set bit below bit s. */
fn bits_below(x: vec4u, s: u32) -> bool {
  return ((x.x & low_mask(s, 0u)) | (x.y & low_mask(s, 1u)) | (x.z & low_mask(s, 2u)) | (x.w & low_mask(s, 3u))) != 0u;
}

/** a + b mod 2^128. */
fn add128(a: vec4u, b: vec4u) -> vec4u {
  let x = a.x + b.x;
  let c0 = select(0u, 1u, x < a.x);
  let y0 = a.y + b.y;
  let y = y0 + c0;
  let c1 = select(0u, 1u, y0 < a.y || y < y0);
  let z0 = a.z + b.z;
  let z = z0 + c1;
  let c2 = select(0u, 1u, z0 < a.z || z < z0);
  return vec4u(x, y, z, a.w + b.w + c2);
}

fn neg128(a: vec4u) -> vec4u { return add128(~a, vec4u(1u, 0u, 0u, 0u)); }

fn bit_length(x: u32) -> i32 { return 32 - i32(countLeadingZeros(x)); }

/** The float bits (no sign) of the magnitude s times 2^e rounded once to nearest even. */
fn round_bits(s: vec4u, e: i32) -> u32 {
  let p = i32(params[12]);
  let pos0 = bitcast<i32>(params[13]);
  let kmax = i32(params[14]);
  let length = select(select(select(bit_length(s.x), 32 + bit_length(s.y), s.y != 0u), 64 + bit_length(s.z), s.z != 0u), 96 + bit_length(s.w), s.w != 0u);
  if (length == 0) { return 0u; }
  // drop q bits: to the precision, or to the least subnormal's grid; k is the kept grid's binade above pos0's
  let q = max(length - p, pos0 - e);
  let k = e + q - pos0;
  if (k > kmax) { return u32(kmax + 2) << u32(p - 1); }
  var m: u32;
  if (q <= 0) {
    m = s.x << u32(-q);
  } else {
    // (past 127 every bit is dropped and the round bit is 0: the value is 0)
    let r = u32(min(q, 127) - 1);
    let t = shr_limb(s, r, 0u);
    m = t >> 1u;
    if ((t & 1u) != 0u && ((m & 1u) != 0u || bits_below(s, r))) { m += 1u; }
  }
  // a carry to 2^p moves into the next binade (or to inf) by itself
  return (u32(k) << u32(p - 1)) + m;
}

fn element_bits(e: u32) -> u32 {
  let lo = u32_mul_wide(e, params[2]);
  let hi = u32_mul_wide(e, params[3]);
  let mid = lo.y + hi.x;
  var x = vec4u(lo.x, mid, hi.y + select(0u, 1u, mid < lo.y), 0u);
  // (shl and jam are the same for every element: uniform branches)
  if (params[5] > 0u) { x = shl128(x, params[5]); }
  let jam = params[6];
  if (jam > 0u) {
    let sticky = bits_below(x, jam);
    x = shr128(x, jam);
    x.x |= select(0u, 1u, sticky);
  }
  if (params[4] != 0u) { x = neg128(x); }
  var s = add128(vec4u(params[8], params[9], params[10], params[11]), x);
  let negative = (s.w >> 31u) != 0u;
  if (negative) { s = neg128(s); }
  return round_bits(s, bitcast<i32>(params[7])) | select(0u, 1u << params[15], negative);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let word = gid.x + gid.y * nwg.x * 256u;
  let n = params[0];
  if (word * {{EPW}}u >= n) { return; }
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      bits = bits | (select(element_bits(e), params[1], e == 0u) << (j * {{BITS}}u));
    }
  }
  out_words[word] = bits;
}
