// Batched complex64 matmul C[b] = A[b] @ B[b]: a 16x16 workgroup computes a
// 32x32 tile of C, each invocation a 2x2 block of (real, imaginary) float32
// accumulators, over K in slabs of 16 staged in workgroup memory (each
// invocation stages two elements of A and two of B per slab). Operands are
// read through their strides (transposed or broadcast operands need no copy);
// out-of-range rows, columns and k read as 0 (never multiplied into a stored
// element). Each product is formed as a pair (ac - bd, ad + bc) and added to
// the accumulator pair; the result is written as two float32 words per element.
// Slots (the name in double braces), filled by backends/webgpu/matmul-complex.ts:
//   A, B       bindings 2 and 3 with load_0 / load_1 (vec2<f32>)
// params: [M, N, K, nb (batch dims), tiles_n, tiles_m, batches,
//          a_offset, a_rs, a_cs, b_offset, b_rs, b_cs, batch shape[nb], a batch strides[nb], b batch strides[nb]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{A}}
{{B}}

const T = 32u;
const BK = 16u;
var<workgroup> tile_a: array<vec2<f32>, 512>; // [k][row], T rows per k
var<workgroup> tile_b: array<vec2<f32>, 512>; // [k][col], T columns per k

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

var<private> mm_M: u32;
var<private> mm_N: u32;
var<private> mm_K: u32;
var<private> mm_a_off: i32;
var<private> mm_b_off: i32;

fn a_at(m: u32, k: u32) -> vec2<f32> {
  if (m < mm_M && k < mm_K) { return load_0(u32(mm_a_off + i32(m) * p_i(8) + i32(k) * p_i(9))); }
  return vec2<f32>(0.0, 0.0);
}

fn b_at(k: u32, c: u32) -> vec2<f32> {
  if (c < mm_N && k < mm_K) { return load_1(u32(mm_b_off + i32(k) * p_i(11) + i32(c) * p_i(12))); }
  return vec2<f32>(0.0, 0.0);
}

fn put(c_base: u32, row: u32, col: u32, v: vec2<f32>) {
  if (row >= mm_M || col >= mm_N) { return; }
  let o = 2u * (c_base + row * mm_N + col);
  out_words[o] = bitcast<u32>(v.x);
  out_words[o + 1u] = bitcast<u32>(v.y);
}

/** acc + x y, the product as a pair. */
fn mac(acc: vec2<f32>, x: vec2<f32>, y: vec2<f32>) -> vec2<f32> {
  return acc + vec2<f32>(x.x * y.x - x.y * y.y, x.x * y.y + x.y * y.x);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) t: u32) {
  let nb = params[3];
  let tiles_n = params[4];
  let per_batch = tiles_n * params[5];
  let g = wid.x + wid.y * nwg.x;
  let batch = g / per_batch;
  // the grid may hold a few more workgroups than tiles (a second dimension rounds up)
  if (batch >= params[6]) { return; }
  let tn = (g % per_batch) % tiles_n;
  let tm = (g % per_batch) / tiles_n;
  var rem = batch;
  var a_off = p_i(7);
  var b_off = p_i(10);
  for (var d = i32(nb) - 1; d >= 0; d--) {
    let dim = params[13u + u32(d)];
    let idx = i32(rem % dim);
    rem = rem / dim;
    a_off += idx * p_i(13u + nb + u32(d));
    b_off += idx * p_i(13u + 2u * nb + u32(d));
  }
  mm_M = params[0];
  mm_N = params[1];
  let K = params[2];
  mm_K = K;
  mm_a_off = a_off;
  mm_b_off = b_off;
  let m0 = tm * T;
  let n0 = tn * T;
  // staging: invocation t loads (row t % 32, k t / 32) and (row, k + 8) of A, the same of B with columns
  let sr = t % T;
  let sk = t / T;
  var c00 = vec2<f32>(0.0, 0.0);
  var c01 = vec2<f32>(0.0, 0.0);
  var c10 = vec2<f32>(0.0, 0.0);
  var c11 = vec2<f32>(0.0, 0.0);
  for (var k0 = 0u; k0 < K; k0 += BK) {
    tile_a[sk * T + sr] = a_at(m0 + sr, k0 + sk);
    tile_a[(sk + 8u) * T + sr] = a_at(m0 + sr, k0 + sk + 8u);
    tile_b[sk * T + sr] = b_at(k0 + sk, n0 + sr);
    tile_b[(sk + 8u) * T + sr] = b_at(k0 + sk + 8u, n0 + sr);
    workgroupBarrier();
    for (var k = 0u; k < BK; k++) {
      let a0 = tile_a[k * T + lid.y];
      let a1 = tile_a[k * T + lid.y + 16u];
      let b0 = tile_b[k * T + lid.x];
      let b1 = tile_b[k * T + lid.x + 16u];
      c00 = mac(c00, a0, b0);
      c01 = mac(c01, a0, b1);
      c10 = mac(c10, a1, b0);
      c11 = mac(c11, a1, b1);
    }
    workgroupBarrier();
  }
  let c_base = batch * mm_M * mm_N;
  put(c_base, m0 + lid.y, n0 + lid.x, c00);
  put(c_base, m0 + lid.y, n0 + lid.x + 16u, c01);
  put(c_base, m0 + lid.y + 16u, n0 + lid.x, c10);
  put(c_base, m0 + lid.y + 16u, n0 + lid.x + 16u, c11);
}
