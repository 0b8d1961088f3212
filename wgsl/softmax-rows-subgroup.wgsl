enable subgroups;
// The row folds of wgsl/softmax-rows.wgsl through subgroup operations (a
// helper file, first in the source for its directive), on a device whose
// subgroups all have SUBGROUP lanes: a row's ROW_LANES invocations are
// ROW_LANES / SUBGROUP whole subgroups. The maximum (order keys) is
// subgroupMax, then, where a row spans several subgroups, the max of their
// partials in workgroup memory; the sum is, exactly in this order:
//   1. within each subgroup the halving tree over its lanes' shares (lane i
//      with lane i + SUBGROUP / 2 first, down to lane i with i + 1), by
//      subgroupShuffleXor with masks SUBGROUP / 2, ..., 1 (every lane gets the
//      same bits: the pairs add commutatively);
//   2. where a row spans P = ROW_LANES / SUBGROUP subgroups, the halving tree
//      over the P subgroup sums in subgroup order (sum j with j + P / 2 first).
// One barrier for both folds' checks and the maximum (workgroupUniformLoad),
// one more for the sum where a row spans several subgroups, none otherwise.
// Every subgroup checks that it is the block of SUBGROUP invocations its
// local_invocation_index says (lane = index % SUBGROUP); if any is not, the
// whole workgroup folds instead through workgroup memory, the halving tree
// over the row's ROW_LANES shares (a barrier a level; no device seen needs it).
// API (shared with wgsl/softmax-rows-tree.wgsl): path = row_fold_path(share,
// lid, sg) (0 subgroups, 1 the tree; workgroup-uniform), then
// row_max_key(share, lid, path) and row_sum(v, lid, sg, path); sg is
// (subgroup_invocation_id, subgroup_size).

/** Subgroups per row. */
const PARTIALS = ROW_LANES / SUBGROUP;
/** Partials of its row each lane reads (more than one only where a row spans more subgroups than a subgroup has lanes). */
const PARTIALS_PER_LANE = max(PARTIALS / SUBGROUP, 1u);

var<workgroup> sg_keys: array<u32, 256u / SUBGROUP>;
var<workgroup> sg_sums: array<f32, 256u / SUBGROUP>;
/** Set when some subgroup is not its block of SUBGROUP invocations (then both folds take the tree). */
var<workgroup> misfit: u32;
/** The misfit path's shares, the keys then the sums' bits (one array: less for the workgroup's zero fill). */
var<workgroup> tree: array<u32, 256>;

/** The maximum key of the row of invocation `lid` through workgroup memory, a halving step per level (the misfit path). */
fn tree_max(share: u32, lid: u32) -> u32 {
  let lane = lid % ROW_LANES;
  tree[lid] = share;
  for (var half = ROW_LANES / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    var k = 0u;
    if (lane < half) { k = max(tree[lid], tree[lid + half]); }
    workgroupBarrier();
    if (lane < half) { tree[lid] = k; }
  }
  workgroupBarrier();
  let row_key = tree[lid - lane];
  // every read done before tree_sum writes the array again
  workgroupBarrier();
  return row_key;
}

/** The sum of the row of invocation `lid` through workgroup memory: the halving tree over its ROW_LANES shares (the misfit path). */
fn tree_sum(v: f32, lid: u32) -> f32 {
  let lane = lid % ROW_LANES;
  tree[lid] = bitcast<u32>(v);
  for (var half = ROW_LANES / 2u; half > 0u; half >>= 1u) {
    workgroupBarrier();
    var s = 0.0;
    if (lane < half) { s = bitcast<f32>(tree[lid]) + bitcast<f32>(tree[lid + half]); }
    workgroupBarrier();
    if (lane < half) { tree[lid] = bitcast<u32>(s); }
  }
  workgroupBarrier();
  return bitcast<f32>(tree[lid - lane]);
}

/** Index of the first subgroup partial of lane `lid`'s row that the lane reads (then every SUBGROUP-th). */
fn first_partial(lid: u32) -> u32 { return (lid / ROW_LANES) * PARTIALS + (lid % SUBGROUP) % PARTIALS; }

/** This invocation's subgroup maximum of the shares (set by row_fold_path). */
var<private> subgroup_key: u32;

/**
 * The fold path (workgroup-uniform; every invocation calls it): 0 where every
 * subgroup is its block, else 1 (the tree). Takes the subgroup maxima of the
 * shares first and publishes them for row_max_key (its barrier is theirs).
 */
fn row_fold_path(share: u32, lid: u32, sg: vec2u) -> u32 {
  let block = lid / SUBGROUP;
  let first_block = subgroupBroadcastFirst(block);
  if (!subgroupAll(sg.y == SUBGROUP && sg.x == lid % SUBGROUP && first_block == block)) { misfit = 1u; }
  subgroup_key = subgroupMax(share);
  if (PARTIALS > 1u && sg.x == 0u) { sg_keys[block] = subgroup_key; }
  return workgroupUniformLoad(&misfit);
}

/** The row's maximum key (every invocation of the row gets it; `path` from row_fold_path). */
fn row_max_key(share: u32, lid: u32, path: u32) -> u32 {
  if (path != 0u) { return tree_max(share, lid); }
  if (PARTIALS == 1u) { return subgroup_key; }
  let first = first_partial(lid);
  var m = 0u;
  for (var t = 0u; t < PARTIALS_PER_LANE; t++) { m = max(m, sg_keys[first + SUBGROUP * t]); }
  return subgroupMax(m);
}

/** The halving tree over the lanes' values, lanes i and i ^ mask paired for mask `widest` down to 1 (every lane gets the same bits). */
fn butterfly_sum(v: f32, widest: u32) -> f32 {
  var s = v;
  for (var mask = widest; mask > 0u; mask >>= 1u) { s = s + subgroupShuffleXor(s, mask); }
  return s;
}

/** The row's sum of `v` (every invocation of the row gets it), in the order of the header; `path` from row_fold_path. */
fn row_sum(v: f32, lid: u32, sg: vec2u, path: u32) -> f32 {
  if (path != 0u) { return tree_sum(v, lid); }
  let s = butterfly_sum(v, SUBGROUP / 2u);
  if (PARTIALS == 1u) { return s; }
  if (sg.x == 0u) { sg_sums[lid / SUBGROUP] = s; }
  workgroupBarrier();
  // this lane's partials j, j + SUBGROUP, ... (j its row's first_partial): their halving tree, then across lanes
  let first = first_partial(lid);
  var held: array<f32, PARTIALS_PER_LANE>;
  for (var t = 0u; t < PARTIALS_PER_LANE; t++) { held[t] = sg_sums[first + SUBGROUP * t]; }
  for (var half = PARTIALS_PER_LANE / 2u; half > 0u; half >>= 1u) {
    for (var t = 0u; t < half; t++) { held[t] = held[t] + held[t + half]; }
  }
  return butterfly_sum(held[0], min(PARTIALS, SUBGROUP) / 2u);
}
