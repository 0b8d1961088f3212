// Matmul C = A @ B over broadcast batches, a 32 x 32 tile of C per
// threadgroup, K in slabs of 16 staged in threadgroup memory. Operands are
// read through their strides (transposed operands and broadcast batches cost
// no copy). Float dtypes (matmul_simd): 4 simdgroups, each a 16 x 16 block as
// 2 x 2 simdgroup_float8x8 tiles multiplied with simdgroup_multiply_accumulate,
// accumulating in float. Integers (matmul): 16 x 16 threads, each a 2 x 2
// block, wrapping in 32 bits; complex64 (T and ACC cfloat) on the same plain
// kernel, accumulating complex products in float32 pairs.
// int8 @ int8 and uint8 @ uint8 (matmul_i8, where the host defines TIN, the
// operands' type, and T float): the products summed exactly, in 32 bits over
// each slab of 16 and the slabs' sums in 64 bits, stored as float rounded once.
// The host defines T (storage type of A, B and C), ACC (float, int, uint, long or ulong),
// FLOAT_ACC (1 for float dtypes, else 0) and IDX (common.metal): offsets and
// the output's index are IDX; M, N and K are dims (below 2^31).
// params: [M, N, K, batch dims, a offset, a row stride, a col stride,
//          b offset, b row stride, b col stride, batch shape, a batch strides, b batch strides]

#define BM 32
#define BN 32
#define BK 16

/** The batch's offset in operand k (0: A, 1: B; p: the params block). */
inline IDX batch_offset(constant IDX* p, uint batch, int k) {
  int nb = int(p[3]);
  IDX off = p[4 + 3 * k];
  for (int d = nb - 1; d >= 0; d--) {
    uint dim = uint(p[10 + d]);
    off += IDX(batch % dim) * p[10 + (1 + k) * nb + d];
    batch /= dim;
  }
  return off;
}

inline float mul_add(float acc, float x, float y) { return acc + x * y; }
inline float2 mul_add(float2 acc, float2 x, float2 y) { return acc + cmul(x, y); }
inline int mul_add(int acc, int x, int y) { return int(uint(acc) + uint(x) * uint(y)); }
inline uint mul_add(uint acc, uint x, uint y) { return acc + x * y; }
inline long mul_add(long acc, long x, long y) { return long(ulong(acc) + ulong(x) * ulong(y)); }
inline ulong mul_add(ulong acc, ulong x, ulong y) { return acc + x * y; }

