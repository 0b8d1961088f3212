// softmax and logsumexp over dense rows too long for wgsl/softmax-rows.wgsl's
// registers (more than 256 x 16 elements an invocation would hold): one row a
// workgroup of 256, read once (logsumexp) or twice (softmax) instead of
// held. Invocation lid takes the row's words lid, lid + 256, ... (EPW
// elements a word, both halves of a 16-bit word at once), eight words loaded
// before any is used:
//   1. in one read, the invocation's maximum m and sum s of e^(x - m) in its
//      element order (online: where x is a new maximum, s becomes
//      s e^(m - x) + 1; e^d by exp_normal, or mx_exp_narrow for 16-bit rows, 0
//      below -86), its least element and sum of magnitudes (a NaN); then the
//      row's maximum of order keys (a NaN share wins), as the rows kernel,
//      and the row's sum of the shares s e^(m - max) (NaN where the maximum
//      is not finite);
//   2. logsumexp: max + log(sum) by invocation 0 (a float32 word per row);
//      softmax: each e = exp(x - max) again (the short paths where the
//      invocation's least element is within 86 of a finite maximum, else
//      mx_exp), times 1 / sum, packed into whole output words of the input's
//      dtype (pack_unit_<dtype> where the maximum is finite).
// The folds are wgsl/softmax-rows-tree.wgsl's (the strided kernel's halving
// tree), the online pass wgsl/softmax-online.wgsl's and the element math
// wgsl/softmax-row-math.wgsl's. A few long rows are split over several
// workgroups instead (wgsl/softmax-split-partials.wgsl).
// Slots (the name in double braces): ROW_DECLS the consts EPW, NARROW and
// LSE, values_of and result_word (backends/webgpu/softmax-long.ts); the
// bindings are wgsl/softmax-online.wgsl's.
// params: [n_out, R, nk, kept shape[nk], kept element strides[nk], offset (elements)]

{{ROW_DECLS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let valid = o < params[0];
  let row_words = params[1] / EPW;
  var a = Online(-inf_f32(), 0.0, inf_f32(), 0.0);
  if (valid) { a = online_words(row_first_word(o), 0u, row_words, lid); }
  let share = select(order_key(a.m), 0xffffffffu, is_nan(a.magnitudes));
  let path = row_fold_path(share, lid, vec2u());
  let mx = key_value(row_max_key(share, lid, path));
  let finite = !is_nan(mx) && !is_inf(mx);
  // the invocation's share of the row's sum of e^(x - mx); a row without a finite maximum sums to NaN (softmax: every result NaN)
  let acc = select(0.0, a.s * online_exp(a.m - mx), valid);
  let total = select(nan_f32(), row_sum(acc, lid, vec2u(), path), finite);
  if (!valid) { return; }
  row_results(o, lid, 0u, row_words, mx, total, finite && a.least - mx >= -86.0, finite);
}
