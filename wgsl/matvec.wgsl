// Matrix-vector products (M = 1 or N = 1): out[j] = sum_k mat(j, k) * vec(k)
// over L outputs, float32 accumulation. Two layouts of the matrix:
//   ROWS (k contiguous): a 256-invocation workgroup reduces 4 rows, 64
//     invocations per row, each summing quads of k (one vec4 or vec2 word load
//     per quad when the rows are 4-element aligned), then a tree in workgroup memory;
//   COLS (otherwise): each invocation owns 4 neighbouring outputs, 64 per
//     workgroup side by side (1 KiB rows of a float32 matrix per load), 4 k lanes
//     per workgroup and K split over SPLITS workgroups; each split writes its own
//     partial row (wgsl/matvec-sum.wgsl adds them when SPLITS > 1).
// Slots (filled by backends/webgpu/matvec.ts):
//   MAT, VEC   bindings 2 and 3 with load_0 (matrix) / load_1 (vector)
//   QUAD       binding 4 (the matrix again, as 4-element words) and quad(e): elements e..e+3, e % 4 == 0
//   CONFIG     const ROWS (bool), ALIGNED (bool: quad() applies to every quad the kernel reads),
//              UNROLL (u32: quads, or rows of k, each invocation loads before using any: loads in flight)
// params: [L, K, mat_offset, js (output stride), ks (k stride), vec_offset, vs, splits, k_per_split, col_blocks]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{MAT}}
{{VEC}}
{{QUAD}}
{{CONFIG}}

var<workgroup> red: array<vec4<f32>, 256>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }
// the element (j, k) of the matrix and k of the vector; strides may be negative
fn mat_index(j: u32, k: u32) -> u32 { return u32(p_i(2) + i32(j) * p_i(3) + i32(k) * p_i(4)); }
fn mat_at(j: u32, k: u32) -> f32 { return load_0(mat_index(j, k)); }
fn vec_at(k: u32) -> f32 { return load_1(u32(p_i(5) + i32(k) * p_i(6))); }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (ROWS) { rows(g, t); } else { cols(g, t); }
}

fn rows(g: u32, t: u32) {
  let L = params[0];
  let K = params[1];
  let lane = t % 64u;
  let j = g * 4u + t / 64u;
  var acc = 0.0;
  if (j < L) {
    let quads = K / 4u;
    for (var q0 = lane; q0 < quads; q0 += 64u * UNROLL) {
      // UNROLL quads 64 apart, all loaded before the first product
      var m: array<vec4<f32>, UNROLL>;
      var v: array<vec4<f32>, UNROLL>;
      for (var i = 0u; i < UNROLL; i++) {
        let q = q0 + 64u * i;
        let k = 4u * q;
        m[i] = vec4<f32>(0.0);
        v[i] = vec4<f32>(0.0);
        if (q < quads) {
          if (ALIGNED) { m[i] = quad(mat_index(j, k)); } else { m[i] = vec4<f32>(mat_at(j, k), mat_at(j, k + 1u), mat_at(j, k + 2u), mat_at(j, k + 3u)); }
          v[i] = vec4<f32>(vec_at(k), vec_at(k + 1u), vec_at(k + 2u), vec_at(k + 3u));
        }
      }
      for (var i = 0u; i < UNROLL; i++) { acc += dot(m[i], v[i]); }
    }
    for (var k = 4u * quads + lane; k < K; k += 64u) { acc += mat_at(j, k) * vec_at(k); }
  }
  red[t] = vec4<f32>(acc, 0.0, 0.0, 0.0);
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (lane < s) { red[t].x += red[t + s].x; }
    workgroupBarrier();
  }
  if (lane == 0u && j < L) { out_words[j] = bitcast<u32>(red[t].x); }
}

fn cols(g: u32, t: u32) {
  let L = params[0];
  let K = params[1];
  let col_blocks = params[9];
  let split = g / col_blocks;
  let j0 = ((g % col_blocks) * 64u + t % 64u) * 4u;
  let k_begin = split * params[8];
  let k_end = min(K, k_begin + params[8]);
  var acc = vec4<f32>(0.0);
  if (ALIGNED && j0 + 3u < L) {
    for (var k0 = k_begin + t / 64u; k0 < k_end; k0 += 4u * UNROLL) {
      // UNROLL rows of k (4 apart) loaded before the first product
      var m: array<vec4<f32>, UNROLL>;
      var v: array<f32, UNROLL>;
      for (var i = 0u; i < UNROLL; i++) {
        let k = k0 + 4u * i;
        m[i] = vec4<f32>(0.0);
        v[i] = 0.0;
        if (k < k_end) { m[i] = quad(mat_index(j0, k)); v[i] = vec_at(k); }
      }
      for (var i = 0u; i < UNROLL; i++) { acc += m[i] * v[i]; }
    }
  } else {
    for (var k = k_begin + t / 64u; k < k_end; k += 4u) {
      var m = vec4<f32>(0.0);
      for (var i = 0u; i < 4u; i++) {
        if (j0 + i < L) { m[i] = mat_at(j0 + i, k); }
      }
      acc += m * vec_at(k);
    }
  }
  red[t] = acc;
  workgroupBarrier();
  if (t < 64u) {
    let sum = red[t] + red[t + 64u] + red[t + 128u] + red[t + 192u];
    let o = split * L + j0;
    for (var i = 0u; i < 4u; i++) {
      if (j0 + i < L) { out_words[o + i] = bitcast<u32>(sum[i]); }
    }
  }
}
