// Reductions over short segments: one invocation per output element folds its
// segment's R elements in order (no workgroup memory, no barriers; over one
// merged reduced dim, eight loaded before they are folded), where
// reduce.wgsl would spend a workgroup of 256 on a few elements. The backend
// picks it by segment length (backends/webgpu/reduce.ts). Arg-reductions keep
// the first index of the extreme, the first NaN when there is one (BETTER).
// Contiguous rows of whole quads of words, each starting on a quad, are read a
// quad at a time instead (QUAD_ROWS), every quad of the row loaded before the
// first is folded, elements in the same order.
// Slots and params: those of reduce.wgsl (chunks is 1 here), and EIGHT_STEPS
// (backends/webgpu/reduce.ts, eightSteps: the steps of eight loads of an
// invocation's elements r, r + 1, ..., s elements apart, folded in order);
// QUAD_ROWS, the quads of a row where rows are read as quads (else 0), with
// QUAD_ELEMENTS elements a quad, QUAD_ROW_FOLD, which loads the row's quads
// from quad q and folds them into acc (arg-reductions: best_v, best_i), and
// QUAD_PAIR_FOLD, which with PAIRS folds two rows' into pair_result (reduce.ts,
// quadRowSlots); PAIRS and PAIR_WORD as reduce.wgsl's; TAKE_ARG, fn take_arg(v,
// r) of arg-reductions (reduce.ts, argTaker). Float max/min fold (order key,
// bits) pairs: T is then vec2<u32> (reduce.ts, keyValueSlots).

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}
{{QUAD}}

const NONE = 0xffffffffu;
/** The layout merges to one kept and one reduced dim (wgsl/reduce-segment.wgsl). */
const ONE_BY_ONE = {{ONE_BY_ONE}};
/** Quads of words a row, where rows are contiguous and start on quads (else 0). */
const QUAD_ROWS = {{QUAD_ROWS}}u;
/** An invocation takes rows 2j and 2j + 1 (rows read as quads) and writes their float16/bfloat16 results as one word (PAIR_WORD). */
const PAIRS = {{PAIRS}};
/** The results of the pair's two rows (PAIRS). */
var<private> pair_result: array<{{T}}, 2>;
{{PAIR_WORD}}

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn fold(a: {{T}}, b: {{T}}) -> {{T}} { return {{FOLD}}; }
fn better(x: {{V}}, xi: u32, y: {{V}}, yi: u32) -> bool { return {{BETTER}}; }
fn store(i: u32, r: {{T}}) { {{STORE}} }
/** Arg-reductions: the best element so far (best_i NONE before the first), and TAKE_ARG's fn take_arg(v, r), which takes element r where it beats it. */
var<private> best_v: {{V}};
var<private> best_i: u32 = NONE;
var<private> best_key: u32 = 0u;
{{TAKE_ARG}}
{{TAKE_WORD}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let slot = (wid.x + wid.y * nwg.x) * 256u + lid;
  let o = select(slot, 2u * slot, PAIRS);
  let n_out = params[0];
  if (o >= n_out) { return; }
  let R = params[1];
  let nk = kept_dim_count();
  let nr = reduced_dim_count();
  let base = segment_base(nk, nr, o);
  var acc: {{T}} = {{INIT}};
  if (QUAD_ROWS > 0u) {
    // the row's quads from quad q (with PAIRS, the next row's from quad p), all loaded before any is folded
    let q = u32(base) / {{QUAD_ELEMENTS}}u;
    if (PAIRS) {
      let both = o + 1u < n_out;
      let p = u32(segment_base(nk, nr, select(o, o + 1u, both))) / {{QUAD_ELEMENTS}}u;
      {{QUAD_PAIR_FOLD}}
      out_words[slot] = pair_word(both);
      return;
    }
    {{QUAD_ROW_FOLD}}
  } else {
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
        take_arg(v, r);
      } else {
        acc = fold(acc, lift(v));
      }
    }
  }
  if ({{ISARG}}) { out_words[o] = select(best_i, 0u, best_i == NONE); } else { store(o, acc); }
}
