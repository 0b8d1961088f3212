// softmax and logsumexp over a segment per workgroup of 256: the maximum
// (NaN-propagating), then the sum of exp(x - max), then either
// max + log(sum) (logsumexp) or exp(x - max) / sum written back per element
// (softmax). A segment of 1 to 256 * HELD elements is read once into
// registers (every invocation loads its HELD elements at once, past the end
// clamped to the last and masked) and each exp is computed once; longer
// segments are re-read for each step, eight loads in flight (elements r,
// r + 256, ..., r + 1792 loaded, then folded in that order: the order of one
// at a time). Results are float32 words; the backend
// casts narrower float outputs afterwards.
// The workgroup folds are wgsl/softmax-fold.wgsl (a helper file).
// Slots (the name in double braces): INPUT binding 2 and load_0; LSE: true for
// logsumexp; HELD: elements per invocation in registers (1 to 16).
// params: [n_out, R, nk, nr, kept shape[nk], kept strides[nk], red shape[nr], red strides[nr],
//          offset, out kept strides[nk], out red strides[nr]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

/** Elements of the segment each invocation holds in registers. */
const HELD = {{HELD}}u;

/** The offset of segment element `r` through the reduced shape and strides at `shape_at` (a product when one axis). */
fn segment_offset(shape_at: u32, strides_at: u32, nr: u32, r: u32) -> i32 {
  if (nr == 1u) { return i32(r) * bitcast<i32>(params[strides_at]); }
  return decompose(shape_at, strides_at, nr, r);
}

/** Element r of the segment at `base`. */
fn element(base: i32, red_shape: u32, red_strides: u32, nr: u32, r: u32) -> f32 {
  return load_0(u32(base + segment_offset(red_shape, red_strides, nr, r)));
}

/** Elements r, r + 256, ..., r + 1792 of the segment at `base`, all loaded before any is used. */
fn load8(base: i32, red_shape: u32, red_strides: u32, nr: u32, r: u32) -> array<f32, 8> {
  return array<f32, 8>(
    element(base, red_shape, red_strides, nr, r), element(base, red_shape, red_strides, nr, r + 256u),
    element(base, red_shape, red_strides, nr, r + 512u), element(base, red_shape, red_strides, nr, r + 768u),
    element(base, red_shape, red_strides, nr, r + 1024u), element(base, red_shape, red_strides, nr, r + 1280u),
    element(base, red_shape, red_strides, nr, r + 1536u), element(base, red_shape, red_strides, nr, r + 1792u));
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
      var r = lid;
      for (; r + 1792u < R; r += 2048u) {
        let v = load8(base, red_shape, red_strides, nr, r);
        for (var i = 0u; i < 8u; i++) { m = maximum_f(m, v[i]); }
      }
      for (; r < R; r += 256u) { m = maximum_f(m, element(base, red_shape, red_strides, nr, r)); }
    }
  }
  let mx = fold(m, lid, true);
  var acc = 0.0;
  if (valid) {
    if (held) {
      for (var i = 0u; i < HELD; i++) { vals[i] = mx_exp(vals[i] - mx); }
      for (var i = 0u; i < HELD; i++) { acc = acc + select(0.0, vals[i], lid + i * 256u < R); }
    } else {
      var r = lid;
      for (; r + 1792u < R; r += 2048u) {
        let v = load8(base, red_shape, red_strides, nr, r);
        for (var i = 0u; i < 8u; i++) { acc = acc + mx_exp(v[i] - mx); }
      }
      for (; r < R; r += 256u) { acc = acc + mx_exp(element(base, red_shape, red_strides, nr, r) - mx); }
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
      var r = lid;
      for (; r + 1792u < R; r += 2048u) {
        let v = load8(base, red_shape, red_strides, nr, r);
        for (var i = 0u; i < 8u; i++) {
          out_words[u32(out_base + segment_offset(red_shape, out_red_strides, nr, r + 256u * i))] = bitcast<u32>(mx_exp(v[i] - mx) / total);
        }
      }
      for (; r < R; r += 256u) {
        let v = mx_exp(element(base, red_shape, red_strides, nr, r) - mx) / total;
        out_words[u32(out_base + segment_offset(red_shape, out_red_strides, nr, r))] = bitcast<u32>(v);
      }
    }
  }
}
