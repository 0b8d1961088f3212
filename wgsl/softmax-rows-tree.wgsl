// The row folds of wgsl/softmax-rows.wgsl through workgroup memory (a helper
// file), for devices without subgroups of one fixed size: a row is the whole
// workgroup (ROW_LANES = 256). The maximum of order keys: 32 invocations each
// take 8 shares, 4 the 32, then every invocation the 4; the sum is
// wgsl/softmax-fold.wgsl's halving tree over the 256 shares (the strided
// kernel's order). Three barriers a fold.
// API (shared with wgsl/softmax-rows-subgroup.wgsl): path = row_fold_path(share,
// lid, sg) (always 1 here), then row_max_key(share, lid, path) and
// row_sum(v, lid, sg, path); sg is unused.

var<workgroup> key_part: array<u32, 256>;
var<workgroup> key_part32: array<u32, 32>;
var<workgroup> key_part4: array<u32, 4>;

/** The maximum of 8 keys (unsigned order). */
fn max8(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32) -> u32 { return max(max(max(a, b), max(c, d)), max(max(e, f), max(g, h))); }

/** The fold path: the tree. */
fn row_fold_path(share: u32, lid: u32, sg: vec2u) -> u32 { return 1u; }

/**
 * The workgroup's maximum of the shares (order keys) (every invocation calls
 * it; all get the result). Each array is written again only after a barrier
 * every invocation reaches after its last read of it.
 */
fn row_max_key(share: u32, lid: u32, path: u32) -> u32 {
  key_part[lid] = share;
  workgroupBarrier();
  if (lid < 32u) {
    let i = 8u * lid;
    key_part32[lid] = max8(key_part[i], key_part[i + 1u], key_part[i + 2u], key_part[i + 3u], key_part[i + 4u], key_part[i + 5u], key_part[i + 6u], key_part[i + 7u]);
  }
  workgroupBarrier();
  if (lid < 4u) {
    let i = 8u * lid;
    key_part4[lid] = max8(key_part32[i], key_part32[i + 1u], key_part32[i + 2u], key_part32[i + 3u], key_part32[i + 4u], key_part32[i + 5u], key_part32[i + 6u], key_part32[i + 7u]);
  }
  workgroupBarrier();
  return max(max(key_part4[0], key_part4[1]), max(key_part4[2], key_part4[3]));
}

/** The workgroup's sum of `v` (every invocation gets it): the halving tree of wgsl/softmax-fold.wgsl. */
fn row_sum(v: f32, lid: u32, sg: vec2u, path: u32) -> f32 { return fold(v, lid, false); }
