// Scaled dot-product attention, the blocked flash attention for long query
// blocks (Lq >= 64, head dims up to 128, rows contiguous along the head dim).
// One workgroup of 256 invocations per block of BQ = 64 query rows of one
// (batch, query head); invocation t = ty * 16 + tx owns rows ty * 4 .. ty * 4 + 3
// of both the scores and the output. Per tile of BK = 64 keys:
//   1. scores S = Q K^T by chunks of DC = 16 head-dim entries: the Q and K
//      chunks are staged transposed in `stage` (Q[d][row], then K[d][key],
//      rows of SR vec4s, padded so the transposed writes spread over the
//      banks); invocation t accumulates the 4 x 4 micro-tile of keys
//      tx * 4 .. tx * 4 + 3, one vec4 of q and one of k per 16 FMAs (Q is
//      staged again per key tile, as a matmul re-reads its left operand: it
//      hits the cache);
//   2. scaled and masked, each row's tile maximum from its 16 invocations'
//      maxima (through red), the same new maximum in all of them, so the
//      rescale factor alpha = exp(m_old - m_new) needs no exchange; the
//      weights P = exp(S - m_new) go to ps transposed (ps[key][row quad], the
//      row quad XOR-swizzled by key / 4 so the eight lanes of a 128-bit store
//      phase fall in different banks); each invocation keeps its own parts of
//      its rows' sums; the output is rescaled by alpha;
//   3. O += P V by chunks of VK keys staged in place of the Q and K chunks
//      (V[key][vec4 column]); invocation t accumulates 4 rows x vec4 columns
//      tx and tx + 16, 32 FMAs per key from one vec4 of P and two of V.
// At the end each row's sum is its 16 invocations' parts (through red). Masks,
// sinks, grouped-query heads, the params and the output layout are those of
// fast-attention.wgsl (the general kernel); a key past the tile's end scores
// -inf (it weighs nothing); rows past Lq are computed unmasked and not stored.
// Slots: INPUTS (q, k, v, mask, sinks as load_0 .. load_4), DV4 (vec4s per
// v row, at most 32), VK (keys per V chunk: 16, 32 or 64, with
// VK * DV4 <= 2 * DC * SR). The q/k head dim D is a param (its chunks are
// counted at run time: a loop with barriers gains nothing unrolled, and every
// D shares a kernel variant).

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

const BQ = 64u;
const BK = 64u;
const DC = 16u;
/** vec4s per row of a transposed chunk: 64 floats and one vec4 of padding. */
const SR = 17u;
const DV4 = {{DV4}}u;
const VK = {{VK}}u;

/** The Q chunk (vec4s 0 .. DC * SR), the K chunk after it; the V chunk in their place. */
var<workgroup> stage: array<vec4<f32>, 544>;
/** P of the key tile: the vec4 of rows 4r .. 4r + 3 for key j at j * 16 + (r ^ (j / 4)). */
var<workgroup> ps: array<vec4<f32>, 1024>;
/** Per row, its 16 invocations' maxima (then sums): row r's at vec4s r * 4 .. r * 4 + 3. */
var<workgroup> red: array<vec4<f32>, 256>;

/**
 * Row i's scores of keys kx .. kx + 3 of the tile from key j0 (nb keys), scaled, then
 * masked: by the mask's rule for a row i < Lq, -inf past the tile's end.
 */
fn masked(s: vec4<f32>, scale: f32, i: u32, kx: u32, j0: u32, nb: u32, b: u32, h: u32) -> vec4<f32> {
  var r = s * scale;
  let Lq = params[2];
  let mask_kind = params[32];
  let lowest = bitcast<f32>(params[29]);
  // the mask's element of key kx and its stride along the keys
  let at = bitcast<i32>(at4(21u, b, h, i, j0 + kx));
  let step = bitcast<i32>(params[25]);
  for (var x = 0u; x < 4u; x++) {
    let key = j0 + kx + x;
    // a key past the tile's end reads no mask element (its score is -inf below)
    if (i < Lq && kx + x < nb) {
      if (mask_kind == 1u && key + Lq > i + params[3]) { r[x] = lowest; }
      if (mask_kind >= 2u) {
        let w = f32(load_3(bitcast<u32>(at + i32(x) * step)));
        if (mask_kind == 2u) { r[x] += w; } else if (w == 0.0) { r[x] = lowest; }
      }
    }
    if (kx + x >= nb) { r[x] = -inf_f32(); }
  }
  return r;
}

/** While every score of a row so far is -inf (its max m), nothing is added: its sum stays 0. */
fn none_yet(m: f32) -> bool { return is_inf(m) && m < 0.0; }

