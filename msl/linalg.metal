// Dense linear algebra in float32 (backends/metal/linalg*.ts drives them):
// the blocked building blocks of Cholesky, triangular solves, LU with partial
// pivoting and Householder QR, batched (the batch index is the last grid
// dimension, or the threadgroup id). The host copies an op's inputs into one
// contiguous float32 workspace first (load_matrix), and every other kernel
// binds that one buffer (no buffer is bound twice) and sees each matrix in it
// as (offset, row stride, column stride, batch stride): an upper triangle is
// the lower triangle of the matrix read backwards (negative strides), a
// transposed operand swaps the two strides.
//   load_matrix     one thread per element: a strided (broadcast) batch into a
//                   contiguous one, plain or mirrored from one triangle
//   store_matrix    one thread per element: a triangle (or its transpose) with
//                   the rest zero
//   fill_identity   one thread per element (the first columns of identities)
//   gemm_sub        C -= A B (or C = -A B), a 16 x 16 tile of C per threadgroup,
//                   K in slabs of 16 in threadgroup memory (lower_only: tiles
//                   above the diagonal skipped)
//   trsm_block      L X = B for a diagonal block L of at most NB rows and many
//                   right-hand sides: a threadgroup per (batch, 8 columns of B),
//                   L and B in threadgroup memory, one barrier per row
//   chol_block      Cholesky of a diagonal block of at most NB rows, in
//                   threadgroup memory, right-looking (three barriers a column)
//   lu_panel        LU with partial pivoting of NB columns over all rows below:
//                   pivot search by simd shuffles then threadgroup partials,
//                   parallel row swaps, scaling and panel updates
//   lu_swap         the panel's row swaps on the other columns (a thread each)
//   qr_panel        Householder reflectors of NB columns (LAPACK's convention:
//                   beta = -sign(alpha) ||x||), a threadgroup per matrix: norms
//                   by simd_sum, reflections a simdgroup per column
//   qr_wy           the panel's WY form I - V T V^T (explicit V, triangular T);
//                   the host applies it to the trailing columns and forms Q
//                   with gemm_sub passes
// params: described at each kernel. T is float (the workspace type) and the
// input and output storage type is S.

#define NB 32
#define TILE 16
#define RHS 8

#ifndef S
#define S float
#endif

// ---- load / store ------------------------------------------------------------

/** The offset of batch item `b` in a strided operand: batch dims at p[first], shape then strides. */
inline IDX strided_batch(constant IDX* p, int first, IDX b) {
  int nd = int(p[first]);
  IDX off = 0;
  UIDX rem = UIDX(b);
  for (int d = nd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[first + 1 + d]);
    off += IDX(rem % dim) * p[first + 1 + nd + d];
    rem /= dim;
  }
  return off;
}

// params: [total, R, C, mode (0 plain, 1 mirrored from the lower triangle, 2 from the upper),
//          src offset, row stride, col stride, dst offset, batch dims, batch shape, batch strides]
kernel void load_matrix(device T* dst [[buffer(0)]], device const S* src [[buffer(1)]], constant IDX* p [[buffer(2)]],
                        uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  IDX R = p[1], C = p[2];
  IDX b = e / (R * C), r = (e / C) % R, c = e % C;
  int mode = int(p[3]);
  IDX i = r, j = c;
  if (mode == 1) { i = max(r, c); j = min(r, c); }
  if (mode == 2) { i = min(r, c); j = max(r, c); }
  dst[p[7] + e] = T(src[p[4] + strided_batch(p, 8, b) + i * p[5] + j * p[6]]);
}

// params: [total, R, C, mode (0 plain, 1 lower triangle, 2 upper triangle, 3 the lower triangle transposed),
//          src offset, src batch stride]; src rows are C long (the first R rows of a taller matrix, or
//          R = C for mode 3)
kernel void store_matrix(device S* dst [[buffer(0)]], device const T* src [[buffer(1)]], constant IDX* p [[buffer(2)]],
                         uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  IDX R = p[1], C = p[2];
  IDX base = p[4] + (e / (R * C)) * p[5], r = (e / C) % R, c = e % C;
  int mode = int(p[3]);
  T v = mode == 3 ? src[base + c * C + r] : src[base + r * C + c];
  bool zero = (mode == 1 && c > r) || ((mode == 2 || mode == 3) && c < r);
  dst[e] = S(zero ? T(0) : v);
}

