// The stores of the row kernels that write 16-bit results two a word
// (wgsl/sum-rows16.wgsl, wgsl/logsumexp-rows.wgsl, wgsl/max-rows.wgsl; a
// helper after wgsl/row-lanes.wgsl; wgsl/arg-rows.wgsl packs its 16-bit
// elements' bits with its own store, no float between): output word k of workgroup g holds its rows 2k and
// 2k + 1. Expects the kernel's ROWS (even) and pack(r) (a result's bits, in
// the low 16 bits).

/** Writes results a and b of workgroup g's rows 2k and 2k + 1 as output word g ROWS / 2 + k, the second only where its row exists. */
fn store_row_pair(g: u32, k: u32, a: f32, b: f32) {
  let row = g * ROWS + 2u * k;
  if (row < params[0]) {
    out_words[row / 2u] = pack(a) | select(0u, pack(b) << 16u, row + 1u < params[0]);
  }
}
