// WebGPU kernels for the elementwise primitives (unary, binary, where,
// astype) and the contiguous copy, all through wgsl/elementwise.wgsl
// (wgsl/elementwise64.wgsl for int64/uint64 and complex64 outputs): inputs
// broadcast by zero strides, dims merged where every operand is contiguous
// (one merged dim selects the kernel's linear variant).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { elementwiseLayout } from "../strides.js";
import { complex64, is64BitInt, uint64, type DType } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { Binary, Unary } from "../../src/primitives/elementwise.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { BINARY_WGSL, UNARY_WGSL, castWgsl, elementsPerWord, helpersFor, inputDecl, packExpr, wgslExprFor, type WgslExprs } from "./codegen.js";
import { layoutCopy } from "./layout-copy.js";

const NAMES = ["a", "b", "c"];

/** Output words each workgroup of wgsl/elementwise.wgsl writes by default (elementwise64.wgsl: 1024 elements). */
export const ELEMENTWISE_WORDS_PER_GROUP = 2048;

/**
 * How wgsl/elementwise.wgsl runs an op that calls the math library (exp, sin,
 * tanh, ...; other ops always take 8 words): `words` output words per
 * invocation (all loaded before any is stored), and `math` "select" (the
 * library's branch-free exp, sigmoid, tanh, sin and cos, sin and cos of |x| >= 200
 * recomputed on Payne-Hanek's reduction only for the words that hold one) or
 * "branch" (those functions as they were before, wgsl/math-ref.wgsl).
 */
export interface ElementwiseVariant {
  math: "select" | "branch";
  words: 1 | 2 | 4 | 8;
}

/** The variants by name (MLX_TS_ELEMENTWISE_VARIANT, setElementwiseVariant): "select8" is the default. */
export const ELEMENTWISE_VARIANTS: Record<string, ElementwiseVariant> = Object.fromEntries(
  (["select", "branch"] as const).flatMap((math) => ([8, 4, 2, 1] as const).map((words) => [`${math}${words}`, { math, words }])),
);

function checkedVariant(name: string): string {
  if (!(name in ELEMENTWISE_VARIANTS)) throw new Error(`[webgpu] elementwise variant '${name}' is not one of ${Object.keys(ELEMENTWISE_VARIANTS).join(", ")}`);
  return name;
}

let variantName = checkedVariant((typeof process !== "undefined" ? process.env.MLX_TS_ELEMENTWISE_VARIANT : undefined) || "select8");

/** Selects the elementwise variant by name for the kernels dispatched from now on (pipelines are cached per variant); an unknown name is an error. */
export function setElementwiseVariant(name: string): void {
  if (checkedVariant(name) !== variantName) mapCalls.clear();
  variantName = name;
}

/** The name of the elementwise variant in use. */
export function elementwiseVariant(): string {
  return variantName;
}

