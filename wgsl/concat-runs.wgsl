// Concatenate of row-major inputs whose runs (an input's share of an output
// row) are whole words at whole-word positions: each workgroup copies 2048
// consecutive words of one input (the workgroups are dealt out to the inputs
// in order), each invocation eight of them 256 apart, all eight loaded before
// the first is stored; a word's output position is its input row times the
// output's words per row plus the run's start and its column, the row and
// column found by one division per invocation and carried forward.
// Slots (the name in double braces), filled by backends/webgpu/layout-rows.ts:
//   INPUTS  the input bindings (in0, in1, ... from binding 2)
//   LOADS   a switch over k setting v0..v7 from input k at words i0..i7
//   LOAD_ONE  a switch over k setting v from input k at word off + i
// params: [count, output words per row, then per input k: its first
//   workgroup, words, words per row, first output column (words), offset (words)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

/** The output word of input word i (row-major with cwk words per row). */
fn out_index(i: u32, cwk: u32, cw: u32, start: u32) -> u32 {
  return (i / cwk) * cw + start + i % cwk;
}

/** Row and column 256 words on, in rows of cwk words (a division only where rows are shorter than that). */
fn advance(r: ptr<function, u32>, c: ptr<function, u32>, cwk: u32) {
  *c += 256u;
  if (*c >= cwk) {
    if (cwk >= 256u) {
      *c -= cwk;
      *r += 1u;
    } else {
      *r += *c / cwk;
      *c = *c % cwk;
    }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  var k = 0u;
  for (var q = 1u; q < params[0]; q++) { if (g >= params[2u + 5u * q]) { k = q; } }
  let at = 2u + 5u * k;
  let nk = params[at + 1u];
  let cwk = params[at + 2u];
  let start = params[at + 3u];
  let off = params[at + 4u];
  let cw = params[1];
  let first = (g - params[at]) * 2048u + lid;
  if (first + 1792u < nk) {
    let i0 = off + first;
    let i1 = i0 + 256u;
    let i2 = i0 + 512u;
    let i3 = i0 + 768u;
    let i4 = i0 + 1024u;
    let i5 = i0 + 1280u;
    let i6 = i0 + 1536u;
    let i7 = i0 + 1792u;
    var v0 = 0u; var v1 = 0u; var v2 = 0u; var v3 = 0u; var v4 = 0u; var v5 = 0u; var v6 = 0u; var v7 = 0u;
    {{LOADS}}
    // the output positions: row and column carried 256 words at a time
    var r = first / cwk;
    var c = first % cwk;
    let o0 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o1 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o2 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o3 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o4 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o5 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o6 = r * cw + start + c;
    advance(&r, &c, cwk);
    let o7 = r * cw + start + c;
    out_words[o0] = v0;
    out_words[o1] = v1;
    out_words[o2] = v2;
    out_words[o3] = v3;
    out_words[o4] = v4;
    out_words[o5] = v5;
    out_words[o6] = v6;
    out_words[o7] = v7;
    return;
  }
  for (var j = 0u; j < 8u; j++) {
    let i = first + j * 256u;
    if (i >= nk) { return; }
    var v = 0u;
    {{LOAD_ONE}}
    out_words[out_index(i, cwk, cw, start)] = v;
  }
}
