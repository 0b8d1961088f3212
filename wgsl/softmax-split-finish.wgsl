// The second pass of softmax and logsumexp over a few long dense rows split
// into chunks (wgsl/softmax-split-partials.wgsl wrote each chunk's maximum
// key M, sum S and least key L, three words a chunk): a workgroup of 256 per
// chunk (softmax) or per row (logsumexp; chunks of 256 at most, invocation c
// reading chunk c) folds the row's chunks: the maximum mx of the M's, the
// sum of S e^(M - mx) (NaN where mx is not finite), the least element. Then
// logsumexp: mx + log(sum) (a float32 word per row); softmax: the chunk's
// results, e^(x - mx) / sum packed into whole output words of the input's
// dtype (the short exp paths where the row's least element is within 86 of
// a finite maximum, else mx_exp), as wgsl/softmax-long-rows.wgsl writes.
// Slots (the name in double braces): ROW_DECLS the consts EPW, NARROW and
// LSE, values_of and result_word (backends/webgpu/softmax-long.ts); bindings
// 0 to 2 are wgsl/softmax-online.wgsl's, binding 3 the partials.
// params: [n_rows, R, nk, kept shape[nk], kept element strides[nk], offset (elements), chunks, chunk_words]

@group(0) @binding(3) var<storage, read> partials: array<u32>;

{{ROW_DECLS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let split = row_split();
  let chunks = split.x;
  let chunk_words = split.y;
  // softmax: a workgroup per chunk; logsumexp: per row
  let o = g / select(chunks, 1u, LSE);
  let valid = o < params[0];
  // chunk lid of the row (none past the chunks: key 0 is below every element's, its sum 0)
  var key = 0u;
  var sum = 0.0;
  var least_key = 0xffffffffu;
  if (valid && lid < chunks) {
    let p = 3u * (o * chunks + lid);
    key = partials[p];
    sum = bitcast<f32>(partials[p + 1u]);
    least_key = partials[p + 2u];
  }
  let path = row_fold_path(key, lid, vec2u());
  let mx = key_value(row_max_key(key, lid, path));
  let least = key_value(~row_max_key(~least_key, lid, path));
  let finite = !is_nan(mx) && !is_inf(mx);
  let total = select(nan_f32(), row_sum(sum * online_exp(key_value(key) - mx), lid, vec2u(), path), finite);
  if (!valid) { return; }
  let begin = (g % chunks) * chunk_words;
  row_results(o, lid, begin, min(begin + chunk_words, params[1] / EPW), mx, total, finite && least - mx >= -86.0, finite);
}
