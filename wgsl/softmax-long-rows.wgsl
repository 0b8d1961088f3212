// softmax and logsumexp over dense rows too long for wgsl/softmax-rows.wgsl's
// registers (more than 256 x 16 elements an invocation would hold): one row a
// workgroup of 256, read once (logsumexp) or twice (softmax) instead of
// held. Invocation lid takes the row's words lid, lid + 256, ... (EPW
// elements a word, both halves of a 16-bit word at once), eight words loaded
// before any is used:
//   1. in one read, the invocation's maximum m and sum s of e^(x - m) in its
//      element order (online: where x is a new maximum, s becomes
//      s e^(m - x) + 1; e^d by exp_normal, or exp_narrow for 16-bit rows, 0
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
// Slots (the name in double braces): EPW elements per word (1 or 2); LSE
// true for logsumexp; NARROW true for 16-bit rows (exp_narrow);
// ROW_FUNCTIONS values_of and result_word (backends/webgpu/softmax-long.ts).
// params: [n_out, R, nk, kept shape[nk], kept element strides[nk], offset (elements)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

const EPW = {{EPW}}u;
const NARROW = {{NARROW}};
const ROW_LANES = 256u;
const SUBGROUP = 1u;

{{ROW_FUNCTIONS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let R = params[1];
  let nk = params[2];
  let valid = o < params[0];
  let row_words = R / EPW;
  var first = 0u;
  var a = Online(-inf_f32(), 0.0, inf_f32(), 0.0);
  if (valid) {
    first = (params[3u + 2u * nk] + u32(decompose(3u, 3u + nk, nk, o))) / EPW;
    a = online_words(first, 0u, row_words, lid);
  }
  let share = select(order_key(a.m), 0xffffffffu, is_nan(a.magnitudes));
  let path = row_fold_path(share, lid, vec2u());
  let mx = key_value(row_max_key(share, lid, path));
  let one = select(0.0, 1.0, R > 0u);
  let finite = !is_nan(mx) && !is_inf(mx);
  let fast = finite && a.least - mx >= -86.0;
  // the invocation's share of the row's sum of e^(x - mx); a row without a finite maximum sums to NaN (softmax: every result NaN)
  let acc = select(0.0, a.s * online_exp(a.m - mx), valid);
  let total = select(nan_f32(), row_sum(acc, lid, vec2u(), path), finite);
  if (!valid) { return; }
  if ({{LSE}}) {
    if (lid == 0u) { out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, !finite)); }
    return;
  }
  write_words(first, 0u, row_words, lid, o * row_words, mx, 1.0 / total, fast, one, finite);
}
