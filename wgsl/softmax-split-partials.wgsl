// The first pass of softmax and logsumexp over a few dense rows too long for
// registers, each split into `chunks` chunks of chunk_words words (the last
// shorter), a workgroup of 256 per chunk (workgroup g: row g / chunks, chunk
// g % chunks): the online pass over the chunk's words
// (wgsl/softmax-online.wgsl, invocation lid taking words lid, lid + 256, ...
// of the chunk), then the chunk's maximum key M (order keys, a NaN share
// winning), its sum S of the shares s e^(m - M), and the order key L of its
// least element; words 3g, 3g + 1, 3g + 2 of the output are M's key, S's
// bits and L's key. wgsl/softmax-split-finish.wgsl folds a row's chunks.
// Slots (the name in double braces): ROW_DECLS the consts EPW, NARROW and
// LSE, values_of and result_word (backends/webgpu/softmax-long.ts); the
// bindings 0 to 2 are wgsl/softmax-online.wgsl's.
// params: [n_rows, R, nk, kept shape[nk], kept element strides[nk], offset (elements), chunks, chunk_words]

{{ROW_DECLS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let split = row_split();
  let chunks = split.x;
  let chunk_words = split.y;
  let o = g / chunks;
  let valid = o < params[0];
  var a = Online(-inf_f32(), 0.0, inf_f32(), 0.0);
  if (valid) {
    let begin = (g % chunks) * chunk_words;
    a = online_words(row_first_word(o), begin, min(begin + chunk_words, params[1] / EPW), lid);
  }
  let share = select(order_key(a.m), 0xffffffffu, is_nan(a.magnitudes));
  let path = row_fold_path(share, lid, vec2u());
  let key = row_max_key(share, lid, path);
  // the least element's key: the largest complement
  let least_key = ~row_max_key(~order_key(a.least), lid, path);
  let total = row_sum(a.s * online_exp(a.m - key_value(key)), lid, vec2u(), path);
  if (valid && lid == 0u) {
    out_words[3u * g] = key;
    out_words[3u * g + 1u] = bitcast<u32>(total);
    out_words[3u * g + 2u] = least_key;
  }
}
