// Exact 8-bit integer matmul without subgroup matrices: C (float32) = A @ B
// for int8 @ int8 or uint8 @ uint8, a 32 x 32 tile of C per workgroup of
// 16 x 16 invocations (each a 2 x 2 block), K in slabs of 16 staged in
// workgroup memory. A slab's products sum in i32 (at most 16 x 255^2), the
// slabs' sums in 64 bits (int64.wgsl pairs: |C| < 2^31 x 2^16 for any K),
// stored as float32 rounded once to nearest even on the bits: the exact
// integer sum rounded once, the reference's bits. Operands are read through
// their strides (transposes and broadcast batches cost no copy).
// Slots (backends/webgpu/matmul-int8.ts): INPUTS, the bindings of A (load_0)
// and B (load_1) in their compute type (i32 or u32); TO_F32, i64_to_f32 or u64_to_f32.
// params: [M, N, K, batch dims, a offset, a row stride, a col stride,
//          b offset, b row stride, b col stride, tiles along N, tiles along M,
//          batch shape, a batch strides, b batch strides] (strides may be negative)

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

var<workgroup> tile_a: array<i32, 512>; // [k][m], 16 x 32
var<workgroup> tile_b: array<i32, 512>; // [k][n], 16 x 32

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

/** The element offset of batch `batch`'s matrix in operand `k` (0: A, 1: B). */
fn batch_offset(batch_in: u32, k: u32) -> i32 {
  let nb = params[3];
  var off = p_i(4u + 3u * k);
  var batch = batch_in;
  for (var d = i32(nb) - 1; d >= 0; d--) {
    let dim = params[12u + u32(d)];
    off += i32(batch % dim) * p_i(12u + (1u + k) * nb + u32(d));
    batch /= dim;
  }
  return off;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let M = params[0];
  let N = params[1];
  let K = params[2];
  let tiles_n = params[10];
  let tiles = tiles_n * params[11];
  let g = wid.x + wid.y * nwg.x;
  let batch = g / tiles;
  let row0 = ((g % tiles) / tiles_n) * 32u;
  let col0 = (g % tiles_n) * 32u;
  let aoff = batch_offset(batch, 0u);
  let boff = batch_offset(batch, 1u);
  let tx = t % 16u;
  let ty = t / 16u;
  var acc: array<vec2<u32>, 4>;
  for (var q = 0u; q < 4u; q++) { acc[q] = vec2u(0u, 0u); }
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    for (var i = t; i < 512u; i += 256u) {
      let m = i / 16u;
      let k = i % 16u;
      var va = 0;
      if (row0 + m < M && k0 + k < K) { va = i32(load_0(u32(aoff + i32(row0 + m) * p_i(5) + i32(k0 + k) * p_i(6)))); }
      tile_a[k * 32u + m] = va;
      let n = i % 32u;
      let kb = i / 32u;
      var vb = 0;
      if (k0 + kb < K && col0 + n < N) { vb = i32(load_1(u32(boff + i32(k0 + kb) * p_i(8) + i32(col0 + n) * p_i(9)))); }
      tile_b[kb * 32u + n] = vb;
    }
    workgroupBarrier();
    var slab = vec4<i32>(0);
    for (var k = 0u; k < 16u; k++) {
      let x0 = tile_a[k * 32u + ty];
      let x1 = tile_a[k * 32u + ty + 16u];
      let y0 = tile_b[k * 32u + tx];
      let y1 = tile_b[k * 32u + tx + 16u];
      slab += vec4<i32>(x0 * y0, x0 * y1, x1 * y0, x1 * y1);
    }
    for (var q = 0u; q < 4u; q++) { acc[q] = w64_add(acc[q], i64_from_i32(slab[q])); }
    workgroupBarrier();
  }
  let c = batch * M * N;
  for (var q = 0u; q < 4u; q++) {
    let r = row0 + ty + 16u * (q / 2u);
    let col = col0 + tx + 16u * (q % 2u);
    if (r < M && col < N) { out_words[c + r * N + col] = bitcast<u32>({{TO_F32}}(acc[q], false)); }
  }
}
