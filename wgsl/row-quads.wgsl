enable subgroups;
// What wgsl/arg-rows.wgsl and wgsl/max-rows.wgsl share (a helper, first in
// the source for its directive): their bindings, each invocation's row and
// lane, a lane's walk over its row's quads (quads lane, lane + ROW_LANES,
// ..., eight loads in flight, each quad's words handed to the kernel's
// take_word), and the check that every subgroup is the block of SUBGROUP
// invocations its local_invocation_index says.
// Expects the kernel's ROW_LANES, SUBGROUP, STEPS, WHOLE, PER_WORD and
// take_word(word, element index).
// params: [rows, quads a row, quads from one row's start to the next, the
// first row's first quad]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_quads: array<vec4<u32>>;

const NONE = 0xffffffffu;
const I32_MIN = -2147483647 - 1;
const I32_MAX = 2147483647;

/** Set when some subgroup is not its block of SUBGROUP invocations (then the rows fold through workgroup memory). */
var<workgroup> misfit: atomic<u32>;

/** Invocation lid's row (256 / ROW_LANES rows a workgroup), its lane in it, whether the row exists, and the row's first quad. */
struct RowLane { row: u32, lane: u32, live: bool, base: u32 }

fn row_lane(wid: vec3u, nwg: vec3u, lid: u32) -> RowLane {
  let row = (wid.x + wid.y * nwg.x) * (256u / ROW_LANES) + lid / ROW_LANES;
  let live = row < params[0];
  return RowLane(row, lid % ROW_LANES, live, params[3] + select(0u, row, live) * params[2]);
}

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