/** A row's factor exp(m_old - m_new) on what it summed before (1 while nothing was). */
fn rescale(m_old: f32, m_new: f32) -> f32 { return select(mx_exp(m_old - m_new), 1.0, none_yet(m_new)); }

/** A row's weights exp(s - m) of 4 scores (0 while nothing is summed). */
fn weights(s: vec4<f32>, m: f32) -> vec4<f32> {
  let e = vec4<f32>(mx_exp(s.x - m), mx_exp(s.y - m), mx_exp(s.z - m), mx_exp(s.w - m));
  return select(e, vec4<f32>(0.0), none_yet(m));
}

/** The largest of the 16 values of row r in red. */
fn red_max(r: u32) -> f32 {
  let a = max(red[r * 4u], red[r * 4u + 1u]);
  let c = max(a, max(red[r * 4u + 2u], red[r * 4u + 3u]));
  return max(max(c.x, c.y), max(c.z, c.w));
}

/** The sum of the 16 values of row r in red. */
fn red_sum(r: u32) -> f32 {
  return dot(red[r * 4u] + red[r * 4u + 1u] + red[r * 4u + 2u] + red[r * 4u + 3u], vec4<f32>(1.0));
}

@compute @workgroup_size(256)
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
  let D = params[30];
  let DV = params[31];
  let mask_kind = params[32];
  let first = (g % blocks) * BQ;
  // causal: no row of the block sees a key at or past kv_end (unless its first row sees none: then all count)
  var kv_end = Lkv;
  if (mask_kind == 1u && first + Lkv >= Lq) { kv_end = min(Lkv, min(first + BQ, Lq) + Lkv - Lq); }

  let ty = t / 16u;
  let tx = t % 16u;
  // the rows this invocation owns, and its output vec4 columns (c0 past DV4 reads
  // another V row's vec4s in the chunk: that column is never stored; c1 is
  // skipped past DV4, a constant test unless 16 < DV4 < 32)
  let r0 = first + ty * 4u;
  let c0 = tx;
  let c1 = tx + 16u;
  let has1 = DV4 == 32u || (DV4 > 16u && c1 < DV4);
  // staging a Q/K chunk: row (or key) t / 4 of the block, head-dim entries (t % 4) * 4 .. + 3 of the chunk
  let sr = t / 4u;
  let sd = (t % 4u) * 4u;
  let q_row = at4(6u, b, h, first + sr, 0u);
  let k_first = at4(11u, b, hk, 0u, 0u);
  let k_step = bitcast<i32>(params[14]);
  let v_first = at4(16u, b, hk, 0u, 0u);
  let v_step = bitcast<i32>(params[19]);

  // running max and this invocation's parts of the sums, per owned row
  var m = vec4<f32>(-inf_f32());
  var l = vec4<f32>(0.0);
  if (params[33] != 0u) {
    m = vec4<f32>(load_4(bitcast<u32>(bitcast<i32>(params[26]) + i32(h) * bitcast<i32>(params[27]))));
    l = vec4<f32>(select(0.0, 1.0, tx == 0u));
  }
  var a00 = vec4<f32>(0.0); var a10 = vec4<f32>(0.0); var a20 = vec4<f32>(0.0); var a30 = vec4<f32>(0.0);
  var a01 = vec4<f32>(0.0); var a11 = vec4<f32>(0.0); var a21 = vec4<f32>(0.0); var a31 = vec4<f32>(0.0);

  for (var j0 = 0u; j0 < kv_end; j0 += BK) {
    let nb = min(BK, kv_end - j0);
    let k_row = bitcast<u32>(bitcast<i32>(k_first) + i32(j0 + sr) * k_step);
    // s_y: row ty * 4 + y against keys tx * 4 .. tx * 4 + 3
    var s0 = vec4<f32>(0.0); var s1 = vec4<f32>(0.0); var s2 = vec4<f32>(0.0); var s3 = vec4<f32>(0.0);
    for (var ch = 0u; ch * DC < D; ch++) {
      var qw = vec4<f32>(0.0);
      var kw = vec4<f32>(0.0);
      for (var x = 0u; x < 4u; x++) {
        let d = ch * DC + sd + x;
        if (d < D) {
          if (first + sr < Lq) { qw[x] = load_0(q_row + d); }
          if (sr < nb) { kw[x] = load_1(k_row + d); }
        }
      }
      for (var x = 0u; x < 4u; x++) {
        stage[(sd + x) * SR + sr / 4u][sr % 4u] = qw[x];
        stage[DC * SR + (sd + x) * SR + sr / 4u][sr % 4u] = kw[x];
      }
      workgroupBarrier();
      for (var d = 0u; d < DC; d++) {
        let q = stage[d * SR + ty];
        let k = stage[DC * SR + d * SR + tx];
        s0 += q.x * k; s1 += q.y * k; s2 += q.z * k; s3 += q.w * k;
      }
      workgroupBarrier();
    }
    s0 = masked(s0, scale, r0, tx * 4u, j0, nb, b, h);
    s1 = masked(s1, scale, r0 + 1u, tx * 4u, j0, nb, b, h);
    s2 = masked(s2, scale, r0 + 2u, tx * 4u, j0, nb, b, h);
    s3 = masked(s3, scale, r0 + 3u, tx * 4u, j0, nb, b, h);
    red[(ty * 4u) * 4u + tx / 4u][tx % 4u] = max(max(s0.x, s0.y), max(s0.z, s0.w));
    red[(ty * 4u + 1u) * 4u + tx / 4u][tx % 4u] = max(max(s1.x, s1.y), max(s1.z, s1.w));
    red[(ty * 4u + 2u) * 4u + tx / 4u][tx % 4u] = max(max(s2.x, s2.y), max(s2.z, s2.w));
    red[(ty * 4u + 3u) * 4u + tx / 4u][tx % 4u] = max(max(s3.x, s3.y), max(s3.z, s3.w));
    workgroupBarrier();
    let m_new = max(m, vec4<f32>(red_max(ty * 4u), red_max(ty * 4u + 1u), red_max(ty * 4u + 2u), red_max(ty * 4u + 3u)));
    let alpha = vec4<f32>(rescale(m.x, m_new.x), rescale(m.y, m_new.y), rescale(m.z, m_new.z), rescale(m.w, m_new.w));
    let p0 = weights(s0, m_new.x);
    let p1 = weights(s1, m_new.y);
    let p2 = weights(s2, m_new.z);
    let p3 = weights(s3, m_new.w);
    l = l * alpha + vec4<f32>(dot(p0, vec4<f32>(1.0)), dot(p1, vec4<f32>(1.0)), dot(p2, vec4<f32>(1.0)), dot(p3, vec4<f32>(1.0)));
    m = m_new;
    for (var x = 0u; x < 4u; x++) {
      ps[(tx * 4u + x) * 16u + (ty ^ tx)] = vec4<f32>(p0[x], p1[x], p2[x], p3[x]);
    }
    a00 *= alpha.x; a10 *= alpha.y; a20 *= alpha.z; a30 *= alpha.w;
    a01 *= alpha.x; a11 *= alpha.y; a21 *= alpha.z; a31 *= alpha.w;
    // every invocation read its Q and K chunk before the barrier above: the V chunks take their place
    for (var kc = 0u; kc < nb; kc += VK) {
      for (var e = t; e < VK * DV4; e += 256u) {
        let j = e / DV4;
        let c4 = e % DV4;
        var w = vec4<f32>(0.0);
        if (kc + j < nb) {
          let base = bitcast<u32>(bitcast<i32>(v_first) + i32(j0 + kc + j) * v_step);
          for (var x = 0u; x < 4u; x++) { if (c4 * 4u + x < DV) { w[x] = load_2(base + c4 * 4u + x); } }
        }
        stage[e] = w;
      }
      workgroupBarrier();
      for (var j = 0u; j < VK; j++) {
        let key = kc + j;
        let p = ps[key * 16u + (ty ^ (key / 4u))];
        let v0 = stage[j * DV4 + c0];
        a00 += p.x * v0; a10 += p.y * v0; a20 += p.z * v0; a30 += p.w * v0;
        if (has1) {
          let v1 = stage[j * DV4 + c1];
          a01 += p.x * v1; a11 += p.y * v1; a21 += p.z * v1; a31 += p.w * v1;
        }
      }
      workgroupBarrier();
    }
  }
  // each row's sum: its 16 invocations' parts
  red[(ty * 4u) * 4u + tx / 4u][tx % 4u] = l.x;
  red[(ty * 4u + 1u) * 4u + tx / 4u][tx % 4u] = l.y;
  red[(ty * 4u + 2u) * 4u + tx / 4u][tx % 4u] = l.z;
  red[(ty * 4u + 3u) * 4u + tx / 4u][tx % 4u] = l.w;
  workgroupBarrier();
  put_row(r0, a00, a01, red_sum(ty * 4u), Lq, Lkv, bh, DV, c0, c1);
  put_row(r0 + 1u, a10, a11, red_sum(ty * 4u + 1u), Lq, Lkv, bh, DV, c0, c1);
  put_row(r0 + 2u, a20, a21, red_sum(ty * 4u + 2u), Lq, Lkv, bh, DV, c0, c1);
  put_row(r0 + 3u, a30, a31, red_sum(ty * 4u + 3u), Lq, Lkv, bh, DV, c0, c1);
}
