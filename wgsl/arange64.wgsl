// arange into int64/uint64 (wgsl/int64.wgsl): element e is start + e * step in
// wrapping 64-bit arithmetic, exactly as the reference computes it. One
// invocation per element (two output words). No slots.
// params: [n, start low, start high, step low, step high]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * 256u;
  if (e >= params[0]) { return; }
  let v = w64_add(vec2u(params[1], params[2]), w64_mul(vec2u(e, 0u), vec2u(params[3], params[4])));
  out_words[2u * e] = v.x;
  out_words[2u * e + 1u] = v.y;
}
