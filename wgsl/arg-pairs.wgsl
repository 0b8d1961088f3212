// The second pass of argmax/argmin of long contiguous segments taken as rows
// of their own (backends/webgpu/extreme-rows.ts, argSegments): each row's
// (best key, first index in its segment) pair, as wgsl/arg-rows.wgsl wrote
// them with PAIRS, folded into the segment's first index of its best key. A
// workgroup of 256 per segment, reading the pairs two at a time (a quad of
// words; a segment has an even number of pairs): an invocation takes quads
// lid, lid + 256, ..., all sixteen of a step loaded before any is taken (a
// segment of 8192 pairs in one step), in increasing index, so a later pair
// wins only with a larger key; then a halving tree over the invocations, the
// larger key or the same key at the lower index winning.
// params: [segments, quads of pairs a segment]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> pair_quads: array<vec4<u32>>;

const NONE = 0xffffffffu;
const I32_MIN = -2147483647 - 1;

var<workgroup> part_key: array<i32, 256>;
var<workgroup> part_at: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let segment = wid.x + wid.y * nwg.x;
  let live = segment < params[0];
  let n = select(0u, params[1], live);
  let first = segment * params[1];
  var best = I32_MIN;
  var best_at = NONE;
  for (var q = lid; q < n; q += 4096u) {
    var v: array<vec4<u32>, 16>;
    for (var j = 0u; j < 16u; j++) {
      if (q + j * 256u < n) { v[j] = pair_quads[first + q + j * 256u]; }
    }
    for (var j = 0u; j < 16u; j++) {
      if (q + j * 256u < n) {
        let k0 = bitcast<i32>(v[j].x);
        let k1 = bitcast<i32>(v[j].z);
        if (k0 > best) {
          best = k0;
          best_at = v[j].y;
        }
        if (k1 > best) {
          best = k1;
          best_at = v[j].w;
        }
      }
    }
  }
  part_key[lid] = best;
  part_at[lid] = best_at;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (lid < half) {
      let k = part_key[lid + half];
      let at = part_at[lid + half];
      if (k > part_key[lid] || (k == part_key[lid] && at < part_at[lid])) {
        part_key[lid] = k;
        part_at[lid] = at;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && live) { out_words[segment] = part_at[0]; }
}
