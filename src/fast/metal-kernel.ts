// mx.fast.metalKernel: a user's MSL kernel body wrapped in MLX's generated
// signature and run on the metal backend (Metal on macOS, the MSL execution
// layer elsewhere). Also the layout of the small constant block that carries
// the inputs' shapes, strides and ranks, shared with backends/metal/custom-kernel.ts.

import type { DType } from "../dtype.js";
import { companionsOf, defineKernel, MAX_THREADGROUP, mentions, type Companions, type KernelConfig, type KernelLanguage, type UserKernel } from "./custom-kernel.js";
import { noExtraArguments } from "../ops/strict-options.js";

const MSL_TYPES: Record<string, string> = {
  bool: "bool", uint8: "uchar", uint16: "ushort", uint32: "uint", int8: "char", int16: "short", int32: "int",
  float16: "half", bfloat16: "bfloat", float32: "float",
};

/** The thread attributes a body may name, with their MSL types (declared only when named). */
const ATTRIBUTES: readonly (readonly [string, string])[] = [
  ["thread_position_in_grid", "uint3"], ["threads_per_threadgroup", "uint3"], ["thread_position_in_threadgroup", "uint3"],
  ["threadgroup_position_in_grid", "uint3"], ["threadgroups_per_grid", "uint3"], ["threads_per_grid", "uint3"],
  ["thread_index_in_threadgroup", "uint"], ["thread_index_in_simdgroup", "uint"], ["simdgroup_index_in_threadgroup", "uint"],
  ["simdgroups_per_threadgroup", "uint"], ["threads_per_simdgroup", "uint"], ["thread_execution_width", "uint"],
  ["thread_index_in_quadgroup", "uint"], ["quadgroup_index_in_threadgroup", "uint"], ["quadgroups_per_threadgroup", "uint"],
];

/** Where each input's companions sit in the constant block (int32 words; strides are int64, so blocks start at even words). */
export interface MetaSlots {
  shape?: number;
  strides?: number;
  ndim?: number;
}

/** The slots of every input's companions and the block's length in int32 words. */
export function metalMetaLayout(companions: readonly Companions[], ndims: readonly number[]): { slots: MetaSlots[]; words: number } {
  let at = 0;
  const even = (n: number) => n + (n % 2);
  const slots = companions.map((c, i) => {
    const nd = Math.max(ndims[i]!, 1);
    const s: MetaSlots = {};
    if (c.shape) { s.shape = at; at += even(nd); }
    if (c.strides) { s.strides = at; at += 2 * nd; }
    if (c.ndim) { s.ndim = at; at += 2; }
    return s;
  });
  return { slots, words: at };
}

function mslType(d: DType): string {
  const t = MSL_TYPES[d.name];
  if (!t) throw new Error(`dtype ${d.name} has no MSL type on the metal backend (supported: ${Object.keys(MSL_TYPES).join(", ")})`);
  return t;
}

