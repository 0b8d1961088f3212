// The online pass of the long-row softmax and logsumexp kernels
// (wgsl/softmax-long-rows.wgsl, wgsl/softmax-split-partials.wgsl,
// wgsl/softmax-split-finish.wgsl), a helper file: an invocation's running
// maximum m and sum s of e^(x - m) over its words of a row (s rescaled where
// a new maximum comes), its least element and sum of magnitudes, eight words
// loaded before any is used; and a row's results (logsumexp's word, or the
// softmax results over the same words). It declares the kernels' bindings 0
// to 2 (params start [rows, R, nk, kept shape[nk], kept element strides[nk],
// offset], then, for the split kernels, chunks and chunk words) and expects of the kernel ROW_DECLS (backends/webgpu/softmax-long.ts):
// the consts EPW, NARROW (16-bit rows: mx_exp_narrow) and LSE, values_of(w) (a
// word's elements, x then y) and result_word(v, mx, inv, fast, one, finite);
// and wgsl/softmax-row-math.wgsl and the math helpers. No slots.

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

/** The input word where row o starts. */
fn row_first_word(o: u32) -> u32 {
  let nk = params[2];
  return (params[3u + 2u * nk] + u32(decompose(3u, 3u + nk, nk, o))) / EPW;
}

/** The split kernels' chunks per row and words per chunk (the params after the offset). */
fn row_split() -> vec2u {
  let nk = params[2];
  return vec2u(params[4u + 2u * nk], params[5u + 2u * nk]);
}

/** Words i, i + 256, ..., i + 1792 of the row starting at word `first`, all loaded before any is used. */
fn load8(first: u32, i: u32) -> array<u32, 8> {
  return array<u32, 8>(in_words[first + i], in_words[first + i + 256u], in_words[first + i + 512u], in_words[first + i + 768u],
    in_words[first + i + 1024u], in_words[first + i + 1280u], in_words[first + i + 1536u], in_words[first + i + 1792u]);
}

/** e^d for d <= 0 on the short path (mx_exp_narrow for 16-bit rows), 0 below -86 or for NaN: the online sum's steps (what it drops is below 2^-124 of the sum). */
fn online_exp(d: f32) -> f32 {
  let c = max(d, -86.0);
  var e: f32;
  if (NARROW) { e = mx_exp_narrow(c); } else { e = exp_normal(c, 1.0); }
  return select(0.0, e, d >= -86.0);
}

/** An invocation's online state: running maximum, sum of e^(x - m), least element, sum of magnitudes (NaN exactly where an x is). */
struct Online { m: f32, s: f32, least: f32, magnitudes: f32 }

/** `a` with element x taken: where x is a new maximum, s becomes s e^(m - x) + 1. */
fn take(a: Online, x: f32) -> Online {
  let bigger = x > a.m;
  let e = online_exp(select(x - a.m, a.m - x, bigger));
  return Online(select(a.m, x, bigger), select(a.s + e, fma(a.s, e, 1.0), bigger), min(a.least, x), a.magnitudes + abs(x));
}

/** `a` with word w's elements taken in order. */
fn take_word(a: Online, w: u32) -> Online {
  let v = values_of(w);
  if (EPW == 2u) { return take(take(a, v.x), v.y); }
  return take(a, v.x);
}

/** Invocation lid's online state over words begin + lid, begin + lid + 256, ... below `end` of the row starting at word `first`. */
fn online_words(first: u32, begin: u32, end: u32, lid: u32) -> Online {
  var a = Online(-inf_f32(), 0.0, inf_f32(), 0.0);
  var i = begin + lid;
  for (; i + 1792u < end; i += 2048u) {
    let w = load8(first, i);
    for (var j = 0u; j < 8u; j++) { a = take_word(a, w[j]); }
  }
  for (; i < end; i += 256u) { a = take_word(a, in_words[first + i]); }
  return a;
}

/** e^d for the row: on its normal range the short paths, else the math library's. */
fn row_exp(d: f32, fast: bool, one: f32) -> f32 {
  if (!fast) { return mx_exp(d); }
  if (NARROW) { return mx_exp_narrow(d); }
  return exp_normal(d, one);
}

/**
 * Row o's results from its maximum mx and sum total: logsumexp's float32 word
 * (by invocation 0), or softmax's results over words begin + lid,
 * begin + lid + 256, ... below `end` (the short exp paths where `fast`).
 */
fn row_results(o: u32, lid: u32, begin: u32, end: u32, mx: f32, total: f32, fast: bool, finite: bool) {
  if (LSE) {
    if (lid == 0u) { out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, !finite)); }
    return;
  }
  let first = row_first_word(o);
  let out_row = o * (params[1] / EPW);
  let inv = 1.0 / total;
  // 1.0 as exp_normal takes it (R > 0 here)
  let one = select(0.0, 1.0, params[1] > 0u);
  var i = begin + lid;
  for (; i + 1792u < end; i += 2048u) {
    let w = load8(first, i);
    for (var j = 0u; j < 8u; j++) { out_words[out_row + i + 256u * j] = result_word(values_of(w[j]), mx, inv, fast, one, finite); }
  }
  for (; i < end; i += 256u) { out_words[out_row + i] = result_word(values_of(in_words[first + i]), mx, inv, fast, one, finite); }
}
