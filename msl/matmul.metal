// Matmul C = A @ B over broadcast batches: a threadgroup of 16 x 16 threads
// computes a 32 x 32 tile of C, each thread a 2 x 2 block, over K in slabs of
// 16 staged in threadgroup memory. Operands are read through their strides
// (transposed operands and broadcast batches cost no copy); accumulation in
// float for float dtypes (integers wrap in 32 bits).
// The host defines T (storage type of A, B and C) and ACC (float, int or uint).
// params: [M, N, K, batch dims, a offset, a row stride, a col stride,
//          b offset, b row stride, b col stride, batch shape, a batch strides, b batch strides]

#define BM 32
#define BN 32
#define BK 16

inline float mul_add(float acc, float x, float y) { return acc + x * y; }
inline int mul_add(int acc, int x, int y) { return int(uint(acc) + uint(x) * uint(y)); }
inline uint mul_add(uint acc, uint x, uint y) { return acc + x * y; }

kernel void matmul(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const T* b [[buffer(2)]],
                   constant int* p [[buffer(3)]], uint3 tg [[threadgroup_position_in_grid]],
                   uint3 lt [[thread_position_in_threadgroup]]) {
  threadgroup ACC as[BK][BM];
  threadgroup ACC bs[BK][BN];
  int M = p[0], N = p[1], K = p[2], nb = p[3];
  int aoff = p[4], boff = p[7];
  uint rem = tg.z;
  for (int d = nb - 1; d >= 0; d--) {
    uint dim = uint(p[10 + d]);
    uint i = rem % dim;
    rem /= dim;
    aoff += int(i) * p[10 + nb + d];
    boff += int(i) * p[10 + 2 * nb + d];
  }
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
  device T* c = out + int(tg.z) * M * N;
  for (int i = 0; i < 2; i++) {
    int r = row0 + int(lt.y) + 16 * i;
    for (int j = 0; j < 2; j++) {
      int col = col0 + int(lt.x) + 16 * j;
      if (r < M && col < N) c[r * N + col] = T(acc[i][j]);
    }
  }
}
