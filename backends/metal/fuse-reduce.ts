// The metal backend's fused reductions (compile's fusion of a reduction with
// its elementwise prologue and epilogue): msl/fused-reduce.metal, run with the
// split backends/metal/reduce.ts chooses (a thread per output for short
// segments, a group of lanes per output for medium segments of many outputs,
// else a threadgroup per chunk sized as the reduce kernel sizes it,
// chunk partials folded by a second pass), so each element is folded in the
// same order and tree as the unfused reduce kernel folds the prologue's
// stored values: bit-identical results.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { float32, sumDType, type DType } from "../../src/dtype.js";
import type { FusedGroup } from "../../src/compile/group.js";
import type { Reduce } from "../../src/primitives/reduce.js";
import type { MetalBackend } from "./backend.js";
import { THREADS } from "./elementwise.js";
import { fusable, statement } from "./fuse.js";
import { librarySource } from "./library.js";
import { castExpr, computeType, mslType } from "./msl-types.js";
import { mslDir, type NativePipeline } from "./native.js";
import { ACC_DTYPE, INIT, SEGMENT_THREAD_MAX, chunksFor, groupSize, groupedLanes, reduceLibrary } from "./reduce.js";
import { valueSpecs, stridesOver } from "../fused-values.js";

/** Counts, words and buffers from this on need the int64 index variant (as MetalBackend.run decides). */
const INT32_INDEX = 2 ** 31;
/** Along the first grid dimension when a count does not fit one: threads, or threadgroups (as MetalBackend.run lays them out). */
const ROW_THREADS = 2 ** 30;
const ROW_GROUPS = 2 ** 16;
/** Buffers a kernel binds at most (Metal's argument table). */
const MAX_BUFFERS = 31;
/** Bytes of inline kernel parameters (Metal's setBytes limit). */
export const MAX_PARAMS_BYTES = 4096;

type Kernel = "fused_reduce_segments" | "fused_reduce_groups" | "fused_reduce_tree" | "fused_reduce_partial" | "fused_partials_segments" | "fused_partials_tree";

interface Plan {
  readonly ri: number;
  readonly axes: readonly number[];
  /** The reduction's input dtype, its accumulator dtype (float32, int32 or uint32). */
  readonly xDtype: DType;
  readonly accDtype: DType;
  /** Group inputs the prologue reads, and those the epilogue reads. */
  readonly proInputs: ReadonlySet<number>;
  readonly epiInputs: ReadonlySet<number>;
}

function planOf(group: FusedGroup): Plan | undefined {
  const n = group.inputs.length;
  const ri = group.reduce!;
  const dtypes = [...group.inputs, ...group.nodes.map((x) => x.dtype)];
  // 64-bit words and complex64 run around the reduce kernel; so do groups binding more buffers than Metal's table holds
  if (!dtypes.every((d) => fusable(d) && d.size < 8) || group.outputs.length + n + 2 > MAX_BUFFERS) return undefined;
  const rnode = group.nodes[ri]!;
  const op = rnode.primitive.name;
  if (!["sum", "prod", "max", "min"].includes(op)) return undefined;
  const dtypeOf = (k: number): DType => (k < n ? group.inputs[k]! : group.nodes[k - n]!.dtype);
  const xDtype = dtypeOf(rnode.operands[0]!);
  const sumLike = op === "sum" || op === "prod";
  const accDtype = ACC_DTYPE[computeType(sumLike ? sumDType(xDtype) : xDtype)];
  const reads = (from: number, to: number) => new Set(group.nodes.slice(from, to).flatMap((m) => m.operands.filter((k) => k < n)));
  return { ri, axes: (rnode.primitive as Reduce).axes, xDtype, accDtype, proInputs: reads(0, ri + 1), epiInputs: reads(ri + 1, group.nodes.length) };
}

/** The statements of nodes [from, to), or undefined when one has no fused form. */
function nodeStatements(group: FusedGroup, from: number, to: number): string | undefined {
  const n = group.inputs.length;
  const dtypeOf = (k: number): DType => (k < n ? group.inputs[k]! : group.nodes[k - n]!.dtype);
  const operand = (k: number): string => (k < n ? `x${k}` : `v${k - n}`);
  const lines: string[] = [];
  for (let j = from; j < to; j++) {
    const s = statement(group.nodes[j]!, j, operand, dtypeOf);
    if (s === undefined) return undefined;
    lines.push(s);
  }
  return lines.join(" ");
}

