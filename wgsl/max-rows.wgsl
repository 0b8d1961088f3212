// max/min of float32/float16/bfloat16 rows that lie on whole quads of words,
// as wgsl/arg-rows.wgsl lays them out (ROW_LANES invocations a row, a lane's
// quads eight in flight), with wgsl/reduce.wgsl's bits for a row of one chunk:
// its fold keeps the accumulator on ties and propagates the first NaN, so
// where the row's extreme is a NaN or a zero that may tie one of the other
// sign the winner is the one first in that fold's order, element r of the
// row at position
//   P(r) = (r % 256, (r / 256) % 4, r / 1024)   (lexicographic: its invocation,
//   its accumulator, its turn), packed as one u32;
// or, for rows wgsl/reduce-groups.wgsl would fold (GROUP_LANES lanes a row,
// lane l folding elements l, l + GROUP_LANES, ... in turn, then lane 0 the
// lanes in order), with that kernel's bits: P(r) = (r % GROUP_LANES,
// r / GROUP_LANES).
// Any other extreme has one bit pattern. A lane keeps the largest key of its
// elements (an integer max: max K(x) = x ^ ((x >> 31) & 0x7fffffff), min
// ~K(x); a NaN I32_MAX); the row's largest key comes from subgroupMax (and,
// where a row spans several subgroups, their partials in workgroup memory).
// Where it is I32_MAX (a NaN) or ZERO_TIE (max: +0, which may tie a -0; min:
// -0), the row's lanes read their quads again for their element of that kind
// of least P, and the row takes the least of those (subgroupMin, then the
// partials). Else the row's word is K's inverse of its key. A subgroup that is
// not the block of SUBGROUP invocations its local_invocation_index says sends
// the whole workgroup through workgroup memory instead (no device seen needs it).
// Slots (backends/webgpu/extreme-rows.ts): ROW_LANES, SUBGROUP, STEPS, WHOLE,
// TAKE_WORD, PER_WORD, INF as wgsl/arg-rows.wgsl; GROUP_LANES (above); KEY (the order key from
// K(x) `kx`: kx for max, ~kx for min), KEY_OF_K (K(x) `kx` back from the key
// `k`), ZERO_TIE (the key of max's +0 and min's -0), VALUE (the f32 of
// element bits x), PAIRS (float16/bfloat16 results packed two a word, as the
// cast to the dtype packs them: no cast dispatch after) and PACK (the output
// bits of f32 r, in the low 16 bits, where PAIRS).
// Bindings, params, a lane's walk over its quads and the subgroup check:
// wgsl/row-quads.wgsl and wgsl/row-lanes.wgsl (its helpers); the packed
// stores (PAIRS): wgsl/row-pairs.wgsl, with wgsl/dtypes.wgsl's packs.

const ROW_LANES = {{ROW_LANES}}u;
const SUBGROUP = {{SUBGROUP}}u;
const STEPS = {{STEPS}}u;
const WHOLE = {{WHOLE}};
const PER_WORD = {{PER_WORD}}u;
/** Lanes a row of wgsl/reduce-groups.wgsl whose order P follows, or 0 for wgsl/reduce.wgsl's. */
const GROUP_LANES = {{GROUP_LANES}}u;
/** The key of a zero that may tie one of the other sign (max: +0; min: -0): its row picks by position. */
const ZERO_TIE = {{ZERO_TIE}};
const PAIRS = {{PAIRS}};
const ROWS = 256u / ROW_LANES;

/** Per subgroup (or per lane on the misfit path): its largest key, then its special's (position, bits). */
var<workgroup> part_key: array<i32, 256>;
var<workgroup> part_special: array<vec2<u32>, 256>;
/** Each row's result's bits (PAIRS), for the packed stores. */
var<workgroup> results: array<u32, ROWS>;

var<private> best: i32 = I32_MIN;

/** Takes element bits x (the order of a lane's elements does not matter: an integer max). */
fn take(x: i32, r: u32) {
  let kx = x ^ ((x >> 31u) & 0x7fffffff);
  best = max(best, select({{KEY}}, I32_MAX, (x & 0x7fffffff) > {{INF}}));
}

fn take_word(w: u32, e: u32) {
  {{TAKE_WORD}}
}

fn value_of(x: i32) -> f32 { return {{VALUE}}; }

fn pack(r: f32) -> u32 {
  return {{PACK}};
}

/** The row's word from its largest key, where that is not special. */
fn plain_word(k: i32) -> u32 {
  let kx = {{KEY_OF_K}};
  return bitcast<u32>(value_of(kx ^ ((kx >> 31u) & 0x7fffffff)));
}

