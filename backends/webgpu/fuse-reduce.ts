// The webgpu backend's fused reductions (compile's fusion of a reduction with
// its elementwise prologue and epilogue): wgsl/fused-reduce.wgsl, run with the
// split backends/webgpu/reduce.ts chooses (one invocation per output for
// short segments, a group of lanes per output for medium segments of many
// outputs, else a workgroup tree per chunk, partials folded by a second
// pass), so each element is folded in the same order and tree as the unfused
// reduce kernel folds the prologue's stored values: bit-identical results.

import { retain, type MultiKernel, type OutputSpec, type Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import type { DType } from "../../src/dtype.js";
import type { FusedGroup } from "../../src/compile/group.js";
import type { Reduce } from "../../src/primitives/reduce.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { castWgsl, computeType, helpersFor, inputDecl, type ComputeType } from "./codegen.js";
import { castResult } from "./elementwise.js";
import { FUSED_DTYPES, OPAQUE_ZEROS, nodeByNode, nodeFunction, nodeResult, nodeValueLine, opaqueOperands, operandDtype, operandDtypes, packed } from "./fuse.js";
import { MAX_SEGMENT, SEGMENT_INVOCATION_MAX, WORD_DTYPE, chunksFor, foldFor, foldsKeyValues, groupedLanes, keyValueFold, keyValueResult, mayReadQuads } from "./reduce.js";
import { mayTakeSumRows16, mayTakeWholeSumRows16 } from "./sum-rows16.js";
import { valueSpecs, stridesOver } from "../fused-values.js";

/** `v` (of compute type `t`) as a u32 word. */
const wordOf = (t: ComputeType, v: string): string => (t === "u32" ? v : `bitcast<u32>(${v})`);

/** Which of the kernel's entries folds: one invocation per output (short), `lanes` per output (lanes > 0), else the workgroup tree. */
interface Entry {
  short: boolean;
  lanes: number;
}

interface Plan {
  readonly n: number;
  readonly ri: number;
  readonly op: string;
  /** The reduction's input dtype and compute type, its accumulator type. */
  readonly xDtype: DType;
  readonly v: ComputeType;
  readonly t: ComputeType;
  readonly proInputs: number[];
  readonly epiInputs: number[];
}

function planOf(group: FusedGroup): Plan | undefined {
  const n = group.inputs.length;
  const ri = group.reduce!;
  if (![...group.inputs, ...group.nodes.map((x) => x.dtype)].every((d) => FUSED_DTYPES.has(d.name))) return undefined;
  if (!group.nodes.every((node, j) => j === ri || nodeResult(node, operandDtypes(group, node)) !== undefined)) return undefined;
  const rnode = group.nodes[ri]!;
  const xDtype = operandDtype(group, rnode.operands[0]!);
  const reads = (from: number, to: number) => [...new Set(group.nodes.slice(from, to).flatMap((m) => m.operands.filter((k) => k < n)))];
  return { n, ri, op: rnode.primitive.name, xDtype, v: computeType(xDtype), t: computeType(rnode.dtype), proInputs: reads(0, ri + 1), epiInputs: reads(ri + 1, group.nodes.length) };
}

/** Statements computing nodes `js` (v<j>, unpacked where packed) from x<k> and earlier v<j>. */
function nodeLines(group: FusedGroup, js: readonly number[]): string {
  const n = group.inputs.length;
  const operand = (k: number): string => (k < n ? `x${k}` : `v${k - n}`);
  return js
    .map((j) => {
      const node = group.nodes[j]!;
      return nodeValueLine(node, j, `node${j}(${node.operands.map(operand).join(", ")})`);
    })
    .join(" ");
}

/** The kernel's slots: `partial` makes the first pass of two (prologue, fold, partial words); `fromPartials` the second (partials, fold, epilogue). */
function slotsOf(group: FusedGroup, p: Plan, entry: Entry, mode: "single" | "partial" | "fromPartials"): Record<string, string> {
  const { n, ri, t } = p;
  const js = (from: number, to: number) => [...Array(Math.max(0, to - from)).keys()].map((i) => from + i);
  const rnode = group.nodes[ri]!;
  const src = rnode.operands[0]!;
  const opaque = (x: string, ct: ComputeType) => (ct === "f32" ? `bitcast<f32>(bitcast<u32>(${x}) | opaque_zero[0])` : x);
  const inputs = group.inputs.map((d, k) => inputDecl(k, k + 2, d));
  let element: string, setBases: string;
  if (mode === "fromPartials") {
    inputs.push(inputDecl(n, n + 2, WORD_DTYPE[t]!));
    setBases = "base_p = i32(o * params[4]);";
    element = `return load_${n}(u32(base_p) + r);`;
  } else {
    setBases = p.proInputs
      .map((k) => `base${k} = bitcast<i32>(params[block(${k}u)]) + decompose(10u, block(${k}u) + 1u, params[7], o); step${k} = bitcast<i32>(params[block(${k}u) + 1u + params[7]]);`)
      .join(" ");
    // one reduced dim (the usual case once dims are merged): no index arithmetic per element
    const loads = p.proInputs
      .map((k) => `var off${k} = i32(r) * step${k}; if (params[8] != 1u) { off${k} = decompose(10u + params[7], block(${k}u) + 1u + params[7], params[8], r); } let x${k} = load_${k}(u32(base${k} + off${k}));`)
      .join(" ");
    const value = src < n ? `x${src}` : `v${src - n}`;
    element = `${loads} ${nodeLines(group, js(0, ri))} return ${opaque(value, p.v)};`;
  }
  let emit: string;
  if (mode === "partial") emit = `out_words[g] = ${wordOf(t, "acc")};`;
  else {
    // the reduction's value as its kernel's cast of the accumulator word leaves it
    const word = WORD_DTYPE[t]!;
    let value: string;
    if (word === rnode.dtype) value = `let v${ri} = acc;`;
    else {
      const { expr, isBool } = castWgsl(word, rnode.dtype, "acc");
      const bits = packed(rnode.dtype) ? `pack_${rnode.dtype.name}(${isBool ? `select(0u, 1u, ${expr})` : expr})` : isBool ? `select(0u, 1u, ${expr})` : expr;
      value = packed(rnode.dtype) ? `let r${ri} = ${bits}; let v${ri} = unpack_${rnode.dtype.name}(r${ri}, 0u);` : `let v${ri} = ${bits};`;
    }
    const loads = p.epiInputs
      .map((k) => `let x${k} = load_${k}(u32(bitcast<i32>(params[block(${k}u) + 1u + params[7] + params[8]]) + decompose(10u + params[7] + params[8], block(${k}u) + 2u + params[7] + params[8], params[9], o)));`)
      .join(" ");
    const outsAt = `block(${n}u)`;
    const stores = group.outputs.map((j, i) => `out_words[params[${outsAt} + ${i}u] + o] = ${wordOf(computeType(group.nodes[j]!.dtype), `v${j}`)};`).join(" ");
    emit = `${value} ${loads} ${nodeLines(group, js(ri + 1, group.nodes.length))} ${stores}`;
  }
  const bases = mode === "fromPartials" ? ["base_p"] : p.proInputs.flatMap((k) => [`base${k}`, `step${k}`]);
  const f = foldFor(p.op, t);
  const v = mode === "fromPartials" ? t : p.v;
  return {
    INPUTS: inputs.join("\n"),
    BASES: bases.map((b) => `var<private> ${b}: i32;`).join("\n"),
    NODES: group.nodes.map((node, j) => (j === ri ? "" : nodeFunction(node, j, operandDtypes(group, node), opaqueOperands(group, node)))).join("\n"),
    V: v,
    T: t,
    LIFT: v === t ? "v" : `${t}(v)`,
    INIT: f.init,
    FOLD: f.fold,
    RESULT: "folded",
    // float max/min fold (order key, bits) pairs, as the reduce kernels do: the same results, fewer operations
    ...(foldsKeyValues(p.op, t) ? { ...keyValueFold(p.op), RESULT: keyValueResult("folded") } : {}),
    SET_BASES: setBases,
    ELEMENT: element,
    EMIT: emit,
    ENTRY: entry.lanes ? "reduce_groups" : entry.short ? "reduce_short" : "reduce_tree",
    LANES: String(Math.max(1, entry.lanes)),
  };
}

/**
 * The kernel of a reduction group on webgpu, or undefined for one with a
 * dtype or node it has no fused form for (64-bit words, complex64) or more
 * inputs than a kernel binds. Segments of 2^31 elements or more (which the
 * reduce kernel splits into pieces), 8/16-bit sums the reduce kernel may read
 * as whole quads or fold a group of lanes a row (backends/webgpu/sum-rows16.ts),
 * both in other orders, and layouts past the params window run node by node.
 */
export function webGpuFuseReduce(gpu: WebGpuBackend, group: FusedGroup, maxParamsWords: number): MultiKernel | undefined {
  const p = planOf(group);
  if (!p || group.inputs.length + 3 > gpu.ctx.device.limits.maxStorageBuffersPerShaderStage) return undefined;
  const { n, ri } = p;
  const axes = (group.nodes[ri]!.primitive as Reduce).axes;
  const run = (mode: "single" | "partial" | "fromPartials", entry: Entry, out: Tensor, words: number[], inputs: readonly Tensor[], groups: number) =>
    gpu.run(
      {
        op: "compile",
        file: "fused-reduce",
        helpers: helpersFor([...group.inputs, ...group.nodes.map((x) => x.dtype)], ["math", "strided"]),
        key: `${group.key}|${mode}|${entry.short}|${entry.lanes}`,
        slots: () => slotsOf(group, p, entry, mode),
      },
      gpu.gpuBuffer(out),
      words,
      inputs.map((x) => gpu.gpuBuffer(x)),
      groups,
    );
  return (_prim, inputs, outs: readonly OutputSpec[]) => {
    const specs = valueSpecs(group, inputs);
    const xShape = specs[group.nodes[ri]!.operands[0]!]!.shape;
    const outShape = specs[n + ri]!.shape;
    const nOut = outShape.reduce((a, d) => a * d, 1);
    const R = axes.reduce((a, d) => a * xShape[d]!, 1);
    const kept = [...xShape.keys()].filter((d) => !axes.includes(d));
    const proStrides = inputs.map((t) => stridesOver(t, xShape));
    const k = collapseDims(kept.map((d) => xShape[d]!), proStrides.map((s) => kept.map((d) => s[d]!)));
    const r = collapseDims(axes.map((d) => xShape[d]!), proStrides.map((s) => axes.map((d) => s[d]!)));
    const short = R <= SEGMENT_INVOCATION_MAX;
    const chunks = short ? 1 : chunksFor(Math.max(1, nOut), R);
    const words = [...Array<number>(OPAQUE_ZEROS).fill(0), nOut, R, chunks, Math.ceil(R / chunks), k.shape.length, r.shape.length, outShape.length, ...k.shape, ...r.shape, ...outShape];
    inputs.forEach((t, i) => words.push(t.offset, ...k.strides[i]!, ...r.strides[i]!, t.offset, ...stridesOver(t, outShape)));
    words.push(...outs.map((_, i) => i * nOut));
    // the reduce kernel's whole-quad reading of 8/16-bit sums and its 16-bit row sums (whatever layout the
    // reduction would see) fold in other orders than this kernel's
    const rDtype = group.nodes[ri]!.dtype;
    const rowSums = !short && ((chunks === 1 && mayTakeSumRows16(gpu, p.op, p.xDtype, rDtype, nOut, R)) || (chunks > 1 && mayTakeWholeSumRows16(gpu, p.op, p.xDtype, rDtype, nOut, R)));
    if (R >= MAX_SEGMENT || words.length > maxParamsWords || rowSums || (!short && mayReadQuads(p.op, p.xDtype, Math.ceil(R / chunks)))) return nodeByNode(gpu, group, inputs);
    const staging = gpu.allocate(Math.max(1, outs.length * nOut) * 4);
    const results = outs.map((o, i): Tensor => {
      const d = o.dtype;
      return { buffer: i === 0 ? staging : retain(staging), dtype: packed(d) ? WORD_DTYPE[computeType(d)]! : d, shape: o.shape, strides: rowMajorStrides(o.shape), offset: i * nOut };
    });
    if (nOut > 0) {
      const lanes = groupedLanes(nOut, R, chunks);
      if (chunks === 1) run("single", { short, lanes }, results[0]!, words, inputs, short ? Math.ceil(nOut / 256) : lanes ? Math.ceil(nOut / (256 / lanes)) : nOut);
      else {
        // partials [nOut, chunks] in the accumulator's words, folded (with the epilogue) as reduce.ts folds them
        const partials = gpu.allocOutput({ shape: [nOut, chunks], dtype: WORD_DTYPE[p.t]! });
        run("partial", { short: false, lanes: 0 }, partials, words, inputs, nOut * chunks);
        const second = [...words];
        second[OPAQUE_ZEROS + 1] = chunks;
        second[OPAQUE_ZEROS + 2] = 1;
        second[OPAQUE_ZEROS + 3] = chunks;
        const short2 = chunks <= SEGMENT_INVOCATION_MAX;
        run("fromPartials", { short: short2, lanes: 0 }, results[0]!, second, [...inputs, partials], short2 ? Math.ceil(nOut / 256) : nOut);
        gpu.release(partials.buffer);
      }
    }
    return results.map((t, i) => castResult(gpu, t, outs[i]!));
  };
}
