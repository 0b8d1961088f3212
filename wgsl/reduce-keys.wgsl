// Float max/min and argmax/argmin over segments of more than 64 elements
// with a workgroup per output (not those wgsl/reduce-groups.wgsl takes;
// float32, float16, bfloat16 inputs) on integer order keys of the elements'
// bits: one workgroup of 256 invocations per chunk, as wgsl/reduce.wgsl, with
// the same outputs (word g: chunk g's f32 result, or its winning index).
// An element's bits x (an i32; a 16-bit element in the high half, low half
// zero: float16 and bfloat16 are sign-magnitude like float32) give
//   max/min: K(x) = x ^ ((x >> 31) & 0x7fffffff), injective and monotone
//     (-0 below +0, +NaN above +inf, -NaN below -inf); each invocation keeps
//     the largest and the smallest K (integer max/min, so the order of the
//     fold does not matter) and the workgroup folds those. K is its own
//     inverse, so the result's bits are K(largest) or K(smallest). Where
//     wgsl/reduce.wgsl's fold (NaN-propagating maximum_f/minimum_f, a tie
//     keeping the accumulator) could give other bits, that is, a NaN is in the
//     chunk or the result is a zero (max +0, which may tie a -0; min -0), the
//     workgroup folds the chunk again exactly as reduce.wgsl does (its order,
//     its fold): results bit-identical to reduce.wgsl's, always;
//   argmax/argmin: A(x) = +-(|x| with x's sign) (ARGKEY: t - s or s - t),
//     -0 tying +0, numbers in [-INF, INF]; an invocation keeps (key, index)
//     of its elements taken in increasing index (a later element wins only
//     with a larger key) and the smallest key, the workgroup folds the pairs
//     with the lower index winning a tie: the chunk's first index of the
//     extreme, as reduce.wgsl's BETTER. A NaN's key lies outside [-INF, INF];
//     where the largest or smallest key does, the workgroup takes the chunk
//     again with every NaN keyed 0x7fffffff, above every number (the first
//     NaN wins, as BETTER has it).
// A workgroup takes ROWS chunks g * ROWS .. g * ROWS + ROWS - 1 (ROWS > 1
// only for contiguous float32 chunks of 3 or 4 quads an invocation: rows_main
// loads every chunk's quads first, then takes and finishes the chunks one by
// one; each chunk's result is the same as with one chunk a workgroup).
// Loads: a segment of one merged reduced dim of stride 1 (CONTIGUOUS) reads
// whole quads of words (vec4<u32> from binding 3, the same buffer; eight in
// flight per invocation; both halves of a 16-bit word taken), the at most
// three words at each end of the chunk outside whole quads and the at most
// PER_WORD - 1 elements outside whole words one by one; other layouts read
// elements one by one, eight in flight.
// Slots (the name in double braces), filled by backends/webgpu/reduce.ts:
//   INPUT     binding 2 (in0: array<u32>) and load_0(e) (the rescan's f32 load)
//   CONTIGUOUS  true where the segments are one merged reduced dim of stride 1
//   QUAD      fn quad(q) -> vec4<u32>: words 4q .. 4q + 3 (CONTIGUOUS: binding 3 read as
//             array<vec4<u32>>, else unused)
//   BITS      element bits of element offset `e`, as described above (an i32)
//   PER_WORD  1 (float32) or 2 (float16, bfloat16) elements per word
//   INF       the bits of +inf as x (0x7f800000, float16 0x7c000000)
//   VALUE     the f32 of element bits `x`
//   ISARG     true for argmax/argmin; ISMAX true for max (false for min)
//   ARGKEY    A from t = |x| ^ s and s = x >> 31: `t - s` (argmax), `s - t` (argmin)
//   INIT, FOLD  reduce.wgsl's identity and fold of max/min (the rescan)
//   STORE_VALUE  the body of store_value(g, f): out_words[g] = the f32's bits, or for max/min of one output
//             of float16/bfloat16 (one workgroup, its word its own) the result packed as the cast would
//   ROWS, ROWS_DISPATCH, ROWS_MAIN  chunks a workgroup; with more than one, main's call of
//             rows_main and rows_main itself (generated: backends/webgpu/reduce.ts, keyedRowsMain), else nothing
//   ONE_CHUNK, ONE_BY_ONE  true where every segment is one chunk / the layout merges to one kept and one
//             reduced dim (wgsl/reduce-chunk.wgsl, wgsl/reduce-segment.wgsl then read neither from params)
// params: those of reduce.wgsl: [n_out, R, nk, nr, chunks, chunk_len, kept shape[nk],
//          kept strides[nk], red shape[nr], red strides[nr], offset]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}
{{QUAD}}

