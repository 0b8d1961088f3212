// Metal sort, argsort, partition and argpartition (msl/sort.metal): the axis
// moved last and made contiguous, each row padded to a power of two and
// bitonic-sorted as (key, index) pairs: blocks of 1024 in threadgroup memory,
// then for long rows global steps for the far distances and local merges for
// the near ones. Stable and NaN-last by construction of the keys.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { is64BitInt, uint32, uint64, type DType } from "../../src/dtype.js";
import type { SortIndices, SortValues } from "../../src/primitives/sort.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { contiguousCopy, THREADS } from "./elementwise.js";
import { mslType } from "./msl-types.js";

/** Pairs one threadgroup sorts in its memory (the kernels' BLOCK). */
const BLOCK = 1024;

/** KEY(v): the element's bits mapped so that unsigned order is the element order. */
function keyDefine(d: DType): string {
  if (d.name === "float32") return "float_key(as_type<uint>(v), 0x80000000u, 0x7f800000u)";
  if (d.kind === "float") return `float_key(uint(as_type<ushort>(v)), 0x8000u, ${d.name === "float16" ? "0x7c00u" : "0x7f80u"})`;
  if (is64BitInt(d)) return d.kind === "int" ? "(ulong(long(v)) ^ 0x8000000000000000ul)" : "ulong(v)";
  if (d.kind === "int") return "(uint(int(v)) ^ 0x80000000u)";
  return "uint(v)";
}

function sortLibrary(d: DType): LibraryKey {
  return { file: "sort", variant: d.name, defines: () => ({ T: mslType(d), K: is64BitInt(d) ? "ulong" : "uint", "KEY(v)": keyDefine(d), KEY_PAD: is64BitInt(d) ? "0xfffffffffffffffful" : "0xffffffffu" }) };
}

function run(metal: MetalBackend, op: string, x: Tensor, axis: number, out: OutputSpec, values: boolean): Tensor {
  const perm = [...x.shape.keys()].filter((d) => d !== axis).concat(axis);
  const shape = perm.map((d) => x.shape[d]!);
  const n = x.shape[axis]!;
  const total = shape.reduce((a, b) => a * b, 1);
  const res = metal.allocOutput({ shape, dtype: out.dtype });
  const resStrides = rowMajorStrides(shape);
  const view = { ...res, shape: out.shape, strides: out.shape.map((_, d) => resStrides[perm.indexOf(d)]!) };
  if (total === 0) return view;
  const src = contiguousCopy(metal, { ...x, shape, strides: perm.map((d) => x.strides[d]!) });
  const rows = total / n;
  const P = 2 ** Math.ceil(Math.log2(n));
  const M = Math.ceil((rows * P) / BLOCK) * BLOCK;
  const keys = metal.allocOutput({ shape: [M], dtype: is64BitInt(x.dtype) ? uint64 : uint32 });
  const idx = metal.allocOutput({ shape: [M], dtype: uint32 });
  const lib = sortLibrary(x.dtype);
  const params = (k: number, j: number) => [rows, n, P, M, k, j];
  metal.run(op, lib, "sort_load", [keys, idx, src], params(0, 0), { groups: M / BLOCK, group: THREADS });
  for (let k = 2 * BLOCK; k <= P; k *= 2) {
    for (let j = k / 2; j >= BLOCK; j /= 2) metal.run(op, lib, "sort_global", [keys, idx], params(k, j), { threads: M / 2, group: THREADS });
    metal.run(op, lib, "sort_merge", [keys, idx], params(k, 0), { groups: M / BLOCK, group: THREADS });
  }
  if (values) metal.run(op, lib, "sort_values", [res, idx, src], params(0, 0), { threads: total, group: THREADS });
  else metal.run(op, lib, "sort_indices", [res, idx], params(0, 0), { threads: total, group: THREADS });
  for (const t of [keys, idx, src]) metal.release(t.buffer);
  return view;
}

/** The kernels of the sorting primitives (partitions share the sorts'). */
export function sortKernels(metal: MetalBackend): Record<string, Kernel> {
  const values: Kernel = (prim, [x], out) => run(metal, prim.name, x!, (prim as SortValues).axis, out, true);
  const indices: Kernel = (prim, [x], out) => run(metal, prim.name, x!, (prim as SortIndices).axis, out, false);
  return { sort: values, partition: values, argsort: indices, argpartition: indices };
}