const metal: KernelLanguage = {
  op: "fast.metalKernel",
  backend: "metal",
  maxThreadgroup: MAX_THREADGROUP,
  generate(k, inputs, outputDtypes, template) {
    const companions = companionsOf(k.source, k.inputNames);
    const params: string[] = [];
    inputs.forEach((x, i) => {
      const t = mslType(x.dtype);
      params.push(x.ndim === 0 ? `constant ${t}& ${k.inputNames[i]} [[buffer(${i})]]` : `const device ${t}* ${k.inputNames[i]} [[buffer(${i})]]`);
    });
    outputDtypes.forEach((d, i) => {
      const t = mslType(d);
      params.push(`device ${k.atomicOutputs ? `atomic<${t}>` : t}* ${k.outputNames[i]} [[buffer(${inputs.length + i})]]`);
    });
    const { slots, words } = metalMetaLayout(companions, inputs.map((x) => x.ndim));
    if (words) params.push(`constant int* mx_meta_ [[buffer(${inputs.length + outputDtypes.length})]]`);
    for (const [name, type] of ATTRIBUTES) if (mentions(k.source, name)) params.push(`${type} ${name} [[${name}]]`);
    const prologue: string[] = [];
    slots.forEach((s, i) => {
      const n = k.inputNames[i]!;
      if (s.shape !== undefined) prologue.push(`  constant int* ${n}_shape = mx_meta_ + ${s.shape};`);
      if (s.strides !== undefined) prologue.push(`  constant int64_t* ${n}_strides = (constant int64_t*)(mx_meta_ + ${s.strides});`);
      if (s.ndim !== undefined) prologue.push(`  const int ${n}_ndim = mx_meta_[${s.ndim}];`);
    });
    for (const [name, v] of template) {
      if (typeof v === "boolean") prologue.push(`  constexpr bool ${name} = ${v};`);
      else if (typeof v === "number") prologue.push(`  constexpr int ${name} = ${v};`);
      else prologue.push(`  typedef ${mslType(v)} ${name};`);
    }
    const entry = `custom_kernel_${k.name}`;
    const source = [
      "#include <metal_stdlib>",
      "using namespace metal;",
      ...(k.header ? [`#line 1 "${k.name}_header.metal"`, k.header] : []),
      `#line 1 "${k.name}_signature.metal"`,
      `kernel void ${entry}(\n  ${params.join(",\n  ")}) {`,
      ...prologue,
      `#line 1 "${k.name}.metal"`,
      k.source,
      "}",
      "",
    ].join("\n");
    return { source, entry, companions };
  },
};

/**
 * A kernel written in the Metal Shading Language (MLX's `mx.fast.metal_kernel`):
 * `source` is the body of a function whose signature is generated from the
 * names. Call the result with `{ inputs, grid, threadgroup, outputShapes,
 * outputDtypes, template?, initValue?, verbose?, stream? }` to get one array
 * per output name. It runs on the metal backend (on Linux through the MSL
 * execution layer, which reports a divergent barrier or an out-of-bounds
 * access at the line of `source`).
 *
 * The generated signature: each input `const device T* name [[buffer(i)]]`
 * (a 0-d input `constant T& name`), each output `device T* name` (`device
 * atomic<T>* name` with `atomicOutputs`), and, only where the body names
 * them, `name_shape` (`constant int*`), `name_strides` (`constant int64_t*`,
 * in elements), `name_ndim` (`int`) and the thread attributes
 * (`thread_position_in_grid`, `threads_per_threadgroup`,
 * `thread_position_in_threadgroup`, `threadgroup_position_in_grid`,
 * `threadgroups_per_grid`, `threads_per_grid` as `uint3`;
 * `thread_index_in_threadgroup`, `thread_index_in_simdgroup`,
 * `simdgroup_index_in_threadgroup`, `simdgroups_per_threadgroup`,
 * `threads_per_simdgroup`, `thread_execution_width` and the quadgroup ids as
 * `uint`). `template` values become definitions before the body: a dtype a
 * `typedef`, an integer or boolean a `constexpr`. `grid` counts threads
 * (dispatchThreads: edge threadgroups are partial). With
 * `ensureRowContiguous` (default) inputs are copied to row-major order first;
 * without it an input keeps its strides (one whose data does not start at its
 * buffer's beginning is still copied). Compile errors name `<name>.metal`
 * (the body) or `<name>_header.metal` and the line there. With a `reference`
 * (the same function in mlx-ts ops) the kernel has a gradient and a jvp;
 * vmap runs it once per batch entry.
 * @example
 * ```ts no-run: needs the metal backend
 * const kernel = mx.fast.metalKernel({
 *   name: "myexp",
 *   inputNames: ["inp"],
 *   outputNames: ["out"],
 *   source: `
 *     uint elem = thread_position_in_grid.x;
 *     out[elem] = metal::exp(inp[elem]);`,
 *   reference: (x) => mx.exp(x),
 * });
 * const a = mx.array([0, 1, 2], mx.float32);
 * const [out] = kernel({ inputs: [a], grid: [3, 1, 1], threadgroup: [32, 1, 1], outputShapes: [[3]], outputDtypes: [mx.float32] });
 * await out!.tolist(); // [1, 2.7182817459106445, 7.389056205749512]
 * ```
 */
export function metalKernel(config: KernelConfig): UserKernel {
  noExtraArguments("fast.metalKernel", arguments, 1);
  return defineKernel(metal, config);
}
