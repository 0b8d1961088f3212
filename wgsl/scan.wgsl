// Scans along one axis (cumsum, cumprod, cummax, cummin, logcumsumexp), in
// four modes (slot MODE) that backends/webgpu/scan.ts strings together:
//   0 tile: a workgroup of 256 scans a tile of 2048 elements of one line (a
//     line of one tile): a coalesced load into workgroup memory, a serial
//     scan of 8 elements per invocation, a Hillis-Steele scan of the 256
//     invocation totals, the totals' prefix combined back.
//   3 totals: the same scan of each tile of a line of several, writing only
//     the tile's total, to the words after the output (at params[7]);
//   4 tiles: the same scan again, the exclusive scan of those totals
//     (binding 3, one word per tile) combined into every element of tiles 1
//     and later as it is written (reduce, scan the totals, scan again: the
//     input read twice, the output written once).
//   2 line: an invocation per line scans it in order (short lines, or many
//     lines: adjacent invocations then read adjacent lines).
// Results are elements of the accumulator type T (32-bit words, or pairs of
// words for int64/uint64), written at the output's row-major offsets; the
// backend casts narrower output dtypes afterwards.
// Scan position k of a line is axis index k, or n - 1 - k when reversed. The
// first element of a line is never combined with the identity (keeps -0).
// Slots: MODE; INPUT (binding 2 and load_0, the input); PREFIX (mode 4:
// binding 3 and load_1, the scanned totals; else a load_1 never called); V the input's compute type; T the accumulator; LIFT (v: V to
// T); COMBINE (a, b: T); IDENTITY (the exclusive scan's first value); STORE
// (statements writing r: T as output element i).
// params: [n, lines, tiles, nk, axis in stride (i32), axis out stride,
//          input offset (i32), tile words start, reverse, inclusive,
//          kept shape[nk], kept in strides[nk], kept out strides[nk]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUT}}
{{PREFIX}}

const TILE = 2048u;
const ITEMS = 8u;

/** The tile, element i at word at(i): a word of padding after every 32, so the serial scan's invocations (8 elements apart) read distinct banks. */
var<workgroup> buf: array<{{T}}, 2112>;
var<workgroup> sums: array<{{T}}, 256>;

fn lift(v: {{V}}) -> {{T}} { return {{LIFT}}; }
fn combine(a: {{T}}, b: {{T}}) -> {{T}} { return {{COMBINE}}; }
fn identity() -> {{T}} { return {{IDENTITY}}; }
fn store(i: u32, r: {{T}}) { {{STORE}} }

/** The word of tile element i in buf. */
fn at(i: u32) -> u32 { return i + (i >> 5u); }

fn axis_index(k: u32) -> u32 {
  return select(k, params[0] - 1u - k, params[8] != 0u);
}
fn line_in(l: u32) -> i32 {
  let nk = params[3];
  return bitcast<i32>(params[6]) + decompose(10u, 10u + nk, nk, l);
}
fn line_out(l: u32) -> i32 {
  let nk = params[3];
  return decompose(10u, 10u + 2u * nk, nk, l);
}
fn in_at(base: i32, k: u32) -> u32 { return u32(base + i32(axis_index(k)) * bitcast<i32>(params[4])); }
fn out_at(base: i32, k: u32) -> u32 { return u32(base + i32(axis_index(k)) * bitcast<i32>(params[5])); }

/** Scans tile g (mode 0, 3 or 4 as the header says). */
fn scan_tile(g: u32, lid: u32, mode: u32) {
  let n = params[0];
  let tiles = params[2];
  let valid = g < params[1] * tiles;
  let line = g / tiles;
  let start = (g % tiles) * TILE;
  var in_base = 0;
  var out_base = 0;
  if (valid) {
    in_base = line_in(line);
    out_base = line_out(line);
  }
  for (var j = 0u; j < ITEMS; j++) {
    let k = start + lid + j * 256u;
    var v = identity();
    if (valid && k < n) { v = lift(load_0(in_at(in_base, k))); }
    buf[at(lid + j * 256u)] = v;
  }
  workgroupBarrier();
  var acc = buf[at(lid * ITEMS)];
  for (var j = 1u; j < ITEMS; j++) {
    acc = combine(acc, buf[at(lid * ITEMS + j)]);
    buf[at(lid * ITEMS + j)] = acc;
  }
  sums[lid] = acc;
  workgroupBarrier();
  for (var off = 1u; off < 256u; off = off << 1u) {
    var s = sums[lid];
    if (lid >= off) { s = combine(sums[lid - off], s); }
    workgroupBarrier();
    sums[lid] = s;
    workgroupBarrier();
  }
  if (lid > 0u) {
    let before = sums[lid - 1u];
    for (var j = 0u; j < ITEMS; j++) { buf[at(lid * ITEMS + j)] = combine(before, buf[at(lid * ITEMS + j)]); }
  }
  workgroupBarrier();
  if (!valid) { return; }
  if (mode == 3u) {
    if (lid == 0u) { store(params[7] + g, buf[at(TILE - 1u)]); }
    return;
  }
  let inclusive = params[9] != 0u;
  // mode 4, tiles after a line's first: the scanned totals of the tiles before
  let prefixed = mode == 4u && start > 0u;
  var prefix = identity();
  if (prefixed) { prefix = load_1(g); }
  for (var j = 0u; j < ITEMS; j++) {
    let e = lid + j * 256u;
    let k = start + e;
    if (k < n) {
      var r = buf[at(e)];
      if (!inclusive) { r = select(identity(), buf[at(max(e, 1u) - 1u)], e > 0u); }
      if (prefixed) { r = combine(prefix, r); }
      store(out_at(out_base, k), r);
    }
  }
}

fn scan_line(l: u32) {
  if (l >= params[1]) { return; }
  let n = params[0];
  let in_base = line_in(l);
  let out_base = line_out(l);
  let inclusive = params[9] != 0u;
  var acc = identity();
  for (var k = 0u; k < n; k++) {
    let v = lift(load_0(in_at(in_base, k)));
    if (!inclusive) { store(out_at(out_base, k), acc); }
    acc = select(combine(acc, v), v, k == 0u);
    if (inclusive) { store(out_at(out_base, k), acc); }
  }
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let mode = {{MODE}}u;
  if (mode == 2u) { scan_line(g * 256u + lid); } else { scan_tile(g, lid, mode); }
}
