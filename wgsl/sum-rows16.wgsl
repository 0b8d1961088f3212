// Sums and products of float16/bfloat16 rows that lie on whole quads of
// words (16-byte aligned, a whole number of quads long; the last row may be
// shorter), results packed two a word in the 16-bit dtype, or float32 a word
// a row (WIDE): ROW_LANES invocations a row, 256 / ROW_LANES rows a
// workgroup. The order of the fold, exactly (quad k of a row: its elements
// 8k .. 8k + 7):
//   1. lane l of the row keeps four float32 accumulators a0..a3 (each from
//      INIT); quad l + ROW_LANES (8 s + j) folds into a_(j % 4), for step
//      s = 0, 1, ... and j = 0 .. 7 in turn, its eight elements in index
//      order (a step's eight quads are loaded before any is folded);
//   2. its share is fold(fold(a0, a1), fold(a2, a3));
//   3. the shares of the row's lanes 8 i .. 8 i + 7 fold left to right
//      (from lane 8 i's), then those ROW_LANES / 8 results left to right
//      (from the first);
//   4. the result is rounded once to the output dtype (WIDE: kept).
// Slots (backends/webgpu/sum-rows16.ts): ROW_LANES, STEPS and WHOLE (a row's
// quads: STEPS steps of eight a lane, exactly so for every row where WHOLE),
// WIDE, INIT, FOLD (of a: f32 and b: f32), TAKE_QUAD (statements folding quad
// v's elements into a, in order), PACK (the output bits of f32 r, in the low
// 16 bits; unused where WIDE).
// Bindings, params and each invocation's row and lane: wgsl/row-lanes.wgsl;
// the packed stores: wgsl/row-pairs.wgsl (its helpers); params[4] is 0 (a
// sum's INIT reads it, so the compiler cannot fold its first add away),
// params[5] the last row's quads.

const ROW_LANES = {{ROW_LANES}}u;
/** Rows a workgroup: an even number, so that a workgroup writes whole output words. */
const ROWS = 256u / ROW_LANES;
const STEPS = {{STEPS}}u;
const WHOLE = {{WHOLE}};
const WIDE = {{WIDE}};

var<workgroup> shares: array<f32, 256>;
var<workgroup> eights: array<f32, 32>;

fn fold(a: f32, b: f32) -> f32 {
  return {{FOLD}};
}

/** `acc` folded with quad v's eight elements in index order. */
fn take_quad(acc: f32, v: vec4<u32>) -> f32 {
  var a = acc;
  {{TAKE_QUAD}}
  return a;
}

fn pack(r: f32) -> u32 {
  return {{PACK}};
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let me = row_lane(wid, nwg, lid);
  let quads = select(params[1], params[5], me.row + 1u == params[0]);
  let live = me.live;
  var a0 = {{INIT}};
  var a1 = a0;
  var a2 = a0;
  var a3 = a0;
  for (var s = 0u; s < STEPS; s++) {
    let q = s * 8u * ROW_LANES + me.lane;
    var v: array<vec4<u32>, 8>;
    for (var j = 0u; j < 8u; j++) {
      if (live && (WHOLE || q + j * ROW_LANES < quads)) { v[j] = in_quads[me.base + q + j * ROW_LANES]; }
    }
    if (live && (WHOLE || q < quads)) { a0 = take_quad(a0, v[0]); }
    if (live && (WHOLE || q + ROW_LANES < quads)) { a1 = take_quad(a1, v[1]); }
    if (live && (WHOLE || q + 2u * ROW_LANES < quads)) { a2 = take_quad(a2, v[2]); }
    if (live && (WHOLE || q + 3u * ROW_LANES < quads)) { a3 = take_quad(a3, v[3]); }
    if (live && (WHOLE || q + 4u * ROW_LANES < quads)) { a0 = take_quad(a0, v[4]); }
    if (live && (WHOLE || q + 5u * ROW_LANES < quads)) { a1 = take_quad(a1, v[5]); }
    if (live && (WHOLE || q + 6u * ROW_LANES < quads)) { a2 = take_quad(a2, v[6]); }
    if (live && (WHOLE || q + 7u * ROW_LANES < quads)) { a3 = take_quad(a3, v[7]); }
  }
  shares[lid] = fold(fold(a0, a1), fold(a2, a3));
  workgroupBarrier();
  // the groups of eight lie inside one row (ROW_LANES is a multiple of 8)
  if (lid < 32u) {
    var e = shares[8u * lid];
    for (var i = 1u; i < 8u; i++) { e = fold(e, shares[8u * lid + i]); }
    eights[lid] = e;
  }
  workgroupBarrier();
  if (lid < ROWS) {
    let first = lid * (ROW_LANES / 8u);
    var r = eights[first];
    for (var i = 1u; i < ROW_LANES / 8u; i++) { r = fold(r, eights[first + i]); }
    let row = g * ROWS + lid;
    if (!WIDE) { shares[lid] = r; } else if (row < params[0]) { out_words[row] = bitcast<u32>(r); }
  }
  if (!WIDE) {
    workgroupBarrier();
    if (lid < ROWS / 2u) { store_row_pair(g, lid, shares[2u * lid], shares[2u * lid + 1u]); }
  }
}