/** The functions wgsl/math-ref.wgsl holds as they were before their rewrites (the "branch" variants call those). */
const REF_FUNCTIONS = /\bmx_(exp|sigmoid|tanh|sin|cos)\(/g;
/** A math library call other than the cheap bit-level ones (math-core.wgsl): the op takes the variant's words per invocation. */
const LIBRARY_CALL = /\bmx_(?!abs\(|neg\(|sign\(|nonzero\()\w+\(/;
/** Ops whose fast expression leaves a rare argument (RARE) to the full function. */
const RARE_SPLITS: Record<string, { fast: string; rare: string }> = {
  "mx_sin(a)": { fast: "mx_sin_fast(a)", rare: "mx_trig_huge(a)" },
  "mx_cos(a)": { fast: "mx_cos_fast(a)", rare: "mx_trig_huge(a)" },
};

/** How an expression runs under the variant in use: its fast and rare expressions, words per invocation and extra helper files. */
interface ElementwisePlan {
  expr: string;
  rare: string;
  exprRare: string;
  words: number;
  helpers: string[];
}

function planFor(expr: string): ElementwisePlan {
  const plain = { expr, rare: "false", exprRare: expr, words: 8, helpers: ["math"] };
  if (!LIBRARY_CALL.test(expr)) return plain;
  const v = ELEMENTWISE_VARIANTS[variantName]!;
  if (v.math === "branch") {
    const ref = expr.replace(REF_FUNCTIONS, "mx_$1_ref(");
    return { ...plain, expr: ref, exprRare: ref, words: v.words, helpers: ref === expr ? ["math"] : ["math", "math-ref"] };
  }
  const split = RARE_SPLITS[expr];
  return split ? { ...plain, expr: split.fast, rare: split.rare, words: v.words } : { ...plain, words: v.words };
}

/** wgsl/elementwise.wgsl's loads-first block for `words` words per invocation (`pass`: the SETUP_PASS arguments). */
function wholeBlock(words: number, pass: string): string {
  const ks = Array.from({ length: words }, (_, k) => k);
  const at = (k: number) => (k === 0 ? "first" : `first + ${256 * k}u`);
  return [
    ...ks.map((k) => `let r${k} = word_bits(${at(k)}, 0xffffffffu${pass});`),
    ...ks.map((k) => `out_words[${at(k)}] = r${k}.x;`),
    `rare = ${ks.map((k) => (k === 0 ? "r0.y" : `(r${k}.y << ${k}u)`)).join(" | ")};`,
  ].join("\n    ");
}

/** The helper files the elementwise templates need for `dtypes` (their indexing, elementwise-index.wgsl, and `extra`). */
export function elementwiseHelpers(dtypes: readonly DType[], extra: readonly string[] = ["math"]): string[] {
  return helpersFor(dtypes, [...extra, "elementwise-index"]);
}

/**
 * The slots of wgsl/elementwise.wgsl for inputs of `dtypes` (`linear`: the
 * one-merged-dim variant); `plan` (default: `expr` as is, 8 words per invocation) from planFor.
 */
export function elementwiseSlots(
  dtypes: readonly DType[],
  out: DType,
  expr: string,
  isBool: boolean,
  linear: boolean,
  plan: ElementwisePlan = { expr, rare: "false", exprRare: expr, words: 8, helpers: [] },
): Record<string, string | number> {
  const common = {
    INPUTS: dtypes.map((d, k) => inputDecl(k, k + 2, d)).join("\n"),
    SETUP: linear ? dtypes.map((_, k) => `let l${k} = linear_of(${k}u);`).join(" ") : "",
    SETUP_ARGS: linear ? dtypes.map((_, k) => `, l${k}: vec2<i32>`).join("") : "",
    SETUP_PASS: linear ? dtypes.map((_, k) => `, l${k}`).join("") : "",
    LOADS: dtypes.map((_, k) => `let ${NAMES[k]} = load_${k}(${linear ? `u32(l${k}.x + i32(e) * l${k}.y)` : `offset_of(${k}u, e)`});`).join(" "),
    EXPR: expr,
  };
  // elementwise64.wgsl writes the value's two words itself (a complex value's as their bits)
  if (out === complex64) return { ...common, EXPR: `bitcast<vec2<u32>>(${expr})` };
  if (is64BitInt(out)) return common;
  const epw = elementsPerWord(out);
  return {
    ...common,
    WHOLE: wholeBlock(plan.words, common.SETUP_PASS),
    EXPR: plan.expr,
    RARE: plan.rare,
    EXPR_RARE: plan.exprRare,
    WORDS: plan.words,
    GROUP_WORDS: 256 * plan.words,
    LAST: 256 * (plan.words - 1),
    EPW: epw,
    BITS: 32 / epw,
    PACK: packExpr(out, "v", isBool),
  };
}

/** Small integer codes of the dtypes, for mapKernel's call cache. */
const dtypeCodes = new Map<DType, number>();
function dtypeCode(d: DType): number {
  let c = dtypeCodes.get(d);
  if (c === undefined) dtypeCodes.set(d, (c = dtypeCodes.size + 1));
  return c;
}

/** A kernel call of mapKernel with the output words each of its workgroups writes. */
interface MapCall {
  call: KernelCall;
  groupWords: number;
}

/**
 * mapKernel's kernel calls by op, expression, then a number coding the input
 * count, the linear variant, the bool result and the dtypes (5 bits each):
 * made once each (per elementwise variant: setElementwiseVariant clears
 * them), so a dispatch builds no key string or helper list (and the pipeline
 * cache looks up the same key string, its hash already computed).
 */
const mapCalls = new Map<string, Map<string, Map<number, MapCall>>>();

function mapCall(op: string, inputs: readonly Tensor[], out: DType, expr: string, isBool: boolean, linear: boolean): MapCall {
  let code = inputs.length * 4 + (isBool ? 2 : 0) + (linear ? 1 : 0);
  code = code * 32 + dtypeCode(out);
  for (const x of inputs) code = code * 32 + dtypeCode(x.dtype);
  let byExpr = mapCalls.get(op);
  if (!byExpr) mapCalls.set(op, (byExpr = new Map()));
  let byCode = byExpr.get(expr);
  if (!byCode) byExpr.set(expr, (byCode = new Map()));
  let entry = byCode.get(code);
  if (!entry) {
    const dtypes = inputs.map((x) => x.dtype);
    const wide = is64BitInt(out) || out === complex64;
    const plan = wide ? undefined : planFor(expr);
    // the plan's words and rewritten expression (which names its helpers) tell the variants apart
    const variant = plan ? `|${plan.words}${plan.expr === expr ? "" : `|${plan.expr}`}` : "";
    entry = {
      call: {
        op,
        file: wide ? "elementwise64" : "elementwise",
        helpers: elementwiseHelpers([out, ...dtypes], plan?.helpers),
        key: `${op}|${expr}|${isBool}|${out.name}|${linear}|${dtypes.map((d) => d.name).join("|")}${variant}`,
        slots: () => elementwiseSlots(dtypes, out, expr, isBool, linear, plan),
      },
      groupWords: wide ? 1024 : 256 * plan!.words,
    };
    byCode.set(code, entry);
  }
  return entry;
}

/** Runs `expr` (of inputs a, b, c in their compute types) into a new output of `out`'s dtype. */
export function mapKernel(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], out: OutputSpec, expr: string, isBool: boolean): Tensor {
  const t = gpu.allocOutput(out);
  const n = sizeOf(out.shape);
  if (n === 0) return t;
  const epw = is64BitInt(out.dtype) || out.dtype === complex64 ? 1 : elementsPerWord(out.dtype);
  const params = elementwiseLayout(inputs, out.shape);
  const buffers: GPUBuffer[] = [];
  for (const x of inputs) buffers.push(gpu.gpuBuffer(x));
  const { call, groupWords } = mapCall(op, inputs, out.dtype, expr, isBool, params[1] === 1);
  gpu.run(call, gpu.gpuBuffer(t), params, buffers, Math.ceil(Math.ceil(n / epw) / groupWords));
  return t;
}

function exprOrThrow(op: string, table: WgslExprs, d: DType, prim: Unary | Binary): string {
  const e = wgslExprFor(table, d, prim.mathMode);
  if (e === undefined) throw new Error(`[${op}] has no WebGPU kernel for dtype ${d.name}`);
  return e;
}

export function unaryKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => {
    const op = (prim as Unary).name;
    const ex = UNARY_WGSL[op];
    return mapKernel(gpu, op, [x!], out, exprOrThrow(op, ex, x!.dtype, prim as Unary), !!ex.boolResult);
  };
}

export function binaryKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x, y], out) => {
    const op = (prim as Binary).name;
    const ex = BINARY_WGSL[op];
    return mapKernel(gpu, op, [x!, y!], out, exprOrThrow(op, ex, x!.dtype, prim as Binary), !!ex.boolResult);
  };
}

/** complex64 as the uint64 view of its bits: moved and selected as words, never as floats (nothing a driver could flush). */
export function complexBits<T extends Tensor | OutputSpec>(t: T): T {
  return t.dtype === complex64 ? { ...t, dtype: uint64 } : t;
}

/** A result computed on complexBits views, as `dtype` again. */
function withDType<T extends Tensor>(t: T, dtype: DType): T {
  return { ...t, dtype };
}

export function whereKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [c, x, y], out) => {
    const expr = is64BitInt(c!.dtype) ? "select(c, b, w64_nz(a))" : "select(c, b, a != 0u)";
    return withDType(mapKernel(gpu, "where", [c!, complexBits(x!), complexBits(y!)], complexBits(out), expr, false), out.dtype);
  };
}

export function astypeKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [x], out) => {
    if (x!.dtype === out.dtype) return contiguousCopy(gpu, x!);
    const { expr, isBool } = castWgsl(x!.dtype, out.dtype);
    return mapKernel(gpu, "astype", [x!], out, expr, isBool);
  };
}

/**
 * `res` (a 32-bit result of a kernel that cannot write packed words) as `out`'s
 * dtype: returned as is when the dtypes match, else cast and released.
 */
export function castResult(gpu: WebGpuBackend, res: Tensor, out: OutputSpec): Tensor {
  if (res.dtype === out.dtype) return res;
  const { expr, isBool } = castWgsl(res.dtype, out.dtype);
  const cast = mapKernel(gpu, "astype", [res], out, expr, isBool);
  gpu.release(res.buffer);
  return cast;
}

/** A contiguous copy of `t` (same dtype, every bit kept). */
export function contiguousCopy(gpu: WebGpuBackend, t: Tensor): Tensor {
  return layoutCopy(gpu, t, (bits) => mapKernel(gpu, "copy", [bits], { shape: t.shape, dtype: bits.dtype }, "a", false));
}
