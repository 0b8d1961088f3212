// Indexing kernels: gather_axis, the scatters and slice_update, one thread per
// output element. A scatter's element folds the updates landing on it in
// position order, atomic-free and deterministic ("set" keeps the last):
// scatter_axis scans the K updates of its column (the same position off the
// axis); for long columns, scatter_targets writes the columns' targets, the
// sort kernels argsort them stably, and scatter_sorted binary-searches the
// element's run in its column and folds it.
// Index values wrap once when negative and clamp into the axis here, so no
// index reads or writes outside a buffer.
// The host defines before this file:
//   T  the data's storage type; C its compute type (float, int, uint, long or ulong)
//   I  the indices' storage type; I_SIGNED 1 when it is signed
//   FOLD(a, b)  scatter_axis's fold of update b into a (C values)
// Params: an elementwise params block (common.metal) over the output's shape,
// then extras at x = 2 + nd + operands * (1 + nd):
//   gather_axis  operands out, a (stride 0 on the axis), idx; extras n, a's axis stride
//   scatter_axis operands out, a, idx and upd (stride 0 on the axis), the axis position;
//                extras K, idx's and upd's axis strides, n
//   scatter_targets  operands out ([rows, K] targets), the index columns; extras n
//   scatter_sorted   operands out, a, upd (stride 0 on the axis), the axis position, the
//                element's row start in targets / order ([rows, K]); extras K, upd's axis stride
//   slice_update uncollapsed operands out, a, u; extras start[nd], step[nd], u's shape[nd]

// in 64 bits, so an int64 index past the 32-bit IDX clamps instead of wrapping
#if I_SIGNED
inline IDX norm_index(I v, IDX n) {
  long j = long(v);
  if (j < 0) j += long(n);
  return j < 0 ? 0 : (j >= long(n) ? n - 1 : IDX(j));
}
#else
inline IDX norm_index(I v, IDX n) { return ulong(v) >= ulong(n) ? n - 1 : IDX(v); }
#endif

inline int extras_at(constant IDX* p, int operands) {
  int nd = int(p[1]);
  return 2 + nd + operands * (1 + nd);
}

kernel void gather_axis(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const I* idx [[buffer(2)]],
                        constant IDX* p [[buffer(3)]], uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  int x = extras_at(p, 3);
  IDX j = norm_index(idx[offset_of(p, 2, e)], p[x]);
  out[e] = a[offset_of(p, 1, e) + j * p[x + 1]];
}

kernel void scatter_axis(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const I* idx [[buffer(2)]],
                         device const T* upd [[buffer(3)]], constant IDX* p [[buffer(4)]], uint2 pos [[thread_position_in_grid]],
                         uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  int x = extras_at(p, 5);
  IDX K = p[x], is = p[x + 1], us = p[x + 2], n = p[x + 3];
  IDX t = offset_of(p, 4, e);
  IDX ib = offset_of(p, 2, e), ub = offset_of(p, 3, e);
  C acc = C(a[offset_of(p, 1, e)]);
  for (IDX k = 0; k < K; k++) {
    if (norm_index(idx[ib + k * is], n) == t) {
      C b = C(upd[ub + k * us]);
      acc = FOLD(acc, b);
    }
  }
  out[e] = T(acc);
}

kernel void scatter_targets(device uint* out [[buffer(0)]], device const I* idx [[buffer(1)]], constant IDX* p [[buffer(2)]],
                            uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  out[e] = uint(norm_index(idx[offset_of(p, 1, e)], p[extras_at(p, 2)]));
}

kernel void scatter_sorted(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const T* upd [[buffer(2)]],
                           device const uint* targets [[buffer(3)]], device const uint* order [[buffer(4)]],
                           constant IDX* p [[buffer(5)]], uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  int x = extras_at(p, 5);
  IDX K = p[x], us = p[x + 1];
  IDX ub = offset_of(p, 2, e), row = offset_of(p, 4, e);
  uint t = uint(offset_of(p, 3, e));
  C acc = C(a[offset_of(p, 1, e)]);
  IDX lo = 0, hi = K;
  while (lo < hi) {
    IDX mid = (lo + hi) / 2;
    if (targets[row + IDX(order[row + mid])] < t) lo = mid + 1;
    else hi = mid;
  }
  for (IDX q = lo; q < K; q++) {
    IDX k = IDX(order[row + q]);
    if (targets[row + k] != t) break;
    C b = C(upd[ub + k * us]);
    acc = FOLD(acc, b);
  }
  out[e] = T(acc);
}

kernel void slice_update(device T* out [[buffer(0)]], device const T* a [[buffer(1)]], device const T* u [[buffer(2)]],
                         constant IDX* p [[buffer(3)]], uint2 pos [[thread_position_in_grid]], uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  int nd = int(p[1]);
  int x = extras_at(p, 3);
  int ub = 2 + nd + 2 * (1 + nd);
  bool inside = true;
  IDX off = p[ub];
  UIDX rem = UIDX(e);
  for (int d = nd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[2 + d]);
    IDX q = IDX(rem % dim) - p[x + d];
    rem = rem / dim;
    IDX k = p[x + nd + d];
    if (q % k != 0 || q / k < 0 || q / k >= p[x + 2 * nd + d]) inside = false;
    off += (q / k) * p[ub + 1 + d];
  }
  out[e] = inside ? u[off] : a[offset_of(p, 1, e)];
}
