// Winograd F(2x2, 3x3), pass 4: the output transform. One invocation per
// (tile, output channel) of a chunk: it reads the tile's 16 products
// m[k] = (U[k] V[k]) at k * chunk * O + p * O + o and writes Y = A^T m A, the
// tile's 2x2 output pixels, into the float32 output [N, Ho, Wo, O]; a tile on
// the bottom or right edge writes only its pixels inside the output.
// params: [p0 (the chunk's first tile), chunk, O, TH, TW, Ho, Wo]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> products: array<u32>;

fn m_row(base: u32, plane: u32) -> vec4<f32> {
  return bitcast<vec4<f32>>(vec4<u32>(products[base], products[base + plane], products[base + 2u * plane], products[base + 3u * plane]));
}

// one row of A^T m A from a row of A^T m
fn at_row(s: vec4<f32>) -> vec2<f32> {
  return vec2<f32>(s.x + s.y + s.z, s.y - s.z - s.w);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let chunk = params[1];
  let O = params[2];
  let i = (wid.x + wid.y * nwg.x) * 256u + t;
  if (i >= chunk * O) { return; }
  let o = i % O;
  let pl = i / O;
  let plane = chunk * O;
  let e = pl * O + o;
  let m0 = m_row(e, plane);
  let m1 = m_row(e + 4u * plane, plane);
  let m2 = m_row(e + 8u * plane, plane);
  let m3 = m_row(e + 12u * plane, plane);
  let y = array<vec2<f32>, 2>(at_row(m0 + m1 + m2), at_row(m1 - m2 - m3));
  let tile = params[0] + pl;
  let TH = params[3];
  let TW = params[4];
  let Ho = params[5];
  let Wo = params[6];
  let n = tile / (TH * TW);
  let r = tile % (TH * TW);
  let oy = 2u * (r / TW);
  let ox = 2u * (r % TW);
  for (var a = 0u; a < 2u; a++) {
    for (var b = 0u; b < 2u; b++) {
      if (oy + a < Ho && ox + b < Wo) { out_words[((n * Ho + oy + a) * Wo + ox + b) * O + o] = bitcast<u32>(y[a][b]); }
    }
  }
}
