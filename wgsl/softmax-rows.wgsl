// softmax and logsumexp over rows of R contiguous elements (the reduced axes
// trailing and dense), a workgroup of 256 per row, the row read once: each
// invocation loads its WORDS words (word lid + 256 i of the row, past the end
// clamped to the last) into registers, EPW elements a word (2 for packed
// float16/bfloat16), then folds over registers only: the maximum (the
// driver's max per invocation, NaNs tracked on the bits; then the workgroup's
// maximum of order keys, integer max, where a NaN share wins), e = exp(x - max) once per element (the
// math library's exp), the sum of the e's, and either max + log(sum)
// (logsumexp, a float32 word per row) or e * (1 / sum) packed into whole
// output words of the input's dtype (softmax; no two invocations share a word).
// The workgroup sum is wgsl/softmax-fold.wgsl's (a helper file).
// Slots (the name in double braces): DTYPE the input's (and softmax output's)
// dtype name; EPW elements per word (1 or 2; R is a multiple of it); WORDS
// words per invocation (WORDS * EPW <= 16); LSE true for logsumexp; DECLS,
// LOADS, MAXES, EXPS, SUMS, STORES the unrolled statements over each held
// element, in element order (backends/webgpu/softmax.ts rowStatements).
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
  var nan = false;
  if (valid) {
    let first = (params[3u + 2u * nk] + u32(decompose(3u, 3u + nk, nk, o))) / EPW;
    {{LOADS}}
    // a clamped word repeats one of the row's: it cannot change the maximum
    {{MAXES}}
  }
  let mx = fold_max(select(order_key(m), 0xffffffffu, nan), lid);
  var acc = 0.0;
  if (valid) {
    {{EXPS}}
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
  {{STORES}}
}
