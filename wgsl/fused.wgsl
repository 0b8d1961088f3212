// A fused group of elementwise nodes (compile's fusion): every output of the
// group lands in one buffer (out_words, each output at its own word offset).
// Outputs of one shape form a segment; the workgroups are split between the
// segments, and each invocation of a segment computes 8 units of E
// consecutive elements (E: the most elements a word of the segment's outputs
// holds, so no two invocations write the same word), the units 256 apart so a
// workgroup's loads and stores are coalesced, all eight computed before any is
// stored where all are whole (their loads in flight together; a CPU adapter,
// UNROLL_WORDS false, compiles the loop alone). Inputs are read through their
// own strides (zero where broadcast) over the segment's shape; where that
// merges into two dims, a unit's first (row, column) is carried on from the
// invocation's first unit's and each input's offset stepped element by element
// (wgsl/elementwise-index.wgsl's helpers, no division past the first unit);
// an input whose word holds a unit's elements at the same places is loaded
// once a unit, and one broadcast over the unit once (fuse.ts's word reads).
// float16 nodes round on their bits and flag the values that cannot
// (subnormal, overflow, NaN); a flagged unit is computed again with `exact`
// set (fuse.ts roundsLater): where the eight are computed before any is
// stored, after they are stored; in the loop, before it is stored.
// Slots (written as the name in double braces) filled by backends/webgpu/fuse.ts:
//   INPUTS    bindings and load_<k>(e) functions, one per group input (from binding 2 on)
//   NODES     fn node<j>(a, b, c): node j's value as its own kernel stores it (the bits of a dtype narrower than a word;
//             float16: the value before its rounding)
//   SEGMENTS  fn unit<s>, store<s> and segment<s>(g, lid): the loads, node calls and stores of segment s (its workgroup g),
//             a unit's words followed by its flag where it has float16 nodes
//   DISPATCH  the branch of main calling the segment that workgroup wg belongs to
// params: [0, 0, 0 (opaque_zero), end workgroup per segment, params index of each segment's block,
//   word offset per output, then per segment: n, ndim, shape[ndim], per input read: offset, strides[ndim] (i32 bits)]

/** Whether a segment computes its units before storing any (a GPU; false: a CPU adapter's loop alone). */
const UNROLL = {{UNROLL_WORDS}};

@group(0) @binding(0) var<storage, read_write> out_words: array<u32>;
@group(0) @binding(1) var<storage, read> params: array<u32>;
{{INPUTS}}

/** Zeros the compiler cannot see, one per operand slot: a node's float operands are or-ed with them (backends/webgpu/fuse.ts says why). */
var<private> opaque_zero: array<u32, 3>;

{{NODES}}

/** An input's offset and its first stride (where it has a dim) from its params block at `at` (rows mode: rows_layout). */
fn input_layout(at: u32, nd: u32) -> vec2<i32> {
  var l = vec2<i32>(bitcast<i32>(params[at]), 0);
  if (nd >= 1u) { l.y = bitcast<i32>(params[at + 1u]); }
  return l;
}

{{SEGMENTS}}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  opaque_zero = array<u32, 3>(params[0], params[1], params[2]);
  let wg = wid.x + wid.y * nwg.x;
  {{DISPATCH}}
}
