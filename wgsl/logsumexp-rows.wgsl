// logsumexp of float32/float16/bfloat16 rows that lie on whole quads of
// words (16-byte aligned, a whole number of quads long): ROW_LANES
// invocations a row, 256 / ROW_LANES rows a workgroup, the row read once.
// A lane reads the row's quads lane, lane + ROW_LANES, ... in steps of eight
// (loaded before any is used) and keeps (m, s): m the maximum of its
// elements so far, s the sum of e^(x - m) over them; a step whose maximum
// passes m scales s by e^(m_old - m) first. Its e^d, where the step's
// least element is within 86 of m, is float32's exp_normal (mx_exp's bits)
// or 16-bit rows' mx_exp_narrow (whose error their rounding hides), else
// mx_exp. The row's lanes' pairs
// then fold through workgroup memory (groups of eight lanes, then the
// groups), a pair of a larger m scaling the other's s by e^(m_other - m).
// The result is m + log(s), or NaN where the row holds a NaN (the sum of
// the elements' magnitudes is NaN exactly then), else +inf where it holds
// +inf, -inf where every element is -inf. float32 results are written a
// word a row; float16/bfloat16 ones packed two a word (PAIRS).
// Slots (backends/webgpu/logsumexp-rows.ts): ROW_LANES, STEPS and WHOLE
// (the row's quads: STEPS steps of eight a lane, exactly so where WHOLE),
// STEP (the statements of one step: loads, the step's maximum and least
// element, the rescale and the sums), PAIRS, PACK (the output bits
// of f32 r, in the low 16 bits, where PAIRS).
// Bindings, params and each invocation's row and lane: wgsl/row-lanes.wgsl;
// the packed stores (PAIRS): wgsl/row-pairs.wgsl (its helpers).

const ROW_LANES = {{ROW_LANES}}u;
const ROWS = 256u / ROW_LANES;
const STEPS = {{STEPS}}u;
const WHOLE = {{WHOLE}};
const PAIRS = {{PAIRS}};

/** Each lane's (m, s) and flags (1: a NaN, 2: +inf), then the groups' of eight. */
var<workgroup> part_ms: array<vec2<f32>, 256>;
var<workgroup> part_flags: array<u32, 256>;
var<workgroup> eight_ms: array<vec2<f32>, 32>;
var<workgroup> eight_flags: array<u32, 32>;
var<workgroup> results: array<f32, 32>;

/** Whether v is neither infinite nor NaN (on the bits). */
fn finite_bits(v: f32) -> bool { return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u; }

fn pack(r: f32) -> u32 {
  return {{PACK}};
}

/** The pair of two parts' (m, s), each m finite or -inf (s then 0). */
fn merge(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let m = max(a.x, b.x);
  if (!finite_bits(m)) { return vec2<f32>(m, 0.0); }
  let ea = select(mx_exp(a.x - m), 0.0, !finite_bits(a.x));
  let eb = select(mx_exp(b.x - m), 0.0, !finite_bits(b.x));
  return vec2<f32>(m, a.y * ea + b.y * eb);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let quads = params[1];
  let me = row_lane(wid, nwg, lid);
  let lane = me.lane;
  let live = me.live;
  let base = me.base;
  // 1.0 as exp_normal takes it (a value the compiler cannot fold)
  let one = select(0.0, 1.0, quads > 0u);
  var m = -inf_f32();
  var s = 0.0;
  // the sum of |x|: NaN exactly where an x is
  var magnitudes = 0.0;
  for (var step = 0u; step < STEPS; step++) {
    let q = step * 8u * ROW_LANES + lane;
    {{STEP}}
  }
  // a lane with a NaN or +inf takes no part in the pairs (its flags decide the row)
  let flags = select(0u, 1u, is_nan(magnitudes)) | select(0u, 2u, bitcast<u32>(m) == 0x7f800000u);
  part_ms[lid] = select(vec2<f32>(m, s), vec2<f32>(-inf_f32(), 0.0), flags != 0u || !finite_bits(m));
  part_flags[lid] = flags;
  workgroupBarrier();
  // the groups of eight lie inside one row (ROW_LANES is a multiple of 8)
  if (lid < 32u) {
    var p = part_ms[8u * lid];
    var f = part_flags[8u * lid];
    for (var i = 1u; i < 8u; i++) {
      p = merge(p, part_ms[8u * lid + i]);
      f = f | part_flags[8u * lid + i];
    }
    eight_ms[lid] = p;
    eight_flags[lid] = f;
  }
  workgroupBarrier();
  if (lid < ROWS) {
    let first = lid * (ROW_LANES / 8u);
    var p = eight_ms[first];
    var f = eight_flags[first];
    for (var i = 1u; i < ROW_LANES / 8u; i++) {
      p = merge(p, eight_ms[first + i]);
      f = f | eight_flags[first + i];
    }
    var r = select(p.x + mx_log(p.y), p.x, !finite_bits(p.x));
    if ((f & 2u) != 0u) { r = inf_f32(); }
    if ((f & 1u) != 0u) { r = nan_f32(); }
    results[lid] = r;
  }
  workgroupBarrier();
  if (PAIRS) {
    if (lid < ROWS / 2u) { store_row_pair(g, lid, results[2u * lid], results[2u * lid + 1u]); }
  } else if (lid < ROWS && g * ROWS + lid < params[0]) {
    out_words[g * ROWS + lid] = bitcast<u32>(results[lid]);
  }
}
