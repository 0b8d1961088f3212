// Reductions: one workgroup of 256 invocations per chunk of an output
// element's segment (one chunk, or for long segments several, whose partials a
// second pass folds). Results (word o * chunks + c for chunk c of output o)
// are written as 32-bit words (the backend casts to a narrower output dtype
// afterwards, so no two workgroups share a word; float16/bfloat16 results of
// one chunk a segment are instead taken two a workgroup, PAIRS, and written
// packed, with the bits that cast would give). Arg-reductions carry
// (value, index) pairs and write the index (of the segment; a second pass,
// wgsl/reduce-arg-partials.wgsl, picks among the chunks' indices).
// The order of the fold (the summation order of a float sum), exactly, for
// segments of more than 64 elements (element r of a segment: its reduced dims
// merged, in row-major order; shorter segments go to wgsl/segments.wgsl,
// which folds them left to right from INIT, and medium ones of many outputs
// to wgsl/reduce-groups.wgsl, whose header states its order):
//   1. invocation lid of the chunk starting at c0 keeps four accumulators
//      a0..a3 (each starting at INIT); element c0 + lid + 256 (4 j + q) of the
//      chunk folds into a_q, for j = 0, 1, ... in turn (eight loads in flight:
//      j and j + 1 are loaded together, then folded in that order; sixteen,
//      j to j + 3, for packed 8/16-bit elements: the same order);
//   2. its share is fold(fold(a0, a1), fold(a2, a3));
//   3. the workgroup folds the 256 shares in two levels: invocation i < 32
//      folds shares 8i, 8i + 1, ..., 8i + 7 left to right (starting from
//      share 8i), then invocation 0 folds those 32 results left to right
//      (starting from result 0);
//   (sums and products of packed 8/16-bit elements over one merged reduced
//   dim of stride 1, QUADS, read whole quads of words instead: with the
//   chunk's elements at buffer offsets [e0, e1), its whole words [w0, w1) and
//   of those its whole quads of four words [qa, qb), invocation lid folds
//   into a0 the element e0 + lid where that lies before the first whole word,
//   then word w0 + lid where that lies before the first whole quad; quad
//   qa + lid + 256 (4 j + q) into a_q for j = 0, 1, ... in turn (eight quads
//   in flight), each quad's elements in index order; into a3 the word
//   t + lid where that lies before w1 (t: the first word after the quads and
//   the head words), then the element max(w0, w1) * PER_WORD + lid where
//   that lies before e1; then 2. and 3.)
//   4. with several chunks (segments of more than 256 * 64 elements, chunks of
//      chunk_len = ceil(R / chunks) elements), a second pass reduces each
//      output's partials as a segment of `chunks` elements in chunk order:
//      by this same order when chunks > 64, else by wgsl/segments.wgsl
//      (float16/bfloat16 max/min of one output, packed here: by this order,
//      which gives segments.wgsl's bits: maximum_f/minimum_f keep the first NaN
//      and the left operand on ties, so any grouping gives the leftmost best).
// Contiguous segments of one chunk of at most 8 elements an invocation (rows
// of 1025 to 2048 elements) of many outputs, argmax/argmin aside, are taken
// ROWS a workgroup (rows_main): every row's elements loaded first, then each row folded in the
// order above and finished in turn, with the bits of a workgroup of its own.
// Slots (the name in double braces), filled by backends/webgpu/reduce.ts:
//   INPUT    binding 2 and load_0(e)
//   WORD_SHIFT, RUN_LOAD  log2 of elements per word (0 for 64-bit and complex elements) and the
//            element at bit `bit` of word `w` (of element offset w where WORD_SHIFT is 0)
//   V        the input's compute type; T the accumulator type
//   LIFT     `v` (a V) as a T
//   INIT     the identity of the fold; FOLD: fold of (a: T, b: T)
//   WHOLE_STEPS  the loops over whole steps along one reduced dim (walking `off` by s256 words; reads r,
//            r_end, off, s256, bit, a0..a3 / b0..b3): steps of eight loads, after steps of sixteen for packed
//            8/16-bit elements (backends/webgpu/reduce.ts, wholeSteps)
//   QUADS    true for the whole-quad reading above; QUAD: fn quad(q) -> vec4<u32>, words 4q .. 4q + 3
//            (QUADS: binding 3, the same buffer read as array<vec4<u32>>); TAKE_WORD: fn take_word(a, word)
//            -> T, a folded with the word's PER_WORD elements in index order, and fn take_quad(a, v), with
//            quad v's four words in order; PER_WORD elements per word
//            QUAD_STEP, QUAD_LAST_STEP  a whole step of eight quads; the last step's eight, clamped into the chunk
//   ISARG    true for argmax/argmin
//   BETTER   (x, xi) wins over (y, yi): x, y of type V
//   STORE    statements writing result `r` (a T) of output slot `i`: word i, or words 2i and 2i + 1 for 64-bit T
//   ROWS, ROWS_DISPATCH, ROWS_MAIN  output slots a workgroup; with more than one, main's call of rows_main
//            and rows_main itself (generated: reduce.ts, reduceRowsMain), else nothing
//   PAIRS    true where a workgroup takes output slots 2g and 2g + 1 (float16/bfloat16 results of one chunk
//            a segment): STORE then keeps the result in pair_result[i & 1] and PAIR_WORD, fn pair_word(both)
//            -> u32, packs them (the second only where `both`) as the cast to the output dtype would
//   ONE_CHUNK, ONE_BY_ONE  true where every segment is one chunk / the layout merges to one kept and one
//            reduced dim (wgsl/reduce-chunk.wgsl, wgsl/reduce-segment.wgsl then read neither from params)
// params: [n_out, R, nk, nr, chunks, chunk_len, kept shape[nk], kept strides[nk], red shape[nr], red strides[nr], offset]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}
{{QUAD}}

