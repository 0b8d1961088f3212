// Concatenate and pad of row-major inputs as copies of contiguous runs: the
// output is R rows of C elements, each row a sequence of runs taken from the
// inputs' rows (or the pad value), written as flat words. Each workgroup
// writes 2048 consecutive output words, each invocation eight of them 256
// apart, all eight computed (loaded) before the first is stored, as
// wgsl/elementwise.wgsl. A word whose EPW elements come from one run is read
// as one input word, or two shifted together where the run starts inside a
// word; a word spanning runs (or a pad's input and its value) joins each
// run's part, masked into place (part_word); a word that runs past the end of
// its row (where rows split words) joins each row's part, after the eight are
// stored, so the eight stay lean.
// Where runs are shifted and long (RUN_MAJOR), workgroups go run-major
// instead: a workgroup's words lie in one run of one row (a concatenation's
// input run, a pad's row), so an invocation's words inside the run (of
// input k, a pad's input) share one source start and shift: two loads a
// word and the shifts, without each word's tests (run_words); shorter runs
// take fewer words an invocation (RUN_WORDS: 8, 4 or 2).
// Elements move as their bits.
// Slots (the name in double braces), filled by backends/webgpu/layout-rows.ts:
//   UNROLL_WORDS  `true` for the eight words' calls (and run_words'
//              store_shifted) written out, `false` where a CPU adapter
//              compiles the kernel (the loops alone)
//   INPUTS     the input bindings (in0, in1, ... from binding 2)
//   LOAD_WORD  the body of load_word(k, i): word i of input k
//   EPW, BITS  elements per word, bits per element
//   COLUMNS_PER_WORD, ELEMENTS_PER_COLUMN  where rows are whole words a
//              position's column counts words (1, EPW), else elements (EPW, 1)
//   ENDS_ROW   whether the word at column c runs past its row's end: false
//              where rows are whole words
//   RUN_WORD   the body of run_word(k, s): one load where every run starts on
//              a word, else the shift tested per word
//   RUN_MAJOR  `true` for the run-major dispatch, then RUN_MAJOR_BODY the
//              body of run_major(g, lid): workgroup g's run and chunk, handed
//              to run_words (empty where RUN_MAJOR is false); RUN_WORDS words
//              an invocation of a chunk (256 RUN_WORDS words), STORE_SHIFTED
//              the body of store_shifted for them
//   ROW        the body of row_info(r)
//   WORD       the body of word_part(r, c0, row, n): n elements of row r from
//              element column c0, inside the row, from run_word or part_word
// params: [output words, columns per row, C, R, then the op's own words (ROW, WORD), then RUN_MAJOR's]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

fn load_word(k: u32, i: u32) -> u32 {
  {{LOAD_WORD}}
}

/** The EPW elements of input k starting at element s (all inside the input), as one word. */
fn run_word(k: u32, s: u32) -> u32 {
  {{RUN_WORD}}
}

/** A word's low n lanes set (0 < n <= EPW). */
fn lanes_mask(n: u32) -> u32 {
  return select(0xffffffffu, (1u << (n * {{BITS}}u)) - 1u, n < {{EPW}}u);
}

/** Input k's n elements from element s (all inside the input; 0 < n, j0 + n <= EPW) at lanes j0.. of a word, zero elsewhere: one load, two where they span words. */
fn part_word(k: u32, s: u32, n: u32, j0: u32) -> u32 {
  let lane = s % {{EPW}}u;
  var w = load_word(k, s / {{EPW}}u) >> (lane * {{BITS}}u);
  if (lane + n > {{EPW}}u) { w = w | (load_word(k, s / {{EPW}}u + 1u) << (({{EPW}}u - lane) * {{BITS}}u)); }
  return (w & lanes_mask(n)) << (j0 * {{BITS}}u);
}

/** What word_part needs of row r: the pad's (1 if the row is inside the input, its first input element); unused by concatenate. */
fn row_info(r: u32) -> vec2u {
  {{ROW}}
}

/** The n output elements (0 < n <= EPW, all inside the row) from element column c0 of row r (row_info `row`) at lanes 0 .. n - 1 of a word, zero above. */
fn word_part(r: u32, c0: u32, row: vec2u, n: u32) -> u32 {
  {{WORD}}
}

/** The output word from element column c0 of row r (row_info `row`), all its elements inside the row. */
fn word_at(r: u32, c0: u32, row: vec2u) -> u32 {
  return word_part(r, c0, row, {{EPW}}u);
}

/** The output word from element column e0 of row r0, which runs past the row's end: each row's part joined (several rows where C < EPW); zero past the last row. */
fn word_across_rows(r0: u32, e0: u32) -> u32 {
  let cols = params[2];
  let rows = params[3];
  var bits = 0u;
  var r = r0;
  var e = e0;
  var j = 0u;
  while (j < {{EPW}}u && r < rows) {
    let n = min({{EPW}}u - j, cols - e);
    bits = bits | (word_part(r, e, row_info(r), n) << (j * {{BITS}}u));
    j += n;
    e = 0u;
    r += 1u;
  }
  return bits;
}

/** Whether the word at column c (in columns) runs past its row's end. */
fn ends_row(c: u32) -> bool {
  return {{ENDS_ROW}};
}

/** The word at column c of row r, or 0 where it runs past the row's end (bit `bit` of *ends set then: word_across_rows writes it). */
fn word_in_row(r: u32, c: u32, row: vec2u, ends: ptr<function, u32>, bit: u32) -> u32 {
  if (ends_row(c)) {
    *ends |= bit;
    return 0u;
  }
  return word_at(r, c * {{ELEMENTS_PER_COLUMN}}u, row);
}

