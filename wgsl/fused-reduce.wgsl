// A fused reduction (mx.compile): an elementwise prologue computed where the
// reduction loads its input, folded exactly as reduce.wgsl (a workgroup of
// 256 per chunk: four accumulators per invocation over its strided share, then
// 32 folds of 8 shares and one of their 32 results; its header states the
// order), reduce-groups.wgsl (LANES invocations per output, each folding
// every LANES-th element, then the first the lanes' results) or segments.wgsl
// (one invocation per output folding in order) fold it, then the elementwise
// epilogue on the result, each output written as a 32-bit word (the backend
// casts narrower dtypes afterwards, as the reduce kernel does). A first pass
// of several chunks writes the accumulator words instead (EMIT).
// Slots (the name in double braces), filled by backends/webgpu/fuse-reduce.ts:
//   INPUTS   the group's inputs (bindings from 2 on) and their load_<k>(e)
//   BASES    private i32s per prologue input: its segment start for the current output and its step along one reduced dim
//   NODES    fn node<j>(a, b, c) of the prologue and epilogue nodes
//   V, T     the reduction's input compute type and its accumulator type
//   LIFT, INIT, FOLD   as in reduce.wgsl (float max/min: as in segments.wgsl, a vec2<u32> T of order key and bits)
//   RESULT   the folded accumulator `folded` as a value of the reduction's compute type (acc of EMIT)
//   SET_BASES  statements setting BASES for output o
//   ELEMENT  statements of fn element(r) -> V: element r of the current segment
//   EMIT     statements of fn emit(g, o, acc): the epilogue and the stores (or the partial word)
//   ENTRY    reduce_tree, reduce_groups or reduce_short
//   LANES    invocations per output of reduce_groups (a power of two up to 256; 1 for the other entries)
// params: [0, 0, 0 (opaque_zero), n_out, R, chunks, chunk_len, nk, nr, ne, kept shape[nk],
//   reduced shape[nr], output shape[ne], per group input: prologue offset, kept strides[nk],
//   reduced strides[nr], epilogue offset, output strides[ne]; then the word offset of each output]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

const LANES = {{LANES}}u;

var<workgroup> part_a: array<{{T}}, 256>;
var<workgroup> part32_a: array<{{T}}, 32>;
/** Zeros the compiler cannot see (backends/webgpu/fuse.ts says why). */
var<private> opaque_zero: array<u32, 3>;
{{BASES}}

{{NODES}}

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn fold(a: {{T}}, b: {{T}}) -> {{T}} { return {{FOLD}}; }
fn block(k: u32) -> u32 { return 10u + params[7] + params[8] + params[9] + k * (2u + params[7] + params[8] + params[9]); }
fn set_bases(o: u32) { {{SET_BASES}} }
fn element(r: u32) -> {{V}} { {{ELEMENT}} }
fn emit(g: u32, o: u32, folded: {{T}}) { let acc = {{RESULT}}; {{EMIT}} }

fn reduce_short(wid: vec3u, nwg: vec3u, lid: u32) {
  let o = (wid.x + wid.y * nwg.x) * 256u + lid;
  if (o >= params[3]) { return; }
  set_bases(o);
  var acc: {{T}} = {{INIT}};
  for (var r = 0u; r < params[4]; r++) { acc = fold(acc, lift(element(r))); }
  emit(o, o, acc);
}

