// Concatenate and pad of row-major inputs as copies of contiguous runs: the
// output is R rows of C elements (C a whole number of words), each row a
// sequence of runs taken from the inputs' rows (or the pad value). Each
// workgroup writes 2048 consecutive output words, each invocation eight of
// them 256 apart, all eight computed (loaded) before the first is stored, as
// wgsl/elementwise.wgsl. A word whose EPW elements come from one run is read
// as one input word, or two shifted together where the run starts inside a
// word; a word spanning two runs is assembled element by element. Elements
// move as their bits.
// Slots (the name in double braces), filled by backends/webgpu/layout-rows.ts:
//   INPUTS     the input bindings (in0, in1, ... from binding 2)
//   LOAD_WORD  the body of load_word(k, i): word i of input k
//   EPW, BITS, MASK  elements per word, bits per element, an element's bit mask
//   RUN_WORD   the body of run_word(k, s): one load where every run starts on
//              a word, else the shift tested per word
//   ROW        the body of row_info(r)
//   WORD       the body of word_at(r, c, row): the word at row r, column c
//              (in words), from run_word and elem
// params: [output words, words per row, C, then the op's own words (ROW, WORD)]

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

/** The bits of element s of input k. */
fn elem(k: u32, s: u32) -> u32 {
  return (load_word(k, s / {{EPW}}u) >> ((s % {{EPW}}u) * {{BITS}}u)) & {{MASK}}u;
}

/** What word_at needs of row r: the pad's (1 if the row is inside the input, its first input element); unused by concatenate. */
fn row_info(r: u32) -> vec2u {
  {{ROW}}
}

/** Output word at column c (in words) of row r, whose row_info is `row`. */
fn word_at(r: u32, c: u32, row: vec2u) -> u32 {
  {{WORD}}
}

/** The position 256 words on: a division only where rows are shorter than that, row_info only where the row changes. */
fn advance(r: ptr<function, u32>, c: ptr<function, u32>, row: ptr<function, vec2u>, cw: u32) {
  *c += 256u;
  if (*c >= cw) {
    if (cw >= 256u) {
      *c -= cw;
      *r += 1u;
    } else {
      *r += *c / cw;
      *c = *c % cw;
    }
    *row = row_info(*r);
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = params[0];
  let cw = params[1];
  let first = (wid.x + wid.y * nwg.x) * 2048u + lid;
  if (first + 1792u < n) {
    var r = first / cw;
    var c = first % cw;
    var row = row_info(r);
    let v0 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v1 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v2 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v3 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v4 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v5 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v6 = word_at(r, c, row);
    advance(&r, &c, &row, cw);
    let v7 = word_at(r, c, row);
    out_words[first] = v0;
    out_words[first + 256u] = v1;
    out_words[first + 512u] = v2;
    out_words[first + 768u] = v3;
    out_words[first + 1024u] = v4;
    out_words[first + 1280u] = v5;
    out_words[first + 1536u] = v6;
    out_words[first + 1792u] = v7;
    return;
  }
  for (var j = 0u; j < 8u; j++) {
    let w = first + j * 256u;
    if (w >= n) { return; }
    let r = w / cw;
    out_words[w] = word_at(r, w % cw, row_info(r));
  }
}
