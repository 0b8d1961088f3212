// Reductions over short segments: one invocation per output element folds its
// segment's R elements in order (no workgroup memory, no barriers; over one
// merged reduced dim, eight loaded before they are folded), where
// reduce.wgsl would spend a workgroup of 256 on a few elements. The backend
// picks it by segment length (backends/webgpu/reduce.ts). Arg-reductions keep
// the first index of the extreme, the first NaN when there is one (BETTER).
// Slots and params: those of reduce.wgsl (chunks is 1 here), and EIGHT_STEPS
// (backends/webgpu/reduce.ts, eightSteps: the steps of eight loads of an
// invocation's elements r, r + 1, ..., s elements apart, folded in order).

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

const NONE = 0xffffffffu;
/** The layout merges to one kept and one reduced dim (wgsl/reduce-segment.wgsl). */
const ONE_BY_ONE = {{ONE_BY_ONE}};

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
  let nk = kept_dim_count();
  let nr = reduced_dim_count();
  let base = segment_base(nk, nr, o);
  var acc: {{T}} = {{INIT}};
  var best_v: {{V}};
  var best_i = NONE;
  var r = 0u;
  if (nr == 1u) {
    // one reduced dim (the usual case once dims are merged): a walking offset, eight elements loaded before
    // any is folded (in the same order), while all eight lie in the segment
    let step0 = single_step(nk);
    let s = step0;
    {{EIGHT_STEPS}}
  }
  for (; r < R; r++) {
    let v = load_0(u32(base + decompose(reduced_dims(nk), reduced_dims(nk) + nr, nr, r)));
    if ({{ISARG}}) {
      if (best_i == NONE || better(v, r, best_v, best_i)) { best_v = v; best_i = r; }
    } else {
      acc = fold(acc, lift(v));
    }
  }
  if ({{ISARG}}) { out_words[o] = select(best_i, 0u, best_i == NONE); } else { store(o, acc); }
}