// The first C columns of R x R identities. params: [total, R, C, dst offset]
kernel void fill_identity(device T* dst [[buffer(0)]], constant IDX* p [[buffer(1)]],
                          uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  IDX C = p[2];
  dst[p[3] + e] = (e / C) % p[1] == e % C ? T(1) : T(0);
}

// ---- C -= A B ----------------------------------------------------------------

// params: [M, N, K, lower_only, c off, rs, cs, bs, a off, rs, cs, bs, b off, rs, cs, bs, overwrite]
// (overwrite: C = -A B, C's old values not read)
// (C's region of w disjoint from A's and B's)
kernel void gemm_sub(device T* w [[buffer(0)]], constant IDX* p [[buffer(1)]], uint3 tg [[threadgroup_position_in_grid]],
                     uint3 lt [[thread_position_in_threadgroup]]) {
  threadgroup T as[TILE][TILE + 1];
  threadgroup T bs[TILE][TILE + 1];
  IDX M = p[0], N = p[1], K = p[2];
  IDX row0 = IDX(tg.y) * TILE, col0 = IDX(tg.x) * TILE;
  if (p[3] != 0 && col0 > row0 + TILE - 1) return;  // the whole tile lies above the diagonal (uniform per threadgroup)
  IDX batch = IDX(tg.z);
  IDX coff = p[4] + batch * p[7], aoff = p[8] + batch * p[11], boff = p[12] + batch * p[15];
  IDX i = row0 + IDX(lt.y), j = col0 + IDX(lt.x);
  T acc = T(0);
  for (IDX k0 = 0; k0 < K; k0 += TILE) {
    IDX ka = k0 + IDX(lt.x), kb = k0 + IDX(lt.y);
    as[lt.y][lt.x] = i < M && ka < K ? w[aoff + i * p[9] + ka * p[10]] : T(0);
    bs[lt.y][lt.x] = kb < K && j < N ? w[boff + kb * p[13] + j * p[14]] : T(0);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int k = 0; k < TILE; k++) acc = fma(as[lt.y][k], bs[k][lt.x], acc);
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  if (i < M && j < N) {
    device T* dst = w + coff + i * p[5] + j * p[6];
    *dst = p[16] != 0 ? -acc : *dst - acc;
  }
}

// ---- triangular solve of a diagonal block ------------------------------------

