// The second pass of a product split along K (wgsl/matvec.wgsl,
// wgsl/matmul.wgsl): out[j] = the sum over s < splits of part[s * L + j],
// float32. Each invocation takes four neighbouring outputs (a quad) and one of
// LANES lanes: lane l adds the partials s = l, l + LANES, ... in ascending s,
// and the lanes' sums are added in lane order (a fixed order for a given L,
// splits and LANES). Lanes give a short L with many splits enough invocations.
// Slots: LANES (1, 2, 4, 8 or 16), ALIGNED (L a multiple of 4: whole quads
// read as vec4 words from binding 3).
// params: [L, splits]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> part: array<f32>;
@group(0) @binding(3) var<storage, read> part_quads: array<vec4<f32>>;

const LANES = {{LANES}}u;
const ALIGNED = {{ALIGNED}};
const QUADS_PER_GROUP = 256u / LANES;
var<workgroup> lane_sums: array<vec4<f32>, 256>;

// partial s's quad q: whole words where L is a multiple of 4, else the elements below L (zeros past it)
fn quad_of(s: u32, q: u32, L: u32) -> vec4<f32> {
  if (ALIGNED) { return part_quads[s * (L / 4u) + q]; }
  let e = 4u * q;
  let b = s * L + e;
  // select evaluates both sides: the index past L is clamped to the partial's last element, its value dropped
  let last = b + (L - 1u - e);
  return vec4<f32>(part[b], select(0.0, part[min(b + 1u, last)], e + 1u < L), select(0.0, part[min(b + 2u, last)], e + 2u < L), select(0.0, part[min(b + 3u, last)], e + 3u < L));
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let L = params[0];
  let S = params[1];
  let lane = t / QUADS_PER_GROUP;
  let q = (wid.x + wid.y * nwg.x) * QUADS_PER_GROUP + t % QUADS_PER_GROUP;
  let inside = 4u * q < L;
  var acc = vec4<f32>(0.0);
  if (inside) {
    // four partials loaded before they are added (in ascending s), so their loads are in flight together
    var s = lane;
    for (; s + 3u * LANES < S; s += 4u * LANES) {
      let p0 = quad_of(s, q, L);
      let p1 = quad_of(s + LANES, q, L);
      let p2 = quad_of(s + 2u * LANES, q, L);
      let p3 = quad_of(s + 3u * LANES, q, L);
      acc = (((acc + p0) + p1) + p2) + p3;
    }
    for (; s < S; s += LANES) { acc += quad_of(s, q, L); }
  }
  if (LANES > 1u) {
    lane_sums[t] = acc;
    workgroupBarrier();
    if (lane != 0u) { return; }
    for (var l = 1u; l < LANES; l++) { acc += lane_sums[l * QUADS_PER_GROUP + t]; }
  }
  if (!inside) { return; }
  let e = 4u * q;
  out_words[e] = bitcast<u32>(acc.x);
  if (e + 1u < L) { out_words[e + 1u] = bitcast<u32>(acc.y); }
  if (e + 2u < L) { out_words[e + 2u] = bitcast<u32>(acc.z); }
  if (e + 3u < L) { out_words[e + 3u] = bitcast<u32>(acc.w); }
}
