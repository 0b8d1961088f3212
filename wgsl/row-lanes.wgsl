// The layout of the kernels that take a group of ROW_LANES lanes a row of
// whole quads of words, 256 / ROW_LANES rows a workgroup (wgsl/arg-rows.wgsl,
// wgsl/max-rows.wgsl, wgsl/sum-rows16.wgsl, wgsl/logsumexp-rows.wgsl; a
// helper): their bindings and each invocation's row and lane.
// Expects the kernel's ROW_LANES.
// params: [rows, quads a row, quads from one row's start to the next, the
// first row's first quad]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_quads: array<vec4<u32>>;

/** Invocation lid's row (256 / ROW_LANES rows a workgroup), its lane in it, whether the row exists, and the row's first quad. */
struct RowLane { row: u32, lane: u32, live: bool, base: u32 }

fn row_lane(wid: vec3u, nwg: vec3u, lid: u32) -> RowLane {
  let row = (wid.x + wid.y * nwg.x) * (256u / ROW_LANES) + lid / ROW_LANES;
  let live = row < params[0];
  return RowLane(row, lid % ROW_LANES, live, params[3] + select(0u, row, live) * params[2]);
}