var<workgroup> part_a: array<{{T}}, 256>;
var<workgroup> part_v: array<{{V}}, 256>;
var<workgroup> part_i: array<u32, 256>;
var<workgroup> part32_a: array<{{T}}, 32>;
var<workgroup> part32_v: array<{{V}}, 32>;
var<workgroup> part32_i: array<u32, 32>;

const NONE = 0xffffffffu;
/** Output slots a workgroup takes (more than one: segments of one reduced dim in one chunk, rows_main). */
const ROWS = {{ROWS}}u;
/** Every segment is one chunk; the layout merges to one kept and one reduced dim (wgsl/reduce-chunk.wgsl, wgsl/reduce-segment.wgsl). */
const ONE_CHUNK = {{ONE_CHUNK}};
const ONE_BY_ONE = {{ONE_BY_ONE}};
/** Two output slots a workgroup, their float16/bfloat16 results written as one word (PAIR_WORD) instead of float32 words cast after. */
const PAIRS = {{PAIRS}};
/** Lane 0's results of the pair's two slots (PAIRS). */
var<private> pair_result: array<{{T}}, 2>;
{{PAIR_WORD}}

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn fold(a: {{T}}, b: {{T}}) -> {{T}} { return {{FOLD}}; }
fn better(x: {{V}}, xi: u32, y: {{V}}, yi: u32) -> bool { return {{BETTER}}; }
fn store(i: u32, r: {{T}}) { {{STORE}} }
{{TAKE_WORD}}
/** The element at bit `bit` of word `w` (element offset w for 64-bit and complex elements, whose bit is 0). */
fn run_load(w: u32, bit: u32) -> {{V}} { return {{RUN_LOAD}}; }

/** Element e of the segment starting at word offset `base`: one merged reduced dim (step0 apart) or several (params from sh). */
fn at(base: i32, e: u32, single: bool, step0: i32, sh: u32, nr: u32) -> {{V}} {
  var off: i32;
  if (single) { off = i32(e) * step0; } else { off = decompose(sh, sh + nr, nr, e); }
  return load_0(u32(base + off));
}

