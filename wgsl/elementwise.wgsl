// Elementwise map: each workgroup writes 2048 consecutive output words, each
// invocation eight of them 256 words apart (so every load and store of the
// workgroup is coalesced), loading all eight before storing any where all are
// whole (so a driver need not serialise a load behind an earlier store: on
// the H200 a copy moved 2496 GB/s with four words stored as loaded, 3072
// with four loaded first and 3882 with eight, bench/webgpu-copy-variants.ts); a word holds 1, 2 or 4 elements for 32-, 16- and
// 8-bit outputs, so no two invocations write the same word. Each input is read
// through its own strides (zero where broadcast); in the linear variant every
// input is one merged dimension (contiguous or broadcast) whose offset and
// stride are read once.
// Slots (written as the name in double braces) filled by backends/webgpu/elementwise.ts:
//   INPUTS  bindings and load_<k>(e) functions, one per input (from binding 2 on)
//   EPW     elements per output word; BITS: bits per element
//   SETUP   statements run once per invocation (the linear variant's offsets and strides)
//   SETUP_ARGS, SETUP_PASS  those values as word_bits's parameters and arguments
//   LOADS   statements loading the inputs a, b, c at output element e
//   EXPR    the element's value from a, b, c
//   PACK    pack_<out dtype>(...) of the value `v`
// params: [n, ndim, shape[ndim], then per input: offset, strides[ndim] (i32 bits)],
// read by offset_of and linear_of (wgsl/elementwise-index.wgsl)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

/** The packed output word `word`: its EPW elements computed from the inputs (those past n left 0). */
fn word_bits(word: u32, n: u32{{SETUP_ARGS}}) -> u32 {
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      {{LOADS}}
      let v = {{EXPR}};
      bits = bits | ({{PACK}} << (j * {{BITS}}u));
    }
  }
  return bits;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = params[0];
  let first = (wid.x + wid.y * nwg.x) * 2048u + lid;
  {{SETUP}}
  if ((first + 1793u) * {{EPW}}u <= n) {
    // all eight words whole: every load is issued before the first store
    let r0 = word_bits(first, n{{SETUP_PASS}});
    let r1 = word_bits(first + 256u, n{{SETUP_PASS}});
    let r2 = word_bits(first + 512u, n{{SETUP_PASS}});
    let r3 = word_bits(first + 768u, n{{SETUP_PASS}});
    let r4 = word_bits(first + 1024u, n{{SETUP_PASS}});
    let r5 = word_bits(first + 1280u, n{{SETUP_PASS}});
    let r6 = word_bits(first + 1536u, n{{SETUP_PASS}});
    let r7 = word_bits(first + 1792u, n{{SETUP_PASS}});
    out_words[first] = r0;
    out_words[first + 256u] = r1;
    out_words[first + 512u] = r2;
    out_words[first + 768u] = r3;
    out_words[first + 1024u] = r4;
    out_words[first + 1280u] = r5;
    out_words[first + 1536u] = r6;
    out_words[first + 1792u] = r7;
    return;
  }
  for (var w = 0u; w < 8u; w++) {
    let word = first + w * 256u;
    if (word * {{EPW}}u >= n) { return; }
    out_words[word] = word_bits(word, n{{SETUP_PASS}});
  }
}