/** Whether element bits x are what a row of largest key `k` (I32_MAX: a NaN; ZERO_TIE: a zero, either sign) picks by position. */
fn is_special(x: i32, k: i32) -> bool {
  let mag = x & 0x7fffffff;
  return select(mag == 0, mag > {{INF}}, k == I32_MAX);
}

/** Position P(r) of element r in the fold's order, packed as one u32 (GROUP_LANES 0: reduce.wgsl's). */
fn position(r: u32) -> u32 {
  if (GROUP_LANES == 0u) { return ((r & 255u) << 24u) | (((r >> 8u) & 3u) << 22u) | (r >> 10u); }
  let lanes = max(GROUP_LANES, 1u); // a constant divisor WGSL accepts where GROUP_LANES is 0
  return ((r % lanes) << 16u) | (r / lanes);
}

/** The element of least position P among this lane's that is_special for `k`: (position, bits), NONE where none. */
fn rescan(base: u32, quads: u32, lane: u32, k: i32) -> vec2<u32> {
  var found = vec2<u32>(NONE, 0u);
  for (var q = lane; q < quads; q += ROW_LANES) {
    let v = in_quads[base + q];
    for (var c = 0u; c < 4u; c++) {
      let w = v[c];
      for (var h = 0u; h < PER_WORD; h++) {
        let x = select(bitcast<i32>(w), bitcast<i32>((w << (16u - 16u * h)) & 0xffff0000u), PER_WORD == 2u);
        let r = (q * 4u + c) * PER_WORD + h;
        let p = position(r);
        if (is_special(x, k) && p < found.x) { found = vec2<u32>(p, bitcast<u32>(x)); }
      }
    }
  }
  return found;
}

/** The least-position pair of `n` partials from `first` in workgroup memory. */
fn least_part(first: u32, n: u32) -> vec2<u32> {
  var s = part_special[first];
  for (var j = 1u; j < n; j++) {
    let sj = part_special[first + j];
    if (sj.x < s.x) { s = sj; }
  }
  return s;
}

/** The largest of `n` partial keys from `first` in workgroup memory. */
fn max_part(first: u32, n: u32) -> i32 {
  var k = part_key[first];
  for (var j = 1u; j < n; j++) { k = max(k, part_key[first + j]); }
  return k;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let me = row_lane(wid, nwg, lid);
  take_row(me.base, params[1], me.lane, me.live);
  let fits = subgroups_fit(lid, sg_lane, sg_size);
  let block = lid / SUBGROUP;
  // the row's largest key, known to every lane of the row
  var k: i32;
  let row_first = lid - me.lane;
  if (fits) {
    k = subgroupMax(best);
    if (ROW_LANES > SUBGROUP) {
      if (sg_lane == 0u) { part_key[block] = k; }
      workgroupBarrier();
      k = max_part(row_first / SUBGROUP, ROW_LANES / SUBGROUP);
    }
  } else {
    part_key[lid] = best;
    workgroupBarrier();
    k = max_part(row_first, ROW_LANES);
  }
  // a NaN or a zero of either sign: the one of least position (rows seldom have one; their lanes read them again)
  let special = me.live && (k == I32_MAX || k == ZERO_TIE);
  var mine = vec2<u32>(NONE, 0u);
  if (special) { mine = rescan(me.base, params[1], me.lane, k); }
  var picked: vec2<u32>;
  if (fits) {
    let at = subgroupMin(mine.x);
    picked = vec2<u32>(at, subgroupMax(select(0u, mine.y, mine.x == at && at != NONE)));
    if (ROW_LANES > SUBGROUP) {
      if (sg_lane == 0u) { part_special[block] = picked; }
      workgroupBarrier();
      picked = least_part(row_first / SUBGROUP, ROW_LANES / SUBGROUP);
    }
  } else {
    part_special[lid] = mine;
    workgroupBarrier();
    picked = least_part(row_first, ROW_LANES);
  }
  let result = select(plain_word(k), bitcast<u32>(value_of(bitcast<i32>(picked.y))), special);
  if (!PAIRS) {
    if (me.lane == 0u && me.live) { out_words[me.row] = result; }
    return;
  }
  if (me.lane == 0u) { results[lid / ROW_LANES] = result; }
  workgroupBarrier();
  if (lid < ROWS / 2u) { store_row_pair(wid.x + wid.y * nwg.x, lid, bitcast<f32>(results[2u * lid]), bitcast<f32>(results[2u * lid + 1u])); }
}
