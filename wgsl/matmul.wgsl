// Batched matmul C[b] = A[b] @ B[b], register-blocked: a 16x16 workgroup
// computes a BM x BN tile of C, each invocation a TM x TN block held in vec4
// registers, over K in slabs of BK staged in workgroup memory. Both staged
// slabs are k-major (A transposed on the way in), so every k step reads one
// vec4 of A and one of B per 4x4 block. Invocation (tx, ty) owns rows
// ty*4 + 64*i + (0..3) and columns tx*4 + 64*j + (0..3): neighbouring
// invocations read neighbouring vec4s of the slabs (no bank conflicts) and
// write neighbouring words of C. With NBUF = 2 the slabs are double-buffered: slab k+1 is stored into the other
// buffer while slab k is computed, one barrier per slab; with NBUF = 1 the
// store waits behind a second barrier.
// A and B are read through their strides (transposed or broadcast operands
// need no copy); the loop that stages them walks whichever of k or the
// row/column is contiguous. A float32, float16 or bfloat16 operand contiguous
// along that dimension with rows aligned to four elements is staged four
// neighbours per invocation: in interior tiles (`fast`: the tile inside M and
// N, K a nonzero multiple of BK) one word each from a second binding of its
// buffer (vec4<f32>, or vec2<u32> of four 16-bit elements), in edge tiles four
// bounds-tested elements (16-bit: their bits packed into the same vec2<u32>;
// 16-bit words are decoded only when the slab is stored to workgroup memory,
// so the staging registers stay half as many and no decode waits on its load
// ahead of the FMAs). The staging only moves values: every output element
// is the fma chain acc = fma(A[m, k], B[k, n], acc) from acc = 0 over k
// ascending (zeros past K; over each split's k range when K is split),
// whatever the tile shape, staging or layout. The
// result is written as float32 words, or for a float16/bfloat16 result with N
// even as its own packed words (each pair of columns one word of one
// invocation), rounded as the backend's cast after a float32 result would.
// Slots (the name in double braces), filled by backends/webgpu/matmul.ts:
//   A, B       bindings 2 and 3 with load_0 / load_1
//   VEC4       a4 / b4: the four-element-staged operands' buffers as array<vec4<f32>> or
//              array<vec2<u32>> (bindings 4, 5) and quad_<dtype>, a 16-bit word's decoder, with
//              a_bits / b_bits (a 16-bit element's bits, 0 out of range); or nothing
//   CONFIG     const BM, BN, BK, NBUF
//   PAIRS      a_pair / b_pair for an operand staged in pairs (two 16-bit neighbours from one word), or nothing
//   ACC        the accumulator declarations (acc_r_j: vec4<f32>, r < TM, j < TN / 4)
//   STAGE_INDEX  the (row, k) of each element this invocation stages (k-fastest
//              for an operand whose k stride is 1, else row/column-fastest;
//              the first of four for a vec4 operand, with its vec4 word index)
//   LOAD_SLAB, LOAD_NEXT  loads of slab k0 / kn into the staging registers (f32, vec2 for pairs, vec4;
//              vec2<u32> for four-element-staged 16-bit operands)
//   STORE_SLAB the staging registers written to tile_a[buf] / tile_b[buf]
//   KSTEPS     the BK k steps on tile_a[cur] / tile_b[cur], straight code with constant offsets:
//              per step the thread's A and B vec4s and the FMAs
//   STORE      the writes of the accumulators through put(row, col4, v)
//   PUT        put's stores of columns col .. col + 3 (those below N) of row `row` at c_base + row * N + col:
//              float32 words, or pack_<dtype> pairs (16-bit results, N even)
// Split along K (splits > 1, backends/webgpu/matmul-splits.ts): workgroup g's split s = g / (tiles
// of all batches) takes k in [s * kc, min(K, (s + 1) * kc)) as its whole K (the operands' offsets
// moved to its first k) and writes its float32 partial tile to slice s of the output, out[s, batch];
// the partials are added in split order by wgsl/split-sum.wgsl.
// params: [M, N, K, nb (batch dims), tiles_n, tiles_m, batches, a_offset, a_rs, a_cs,
//          b_offset, b_rs, b_cs, splits, kc, batch shape[nb], a batch strides[nb], b batch strides[nb]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{A}}
{{B}}
{{VEC4}}

