// arange: element e is start + e * step, in f32 for float dtypes (i32 or u32,
// exactly, for integers); the upper half counts back from the last element,
// last - (n - 1 - e) * step, which the host computes as the reference does.
// One invocation per output word.
// Slots (the name in double braces): T compute type; EPW elements per word;
// BITS bits per element; PACK pack_<dtype>.
// params: [n, start bits, step bits, last bits] (as T)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let word = gid.x + gid.y * nwg.x * 256u;
  let n = params[0];
  if (word * {{EPW}}u >= n) { return; }
  let start = bitcast<{{T}}>(params[1]);
  let step = bitcast<{{T}}>(params[2]);
  let last = bitcast<{{T}}>(params[3]);
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      let v = select(last - {{T}}(n - 1u - e) * step, start + {{T}}(e) * step, e < n / 2u);
      bits = bits | ({{PACK}}(v) << (j * {{BITS}}u));
    }
  }
  out_words[word] = bits;
}