kernel void matmul(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const T* b [[buffer(2)]],
                   constant IDX* p [[buffer(3)]], uint3 tg [[threadgroup_position_in_grid]],
                   uint3 lt [[thread_position_in_threadgroup]]) {
  threadgroup ACC as[BK][BM];
  threadgroup ACC bs[BK][BN];
  int M = int(p[0]), N = int(p[1]), K = int(p[2]);
  IDX aoff = batch_offset(p, tg.z, 0), boff = batch_offset(p, tg.z, 1);
  int row0 = int(tg.y) * BM, col0 = int(tg.x) * BN;
  uint tid = lt.y * 16 + lt.x;
  ACC acc[2][2] = {{ACC(0), ACC(0)}, {ACC(0), ACC(0)}};
  for (int k0 = 0; k0 < K; k0 += BK) {
    for (uint i = tid; i < BM * BK; i += 256) {
      int m = int(i / BK), k = int(i % BK);
      bool in = row0 + m < M && k0 + k < K;
      as[k][m] = in ? ACC(a[aoff + (row0 + m) * p[5] + (k0 + k) * p[6]]) : ACC(0);
    }
    for (uint i = tid; i < BK * BN; i += 256) {
      int k = int(i / BN), n = int(i % BN);
      bool in = k0 + k < K && col0 + n < N;
      bs[k][n] = in ? ACC(b[boff + (k0 + k) * p[8] + (col0 + n) * p[9]]) : ACC(0);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int k = 0; k < BK; k++) {
      for (int i = 0; i < 2; i++) {
        ACC x = as[k][lt.y + 16 * i];
        for (int j = 0; j < 2; j++) acc[i][j] = mul_add(acc[i][j], x, bs[k][lt.x + 16 * j]);
      }
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  device T* c = out + IDX(tg.z) * IDX(M) * IDX(N);
  for (int i = 0; i < 2; i++) {
    int r = row0 + int(lt.y) + 16 * i;
    for (int j = 0; j < 2; j++) {
      int col = col0 + int(lt.x) + 16 * j;
      if (r < M && col < N) c[IDX(r) * N + col] = T(acc[i][j]);
    }
  }
}

#ifdef TIN
/**
 * C (float) = A @ B for 8-bit integer A and B, exactly: a slab's 16 products sum in int (at most
 * 16 x 255^2), each slab's sum adds into a long (|C| < 2^31 x 2^16 = 2^47 for any K), and the long
 * converts to float once (to nearest even), the exact integer sum rounded once as the reference gives it.
 */
kernel void matmul_i8(device T* out [[buffer(0)]], device const TIN* a [[buffer(1)]], device const TIN* b [[buffer(2)]],
                      constant IDX* p [[buffer(3)]], uint3 tg [[threadgroup_position_in_grid]],
                      uint3 lt [[thread_position_in_threadgroup]]) {
  threadgroup int as[BK][BM];
  threadgroup int bs[BK][BN];
  int M = int(p[0]), N = int(p[1]), K = int(p[2]);
  IDX aoff = batch_offset(p, tg.z, 0), boff = batch_offset(p, tg.z, 1);
  int row0 = int(tg.y) * BM, col0 = int(tg.x) * BN;
  uint tid = lt.y * 16 + lt.x;
  long acc[2][2] = {{0l, 0l}, {0l, 0l}};
  for (int k0 = 0; k0 < K; k0 += BK) {
    for (uint i = tid; i < BM * BK; i += 256) {
      int m = int(i / BK), k = int(i % BK);
      bool in = row0 + m < M && k0 + k < K;
      as[k][m] = in ? int(a[aoff + (row0 + m) * p[5] + (k0 + k) * p[6]]) : 0;
    }
    for (uint i = tid; i < BK * BN; i += 256) {
      int k = int(i / BN), n = int(i % BN);
      bool in = k0 + k < K && col0 + n < N;
      bs[k][n] = in ? int(b[boff + (k0 + k) * p[8] + (col0 + n) * p[9]]) : 0;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    int slab[2][2] = {{0, 0}, {0, 0}};
    for (int k = 0; k < BK; k++) {
      for (int i = 0; i < 2; i++) {
        int x = as[k][lt.y + 16 * i];
        for (int j = 0; j < 2; j++) slab[i][j] += x * bs[k][lt.x + 16 * j];
      }
    }
    for (int i = 0; i < 2; i++)
      for (int j = 0; j < 2; j++) acc[i][j] += long(slab[i][j]);
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  device T* c = out + IDX(tg.z) * IDX(M) * IDX(N);
  for (int i = 0; i < 2; i++) {
    int r = row0 + int(lt.y) + 16 * i;
    for (int j = 0; j < 2; j++) {
      int col = col0 + int(lt.x) + 16 * j;
      if (r < M && col < N) c[IDX(r) * N + col] = T(acc[i][j]);
    }
  }
}
#endif

#if FLOAT_ACC
kernel void matmul_simd(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const T* b [[buffer(2)]],
                        constant IDX* p [[buffer(3)]], uint3 tg [[threadgroup_position_in_grid]],
                        uint t [[thread_index_in_threadgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup float as[BM * BK];
  threadgroup float bs[BK * BN];
  threadgroup float cs[BM * BN];
  int M = int(p[0]), N = int(p[1]), K = int(p[2]);
  IDX aoff = batch_offset(p, tg.z, 0), boff = batch_offset(p, tg.z, 1);
  int row0 = int(tg.y) * BM, col0 = int(tg.x) * BN;
  // simdgroup sg computes rows sm * 16 .. + 16 and columns sn * 16 .. + 16 of the tile
  int sm = int(sg) / 2, sn = int(sg) % 2;
  simdgroup_float8x8 c[2][2];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) c[i][j] = make_filled_simdgroup_matrix<float, 8, 8>(0.0f);
  for (int k0 = 0; k0 < K; k0 += BK) {
    for (uint i = t; i < BM * BK; i += 128) {
      int m = int(i / BK), k = int(i % BK);
      bool in = row0 + m < M && k0 + k < K;
      as[i] = in ? float(a[aoff + (row0 + m) * p[5] + (k0 + k) * p[6]]) : 0.0f;
    }
    for (uint i = t; i < BK * BN; i += 128) {
      int k = int(i / BN), n = int(i % BN);
      bool in = k0 + k < K && col0 + n < N;
      bs[i] = in ? float(b[boff + (k0 + k) * p[8] + (col0 + n) * p[9]]) : 0.0f;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int kk = 0; kk < BK; kk += 8) {
      simdgroup_float8x8 x[2], y[2];
      for (int i = 0; i < 2; i++) simdgroup_load(x[i], &as[(sm * 16 + i * 8) * BK + kk], BK);
      for (int j = 0; j < 2; j++) simdgroup_load(y[j], &bs[kk * BN + sn * 16 + j * 8], BN);
      for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) simdgroup_multiply_accumulate(c[i][j], x[i], y[j], c[i][j]);
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) simdgroup_store(c[i][j], &cs[(sm * 16 + i * 8) * BN + sn * 16 + j * 8], BN);
  threadgroup_barrier(mem_flags::mem_threadgroup);
  device T* dst = out + IDX(tg.z) * IDX(M) * IDX(N);
  for (uint i = t; i < BM * BN; i += 128) {
    int r = row0 + int(i / BN), col = col0 + int(i % BN);
    if (r < M && col < N) dst[IDX(r) * N + col] = T(cs[i]);
  }
}
#endif
