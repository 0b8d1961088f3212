// softmax and logsumexp over a segment per workgroup of 256: the maximum
// (NaN-propagating), then the sum of exp(x - max), then either
// max + log(sum) (logsumexp) or exp(x - max) / sum written back per element
// (softmax). A segment of 1 to 256 * HELD elements is read once into
// registers (every invocation loads its HELD elements at once, past the end
// clamped to the last and masked) and each exp is computed once; longer
// segments are re-read for each step. Results are float32 words; the backend
// casts narrower float outputs afterwards.
// Slots (the name in double braces): INPUT binding 2 and load_0; LSE: true for
// logsumexp; HELD: elements per invocation in registers (1 to 16).
// params: [n_out, R, nk, nr, kept shape[nk], kept strides[nk], red shape[nr], red strides[nr],
//          offset, out kept strides[nk], out red strides[nr]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

/** Elements of the segment each invocation holds in registers. */
const HELD = {{HELD}}u;

var<workgroup> part: array<f32, 256>;
var<workgroup> part32: array<f32, 32>;

/** The maximum (NaN-propagating) or the sum of a and b. */
fn combine(a: f32, b: f32, is_max: bool) -> f32 { return select(a + b, maximum_f(a, b), is_max); }

/** The first three levels of the halving tree over the 8 shares i + 32 k, in its pairing. */
fn fold8(i: u32, is_max: bool) -> f32 {
  let lo = combine(combine(part[i], part[i + 128u], is_max), combine(part[i + 64u], part[i + 192u], is_max), is_max);
  let hi = combine(combine(part[i + 32u], part[i + 160u], is_max), combine(part[i + 96u], part[i + 224u], is_max), is_max);
  return combine(lo, hi, is_max);
}

/** Levels 16, 8 and 4 of the tree over part32 down to its element i (i < 4), in its pairing. */
fn fold_quarter(i: u32, is_max: bool) -> f32 {
  let a = combine(combine(part32[i], part32[i + 16u], is_max), combine(part32[i + 8u], part32[i + 24u], is_max), is_max);
  let b = combine(combine(part32[i + 4u], part32[i + 20u], is_max), combine(part32[i + 12u], part32[i + 28u], is_max), is_max);
  return combine(a, b, is_max);
}

/**
 * The workgroup's maximum (NaN-propagating) or sum of `v` (every invocation
 * calls it; all get the result), paired as a halving tree over the 256 shares:
 * 32 invocations each fold 8 shares, then every invocation folds the 32.
 * Two barriers; a following call's writes cannot overtake this call's reads
 * (each invocation reads part32 before it reaches the next call's first barrier).
 */
fn fold(v: f32, lid: u32, is_max: bool) -> f32 {
  part[lid] = v;
  workgroupBarrier();
  if (lid < 32u) { part32[lid] = fold8(lid, is_max); }
  workgroupBarrier();
  let q0 = fold_quarter(0u, is_max);
  let q1 = fold_quarter(1u, is_max);
  let q2 = fold_quarter(2u, is_max);
  let q3 = fold_quarter(3u, is_max);
  return combine(combine(q0, q2, is_max), combine(q1, q3, is_max), is_max);
}

/** The offset of segment element `r` through the reduced shape and strides at `shape_at` (a product when one axis). */
fn segment_offset(shape_at: u32, strides_at: u32, nr: u32, r: u32) -> i32 {
  if (nr == 1u) { return i32(r) * bitcast<i32>(params[strides_at]); }
  return decompose(shape_at, strides_at, nr, r);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let n_out = params[0];
  let R = params[1];
  let nk = params[2];
  let nr = params[3];
  let valid = o < n_out;
  let held = R > 0u && R <= 256u * HELD;
  let red_shape = 4u + 2u * nk;
  let red_strides = red_shape + nr;
  let base_off = 4u + 2u * nk + 2u * nr;
  var base = 0;
  if (valid) { base = bitcast<i32>(params[base_off]) + decompose(4u, 4u + nk, nk, o); }
  // element lid + 256 i is vals[i]: the input, then its exp(x - max); past R a copy of the last, masked
  var vals: array<f32, HELD>;
  var m = -inf_f32();
  if (valid) {
    if (held) {
      // one reduced axis (the usual case): a product, so the loads need no branch
      if (nr == 1u) {
        let stride = bitcast<i32>(params[red_strides]);
        for (var i = 0u; i < HELD; i++) { vals[i] = load_0(u32(base + i32(min(lid + i * 256u, R - 1u)) * stride)); }
      } else {
        for (var i = 0u; i < HELD; i++) {
          vals[i] = load_0(u32(base + decompose(red_shape, red_strides, nr, min(lid + i * 256u, R - 1u))));
        }
      }
      for (var i = 0u; i < HELD; i++) {
        m = maximum_f(m, select(-inf_f32(), vals[i], lid + i * 256u < R));
      }
    } else {
      for (var r = lid; r < R; r += 256u) {
        m = maximum_f(m, load_0(u32(base + segment_offset(red_shape, red_strides, nr, r))));
      }
    }
  }
  let mx = fold(m, lid, true);
  var acc = 0.0;
  if (valid) {
    if (held) {
      for (var i = 0u; i < HELD; i++) { vals[i] = mx_exp(vals[i] - mx); }
      for (var i = 0u; i < HELD; i++) { acc = acc + select(0.0, vals[i], lid + i * 256u < R); }
    } else {
      for (var r = lid; r < R; r += 256u) {
        acc = acc + mx_exp(load_0(u32(base + segment_offset(red_shape, red_strides, nr, r))) - mx);
      }
    }
  }
  let total = fold(acc, lid, false);
  if (!valid) { return; }
  if ({{LSE}}) {
    if (lid == 0u) {
      out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, is_inf(mx) || is_nan(mx)));
    }
  } else {
    let out_base = decompose(4u, base_off + 1u, nk, o);
    let out_red_strides = base_off + 1u + nk;
    if (held) {
      for (var i = 0u; i < HELD; i++) {
        let r = lid + i * 256u;
        if (r < R) {
          out_words[u32(out_base + segment_offset(red_shape, out_red_strides, nr, r))] = bitcast<u32>(vals[i] / total);
        }
      }
    } else {
      for (var r = lid; r < R; r += 256u) {
        let v = mx_exp(load_0(u32(base + segment_offset(red_shape, red_strides, nr, r))) - mx) / total;
        out_words[u32(out_base + segment_offset(red_shape, out_red_strides, nr, r))] = bitcast<u32>(v);
      }
    }
  }
}
