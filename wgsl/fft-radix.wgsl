// The butterflies of wgsl/fft.wgsl's mixed-radix Stockham passes (prepended
// to it as a helper): the radix of each pass (backends/fft-tables.ts fftRadix
// makes the same choice) and the r-point DFTs for r = 2, 4 and the odd 3, 5,
// 7, 11, 13.

/** The largest radix: the length of a butterfly's operand array. */
const RADIX_MAX = 13u;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
fn conj(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(z.x, -z.y); }
/** -i z. */
fn minus_i(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(z.y, -z.x); }

/** The radix of the pass that leaves q points per sub-transform: 4 while 4 divides q, then 2, 3, 5, 7, 11, 13. */
fn fft_radix(q: u32) -> u32 {
  if (q % 4u == 0u) { return 4u; }
  if (q % 2u == 0u) { return 2u; }
  if (q % 3u == 0u) { return 3u; }
  if (q % 5u == 0u) { return 5u; }
  if (q % 7u == 0u) { return 7u; }
  if (q % 11u == 0u) { return 11u; }
  return 13u;
}

/**
 * The forward r-point DFT of x[0..r) in place. `cw[q]` = exp(-2 pi i q / r)
 * (from the float64 twiddle table) for the odd radices, which run as
 * (r - 1) / 2 pairs: y_k, y_(r-k) = x_0 + sum_q cos(2 pi q k / r) (x_q + x_(r-q))
 * -+ i sin(2 pi q k / r) (x_q - x_(r-q)): ((r - 1) / 2)^2 real-by-complex
 * products for each of the sums' cosine and sine parts.
 */
fn dft_small(x: ptr<function, array<vec2<f32>, RADIX_MAX>>, r: u32, cw: ptr<function, array<vec2<f32>, RADIX_MAX>>) {
  if (r == 2u) {
    let a = (*x)[0];
    (*x)[0] = a + (*x)[1];
    (*x)[1] = a - (*x)[1];
    return;
  }
  if (r == 4u) {
    let a0 = (*x)[0] + (*x)[2];
    let a1 = (*x)[0] - (*x)[2];
    let a2 = (*x)[1] + (*x)[3];
    let a3 = minus_i((*x)[1] - (*x)[3]);
    (*x)[0] = a0 + a2;
    (*x)[1] = a1 + a3;
    (*x)[2] = a0 - a2;
    (*x)[3] = a1 - a3;
    return;
  }
  let h = (r - 1u) / 2u;
  var s: array<vec2<f32>, RADIX_MAX / 2u + 1u>;
  var d: array<vec2<f32>, RADIX_MAX / 2u + 1u>;
  var y0 = (*x)[0];
  for (var q = 1u; q <= h; q++) {
    s[q] = (*x)[q] + (*x)[r - q];
    d[q] = (*x)[q] - (*x)[r - q];
    y0 += s[q];
  }
  for (var k = 1u; k <= h; k++) {
    var a = (*x)[0];
    // b = sum -sin(.) d_q, so that -i sin(.) d_q summed is i b
    var b = vec2<f32>(0.0, 0.0);
    for (var q = 1u; q <= h; q++) {
      let w = (*cw)[(q * k) % r];
      a += w.x * s[q];
      b += w.y * d[q];
    }
    (*x)[k] = a - minus_i(b);
    (*x)[r - k] = a + minus_i(b);
  }
  (*x)[0] = y0;
}
