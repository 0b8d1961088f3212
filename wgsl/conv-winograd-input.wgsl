// Winograd F(2x2, 3x3), pass 1: the input transform. One invocation per
// (tile, channel) of a chunk: it reads the tile's 4x4 input window (origin
// 2 * tile - pad_lo; positions outside the input read as 0 by index test,
// never loaded) and writes V = B^T d B as 16 float32 matrices [chunk, C]:
// V[k][p][c] at k * chunk * C + p * C + c (channels fastest: loads and stores coalesce).
// Slots, filled by backends/webgpu/conv-winograd.ts:
//   X  binding 2 with load_0
// params: [p0 (the chunk's first tile), chunk, C, TH, TW, H, W, pad_h, pad_w (i32),
//          x_off, x strides n, h, w, c]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{X}}

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

// one row of B^T d B from a row of B^T d
fn bt_row(t: vec4<f32>) -> vec4<f32> {
  return vec4<f32>(t.x - t.z, t.y + t.z, t.z - t.y, t.y - t.w);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let chunk = params[1];
  let C = params[2];
  let i = (wid.x + wid.y * nwg.x) * 256u + t;
  if (i >= chunk * C) { return; }
  let c = i % C;
  let pl = i / C;
  let tile = params[0] + pl;
  let TH = params[3];
  let TW = params[4];
  let n = tile / (TH * TW);
  let r = tile % (TH * TW);
  let y0 = 2 * i32(r / TW) - p_i(7);
  let x0 = 2 * i32(r % TW) - p_i(8);
  let H = p_i(5);
  let W = p_i(6);
  let base = p_i(9) + i32(n) * p_i(10) + i32(c) * p_i(13);
  var d: array<vec4<f32>, 4>;
  for (var a = 0; a < 4; a++) {
    let y = y0 + a;
    var row = vec4<f32>(0.0);
    if (y >= 0 && y < H) {
      let rb = base + y * p_i(11);
      for (var b = 0; b < 4; b++) {
        let xx = x0 + b;
        if (xx >= 0 && xx < W) { row[b] = load_0(u32(rb + xx * p_i(12))); }
      }
    }
    d[a] = row;
  }
  // B^T d (rows), then each row times B
  let v = array<vec4<f32>, 4>(bt_row(d[0] - d[2]), bt_row(d[1] + d[2]), bt_row(d[2] - d[1]), bt_row(d[1] - d[3]));
  let plane = chunk * C;
  for (var k = 0u; k < 4u; k++) {
    let o = 4u * k * plane + pl * C + c;
    out_words[o] = bitcast<u32>(v[k].x);
    out_words[o + plane] = bitcast<u32>(v[k].y);
    out_words[o + 2u * plane] = bitcast<u32>(v[k].z);
    out_words[o + 3u * plane] = bitcast<u32>(v[k].w);
  }
}
