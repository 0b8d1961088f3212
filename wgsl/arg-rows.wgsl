// argmax/argmin (and, with VALUES, max/min of short rows) of
// float32/float16/bfloat16 rows that lie on whole quads of words (16-byte
// aligned, a whole number of quads long): ROW_LANES
// invocations a row, 256 / ROW_LANES rows a workgroup. A lane reads the
// row's quads lane, lane + ROW_LANES, ... (a warp's loads are contiguous),
// eight in flight, and keeps the best key of its elements and the first
// index holding it (elements come in increasing index; a later one wins only
// with a larger key). An element's bits x (an i32; a 16-bit element in the
// high half, low half zero) key as wgsl/reduce-keys.wgsl's A(x): s = x >> 31,
// t = (x & 0x7fffffff) ^ s, ARGKEY t - s (argmax) or s - t (argmin), -0
// tying +0, and every NaN I32_MAX, above every number (the first NaN wins,
// as the other reduce kernels have it). The row's fold: subgroupMax of the
// keys, then subgroupMin of the indices holding it (the first index of the
// best key), and where a row spans several subgroups, its first lane folds
// their pairs (a larger key, or the same key at a lower index, wins); where
// a subgroup holds several rows (short rows, ROW_LANES < SUBGROUP), each
// row's lanes exchange their pairs by subgroupShuffleXor. Every subgroup
// checks that it is the block of SUBGROUP invocations its
// local_invocation_index says; if any is not, the row's first lane folds its
// lanes' pairs from workgroup memory instead (no device seen needs it).
// With PAIRS, row r writes its best key and its first index as the segment's
// index (rows of SEGMENT_ROWS = params[4] each: (r % SEGMENT_ROWS) times the
// row's length plus the row's index) to words 2r and 2r + 1, for
// wgsl/arg-pairs.wgsl to fold: a long segment taken as rows of its own.
// With VALUES (max/min of short rows: the first element of the best key, as
// wgsl/segments.wgsl's fold of (key, bits) pairs in index order picks it),
// row r writes the bits of its element at that index instead: float32 a
// word, float16/bfloat16 packed two a word (rows 2j and 2j + 1 of a
// workgroup, through workgroup memory), a NaN made quiet as dtypes.wgsl's
// pack_<dtype> makes it (QUIET_NAN, the sign kept). The bits move as they
// are, never through a float: segments.wgsl's unpack and pack give the same
// bits for every number, subnormals included.
// Slots (backends/webgpu/extreme-rows.ts): ROW_LANES, SUBGROUP (the
// device's one subgroup size; above ROW_LANES only for short rows), STEPS
// and WHOLE (the row's quads: STEPS steps of eight a lane, exactly so where
// WHOLE), TAKE_WORD (the elements of word `w` at index `e`: take(bits, e)
// for each), PER_WORD (elements a word), INF (the bits of +inf as x),
// ARGKEY, PAIRS, VALUES, QUIET_NAN.
// Bindings, params, a lane's walk over its quads and the subgroup check:
// wgsl/row-quads.wgsl and wgsl/row-lanes.wgsl (its helpers).

const ROW_LANES = {{ROW_LANES}}u;
const SUBGROUP = {{SUBGROUP}}u;
/** Steps of eight quads a lane; WHOLE: every step's quads lie in the row (no bounds tests). */
const STEPS = {{STEPS}}u;
const WHOLE = {{WHOLE}};
const PER_WORD = {{PER_WORD}}u;
/** Each row's best key and its index in its segment (the header), not its index alone. */
const PAIRS = {{PAIRS}};
/** Each row's extreme element (max/min), not its index. */
const VALUES = {{VALUES}};
const ROWS = 256u / ROW_LANES;

var<workgroup> part_key: array<i32, 256>;
var<workgroup> part_at: array<u32, 256>;
/** Each row's 16-bit result (VALUES), for the packed stores. */
var<workgroup> row_bits: array<u32, ROWS>;

var<private> best: i32 = I32_MIN;
var<private> best_at: u32 = NONE;

/** Takes element bits x of row index e. */
fn take(x: i32, e: u32) {
  let s = x >> 31u;
  let t = (x & 0x7fffffff) ^ s;
  let k = select({{ARGKEY}}, I32_MAX, (x & 0x7fffffff) > {{INF}});
  let better = k > best;
  best = select(best, k, better);
  best_at = select(best_at, e, better);
}