/** The kernel's #defines for `group` (msl/fused-reduce.metal lists them), or undefined when a node has no fused form. */
function fusedReduceDefines(group: FusedGroup, p: Plan): Record<string, string> | undefined {
  const n = group.inputs.length, m = group.outputs.length;
  const { ri, xDtype, accDtype } = p;
  const rnode = group.nodes[ri]!;
  const op = rnode.primitive.name;
  const prologue = nodeStatements(group, 0, ri);
  const epilogue = nodeStatements(group, ri + 1, group.nodes.length);
  if (prologue === undefined || epilogue === undefined) return undefined;
  const v = computeType(xDtype), a = computeType(accDtype);
  const sumLike = op === "sum" || op === "prod";
  const init = op === "sum" ? `${a}(0)` : op === "prod" ? `${a}(1)` : `${v}(${INIT[v]![op === "max" ? 0 : 1]})`;
  const src = rnode.operands[0]!;
  const load = (k: number, at: string) => `const ${mslType(group.inputs[k]!)} x${k} = in${k}[${at}];`;
  const pro = [...p.proInputs], epi = [...p.epiInputs];
  const s = mslType(rnode.dtype);
  const fromAcc = `const ${s} v${ri} = ${s}(acc);`;
  // after a second pass the reduce kernel casts the accumulator dtype's result (castResult's astype)
  const fromPartials = accDtype === rnode.dtype ? fromAcc : `${s} v${ri}; { const ${a} a = acc; v${ri} = ${s}(${castExpr(accDtype, rnode.dtype)}); }`;
  const buffers = [
    ...group.outputs.map((j, i) => `device ${mslType(group.nodes[j]!.dtype)}* out${i} [[buffer(${i})]]`),
    `device ${a}* partials [[buffer(${m})]]`,
    ...group.inputs.map((d, k) => `device const ${mslType(d)}* in${k} [[buffer(${m + 1 + k})]]`),
  ];
  return {
    FR_BUFFERS: buffers.join(", "),
    FR_PARAMS: String(m + 1 + n),
    FR_V: v,
    FR_A: a,
    FR_FOLD: `fold_${op}`,
    FR_INIT: init,
    FR_LIFT: sumLike ? `lift(v, ${a}(0))` : "v",
    FR_BASES: pro.map((k) => `IDX base${k} = fr_kept(p, ${k}, o);`).join(" "),
    FR_ELEMENT: `${pro.map((k) => load(k, `base${k} + fr_reduced(p, ${k}, r)`)).join(" ")} ${prologue} const ${v} v = ${v}(${src < n ? `x${src}` : `v${src - n}`});`,
    FR_RESULT: fromAcc,
    FR_PARTIALS_RESULT: fromPartials,
    FR_EPILOGUE: `${epi.map((k) => load(k, `fr_epilogue(p, ${k}, o)`)).join(" ")} ${epilogue} ${group.outputs.map((j, i) => `out${i}[o] = v${j};`).join(" ")}`,
  };
}

let template: string | undefined;

/** The library's source: elementwise.metal's functors, reduce.metal's folds (its own kernels for float32 come along unused), then fused-reduce.metal. */
function fusedReduceSource(defines: Record<string, string>, large: boolean): string {
  template ??= readFileSync(join(mslDir(), "fused-reduce.metal"), "utf8");
  const index: Record<string, string> = large ? { IDX: "long", UIDX: "ulong" } : {};
  const elementwise = librarySource("elementwise", { ...index, T: "float", C: "float", "UNARY_OPS(X)": "", "BINARY_OPS(X)": "", "CASTS(X)": "" });
  const reduceDefines = { ...reduceLibrary(float32).defines(), ...defines };
  const lines = Object.entries(reduceDefines).map(([k, v]) => `#define ${k} ${v}`);
  return `${elementwise}\n#undef T\n${lines.join("\n")}\n#line 1 "reduce.metal"\n${readFileSync(join(mslDir(), "reduce.metal"), "utf8")}\n#line 1 "fused-reduce.metal"\n${template}`;
}

/** The group run by the backend's own kernels, node by node (for a layout past the params bytes). */
function nodeByNode(metal: MetalBackend, group: FusedGroup, inputs: readonly Tensor[]): Tensor[] {
  const values: Tensor[] = [...inputs];
  for (const node of group.nodes) {
    const operands = node.operands.map((k) => values[k]!);
    values.push(metal.kernels[node.primitive.name]!(node.primitive, operands, node.primitive.output(operands)));
  }
  const kept = new Set(group.outputs.map((j) => inputs.length + j));
  values.forEach((t, k) => {
    if (k >= inputs.length && !kept.has(k)) metal.release(t.buffer);
  });
  return group.outputs.map((j) => values[inputs.length + j]!);
}

/**
 * The kernel of a reduction group on metal, or undefined for one with a
 * 64-bit or complex dtype, a node without a fused form, or more buffers than
 * a kernel binds (it runs as its prologue and epilogue around the reduce
 * kernel). A call whose layout needs more than `maxParamsBytes` of inline
 * parameters runs node by node.
 */
