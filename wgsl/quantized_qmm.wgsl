// Quantized matmul in MLX's layouts, weights unpacked in registers (no
// dequantized matrix is materialised). x [rows, K] times W (dequantized from
// packed words, scales and biases) into float32 words.
// TRANSPOSE true: out[m, n] = sum_k x[m, k] W[n, k]; a workgroup of 256 is 8
//   output columns x 32 lanes, each lane takes blocks of BLOCK = min(32, GS)
//   values of its column's row (whole words, whatever the bit width) and
//   folds s * dot(x, value) + b * sum(x) per block; lanes are summed in a tree.
// TRANSPOSE false: out[m, n] = sum_k x[m, k] W[k, n]; a workgroup is 32
//   columns (one per lane) x 8 slices of k, the slices summed in a tree.
// Each workgroup computes ROWS rows of x at once (1, or more: the weights read
// once serve ROWS rows), never straddling a batch. One row of x by transposed
// weights goes to quantized_qmv.wgsl instead.
// Slots (names in double braces): X, W: input bindings 2, 3 with load_0, load_1; GROUPS: the
//   scales (and biases) bindings from 4 with scale_at(e), bias_at(e) and decode(code);
//   ROWS, BITS, GS: rows per workgroup, bits per value, group size; TRANSPOSE: true or false.
// params: [rows per batch, N, K, words per row of w, groups per row of w, batches, row tiles,
//          column tiles, offsets of x, w, scales, biases]

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{X}}
{{W}}
{{GROUPS}}

const ROWS = {{ROWS}}u;
const BITS = {{BITS}}u;
const GS = {{GS}}u;
const MASK = (1u << BITS) - 1u;
const BLOCK = min(32u, GS);

fn xat(e: u32) -> f32 { return load_0(params[8] + e); }
fn sat(e: u32) -> f32 { return scale_at(params[10] + e); }
fn bat(e: u32) -> f32 { return bias_at(params[11] + e); }

var<workgroup> part: array<f32, 2048>;

/** Value i of the packed row starting at word `base`: bits [i * BITS, (i + 1) * BITS), little-end first. */
fn qval(base: u32, i: u32) -> f32 {
  let bit = i * BITS;
  let wd = params[9] + base + (bit >> 5u);
  let sh = bit & 31u;
  var v = in1[wd] >> sh;
  if (sh + BITS > 32u) { v = v | (in1[wd + 1u] << (32u - sh)); }
  return decode(v & MASK);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) t: u32) {
  let per_batch = params[0];
  let N = params[1];
  let K = params[2];
  let wpr = params[3];
  let gpr = params[4];
  let batches = params[5];
  let row_tiles = params[6];
  let col_tiles = params[7];
  let g = wid.x + wid.y * nwg.x;
  let valid_group = g < batches * row_tiles * col_tiles;
  let ct = g % col_tiles;
  let rt = (g / col_tiles) % row_tiles;
  let batch = g / (col_tiles * row_tiles);
  let lane = t % 32u;
  let slot = t / 32u;
  let row0 = batch * per_batch + rt * ROWS;
  let nrows = min(ROWS, per_batch - min(per_batch, rt * ROWS));
  var acc: array<f32, ROWS>;
  for (var r = 0u; r < ROWS; r++) { acc[r] = 0.0; }
  if ({{TRANSPOSE}}) {
    let n = ct * 8u + slot;
    if (valid_group && n < N) {
      let wrow = (batch * N + n) * wpr;
      let srow = (batch * N + n) * gpr;
      for (var blk = lane; blk < K / BLOCK; blk += 32u) {
        let gi = srow + blk * BLOCK / GS;
        // the block's words, read once into registers; each value decoded once for all rows
        let wbase = params[9] + wrow + blk * BLOCK * BITS / 32u;
        var wl: array<u32, 8>;
        for (var i = 0u; i < BLOCK * BITS / 32u; i++) { wl[i] = in1[wbase + i]; }
        var dq: array<f32, ROWS>;
        var sx: array<f32, ROWS>;
        for (var r = 0u; r < ROWS; r++) { dq[r] = 0.0; sx[r] = 0.0; }
        let xo = row0 * K + blk * BLOCK;
        for (var j = 0u; j < BLOCK; j++) {
          let bit = j * BITS;
          let sh = bit & 31u;
          var c = wl[bit >> 5u] >> sh;
          if (sh + BITS > 32u) { c = c | (wl[(bit >> 5u) + 1u] << (32u - sh)); }
          let v = decode(c & MASK);
          for (var r = 0u; r < nrows; r++) {
            let xv = xat(xo + r * K + j);
            dq[r] = fma(xv, v, dq[r]);
            sx[r] += xv;
          }
        }
        let s = sat(gi);
        let b = bat(gi);
        for (var r = 0u; r < nrows; r++) { acc[r] += s * dq[r] + b * sx[r]; }
      }
    }
  } else {
    let n = ct * 32u + lane;
    if (valid_group && n < N) {
      for (var k = slot; k < K; k += 8u) {
        let gi = (batch * K + k) * gpr + n / GS;
        let w = sat(gi) * qval((batch * K + k) * wpr, n) + bat(gi);
        for (var r = 0u; r < nrows; r++) { acc[r] = fma(xat((row0 + r) * K + k), w, acc[r]); }
      }
    }
  }
  for (var r = 0u; r < ROWS; r++) { part[t * ROWS + r] = acc[r]; }
  workgroupBarrier();
  if ({{TRANSPOSE}}) {
    // lanes of one column: t = slot * 32 + lane
    for (var s = 16u; s > 0u; s = s >> 1u) {
      if (lane < s) { for (var r = 0u; r < ROWS; r++) { part[t * ROWS + r] += part[(t + s) * ROWS + r]; } }
      workgroupBarrier();
    }
    let n = ct * 8u + slot;
    if (valid_group && lane < nrows && n < N) { out_words[(row0 + lane) * N + n] = bitcast<u32>(part[slot * 32u * ROWS + lane]); }
  } else {
    // slices of one column: t = slot * 32 + lane
    for (var s = 4u; s > 0u; s = s >> 1u) {
      if (slot < s) { for (var r = 0u; r < ROWS; r++) { part[t * ROWS + r] += part[(t + s * 32u) * ROWS + r]; } }
      workgroupBarrier();
    }
    let n = ct * 32u + lane;
    if (valid_group && slot == 0u && n < N) {
      for (var r = 0u; r < nrows; r++) { out_words[(row0 + r) * N + n] = bitcast<u32>(part[lane * ROWS + r]); }
    }
  }
}
