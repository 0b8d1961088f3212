// Where a reduction's segments start and how their elements step, in the
// params layout shared by the reduction kernels (reduce, reduce-keys,
// reduce-groups, segments, reduce-arg-partials): [n_out, R, nk, nr, chunks,
// chunk_len, kept shape[nk], kept strides[nk], red shape[nr], red
// strides[nr], offset]. After strided.wgsl; expects the kernel's constant
// ONE_BY_ONE (the layout merges to one kept and one reduced dim): then nk and
// nr are not read from params, so the first element loads wait on fewer.

/** Element offset of output o's segment: the view's offset plus o's place over the nk kept dims. */
fn segment_base(nk: u32, nr: u32, o: u32) -> i32 {
  return bitcast<i32>(params[reduced_dims(nk) + 2u * nr]) + decompose(6u, 6u + nk, nk, o);
}

/** Where the reduced dims' shape starts in params (their strides follow it, nr words on). */
fn reduced_dims(nk: u32) -> u32 { return 6u + 2u * nk; }

/** Element offset between consecutive elements of a segment over one merged reduced dim (nr == 1: its stride). */
fn single_step(nk: u32) -> i32 { return bitcast<i32>(params[reduced_dims(nk) + 1u]); }

/** Kept dims of the merged layout (nk). */
fn kept_dim_count() -> u32 {
  if (ONE_BY_ONE) { return 1u; }
  return params[2];
}

/** Reduced dims of the merged layout (nr). */
fn reduced_dim_count() -> u32 {
  if (ONE_BY_ONE) { return 1u; }
  return params[3];
}
