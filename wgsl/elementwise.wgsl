// Elementwise map: each workgroup writes 2048 consecutive output words, each
// invocation eight of them 256 words apart (so every load and store of the
// workgroup is coalesced), loading all eight before storing any where all are
// whole (so a driver need not serialise a load behind an earlier store: on
// the H200 a copy moved 2496 GB/s with four words stored as loaded, 3072
// with four loaded first and 3882 with eight, bench/webgpu-copy-variants.ts;
// exp 3129 GB/s with eight against 1831 with one); a word holds 1, 2 or 4
// elements for 32-, 16- and 8-bit outputs, so no two invocations write the
// same word. Each input is read through its own strides (zero where
// broadcast); in the linear variant every input is one merged dimension
// (contiguous or broadcast) whose offset and stride are read once, in the
// rows variant two, an element's row and column divided out once for all
// inputs (a bias or a row's statistic over a matrix). An op with
// a rare slow path (trig of huge arguments) computes every word on its fast
// path, flags the words that need the slow one, and recomputes only those
// afterwards in one loop, so the slow path's code is not repeated per word
// (and no word's fast path branches on it).
// Slots (written as the name in double braces) filled by backends/webgpu/elementwise.ts:
//   INPUTS  bindings and load_<k>(e) functions, one per input (from binding 2 on)
//   EPW     elements per output word; BITS: bits per element
//   SETUP   statements run once per invocation (the linear and rows variants' offsets and strides)
//   SETUP_ARGS, SETUP_PASS  those values as word_bits's parameters and arguments
//   LOADS   statements loading the inputs a, b, c at output element e
//   WORD_INDEX, NEXT_INDEX  the rows variant's (row, column) rc of word w's first element (word_rc), and its step to the next element
//   EXPR    the element's value from a, b, c (on the fast path where there is a rare one)
//   RARE    whether the element needs the slow path (`false` where there is none)
//   EXPR_RARE  the element's value on the slow path (valid for every input)
//   PACK    pack_<out dtype>(...) of the value `v`
//   KEEP    the fast path's use of `v`: packed into `bits` at its place, or kept in `pair`
//   UNROLL_WORDS  `true` for the eight whole words' calls written out (a GPU's loads in flight together), `false` where
//           they loop (the compact kernels of a CPU adapter: the same bits, a quarter of the compile time; backends/webgpu/backend.ts)
//   WORD    after the loop: `bits` from `pair` where KEEP kept it (flagging `rare` where that packing cannot be trusted), else nothing
// params: [n, ndim, shape[ndim], then per input: offset, strides[ndim] (i32 bits)],
// read by offset_of, linear_of and rows_of (wgsl/elementwise-index.wgsl)

const EPW = {{EPW}}u;

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

/** The rows variant's (row, column) of the first element of each of an invocation's eight words (set by SETUP). */
var<private> word_rc: array<vec2<u32>, 8>;

/**
 * The (row, column) of the first element of an invocation's eight words
 * (word_rc; the first at element `first`, the words
 * `apart` elements apart) in a map of two merged dims: two divisions, then
 * additions with one carry each.
 */
fn set_word_rows(first: u32, apart: u32) {
  let step = row_col(apart);
  word_rc[0] = row_col(first);
  for (var i = 1u; i < 8u; i++) {
    let col = word_rc[i - 1u].y + step.y;
    let wraps = col >= params[3];
    word_rc[i] = vec2<u32>(word_rc[i - 1u].x + step.x + select(0u, 1u, wraps), select(col, col - params[3], wraps));
  }
}

/**
 * The packed output word `word` (word w of its invocation: its EPW elements, those past `last` left 0)
 * and 1 where one of them needs the slow path; the whole words pass last =
 * 0xffffffff, which the compiler folds with the test.
 */
fn word_bits(word: u32, w: u32, last: u32{{SETUP_ARGS}}) -> vec2<u32> {
  var bits = 0u;
  var rare = false;
  var pair = vec2<f32>(0.0);
  {{WORD_INDEX}}
  for (var j = 0u; j < EPW; j++) {
    let e = word * EPW + j;
    if (e <= last) {
      {{LOADS}}
      let v = {{EXPR}};
      rare = rare | {{RARE}}; // not ||: no short-circuit branch per element
      {{KEEP}}
    }
    {{NEXT_INDEX}}
  }
  {{WORD}}
  return vec2<u32>(bits, select(0u, 1u, rare));
}

/** The packed output word `word` on the slow path. */
fn word_bits_rare(word: u32, w: u32, last: u32{{SETUP_ARGS}}) -> u32 {
  var bits = 0u;
  {{WORD_INDEX}}
  for (var j = 0u; j < EPW; j++) {
    let e = word * EPW + j;
    if (e <= last) {
      {{LOADS}}
      let v = {{EXPR_RARE}};
      bits = bits | ({{PACK}} << (j * {{BITS}}u));
    }
    {{NEXT_INDEX}}
  }
  return bits;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = params[0];
  let first = (wid.x + wid.y * nwg.x) * 2048u + lid;
  {{SETUP}}
  // bit w: word first + 256 w needs the slow path
  var rare = 0u;
  if ({{UNROLL_WORDS}} && (first + 1793u) * EPW <= n) {
    // all eight words whole: every load is issued before the first store
    let r0 = word_bits(first, 0u, 0xffffffffu{{SETUP_PASS}});
    let r1 = word_bits(first + 256u, 1u, 0xffffffffu{{SETUP_PASS}});
    let r2 = word_bits(first + 512u, 2u, 0xffffffffu{{SETUP_PASS}});
    let r3 = word_bits(first + 768u, 3u, 0xffffffffu{{SETUP_PASS}});
    let r4 = word_bits(first + 1024u, 4u, 0xffffffffu{{SETUP_PASS}});
    let r5 = word_bits(first + 1280u, 5u, 0xffffffffu{{SETUP_PASS}});
    let r6 = word_bits(first + 1536u, 6u, 0xffffffffu{{SETUP_PASS}});
    let r7 = word_bits(first + 1792u, 7u, 0xffffffffu{{SETUP_PASS}});
    out_words[first] = r0.x;
    out_words[first + 256u] = r1.x;
    out_words[first + 512u] = r2.x;
    out_words[first + 768u] = r3.x;
    out_words[first + 1024u] = r4.x;
    out_words[first + 1280u] = r5.x;
    out_words[first + 1536u] = r6.x;
    out_words[first + 1792u] = r7.x;
    rare = r0.y | (r1.y << 1u) | (r2.y << 2u) | (r3.y << 3u) | (r4.y << 4u) | (r5.y << 5u) | (r6.y << 6u) | (r7.y << 7u);
  } else {
    for (var w = 0u; w < 8u; w++) {
      let word = first + w * 256u;
      if (word * EPW >= n) { break; }
      let r = word_bits(word, w, n - 1u{{SETUP_PASS}});
      out_words[word] = r.x;
      rare = rare | (r.y << w);
    }
  }
  // the flagged words again on the slow path (one copy of its code, for all words)
  for (var m = rare; m != 0u; m = m & (m - 1u)) {
    let w = countTrailingZeros(m);
    let word = first + w * 256u;
    out_words[word] = word_bits_rare(word, w, n - 1u{{SETUP_PASS}});
  }
}
