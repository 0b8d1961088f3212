// Random bits: Threefry-2x32 with 20 rounds in MLX's counter layout, bit for
// bit the CPU reference's, for a batch of keys: key b fills key_bytes
// consecutive bytes of the output from the words of its own stream, where
// counter (i, half + odd + i) gives words i and half + odd + i, and an odd
// word count takes the first word of counter (half, 0) for the middle word.
// Slot LAYOUT: 0 for one key's run in whole words (its last word's spare
// bytes are padding), 1 for keys whose runs are whole words (key_bytes % 4 ==
// 0): one invocation hashes one counter of one key and stores its two words;
// 2 for runs that are not whole words: one invocation builds one output word
// from the bytes of up to four (key, stream word) pairs. (A slot, not a params
// word: on lavapipe the one-key draw took 1.6 times as long with the other
// layouts' code behind a branch on a params word.)
// params: [keys, words, half, odd, key_bytes, output words, key offset, pair
// stride, batch ndim, batch shape[ndim], batch strides[ndim]] (strides as
// two's complement words: u32 arithmetic wraps to the index).

const LAYOUT: u32 = {{LAYOUT}}u;

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> key_words: array<u32>;

fn rotl(x: u32, r: u32) -> u32 { return (x << r) | (x >> (32u - r)); }

fn threefry(key: vec2u, c0: u32, c1: u32) -> vec2u {
  var ks = array<u32, 3>(key.x, key.y, key.x ^ key.y ^ 0x1bd11bdau);
  var rot = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);
  var x0 = c0 + ks[0];
  var x1 = c1 + ks[1];
  for (var i = 0u; i < 5u; i++) {
    for (var j = 0u; j < 4u; j++) {
      x0 = x0 + x1;
      x1 = rotl(x1, rot[(i % 2u) * 4u + j]);
      x1 = x1 ^ x0;
    }
    x0 = x0 + ks[(i + 1u) % 3u];
    x1 = x1 + ks[(i + 2u) % 3u] + i + 1u;
  }
  return vec2u(x0, x1);
}

/** Key b's two words: b unravelled over the batch shape, dotted with the batch strides (b < keys: the first dim needs no division). */
fn key_of(b: u32) -> vec2u {
  let nd = params[8];
  var rem = b;
  var at = params[6];
  for (var d = nd; d > 1u; d--) {
    let dim = params[8u + d];
    at += (rem % dim) * params[8u + nd + d];
    rem = rem / dim;
  }
  if (nd > 0u) { at += rem * params[9u + nd]; }
  return vec2u(key_words[at], key_words[at + params[7]]);
}

/** Word s of `key`'s stream. */
fn stream_word(key: vec2u, s: u32) -> u32 {
  let half = params[2];
  let odd = params[3];
  if (s < half) { return threefry(key, s, half + odd + s).x; }
  if (s < half + odd) { return threefry(key, half, 0u).x; }
  return threefry(key, s - half - odd, s).y;
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let keys = params[0];
  let words = params[1];
  let half = params[2];
  let odd = params[3];
  if (LAYOUT < 2u) {
    let pairs = half + odd;
    if (i >= keys * pairs) { return; }
    // one key: no division, its words read at one index for all invocations
    var b = 0u;
    var c = i;
    var key = vec2u(key_words[params[6]], key_words[params[6] + params[7]]);
    if (LAYOUT == 1u) {
      b = i / pairs;
      c = i - b * pairs;
      key = key_of(b);
    }
    let base = b * words;
    if (c < half) {
      let r = threefry(key, c, half + odd + c);
      out_words[base + c] = r.x;
      out_words[base + half + odd + c] = r.y;
    } else {
      out_words[base + half] = threefry(key, half, 0u).x;
    }
    return;
  }
  if (i >= params[5]) { return; }
  let key_bytes = params[4];
  let total = keys * key_bytes;
  var word = 0u;
  // the (key, stream word) of the last hash, and its value (no key has index keys)
  var held_b = keys;
  var held_s = 0u;
  var held = 0u;
  for (var j = 0u; j < 4u; j++) {
    let g = i * 4u + j;
    if (g >= total) { break; }
    let b = g / key_bytes;
    let p = g - b * key_bytes;
    let s = p / 4u;
    if (b != held_b || s != held_s) {
      held = stream_word(key_of(b), s);
      held_b = b;
      held_s = s;
    }
    word |= ((held >> ((p % 4u) * 8u)) & 0xffu) << (j * 8u);
  }
  out_words[i] = word;
}
