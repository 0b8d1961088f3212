// Fused elementwise kernels (mx.compile): one kernel per group of elementwise
// nodes, compiled after elementwise.metal (its functors; its op lists empty),
// one thread per element of the group's shape. The host defines:
//   FUSED_BUFFERS  the kernel's buffers: the outputs (0..m-1), then the inputs
//   FUSED_PARAMS   the params block's buffer index (after the inputs)
//   FUSED_LOADS    each input's element, read once: x<k>, in its storage type
//   FUSED_NODES    each node as its unfused kernel computes it, kept in the
//                  node's storage type (v<j>), as that kernel would store it
//   FUSED_STORES   each output's element (first_copy guards the smaller ones)
// Params: an elementwise params block (common.metal) over the group's shape;
// operands: the outputs, then the inputs.

/**
 * Whether element e is the first of the copies operand k's zero strides make
 * (an output smaller than the group's shape): exactly one thread writes each
 * of its elements.
 */
inline bool first_copy(constant IDX* p, int k, IDX e) {
  int nd = int(p[1]);
  int base = 2 + nd + k * (1 + nd);
  UIDX rem = UIDX(e);
  for (int d = nd - 1; d >= 0; d--) {
    UIDX dim = UIDX(p[2 + d]);
    if (p[base + 1 + d] == 0 && rem % dim != 0) return false;
    rem = rem / dim;
  }
  return true;
}

kernel void fused(FUSED_BUFFERS, constant IDX* p [[buffer(FUSED_PARAMS)]], uint2 pos [[thread_position_in_grid]],
                  uint2 size [[threads_per_grid]]) {
  IDX e = linear_id(pos, size);
  if (e >= p[0]) return;
  FUSED_LOADS
  FUSED_NODES
  FUSED_STORES
}
