// rope over a row-major x of rows of D elements (rows run over (B, ..., T)):
// one invocation per output word (EPW elements, so no two share a word), each
// element computed on its own: feature j < dims is rotated with its partner
// (j +- dims/2, or j ^ 1 when traditional) by the angle
// (t + offset[b]) * scale * inv_freq[i]; features past dims are copied. The
// angle is reduced by multiples of pi/2 (a three-part pi/2, exact products for
// |angle| < 2^15) and sine and cosine come from polynomials on [-pi/4, pi/4],
// so their accuracy does not rest on the adapter's builtins.
// Slots (the name in double braces): INPUTS x as load_0 (binding 2), the
// int32 offsets as load_1 (3), freqs as load_2 (4, when given); INV: the
// inverse frequency of pair i (1 / freqs[i], or base^(-i / half) through
// exp2); TRADITIONAL: true or false; EPW, BITS, PACK as in fast-norms.wgsl.
// params: [n (elements), D, T, per batch (elements), x offset, offset offset,
//          offset stride, freqs offset, freqs stride, dims, log2(base) (f32
//          bits), scale (f32 bits), sign (1 forward, -1 inverse; f32 bits)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

/** sin(r) and cos(r) for |r| <= pi/4 (Taylor polynomials, error below 2^-24). */
fn sincos_small(r: f32) -> vec2f {
  let r2 = r * r;
  let s = r + r * r2 * (-1.6666667e-1 + r2 * (8.3333333e-3 + r2 * (-1.9841270e-4 + r2 * 2.7557319e-6)));
  let c = 1.0 + r2 * (-0.5 + r2 * (4.1666667e-2 + r2 * (-1.3888889e-3 + r2 * (2.4801587e-5 + r2 * -2.7557319e-7))));
  return vec2f(s, c);
}

/** sin(a) and cos(a): a reduced to r in [-pi/4, pi/4] and a quadrant. */
fn sincos(a: f32) -> vec2f {
  let k = round(a * 0.63661977);
  let r = ((a - k * 1.5703125) - k * 4.8382679e-4) - k * 2.5632829e-12;
  let sc = sincos_small(r);
  let q = i32(k) & 3;
  if (q == 0) { return sc; }
  if (q == 1) { return vec2f(sc.y, -sc.x); }
  if (q == 2) { return vec2f(-sc.x, -sc.y); }
  return vec2f(-sc.y, sc.x);
}

/** Output element e. */
fn element(e: u32) -> f32 {
  let D = params[1];
  let j = e % D;
  let x_base = params[4];
  let dims = params[9];
  let xj = load_0(x_base + e);
  if (j >= dims) { return xj; }
  let half = dims / 2u;
  var i: u32;
  var partner: u32;
  var first: bool;
  if ({{TRADITIONAL}}) {
    i = j / 2u;
    first = (j & 1u) == 0u;
    partner = select(e - 1u, e + 1u, first);
  } else {
    first = j < half;
    i = select(j - half, j, first);
    partner = select(e - half, e + half, first);
  }
  let xp = load_0(x_base + partner);
  let t = (e / D) % params[2];
  let b = e / params[3];
  let off = bitcast<i32>(load_1(params[5] + b * params[6]));
  let pos = f32(i32(t) + off) * bitcast<f32>(params[11]);
  let inv = {{INV}};
  let sc = sincos(pos * inv);
  let s = sc.x * bitcast<f32>(params[12]);
  let c = sc.y;
  if (first) { return xj * c - xp * s; }
  return xp * s + xj * c;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let k = (wid.x + wid.y * nwg.x) * 256u + lid;
  let n = params[0];
  if (k * {{EPW}}u >= n) { return; }
  var word = 0u;
  for (var q = 0u; q < {{EPW}}u; q++) {
    let e = k * {{EPW}}u + q;
    if (e < n) { word = word | ({{PACK}}(element(e)) << (q * {{BITS}}u)); }
  }
  out_words[k] = word;
}
