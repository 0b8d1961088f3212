// softmax and logsumexp over a segment per workgroup of 256: the maximum
// (NaN-propagating), then the sum of exp(x - max) folded in a tree, then
// either max + log(sum) (logsumexp) or exp(x - max) / sum written back per
// element (softmax). Results are float32 words; the backend casts narrower
// float outputs afterwards.
// Slots (the name in double braces): INPUT binding 2 and load_0; LSE: true for logsumexp.
// params: [n_out, R, nk, nr, kept shape[nk], kept strides[nk], red shape[nr], red strides[nr],
//          offset, out kept strides[nk], out red strides[nr]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}

var<workgroup> part: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let n_out = params[0];
  let R = params[1];
  let nk = params[2];
  let nr = params[3];
  let valid = o < n_out;
  let red_shape = 4u + 2u * nk;
  let base_off = 4u + 2u * nk + 2u * nr;
  var base = 0;
  if (valid) { base = bitcast<i32>(params[base_off]) + decompose(4u, 4u + nk, nk, o); }
  var m = -inf_f32();
  if (valid) {
    for (var r = lid; r < R; r += 256u) {
      m = maximum_f(m, load_0(u32(base + decompose(red_shape, red_shape + nr, nr, r))));
    }
  }
  part[lid] = m;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] = maximum_f(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  let mx = part[0];
  workgroupBarrier();
  var acc = 0.0;
  if (valid) {
    for (var r = lid; r < R; r += 256u) {
      acc = acc + mx_exp(load_0(u32(base + decompose(red_shape, red_shape + nr, nr, r))) - mx);
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { part[lid] = part[lid] + part[lid + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  if (!valid) { return; }
  if ({{LSE}}) {
    if (lid == 0u) {
      out_words[o] = bitcast<u32>(select(mx + mx_log(total), mx, is_inf(mx) || is_nan(mx)));
    }
  } else {
    let out_base = decompose(4u, base_off + 1u, nk, o);
    for (var r = lid; r < R; r += 256u) {
      let v = mx_exp(load_0(u32(base + decompose(red_shape, red_shape + nr, nr, r))) - mx) / total;
      out_words[u32(out_base + decompose(red_shape, base_off + 1u + nk, nr, r))] = bitcast<u32>(v);
    }
  }
}
