// The second pass of a split matrix-vector product (wgsl/matvec.wgsl):
// out[j] = sum over s < splits of part[s * L + j], float32.
// params: [L, splits]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> part: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let L = params[0];
  let j = gid.x + gid.y * nwg.x * 256u;
  if (j >= L) { return; }
  var acc = 0.0;
  for (var s = 0u; s < params[1]; s++) { acc += bitcast<f32>(part[s * L + j]); }
  out_words[j] = bitcast<u32>(acc);
}
