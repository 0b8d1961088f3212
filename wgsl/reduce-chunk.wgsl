// The chunk a reduction workgroup folds, shared by wgsl/reduce.wgsl and
// wgsl/reduce-keys.wgsl (their params start [n_out, R, nk, nr, chunks,
// chunk_len]). Prepended as a helper; expects the kernel's `params`. No slots.

/** Workgroup g's output o (valid: one exists; a dispatch's spare workgroups have none) and its elements c0 .. r_end of o's segment. */
struct Chunk { o: u32, valid: bool, c0: u32, r_end: u32 }

fn chunk_of(g: u32) -> Chunk {
  let chunks = params[4];
  let chunk_len = params[5];
  let o = g / chunks;
  let c0 = (g % chunks) * chunk_len;
  return Chunk(o, o < params[0], c0, min(params[1], c0 + chunk_len));
}
