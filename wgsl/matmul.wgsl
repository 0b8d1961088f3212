// Batched matmul C[b] = A[b] @ B[b] with 16x16 tiles staged in workgroup
// memory and float32 accumulation. A and B are read through their strides,
// so transposed or broadcast operands need no copy. The result is written as
// float32 words (the backend casts to float16/bfloat16 afterwards).
// Slots (the name in double braces): A, B: bindings 2 and 3 with load_0 / load_1.
// params: [M, N, K, nb (batch dims), tilesN, tilesM, a_offset, a_rs, a_cs,
//          b_offset, b_rs, b_cs, batch shape[nb], a batch strides[nb], b batch strides[nb]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{A}}
{{B}}

var<workgroup> tile_a: array<array<f32, 16>, 16>;
var<workgroup> tile_b: array<array<f32, 16>, 16>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let M = params[0];
  let N = params[1];
  let K = params[2];
  let nb = params[3];
  let tiles_n = params[4];
  let tiles_m = params[5];
  let g = wid.x + wid.y * nwg.x;
  let per_batch = tiles_n * tiles_m;
  let batch = g / per_batch;
  let tn = (g % per_batch) % tiles_n;
  let tm = (g % per_batch) / tiles_n;
  // batch offsets
  var rem = batch;
  var a_off = p_i(6);
  var b_off = p_i(9);
  for (var d = i32(nb) - 1; d >= 0; d--) {
    let dim = params[12u + u32(d)];
    let idx = i32(rem % dim);
    rem = rem / dim;
    a_off += idx * p_i(12u + nb + u32(d));
    b_off += idx * p_i(12u + 2u * nb + u32(d));
  }
  let row = tm * 16u + lid.y;
  let col = tn * 16u + lid.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < K; k0 += 16u) {
    let ka = k0 + lid.x;
    let kb = k0 + lid.y;
    var va = 0.0;
    var vb = 0.0;
    if (row < M && ka < K) { va = load_0(u32(a_off + i32(row) * p_i(7) + i32(ka) * p_i(8))); }
    if (col < N && kb < K) { vb = load_1(u32(b_off + i32(kb) * p_i(10) + i32(col) * p_i(11))); }
    tile_a[lid.y][lid.x] = va;
    tile_b[lid.y][lid.x] = vb;
    workgroupBarrier();
    for (var k = 0u; k < 16u; k++) {
      acc = acc + tile_a[lid.y][k] * tile_b[k][lid.x];
    }
    workgroupBarrier();
  }
  if (row < M && col < N) {
    out_words[batch * M * N + row * N + col] = bitcast<u32>(acc);
  }
}
