// Winograd F(2x2, 3x3), pass 2: the weight transform. One invocation per
// (input channel, output channel): it reads the 3x3 kernel g (reversed when
// the convolution flips) and writes U = G g G^T as 16 float32 matrices [C, O]:
// U[k][c][o] at k * C * O + c * O + o (output channels fastest, as the GEMM reads them).
// Slots, filled by backends/webgpu/conv-winograd.ts:
//   W  binding 2 with load_0
// params: [C, O, flip, w_off, w strides o, kh, kw, c]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{W}}

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }

// one row of G g G^T from a row of G g
fn g_row(r: vec3<f32>) -> vec4<f32> {
  return vec4<f32>(r.x, 0.5 * (r.x + r.y + r.z), 0.5 * (r.x - r.y + r.z), r.z);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let C = params[0];
  let O = params[1];
  let i = (wid.x + wid.y * nwg.x) * 256u + t;
  if (i >= C * O) { return; }
  let o = i % O;
  let c = i / O;
  let base = p_i(3) + i32(o) * p_i(4) + i32(c) * p_i(7);
  var g: array<vec3<f32>, 3>;
  for (var a = 0u; a < 3u; a++) {
    for (var b = 0u; b < 3u; b++) {
      var ka = i32(a);
      var kb = i32(b);
      if (params[2] != 0u) { ka = 2 - ka; kb = 2 - kb; }
      g[a][b] = load_0(u32(base + ka * p_i(5) + kb * p_i(6)));
    }
  }
  // G g (rows), then each row times G^T
  let u = array<vec4<f32>, 4>(g_row(g[0]), g_row(0.5 * (g[0] + g[1] + g[2])), g_row(0.5 * (g[0] - g[1] + g[2])), g_row(g[2]));
  let plane = C * O;
  for (var k = 0u; k < 4u; k++) {
    let e = 4u * k * plane + c * O + o;
    out_words[e] = bitcast<u32>(u[k].x);
    out_words[e + plane] = bitcast<u32>(u[k].y);
    out_words[e + 2u * plane] = bitcast<u32>(u[k].z);
    out_words[e + 3u * plane] = bitcast<u32>(u[k].w);
  }
}
