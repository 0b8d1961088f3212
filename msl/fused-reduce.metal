// Fused reductions (mx.compile): an elementwise prologue computed where the
// reduction loads its input, folded exactly as reduce.metal's kernels fold it
// (segments_<op>: one thread per output in order; groups_<op>: a group of
// lanes per output, each folding every lanes-th element in order, then the
// first lane the lanes' results; reduce_<op>: a strided
// share per thread, simd_fold, the per-simdgroup partials folded by the first
// simdgroup; chunk partials in the accumulator type folded by a second pass),
// then the elementwise epilogue on the result. Compiled after elementwise.metal
// (its functors) and reduce.metal (its folds, simd_fold, lift, chunk_range,
// GROUP_IDS and LANE_IDS). The host defines:
//   FR_BUFFERS  the outputs (0..m-1), the partials (m), the inputs (m+1..m+k)
//   FR_PARAMS   the params block's buffer index (m+k+1)
//   FR_V, FR_A  the reduction's input compute type and its accumulator type
//   FR_FOLD     the fold functor (fold_sum, fold_prod, fold_max, fold_min)
//   FR_INIT     the accumulator's initial value; FR_LIFT an element v as FR_A
//   FR_BASES    statements: each prologue input's segment start for output o
//   FR_ELEMENT  statements: `FR_V v`, element r of the segment (prologue nodes)
//   FR_RESULT   statements: the reduction's value from acc, as its kernel stores it
//   FR_PARTIALS_RESULT  the same after the second pass (its cast from the accumulator)
//   FR_EPILOGUE statements: the epilogue nodes and the stores of output o
// params: [nOut, R, kd, rd, chunks, chunk length (fused_reduce_groups, whose
//   segments are one chunk: its lanes per output), ed, kept shape[kd],
//   reduced shape[rd], output shape[ed], per input: prologue offset, kept
//   strides[kd], reduced strides[rd], epilogue offset, output strides[ed]].

inline int fr_block(constant IDX* p, int k) {
  int dims = int(p[2] + p[3] + p[6]);
  return 7 + dims + k * (2 + dims);
}

/** Input k's prologue element at kept index o, reduced index 0. */
inline IDX fr_kept(constant IDX* p, int k, IDX o) {
  int kd = int(p[2]), b = fr_block(p, k);
  IDX off = p[b];
  UIDX rem = UIDX(o);
  for (int d = kd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[7 + d]);
    off += IDX(rem % dim) * p[b + 1 + d];
    rem /= dim;
  }
  return off;
}

/** Input k's offset of reduced index r from its segment start. */
inline IDX fr_reduced(constant IDX* p, int k, IDX r) {
  int kd = int(p[2]), rd = int(p[3]), b = fr_block(p, k);
  IDX off = 0;
  UIDX rem = UIDX(r);
  for (int d = rd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[7 + kd + d]);
    off += IDX(rem % dim) * p[b + 1 + kd + d];
    rem /= dim;
  }
  return off;
}

/** Input k's epilogue element at output index o. */
inline IDX fr_epilogue(constant IDX* p, int k, IDX o) {
  int kd = int(p[2]), rd = int(p[3]), ed = int(p[6]), b = fr_block(p, k);
  IDX off = p[b + 1 + kd + rd];
  UIDX rem = UIDX(o);
  for (int d = ed - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[7 + kd + rd + d]);
    off += IDX(rem % dim) * p[b + 2 + kd + rd + d];
    rem /= dim;
  }
  return off;
}

/** One thread per output element: its segment folded in order (segments_<op>). */
kernel void fused_reduce_segments(FR_BUFFERS, constant IDX* p [[buffer(FR_PARAMS)]], uint2 pos [[thread_position_in_grid]],
                                  uint2 size [[threads_per_grid]]) {
  IDX o = linear_id(pos, size);
  if (o >= p[0]) return;
  FR_FOLD fold;
  FR_BASES
  IDX R = p[1];
  FR_A acc = FR_INIT;
  for (IDX r = 0; r < R; r++) {
    FR_ELEMENT
    acc = fold(acc, FR_LIFT);
  }
  FR_RESULT
  FR_EPILOGUE
}

