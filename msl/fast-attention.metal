// Scaled dot-product attention as a tiled flash attention with an online
// softmax (the algorithm of wgsl/fast-attention.wgsl). One threadgroup of
// BQ * TPR threads per block of BQ query rows of one (batch, query head);
// thread (r, c) = (t / TPR, t % TPR) serves row r. The block's q rows are
// staged once in threadgroup memory (float); per tile of BK keys the
// threadgroup stages K and V rows there too; each thread
// computes the scores of its row for keys c, c + TPR, ... (scale * q.k, then
// the mask); then the row's new running max (float, identical across the
// row's TPR threads), the weights exp(s - max) of the same keys, and each
// thread folds the tile's weights into the row's sum and rescales its
// accumulators, output columns c, c + TPR, ... The L_q x L_kv scores never
// exist. Query head h reads key/value head h / (Hq / Hkv).
// MASK: 0 none, 1 causal (key j masked past i + Lkv - Lq; tiles past the
// block's last visible key are skipped unless a row sees no key), 2 additive, 3 bool
// (true attends), read per element through the mask's strides. A masked key
// scores `lowest`, as MLX's composition. SINKS: the row starts with m = sink,
// l = 1. A row whose scores are all -inf gives NaN; no keys give 0.
// The host defines T (q, k, v, sinks), MT (the mask), DP (the head dim D
// rounded up to a multiple of 16, so few head dims share a library; the
// padding is zeros), BQ, TPR, BK, DVT (accumulators per thread: DV <= DVT *
// TPR), QT, KT, VT (tile sizes) and IDX/UIDX (common.metal). The head dims,
// MASK and SINKS are params. Absent mask and sinks bind q again (never read).
// params: [Hq, Hkv, Lq, Lkv, row blocks, groups, q offset, q strides[4],
//          k offset, k strides[4], v offset, v strides[4], mask offset,
//          mask strides[4], sinks offset, sinks stride, scale, lowest (float bits),
//          D, DV, MASK, SINKS (0 or 1)]
// The output is T [B, Hq, Lq, DV], row-major.

/** Offset of element (a, b, c, d) of the operand whose offset and strides start at p[k]. */
inline IDX at4(constant IDX* p, int k, IDX a, IDX b, IDX c, IDX d) {
  return p[k] + a * p[k + 1] + b * p[k + 2] + c * p[k + 3] + d * p[k + 4];
}

kernel void attention(device T* out [[buffer(0)]], device const T* q [[buffer(1)]], device const T* k [[buffer(2)]],
                      device const T* v [[buffer(3)]], device const MT* mask [[buffer(4)]], device const T* sinks [[buffer(5)]],
                      constant IDX* p [[buffer(6)]], uint2 gpos [[threadgroup_position_in_grid]], uint2 gcount [[threadgroups_per_grid]],
                      uint t [[thread_index_in_threadgroup]]) {
  threadgroup float qt[QT];
  threadgroup float kt[KT];
  threadgroup float vt[VT];
  threadgroup float st[BQ * BK];
  threadgroup float pt[BQ * BK];
  IDX g = linear_id(gpos, gcount);
  if (g >= p[5]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */
  IDX Hq = p[0], Hkv = p[1], Lq = p[2], Lkv = p[3], blocks = p[4];
  IDX bh = g / blocks;
  IDX b = bh / Hq, h = bh % Hq;
  IDX hk = h / (Hq / Hkv);
  IDX r = IDX(t) / TPR, c = IDX(t) % TPR;
  IDX i = (g % blocks) * BQ + r;
  bool valid = i < Lq;
  float scale = as_type<float>(int(p[28]));
  float lowest = as_type<float>(int(p[29]));
  IDX D = p[30], DV = p[31];
  int mask_kind = int(p[32]);
  bool has_sinks = p[33] != 0;
  IDX first = (g % blocks) * BQ;
  // causal: no row of the block sees a key at or past kv_end (unless its first row sees none: then all count)
  IDX kv_end = Lkv;
  if (mask_kind == 1 && first + Lkv >= Lq) kv_end = min(Lkv, min(first + BQ, Lq) + Lkv - Lq);

  float m = -INFINITY;
  float l = 0.0f;
  if (has_sinks) {
    m = float(sinks[p[26] + h * p[27]]);
    l = 1.0f;
  }
  float acc[DVT];
  for (int x = 0; x < DVT; x++) acc[x] = 0.0f;

  for (IDX e = IDX(t); e < BQ * DP; e += BQ * TPR) {
    IDX row = first + e / DP, d = e % DP;
    qt[e] = row < Lq && d < D ? float(q[at4(p, 6, b, h, row, d)]) : 0.0f;
  }
  for (IDX j0 = 0; j0 < kv_end; j0 += BK) {
    IDX nb = min(IDX(BK), kv_end - j0);
    for (IDX e = IDX(t); e < nb * DP; e += BQ * TPR) kt[e] = e % DP < D ? float(k[at4(p, 11, b, hk, j0 + e / DP, e % DP)]) : 0.0f;
    for (IDX e = IDX(t); e < nb * DV; e += BQ * TPR) vt[e] = float(v[at4(p, 16, b, hk, j0 + e / DV, e % DV)]);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (IDX j = c; j < nb; j += TPR) {
      float s = 0.0f;
      if (valid) {
        for (int d = 0; d < DP; d++) s += qt[r * DP + d] * kt[j * DP + d];
        s *= scale;
        IDX key = j0 + j;
        if (mask_kind == 1 && key > i + Lkv - Lq) s = lowest;
        if (mask_kind == 2) s += float(mask[at4(p, 21, b, h, i, key)]);
        if (mask_kind == 3 && !bool(mask[at4(p, 21, b, h, i, key)])) s = lowest;
      }
      st[r * BK + j] = s;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    // the row's new max (each thread of the row alike), then the weights of the thread's own keys
    float tile_max = -INFINITY;
    for (IDX j = 0; j < nb; j++) tile_max = max(tile_max, st[r * BK + j]);
    float m_new = max(m, tile_max);
    // while every score so far is -inf nothing is added (l stays 0)
    bool none = m_new == -INFINITY;
    for (IDX j = c; j < nb; j += TPR) pt[r * BK + j] = none ? 0.0f : exp(st[r * BK + j] - m_new);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (valid) {
      float alpha = none ? 1.0f : exp(m - m_new);
      l *= alpha;
      for (int x = 0; x < DVT; x++) acc[x] *= alpha;
      for (IDX j = 0; j < nb; j++) {
        float e = pt[r * BK + j];
        l += e;
        for (int x = 0; x < DVT; x++) {
          IDX dv = c + x * TPR;
          if (dv < DV) acc[x] += e * vt[j * DV + dv];
        }
      }
      m = m_new;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (!valid) return;
  IDX row = (bh * Lq + i) * DV;
  for (int x = 0; x < DVT; x++) {
    IDX dv = c + x * TPR;
    if (dv < DV) out[row + dv] = T(l == 0.0f ? (Lkv == 0 ? 0.0f : NAN) : acc[x] / l);
  }
}