/** (value, index) of an arg-reduction; index NONE: no element yet. */
struct Best { v: {{V}}, i: u32 }

/** The better of a and b (NONE loses). */
fn pick(a: Best, b: Best) -> Best {
  if (b.i != NONE && (a.i == NONE || better(b.v, b.i, a.v, a.i))) { return b; }
  return a;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  {{ROWS_DISPATCH}}
  if (PAIRS) {
    // output slots 2g and 2g + 1 in turn, each as a workgroup of its own, then their 16-bit results as one word
    slot(2u * g, lid);
    slot(2u * g + 1u, lid);
    if (lid == 0u && 2u * g < params[0]) { out_words[g] = pair_word(2u * g + 1u < params[0]); }
    return;
  }
  slot(g, lid);
}

/** Output slot g's reduction by the whole workgroup, stored by finish. */
fn slot(g: u32, lid: u32) {
  let nk = kept_dim_count();
  let nr = reduced_dim_count();
  // its output and elements (wgsl/reduce-chunk.wgsl)
  let chunk = chunk_of(g);
  let o = chunk.o;
  let valid = chunk.valid;
  let c0 = chunk.c0;
  let r_end = chunk.r_end;
  var a0: {{T}} = {{INIT}};
  var a1: {{T}} = {{INIT}};
  var a2: {{T}} = {{INIT}};
  var a3: {{T}} = {{INIT}};
  var b0: Best;
  b0.i = NONE;
  var b1 = b0;
  var b2 = b0;
  var b3 = b0;
  if (valid) {
    let base = segment_base(nk, nr, o);
    // one reduced dimension (the usual case once dims are merged): no index arithmetic per element
    let single = nr == 1u;
    let step0 = single_step(nk);
    let sh = reduced_dims(nk);
    var r = c0 + lid;
    if ({{QUADS}}) {
      // the chunk's elements [e0, e1): whole words [w0, w1), of which whole quads [qa, qb) (the header's order)
      let e0 = u32(base) + c0;
      let e1 = u32(base) + r_end;
      let span = quad_spans(e0, e1, {{PER_WORD}}u);
      if (e0 + lid < min(span.w0 * {{PER_WORD}}u, e1)) { a0 = fold(a0, lift(load_0(e0 + lid))); }
      if (span.w0 + lid < span.head_end) { a0 = take_word(a0, in0[span.w0 + lid]); }
      var q = span.qa + lid;
      if (span.qb > span.qa + 1792u) {
        for (; q < span.qb - 1792u; q += 2048u) {
          {{QUAD_STEP}}
        }
      }
      if (q < span.qb) {
        // the last step: eight quads (past the chunk: clamped, then not folded)
        let last = span.qb - 1u;
        {{QUAD_LAST_STEP}}
      }
      if (span.tail_start + lid < span.w1) { a3 = take_word(a3, in0[span.tail_start + lid]); }
      if (max(span.w0, span.w1) * {{PER_WORD}}u + lid < e1) { a3 = fold(a3, lift(load_0(max(span.w0, span.w1) * {{PER_WORD}}u + lid))); }
      r = r_end;
    }
    // whole steps (all of a step's elements inside the chunk) along one reduced dim: a walking offset, no clamps, no tests
    // (a packed element's place in its word is the same for all of an invocation's elements here: they are
    // multiples of 256 elements apart, so the walk is in words and the shift to the element computed once)
    if (single && !{{QUADS}}) {
      let off0 = base + i32(r) * step0;
      let bit = (u32(off0) & ((1u << {{WORD_SHIFT}}u) - 1u)) << (5u - {{WORD_SHIFT}}u);
      var off = off0 >> {{WORD_SHIFT}}u;
      let s256 = (256 * step0) >> {{WORD_SHIFT}}u;
      {{WHOLE_STEPS}}
    }
    let last = r_end - 1u;
    for (; r < r_end; r += 2048u) {
      // eight elements 256 apart, loaded before any is folded (past the chunk: clamped, then not folded): the last step, or every step of other layouts
      let v0 = at(base, r, single, step0, sh, nr);
      let v1 = at(base, min(r + 256u, last), single, step0, sh, nr);
      let v2 = at(base, min(r + 512u, last), single, step0, sh, nr);
      let v3 = at(base, min(r + 768u, last), single, step0, sh, nr);
      let v4 = at(base, min(r + 1024u, last), single, step0, sh, nr);
      let v5 = at(base, min(r + 1280u, last), single, step0, sh, nr);
      let v6 = at(base, min(r + 1536u, last), single, step0, sh, nr);
      let v7 = at(base, min(r + 1792u, last), single, step0, sh, nr);
      if ({{ISARG}}) {
        b0 = pick(b0, Best(v0, r));
        if (r + 256u < r_end) { b1 = pick(b1, Best(v1, r + 256u)); }
        if (r + 512u < r_end) { b2 = pick(b2, Best(v2, r + 512u)); }
        if (r + 768u < r_end) { b3 = pick(b3, Best(v3, r + 768u)); }
        if (r + 1024u < r_end) { b0 = pick(b0, Best(v4, r + 1024u)); }
        if (r + 1280u < r_end) { b1 = pick(b1, Best(v5, r + 1280u)); }
        if (r + 1536u < r_end) { b2 = pick(b2, Best(v6, r + 1536u)); }
        if (r + 1792u < r_end) { b3 = pick(b3, Best(v7, r + 1792u)); }
      } else {
        a0 = fold(a0, lift(v0));
        if (r + 256u < r_end) { a1 = fold(a1, lift(v1)); }
        if (r + 512u < r_end) { a2 = fold(a2, lift(v2)); }
        if (r + 768u < r_end) { a3 = fold(a3, lift(v3)); }
        if (r + 1024u < r_end) { a0 = fold(a0, lift(v4)); }
        if (r + 1280u < r_end) { a1 = fold(a1, lift(v5)); }
        if (r + 1536u < r_end) { a2 = fold(a2, lift(v6)); }
        if (r + 1792u < r_end) { a3 = fold(a3, lift(v7)); }
      }
    }
  }
  finish(g, lid, valid, fold(fold(a0, a1), fold(a2, a3)), pick(pick(b0, b1), pick(b2, b3)));
}

