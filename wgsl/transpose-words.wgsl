// Tiled transpose by whole words, for the contiguous copy of a permuted view
// whose packed words line up along P (the input's contiguous dim): every
// element of P sits at the same place in its word, whatever the row or batch
// index. The output's last dim L (its contiguous one) is read with a stride.
// Each workgroup moves one tile of one batch index (the remaining dims):
// 32 words along P (TP = 32 * EPW elements) by TL rows along L. Its loads
// take whole words along P (a warp's 32 lanes read 32 consecutive words);
// each invocation loads the words of EPW neighbouring L rows and transposes
// that EPW x EPW block of elements in registers (shifts and masks: the
// 16-bit halves, then for bytes the byte pairs) into EPW words, each holding
// EPW L-neighbours of one element of P, which go to workgroup memory (rows of
// 32 * EPW + 1 words, so neither phase meets bank conflicts). After the
// barrier the stores walk L (a warp stores 32 consecutive words). Every load
// of an invocation is issued before its first store, and elements move as
// their bits, never as floats. The tile's first P is shifted down by the
// shift in params so that its words start where the input's words start (P
// may then run below 0 or past np inside a word: those elements are loaded
// with their word and never stored). The host code
// (backends/webgpu/transpose-words.ts) generates the unrolled phases:
//   THREADS     the workgroup's invocations (a multiple of 32: THREADS / 32
//               blocks of EPW rows along L per step of its loads)
//   TILE_WORDS  (TL / EPW) * (32 * EPW + 1); TP, TL the tile's extents
//   LOADS       statements loading the invocation's words a<k>_<i>
//   TILE_STORES statements transposing each block and writing the tile
//   STORES      statements reading output words from the tile and storing them
// params: [np, nl, in stride of L (i32, a multiple of EPW), out stride of P,
//   in offset (i32), batch dims nb, tiles along P, tiles along L, then per
//   batch dim: size, in stride (i32, a multiple of EPW), out stride; then the
//   in stride of P (+-1, i32) and the shift of P (0 <= shift < EPW)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

var<workgroup> tile: array<u32, {{TILE_WORDS}}>;

@compute @workgroup_size({{THREADS}})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let np = i32(params[0]);
  let nl = params[1];
  let sl = bitcast<i32>(params[2]);
  let op = params[3];
  // the tile: its indices along P and L, its batch index's offsets (wgsl/transpose-tile.wgsl)
  let this_tile = tile_of(wid.x + wid.y * nwg.x);
  let tp = this_tile.tp;
  let tl = this_tile.tl;
  let in_base = this_tile.in_base;
  let out_base = this_tile.out_base;
  let live = this_tile.live;
  let nb = params[5];
  let sp = bitcast<i32>(params[8u + 3u * nb]);
  let p0 = i32(tp * {{TP}}u) - i32(params[9u + 3u * nb]);
  let l0 = tl * {{TL}}u;
  {{LOADS}}
  {{TILE_STORES}}
  workgroupBarrier();
  {{STORES}}
}
