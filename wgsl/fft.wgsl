// The FFT along one axis (backends/webgpu/fft.ts runs it once per transformed
// axis), msl/fft.metal's algorithm in WGSL: Stockham passes (natural order in
// and out) over an FFT length m, a power of two, in five modes (slot MODE):
//   0 small: a workgroup of WG invocations per line, the line in workgroup
//     memory (m <= 2048: 16 KiB of vec2<f32>), radix-4 passes and a last
//     radix-2 one for odd log2 m, each a read-to-registers / barrier / write /
//     barrier round; for Bluestein the whole chirp-z in the same workgroup.
//   1 load, 2 pass (one radix-2 pass, size params[13]), 3 spectrum, 4 store:
//     the same steps for longer lines, a dispatch each over all lines (an
//     invocation per element or butterfly), on work buffers of lines x m pairs.
// Lengths that are not powers of two run as Bluestein's chirp-z over
// m >= 2n - 1 (premultiply by the chirp, FFT, multiply by the conjugate
// chirp's spectrum B and conjugate, FFT, conjugate / m, postmultiply); an
// inverse is conj(FFT(conj(x))) / n. Twiddles exp(-2 pi i j / m) (j < m),
// chirp and B come from the host in float64 rounded once.
// Bindings: 0 the output words (a work buffer in modes 1 to 3), 1 params,
// 2 the input words (float32 or complex64 pairs; the source work buffer in
// modes 2 and 4), 3 twiddles, 4 chirp, 5 B (pairs of float32 words).
// Slots: MODE; WG, the workgroup size (a power of two up to 256).
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
const REGS = 8u;
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

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> { return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
fn conj(z: vec2<f32>) -> vec2<f32> { return vec2<f32>(z.x, -z.y); }

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

var<private> v: array<vec2<f32>, 8>;

/** The forward FFT of buf[0..m) in place by the workgroup's invocations. */
fn fft_group(m: u32, t: u32) {
  let quarter = m / 4u;
  let half = m / 2u;
  var ns = 1u;
  for (; ns * 4u <= m; ns *= 4u) {
    var j = 0u;
    for (var b = t; b < quarter; b += WG) {
      for (var r = 0u; r < 4u; r++) { v[j + r] = buf[b + r * quarter]; }
      j += 4u;
    }
    workgroupBarrier();
    j = 0u;
    for (var b = t; b < quarter; b += WG) {
      let k = b % ns;
      let i = (b / ns) * 4u * ns + k;
      let step = k * (m / (4u * ns));
      let v1 = cmul(tw(step), v[j + 1u]);
      let v2 = cmul(tw(2u * step), v[j + 2u]);
      let v3 = cmul(tw(3u * step), v[j + 3u]);
      let a0 = v[j] + v2;
      let a1 = v[j] - v2;
      let a2 = v1 + v3;
      let d = v1 - v3;
      let a3 = vec2<f32>(d.y, -d.x);
      buf[i] = a0 + a2;
      buf[i + ns] = a1 + a3;
      buf[i + 2u * ns] = a0 - a2;
      buf[i + 3u * ns] = a1 - a3;
      j += 4u;
    }
    workgroupBarrier();
  }
  if (ns < m) {
    var j = 0u;
    for (var b = t; b < half; b += WG) {
      v[j] = buf[b];
      v[j + 1u] = buf[b + half];
      j += 2u;
    }
    workgroupBarrier();
    j = 0u;
    for (var b = t; b < half; b += WG) {
      let k = b % ns;
      let wb = cmul(tw(k * (m / (2u * ns))), v[j + 1u]);
      let i = (b / ns) * 2u * ns + k;
      buf[i] = v[j] + wb;
      buf[i + ns] = v[j] - wb;
      j += 2u;
    }
    workgroupBarrier();
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
    let half = m / 2u;
    if (e < lines * half) {
      let ns = params[13];
      let base = (e / half) * m;
      let b = e % half;
      let k = b % ns;
      let wb = cmul(tw(k * (m / (2u * ns))), work_in(base + b + half));
      let a = work_in(base + b);
      let i = base + (b / ns) * 2u * ns + k;
      put_pair(i, a + wb);
      put_pair(i + ns, a - wb);
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