const NONE = 0xffffffffu;
/** Chunks a workgroup takes (more than one: contiguous chunks, rows_main). */
const ROWS = {{ROWS}}u;
/** Every segment is one chunk; the layout merges to one kept and one reduced dim (wgsl/reduce-chunk.wgsl, wgsl/reduce-segment.wgsl). */
const ONE_CHUNK = {{ONE_CHUNK}};
const ONE_BY_ONE = {{ONE_BY_ONE}};
const PER_WORD = {{PER_WORD}}u;
const I32_MIN = -2147483647 - 1;
const I32_MAX = 2147483647;

var<workgroup> part_hi: array<i32, 256>;
var<workgroup> part_lo: array<i32, 256>;
var<workgroup> part_i: array<u32, 256>;
var<workgroup> part32_hi: array<i32, 32>;
var<workgroup> part32_lo: array<i32, 32>;
var<workgroup> part32_i: array<u32, 32>;
var<workgroup> part_f: array<f32, 256>;
var<workgroup> part32_f: array<f32, 32>;
var<workgroup> rescan: u32;

// max/min: the largest and smallest K; argmax/argmin: the best key (in hi) and its index
var<private> hi: i32 = I32_MIN;
var<private> lo: i32 = I32_MAX;
var<private> best_i: u32 = NONE;

fn bits_at(e: u32) -> i32 { return {{BITS}}; }
fn value_of(x: i32) -> f32 { return {{VALUE}}; }

/** Writes max/min's result for output g: its float32 bits, or (STORE_VALUE of a single 16-bit output) packed. */
fn store_value(g: u32, f: f32) { {{STORE_VALUE}} }
fn fold(a: f32, b: f32) -> f32 { return {{FOLD}}; }

/** K(x) of the header: element bits x as an integer of the same order (its own inverse). */
fn order_key(x: i32) -> i32 { return x ^ ((x >> 31u) & 0x7fffffff); }

/** A(x) of the header: an arg-reduction's key of element bits x (ARGKEY of s, its sign mask, and t, its magnitude with that sign). */
fn arg_key(x: i32) -> i32 {
  let s = x >> 31u;
  let t = (x & 0x7fffffff) ^ s;
  return {{ARGKEY}};
}

/** Takes element bits x of segment index r (indices taken in increasing order); arg-reductions: every NaN its own key. */
fn take(x: i32, r: u32) {
  if ({{ISARG}}) {
    arg_take(arg_key(x), r);
  } else {
    let k = order_key(x);
    hi = max(hi, k);
    lo = min(lo, k);
  }
}

/** An arg-reduction's element of key k at index r: the larger key wins, the earlier index a tie; lo tracks the smallest key. */
fn arg_take(k: i32, r: u32) {
  let win = k > hi;
  hi = select(hi, k, win);
  best_i = select(best_i, r, win);
  lo = min(lo, k);
}

/** take of an arg-reduction with every NaN one key above every number (the rescan of a chunk with a NaN). */
fn arg_take_nan(x: i32, r: u32) {
  arg_take(select(arg_key(x), I32_MAX, (x & 0x7fffffff) > {{INF}}), r);
}

/** Takes the PER_WORD elements of word w (segment index of its first element: w * PER_WORD - base). */
fn take_word(w: u32, word: u32, base: i32) {
  let r = u32(i32(w * {{PER_WORD}}u) - base);
  if ({{PER_WORD}}u == 1u) {
    take(bitcast<i32>(word), r);
  } else {
    take(bitcast<i32>(word << 16u), r);
    take(bitcast<i32>(word & 0xffff0000u), r + 1u);
  }
}

/** Takes the four words of quad q (words 4q .. 4q + 3) in order. */
fn take_quad(q: u32, v: vec4<u32>, base: i32) {
  take_word(4u * q, v.x, base);
  take_word(4u * q + 1u, v.y, base);
  take_word(4u * q + 2u, v.z, base);
  take_word(4u * q + 3u, v.w, base);
}

/** Element offset of segment index r (one merged reduced dim step0 apart, or several from params[sh]). */
fn offset_of(base: i32, r: u32, single: bool, step0: i32, sh: u32, nr: u32) -> u32 {
  if (single) { return u32(base + i32(r) * step0); }
  return u32(base + decompose(sh, sh + nr, nr, r));
}

/** (a, ai) beats (b, bi): a larger key, or the same key at a lower index. */
fn wins(a: i32, ai: u32, b: i32, bi: u32) -> bool { return a > b || (a == b && ai < bi); }

/** Folds (key h, smallest key l, index i) of another invocation into this one's. */
fn merge(h: i32, l: i32, i: u32) {
  if ({{ISARG}}) {
    let win = wins(h, i, hi, best_i);
    hi = select(hi, h, win);
    best_i = select(best_i, i, win);
  } else {
    hi = max(hi, h);
  }
  lo = min(lo, l);
}

