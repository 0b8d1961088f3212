// softmax and logsumexp over rows of R contiguous elements (the reduced axes
// trailing and dense), a workgroup of 256 per row, the row read once: each
// invocation loads its WORDS words (word lid + 256 i of the row; only the last
// can pass the row's end, and is clamped to its last word) into registers,
// EPW elements a word (2 for packed float16/bfloat16, both halves of a word
// unpacked at once), then folds over registers only: the maximum (the
// driver's max per invocation, a NaN found by the sum of the magnitudes,
// tested on its bits; then the workgroup's maximum of order keys, integer
// max, where a NaN share wins), e = exp(x - max) once per element (the math
// library's mx_exp, or, where the invocation's least element is within 86 of
// a finite maximum, exp_normal: the same bits without the steps that range
// cannot reach), the sum of the e's in element order (only the last word
// masked), and either max + log(sum) (logsumexp, a float32 word per row) or
// e * (1 / sum) packed into whole output words of the input's dtype (softmax;
// no two invocations share a word; with a finite maximum every e * (1 / sum)
// is in [0, 1], where pack_unit_<dtype> gives pack_<dtype>'s bits in fewer
// steps).
// The workgroup sum is wgsl/softmax-fold.wgsl's (a helper file).
// Slots (the name in double braces): DTYPE the input's (and softmax output's)
// dtype name; EPW elements per word (1 or 2; R is a multiple of it); WORDS
// words per invocation (WORDS * EPW <= 16); LSE true for logsumexp; DECLS,
// LOADS, MAXES, EXPS (mx_exp), EXPS_NORMAL (exp_normal), SUMS, STORES
// (pack_<dtype>), STORES_UNIT (pack_unit_<dtype>) the unrolled statements
// over each held element, in element order (backends/webgpu/softmax.ts
// rowStatements).
// params: [n_out, R, nk, kept shape[nk], kept element strides[nk], offset (elements)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

const EPW = {{EPW}}u;
const WORDS = {{WORDS}}u;

var<workgroup> key_part: array<u32, 256>;
var<workgroup> key_part32: array<u32, 32>;
var<workgroup> key_part4: array<u32, 4>;

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

/** The maximum of 8 keys (unsigned order). */
fn max8(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32) -> u32 { return max(max(max(a, b), max(c, d)), max(max(e, f), max(g, h))); }

/**
 * The workgroup's maximum of the shares (order keys), as a float (every invocation
 * calls it; all get the result): 32 invocations each take 8 shares, 4 the 32,
 * then every invocation the 4. Each array is written again only after a barrier
 * every invocation reaches after its last read of it.
 */
fn fold_max(share: u32, lid: u32) -> f32 {
  key_part[lid] = share;
  workgroupBarrier();
  if (lid < 32u) {
    let i = 8u * lid;
    key_part32[lid] = max8(key_part[i], key_part[i + 1u], key_part[i + 2u], key_part[i + 3u], key_part[i + 4u], key_part[i + 5u], key_part[i + 6u], key_part[i + 7u]);
  }
  workgroupBarrier();
  if (lid < 4u) {
    let i = 8u * lid;
    key_part4[lid] = max8(key_part32[i], key_part32[i + 1u], key_part32[i + 2u], key_part32[i + 3u], key_part32[i + 4u], key_part32[i + 5u], key_part32[i + 6u], key_part32[i + 7u]);
  }
  workgroupBarrier();
  return key_value(max(max(key_part4[0], key_part4[1]), max(key_part4[2], key_part4[3])));
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let R = params[1];
  let nk = params[2];
  let valid = o < params[0];
  let row_words = R / EPW;
  // element q of word lid + 256 i is x<i * EPW + q>, each its own variable (no array the compiler may spill)
  {{DECLS}}
  var m = -inf_f32();
  var least = inf_f32();
  // the sum of |x|: NaN exactly where an x is (no -inf to cancel an overflow), one add an element
  var magnitudes = 0.0;
  if (valid) {
    let first = (params[3u + 2u * nk] + u32(decompose(3u, 3u + nk, nk, o))) / EPW;
    {{LOADS}}
    // a clamped word repeats one of the row's: it cannot change the maximum
    {{MAXES}}
  }
  let mx = fold_max(select(order_key(m), 0xffffffffu, is_nan(magnitudes)), lid);
  // 1.0 as exp_normal takes it (R > 0 here)
  let one = select(0.0, 1.0, R > 0u);
  // a finite maximum: no NaN and no +inf in the row
  let finite = !is_nan(mx) && !is_inf(mx);
  var acc = 0.0;
  if (valid) {
    if (finite && least - mx >= -86.0) {
      {{EXPS_NORMAL}}
    } else {
      {{EXPS}}
    }
    {{SUMS}}
  }
  let total = fold(acc, lid, false);
  if (!valid) { return; }
  if ({{LSE}}) {
    if (lid == 0u) { out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, is_inf(mx) || is_nan(mx))); }
    return;
  }
  let inv = 1.0 / total;
  let out_row = o * row_words + lid;
  if (finite) {
    {{STORES_UNIT}}
  } else {
    {{STORES}}
  }
}
