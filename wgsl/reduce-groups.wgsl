// Reductions over medium segments of many outputs (issue 12: a workgroup of
// 256 per output spent most of itself on nothing for segments of 65 to a few
// thousand elements): a group of LANES invocations per output element,
// 256 / LANES outputs per workgroup, folded through workgroup memory (no
// subgroups: their size is not fixed on every device). The backend picks it by
// segment length and output count (backends/webgpu/reduce.ts).
// The order of the fold (a float sum's summation order), exactly: lane l of an
// output folds its segment's elements l, l + LANES, l + 2 LANES, ... left to
// right from INIT (element r of a segment: its reduced dims merged, in
// row-major order; over one merged dim, eight of them are loaded before
// they are folded); lane 0 then folds the LANES lanes' results left to right,
// starting from its own. Arg-reductions keep the first index of the extreme,
// the first NaN when there is one (BETTER, ties to the lower index).
// Slots: those of wgsl/segments.wgsl (EIGHT_STEPS walking elements r, r + LANES, ...,
// s elements apart; TAKE_ARG, TAKE_LANE; T a vec2<u32> of order key and bits for float
// max/min), and LANES (a power of two, at most 256).
// params: those of reduce.wgsl (chunks is 1 here).

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

const NONE = 0xffffffffu;
/** The layout merges to one kept and one reduced dim (wgsl/reduce-segment.wgsl). */
const ONE_BY_ONE = {{ONE_BY_ONE}};
const LANES = {{LANES}}u;

var<workgroup> part_a: array<{{T}}, 256>;
var<workgroup> part_v: array<{{V}}, 256>;
var<workgroup> part_i: array<u32, 256>;
var<workgroup> part_k: array<u32, 256>;

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn fold(a: {{T}}, b: {{T}}) -> {{T}} { return {{FOLD}}; }
fn better(x: {{V}}, xi: u32, y: {{V}}, yi: u32) -> bool { return {{BETTER}}; }
fn store(i: u32, r: {{T}}) { {{STORE}} }
/** Arg-reductions: the best element so far (best_i NONE before the first), and TAKE_ARG's fn take_arg(v, r), which takes element r where it beats it. */
var<private> best_v: {{V}};
var<private> best_i: u32 = NONE;
var<private> best_key: u32 = 0u;
{{TAKE_ARG}}
/** Arg-reductions: TAKE_LANE's fn take_lane(j), which takes invocation j's best (part_v, part_i, part_k) where it beats the best so far. */
{{TAKE_LANE}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = (wid.x + wid.y * nwg.x) * (256u / LANES) + lid / LANES;
  let lane = lid % LANES;
  // a spare group of the last workgroup folds nothing but still meets the barrier
  let valid = o < params[0];
  var acc: {{T}} = {{INIT}};
  if (valid) {
    let R = params[1];
    let nk = kept_dim_count();
    let nr = reduced_dim_count();
    let base = segment_base(nk, nr, o);
    // one reduced dimension (the usual case once dims are merged): no index arithmetic per element
    let single = nr == 1u;
    let step0 = single_step(nk);
    var r = lane;
    if (single) {
      // eight of the lane's elements loaded before any is folded (in the same order), while all eight lie in the segment
      let s = i32(LANES) * step0;
      {{EIGHT_STEPS}}
    }
    for (; r < R; r += LANES) {
      var off: i32;
      if (single) { off = i32(r) * step0; } else { off = decompose(reduced_dims(nk), reduced_dims(nk) + nr, nr, r); }
      let v = load_0(u32(base + off));
      if ({{ISARG}}) {
        take_arg(v, r);
      } else {
        acc = fold(acc, lift(v));
      }
    }
  }
  if ({{ISARG}}) {
    part_v[lid] = best_v;
    part_i[lid] = best_i;
    part_k[lid] = best_key;
  } else {
    part_a[lid] = acc;
  }
  workgroupBarrier();
  if (valid && lane == 0u) {
    if ({{ISARG}}) {
      for (var k = 1u; k < LANES; k++) { take_lane(lid + k); }
      out_words[o] = best_i;
    } else {
      for (var k = 1u; k < LANES; k++) { acc = fold(acc, part_a[lid + k]); }
      store(o, acc);
    }
  }
}
