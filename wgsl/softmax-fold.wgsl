// The workgroup fold of softmax and logsumexp (wgsl/softmax.wgsl, and
// wgsl/softmax-rows.wgsl's sum through wgsl/softmax-rows-tree.wgsl): the
// NaN-propagating maximum or the sum of one f32 share per invocation of a
// workgroup of 256, in a fixed halving-tree pairing.

var<workgroup> part: array<f32, 256>;
var<workgroup> part32: array<f32, 32>;
var<workgroup> part4: array<f32, 4>;

/** The maximum (NaN-propagating) or the sum of a and b. */
fn combine(a: f32, b: f32, is_max: bool) -> f32 { return select(a + b, maximum_f(a, b), is_max); }

/** The first three levels of the halving tree over the 8 shares i + 32 k, in its pairing. */
fn fold8(i: u32, is_max: bool) -> f32 {
  let lo = combine(combine(part[i], part[i + 128u], is_max), combine(part[i + 64u], part[i + 192u], is_max), is_max);
  let hi = combine(combine(part[i + 32u], part[i + 160u], is_max), combine(part[i + 96u], part[i + 224u], is_max), is_max);
  return combine(lo, hi, is_max);
}

/** Levels 16, 8 and 4 of the tree over part32 down to its element i (i < 4), in its pairing. */
fn fold_quarter(i: u32, is_max: bool) -> f32 {
  let a = combine(combine(part32[i], part32[i + 16u], is_max), combine(part32[i + 8u], part32[i + 24u], is_max), is_max);
  let b = combine(combine(part32[i + 4u], part32[i + 20u], is_max), combine(part32[i + 12u], part32[i + 28u], is_max), is_max);
  return combine(a, b, is_max);
}

/**
 * The workgroup's maximum (NaN-propagating) or sum of `v` (every invocation
 * calls it; all get the result), paired as a halving tree over the 256 shares:
 * 32 invocations each fold 8 shares, 4 fold those 32 to 4, then every
 * invocation folds the 4 (a third barrier is cheaper than every invocation
 * reading all 32). A following call's writes cannot overtake this call's
 * reads: each array is written again only after a barrier that every
 * invocation reaches after its last read of it.
 */
fn fold(v: f32, lid: u32, is_max: bool) -> f32 {
  part[lid] = v;
  workgroupBarrier();
  if (lid < 32u) { part32[lid] = fold8(lid, is_max); }
  workgroupBarrier();
  if (lid < 4u) { part4[lid] = fold_quarter(lid, is_max); }
  workgroupBarrier();
  return combine(combine(part4[0], part4[2], is_max), combine(part4[1], part4[3], is_max), is_max);
}
