// Tiled transpose for the contiguous copy of a permuted view: the output's
// last dim L (its contiguous one) is read with a stride, and another dim P is
// the input's contiguous one, for 8- and 16-bit views whose packed words do
// not line up along P (the others: wgsl/transpose-words.wgsl). Each
// workgroup moves a TP x TL tile (TP along P, TL along L) of one batch index
// (the remaining dims): its loads walk P (so they coalesce in the input;
// each element its own word load and shift), it packs EPW elements
// consecutive along L into one output word in workgroup memory (rows of
// TP + 1 words, so neither phase meets bank conflicts), and after the
// barrier its stores walk L (coalesced in the output). Every load of an
// invocation is issued before its first store. Elements move as their bits
// (never as floats). The host code
// (backends/webgpu/layout-copy.ts) generates the unrolled phases:
//   TILE_WORDS  (TL / EPW) * (TP + 1); TP, TL the tile's extents
//   LOAD_ELEM   the body of load_elem
//   LOADS       statements loading the invocation's elements into words w<k>
//   TILE_STORES statements writing the words w<k> into the tile
//   STORES      statements reading output words from the tile and storing them
// params: [np, nl, in stride of L (i32), out stride of P, in offset (i32),
//   batch dims nb, tiles along P, tiles along L, then per batch dim: size,
//   in stride (i32), out stride; then the in stride of P (+-1, i32)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> in_words: array<u32>;

var<workgroup> tile: array<u32, {{TILE_WORDS}}>;

/** The bits of input element e (in the low bits of the word). */
fn load_elem(e: u32) -> u32 {
  {{LOAD_ELEM}}
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let np = params[0];
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
  let p0 = tp * {{TP}}u;
  let l0 = tl * {{TL}}u;
  {{LOADS}}
  {{TILE_STORES}}
  workgroupBarrier();
  {{STORES}}
}
