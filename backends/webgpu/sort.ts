// WebGPU sort, argsort, partition and argpartition (wgsl/sort.wgsl): the
// axis moved last and made contiguous, each row padded to a power of two and
// bitonic-sorted as (key, index) pairs: blocks of 1024 in workgroup memory,
// then for long rows global steps for the far distances and local merges for
// the near ones. Stable and NaN-last by construction of the keys. int64 and
// uint64 sort in two stable passes over their 32-bit words (low, then high).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { int32, int64, is64BitInt, uint32, type DType } from "../../src/dtype.js";
import { GatherAxis } from "../../src/primitives/indexing.js";
import type { SortIndices, SortValues } from "../../src/primitives/sort.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { GpuBuffer, WebGpuBackend } from "./backend.js";
import { elementsPerWord, inputDecl, wordShift } from "./codegen.js";
import { contiguousCopy } from "./elementwise.js";
import { gatherAxisKernel } from "./indexing.js";

/** Pairs one workgroup sorts in its memory (the kernel's BLOCK). */
const BLOCK = 1024;

/** The body of key_of(e): the element's bits mapped so that unsigned order is the element order. */
function keyBody(d: DType): string {
  if (d.kind === "int") return "return bitcast<u32>(load_0(e)) ^ 0x80000000u;";
  if (d.kind !== "float") return "return u32(load_0(e));";
  // IEEE bits of width W: NaN -> max, +-0 -> the +0 image, negatives reversed below the positives
  const [bits, sign, inf] = d.size === 4 ? ["in0[e]", "0x80000000u", "0x7f800000u"] : ["((in0[e >> 1u] >> sh16(e)) & 0xffffu)", "0x8000u", d.name === "float16" ? "0x7c00u" : "0x7f80u"];
  return `let b = ${bits}; let mag = b & (${sign} - 1u);
  if (mag > ${inf}) { return 0xffffffffu; }
  if (mag == 0u) { return ${sign}; }
  if ((b & ${sign}) != 0u) { return (~b) & (${sign} | (${sign} - 1u)); }
  return b | ${sign};`;
}

/** The body of element_bits(e): the raw bits of element e of in1. */
function elementBody(d: DType): string {
  if (d.size === 4) return "return in1[e];";
  const shift = wordShift(d);
  return `return (in1[e >> ${shift}u] >> ${d.size === 2 ? "sh16(e)" : "sh8(e)"}) & ${d.size === 2 ? "0xffffu" : "0xffu"};`;
}

function run(gpu: WebGpuBackend, op: string, x: Tensor, axis: number, out: OutputSpec, values: boolean): Tensor {
  const perm = [...x.shape.keys()].filter((d) => d !== axis).concat(axis);
  const shape = perm.map((d) => x.shape[d]!);
  const n = x.shape[axis]!;
  const total = shape.reduce((a, b) => a * b, 1);
  const res = gpu.allocOutput({ shape, dtype: out.dtype });
  const resStrides = rowMajorStrides(shape);
  const view = { ...res, shape: out.shape, strides: out.shape.map((_, d) => resStrides[perm.indexOf(d)]!) };
  if (total === 0) return view;
  const src = contiguousCopy(gpu, { ...x, shape, strides: perm.map((d) => x.strides[d]!) });
  const rows = total / n;
  const P = 2 ** Math.ceil(Math.log2(n));
  const M = Math.ceil((rows * P) / BLOCK) * BLOCK;
  if (M * 2 >= 2 ** 32) throw new RangeError(`[${op}] cannot sort ${rows} rows of ${n} elements on webgpu: the padded (key, index) pairs exceed 2^31 words (input shape [${x.shape.join(", ")}])`);
  const pairs = gpu.allocate(M * 8);
  const pairBuf = (pairs as GpuBuffer).block.buffer;
  const base = { op, file: "sort", helpers: ["dtypes"] };
  const none = { INPUT: "", SOURCE: "", KEY: "return 0u;", ELEMENT: "return 0u;", SORTED: "return 0u;", EPW: 1, BITS: 32, VALUES: "false" };
  const params = (k: number, j: number) => [rows, n, P, M, k, j];
  gpu.run({ ...base, key: `load|${x.dtype.name}`, slots: { ...none, STAGE: 0, INPUT: inputDecl(0, 2, x.dtype), KEY: keyBody(x.dtype) } }, pairBuf, params(0, 0), [gpu.gpuBuffer(src)], M / BLOCK);
  for (let k = 2 * BLOCK; k <= P; k *= 2) {
    for (let j = k / 2; j >= BLOCK; j /= 2) gpu.run({ ...base, key: "global", slots: { ...none, STAGE: 1 } }, pairBuf, params(k, j), [], M / 2 / 256);
    gpu.run({ ...base, key: "merge", slots: { ...none, STAGE: 2 } }, pairBuf, params(k, 0), [], M / BLOCK);
  }
  const epw = elementsPerWord(out.dtype);
  const pairsIn = "@group(0) @binding(2) var<storage, read> in0: array<u32>;";
  const output = { ...none, STAGE: 3, INPUT: pairsIn, SORTED: "return in0[2u * g + 1u];" };
  const slots = values
    ? { ...output, SOURCE: "@group(0) @binding(3) var<storage, read> in1: array<u32>;", ELEMENT: elementBody(x.dtype), EPW: epw, BITS: 32 / epw, VALUES: "true" }
    : output;
  const inputs = values ? [pairBuf, gpu.gpuBuffer(src)] : [pairBuf];
  gpu.run({ ...base, key: `out|${values ? x.dtype.name : "index"}`, slots }, gpu.gpuBuffer(res), params(0, 0), inputs, Math.ceil(Math.ceil(total / epw) / 256));
  gpu.release(pairs);
  gpu.release(src.buffer);
  return view;
}

/**
 * A 64-bit sort as two stable 32-bit argsorts (least significant word first):
 * by the low words, then by the high words (int32 keys for int64, so the sign
 * orders) taken in that order; the order gathers the values.
 */
function run64(gpu: WebGpuBackend, op: string, x: Tensor, axis: number, out: OutputSpec, values: boolean): Tensor {
  const word = (half: number, dtype: DType): Tensor => ({ ...x, dtype, strides: x.strides.map((s) => 2 * s), offset: 2 * x.offset + half });
  const highType = x.dtype === int64 ? int32 : uint32;
  const orderSpec = { shape: x.shape, dtype: uint32 };
  const gather = gatherAxisKernel(gpu), along = new GatherAxis(axis);
  const byLow = run(gpu, op, word(0, uint32), axis, orderSpec, false);
  const high = gather(along, [word(1, highType), byLow], { shape: x.shape, dtype: highType });
  const byHigh = run(gpu, op, high, axis, orderSpec, false);
  const order = gather(along, [byLow, byHigh], orderSpec);
  for (const t of [byLow, high, byHigh]) gpu.release(t.buffer);
  if (!values) return order;
  const sorted = gather(along, [x, order], out);
  gpu.release(order.buffer);
  return sorted;
}

/** The kernels of the sorting primitives (partitions share the sorts'). */
export function sortKernels(gpu: WebGpuBackend): Record<string, Kernel> {
  const values: Kernel = (prim, [x], out) => (is64BitInt(x!.dtype) ? run64 : run)(gpu, prim.name, x!, (prim as SortValues).axis, out, true);
  const indices: Kernel = (prim, [x], out) => (is64BitInt(x!.dtype) ? run64 : run)(gpu, prim.name, x!, (prim as SortIndices).axis, out, false);
  return { sort: values, partition: values, argsort: indices, argpartition: indices };
}
