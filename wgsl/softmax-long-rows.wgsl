// softmax and logsumexp over dense rows too long for wgsl/softmax-rows.wgsl's
// registers (more than 256 x 16 elements an invocation would hold): one row a
// workgroup of 256, read once (logsumexp) or twice (softmax) instead of
// held. Invocation lid takes the row's words lid, lid + 256, ... (EPW
// elements a word, both halves of a 16-bit word at once), eight words loaded
// before any is used:
//   1. in one read, the invocation's maximum m and sum s of e^(x - m) in its
//      element order (online: where x is a new maximum, s becomes
//      s e^(m - x) + 1; e^d by exp_normal, or exp_narrow for 16-bit rows, 0
//      below -86), its least element and sum of magnitudes (a NaN); then the
//      row's maximum of order keys (a NaN share wins), as the rows kernel,
//      and the row's sum of the shares s e^(m - max) (NaN where the maximum
//      is not finite);
//   2. logsumexp: max + log(sum) by invocation 0 (a float32 word per row);
//      softmax: each e = exp(x - max) again (the short paths where the
//      invocation's least element is within 86 of a finite maximum, else
//      mx_exp), times 1 / sum, packed into whole output words of the input's
//      dtype (pack_unit_<dtype> where the maximum is finite).
// The folds are wgsl/softmax-rows-tree.wgsl's (the strided kernel's halving
// tree) and the element math wgsl/softmax-row-math.wgsl's.
// Slots (the name in double braces): EPW elements per word (1 or 2); LSE
// true for logsumexp; NARROW true for 16-bit rows (exp_narrow); VALUES the
// statement setting `v` (a vec2<f32>, y unused for EPW 1) from word `w`;
// RESULT result_word's statements returning the word of `a` (and of b, the
// second element's result: pack_pair_unit_<dtype> where `finite`, else
// pack_<dtype>).
// params: [n_out, R, nk, kept shape[nk], kept element strides[nk], offset (elements)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

const EPW = {{EPW}}u;
const ROW_LANES = 256u;
const SUBGROUP = 1u;

/** The elements of word `w` (x, then y for a 16-bit pair). */
fn values_of(w: u32) -> vec2<f32> {
  var v: vec2<f32>;
  {{VALUES}}
  return v;
}

/** Words i, i + 256, ..., i + 1792 of the row starting at word `first`, all loaded before any is used. */
fn load8(first: u32, i: u32) -> array<u32, 8> {
  return array<u32, 8>(in_words[first + i], in_words[first + i + 256u], in_words[first + i + 512u], in_words[first + i + 768u],
    in_words[first + i + 1024u], in_words[first + i + 1280u], in_words[first + i + 1536u], in_words[first + i + 1792u]);
}

/** e^d for d <= 0 on the short path (exp_narrow for 16-bit rows), 0 below -86 or for NaN: the online sum's steps (what it drops is below 2^-124 of the sum). */
fn online_exp(d: f32) -> f32 {
  let c = max(d, -86.0);
  var e: f32;
  if ({{NARROW}}) { e = exp_narrow(c); } else { e = exp_normal(c, 1.0); }
  return select(0.0, e, d >= -86.0);
}

/** Takes element x into the running maximum m, sum s (rescaled where x is a new maximum), least element and sum of magnitudes. */
fn take(x: f32, m: ptr<function, f32>, s: ptr<function, f32>, least: ptr<function, f32>, magnitudes: ptr<function, f32>) {
  let bigger = x > *m;
  let e = online_exp(select(x - *m, *m - x, bigger));
  *s = select(*s + e, fma(*s, e, 1.0), bigger);
  *m = select(*m, x, bigger);
  *least = min(*least, x);
  *magnitudes = *magnitudes + abs(x);
}

/** e^d for the row: on its normal range the short paths, else the math library's. */
fn row_exp(d: f32, fast: bool, one: f32) -> f32 {
  if (!fast) { return mx_exp(d); }
  if ({{NARROW}}) { return exp_narrow(d); }
  return exp_normal(d, one);
}

/** The softmax result word of a word's elements v: e^(v - mx) inv each, by the unit packs where the maximum is finite. */
fn result_word(v: vec2<f32>, mx: f32, inv: f32, fast: bool, one: f32, finite: bool) -> u32 {
  let a = row_exp(v.x - mx, fast, one) * inv;
  {{RESULT}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let R = params[1];
  let nk = params[2];
  let valid = o < params[0];
  let row_words = R / EPW;
  var first = 0u;
  // the invocation's running maximum m and sum s of e^(x - m) (online: s rescaled when m grows)
  var m = -inf_f32();
  var s = 0.0;
  var least = inf_f32();
  // the sum of |x|: NaN exactly where an x is (no -inf to cancel an overflow)
  var magnitudes = 0.0;
  var i = lid;
  if (valid) {
    first = (params[3u + 2u * nk] + u32(decompose(3u, 3u + nk, nk, o))) / EPW;
    for (; i + 1792u < row_words; i += 2048u) {
      let w = load8(first, i);
      for (var j = 0u; j < 8u; j++) {
        let v = values_of(w[j]);
        take(v.x, &m, &s, &least, &magnitudes);
        if (EPW == 2u) { take(v.y, &m, &s, &least, &magnitudes); }
      }
    }
    for (; i < row_words; i += 256u) {
      let v = values_of(in_words[first + i]);
      take(v.x, &m, &s, &least, &magnitudes);
      if (EPW == 2u) { take(v.y, &m, &s, &least, &magnitudes); }
    }
  }
  let share = select(order_key(m), 0xffffffffu, is_nan(magnitudes));
  let path = row_fold_path(share, lid, vec2u());
  let mx = key_value(row_max_key(share, lid, path));
  let one = select(0.0, 1.0, R > 0u);
  let finite = !is_nan(mx) && !is_inf(mx);
  let fast = finite && least - mx >= -86.0;
  // the invocation's share of the row's sum of e^(x - mx); a row without a finite maximum sums to NaN (softmax: every result NaN)
  let acc = select(0.0, s * online_exp(m - mx), valid);
  let total = select(nan_f32(), row_sum(acc, lid, vec2u(), path), finite);
  if (!valid) { return; }
  if ({{LSE}}) {
    if (lid == 0u) { out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, is_inf(mx) || is_nan(mx))); }
    return;
  }
  let inv = 1.0 / total;
  let out_row = o * row_words;
  i = lid;
  for (; i + 1792u < row_words; i += 2048u) {
    let w = load8(first, i);
    for (var j = 0u; j < 8u; j++) {
      out_words[out_row + i + 256u * j] = result_word(values_of(w[j]), mx, inv, fast, one, finite);
    }
  }
  for (; i < row_words; i += 256u) {
    out_words[out_row + i] = result_word(values_of(in_words[first + i]), mx, inv, fast, one, finite);
  }
}
