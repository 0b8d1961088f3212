// Scaled dot-product attention as a tiled flash attention with an online
// softmax. One workgroup of BQ * TPR invocations per block of BQ query rows of
// one (batch, query head); invocation (r, c) = (lid / TPR, lid % TPR) serves
// row r. The block's q rows are staged once in workgroup memory (float32,
// as vec4, zero-padded to D4 * 4). Per tile of BK keys: the workgroup stages
// K (vec4) and V rows; each invocation computes the scores S[r][j] of its row
// for j = c, c + TPR, ... (scale * q.k_j, then the mask); then the row's new
// running max m (float32, identical in the TPR invocations of a row), the
// weights exp(S - m) of the same keys (P), and each invocation folds the
// tile's weights into the row's sum l and rescales its accumulators, the
// vec4s c, c + TPR, ... of the row's output (V is staged as vec4s too). The L_q x L_kv scores never exist.
// Grouped-query heads: query head h reads key/value head h / (Hq / Hkv).
// Masks: MASK 0 none, 1 causal (key j is masked past i + Lkv - Lq; tiles past
// the block's last visible key are skipped unless a row sees no key), 2 additive
// (read per element through its strides, so a broadcast mask costs no copy),
// 3 bool (true attends). A masked key scores `lowest`, as MLX's composition.
// Sinks (SINKS true): the row starts with m = sink, l = 1. A row whose scores
// are all -inf gives NaN (the composition's softmax); no keys give 0.
// Slots (the name in double braces): INPUTS q, k, v, mask, sinks as load_0 ..
// load_4 (bindings 2..6; an absent mask or sinks binds q again, never read);
// D4: vec4s per q/k row (the head dim D rounded up to a multiple of 16, so
// few head dims share a kernel; the padding is zeros); BQ, TPR, BK: rows per
// workgroup, invocations per row, keys per tile; DVT: vec4 accumulators per
// invocation (DV <= 4 * DVT * TPR); QT, KT, VT, ST: the workgroup arrays' sizes.
// The head dims, the mask kind and the sinks flag are params.
// params: [Hq, Hkv, Lq, Lkv, row blocks, groups, q offset, q strides[4],
//          k offset, k strides[4], v offset, v strides[4], mask offset,
//          mask strides[4], sinks offset, sinks stride, scale, lowest (f32 bits),
//          D, DV, MASK, SINKS (0 or 1)]
// (offsets and strides in elements, strides signed; read by at4, wgsl/attention-index.wgsl)
// The output is float32 [B, Hq, Lq, DV], row-major.

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

const D4 = {{D4}}u;
const BQ = {{BQ}}u;
const TPR = {{TPR}}u;
const BK = {{BK}}u;
const DVT = {{DVT}}u;

var<workgroup> qt: array<vec4<f32>, {{QT}}>;
var<workgroup> kt: array<vec4<f32>, {{KT}}>;
var<workgroup> vt: array<vec4<f32>, {{VT}}>;
var<workgroup> st: array<f32, {{ST}}>;
var<workgroup> pt: array<f32, {{ST}}>;