fn reduce_groups(wid: vec3u, nwg: vec3u, lid: u32) {
  let o = (wid.x + wid.y * nwg.x) * (256u / LANES) + lid / LANES;
  let lane = lid % LANES;
  // a spare group of the last workgroup folds nothing but still meets the barrier
  let valid = o < params[3];
  var acc: {{T}} = {{INIT}};
  if (valid) {
    set_bases(o);
    let R = params[4];
    // lane l folds elements l, l + LANES, ... left to right, eight loaded before they are folded
    var r = lane;
    for (; r + 7u * LANES < R; r += 8u * LANES) {
      let v0 = lift(element(r));
      let v1 = lift(element(r + LANES));
      let v2 = lift(element(r + 2u * LANES));
      let v3 = lift(element(r + 3u * LANES));
      let v4 = lift(element(r + 4u * LANES));
      let v5 = lift(element(r + 5u * LANES));
      let v6 = lift(element(r + 6u * LANES));
      let v7 = lift(element(r + 7u * LANES));
      acc = fold(fold(fold(fold(fold(fold(fold(fold(acc, v0), v1), v2), v3), v4), v5), v6), v7);
    }
    for (; r < R; r += LANES) { acc = fold(acc, lift(element(r))); }
  }
  part_a[lid] = acc;
  workgroupBarrier();
  if (valid && lane == 0u) {
    for (var k = 1u; k < LANES; k++) { acc = fold(acc, part_a[lid + k]); }
    emit(o, o, acc);
  }
}

fn reduce_tree(wid: vec3u, nwg: vec3u, lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let R = params[4];
  let chunks = params[5];
  let chunk_len = params[6];
  let o = g / chunks;
  let valid = o < params[3];
  let r_end = min(R, (g % chunks + 1u) * chunk_len);
  var a0: {{T}} = {{INIT}};
  var a1: {{T}} = {{INIT}};
  var a2: {{T}} = {{INIT}};
  var a3: {{T}} = {{INIT}};
  if (valid) {
    set_bases(o);
    // eight elements in flight, folded in reduce.wgsl's order: whole steps without tests, then the
    // last step's elements past the chunk clamped and not folded
    var r = (g % chunks) * chunk_len + lid;
    let full_end = select(0u, r_end - 1792u, r_end > 1792u);
    for (; r < full_end; r += 2048u) {
      let v0 = lift(element(r));
      let v1 = lift(element(r + 256u));
      let v2 = lift(element(r + 512u));
      let v3 = lift(element(r + 768u));
      let v4 = lift(element(r + 1024u));
      let v5 = lift(element(r + 1280u));
      let v6 = lift(element(r + 1536u));
      let v7 = lift(element(r + 1792u));
      a0 = fold(fold(a0, v0), v4);
      a1 = fold(fold(a1, v1), v5);
      a2 = fold(fold(a2, v2), v6);
      a3 = fold(fold(a3, v3), v7);
    }
    let last = r_end - 1u;
    for (; r < r_end; r += 2048u) {
      let v0 = lift(element(r));
      let v1 = lift(element(min(r + 256u, last)));
      let v2 = lift(element(min(r + 512u, last)));
      let v3 = lift(element(min(r + 768u, last)));
      let v4 = lift(element(min(r + 1024u, last)));
      let v5 = lift(element(min(r + 1280u, last)));
      let v6 = lift(element(min(r + 1536u, last)));
      let v7 = lift(element(min(r + 1792u, last)));
      a0 = fold(a0, v0);
      if (r + 256u < r_end) { a1 = fold(a1, v1); }
      if (r + 512u < r_end) { a2 = fold(a2, v2); }
      if (r + 768u < r_end) { a3 = fold(a3, v3); }
      if (r + 1024u < r_end) { a0 = fold(a0, v4); }
      if (r + 1280u < r_end) { a1 = fold(a1, v5); }
      if (r + 1536u < r_end) { a2 = fold(a2, v6); }
      if (r + 1792u < r_end) { a3 = fold(a3, v7); }
    }
  }
  part_a[lid] = fold(fold(a0, a1), fold(a2, a3));
  workgroupBarrier();
  // invocation i < 32 folds shares 8i .. 8i + 7, then invocation 0 the 32 results, each left to right
  if (lid < 32u) {
    var a = part_a[8u * lid];
    for (var k = 1u; k < 8u; k++) { a = fold(a, part_a[8u * lid + k]); }
    part32_a[lid] = a;
  }
  workgroupBarrier();
  if (lid == 0u && valid) {
    var a = part32_a[0];
    for (var k = 1u; k < 32u; k++) { a = fold(a, part32_a[k]); }
    emit(g, o, a);
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  opaque_zero = array<u32, 3>(params[0], params[1], params[2]);
  {{ENTRY}}(wid, nwg, lid);
}
