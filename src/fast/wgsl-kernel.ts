// mx.fast.wgslKernel: a user's WGSL kernel body wrapped in a generated entry
// point and bindings, run on the webgpu backend with MLX's call shape. Also
// the layout of the small block carrying the grid and the inputs' shapes and
// strides, shared with backends/webgpu/custom-kernel.ts.

import type { DType } from "../dtype.js";
import { companionsOf, defineKernel, MAX_THREADGROUP, type Companions, type KernelConfig, type KernelLanguage, type UserKernel } from "./custom-kernel.js";
import { noExtraArguments } from "../ops/strict-options.js";

/** The element types WGSL arrays hold directly; other dtypes are packed in u32 words. */
const WORD_TYPES: Record<string, string> = { float32: "f32", int32: "i32", uint32: "u32" };
const PACKED = new Set(["float16", "bfloat16", "int16", "uint16", "int8", "uint8", "bool"]);

/** Where each input's shape and strides start in the block (i32 words after the 3 grid words). */
export interface WgslMetaSlots {
  shape?: number;
  strides?: number;
}

export function wgslMetaLayout(companions: readonly Companions[], ndims: readonly number[]): { slots: WgslMetaSlots[]; words: number } {
  let at = 3;
  const slots = companions.map((c, i) => {
    const s: WgslMetaSlots = {};
    if (c.shape) { s.shape = at; at += ndims[i]!; }
    if (c.strides) { s.strides = at; at += ndims[i]!; }
    return s;
  });
  return { slots, words: at };
}

/** The compute type of a dtype (what `name_load` returns and `name_store` takes). */
function computeType(d: DType): string {
  if (!WORD_TYPES[d.name] && !PACKED.has(d.name)) throw new Error(`dtype ${d.name} has no WGSL storage on the webgpu backend (supported: float32, int32, uint32, ${[...PACKED].join(", ")})`);
  return d.kind === "float" ? "f32" : d.kind === "int" ? "i32" : "u32";
}

/** Word index and element of a packed dtype's element i. */
function packedShift(d: DType): string {
  return d.size === 1 ? "2u" : "1u";
}

/** The declaration and access helpers of an input. */
function inputDecl(name: string, d: DType, binding: number): string[] {
  const c = computeType(d);
  const word = WORD_TYPES[d.name];
  if (word) {
    return [`@group(0) @binding(${binding}) var<storage, read> ${name}: array<${word}>;`, `fn ${name}_load(i: u32) -> ${c} { return ${name}[i]; }`];
  }
  return [`@group(0) @binding(${binding}) var<storage, read> ${name}: array<u32>;`, `fn ${name}_load(i: u32) -> ${c} { return unpack_${d.name}(${name}[i >> ${packedShift(d)}], i); }`];
}

/** The declaration and access helpers of an output. */
function outputDecl(name: string, d: DType, binding: number, atomic: boolean): string[] {
  const c = computeType(d);
  const word = WORD_TYPES[d.name];
  const decl = (t: string) => `@group(0) @binding(${binding}) var<storage, read_write> ${name}: array<${t}>;`;
  if (word && !atomic) {
    return [decl(word), `fn ${name}_load(i: u32) -> ${c} { return ${name}[i]; }`, `fn ${name}_store(i: u32, v: ${c}) { ${name}[i] = v; }`];
  }
  if (word && word !== "f32") {
    return [decl(`atomic<${word}>`), `fn ${name}_load(i: u32) -> ${c} { return atomicLoad(&${name}[i]); }`, `fn ${name}_store(i: u32, v: ${c}) { atomicStore(&${name}[i], v); }`];
  }
  if (word) {
    return [
      decl("atomic<u32>"),
      `fn ${name}_load(i: u32) -> f32 { return bitcast<f32>(atomicLoad(&${name}[i])); }`,
      `fn ${name}_store(i: u32, v: f32) { atomicStore(&${name}[i], bitcast<u32>(v)); }`,
      `fn ${name}_atomic_add(i: u32, v: f32) { var old = atomicLoad(&${name}[i]); loop { let r = atomicCompareExchangeWeak(&${name}[i], old, bitcast<u32>(bitcast<f32>(old) + v)); if (r.exchanged) { break; } old = r.old_value; } }`,
    ];
  }
  const shift = packedShift(d);
  const bits = d.size === 1 ? "8u" : "16u";
  const mask = d.size === 1 ? "0xffu" : "0xffffu";
  const sh = `((i & ${d.size === 1 ? "3u" : "1u"}) * ${bits})`;
  return [
    decl("atomic<u32>"),
    `fn ${name}_load(i: u32) -> ${c} { return unpack_${d.name}(atomicLoad(&${name}[i >> ${shift}]), i); }`,
    `fn ${name}_store(i: u32, v: ${c}) { atomicAnd(&${name}[i >> ${shift}], ~(${mask} << ${sh})); atomicOr(&${name}[i >> ${shift}], pack_${d.name}(v) << ${sh}); }`,
  ];
}

