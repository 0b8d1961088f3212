// Random bits: Threefry-2x32 with 20 rounds in MLX's counter layout, bit for
// bit the CPU reference's. The output's words split in two halves: counter
// (i, half + odd + i) fills word i and word half + odd + i; an odd word count
// takes the first word of counter (half, 0) for the middle word. No slots.
// params: [k0, k1, words, half, odd]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;

fn rotl(x: u32, r: u32) -> u32 { return (x << r) | (x >> (32u - r)); }

fn threefry(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2u {
  var ks = array<u32, 3>(k0, k1, k0 ^ k1 ^ 0x1bd11bdau);
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

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let half = params[3];
  let odd = params[4];
  if (i < half) {
    let r = threefry(params[0], params[1], i, half + odd + i);
    out_words[i] = r.x;
    out_words[half + odd + i] = r.y;
  } else if (i == half && odd == 1u) {
    out_words[half] = threefry(params[0], params[1], half, 0u).x;
  }
}
