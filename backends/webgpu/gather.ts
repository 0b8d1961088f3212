// WebGPU concatenate and pad: as copies of contiguous runs (layout-rows.ts)
// where the inputs are row-major, else through wgsl/gather.wgsl: each output
// element finds its source (the input spanning its position along the axis,
// or the pad value), so 8- and 16-bit outputs are written a whole word at a
// time; every operand is viewed as the unsigned integers of its size, so only
// bits move; int64/uint64 operands move as uint32 views with a trailing dim
// of their two words.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import type { Concatenate, Pad } from "../../src/primitives/layout.js";
import { is64BitInt, uint32 } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { elementsPerWord, inputDecl } from "./codegen.js";
import { concatRows, padRows } from "./layout-rows.js";
import { bitsOf } from "../dtype-view.js";

/** Inputs per dispatch: the stage's storage buffers less the output and the params. */
const MAX_INPUTS = 6;
const MAX_DIMS = 16;

/**
 * One dispatch of a per-output-word kernel file (gather.wgsl, indexing.wgsl):
 * each invocation computes one output word from `SOURCE`, reading the inputs
 * (bound from binding 2) as `load_k`; the shared body of the gathers.
 */
export function perWordDispatch(gpu: WebGpuBackend, file: string, helpers: string[], op: string, inputs: readonly Tensor[], out: OutputSpec, params: number[], source: string): Tensor {
  if (out.shape.length > MAX_DIMS) throw new Error(`[${op}] the WebGPU backend handles at most ${MAX_DIMS} dimensions, got ${out.shape.length}`);
  const t = gpu.allocOutput(out);
  const n = out.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return t;
  const epw = elementsPerWord(out.dtype);
  gpu.run(
    { op, file, helpers, slots: { INPUTS: inputs.map((x, k) => inputDecl(k, k + 2, x.dtype)).join("\n"), EPW: epw, BITS: 32 / epw, SOURCE: source } },
    gpu.gpuBuffer(t),
    params,
    inputs.map((x) => gpu.gpuBuffer(x)),
    Math.ceil(Math.ceil(n / epw) / 256),
  );
  return t;
}

/** A 64-bit integer tensor as the uint32 view of its words: one more (last) dim of 2, stride 1. */
export function wordPairs(t: Tensor): Tensor {
  return { ...t, dtype: uint32, shape: [...t.shape, 2], strides: [...t.strides.map((s) => 2 * s), 1], offset: 2 * t.offset };
}

/** The 64-bit result `out` of a kernel run on word pairs (`res`, row-major uint32 with the extra dim). */
function fromWordPairs(res: Tensor, out: OutputSpec): Tensor {
  return { ...res, dtype: out.dtype, shape: out.shape, strides: res.strides.slice(0, -1).map((s) => s / 2), offset: res.offset / 2 };
}

function concatOnce(gpu: WebGpuBackend, inputs: readonly Tensor[], axis: number, out: OutputSpec): Tensor {
  const runs = concatRows(gpu, inputs, axis, out);
  if (runs) return runs;
  if (is64BitInt(out.dtype)) {
    const res = concatOnce(gpu, inputs.map(wordPairs), axis, { shape: [...out.shape, 2], dtype: uint32 });
    return fromWordPairs(res, out);
  }
  const params = [0, out.shape.length, axis, inputs.length, ...out.shape];
  params[0] = out.shape.reduce((a, b) => a * b, 1);
  let start = 0;
  for (const x of inputs) {
    params.push(start, x.offset, ...x.strides);
    start += x.shape[axis]!;
  }
  const pack = `pack_${out.dtype.name}`;
  const cases = inputs.map((_, k) => `case ${k}u: { return ${pack}(load_${k}(in_offset(${k}u, axis, params[block(${k}u)]))); }`).join("\n    ");
  const source = `let axis = params[2];
  var k = 0u;
  for (var q = 1u; q < params[3]; q++) { if (idx[axis] >= params[block(q)]) { k = q; } }
  switch k {
    ${cases}
    default: { return 0u; }
  }`;
  return gather(gpu, "concatenate", inputs, out, params, source);
}

/** `k` run on the operands viewed as the unsigned integers of their size (the gathers then move bits, never floats), its result viewed back. */
function asBits(k: Kernel): Kernel {
  return (prim, inputs, out) => {
    const bits = bitsOf(out.dtype.size);
    const res = k(prim, inputs.map((x) => ({ ...x, dtype: bits })), { shape: out.shape, dtype: bits });
    return { ...res, dtype: out.dtype };
  };
}

export function concatenateKernel(gpu: WebGpuBackend): Kernel {
  return asBits(concatenateBits(gpu));
}

function concatenateBits(gpu: WebGpuBackend): Kernel {
  return (prim, inputs, out) => {
    const axis = (prim as Concatenate).axis;
    if (inputs.length <= MAX_INPUTS) return concatOnce(gpu, inputs, axis, out);
    // more inputs than bindings: concatenate in groups, then the groups
    const parts: Tensor[] = [];
    for (let i = 0; i < inputs.length; i += MAX_INPUTS) {
      const group = inputs.slice(i, i + MAX_INPUTS);
      const shape = [...out.shape];
      shape[axis] = group.reduce((s, x) => s + x.shape[axis]!, 0);
      parts.push(concatOnce(gpu, group, axis, { shape, dtype: out.dtype }));
    }
    const result = concatenateBits(gpu)(prim, parts, out);
    for (const p of parts) gpu.release(p.buffer);
    return result;
  };
}

export function padKernel(gpu: WebGpuBackend): Kernel {
  return asBits((prim, inputs, out) => {
    const p = prim as Pad;
    const runs = padRows(gpu, inputs[0]!, inputs[1]!, p.low, out);
    if (runs) return runs;
    if (!is64BitInt(out.dtype)) return padOnce(gpu, inputs, out, p.low, "");
    // the last dim indexes the value's two words
    const res = padOnce(gpu, inputs.map(wordPairs), { shape: [...out.shape, 2], dtype: uint32 }, [...p.low, 0], " + idx[nd - 1u]");
    return fromWordPairs(res, out);
  });
}

/** Pad of `x` by `low` (the output's shape gives the rest) with the value's element at its offset plus `valueIndex`. */
function padOnce(gpu: WebGpuBackend, [x, value]: readonly Tensor[], out: OutputSpec, low: readonly number[], valueIndex: string): Tensor {
  const nd = out.shape.length;
  const n = out.shape.reduce((a, b) => a * b, 1);
  const params = [n, nd, 0, 2, ...out.shape, 0, x!.offset, ...x!.strides, 0, value!.offset, ...Array(nd).fill(0), ...low, ...x!.shape];
  const pack = `pack_${out.dtype.name}`;
  const source = `let nd = params[1];
  let extra = block(2u);
  var inside = true;
  var off = bitcast<i32>(params[block(0u) + 1u]);
  for (var d = 0u; d < nd; d++) {
    let lo = params[extra + d];
    if (idx[d] < lo || idx[d] - lo >= params[extra + nd + d]) { inside = false; }
    off += (i32(idx[d]) - i32(lo)) * bitcast<i32>(params[block(0u) + 2u + d]);
  }
  if (inside) { return ${pack}(load_0(u32(off))); }
  return ${pack}(load_1(params[block(1u) + 1u]${valueIndex}));`;
  return gather(gpu, "pad", [x!, value!], out, params, source);
}

function gather(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], out: OutputSpec, params: number[], source: string): Tensor {
  return perWordDispatch(gpu, "gather", ["dtypes"], op, inputs, out, params, source);
}
