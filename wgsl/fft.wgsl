// The FFT along one axis (backends/webgpu/fft.ts runs it once per transformed
// axis), msl/fft.metal's algorithm in WGSL: mixed-radix Stockham passes
// (natural order in and out) over an FFT length m = 2^a 3^b 5^c 7^d 11^e 13^f,
// radix 4 while 4 divides what is left, then 2, 3, 5, 7, 11, 13
// (wgsl/fft-radix.wgsl, the butterflies), in five modes (slot MODE):
//   0 small: a workgroup of WG invocations per line, the line in workgroup
//     memory (m <= 2048: 16 KiB of vec2<f32>), each pass a read-to-registers /
//     barrier / write / barrier round of the group's butterflies; for
//     Bluestein the whole chirp-z in the same workgroup.
//   1 load, 2 pass (one pass of size params[13], its radix fft_radix(m / ns)),
//     3 spectrum, 4 store: the same steps for longer lines, a dispatch each
//     over all lines (an invocation per element or butterfly), on work
//     buffers of lines x m pairs.
// Lengths with other prime factors run as Bluestein's chirp-z over
// m >= 2n - 1 (premultiply by the chirp, FFT, multiply by the conjugate
// chirp's spectrum B and conjugate, FFT, conjugate / m, postmultiply), m a
// power of two >= 2n - 1; an inverse is conj(FFT(conj(x))) / n. Twiddles
// exp(-2 pi i j / m) (j < m; the odd radices' DFT constants among them),
// chirp and B come from the host in float64 rounded once.
// Bindings: 0 the output words (a work buffer in modes 1 to 3), 1 params,
// 2 the input words (float32 or complex64 pairs; the source work buffer in
// modes 2 and 4), 3 twiddles, 4 chirp, 5 B (pairs of float32 words).
// Slots: MODE; WG, the workgroup size (a power of two up to 256, at least
// m / (smallest radix) below that: backends/fft-tables.ts fftGroupSize, so
// that a thread holds at most REGS / r butterflies of a radix-r pass).
// params: [n, m, lines, nk, in axis stride (i32), out axis stride (i32),
//          in offset (i32), load mode (0 complex, 1 real, 2 Hermitian half),
//          store mode (0 complex, 1 real part, 2 complex first n/2 + 1),
//          inverse, input length along the axis, store count, bluestein,
//          pass size ns, kept shape[nk], kept in strides[nk], kept out strides[nk]]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
@group(0) @binding(2) var<storage, read> x_words: array<u32>;
@group(0) @binding(3) var<storage, read> tw_words: array<u32>;
@group(0) @binding(4) var<storage, read> chirp_words: array<u32>;
@group(0) @binding(5) var<storage, read> spec_words: array<u32>;

const MODE = {{MODE}}u;
const WG = {{WG}}u;
const TG_MAX = 2048u;
const KEPT = 14u;

var<workgroup> buf: array<vec2<f32>, 2048>;

fn p_i(k: u32) -> i32 { return bitcast<i32>(params[k]); }
fn pair(w0: u32, w1: u32) -> vec2<f32> { return vec2<f32>(bitcast<f32>(w0), bitcast<f32>(w1)); }
fn tw(j: u32) -> vec2<f32> { return pair(tw_words[2u * j], tw_words[2u * j + 1u]); }
fn chirp(j: u32) -> vec2<f32> { return pair(chirp_words[2u * j], chirp_words[2u * j + 1u]); }
fn spec(j: u32) -> vec2<f32> { return pair(spec_words[2u * j], spec_words[2u * j + 1u]); }
fn work_in(j: u32) -> vec2<f32> { return pair(x_words[2u * j], x_words[2u * j + 1u]); }
fn work_out(j: u32) -> vec2<f32> { return pair(out_words[2u * j], out_words[2u * j + 1u]); }
fn put_pair(j: u32, v: vec2<f32>) {
  out_words[2u * j] = bitcast<u32>(v.x);
  out_words[2u * j + 1u] = bitcast<u32>(v.y);
}

/** Element offset of line l's first element: in the input (with its offset) when `is_in`, else in the output. */
fn line_offset(l: u32, is_in: bool) -> i32 {
  let nk = params[3];
  var off = select(0, p_i(6), is_in);
  let strides = KEPT + nk * select(2u, 1u, is_in);
  var rem = l;
  for (var d = i32(nk) - 1; d >= 0; d--) {
    let dim = params[KEPT + u32(d)];
    off += i32(rem % dim) * p_i(strides + u32(d));
    rem = rem / dim;
  }
  return off;
}

/** Signal element k < n of the line at `base` (zero past the input's length). */
fn load_elem(base: i32, k: u32) -> vec2<f32> {
  let mode = params[7];
  let mirror = mode == 2u && k >= params[10];
  let src = select(k, params[0] - k, mirror);
  if (src >= params[10]) { return vec2<f32>(0.0, 0.0); }
  let o = u32(base + i32(src) * p_i(4));
  if (mode == 1u) { return vec2<f32>(bitcast<f32>(x_words[o]), 0.0); }
  let v = pair(x_words[2u * o], x_words[2u * o + 1u]);
  return select(v, conj(v), mirror);
}

/** Position i < m of the sequence the first FFT transforms (zero past n). */
fn prepared(base: i32, i: u32) -> vec2<f32> {
  if (i >= params[0]) { return vec2<f32>(0.0, 0.0); }
  var v = load_elem(base, i);
  if (params[9] != 0u) { v = conj(v); }
  if (params[12] != 0u) { v = cmul(v, chirp(i)); }
  return v;
}

