// Convolution as an implicit GEMM, one group at a time: C[m, n] = sum_k A[m, k] B[k, n]
// with m an output pixel (batch and spatial position), n an output channel of
// the group and k = tap * Cg + c a kernel tap and input channel. A is never
// materialised: the workgroup decodes its BM pixels once (batch offset and
// out * stride - pad_lo per axis) and each slab's BK values of k (tap * kernel
// dilation per axis, the channel's offset, the weight's offset), so staging an
// element of A is an add, a bounds test against the dilated input and a load
// (0 over padding and input-dilation holes; taps reversed in the weight when
// flipped). A 16x16 workgroup computes a BM x BN tile of C, each invocation
// rows ty * 4 + 64 v + r (v < TMV, r < 4: TMV vec4s of the staged A) and columns tx * TN + j,
// over K in slabs of BK staged in workgroup memory; float32 accumulation,
// float32 words out (the backend casts after).
// Slots, filled by backends/webgpu/conv.ts:
//   X, W    bindings 2 and 3 with load_0 / load_1
//   CONFIG  const TN (1 or 4: output channels per invocation), alias BV (f32 or vec4<f32>: TN of them),
//           const TMV (1 or 2: vec4s of output pixels per invocation),
//           const IDIL1 (true when every input dilation is 1)
//   PUT_B   the store of a staged weight value v at (kk, n) into tile_b
//   STORE   the writes of acc[i] (row m, TN columns) through put(m, g, n, value)
// params: [M, Og, K, Cg, G, tiles_n, tiles_m, x_off, w_off, O, flip,
//          out[3], in[3], kernel[3], stride[3], pad_lo[3] (i32), kernel_dil[3], input_dil[3],
//          x strides[5] (n, d, h, w, c), w strides[5] (o, kd, kh, kw, c)]  (spatial axes padded to 3 in front)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{X}}
{{W}}

{{CONFIG}}
const BM = 64u * TMV;
const BN = 16u * TN;
const BK = 16u;
// below any position a tap can add back: marks a pixel past M or a k past K
const OUTSIDE = -1073741824;
var<workgroup> tile_a: array<vec4<f32>, BK * BM / 4u>;
var<workgroup> tile_b: array<BV, BK * 16u>;
var<workgroup> row_base: array<i32, BM>;
var<workgroup> row_q: array<vec3<i32>, BM>;
var<workgroup> col_t: array<vec3<i32>, BK>;
var<workgroup> col_c: array<i32, BK>;
var<workgroup> col_w: array<i32, BK>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }
fn p3(k: u32) -> vec3<i32> { return vec3<i32>(p_i(k), p_i(k + 1u), p_i(k + 2u)); }

// tap index -> (kd, kh, kw)
fn tap3(tap: u32) -> vec3<i32> {
  let KH = params[18];
  let KW = params[19];
  return vec3<i32>(i32(tap / (KH * KW)), i32((tap / KW) % KH), i32(tap % KW));
}

// output pixel m, channel n of group g
fn put(m: u32, g: u32, n: u32, v: f32) {
  if (m < params[0] && n < params[1]) { out_words[m * params[9] + g * params[1] + n] = bitcast<u32>(v); }
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) t: u32) {
  let M = params[0];
  let Og = params[1];
  let K = params[2];
  let Cg = params[3];
  let tiles_n = params[5];
  let tiles_m = params[6];
  let gi = wid.x + wid.y * nwg.x;
  let per_group = tiles_n * tiles_m;
  let g = gi / per_group;
  // the grid may hold a few more workgroups than tiles (a second dimension rounds up)
  if (g >= params[4]) { return; }
  let m0 = ((gi % per_group) / tiles_n) * BM;
  let n0 = ((gi % per_group) % tiles_n) * BN;
  let tx = lid.x;
  let ty = lid.y;
  let in_extent = (p3(14u) - vec3<i32>(1)) * p3(29u) + vec3<i32>(1);
  let xs = p3(33u);
  let w_row = p_i(8) + i32(g * Og) * p_i(37);
  // the tile's pixels, decoded once
  if (t < BM) {
    let m = m0 + t;
    if (m < M) {
      let OH = params[12];
      let OW = params[13];
      let per_n = params[11] * OH * OW;
      let r = m % per_n;
      let o = vec3<i32>(i32(r / (OH * OW)), i32((r / OW) % OH), i32(r % OW));
      row_base[t] = p_i(7) + i32(m / per_n) * p_i(32);
      row_q[t] = o * p3(20u) - p3(23u);
    } else {
      row_base[t] = 0;
      row_q[t] = vec3<i32>(OUTSIDE);
    }
  }
  var acc: array<BV, 4u * TMV>;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    // this slab's values of k, decoded once
    if (t < BK) {
      let k = k0 + t;
      if (k < K) {
        let tap = k / Cg;
        let c = k % Cg;
        col_t[t] = tap3(tap) * p3(26u);
        col_c[t] = i32(g * Cg + c) * p_i(36);
        var wt = tap;
        if (params[10] != 0u) { wt = K / Cg - 1u - tap; }
        let w3 = tap3(wt);
        col_w[t] = w3.x * p_i(38) + w3.y * p_i(39) + w3.z * p_i(40) + i32(c) * p_i(41);
      } else {
        col_t[t] = vec3<i32>(OUTSIDE);
        col_c[t] = 0;
        col_w[t] = 0;
      }
    }
    workgroupBarrier();
    // k fastest: neighbouring invocations read neighbouring channels of one pixel / one weight row
    for (var i = 0u; i < BM * BK / 256u; i++) {
      let e = t + 256u * i;
      let kk = e % BK;
      let mm = e / BK;
      let q = row_q[mm] + col_t[kk];
      var v = 0.0;
      var inside = all(q >= vec3<i32>(0)) && all(q < in_extent);
      if (!IDIL1) { inside = inside && all(q % p3(29u) == vec3<i32>(0)); }
      if (inside) {
        var src = q;
        if (!IDIL1) { src = q / p3(29u); }
        v = load_0(u32(row_base[mm] + dot(src, xs) + col_c[kk]));
      }
      tile_a[kk * (BM / 4u) + mm / 4u][mm % 4u] = v;
    }
    for (var i = 0u; i < BN * BK / 256u; i++) {
      let e = t + 256u * i;
      let kk = e % BK;
      let n = e / BK;
      var v = 0.0;
      if (n0 + n < Og && col_t[kk].x >= 0) { v = load_1(u32(w_row + i32(n0 + n) * p_i(37) + col_w[kk])); }
      {{PUT_B}}
    }
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let b = tile_b[k * 16u + tx];
      for (var v = 0u; v < TMV; v++) {
        let a = tile_a[k * (BM / 4u) + ty + 16u * v];
        acc[4u * v] = fma(BV(a.x), b, acc[4u * v]);
        acc[4u * v + 1u] = fma(BV(a.y), b, acc[4u * v + 1u]);
        acc[4u * v + 2u] = fma(BV(a.z), b, acc[4u * v + 2u]);
        acc[4u * v + 3u] = fma(BV(a.w), b, acc[4u * v + 3u]);
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u * TMV; i++) {
    let m = m0 + ty * 4u + 64u * (i / 4u) + i % 4u;
    {{STORE}}
  }
}