/**
 * Output slot g's result from the invocations' shares (`share`, or for
 * arg-reductions `best`): the workgroup's fold, 32 invocations each folding 8
 * consecutive shares, then invocation 0 the 32 results, and its store. Called
 * by every invocation (workgroup-uniform).
 */
fn finish(g: u32, lid: u32, valid: bool, share: {{T}}, best: Best) {
  if ({{ISARG}}) {
    part_v[lid] = best.v;
    part_i[lid] = best.i;
  } else {
    part_a[lid] = share;
  }
  workgroupBarrier();
  if (lid < 32u) {
    if ({{ISARG}}) {
      var b = Best(part_v[8u * lid], part_i[8u * lid]);
      for (var k = 1u; k < 8u; k++) { b = pick(b, Best(part_v[8u * lid + k], part_i[8u * lid + k])); }
      part32_v[lid] = b.v;
      part32_i[lid] = b.i;
    } else {
      var a = part_a[8u * lid];
      for (var k = 1u; k < 8u; k++) { a = fold(a, part_a[8u * lid + k]); }
      part32_a[lid] = a;
    }
  }
  workgroupBarrier();
  if (lid == 0u && valid) {
    if ({{ISARG}}) {
      var b = Best(part32_v[0], part32_i[0]);
      for (var k = 1u; k < 32u; k++) { b = pick(b, Best(part32_v[k], part32_i[k])); }
      out_words[g] = b.i;
    } else {
      var a = part32_a[0];
      for (var k = 1u; k < 32u; k++) { a = fold(a, part32_a[k]); }
      store(g, a);
    }
  }
}

{{ROWS_MAIN}}
