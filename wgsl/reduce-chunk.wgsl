// The chunk a reduction workgroup folds (and its spans of words and quads
// where it is contiguous), shared by wgsl/reduce.wgsl and
// wgsl/reduce-keys.wgsl (their params start [n_out, R, nk, nr, chunks,
// chunk_len]). Prepended as a helper; expects the kernel's `params` and its
// constant ONE_CHUNK (every segment is one chunk): then the chunk is not
// read from params, so a workgroup's first loads do not wait on those loads
// (H200: 16-bit rows).

/** Workgroup g's output o (valid: one exists; a dispatch's spare workgroups have none) and its elements c0 .. r_end of o's segment. */
struct Chunk { o: u32, valid: bool, c0: u32, r_end: u32 }

fn chunk_of(g: u32) -> Chunk {
  if (ONE_CHUNK) { return Chunk(g, g < params[0], 0u, params[1]); }
  let chunks = params[4];
  let chunk_len = params[5];
  let o = g / chunks;
  let c0 = (g % chunks) * chunk_len;
  return Chunk(o, o < params[0], c0, min(params[1], c0 + chunk_len));
}

/**
 * A contiguous chunk's elements [e0, e1) (buffer element offsets) read as
 * words of per_word elements: whole words [w0, w1), of which whole quads of
 * four words (vec4, 16 bytes) [qa, qb); head words [w0, head_end) before the
 * quads, tail words [tail_start, w1) after them; the at most per_word - 1
 * elements before w0 and after w1 lie outside whole words.
 */
struct QuadSpans { w0: u32, w1: u32, qa: u32, qb: u32, head_end: u32, tail_start: u32 }

fn quad_spans(e0: u32, e1: u32, per_word: u32) -> QuadSpans {
  let w0 = (e0 + per_word - 1u) / per_word;
  let w1 = e1 / per_word;
  let qa = (w0 + 3u) / 4u;
  let qb = max(qa, w1 / 4u);
  let head_end = min(4u * qa, w1);
  return QuadSpans(w0, w1, qa, qb, head_end, max(4u * qb, head_end));
}