/** The workgroup's fold of the invocations' keys into invocation 0's hi, lo, best_i: 32 invocations fold 8 each, then invocation 0 the 32. */
fn fold_keys(lid: u32) {
  part_hi[lid] = hi;
  part_lo[lid] = lo;
  part_i[lid] = best_i;
  workgroupBarrier();
  if (lid < 32u) {
    hi = part_hi[8u * lid];
    lo = part_lo[8u * lid];
    best_i = part_i[8u * lid];
    for (var k = 1u; k < 8u; k++) { merge(part_hi[8u * lid + k], part_lo[8u * lid + k], part_i[8u * lid + k]); }
    part32_hi[lid] = hi;
    part32_lo[lid] = lo;
    part32_i[lid] = best_i;
  }
  workgroupBarrier();
  if (lid == 0u) {
    for (var k = 1u; k < 32u; k++) { merge(part32_hi[k], part32_lo[k], part32_i[k]); }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  {{ROWS_DISPATCH}}
  let nk = kept_dim_count();
  let nr = reduced_dim_count();
  // its output and elements (wgsl/reduce-chunk.wgsl)
  let chunk = chunk_of(g);
  let o = chunk.o;
  let valid = chunk.valid;
  let c0 = chunk.c0;
  let r_end = chunk.r_end;
  let single = nr == 1u;
  let step0 = single_step(nk);
  let sh = reduced_dims(nk);
  var base = 0;
  if (valid) {
    base = segment_base(nk, nr, o);
    if ({{CONTIGUOUS}}) {
      // the chunk's elements [e0, e1): whole words [w0, w1), of which whole quads (vec4, 16 bytes) [qa, qb)
      // eight quads in flight per invocation; the words before and after the quads and the elements outside whole words one by one
      let e0 = u32(base) + c0;
      let e1 = u32(base) + r_end;
      let span = quad_spans(e0, e1, {{PER_WORD}}u);
      // in increasing index for each invocation (an arg-reduction relies on it): the head element, head words, quads, tail words, tail element
      if ({{PER_WORD}}u > 1u && lid == 0u && span.w0 * {{PER_WORD}}u > e0 && e0 < e1) { take(bits_at(e0), c0); }
      if (span.w0 + lid < span.head_end) { take_word(span.w0 + lid, in0[span.w0 + lid], base); }
      var q = span.qa + lid;
      if (span.qb > span.qa + 1792u) {
        for (; q < span.qb - 1792u; q += 2048u) {
          let v0 = quad(q);
          let v1 = quad(q + 256u);
          let v2 = quad(q + 512u);
          let v3 = quad(q + 768u);
          let v4 = quad(q + 1024u);
          let v5 = quad(q + 1280u);
          let v6 = quad(q + 1536u);
          let v7 = quad(q + 1792u);
          take_quad(q, v0, base);
          take_quad(q + 256u, v1, base);
          take_quad(q + 512u, v2, base);
          take_quad(q + 768u, v3, base);
          take_quad(q + 1024u, v4, base);
          take_quad(q + 1280u, v5, base);
          take_quad(q + 1536u, v6, base);
          take_quad(q + 1792u, v7, base);
        }
      }
      if (q < span.qb) {
        // the last step: eight quads (past the chunk: clamped, then not taken)
        let last = span.qb - 1u;
        let v0 = quad(q);
        let v1 = quad(min(q + 256u, last));
        let v2 = quad(min(q + 512u, last));
        let v3 = quad(min(q + 768u, last));
        let v4 = quad(min(q + 1024u, last));
        let v5 = quad(min(q + 1280u, last));
        let v6 = quad(min(q + 1536u, last));
        let v7 = quad(min(q + 1792u, last));
        take_quad(q, v0, base);
        if (q + 256u < span.qb) { take_quad(q + 256u, v1, base); }
        if (q + 512u < span.qb) { take_quad(q + 512u, v2, base); }
        if (q + 768u < span.qb) { take_quad(q + 768u, v3, base); }
        if (q + 1024u < span.qb) { take_quad(q + 1024u, v4, base); }
        if (q + 1280u < span.qb) { take_quad(q + 1280u, v5, base); }
        if (q + 1536u < span.qb) { take_quad(q + 1536u, v6, base); }
        if (q + 1792u < span.qb) { take_quad(q + 1792u, v7, base); }
      }
      if (span.tail_start + lid < span.w1) { take_word(span.tail_start + lid, in0[span.tail_start + lid], base); }
      // the element after the last whole word (never the one before the first: e1 - 1 == e0 odd leaves e1 even)
      if ({{PER_WORD}}u > 1u && lid == 1u && span.w1 * {{PER_WORD}}u < e1 && e0 < e1) { take(bits_at(e1 - 1u), r_end - 1u); }
    } else {
      var r = c0 + lid;
      let last = r_end - 1u;
      for (; r < r_end; r += 2048u) {
        // eight elements 256 apart loaded first (past the chunk: clamped, then not taken)
        let x0 = bits_at(offset_of(base, r, single, step0, sh, nr));
        let x1 = bits_at(offset_of(base, min(r + 256u, last), single, step0, sh, nr));
        let x2 = bits_at(offset_of(base, min(r + 512u, last), single, step0, sh, nr));
        let x3 = bits_at(offset_of(base, min(r + 768u, last), single, step0, sh, nr));
        let x4 = bits_at(offset_of(base, min(r + 1024u, last), single, step0, sh, nr));
        let x5 = bits_at(offset_of(base, min(r + 1280u, last), single, step0, sh, nr));
        let x6 = bits_at(offset_of(base, min(r + 1536u, last), single, step0, sh, nr));
        let x7 = bits_at(offset_of(base, min(r + 1792u, last), single, step0, sh, nr));
        take(x0, r);
        if (r + 256u < r_end) { take(x1, r + 256u); }
        if (r + 512u < r_end) { take(x2, r + 512u); }
        if (r + 768u < r_end) { take(x3, r + 768u); }
        if (r + 1024u < r_end) { take(x4, r + 1024u); }
        if (r + 1280u < r_end) { take(x5, r + 1280u); }
        if (r + 1536u < r_end) { take(x6, r + 1536u); }
        if (r + 1792u < r_end) { take(x7, r + 1792u); }
      }
    }
  }
  finish(g, lid, valid, c0, r_end, base, single, step0, sh, nr);
}

/**
 * Chunk g's result from the invocations' hi, lo, best_i (taken from its
 * elements c0 .. r_end, `base` its segment's offset): the workgroup's fold,
 * then, where a NaN or a zero result asks for it, the rescan. Called by every
 * invocation (workgroup-uniform).
 */
fn finish(g: u32, lid: u32, valid: bool, c0: u32, r_end: u32, base: i32, single: bool, step0: i32, sh: u32, nr: u32) {
  fold_keys(lid);
  if (lid == 0u) {
    let khi = hi;
    let klo = lo;
    // numbers' keys lie in [-1 - INF, INF] (arg-reductions: [-INF, INF]); a NaN's outside
    let nan = khi > {{INF}} || klo < select(-1 - {{INF}}, -{{INF}}, {{ISARG}});
    let k = select(klo, khi, {{ISMAX}});
    // max/min: a zero result (max +0, which may tie a -0; min -0), whose bits depend on reduce.wgsl's fold order
    let zero = !{{ISARG}} && select(klo == -1, khi == 0, {{ISMAX}});
    rescan = select(0u, 1u, valid && (nan || zero));
    if (valid && !(nan || zero)) {
      if ({{ISARG}}) { out_words[g] = best_i; } else { store_value(g, value_of(order_key(k))); }
    }
  }
  if (workgroupUniformLoad(&rescan) == 0u) { return; }
  if ({{ISARG}}) {
    // a NaN in the chunk: its elements again by their keys, each NaN keyed
    // above every number (the first NaN wins)
    hi = I32_MIN;
    lo = I32_MAX;
    best_i = NONE;
    for (var r = c0 + lid; r < r_end; r += 256u) { arg_take_nan(bits_at(offset_of(base, r, single, step0, sh, nr)), r); }
    fold_keys(lid);
    if (lid == 0u) { out_words[g] = best_i; }
    return;
  }
  // reduce.wgsl's fold, exactly: element c0 + lid + 256 (4 j + q) into a_q in turn, the shares fold(fold(a0, a1), fold(a2, a3)),
  // then 32 invocations fold 8 consecutive shares each, invocation 0 the 32 results, all left to right
  var a = array<f32, 4>({{INIT}}, {{INIT}}, {{INIT}}, {{INIT}});
  var m = 0u;
  for (var r = c0 + lid; r < r_end; r += 256u) {
    a[m & 3u] = fold(a[m & 3u], load_0(offset_of(base, r, single, step0, sh, nr)));
    m++;
  }
  part_f[lid] = fold(fold(a[0], a[1]), fold(a[2], a[3]));
  workgroupBarrier();
  if (lid < 32u) {
    var f = part_f[8u * lid];
    for (var k = 1u; k < 8u; k++) { f = fold(f, part_f[8u * lid + k]); }
    part32_f[lid] = f;
  }
  workgroupBarrier();
  if (lid == 0u) {
    var f = part32_f[0];
    for (var k = 1u; k < 32u; k++) { f = fold(f, part32_f[k]); }
    store_value(g, f);
  }
}

{{ROWS_MAIN}}
