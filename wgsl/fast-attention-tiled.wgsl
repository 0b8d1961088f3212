// Scaled dot-product attention, the register-tiled flash attention for blocks
// of query rows (Lq > 8, head dims up to 128, rows contiguous along the head
// dim). One workgroup of 128 invocations per block of BQ = 32 query rows of
// one (batch, query head); per tile of BK = 16 keys:
//   1. the workgroup stages the K tile (vec4 rows, padded to QS vec4s so the
//      rows start in different banks); the q block was staged once;
//   2. invocation t computes a 2 x 2 micro-tile of scores, rows (t / 8) * 2,
//      keys (t % 8) * 2, scaled and masked, into the score tile;
//   3. the V tile replaces the K tile; invocation t takes 4 keys of row t / 4
//      for the online softmax: the row's new max from the 4 invocations'
//      maxima, the weights exp(s - max) in place of the scores, its own part
//      of the row's sum, the row's rescale factor alpha;
//   4. invocation t accumulates a 4-row x 8-column micro-tile of the output,
//      rows (t / 16) * 4, vec4 columns t % 16 and t % 16 + 16: acc = acc *
//      alpha + P V.
// The L_q x L_kv scores never exist. Masks, sinks, grouped-query heads, the
// params and the output layout are those of fast-attention.wgsl (the general
// kernel); a key past the tile's end scores -inf (it weighs nothing).
// Slots: INPUTS (q, k, v, mask, sinks), D4 (vec4s per q/k row), QS = D4 + 1,
// DV4 (vec4s per v row, at most 32), KV (the K/V tile's
// vec4s: max(BK * QS, BK * DV4)).

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

const BQ = 32u;
const BK = 16u;
const D4 = {{D4}}u;
const QS = {{QS}}u;
const DV4 = {{DV4}}u;

var<workgroup> qt: array<vec4<f32>, {{QT}}>;
var<workgroup> kv: array<vec4<f32>, {{KV}}>;
var<workgroup> st: array<f32, 512>;
var<workgroup> red: array<f32, 128>;
var<workgroup> alpha_t: array<f32, 32>;

/** A score scaled, then masked: -inf past the tile's end (key j of nb), the mask's rule for query row i < Lq. */
fn masked(v: f32, i: u32, j: u32, j0: u32, nb: u32, b: u32, h: u32) -> f32 {
  if (j >= nb) { return -inf_f32(); }
  let Lq = params[2];
  if (i >= Lq) { return v; }
  let key = j0 + j;
  let mask_kind = params[32];
  if (mask_kind == 1u && key + Lq > i + params[3]) { return bitcast<f32>(params[29]); }
  if (mask_kind == 2u) { return v + f32(load_3(at4(21u, b, h, i, key))); }
  if (mask_kind == 3u && f32(load_3(at4(21u, b, h, i, key))) == 0.0) { return bitcast<f32>(params[29]); }
  return v;
}

