// Reductions over short segments: one invocation per output element folds its
// segment's R elements in order (no workgroup memory, no barriers; over one
// merged reduced dim, eight loaded before they are folded), where
// reduce.wgsl would spend a workgroup of 256 on a few elements. The backend
// picks it by segment length (backends/webgpu/reduce.ts). Arg-reductions keep
// the first index of the extreme, the first NaN when there is one (BETTER).
// Slots and params: those of reduce.wgsl (chunks is 1 here).

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

const NONE = 0xffffffffu;

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn fold(a: {{T}}, b: {{T}}) -> {{T}} { return {{FOLD}}; }
fn better(x: {{V}}, xi: u32, y: {{V}}, yi: u32) -> bool { return {{BETTER}}; }
fn store(i: u32, r: {{T}}) { {{STORE}} }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = (wid.x + wid.y * nwg.x) * 256u + lid;
  let n_out = params[0];
  if (o >= n_out) { return; }
  let R = params[1];
  let nk = params[2];
  let nr = params[3];
  let base = bitcast<i32>(params[6u + 2u * nk + 2u * nr]) + decompose(6u, 6u + nk, nk, o);
  var acc: {{T}} = {{INIT}};
  var best_v: {{V}};
  var best_i = NONE;
  var r = 0u;
  if (nr == 1u) {
    // one reduced dim (the usual case once dims are merged): a walking offset, eight elements loaded before
    // any is folded (in the same order), while all eight lie in the segment
    let s = bitcast<i32>(params[6u + 2u * nk + 1u]);
    for (; r + 7u < R; r += 8u) {
      let off = base + i32(r) * s;
      let v0 = load_0(u32(off));
      let v1 = load_0(u32(off + s));
      let v2 = load_0(u32(off + 2 * s));
      let v3 = load_0(u32(off + 3 * s));
      let v4 = load_0(u32(off + 4 * s));
      let v5 = load_0(u32(off + 5 * s));
      let v6 = load_0(u32(off + 6 * s));
      let v7 = load_0(u32(off + 7 * s));
      if ({{ISARG}}) {
        if (best_i == NONE || better(v0, r, best_v, best_i)) { best_v = v0; best_i = r; }
        if (better(v1, r + 1u, best_v, best_i)) { best_v = v1; best_i = r + 1u; }
        if (better(v2, r + 2u, best_v, best_i)) { best_v = v2; best_i = r + 2u; }
        if (better(v3, r + 3u, best_v, best_i)) { best_v = v3; best_i = r + 3u; }
        if (better(v4, r + 4u, best_v, best_i)) { best_v = v4; best_i = r + 4u; }
        if (better(v5, r + 5u, best_v, best_i)) { best_v = v5; best_i = r + 5u; }
        if (better(v6, r + 6u, best_v, best_i)) { best_v = v6; best_i = r + 6u; }
        if (better(v7, r + 7u, best_v, best_i)) { best_v = v7; best_i = r + 7u; }
      } else {
        acc = fold(fold(fold(fold(fold(fold(fold(fold(acc, lift(v0)), lift(v1)), lift(v2)), lift(v3)), lift(v4)), lift(v5)), lift(v6)), lift(v7));
      }
    }
  }
  for (; r < R; r++) {
    let v = load_0(u32(base + decompose(6u + 2u * nk, 6u + 2u * nk + nr, nr, r)));
    if ({{ISARG}}) {
      if (best_i == NONE || better(v, r, best_v, best_i)) { best_v = v; best_i = r; }
    } else {
      acc = fold(acc, lift(v));
    }
  }
  if ({{ISARG}}) { out_words[o] = select(best_i, 0u, best_i == NONE); } else { store(o, acc); }
}
