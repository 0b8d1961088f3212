// Reductions: one workgroup of 256 invocations per chunk of an output
// element's segment (one chunk, or for long segments several, whose partials a
// second pass folds). Each invocation folds a strided share of the chunk, then
// the workgroup folds the 256 partials in a tree. Results (word o * chunks + c
// for chunk c of output o) are written as 32-bit words (the
// backend casts to a narrower output dtype afterwards, so no two workgroups
// share a word). Arg-reductions carry (value, index) pairs and write the index.
// Slots (the name in double braces), filled by backends/webgpu/reduce.ts:
//   INPUT    binding 2 and load_0(e)
//   V        the input's compute type; T the accumulator type
//   LIFT     `v` (a V) as a T
//   INIT     the identity of the fold; FOLD: fold of (a: T, b: T)
//   ISARG    true for argmax/argmin
//   BETTER   (x, xi) wins over (y, yi): x, y of type V
//   STORE    statements writing result `r` (a T) of output slot `i`: word i, or words 2i and 2i + 1 for 64-bit T
// params: [n_out, R, nk, nr, chunks, chunk_len, kept shape[nk], kept strides[nk], red shape[nr], red strides[nr], offset]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

var<workgroup> part_a: array<{{T}}, 256>;
var<workgroup> part_v: array<{{V}}, 256>;
var<workgroup> part_i: array<u32, 256>;

const NONE = 0xffffffffu;

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn fold(a: {{T}}, b: {{T}}) -> {{T}} { return {{FOLD}}; }
fn better(x: {{V}}, xi: u32, y: {{V}}, yi: u32) -> bool { return {{BETTER}}; }
fn store(i: u32, r: {{T}}) { {{STORE}} }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let n_out = params[0];
  let R = params[1];
  let nk = params[2];
  let nr = params[3];
  let chunks = params[4];
  let chunk_len = params[5];
  let o = g / chunks;
  let valid = o < n_out;
  let r_end = min(R, (g % chunks + 1u) * chunk_len);
  var acc: {{T}} = {{INIT}};
  var best_v: {{V}};
  var best_i = NONE;
  if (valid) {
    let base = bitcast<i32>(params[6u + 2u * nk + 2u * nr]) + decompose(6u, 6u + nk, nk, o);
    // one reduced dimension (the usual case once dims are merged): no index arithmetic per element
    let single = nr == 1u;
    let step0 = bitcast<i32>(params[6u + 2u * nk + 1u]);
    for (var r = (g % chunks) * chunk_len + lid; r < r_end; r += 256u) {
      var off: i32;
      if (single) { off = i32(r) * step0; } else { off = decompose(6u + 2u * nk, 6u + 2u * nk + nr, nr, r); }
      let v = load_0(u32(base + off));
      if ({{ISARG}}) {
        if (best_i == NONE || better(v, r, best_v, best_i)) { best_v = v; best_i = r; }
      } else {
        acc = fold(acc, lift(v));
      }
    }
  }
  if ({{ISARG}}) {
    part_v[lid] = best_v;
    part_i[lid] = best_i;
  } else {
    part_a[lid] = acc;
  }
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      if ({{ISARG}}) {
        let yi = part_i[lid + s];
        if (yi != NONE && (part_i[lid] == NONE || better(part_v[lid + s], yi, part_v[lid], part_i[lid]))) {
          part_v[lid] = part_v[lid + s];
          part_i[lid] = yi;
        }
      } else {
        part_a[lid] = fold(part_a[lid], part_a[lid + s]);
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) {
    let r = part_a[0];
    if ({{ISARG}}) { out_words[g] = part_i[0]; } else { store(g, r); }
  }
}