const wgsl: KernelLanguage = {
  op: "fast.wgslKernel",
  backend: "webgpu",
  maxThreadgroup: MAX_THREADGROUP,
  generate(k, inputs, outputDtypes, template, { grid, threadgroup }) {
    const companions = companionsOf(k.source, k.inputNames);
    const decls: string[] = [];
    inputs.forEach((x, i) => decls.push(...inputDecl(k.inputNames[i]!, x.dtype, i)));
    outputDtypes.forEach((d, i) => decls.push(...outputDecl(k.outputNames[i]!, d, inputs.length + i, k.atomicOutputs)));
    decls.push(`@group(0) @binding(${inputs.length + outputDtypes.length}) var<storage, read> mx_meta_: array<i32>;`);
    const [tx, ty, tz] = threadgroup;
    decls.push(`const threads_per_threadgroup = vec3<u32>(${tx}u, ${ty}u, ${tz}u);`);
    const { slots } = wgslMetaLayout(companions, inputs.map((x) => x.ndim));
    const prologue = ["let threads_per_grid = vec3<u32>(u32(mx_meta_[0]), u32(mx_meta_[1]), u32(mx_meta_[2]));"];
    slots.forEach((s, i) => {
      const n = k.inputNames[i]!;
      const nd = inputs[i]!.ndim;
      if (companions[i]!.ndim) decls.push(`const ${n}_ndim: i32 = ${nd};`);
      for (const [what, at] of [["shape", s.shape], ["strides", s.strides]] as const) {
        if (at === undefined) continue;
        decls.push(`var<private> ${n}_${what}: array<i32, ${Math.max(nd, 1)}>;`);
        prologue.push(`for (var d_: u32 = 0u; d_ < ${nd}u; d_++) { ${n}_${what}[d_] = mx_meta_[${at}u + d_]; }`);
      }
    });
    // masking breaks barrier uniformity, so only grids that end inside a threadgroup get it
    if (grid.some((g, d) => g % threadgroup[d]! !== 0)) prologue.push("if (any(thread_position_in_grid >= threads_per_grid)) { return; }");
    for (const [name, v] of template) {
      if (typeof v === "boolean") decls.push(`const ${name}: bool = ${v};`);
      else if (typeof v === "number") decls.push(`const ${name}: i32 = ${v};`);
      else decls.push(`alias ${name} = ${computeType(v)};`);
    }
    const builtins = [
      "@builtin(global_invocation_id) thread_position_in_grid: vec3<u32>",
      "@builtin(local_invocation_id) thread_position_in_threadgroup: vec3<u32>",
      "@builtin(workgroup_id) threadgroup_position_in_grid: vec3<u32>",
      "@builtin(local_invocation_index) thread_index_in_threadgroup: u32",
      "@builtin(num_workgroups) threadgroups_per_grid: vec3<u32>",
    ];
    // the entry point and the prologue share the body's first line, so the body's lines are the module's
    const source = [
      `@compute @workgroup_size(${tx}, ${ty}, ${tz}) fn main(${builtins.join(", ")}) { ${prologue.join(" ")} ${k.source}`,
      "}",
      ...decls,
      ...(k.header ? [k.header] : []),
      "",
    ].join("\n");
    return { source, entry: "main", companions };
  },
};

