// Winograd F(2x2, 3x3) convolution, the three transforms around the 16 GEMMs
// (run by msl/matmul.metal): the weight transform U = G g G^T [16, C, O], the
// input transform V = B^T d B [16, P, C] of 4x4 input tiles (origin 2 * tile -
// pad_lo, positions outside the input read as 0 by index test) and the output
// transform Y = A^T m A of the 16 products [16, P, O] into 2x2 output tiles
// (edge tiles write only their pixels inside the output). One thread per
// (channel, tile) or (input, output channel); float transforms, one rounding to T
// at the output store.
// The host defines T (the storage type of the input, weight and output) and IDX (common.metal).
// params: winograd_weight [C, O, flip, w_off, w strides o, kh, kw, c];
//         winograd_input [p0, P, C, TH, TW, H, W, pad_h, pad_w, x_off, x strides n, h, w, c];
//         winograd_output [p0, P, O, TH, TW, Ho, Wo]  (p0: the chunk's first tile, P its tiles)

/** One row of G g G^T from a row of G g. */
inline float4 winograd_g_row(float3 r) { return float4(r.x, 0.5f * (r.x + r.y + r.z), 0.5f * (r.x - r.y + r.z), r.z); }

/** One row of B^T d B from a row of B^T d. */
inline float4 winograd_bt_row(float4 t) { return float4(t.x - t.z, t.y + t.z, t.z - t.y, t.y - t.w); }

/** One row of A^T m A from a row of A^T m. */
inline float2 winograd_at_row(float4 s) { return float2(s.x + s.y + s.z, s.y - s.z - s.w); }

kernel void winograd_weight(device float* u [[buffer(0)]], device const T* w [[buffer(1)]], constant IDX* p [[buffer(2)]],
                            uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX i = linear_id(pos, size);
  IDX C = p[0], O = p[1];
  if (i >= C * O) return;
  IDX o = i % O, c = i / O;
  IDX base = p[3] + o * p[4] + c * p[7];
  float3 g[3];
  for (int a = 0; a < 3; a++) {
    for (int b = 0; b < 3; b++) {
      int ka = p[2] != 0 ? 2 - a : a, kb = p[2] != 0 ? 2 - b : b;
      g[a][b] = float(w[base + ka * p[5] + kb * p[6]]);
    }
  }
  float4 rows[4] = {winograd_g_row(g[0]), winograd_g_row(0.5f * (g[0] + g[1] + g[2])), winograd_g_row(0.5f * (g[0] - g[1] + g[2])), winograd_g_row(g[2])};
  IDX plane = C * O;
  for (int k = 0; k < 4; k++) {
    for (int j = 0; j < 4; j++) u[(4 * k + j) * plane + c * O + o] = rows[k][j];
  }
}

kernel void winograd_input(device float* v [[buffer(0)]], device const T* x [[buffer(1)]], constant IDX* p [[buffer(2)]],
                           uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX i = linear_id(pos, size);
  IDX P = p[1], C = p[2];
  if (i >= P * C) return;
  IDX c = i % C, pl = i / C;
  IDX tile = p[0] + pl, TH = p[3], TW = p[4];
  IDX n = tile / (TH * TW), r = tile % (TH * TW);
  IDX y0 = 2 * (r / TW) - p[7], x0 = 2 * (r % TW) - p[8];
  IDX base = p[9] + n * p[10] + c * p[13];
  float4 d[4];
  for (int a = 0; a < 4; a++) {
    IDX y = y0 + a;
    d[a] = float4(0.0f);
    if (y < 0 || y >= p[5]) continue;
    for (int b = 0; b < 4; b++) {
      IDX xx = x0 + b;
      if (xx >= 0 && xx < p[6]) d[a][b] = float(x[base + y * p[11] + xx * p[12]]);
    }
  }
  float4 rows[4] = {winograd_bt_row(d[0] - d[2]), winograd_bt_row(d[1] + d[2]), winograd_bt_row(d[2] - d[1]), winograd_bt_row(d[1] - d[3])};
  IDX plane = P * C;
  for (int k = 0; k < 4; k++) {
    for (int j = 0; j < 4; j++) v[(4 * k + j) * plane + pl * C + c] = rows[k][j];
  }
}

kernel void winograd_output(device T* out [[buffer(0)]], device const float* m [[buffer(1)]], constant IDX* p [[buffer(2)]],
                            uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX i = linear_id(pos, size);
  IDX P = p[1], O = p[2];
  if (i >= P * O) return;
  IDX o = i % O, pl = i / O;
  IDX plane = P * O, e = pl * O + o;
  float4 mr[4];
  for (int k = 0; k < 4; k++) mr[k] = float4(m[(4 * k) * plane + e], m[(4 * k + 1) * plane + e], m[(4 * k + 2) * plane + e], m[(4 * k + 3) * plane + e]);
  float2 y[2] = {winograd_at_row(mr[0] + mr[1] + mr[2]), winograd_at_row(mr[1] - mr[2] - mr[3])};
  IDX tile = p[0] + pl, TH = p[3], TW = p[4], Ho = p[5], Wo = p[6];
  IDX n = tile / (TH * TW), r = tile % (TH * TW);
  IDX oy = 2 * (r / TW), ox = 2 * (r % TW);
  for (int a = 0; a < 2; a++) {
    for (int b = 0; b < 2; b++) {
      if (oy + a < Ho && ox + b < Wo) out[((n * Ho + oy + a) * Wo + ox + b) * O + o] = T(y[a][b]);
    }
  }
}
