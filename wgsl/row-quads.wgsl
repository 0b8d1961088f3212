enable subgroups;
// What wgsl/arg-rows.wgsl and wgsl/max-rows.wgsl share (a helper, first in
// the source for its directive; wgsl/row-lanes.wgsl, their rows and lanes,
// after it): a lane's walk over its row's quads (quads lane, lane +
// ROW_LANES, ..., eight loads in flight, each quad's words handed to the
// kernel's take_word), and the check that every subgroup is the block of
// SUBGROUP invocations its local_invocation_index says.
// Expects the kernel's ROW_LANES, SUBGROUP, STEPS, WHOLE, PER_WORD and
// take_word(word, element index).

const NONE = 0xffffffffu;
const I32_MIN = -2147483647 - 1;
const I32_MAX = 2147483647;

/** Set when some subgroup is not its block of SUBGROUP invocations (then the rows fold through workgroup memory). */
var<workgroup> misfit: atomic<u32>;

/** Takes the quads of the row starting at quad `base` (of `quads`) that lane `lane` reads, in increasing order; none where not `live`. */
fn take_row(base: u32, quads: u32, lane: u32, live: bool) {
  for (var step = 0u; step < STEPS; step++) {
    let q0 = step * 8u * ROW_LANES;
    var v: array<vec4<u32>, 8>;
    for (var j = 0u; j < 8u; j++) {
      let q = q0 + j * ROW_LANES + lane;
      if (live && (WHOLE || q < quads)) { v[j] = in_quads[base + q]; }
    }
    for (var j = 0u; j < 8u; j++) {
      let q = q0 + j * ROW_LANES + lane;
      if (live && (WHOLE || q < quads)) {
        let e = q * 4u * PER_WORD;
        take_word(v[j].x, e);
        take_word(v[j].y, e + PER_WORD);
        take_word(v[j].z, e + 2u * PER_WORD);
        take_word(v[j].w, e + 3u * PER_WORD);
      }
    }
  }
}

/** Whether every subgroup of the workgroup is the block of SUBGROUP invocations from its first lane's (workgroup-uniform; a barrier). */
fn subgroups_fit(lid: u32, sg_lane: u32, sg_size: u32) -> bool {
  let block = lid / SUBGROUP;
  let first_block = subgroupBroadcastFirst(block);
  if (sg_size != SUBGROUP || sg_lane != lid % SUBGROUP || first_block != block) { atomicOr(&misfit, 1u); }
  return workgroupUniformLoad(&misfit) == 0u;
}