// L X = B in place of B (both in w, apart): L the nb x nb lower triangle (its upper part is not read), B nb x k.
// With tri set, B is the block of rows row0.. of an identity whose inverse is lower triangular: column
// `col` is zero before row col, and those entries stay exactly zero, as in the cpu's column-by-column
// triangular inverse (a zero pivot then spreads no NaN into them).
// params: [nb, k, unit, l off, rs, cs, bs, b off, rs, cs, bs, tri, row0]; threadgroups (k / RHS, batch),
// 256 threads: thread t holds row t % NB of column t / NB.
kernel void trsm_block(device T* w [[buffer(0)]], constant IDX* p [[buffer(1)]],
                       uint2 tg [[threadgroup_position_in_grid]], uint t [[thread_index_in_threadgroup]]) {
  threadgroup T ls[NB][NB + 1];
  threadgroup T xs[NB][RHS];
  int nb = int(p[0]);
  bool unit = p[2] != 0;
  IDX batch = IDX(tg.y);
  IDX loff = p[3] + batch * p[6], xoff = p[7] + batch * p[10];
  int r = int(t % NB), c = int(t / NB);
  IDX col = IDX(tg.x) * RHS + c;
  bool live = r < nb && col < p[1];
  for (int q = c; q < NB; q += RHS) ls[r][q] = r < nb && q <= r ? w[loff + r * p[4] + q * p[5]] : T(0);
  xs[r][c] = live ? w[xoff + r * p[8] + col * p[9]] : T(0);
  // rows of this column before `first` are structurally zero (tri), else none are
  IDX first = p[11] != 0 ? col - p[12] : IDX(0);
  for (int i = 0; i < nb; i++) {
    threadgroup_barrier(mem_flags::mem_threadgroup);
    T xi = unit ? xs[i][c] : xs[i][c] / ls[i][i];
    if (r > i && IDX(i) >= first) xs[r][c] = xs[r][c] - ls[r][i] * xi;
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (live) w[xoff + r * p[8] + col * p[9]] = IDX(r) < first ? T(0) : unit ? xs[r][c] : xs[r][c] / ls[r][r];
}

// ---- Cholesky of a diagonal block --------------------------------------------

// The lower Cholesky factor of the nb x nb block at w (lower triangle read and written, in place); a pivot
// that is not positive is NaN, and so then is every column after it. params: [nb, off, rs, bs]; a threadgroup
// of 256 threads per batch item.
kernel void chol_block(device T* w [[buffer(0)]], constant IDX* p [[buffer(1)]],
                       uint2 tg [[threadgroup_position_in_grid]], uint t [[thread_index_in_threadgroup]]) {
  threadgroup T a[NB][NB + 1];
  int nb = int(p[0]);
  IDX off = p[1] + IDX(tg.y) * p[3], rs = p[2];
  for (int e = int(t); e < nb * nb; e += 256) {
    int i = e / nb, j = e % nb;
    a[i][j] = j <= i ? w[off + i * rs + j] : T(0);
  }
  for (int j = 0; j < nb; j++) {
    threadgroup_barrier(mem_flags::mem_threadgroup);
    T d = a[j][j];
    T pivot = d > T(0) ? sqrt(d) : T(NAN);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    for (int i = j + int(t); i < nb; i += 256) a[i][j] = i == j ? pivot : a[i][j] / pivot;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    // trailing update of the lower triangle: rows and columns after j
    int m = nb - j - 1;
    for (int e = int(t); e < m * m; e += 256) {
      int i = j + 1 + e / m, q = j + 1 + e % m;
      if (q <= i) a[i][q] = a[i][q] - a[i][j] * a[q][j];
    }
  }
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (int e = int(t); e < nb * nb; e += 256) {
    int i = e / nb, j = e % nb;
    if (j <= i) w[off + i * rs + j] = a[i][j];
  }
}

// ---- LU with partial pivoting ------------------------------------------------

/** The (|value|, row) pair that wins: the larger value, the lower row on a tie (LAPACK's first largest). */
inline bool better(T v, int i, T bv, int bi) { return v > bv || (v == bv && i < bi); }

// Columns [kb, kb + nb) of the n x n matrix at w factored over rows [kb, n): L below the diagonal (unit
// diagonal implied), U on and above; the panel's swaps recorded in piv (row j swapped with piv[j]), and
// info[b] set to 1 at an exact zero pivot (info zeroed by the first panel).
// params: [n, kb, nb, offset, batch stride (rows n long), piv batch stride]; a threadgroup of 256 threads per batch item.
kernel void lu_panel(device T* w [[buffer(0)]], device int* piv [[buffer(1)]], device uint* info [[buffer(2)]],
                     constant IDX* p [[buffer(3)]], uint2 tg [[threadgroup_position_in_grid]],
                     uint t [[thread_index_in_threadgroup]], uint lane [[thread_index_in_simdgroup]],
                     uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup T best_v[8];
  threadgroup int best_i[8];
  threadgroup int pivot_row;
  int n = int(p[0]), kb = int(p[1]), nb = int(p[2]);
  IDX batch = IDX(tg.y);
  device T* a = w + p[3] + batch * p[4];
  if (kb == 0 && t == 0) info[batch] = 0u;
  for (int j = kb; j < kb + nb; j++) {
    // pivot search over rows j..n-1: each thread its strided share, then its simdgroup, then the threadgroup
    T bv = T(-1);
    int bi = n;
    for (int i = j + int(t); i < n; i += 256) {
      T v = fabs(a[IDX(i) * n + j]);
      if (better(v, i, bv, bi)) { bv = v; bi = i; }
    }
    for (ushort s = 16; s > 0; s >>= 1) {
      T ov = simd_shuffle_down(bv, s);
      int oi = simd_shuffle_down(bi, s);
      if (better(ov, oi, bv, bi)) { bv = ov; bi = oi; }
    }
    if (lane == 0) { best_v[sg] = bv; best_i[sg] = bi; }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    if (t == 0) {
      for (int g = 1; g < 8; g++) if (better(best_v[g], best_i[g], bv, bi)) { bv = best_v[g]; bi = best_i[g]; }
      int r = bi < n ? bi : j;  // no candidate compared (NaN): keep the diagonal row
      pivot_row = r;
      piv[batch * p[5] + j] = r;
      if (a[IDX(r) * n + j] == T(0)) info[batch] = 1u;
    }
    threadgroup_barrier(mem_flags::mem_threadgroup);
    int r = pivot_row;
    if (r != j) {
      for (int q = kb + int(t); q < kb + nb; q += 256) {
        T u = a[IDX(j) * n + q];
        a[IDX(j) * n + q] = a[IDX(r) * n + q];
        a[IDX(r) * n + q] = u;
      }
    }
    threadgroup_barrier(mem_flags::mem_device);
    T d = a[IDX(j) * n + j];
    if (d != T(0)) for (int i = j + 1 + int(t); i < n; i += 256) a[IDX(i) * n + j] = a[IDX(i) * n + j] / d;
    threadgroup_barrier(mem_flags::mem_device);
    // the panel's columns after j, rows after j
    int cols = kb + nb - j - 1;
    if (cols > 0) {
      int rows = n - j - 1;
      for (int e = int(t); e < rows * cols; e += 256) {
        int i = j + 1 + e / cols, q = j + 1 + e % cols;
        a[IDX(i) * n + q] = a[IDX(i) * n + q] - a[IDX(i) * n + j] * a[IDX(j) * n + q];
      }
    }
    threadgroup_barrier(mem_flags::mem_device);
  }
}

// The swaps of pivots [kb, kb + nb) applied in order to the columns of an operand with n rows, except
// columns [skip0, skip1). params: [cols, kb, nb, off, rs, cs, bs, piv bs, skip0, skip1]; grid (cols, batch).
kernel void lu_swap(device T* m [[buffer(0)]], device const int* piv [[buffer(1)]], constant IDX* p [[buffer(2)]],
                    uint2 pos [[thread_position_in_grid]]) {
  IDX c = IDX(pos.x), batch = IDX(pos.y);
  if (c >= p[0] || (c >= p[8] && c < p[9])) return;
  IDX base = p[3] + batch * p[6] + c * p[5];
  for (int j = int(p[1]); j < int(p[1] + p[2]); j++) {
    int r = piv[batch * p[7] + j];
    if (r == j) continue;
    T u = m[base + j * p[4]];
    m[base + j * p[4]] = m[base + r * p[4]];
    m[base + r * p[4]] = u;
  }
}

// ---- Householder QR (blocked, WY) -------------------------------------------

/** The sum of `v` over the threadgroup (256 threads, 8 simdgroups), in every thread. */
inline T group_sum(T v, threadgroup T* partial, uint lane, uint sg) {
  v = simd_sum(v);
  if (lane == 0) partial[sg] = v;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  T s = T(0);
  for (int g = 0; g < 8; g++) s += partial[g];
  threadgroup_barrier(mem_flags::mem_threadgroup);
  return s;
}

// The panel of columns [j0, j1) of the m x n matrices at w (offset 0) reduced in place: R on and above the
// diagonal, the reflectors' vectors v below it (v[j] = 1 implied), tau[j] per reflector (0 where the
// column is already zero below the diagonal). Each reflection is applied to the panel's later columns,
// w_c -= tau (v . w_c) v, a simdgroup per column. params: [m, n, w bs, tau bs, j0, j1]; a threadgroup
// of 256 threads per batch item.
kernel void qr_panel(device T* w [[buffer(0)]], device T* tau [[buffer(1)]], constant IDX* p [[buffer(2)]],
                     uint2 tg [[threadgroup_position_in_grid]], uint t [[thread_index_in_threadgroup]],
                     uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup T partial[8];
  int m = int(p[0]), n = int(p[1]), j1 = int(p[5]);
  device T* a = w + IDX(tg.y) * p[2];
  device T* ta = tau + IDX(tg.y) * p[3];
  for (int j = int(p[4]); j < j1; j++) {
    // ||x[1:]|| scaled by its largest entry, so that squares neither overflow nor underflow
    T mx = T(0);
    for (int i = j + 1 + int(t); i < m; i += 256) mx = max(mx, fabs(a[IDX(i) * n + j]));
    mx = simd_max(mx);
    if (lane == 0) partial[sg] = mx;
    threadgroup_barrier(mem_flags::mem_threadgroup);
    T scale = T(0);
    for (int g = 0; g < 8; g++) scale = max(scale, partial[g]);
    threadgroup_barrier(mem_flags::mem_threadgroup);
    T ss = T(0);
    if (scale > T(0)) for (int i = j + 1 + int(t); i < m; i += 256) { T q = a[IDX(i) * n + j] / scale; ss += q * q; }
    T norm = scale * sqrt(group_sum(ss, partial, lane, sg));
    T alpha = a[IDX(j) * n + j];
    if (norm == T(0)) {
      if (t == 0) ta[j] = T(0);
      continue;
    }
    T beta = (alpha >= T(0) ? T(-1) : T(1)) * sqrt(alpha * alpha + norm * norm);
    T tj = (beta - alpha) / beta;
    for (int i = j + 1 + int(t); i < m; i += 256) a[IDX(i) * n + j] = a[IDX(i) * n + j] / (alpha - beta);
    if (t == 0) ta[j] = tj;
    threadgroup_barrier(mem_flags::mem_device);
    for (int c = j + 1 + int(sg); c < j1; c += 8) {
      T d = T(0);
      for (int i = j + int(lane); i < m; i += 32) d += (i == j ? T(1) : a[IDX(i) * n + j]) * a[IDX(i) * n + c];
      d = tj * simd_sum(d);
      for (int i = j + int(lane); i < m; i += 32) a[IDX(i) * n + c] = a[IDX(i) * n + c] - d * (i == j ? T(1) : a[IDX(i) * n + j]);
    }
    threadgroup_barrier(mem_flags::mem_device);
    // read by nobody else after this step
    if (t == 0) a[IDX(j) * n + j] = beta;
  }
}

// The WY form of panel [j0, j0 + nb): H_j0 ... H_{j0+nb-1} = I - V T V^T. V (the explicit m x k matrix at
// v: unit diagonal, zero above, the panel's reflectors below, from w) and T (nb x nb upper triangular, rows
// j0.. of the k x NB matrix at tm: T[j][j] = tau_j, T[0:j, j] = -tau_j T[0:j, 0:j] V^T v_j) are written; the
// Gram products V^T V a simdgroup per pair. params: [m, n, k, j0, nb, w bs, tau bs, v off, v bs, t off, t bs];
// a threadgroup of 256 threads per batch item. (v and t are regions of w's buffer, after the matrices.)
kernel void qr_wy(device T* w [[buffer(0)]], device const T* tau [[buffer(1)]], constant IDX* p [[buffer(2)]],
                  uint2 tg [[threadgroup_position_in_grid]], uint t [[thread_index_in_threadgroup]],
                  uint lane [[thread_index_in_simdgroup]], uint sg [[simdgroup_index_in_threadgroup]]) {
  threadgroup T gram[NB][NB + 1];
  threadgroup T tt[NB][NB + 1];
  int m = int(p[0]), n = int(p[1]), k = int(p[2]), j0 = int(p[3]), nb = int(p[4]);
  IDX batch = IDX(tg.y);
  device const T* a = w + batch * p[5];
  device const T* ta = tau + batch * p[6];
  device T* v = w + p[7] + batch * p[8];
  device T* tm = w + p[9] + batch * p[10];
  int rows = m - j0;
  for (int e = int(t); e < rows * nb; e += 256) {
    int i = j0 + e / nb, j = j0 + e % nb;
    v[IDX(i) * k + j] = i < j ? T(0) : i == j ? T(1) : a[IDX(i) * n + j];
  }
  // V's rows above j0 in these columns are zero
  for (int e = int(t); e < j0 * nb; e += 256) v[IDX(e / nb) * k + j0 + e % nb] = T(0);
  threadgroup_barrier(mem_flags::mem_device);
  // gram[i][j] = v_i . v_j for i < j, over rows j0 + j.. (v_j is zero above)
  for (int q = int(sg); q < nb * nb; q += 8) {
    int i = q / nb, j = q % nb;
    if (i >= j) continue;
    T d = T(0);
    for (int r = j0 + j + int(lane); r < m; r += 32) d += v[IDX(r) * k + j0 + i] * v[IDX(r) * k + j0 + j];
    d = simd_sum(d);
    if (lane == 0) gram[i][j] = d;
  }
  for (int e = int(t); e < NB * NB; e += 256) tt[e / NB][e % NB] = T(0);
  threadgroup_barrier(mem_flags::mem_threadgroup);
  for (int j = 0; j < nb; j++) {
    T tj = ta[j0 + j];
    int i = int(t);
    if (i < j) {
      T s = T(0);
      for (int l = i; l < j; l++) s += tt[i][l] * gram[l][j];
      tt[i][j] = -tj * s;
    }
    if (i == j) tt[j][j] = tj;
    threadgroup_barrier(mem_flags::mem_threadgroup);
  }
  for (int e = int(t); e < nb * NB; e += 256) tm[IDX(j0 + e / NB) * NB + e % NB] = tt[e / NB][e % NB];
}