/**
 * A kernel written in WGSL, with the call shape of `mx.fast.metalKernel`: `source`
 * is the body of the entry point, which is generated. Call the result with
 * `{ inputs, grid, threadgroup, outputShapes, outputDtypes, template?,
 * initValue?, verbose?, stream? }` to get one array per output name; it runs
 * on the webgpu backend.
 *
 * What the body sees:
 * - each input `name` as a storage array: `array<f32>`, `array<i32>` or
 *   `array<u32>` for float32, int32 and uint32; `array<u32>` of packed words
 *   for float16, bfloat16, 8- and 16-bit integers and bool. `name_load(i)`
 *   reads element i of any dtype as f32, i32 or u32 (floats, signed, unsigned
 *   and bool).
 * - each output `name` likewise, with `name_store(i, v)` and `name_load(i)`;
 *   packed outputs (and, with `atomicOutputs`, every output) are arrays of
 *   atomics so that neighbouring elements can be written by different
 *   threads; float32 atomic outputs also get `name_atomic_add(i, v)`.
 * - `name_shape`, `name_strides` (`array<i32, ndim>`, strides in elements)
 *   and `name_ndim` (`const i32`) for the inputs whose companions it names.
 * - MLX's thread ids under MLX's names: `thread_position_in_grid`,
 *   `thread_position_in_threadgroup`, `threadgroup_position_in_grid`,
 *   `threadgroups_per_grid`, `threads_per_grid`, `threads_per_threadgroup`
 *   (`vec3<u32>`) and `thread_index_in_threadgroup` (`u32`).
 * - `template` values as module constants: a dtype `alias NAME = f32;` (its
 *   compute type), an integer `const NAME: i32`, a boolean `const NAME: bool`.
 *
 * `grid` counts threads, as in MLX: the dispatch is ceil(grid / threadgroup)
 * workgroups, and when the grid ends inside a workgroup the threads past it
 * return before the body (then the body may not use `workgroupBarrier`, which
 * WGSL's uniformity rules forbid after such a return: make the grid a
 * multiple of the threadgroup). `var<workgroup>` arrays belong in `header`
 * (WGSL declares them at module scope). The body's lines are the module's
 * first lines, so a compile error's line number is the line in `source`
 * (the header and the generated declarations follow it; the backend appends
 * wgsl/dtypes.wgsl's pack and unpack helpers).
 * The backend guards every loop of `source` and `header` (on the line of its
 * `{`, so the lines stay): an invocation past 2^26 loop iterations
 * (`MLX_TS_WGSL_LOOP_LIMIT`) stops the dispatch as an endless loop, and the
 * wait for its result throws an error naming the kernel instead of hanging.
 * With a `reference` the kernel has a gradient and a jvp; vmap runs it once
 * per batch entry.
 * @example
 * ```ts no-run: needs the webgpu backend
 * const kernel = mx.fast.wgslKernel({
 *   name: "myexp",
 *   inputNames: ["inp"],
 *   outputNames: ["result"],
 *   source: `
 *     let i = thread_position_in_grid.x;
 *     result[i] = exp(inp[i]);`,
 * });
 * const a = mx.array([0, 1, 2], mx.float32);
 * const [out] = kernel({ inputs: [a], grid: [3, 1, 1], threadgroup: [32, 1, 1], outputShapes: [[3]], outputDtypes: [mx.float32] });
 * // exp(0), exp(1), exp(2) within the adapter's exp accuracy
 * console.log(await out!.tolist());
 * ```
 */
export function wgslKernel(config: KernelConfig): UserKernel {
  noExtraArguments("fast.wgslKernel", arguments, 1);
  return defineKernel(wgsl, config);
}