/** Output k from the last FFT's value r. */
fn finished(r0: vec2<f32>, k: u32) -> vec2<f32> {
  var r = r0;
  if (params[12] != 0u) { r = cmul(conj(r), chirp(k)) / f32(params[1]); }
  // 0 - y: an exact zero comes out +0, as the reference gives it
  if (params[9] != 0u) { r = vec2<f32>(r.x, 0.0 - r.y) / f32(params[0]); }
  return r;
}

fn store_elem(base: i32, k: u32, r: vec2<f32>) {
  let o = u32(base + i32(k) * p_i(5));
  if (params[8] == 1u) {
    out_words[o] = bitcast<u32>(r.x);
  } else {
    put_pair(o, r);
  }
}

/** A thread's operands of one pass in workgroup memory (read all, barrier, then write). */
const REGS = 16u;
var<private> v: array<vec2<f32>, REGS>;

/** exp(-2 pi i q / r) for q < r: the r-point DFT's constants, from the twiddle table (r divides m). */
fn radix_constants(m: u32, r: u32) -> array<vec2<f32>, RADIX_MAX> {
  var cw: array<vec2<f32>, RADIX_MAX>;
  for (var q = 0u; q < r; q++) { cw[q] = tw(q * (m / r)); }
  return cw;
}

/**
 * Butterfly b of the radix-r pass of size ns on x[q] = operand b + q m / r:
 * twiddled by exp(-2 pi i q k / (r ns)), k = b mod ns, then the r-point DFT;
 * returns i, the outputs going to i + q ns.
 */
fn butterfly(m: u32, ns: u32, r: u32, b: u32, x: ptr<function, array<vec2<f32>, RADIX_MAX>>, cw: ptr<function, array<vec2<f32>, RADIX_MAX>>) -> u32 {
  let k = b % ns;
  let step = k * (m / (r * ns));
  for (var q = 1u; q < r; q++) { (*x)[q] = cmul(tw(q * step), (*x)[q]); }
  dft_small(x, r, cw);
  return (b / ns) * r * ns + k;
}

/**
 * The forward FFT of buf[0..m) in place by the workgroup's invocations, a
 * pass per radix r: butterflies t, t + WG, ... (at most REGS / r of them a
 * thread: the host's WG sees to it) read to a private array, a barrier, then
 * computed and written. (The radix stays a run-time value: code specialised
 * per radix compiles tens of times slower on lavapipe.)
 */
fn fft_group(m: u32, t: u32) {
  for (var ns = 1u; ns < m;) {
    let r = fft_radix(m / ns);
    let count = m / r;
    var cw = radix_constants(m, r);
    var j = 0u;
    for (var b = t; b < count; b += WG) {
      for (var q = 0u; q < r; q++) { v[j + q] = buf[b + q * count]; }
      j += r;
    }
    workgroupBarrier();
    j = 0u;
    for (var b = t; b < count; b += WG) {
      var x: array<vec2<f32>, RADIX_MAX>;
      for (var q = 0u; q < r; q++) { x[q] = v[j + q]; }
      let i = butterfly(m, ns, r, b, &x, &cw);
      for (var q = 0u; q < r; q++) { buf[i + q * ns] = x[q]; }
      j += r;
    }
    workgroupBarrier();
    ns *= r;
  }
}

fn small(line: u32, t: u32) {
  // a workgroup past the last line (a 2-D grid's tail) still reaches every barrier
  let valid = line < params[2];
  let m = params[1];
  let in_base = select(0, line_offset(line, true), valid);
  for (var i = t; i < m; i += WG) { buf[i] = select(vec2<f32>(0.0, 0.0), prepared(in_base, i), valid); }
  workgroupBarrier();
  fft_group(m, t);
  if (params[12] != 0u) {
    for (var i = t; i < m; i += WG) { buf[i] = conj(cmul(buf[i], spec(i))); }
    workgroupBarrier();
    fft_group(m, t);
  }
  if (!valid) { return; }
  let out_base = line_offset(line, false);
  for (var k = t; k < params[11]; k += WG) { store_elem(out_base, k, finished(buf[k], k)); }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (MODE == 0u) {
    small(g, t);
    return;
  }
  let e = g * WG + t;
  let m = params[1];
  let lines = params[2];
  if (MODE == 1u) {
    if (e < lines * m) { put_pair(e, prepared(line_offset(e / m, true), e % m)); }
  } else if (MODE == 2u) {
    let ns = params[13];
    let r = fft_radix(m / ns);
    let count = m / r;
    if (e < lines * count) {
      let base = (e / count) * m;
      let b = e % count;
      var cw = radix_constants(m, r);
      var x: array<vec2<f32>, RADIX_MAX>;
      for (var q = 0u; q < r; q++) { x[q] = work_in(base + b + q * count); }
      let i = base + butterfly(m, ns, r, b, &x, &cw);
      for (var q = 0u; q < r; q++) { put_pair(i + q * ns, x[q]); }
    }
  } else if (MODE == 3u) {
    if (e < lines * m) { put_pair(e, conj(cmul(work_out(e), spec(e % m)))); }
  } else {
    let count = params[11];
    if (e < lines * count) {
      let line = e / count;
      let k = e % count;
      store_elem(line_offset(line, false), k, finished(work_in(line * m + k), k));
    }
  }
}