export function metalFuseReduce(metal: MetalBackend, group: FusedGroup, maxParamsBytes = MAX_PARAMS_BYTES): MultiKernel | undefined {
  const p = planOf(group);
  if (!p) return undefined;
  const defines = fusedReduceDefines(group, p);
  if (!defines) return undefined;
  const { ri } = p;
  const n = group.inputs.length;
  const label = `fused-reduce-${createHash("sha256").update(group.key).digest("hex").slice(0, 16)}`;
  const pipelines = new Map<string, NativePipeline>();
  const pipelineFor = (kernel: Kernel, large: boolean): NativePipeline => {
    const id = `${kernel}|${large}`;
    let pipe = pipelines.get(id);
    if (pipe) return pipe;
    try {
      const lib = metal.device.newLibrary(`${label}${large ? "-i64" : ""}.metal`, fusedReduceSource(defines, large));
      for (const k of ["fused_reduce_segments", "fused_reduce_groups", "fused_reduce_tree", "fused_reduce_partial", "fused_partials_segments", "fused_partials_tree"] as const) {
        pipelines.set(`${k}|${large}`, metal.device.newPipeline(lib, k));
      }
    } catch (e) {
      throw new Error(`[compile] the fused reduction of group ${group.key} did not compile: ${(e as Error).message}`);
    }
    pipe = pipelines.get(id)!;
    return pipe;
  };
  /** Runs `kernel` as MetalBackend.run would: a thread per item (segments) or a threadgroup of `group` per item. */
  const run = (kernel: Kernel, buffers: readonly Tensor[], words: readonly number[], items: number, group: number | undefined) => {
    const count = group === undefined ? items : items * group;
    const large = count >= INT32_INDEX || words.some((w) => w >= INT32_INDEX || w < -INT32_INDEX) || buffers.some((t) => t.buffer.nbytes >= INT32_INDEX);
    const params = large ? BigInt64Array.from(words, (w) => BigInt(w)) : Int32Array.from(words);
    const grid =
      group === undefined ? (items < INT32_INDEX ? [items] : [ROW_THREADS, Math.ceil(items / ROW_THREADS)]) : count < INT32_INDEX ? [count] : [ROW_GROUPS * group, Math.ceil(items / ROW_GROUPS)];
    metal.dispatch("compile", pipelineFor(kernel, large), buffers, params, grid, [group ?? THREADS]);
  };
  return (_prim, inputs, outs: readonly OutputSpec[]) => {
    const specs = valueSpecs(group, inputs);
    const xShape = specs[group.nodes[ri]!.operands[0]!]!.shape;
    const outShape = specs[n + ri]!.shape;
    const nOut = outShape.reduce((a, d) => a * d, 1);
    const R = p.axes.reduce((a, d) => a * xShape[d]!, 1);
    const kept = [...xShape.keys()].filter((d) => !p.axes.includes(d));
    const zeros = (shape: readonly number[]) => shape.map(() => 0);
    const proStrides = inputs.map((t, k) => (p.proInputs.has(k) ? stridesOver(t, xShape) : zeros(xShape)));
    const k = collapseDims(kept.map((d) => xShape[d]!), proStrides.map((s) => kept.map((d) => s[d]!)));
    const r = collapseDims(p.axes.map((d) => xShape[d]!), proStrides.map((s) => p.axes.map((d) => s[d]!)));
    const short = R <= SEGMENT_THREAD_MAX;
    const chunks = short ? 1 : chunksFor(nOut, R);
    const words = [nOut, R, k.shape.length, r.shape.length, chunks, Math.ceil(R / chunks), outShape.length, ...k.shape, ...r.shape, ...outShape];
    inputs.forEach((t, i) => words.push(t.offset, ...k.strides[i]!, ...r.strides[i]!, t.offset, ...(p.epiInputs.has(i) ? stridesOver(t, outShape) : zeros(outShape))));
    const large = words.some((w) => w >= INT32_INDEX || w < -INT32_INDEX);
    if (words.length * (large ? 8 : 4) > maxParamsBytes) return nodeByNode(metal, group, inputs);
    const made = outs.map((o) => metal.allocOutput(o));
    if (nOut === 0) return made;
    const lanes = groupedLanes(nOut, R, chunks);
    if (short) run("fused_reduce_segments", [...made, made[0]!, ...inputs], words, nOut, undefined);
    else if (lanes) run("fused_reduce_groups", [...made, made[0]!, ...inputs], words.map((w, i) => (i === 5 ? lanes : w)), Math.ceil(nOut / (THREADS / lanes)), THREADS);
    else if (chunks === 1) run("fused_reduce_tree", [...made, made[0]!, ...inputs], words, nOut, groupSize(R));
    else {
      // partials [nOut, chunks] in the accumulator dtype, folded (with the epilogue) as reduce.ts folds them
      const partials = metal.allocOutput({ shape: [nOut, chunks], dtype: p.accDtype });
      run("fused_reduce_partial", [...made, partials, ...inputs], words, nOut * chunks, groupSize(Math.ceil(R / chunks)));
      if (chunks <= SEGMENT_THREAD_MAX) run("fused_partials_segments", [...made, partials, ...inputs], words, nOut, undefined);
      else run("fused_partials_tree", [...made, partials, ...inputs], words, nOut, groupSize(chunks));
      metal.release(partials.buffer);
    }
    return made;
  };
}