/** The output word at column c (in columns) of row r, inside the row or not. */
fn word_anywhere(r: u32, c: u32) -> u32 {
  if (ends_row(c)) { return word_across_rows(r, c); }
  return word_at(r, c * {{ELEMENTS_PER_COLUMN}}u, row_info(r));
}

/** The position 256 words on: a division only where rows are shorter than that, row_info only where the row changes. */
fn advance(r: ptr<function, u32>, c: ptr<function, u32>, row: ptr<function, vec2u>, cw: u32) {
  *c += 256u * {{COLUMNS_PER_WORD}}u;
  if (*c >= cw) {
    if (cw >= 256u * {{COLUMNS_PER_WORD}}u) {
      *c -= cw;
      *r += 1u;
    } else {
      *r += *c / cw;
      *c = *c % cw;
    }
    *row = row_info(*r);
  }
}

/**
 * Output words w0, w0 + 256, ... (RUN_WORDS of them) from input k's words i,
 * i + 256, ... shifted down by `shift` bits (the next word's low bits above):
 * all loads first, then the stores. The next word is loaded at a shift of 0
 * too and masked off (`keep`): at the input's end it is one past the buffer,
 * which WebGPU's bounds checks make safe to read.
 */
fn store_shifted(k: u32, i: u32, shift: u32, w0: u32) {
  let back = (32u - shift) & 31u;
  let keep = select(0xffffffffu, 0u, shift == 0u);
  {{STORE_SHIFTED}}
}

/**
 * The words w0, w0 + 256, ... of a run-major workgroup (RUN_WORDS of them,
 * one more in its run's `last` chunk) below owned_end: those in
 * [full_start, full_end) lie inside input k's run, word w's first element
 * at element base + w EPW of input k (u32 arithmetic wraps to it); all
 * RUN_WORDS there share one shift (store_shifted), others are built word by
 * word.
 */
fn run_words(k: u32, w0: u32, base: u32, owned_end: u32, full_start: u32, full_end: u32, last: bool) {
  let s = base + w0 * {{EPW}}u;
  let shift = (s % {{EPW}}u) * {{BITS}}u;
  var j = 0u;
  if ({{UNROLL_WORDS}} && w0 >= full_start && w0 + 256u * ({{RUN_WORDS}}u - 1u) < full_end) {
    store_shifted(k, s / {{EPW}}u, shift, w0);
    j = {{RUN_WORDS}}u;
  }
  let cw = params[1];
  for (; j < select({{RUN_WORDS}}u, {{RUN_WORDS}}u + 1u, last); j++) {
    let w = w0 + j * 256u;
    if (w >= owned_end) { return; }
    if (w >= full_start && w < full_end) {
      out_words[w] = run_word(k, base + w * {{EPW}}u);
    } else {
      let at = w * {{COLUMNS_PER_WORD}}u;
      out_words[w] = word_anywhere(at / cw, at % cw);
    }
  }
}

/** RUN_MAJOR: workgroup g's run and chunk of it, its words written by run_words. */
fn run_major(g: u32, lid: u32) {
  {{RUN_MAJOR_BODY}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  if ({{RUN_MAJOR}}) {
    run_major(wid.x + wid.y * nwg.x, lid);
    return;
  }
  let n = params[0];
  let cw = params[1];
  let first = (wid.x + wid.y * nwg.x) * 2048u + lid;
  // a CPU adapter (UNROLL_WORDS false) takes the loop below for every word: one copy of word_at to compile, not eight
  if ({{UNROLL_WORDS}} && first + 1792u < n) {
    let at = first * {{COLUMNS_PER_WORD}}u;
    var r = at / cw;
    var c = at % cw;
    var row = row_info(r);
    var ends = 0u;
    let v0 = word_in_row(r, c, row, &ends, 1u);
    advance(&r, &c, &row, cw);
    let v1 = word_in_row(r, c, row, &ends, 2u);
    advance(&r, &c, &row, cw);
    let v2 = word_in_row(r, c, row, &ends, 4u);
    advance(&r, &c, &row, cw);
    let v3 = word_in_row(r, c, row, &ends, 8u);
    advance(&r, &c, &row, cw);
    let v4 = word_in_row(r, c, row, &ends, 16u);
    advance(&r, &c, &row, cw);
    let v5 = word_in_row(r, c, row, &ends, 32u);
    advance(&r, &c, &row, cw);
    let v6 = word_in_row(r, c, row, &ends, 64u);
    advance(&r, &c, &row, cw);
    let v7 = word_in_row(r, c, row, &ends, 128u);
    out_words[first] = v0;
    out_words[first + 256u] = v1;
    out_words[first + 512u] = v2;
    out_words[first + 768u] = v3;
    out_words[first + 1024u] = v4;
    out_words[first + 1280u] = v5;
    out_words[first + 1536u] = v6;
    out_words[first + 1792u] = v7;
    for (var j = 0u; ends != 0u && j < 8u; j++) {
      if ((ends & (1u << j)) != 0u) {
        let at = (first + j * 256u) * {{COLUMNS_PER_WORD}}u;
        out_words[first + j * 256u] = word_anywhere(at / cw, at % cw);
      }
    }
    return;
  }
  for (var j = 0u; j < 8u; j++) {
    let w = first + j * 256u;
    if (w >= n) { return; }
    let at = w * {{COLUMNS_PER_WORD}}u;
    out_words[w] = word_anywhere(at / cw, at % cw);
  }
}