/** The sum of row r of the block: its four invocations' parts in red. */
fn row_sum(r: u32) -> f32 { return red[r * 4u] + red[r * 4u + 1u] + red[r * 4u + 2u] + red[r * 4u + 3u]; }

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  // a surplus workgroup of a 2-D dispatch: every invocation leaves together
  if (g >= params[5]) { return; }
  let Hq = params[0];
  let Hkv = params[1];
  let Lq = params[2];
  let Lkv = params[3];
  let blocks = params[4];
  let bh = g / blocks;
  let b = bh / Hq;
  let h = bh % Hq;
  let hk = h / (Hq / Hkv);
  let scale = bitcast<f32>(params[28]);
  let lowest = bitcast<f32>(params[29]);
  let D = params[30];
  let DV = params[31];
  let mask_kind = params[32];
  let first = (g % blocks) * BQ;
  // causal: no row of the block sees a key at or past kv_end (unless its first row sees none: then all count)
  var kv_end = Lkv;
  if (mask_kind == 1u && first + Lkv >= Lq) { kv_end = min(Lkv, min(first + BQ, Lq) + Lkv - Lq); }

  // the softmax's row and keys, the scores' and the output's micro-tiles
  let sr = t / 4u;
  let sc = (t % 4u) * 4u;
  let srow = (t / 8u) * 2u;
  let skey = (t % 8u) * 2u;
  let prow = (t / 16u) * 4u;
  let pcol = t % 16u;

  var m = -inf_f32();
  var lpart = 0.0;
  if (params[33] != 0u) {
    m = load_4(bitcast<u32>(bitcast<i32>(params[26]) + i32(h) * bitcast<i32>(params[27])));
    lpart = select(0.0, 1.0, sc == 0u);
  }
  // the first key's and value's row of this (batch, key/value head) and their row strides
  let k_first = at4(11u, b, hk, 0u, 0u);
  let k_step = bitcast<i32>(params[14]);
  let v_first = at4(16u, b, hk, 0u, 0u);
  let v_step = bitcast<i32>(params[19]);
  // the output micro-tile: rows prow + r, vec4 columns c0 and c1 (named, so they stay in registers)
  let c0 = pcol;
  let c1 = pcol + 16u;
  let has0 = c0 < DV4;
  let has1 = c1 < DV4;
  var a00 = vec4<f32>(0.0); var a10 = vec4<f32>(0.0); var a20 = vec4<f32>(0.0); var a30 = vec4<f32>(0.0);
  var a01 = vec4<f32>(0.0); var a11 = vec4<f32>(0.0); var a21 = vec4<f32>(0.0); var a31 = vec4<f32>(0.0);

  for (var e = t; e < BQ * D4; e += 128u) {
    let r = e / D4;
    let c4 = e % D4;
    var w = vec4<f32>(0.0);
    if (first + r < Lq) {
      let base = at4(6u, b, h, first + r, 0u);
      for (var x = 0u; x < 4u; x++) { if (c4 * 4u + x < D) { w[x] = load_0(base + c4 * 4u + x); } }
    }
    qt[r * QS + c4] = w;
  }
  for (var j0 = 0u; j0 < kv_end; j0 += BK) {
    let nb = min(BK, kv_end - j0);
    for (var e = t; e < BK * D4; e += 128u) {
      let j = e / D4;
      let c4 = e % D4;
      var w = vec4<f32>(0.0);
      if (j < nb) {
        let base = bitcast<u32>(bitcast<i32>(k_first) + i32(j0 + j) * k_step);
        for (var x = 0u; x < 4u; x++) { if (c4 * 4u + x < D) { w[x] = load_1(base + c4 * 4u + x); } }
      }
      kv[j * QS + c4] = w;
    }
    workgroupBarrier();
    var s00 = 0.0;
    var s01 = 0.0;
    var s10 = 0.0;
    var s11 = 0.0;
    for (var c4 = 0u; c4 < D4; c4++) {
      let q0 = qt[srow * QS + c4];
      let q1 = qt[(srow + 1u) * QS + c4];
      let k0 = kv[skey * QS + c4];
      let k1 = kv[(skey + 1u) * QS + c4];
      s00 += dot(q0, k0);
      s01 += dot(q0, k1);
      s10 += dot(q1, k0);
      s11 += dot(q1, k1);
    }
    st[srow * BK + skey] = masked(s00 * scale, first + srow, skey, j0, nb, b, h);
    st[srow * BK + skey + 1u] = masked(s01 * scale, first + srow, skey + 1u, j0, nb, b, h);
    st[(srow + 1u) * BK + skey] = masked(s10 * scale, first + srow + 1u, skey, j0, nb, b, h);
    st[(srow + 1u) * BK + skey + 1u] = masked(s11 * scale, first + srow + 1u, skey + 1u, j0, nb, b, h);
    workgroupBarrier();
    // every invocation has read K: the V tile takes its place
    for (var e = t; e < BK * DV4; e += 128u) {
      let j = e / DV4;
      let c4 = e % DV4;
      var w = vec4<f32>(0.0);
      if (j < nb) {
        let base = bitcast<u32>(bitcast<i32>(v_first) + i32(j0 + j) * v_step);
        for (var x = 0u; x < 4u; x++) { if (c4 * 4u + x < DV) { w[x] = load_2(base + c4 * 4u + x); } }
      }
      kv[e] = w;
    }
    red[t] = max(max(st[sr * BK + sc], st[sr * BK + sc + 1u]), max(st[sr * BK + sc + 2u], st[sr * BK + sc + 3u]));
    workgroupBarrier();
    let m_new = max(m, max(max(red[sr * 4u], red[sr * 4u + 1u]), max(red[sr * 4u + 2u], red[sr * 4u + 3u])));
    // while every score so far is -inf nothing is added (the row's sum stays 0)
    let none = is_inf(m_new) && m_new < 0.0;
    let alpha = select(mx_exp(m - m_new), 1.0, none);
    lpart *= alpha;
    for (var x = 0u; x < 4u; x++) {
      let p = select(mx_exp(st[sr * BK + sc + x] - m_new), 0.0, none);
      st[sr * BK + sc + x] = p;
      lpart += p;
    }
    if (sc == 0u) { alpha_t[sr] = alpha; }
    m = m_new;
    workgroupBarrier();
    let alpha0 = alpha_t[prow];
    let alpha1 = alpha_t[prow + 1u];
    let alpha2 = alpha_t[prow + 2u];
    let alpha3 = alpha_t[prow + 3u];
    a00 *= alpha0; a10 *= alpha1; a20 *= alpha2; a30 *= alpha3;
    a01 *= alpha0; a11 *= alpha1; a21 *= alpha2; a31 *= alpha3;
    for (var j = 0u; j < nb; j++) {
      let p0 = st[prow * BK + j];
      let p1 = st[(prow + 1u) * BK + j];
      let p2 = st[(prow + 2u) * BK + j];
      let p3 = st[(prow + 3u) * BK + j];
      if (has0) {
        let w = kv[j * DV4 + c0];
        a00 += p0 * w; a10 += p1 * w; a20 += p2 * w; a30 += p3 * w;
      }
      if (has1) {
        let w = kv[j * DV4 + c1];
        a01 += p0 * w; a11 += p1 * w; a21 += p2 * w; a31 += p3 * w;
      }
    }
    workgroupBarrier();
  }
  // the row's sum: its four invocations' parts
  red[t] = lpart;
  workgroupBarrier();
  put_row(first + prow, a00, a01, row_sum(prow), Lq, Lkv, bh, DV, c0, c1);
  put_row(first + prow + 1u, a10, a11, row_sum(prow + 1u), Lq, Lkv, bh, DV, c0, c1);
  put_row(first + prow + 2u, a20, a21, row_sum(prow + 2u), Lq, Lkv, bh, DV, c0, c1);
  put_row(first + prow + 3u, a30, a31, row_sum(prow + 3u), Lq, Lkv, bh, DV, c0, c1);
}