/** A group of lanes per output element (groups_<op>): lane l folds elements l, l + lanes, ... in order, lane 0 the lanes. */
kernel void fused_reduce_groups(FR_BUFFERS, constant IDX* p [[buffer(FR_PARAMS)]], LANE_IDS) {
  threadgroup FR_A partial[256];
  uint lanes = uint(p[5]);
  IDX o = linear_id(gpos, gcount) * IDX(nt / lanes) + IDX(t / lanes);
  uint lane = t % lanes;
  bool valid = o < p[0];
  FR_FOLD fold;
  FR_A acc = FR_INIT;
  if (valid) {
    FR_BASES
    IDX R = p[1];
    for (IDX r = IDX(lane); r < R; r += IDX(lanes)) {
      FR_ELEMENT
      acc = fold(acc, FR_LIFT);
    }
  }
  partial[t] = acc;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (valid && lane == 0) {
    for (uint k = 1; k < lanes; k++) acc = fold(acc, partial[t + k]);
    FR_RESULT
    FR_EPILOGUE
  }
}

/** A threadgroup per chunk of a segment (reduce_<op>); FINISH stores acc, valid in thread 0. */
#define FR_TREE_KERNEL(NAME, FINISH)                                                                        \
  kernel void NAME(FR_BUFFERS, constant IDX* p [[buffer(FR_PARAMS)]], GROUP_IDS) {                          \
    threadgroup FR_A partial[32];                                                                           \
    IDX g = linear_id(gpos, gcount);                                                                        \
    if (g >= p[0] * p[4]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */          \
    FR_FOLD fold;                                                                                           \
    IDX o = g / p[4];                                                                                       \
    FR_BASES                                                                                                \
    span range = chunk_range(p, g);                                                                         \
    FR_A acc = FR_INIT;                                                                                     \
    for (IDX r = range.first + IDX(t); r < range.end; r += IDX(nt)) {                                       \
      FR_ELEMENT                                                                                            \
      acc = fold(acc, FR_LIFT);                                                                             \
    }                                                                                                       \
    acc = simd_fold(acc, fold);                                                                             \
    if (lane == 0) partial[sg] = acc;                                                                       \
    threadgroup_barrier(mem_flags::mem_threadgroup);                                                        \
    if (sg == 0) {                                                                                          \
      acc = lane < (nt + 31) / 32 ? partial[lane] : FR_A(FR_INIT);                                          \
      acc = simd_fold(acc, fold);                                                                           \
      if (lane == 0) { FINISH }                                                                             \
    }                                                                                                       \
  }

FR_TREE_KERNEL(fused_reduce_tree, FR_RESULT FR_EPILOGUE)
FR_TREE_KERNEL(fused_reduce_partial, partials[g] = acc;)

/** The second pass, one thread per output: its chunks' partials folded in order. */
kernel void fused_partials_segments(FR_BUFFERS, constant IDX* p [[buffer(FR_PARAMS)]], uint2 pos [[thread_position_in_grid]],
                                    uint2 size [[threads_per_grid]]) {
  IDX o = linear_id(pos, size);
  if (o >= p[0]) return;
  FR_FOLD fold;
  IDX base = o * p[4], R = p[4];
  FR_A acc = FR_INIT;
  for (IDX r = 0; r < R; r++) acc = fold(acc, FR_A(partials[base + r]));
  FR_PARTIALS_RESULT
  FR_EPILOGUE
}

/** The second pass, a threadgroup per output (more chunks than a thread folds). */
kernel void fused_partials_tree(FR_BUFFERS, constant IDX* p [[buffer(FR_PARAMS)]], GROUP_IDS) {
  threadgroup FR_A partial[32];
  IDX o = linear_id(gpos, gcount);
  if (o >= p[0]) return; /* a surplus threadgroup of a 2-D grid: all its threads leave */
  FR_FOLD fold;
  IDX base = o * p[4], R = p[4];
  FR_A acc = FR_INIT;
  for (IDX r = IDX(t); r < R; r += IDX(nt)) acc = fold(acc, FR_A(partials[base + r]));
  acc = simd_fold(acc, fold);
  if (lane == 0) partial[sg] = acc;
  threadgroup_barrier(mem_flags::mem_threadgroup);
  if (sg == 0) {
    acc = lane < (nt + 31) / 32 ? partial[lane] : FR_A(FR_INIT);
    acc = simd_fold(acc, fold);
    if (lane == 0) {
      FR_PARTIALS_RESULT
      FR_EPILOGUE
    }
  }
}
