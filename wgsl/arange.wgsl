// arange into integer dtypes of 32 bits or fewer: element e is start + e *
// step in exact wrapping i32 or u32 arithmetic (float dtypes run
// wgsl/arange-float.wgsl). One invocation per output word.
// Slots (the name in double braces): T compute type; EPW elements per word;
// BITS bits per element; PACK pack_<dtype>.
// params: [n, start bits, step bits] (as T)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let word = gid.x + gid.y * nwg.x * 256u;
  let n = params[0];
  if (word * {{EPW}}u >= n) { return; }
  let start = bitcast<{{T}}>(params[1]);
  let step = bitcast<{{T}}>(params[2]);
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      bits = bits | ({{PACK}}(start + {{T}}(e) * step) << (j * {{BITS}}u));
    }
  }
  out_words[word] = bits;
}
