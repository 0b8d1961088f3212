// Bitonic sort of (key, index) pairs, one segment (row) of n elements padded
// to P = 2^p pairs. Keys are u32 images of the elements whose unsigned order
// is the element order (NaN the largest, -0 equal to +0); ties break on the
// index, so the order is stable and every pair distinct. Pairs live in one
// buffer, key at word 2g and index at 2g + 1, for g = row * P + position.
// Stages (slot STAGE, one pipeline each; workgroups of 256 threads):
//   0 load + local sort: blocks of 1024 pairs read from the input and sorted
//     in workgroup memory through every merge of width <= 1024 (within P);
//   1 global step: one compare-exchange per thread, merge width k, distance j >= 1024;
//   2 local merge: the steps j < 1024 of merge width k in workgroup memory;
//   3 output: one output word per thread (packed 8/16-bit elements), the
//     input's element at each sorted index (VALUES true) or the index itself.
// Slots: STAGE; INPUT (binding 2, load_0) the input for stage 0; KEY the body
// of key_of(e) -> u32 for element e of in0; SOURCE (binding 3, stage 3) and
// ELEMENT the body of element_bits(e) -> u32, the raw bits of element e of in1;
// SORTED the body of sorted_index(g) -> u32, the index of pair g (stage 3, pairs in in0);
// EPW and BITS the output's elements per word and bits per element; VALUES.
// Stages 0-2 bind the pairs as out_words; stage 3 binds them as in0.
// params: [rows, n, P, M (pairs, a multiple of 1024 or of the 512 steps), k, j]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}
{{SOURCE}}

const STAGE = {{STAGE}}u;
const BLOCK = 1024u;

var<workgroup> sk: array<u32, 1024>;
var<workgroup> si: array<u32, 1024>;

fn key_of(e: u32) -> u32 { {{KEY}} }
fn element_bits(e: u32) -> u32 { {{ELEMENT}} }
fn sorted_index(g: u32) -> u32 { {{SORTED}} }

/** Whether pair (ka, ia) orders after (kb, ib). */
fn after(ka: u32, ia: u32, kb: u32, ib: u32) -> bool {
  return ka > kb || (ka == kb && ia > ib);
}

/** Position of the first element of compare pair t at distance j. */
fn first_of(t: u32, j: u32) -> u32 {
  return 2u * j * (t / j) + t % j;
}

/** The compare-exchange steps of merge width k from distance j_start down to 1, on this workgroup's block. */
fn local_steps(base: u32, lid: u32, P: u32, k_start: u32, k_end: u32, j_first: u32) {
  var k = k_start;
  loop {
    if (k > k_end) { break; }
    var j = select(k / 2u, j_first, k == k_start && j_first != 0u);
    loop {
      if (j == 0u) { break; }
      for (var h = 0u; h < 2u; h++) {
        let t = lid + h * 256u;
        let a = first_of(t, j);
        let b = a + j;
        let asc = (((base + a) & (P - 1u)) & k) == 0u;
        let ka = sk[a]; let ia = si[a]; let kb = sk[b]; let ib = si[b];
        if (after(ka, ia, kb, ib) == asc) {
          sk[a] = kb; si[a] = ib; sk[b] = ka; si[b] = ia;
        }
      }
      workgroupBarrier();
      j = j / 2u;
    }
    k = k * 2u;
  }
}

fn load_block(base: u32, lid: u32) {
  for (var h = 0u; h < 4u; h++) {
    let l = lid + h * 256u;
    sk[l] = out_words[2u * (base + l)];
    si[l] = out_words[2u * (base + l) + 1u];
  }
}

fn store_block(base: u32, lid: u32) {
  for (var h = 0u; h < 4u; h++) {
    let l = lid + h * 256u;
    out_words[2u * (base + l)] = sk[l];
    out_words[2u * (base + l) + 1u] = si[l];
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let group = wid.x + wid.y * nwg.x;
  let rows = params[0];
  let n = params[1];
  let P = params[2];
  let M = params[3];
  if (STAGE == 0u) {
    let base = group * BLOCK;
    if (base >= M) { return; }
    for (var h = 0u; h < 4u; h++) {
      let l = lid + h * 256u;
      let g = base + l;
      let row = g / P;
      let i = g % P;
      var key = 0xffffffffu;
      if (row < rows && i < n) { key = key_of(row * n + i); }
      sk[l] = key;
      si[l] = i;
    }
    workgroupBarrier();
    local_steps(base, lid, P, 2u, min(P, BLOCK), 0u);
    store_block(base, lid);
  } else if (STAGE == 1u) {
    let t = group * 256u + lid;
    let k = params[4];
    let j = params[5];
    if (t >= M / 2u) { return; }
    let a = first_of(t, j);
    let b = a + j;
    let asc = ((a & (P - 1u)) & k) == 0u;
    let ka = out_words[2u * a]; let ia = out_words[2u * a + 1u];
    let kb = out_words[2u * b]; let ib = out_words[2u * b + 1u];
    if (after(ka, ia, kb, ib) == asc) {
      out_words[2u * a] = kb; out_words[2u * a + 1u] = ib;
      out_words[2u * b] = ka; out_words[2u * b + 1u] = ia;
    }
  } else if (STAGE == 2u) {
    let base = group * BLOCK;
    if (base >= M) { return; }
    let k = params[4];
    load_block(base, lid);
    workgroupBarrier();
    local_steps(base, lid, P, k, k, BLOCK / 2u);
    store_block(base, lid);
  } else {
    let w = group * 256u + lid;
    let total = rows * n;
    if (w * {{EPW}}u >= total) { return; }
    var word = 0u;
    for (var q = 0u; q < {{EPW}}u; q++) {
      let e = w * {{EPW}}u + q;
      if (e >= total) { break; }
      let row = e / n;
      let src = sorted_index(row * P + e % n);
      var bits = src;
      if ({{VALUES}}) { bits = element_bits(row * n + src); }
      word = word | (bits << (q * {{BITS}}u));
    }
    out_words[w] = word;
  }
}
