// The tile a transpose workgroup moves, shared by wgsl/transpose.wgsl and
// wgsl/transpose-words.wgsl (params: [np, nl, in stride of L, out stride of
// P, in offset, batch dims nb, tiles along P, tiles along L, then per batch
// dim: size, in stride (i32), out stride, ...]). Prepended as a helper;
// expects the kernel's `params`. No slots.

/**
 * Workgroup g's tile indices along P and L and its batch index's input and
 * output offsets; live is false past the last batch index (the dispatch's
 * grid rounds up: nothing to move).
 */
struct TileOf { tp: u32, tl: u32, in_base: i32, out_base: u32, live: bool }

fn tile_of(g: u32) -> TileOf {
  let tl = g % params[7];
  let rest = g / params[7];
  var rem = rest / params[6];
  var in_base = bitcast<i32>(params[4]);
  var out_base = 0u;
  for (var d = i32(params[5]) - 1; d >= 0; d--) {
    let at = 8u + 3u * u32(d);
    let i = rem % params[at];
    rem = rem / params[at];
    in_base += i32(i) * bitcast<i32>(params[at + 1u]);
    out_base += i * params[at + 2u];
  }
  return TileOf(rest % params[6], tl, in_base, out_base, rem == 0u);
}