fn take_word(w: u32, e: u32) {
  {{TAKE_WORD}}
}

/** The bits of element `at` of the row from quad `base` (VALUES); a 16-bit NaN quiet, its sign kept. */
fn element_bits(base: u32, at: u32) -> u32 {
  let w = in_quads[base + at / (4u * PER_WORD)][(at / PER_WORD) % 4u];
  if (PER_WORD == 1u) { return w; }
  let h = (w >> (16u * (at % 2u))) & 0xffffu;
  return select(h, (h & 0x8000u) | {{QUIET_NAN}}u, ((h << 16u) & 0x7fffffffu) > {{INF}});
}

/** Writes row `row`'s result (the row from quad `base`): its first index `at` of the best key `k` (PAIRS: both, the index in its segment; VALUES: the element there). */
fn store(row: u32, base: u32, k: i32, at: u32) {
  if (VALUES) {
    if (PER_WORD == 1u) { out_words[row] = element_bits(base, at); } else { row_bits[row % ROWS] = element_bits(base, at); }
  } else if (PAIRS) {
    out_words[2u * row] = bitcast<u32>(k);
    out_words[2u * row + 1u] = (row % params[4]) * params[1] * 4u * PER_WORD + at;
  } else {
    out_words[row] = at;
  }
}

/** Whether the pair (k2, at2) beats (k, at): a larger key, or the same key at a lower index. */
fn beats(k2: i32, at2: u32, k: i32, at: u32) -> bool { return k2 > k || (k2 == k && at2 < at); }

/** The better of the row's `n` pairs from `first` in workgroup memory (beats), as (key, index). */
fn fold_parts(first: u32, n: u32) -> vec2<i32> {
  var k = part_key[first];
  var at = part_at[first];
  for (var j = 1u; j < n; j++) {
    let kj = part_key[first + j];
    let aj = part_at[first + j];
    if (beats(kj, aj, k, at)) {
      k = kj;
      at = aj;
    }
  }
  return vec2<i32>(k, bitcast<i32>(at));
}

/** Stores row `row`'s result from its `n` pairs in workgroup memory from `first`. */
fn store_parts(row: u32, base: u32, first: u32, n: u32) {
  let best = fold_parts(first, n);
  store(row, base, best.x, bitcast<u32>(best.y));
}

/** Writes workgroup g's rows 2j and 2j + 1 (VALUES, 16-bit) as one output word, the second only where its row exists. */
fn store_value_pair(g: u32, j: u32) {
  let row = g * ROWS + 2u * j;
  if (row < params[0]) { out_words[row / 2u] = row_bits[2u * j] | select(0u, row_bits[2u * j + 1u] << 16u, row + 1u < params[0]); }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32) {
  let me = row_lane(wid, nwg, lid);
  take_row(me.base, params[1], me.lane, me.live);
  let first_lane = me.lane == 0u && me.live;
  if (!subgroups_fit(lid, sg_lane, sg_size)) {
    part_key[lid] = best;
    part_at[lid] = best_at;
    workgroupBarrier();
    if (first_lane) { store_parts(me.row, me.base, lid, ROW_LANES); }
  } else if (ROW_LANES < SUBGROUP) {
    // several rows a subgroup: each row's lanes exchange their pairs, 1, 2, ... lanes apart
    var k = best;
    var at = best_at;
    for (var m = 1u; m < ROW_LANES; m <<= 1u) {
      let k2 = subgroupShuffleXor(k, m);
      let at2 = subgroupShuffleXor(at, m);
      if (beats(k2, at2, k, at)) {
        k = k2;
        at = at2;
      }
    }
    if (first_lane) { store(me.row, me.base, k, at); }
  } else {
    let k = subgroupMax(best);
    let at = subgroupMin(select(NONE, best_at, best == k));
    if (ROW_LANES == SUBGROUP) {
      if (first_lane) { store(me.row, me.base, k, at); }
    } else {
      if (sg_lane == 0u) {
        part_key[lid / SUBGROUP] = k;
        part_at[lid / SUBGROUP] = at;
      }
      workgroupBarrier();
      if (first_lane) { store_parts(me.row, me.base, lid / SUBGROUP, ROW_LANES / SUBGROUP); }
    }
  }
  if (VALUES && PER_WORD == 2u) {
    workgroupBarrier();
    if (lid < ROWS / 2u) { store_value_pair(wid.x + wid.y * nwg.x, lid); }
  }
}
