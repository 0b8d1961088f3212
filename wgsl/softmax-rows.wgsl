// softmax and logsumexp over rows of R contiguous elements (the reduced axes
// trailing and dense), ROW_LANES invocations per row (256 / ROW_LANES rows a
// workgroup of 256: row lid / ROW_LANES, lane lid % ROW_LANES), the row read
// once: each invocation loads its WORDS words (word lane + ROW_LANES i of the
// row; only the last can pass the row's end, and is clamped to its last word)
// into registers, EPW elements a word (2 for packed float16/bfloat16, both
// halves of a word unpacked at once), then folds over registers only: the
// maximum (the driver's max per invocation, a NaN found by the sum of the
// magnitudes, tested on its bits; then the row's maximum of order keys,
// integer max, where a NaN share wins), e = exp(x - max) once per element
// (the math library's mx_exp, or, where the invocation's least element is
// within 86 of a finite maximum, exp_normal: the same bits without the steps
// that range cannot reach; for float16/bfloat16 rows there mx_exp_narrow, the
// device's exp2, whose error their rounding hides), the invocation's sum of the e's in element order
// (only the last word masked), the row's sum of those shares, and either
// max + log(sum) (logsumexp, a float32 word per row) or e * (1 / sum) packed
// into whole output words of the input's dtype (softmax; no two invocations
// share a word; with a finite maximum every e * (1 / sum) is in [0, 1], where
// pack_unit_<dtype> gives pack_<dtype>'s bits in fewer steps, float16's
// pairs by pack2x16float, which may round the other way).
// The element math (order keys, exp_normal, mx_exp_narrow, the unit packs) is
// wgsl/softmax-row-math.wgsl's, shared with the long-row kernels (backends/webgpu/softmax-long.ts).
// The row folds (row_fold_path, row_max_key, row_sum) and the order of the row's sum are a
// helper file's: wgsl/softmax-rows-subgroup.wgsl (subgroup operations, on a
// device with one subgroup size, for rows of at most 64 invocations (softmax: 128), several
// a workgroup) or wgsl/softmax-rows-tree.wgsl (workgroup memory, ROW_LANES =
// 256: the strided kernel's halving tree).
// Slots (the name in double braces): DTYPE the input's (and softmax output's)
// dtype name; EPW elements per word (1 or 2; R is a multiple of it); WORDS
// words per invocation (WORDS * EPW <= 32); ROW_LANES invocations per row (a
// power of two dividing 256, a multiple of SUBGROUP); SUBGROUP the device's
// subgroup size (1 on the tree path); SUBGROUP_ARGS main's subgroup builtins
// and SG them as a vec2u (or nothing and vec2u()); LSE true for logsumexp;
// DECLS, LOADS, MAXES, EXPS (mx_exp), EXPS_NORMAL (exp_normal, mx_exp_narrow for 16-bit), SUMS, STORES
// (pack_<dtype>), STORES_UNIT (pack_unit_<dtype>) the unrolled statements
// over each held element, in element order (backends/webgpu/softmax.ts
// rowStatements).
// params: [n_out, R, nk, kept shape[nk], kept element strides[nk], offset (elements)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

const EPW = {{EPW}}u;
const WORDS = {{WORDS}}u;
const ROW_LANES = {{ROW_LANES}}u;
const SUBGROUP = {{SUBGROUP}}u;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32{{SUBGROUP_ARGS}}) {
  let o = (wid.x + wid.y * nwg.x) * (256u / ROW_LANES) + lid / ROW_LANES;
  let lane = lid % ROW_LANES;
  let sg = {{SG}};
  let R = params[1];
  let nk = params[2];
  let valid = o < params[0];
  let row_words = R / EPW;
  // element q of word lane + ROW_LANES i is x<i * EPW + q>, each its own variable (no array the compiler may spill)
  {{DECLS}}
  var m = -inf_f32();
  var least = inf_f32();
  // the sum of |x|: NaN exactly where an x is (no -inf to cancel an overflow), one add an element
  var magnitudes = 0.0;
  if (valid) {
    let first = (params[3u + 2u * nk] + u32(decompose(3u, 3u + nk, nk, o))) / EPW;
    {{LOADS}}
    // a clamped word repeats one of the row's: it cannot change the maximum
    {{MAXES}}
  }
  let share = select(order_key(m), 0xffffffffu, is_nan(magnitudes));
  let path = row_fold_path(share, lid, sg);
  let mx = key_value(row_max_key(share, lid, path));
  // 1.0 as exp_normal takes it (R > 0 here)
  let one = select(0.0, 1.0, R > 0u);
  // a finite maximum: no NaN and no +inf in the row
  let finite = !is_nan(mx) && !is_inf(mx);
  var acc = 0.0;
  if (valid) {
    if (finite && least - mx >= -86.0) {
      {{EXPS_NORMAL}}
    } else {
      {{EXPS}}
    }
    {{SUMS}}
  }
  let total = row_sum(acc, lid, sg, path);
  if (!valid) { return; }
  if ({{LSE}}) {
    if (lane == 0u) { out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, is_inf(mx) || is_nan(mx))); }
    return;
  }
  let inv = 1.0 / total;
  let out_row = o * row_words + lane;
  if (finite) {
    {{STORES_UNIT}}
  } else {
    {{STORES}}
  }
}