{{CONFIG}}
// staged slabs, k-major; A's rows padded by one vec4 so that k-fastest staging does not collide on banks
const SA = BM / 4u + 1u;
const SB = BN / 4u;
var<workgroup> tile_a: array<array<vec4<f32>, BK * SA>, NBUF>;
var<workgroup> tile_b: array<array<vec4<f32>, BK * SB>, NBUF>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

// this workgroup's operands, set once at the start (read by a_at / b_at)
var<private> mm_M: u32;
var<private> mm_N: u32;
var<private> mm_K: u32;
var<private> mm_a_off: i32;
var<private> mm_a_rs: i32;
var<private> mm_a_cs: i32;
var<private> mm_b_off: i32;
var<private> mm_b_rs: i32;
var<private> mm_b_cs: i32;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) t: u32) {
  let M = params[0];
  let N = params[1];
  let nb = params[3];
  let tiles_n = params[4];
  let tiles_m = params[5];
  let g = wid.x + wid.y * nwg.x;
  let per_batch = tiles_n * tiles_m;
  let per_split = per_batch * params[6];
  let split = g / per_split;
  // the grid may hold a few more workgroups than tiles (a second dimension rounds up)
  if (split >= params[13]) { return; }
  let batch = (g % per_split) / per_batch;
  let tn = (g % per_batch) % tiles_n;
  let tm = (g % per_batch) / tiles_n;
  // this split's k range: its first k and its depth, the K of everything below
  let k_lo = split * params[14];
  let K = min(params[2] - k_lo, params[14]);
  var rem = batch;
  var a_off = p_i(7) + i32(k_lo) * p_i(9);
  var b_off = p_i(10) + i32(k_lo) * p_i(11);
  for (var d = i32(nb) - 1; d >= 0; d--) {
    let dim = params[15u + u32(d)];
    let idx = i32(rem % dim);
    rem = rem / dim;
    a_off += idx * p_i(15u + nb + u32(d));
    b_off += idx * p_i(15u + 2u * nb + u32(d));
  }
  mm_M = M;
  mm_N = N;
  mm_K = K;
  mm_a_off = a_off;
  mm_b_off = b_off;
  mm_a_rs = p_i(8);
  mm_a_cs = p_i(9);
  mm_b_rs = p_i(11);
  mm_b_cs = p_i(12);
  let m0 = tm * BM;
  let n0 = tn * BN;
  let tx = lid.x;
  let ty = lid.y;
  // interior tile: vec4-staged operands load whole words without bounds tests (K = 0 reads nothing)
  let fast = m0 + BM <= M && n0 + BN <= N && K % BK == 0u && K != 0u;
  {{ACC}}
  // each invocation stages BM*BK/256 elements of A and BN*BK/256 of B per slab;
  // the next slab's loads are issued before the current slab's FMAs (their latency hides behind them)
  {{STAGE_INDEX}}
  {{LOAD_SLAB}}
  var buf = 0u;
  {{STORE_SLAB}}
  workgroupBarrier();
  var cur = 0u;
  for (var k0 = 0u; k0 < K; k0 += BK) {
    let kn = k0 + BK;
    let more = kn < K;
    if (more) {
      {{LOAD_NEXT}}
    }
    {{KSTEPS}}
    if (NBUF == 1u) { workgroupBarrier(); }
    buf = (cur + 1u) % NBUF;
    if (more) {
      {{STORE_SLAB}}
    }
    workgroupBarrier();
    cur = buf;
  }
  let c_base = (split * params[6] + batch) * M * N;
  {{STORE}}
}

fn a_at(m: u32, k: u32) -> f32 {
  if (m < mm_M && k < mm_K) { return load_0(u32(mm_a_off + i32(m) * mm_a_rs + i32(k) * mm_a_cs)); }
  return 0.0;
}

fn b_at(k: u32, c: u32) -> f32 {
  if (c < mm_N && k < mm_K) { return load_1(u32(mm_b_off + i32(k) * mm_b_rs + i32(c) * mm_b_cs)); }
  return 0.0;
}

fn put(c_base: u32, M: u32, N: u32, row: u32, col: u32, v: vec4<f32>) {
  if (row >= M) { return; }
  {{PUT}}
}

{{PAIRS}}