@compute @workgroup_size({{BQ}} * {{TPR}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
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
  let r = lid / TPR;
  let c = lid % TPR;
  let i = (g % blocks) * BQ + r;
  let valid = i < Lq;
  let scale = bitcast<f32>(params[28]);
  let lowest = bitcast<f32>(params[29]);
  let D = params[30];
  let DV = params[31];
  let DV4 = (DV + 3u) / 4u;
  let mask_kind = params[32];
  let has_sinks = params[33] != 0u;
  let first = (g % blocks) * BQ;
  // causal: no row of the block sees a key at or past kv_end (unless its first row sees none: then all count)
  var kv_end = Lkv;
  if (mask_kind == 1u && first + Lkv >= Lq) { kv_end = min(Lkv, min(first + BQ, Lq) + Lkv - Lq); }

  var m = -inf_f32();
  var l = 0.0;
  if (has_sinks) {
    m = load_4(bitcast<u32>(bitcast<i32>(params[26]) + i32(h) * bitcast<i32>(params[27])));
    l = 1.0;
  }
  var acc: array<vec4<f32>, DVT>;
  for (var x = 0u; x < DVT; x++) { acc[x] = vec4<f32>(0.0); }

  for (var e = lid; e < BQ * D4; e += BQ * TPR) {
    let row = first + e / D4;
    var w = vec4<f32>(0.0);
    for (var t = 0u; t < 4u; t++) {
      let d = (e % D4) * 4u + t;
      if (row < Lq && d < D) { w[t] = load_0(at4(6u, b, h, row, d)); }
    }
    qt[e] = w;
  }
  for (var j0 = 0u; j0 < kv_end; j0 += BK) {
    let nb = min(BK, kv_end - j0);
    for (var e = lid; e < nb * D4; e += BQ * TPR) {
      var w = vec4<f32>(0.0);
      for (var t = 0u; t < 4u; t++) {
        let d = (e % D4) * 4u + t;
        if (d < D) { w[t] = load_1(at4(11u, b, hk, j0 + e / D4, d)); }
      }
      kt[e] = w;
    }
    for (var e = lid; e < nb * DV4; e += BQ * TPR) {
      var w = vec4<f32>(0.0);
      for (var t = 0u; t < 4u; t++) {
        let d = (e % DV4) * 4u + t;
        if (d < DV) { w[t] = load_2(at4(16u, b, hk, j0 + e / DV4, d)); }
      }
      vt[e] = w;
    }
    workgroupBarrier();
    for (var j = c; j < nb; j += TPR) {
      var s = 0.0;
      if (valid) {
        for (var d4 = 0u; d4 < D4; d4++) { s += dot(qt[r * D4 + d4], kt[j * D4 + d4]); }
        s *= scale;
        let key = j0 + j;
        if (mask_kind == 1u && key + Lq > i + Lkv) { s = lowest; }
        if (mask_kind == 2u) { s += f32(load_3(at4(21u, b, h, i, key))); }
        if (mask_kind == 3u && f32(load_3(at4(21u, b, h, i, key))) == 0.0) { s = lowest; }
      }
      st[r * BK + j] = s;
    }
    workgroupBarrier();
    // the row's new max (each invocation of the row alike), then the weights of the invocation's own keys
    var tile_max = -inf_f32();
    for (var j = 0u; j < nb; j++) { tile_max = max(tile_max, st[r * BK + j]); }
    let m_new = max(m, tile_max);
    // while every score so far is -inf nothing is added (l stays 0)
    let none = is_inf(m_new) && m_new < 0.0;
    for (var j = c; j < nb; j += TPR) { pt[r * BK + j] = select(mx_exp(st[r * BK + j] - m_new), 0.0, none); }
    workgroupBarrier();
    if (valid) {
      let alpha = select(mx_exp(m - m_new), 1.0, none);
      l *= alpha;
      for (var x = 0u; x < DVT; x++) { acc[x] *= alpha; }
      for (var j = 0u; j < nb; j++) {
        let p = pt[r * BK + j];
        l += p;
        for (var x = 0u; x < DVT; x++) {
          let dv = c + x * TPR;
          if (dv < DV4) { acc[x] += p * vt[j * DV4 + dv]; }
        }
      }
      m = m_new;
    }
    workgroupBarrier();
  }
  if (!valid) { return; }
  let row = (bh * Lq + i) * DV;
  for (var x = 0u; x < DVT; x++) {
    let dv = c + x * TPR;
    for (var t = 0u; t < 4u; t++) {
      if (dv * 4u + t < DV) {
        var o = acc[x][t] / l;
        if (l == 0.0) { o = select(nan_f32(), 0.0, Lkv == 0u); }
        out_words[row + dv * 4u + t] = bitcast<u32>(o);
      }
    }
  }
}
