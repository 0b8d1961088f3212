// rmsNorm and layerNorm over rows of D contiguous elements: one workgroup of
// 256 per row. A row of at most 256 * HELD elements is read once into
// registers (each invocation holds the elements of its output words); longer
// rows are re-read for each step. Each invocation accumulates its share in f32,
// workgroup memory folds the shares: the sum of squares (rmsNorm), or the sum
// and then the sum of squared deviations from the mean (layerNorm, two passes).
// Then each invocation writes whole output words (EPW elements of the row
// each, so no two invocations share a word):
// x * inv * weight (+ bias), inv = 1 / sqrt(mean + eps).
// Slots (the name in double braces): INPUTS x as load_0 (binding 2), weight as
// load_1 (3), bias as load_2 (4, layerNorm only); LAYER: true for layerNorm;
// BIAS: the bias expression at element j; EPW: elements per output word (1 or 2,
// 2 only when D is even); BITS: bits per element; PACK: pack_<out dtype>.
// params: [rows, D, x offset, w offset, w stride, b offset, b stride, eps (f32 bits)]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

/** Elements of the row each invocation holds in registers. */
const HELD = 16u;

var<workgroup> part: array<f32, 256>;
var<workgroup> part32: array<f32, 32>;

/**
 * The workgroup's sum of `v` (every invocation calls it; all get the result):
 * 32 invocations each add 8 shares, then every invocation adds the 32 sums.
 * Two barriers; a following call's writes cannot overtake this call's reads
 * (each invocation reads part32 before it reaches the next call's first barrier).
 */
fn fold_sum(v: f32, lid: u32) -> f32 {
  part[lid] = v;
  workgroupBarrier();
  if (lid < 32u) {
    var s = 0.0;
    for (var k = 0u; k < 8u; k++) { s += part[lid * 8u + k]; }
    part32[lid] = s;
  }
  workgroupBarrier();
  var total = 0.0;
  for (var k = 0u; k < 32u; k++) { total += part32[k]; }
  return total;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  let D = params[1];
  let words = D / {{EPW}}u;
  let valid = row < params[0];
  let held = D <= 256u * HELD;
  let base = params[2] + row * D;
  let w_off = params[3];
  let w_stride = params[4];
  let b_off = params[5];
  let b_stride = params[6];
  let eps = bitcast<f32>(params[7]);
  // element q of word lid + 256 i is vals[i * EPW + q]; words past the row hold 0
  var vals: array<f32, HELD>;
  var acc = 0.0;
  if (valid) {
    if (held) {
      for (var i = 0u; i < HELD / {{EPW}}u; i++) {
        let k = lid + i * 256u;
        if (k < words) {
          for (var q = 0u; q < {{EPW}}u; q++) {
            let v = load_0(base + k * {{EPW}}u + q);
            vals[i * {{EPW}}u + q] = v;
            acc += select(v * v, v, {{LAYER}});
          }
        }
      }
    } else {
      for (var j = lid; j < D; j += 256u) {
        let v = load_0(base + j);
        acc += select(v * v, v, {{LAYER}});
      }
    }
  }
  let first = fold_sum(acc, lid);
  var mean = 0.0;
  var ms = first / f32(D);
  if ({{LAYER}}) {
    mean = ms;
    var dev = 0.0;
    if (valid) {
      if (held) {
        for (var i = 0u; i < HELD / {{EPW}}u; i++) {
          if (lid + i * 256u < words) {
            for (var q = 0u; q < {{EPW}}u; q++) {
              let d = vals[i * {{EPW}}u + q] - mean;
              dev += d * d;
            }
          }
        }
      } else {
        for (var j = lid; j < D; j += 256u) {
          let d = load_0(base + j) - mean;
          dev += d * d;
        }
      }
    }
    ms = fold_sum(dev, lid) / f32(D);
  }
  if (!valid) { return; }
  let inv = mx_rsqrt(ms + eps);
  let out_base = row * words;
  if (held) {
    for (var i = 0u; i < HELD / {{EPW}}u; i++) {
      let k = lid + i * 256u;
      if (k < words) {
        var word = 0u;
        for (var q = 0u; q < {{EPW}}u; q++) {
          let j = k * {{EPW}}u + q;
          let v = (vals[i * {{EPW}}u + q] - mean) * inv * load_1(w_off + j * w_stride) + {{BIAS}};
          word = word | ({{PACK}}(v) << (q * {{BITS}}u));
        }
        out_words[out_base + k] = word;
      }
    }
  } else {
    for (var k = lid; k < words; k += 256u) {
      var word = 0u;
      for (var q = 0u; q < {{EPW}}u; q++) {
        let j = k * {{EPW}}u + q;
        let v = (load_0(base + j) - mean) * inv * load_1(w_off + j * w_stride) + {{BIAS}};
        word = word | ({{PACK}}(v) << (q * {{BITS}}u));
      }
      out_words[out_base + k] = word;
    }
  }
}
