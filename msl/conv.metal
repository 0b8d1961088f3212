// Convolution as an implicit GEMM, one group per grid z: C[m, n] = sum_k A[m, k] B[k, n]
// with m an output pixel (batch and spatial position), n an output channel of
// the group and k = tap * Cg + c a kernel tap and input channel. A is never
// materialised: the threadgroup decodes its BM pixels once (batch offset and
// out * stride - pad_lo per axis) and each slab's BK values of k (tap * kernel
// dilation per axis, the channel's offset, the weight's offset), so staging an
// element of A is an add, a bounds test against the dilated input and a load
// (0 over padding and input-dilation holes; taps reversed in the weight when
// flipped). A 16 x 16 threadgroup computes a BM x BN tile of C, each thread
// rows ty * 4 + 64 v + r (v < TMV, r < 4: TMV float4s of the staged A) and columns tx * TN + j,
// over K in slabs of BK staged in threadgroup memory; float accumulation, one
// rounding to T at the store.
// The host defines T (the storage type: half, bfloat or float), TN (1 or 4), TMV (1 or 2),
// BV (float or conv_f4: TN accumulators of a row), IDIL1 (1 when every input
// dilation is 1) and IDX (common.metal): offsets are IDX, positions int.
// params: [M, Og, K, Cg, G, x_off, w_off, O, flip,
//          out[3], in[3], kernel[3], stride[3], pad_lo[3], kernel_dil[3], input_dil[3],
//          x strides[5] (n, d, h, w, c), w strides[5] (o, kd, kh, kw, c)]  (spatial axes padded to 3 in front)

#define BM (64 * TMV)
#define BN (16 * TN)
#define BK 16
// below any position a tap can add back: marks a pixel past M or a k past K
#define OUTSIDE (-1073741824)
// vector types by a typedef name in threadgroup declarations (the MSL execution layer reads vector constructors as macros)
typedef float4 conv_f4;
typedef int3 conv_i3;

inline int3 p3(constant IDX* p, int k) { return int3(int(p[k]), int(p[k + 1]), int(p[k + 2])); }

/** Tap index -> (kd, kh, kw). */
inline int3 tap3(constant IDX* p, int tap) {
  int KH = int(p[16]), KW = int(p[17]);
  return int3(tap / (KH * KW), (tap / KW) % KH, tap % KW);
}

inline void put(device T* out, constant IDX* p, IDX m, IDX g, IDX n, float v) {
  if (m < p[0] && n < p[1]) out[m * p[7] + g * p[1] + n] = T(v);
}

kernel void conv(device T* out [[buffer(0)]], device const T* x [[buffer(1)]], device const T* w [[buffer(2)]],
                 constant IDX* p [[buffer(3)]], uint3 tg [[threadgroup_position_in_grid]],
                 uint3 lt [[thread_position_in_threadgroup]]) {
  threadgroup conv_f4 tile_a[BK * BM / 4];
  threadgroup BV tile_b[BK * 16];
  threadgroup IDX row_base[BM];
  threadgroup conv_i3 row_q[BM];
  threadgroup conv_i3 col_t[BK];
  threadgroup IDX col_c[BK];
  threadgroup IDX col_w[BK];
  IDX M = p[0], Og = p[1], K = p[2], Cg = p[3], g = IDX(tg.z);
  IDX m0 = IDX(tg.y) * BM, n0 = IDX(tg.x) * BN;
  uint t = lt.y * 16 + lt.x, tx = lt.x, ty = lt.y;
  int3 idil = p3(p, 27);
  int3 in_extent = (p3(p, 12) - 1) * idil + 1;
  IDX xs_d = p[31], xs_h = p[32], xs_w = p[33];
  IDX w_row = p[6] + g * Og * p[35];
  // the tile's pixels, decoded once
  if (t < BM) {
    IDX m = m0 + t;
    if (m < M) {
      IDX OH = p[10], OW = p[11], per_n = p[9] * OH * OW, r = m % per_n;
      int3 o = int3(int(r / (OH * OW)), int((r / OW) % OH), int(r % OW));
      row_base[t] = p[5] + (m / per_n) * p[30];
      row_q[t] = o * p3(p, 18) - p3(p, 21);
    } else {
      row_base[t] = 0;
      row_q[t] = int3(OUTSIDE);
    }
  }
  BV acc[4 * TMV];
  for (int i = 0; i < 4 * TMV; i++) acc[i] = BV(0.0f);
  for (IDX k0 = 0; k0 < K; k0 += BK) {
    // this slab's values of k, decoded once
    if (t < BK) {
      IDX k = k0 + t;
      if (k < K) {
        int tap = int(k / Cg);
        IDX c = k % Cg;
        col_t[t] = tap3(p, tap) * p3(p, 24);
        col_c[t] = (g * Cg + c) * p[34];
        int wt = p[8] != 0 ? int(K / Cg) - 1 - tap : tap;
        int3 w3 = tap3(p, wt);
        col_w[t] = w3.x * p[36] + w3.y * p[37] + w3.z * p[38] + c * p[39];
      } else {
        col_t[t] = int3(OUTSIDE);
        col_c[t] = 0;
        col_w[t] = 0;
      }
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    // k fastest: neighbouring threads read neighbouring channels of one pixel / one weight row
    for (uint e = t; e < BM * BK; e += 256) {
      uint kk = e % BK, mm = e / BK;
      int3 q = row_q[mm] + col_t[kk];
      float v = 0.0f;
      bool inside = all(q >= 0) && all(q < in_extent);
#if !IDIL1
      inside = inside && all(q % idil == 0);
      q = q / idil;
#endif
      if (inside) v = float(x[row_base[mm] + q.x * xs_d + q.y * xs_h + q.z * xs_w + col_c[kk]]);
      tile_a[kk * (BM / 4) + mm / 4][mm % 4] = v;
    }
    for (uint e = t; e < BN * BK; e += 256) {
      uint kk = e % BK, n = e / BK;
      float v = 0.0f;
      if (n0 + IDX(n) < Og && col_t[kk].x >= 0) v = float(w[w_row + (n0 + IDX(n)) * p[35] + col_w[kk]]);
#if TN == 4
      tile_b[kk * 16 + n / 4][n % 4] = v;
#else
      tile_b[kk * 16 + n] = v;
#endif
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int k = 0; k < BK; k++) {
      BV b = tile_b[k * 16 + tx];
      for (int v = 0; v < TMV; v++) {
        float4 a = tile_a[k * (BM / 4) + ty + 16 * v];
        acc[4 * v] += a.x * b;
        acc[4 * v + 1] += a.y * b;
        acc[4 * v + 2] += a.z * b;
        acc[4 * v + 3] += a.w * b;
      }
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  for (int i = 0; i < 4 * TMV; i++) {
    IDX m = m0 + IDX(ty) * 4 + 64 * (i / 4) + i % 4;
#if TN == 4
    for (int j = 0; j < 4; j++) put(out, p, m, g, n0 + IDX(tx) * 4 + j, acc[i][j]);
#else
    put(out, p, m, g, n0 + IDX(tx), acc[i]);
#endif
  }
}
