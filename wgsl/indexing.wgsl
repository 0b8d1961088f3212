// Indexing kernels: gatherAxis, scatterAxis and sliceUpdate. One invocation
// per output word, so 8- and 16-bit outputs are written a whole word at a time
// and no two invocations write one word: each output element finds what it
// holds. A scatter's element folds the updates landing on it in position
// order, atomic-free and deterministic ("set" keeps the last): by scanning the
// K updates of its column (same position off the axis), or, for long columns,
// by a binary search of its run in the column's stably sorted targets.
// Slots (the name in double braces): INPUTS bindings 2.. with load_k;
// EPW, BITS; SOURCE the body of element(e) -> packed bits, using offset_of(k, e),
// norm(index, n) (an index value wrapped once when negative and clamped into
// [0, n)), and for sliceUpdate the output multi-index idx.
// params: [x0, x1, x2, x3 (per kernel), then a layout: n, nd, shape[nd], per
// operand k (operand 0 is the output): offset, strides[nd] (i32 bits), then per-kernel extras]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

const L = 4u;

var<private> idx: array<u32, 16>;

fn nd() -> u32 { return params[L + 1u]; }
fn block(k: u32) -> u32 { return L + 2u + nd() + k * (1u + nd()); }

/** Offset of element e (row-major over the layout's shape) in operand k. */
fn offset_of(k: u32, e: u32) -> i32 {
  let b = block(k);
  var rem = e;
  var off = bitcast<i32>(params[b]);
  for (var d = i32(nd()) - 1; d >= 0; d--) {
    let dim = params[L + 2u + u32(d)];
    off += i32(rem % dim) * bitcast<i32>(params[b + 1u + u32(d)]);
    rem = rem / dim;
  }
  return off;
}

fn norm_i(v: i32, n: u32) -> u32 {
  var j = v;
  if (j < 0) { j += i32(n); }
  return u32(clamp(j, 0, i32(n) - 1));
}
fn norm_u(v: u32, n: u32) -> u32 { return min(v, n - 1u); }

fn element(e: u32) -> u32 {
  {{SOURCE}}
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let word = gid.x + gid.y * nwg.x * 256u;
  let n = params[L];
  if (word * {{EPW}}u >= n) { return; }
  var bits = 0u;
  for (var j = 0u; j < {{EPW}}u; j++) {
    let e = word * {{EPW}}u + j;
    if (e < n) {
      var rem = e;
      for (var d = i32(nd()) - 1; d >= 0; d--) {
        let dim = params[L + 2u + u32(d)];
        idx[u32(d)] = rem % dim;
        rem = rem / dim;
      }
      bits = bits | (element(e) << (j * {{BITS}}u));
    }
  }
  out_words[word] = bits;
}
