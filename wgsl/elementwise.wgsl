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
// rows variant two, an element's row and column found once for all
// inputs (a bias or a row's statistic over a matrix): divided once an
// invocation and carried on from word to word, then each input's offset
// stepped from element to element. A 16- or 8-bit output's inputs are read a
// word at a time where their word holds the output word's elements at the
// same places, and once a word where one element is broadcast over it
// (backends/webgpu/elementwise.ts wordReadsOf). An op with
// a rare slow path (trig of huge arguments) computes every word on its fast
// path, flags the words that need the slow one, and recomputes only those
// afterwards in one loop, so the slow path's code is not repeated per word
// (and no word's fast path branches on it).
// Slots (written as the name in double braces) filled by backends/webgpu/elementwise.ts:
//   INPUTS  bindings and load_<k>(e) functions, one per input (from binding 2 on)
//   EPW     elements per output word; BITS: bits per element
//   SETUP   statements run once per invocation (the linear and rows variants' offsets and strides; rows: cols)
//   SETUP_ARGS, SETUP_PASS  those values as word_bits's parameters and arguments
//   WORD_INDEXING  type WordIndex, where a word starts (the rows variant's (row, column); else unused): word_index(word),
//           word_span() (that of 256 words on, once an invocation) and next_word_index(i, span) (no division)
//   LOADS   statements loading the inputs a, b, c at output element e
//   WORD_INDEX  at a word's start: the offsets p<k> of its first element (rows: from wi) that later statements use, and
//           the word reads' loads (w<k>: an input's word, a<k>: its one element)
//   NEXT_INDEX  the rows variant's step of the element-read offsets to the word's next element
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

{{WORD_INDEXING}}

/**
 * The packed output word `word` (its EPW elements, those past `last` left 0)
 * and 1 where one of them needs the slow path; the whole words pass last =
 * 0xffffffff, which the compiler folds with the test; wi is where the word
 * starts (word_index(word)).
 */
fn word_bits(word: u32, last: u32, wi: WordIndex{{SETUP_ARGS}}) -> vec2<u32> {
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
fn word_bits_rare(word: u32, last: u32, wi: WordIndex{{SETUP_ARGS}}) -> u32 {
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
  let span = word_span();
  let i0 = word_index(first);
  // bit w: word first + 256 w needs the slow path
  var rare = 0u;
  if ({{UNROLL_WORDS}} && (first + 1793u) * EPW <= n) {
    // all eight words whole: every load is issued before the first store
    let i1 = next_word_index(i0, span);
    let i2 = next_word_index(i1, span);
    let i3 = next_word_index(i2, span);
    let i4 = next_word_index(i3, span);
    let i5 = next_word_index(i4, span);
    let i6 = next_word_index(i5, span);
    let i7 = next_word_index(i6, span);
    let r0 = word_bits(first, 0xffffffffu, i0{{SETUP_PASS}});
    let r1 = word_bits(first + 256u, 0xffffffffu, i1{{SETUP_PASS}});
    let r2 = word_bits(first + 512u, 0xffffffffu, i2{{SETUP_PASS}});
    let r3 = word_bits(first + 768u, 0xffffffffu, i3{{SETUP_PASS}});
    let r4 = word_bits(first + 1024u, 0xffffffffu, i4{{SETUP_PASS}});
    let r5 = word_bits(first + 1280u, 0xffffffffu, i5{{SETUP_PASS}});
    let r6 = word_bits(first + 1536u, 0xffffffffu, i6{{SETUP_PASS}});
    let r7 = word_bits(first + 1792u, 0xffffffffu, i7{{SETUP_PASS}});
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
    var wi = i0;
    for (var w = 0u; w < 8u; w++) {
      let word = first + w * 256u;
      if (word * EPW >= n) { break; }
      let r = word_bits(word, n - 1u, wi{{SETUP_PASS}});
      out_words[word] = r.x;
      rare = rare | (r.y << w);
      wi = next_word_index(wi, span);
    }
  }
  // the flagged words again on the slow path (one copy of its code, for all words)
  for (var m = rare; m != 0u; m = m & (m - 1u)) {
    let word = first + countTrailingZeros(m) * 256u;
    out_words[word] = word_bits_rare(word, n - 1u, word_index(word){{SETUP_PASS}});
  }
}
