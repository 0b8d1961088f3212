// The second pass of a chunked argmax/argmin (wgsl/reduce.wgsl wrote each
// chunk's winning segment index): a workgroup of 256 per output element
// re-reads the value at each of its chunks' indices and keeps the better
// (value, index) pair (the index breaks ties), then folds the 256 shares as a
// halving tree. Writes the winning index of output o as word o.
// Slots (the name in double braces): INPUT binding 2 and load_0(e); V the
// input's compute type; BETTER (x, xi) wins over (y, yi): x, y of type V;
// ONE_BY_ONE as reduce.wgsl's.
// params: those of the first pass: [n_out, R, nk, nr, chunks, chunk_len, kept shape[nk],
//          kept strides[nk], red shape[nr], red strides[nr], offset]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}
@group(0) @binding(3) var<storage, read> partials: array<u32>;

var<workgroup> part_v: array<{{V}}, 256>;
var<workgroup> part_i: array<u32, 256>;

const NONE = 0xffffffffu;
/** The layout merges to one kept and one reduced dim (wgsl/reduce-segment.wgsl). */
const ONE_BY_ONE = {{ONE_BY_ONE}};

fn better(x: {{V}}, xi: u32, y: {{V}}, yi: u32) -> bool { return {{BETTER}}; }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let nk = kept_dim_count();
  let nr = reduced_dim_count();
  let chunks = params[4];
  let valid = o < params[0];
  var best_v: {{V}};
  var best_i = NONE;
  if (valid) {
    let base = segment_base(nk, nr, o);
    let sh = reduced_dims(nk);
    for (var c = lid; c < chunks; c += 256u) {
      let r = partials[o * chunks + c];
      if (r != NONE) {
        let v = load_0(u32(base + decompose(sh, sh + nr, nr, r)));
        if (best_i == NONE || better(v, r, best_v, best_i)) { best_v = v; best_i = r; }
      }
    }
  }
  part_v[lid] = best_v;
  part_i[lid] = best_i;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let yi = part_i[lid + s];
      if (yi != NONE && (part_i[lid] == NONE || better(part_v[lid + s], yi, part_v[lid], part_i[lid]))) {
        part_v[lid] = part_v[lid + s];
        part_i[lid] = yi;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { out_words[o] = part_i[0]; }
}
