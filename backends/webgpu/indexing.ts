// WebGPU gatherAxis, scatterAxis and sliceUpdate through wgsl/indexing.wgsl:
// one invocation per output word, each output element computing what it
// holds. A scatter folds the updates landing on an element in position order
// without atomics (deterministic): scanning its column when the columns are
// short, else through a stable sort of the columns' targets (sort.ts) and a
// binary search. Index values are wrapped and clamped in the kernel.
// int64/uint64 data moves as uint32 word pairs (gather.ts wordPairs); a scatter
// that folds 64-bit values (or complex64 ones, wgsl/complex.wgsl) computes one
// word of its element per invocation.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { complex64, is64BitInt, uint32, type DType } from "../../src/dtype.js";
import { SliceUpdate, type GatherAxis, type ScatterAxis, type ScatterMode } from "../../src/primitives/indexing.js";
import { SortIndices } from "../../src/primitives/sort.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import { sortedScatterPlan, type SortedScatterPlan } from "../scatter-columns.js";
import { elementwiseLayout } from "../strides.js";
import type { WebGpuBackend } from "./backend.js";
import { perWordDispatch, wordPairs } from "./gather.js";
import { BINARY_WGSL, computeType, helpersFor, wgslExprFor } from "./codegen.js";
import { sortKernels } from "./sort.js";

function run(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], out: OutputSpec, params: number[], source: string): Tensor {
  return perWordDispatch(gpu, "indexing", helpersFor([out.dtype, ...inputs.map((x) => x.dtype)], ["math"]), op, inputs, out, params, source);
}

/** The WGSL call that normalizes an index value of dtype `d` on an axis of `n` (an expression) elements. */
function norm(d: DType, v: string, n: string): string {
  const t = computeType(d);
  return t === "i64" || t === "u64" ? `norm_${t}(${v}, ${n})` : t === "i32" ? `norm_i(${v}, ${n})` : `norm_u(${v}, ${n})`;
}

/** `t` read over one more (last) dim of 2 with stride 0: each 64-bit element seen once per word of the output. */
function perWord(t: Tensor): Tensor {
  return { ...t, shape: [...t.shape, 2], strides: [...t.strides, 0] };
}

/** A layout operand whose offset is the output word's half (0: low word, 1: high word) over `shape` (ending in 2). */
function halfOf(t: Tensor, shape: readonly number[]): Tensor {
  return { ...t, shape, offset: 0, strides: shape.map((_, d) => (d === shape.length - 1 ? 1 : 0)) };
}

/** A 64-bit output written as its uint32 words: the spec of the word view, and the result viewed back. */
function wordsSpec(out: OutputSpec): OutputSpec {
  return { shape: [...out.shape, 2], dtype: uint32 };
}
function fromWords(res: Tensor, out: OutputSpec): Tensor {
  return { ...res, dtype: out.dtype, shape: out.shape, strides: rowMajorStrides(out.shape), offset: res.offset / 2 };
}

/** `t` read over `shape` with stride 0 along `axis` (each position's base). */
function axisBase(t: Tensor, shape: readonly number[], axis: number): Tensor {
  return { ...t, shape, strides: t.strides.map((s, d) => (d === axis ? 0 : s)) };
}

/** The layout operand 0: the contiguous output. */
function outView(t: Tensor, shape: readonly number[]): Tensor {
  return { ...t, shape, strides: rowMajorStrides(shape), offset: 0 };
}

export function gatherAxisKernel(gpu: WebGpuBackend): Kernel {
  const gather: Kernel = (prim, [a, idx], out) => {
    const axis = (prim as GatherAxis).axis;
    // 64-bit data: gather its words, each index serving both
    if (is64BitInt(out.dtype)) return fromWords(gather(prim, [wordPairs(a!), perWord(idx!)], wordsSpec(out)), out);
    const layout = elementwiseLayout([outView(a!, out.shape), axisBase(a!, out.shape, axis), idx!], out.shape);
    const params = [a!.shape[axis]!, a!.strides[axis]!, 0, 0, ...layout];
    const source = `let j = ${norm(idx!.dtype, "load_1(u32(offset_of(2u, e)))", "params[0]")};
  return pack_${out.dtype.name}(load_0(u32(offset_of(1u, e) + i32(j) * bitcast<i32>(params[1]))));`;
    return run(gpu, "gatherAxis", [a!, idx!], out, params, source);
  };
  return gather;
}

/** The axis position as an operand over `shape`: its offset is the element's index along `axis`. */
function positionOf(t: Tensor, shape: readonly number[], axis: number): Tensor {
  return { ...t, shape, offset: 0, strides: shape.map((_, d) => (d === axis ? 1 : 0)) };
}

/** The scatter's fold of update `b` (compute type) into `a`. */
function foldOf(mode: ScatterMode, d: DType): string {
  const fold = mode === "set" ? "b" : wgslExprFor(BINARY_WGSL[mode], d);
  if (!fold) throw new Error(`[scatterAxis] mode ${mode} is not defined for ${d.name} on the WebGPU backend`);
  return fold;
}

/** The element value `v` as the output's bits: packed, or for a 64-bit output the word that layout operand `half` names. */
function storeOf(d: DType, v: string, half: number): string {
  if (d === complex64) return `c_word(${v}, u32(offset_of(${half}u, e)))`;
  return is64BitInt(d) ? `w64_word(${v}, u32(offset_of(${half}u, e)))` : `pack_${d.name}(${v})`;
}

/**
 * The layout shape of a scatter into `out` (one more dim of 2 for a 64-bit
 * output, one invocation per word), the operands read over it, the result's spec and its view back.
 */
function scatterShape(out: OutputSpec) {
  const wide = is64BitInt(out.dtype) || out.dtype === complex64;
  return {
    shape: wide ? [...out.shape, 2] : out.shape,
    over: (t: Tensor): Tensor => (wide ? perWord(t) : t),
    half: (t: Tensor, shape: readonly number[]): Tensor[] => (wide ? [halfOf(t, shape)] : []),
    spec: wide ? wordsSpec(out) : out,
    result: (res: Tensor): Tensor => (wide ? fromWords(res, out) : res),
  };
}

/** Few updates per column: each element scans its column's K updates in order. */
function scatterScan(gpu: WebGpuBackend, [a, idx, upd]: readonly Tensor[], out: OutputSpec, axis: number, mode: ScatterMode): Tensor {
  const w = scatterShape(out);
  const shape = w.shape;
  const layout = elementwiseLayout([outView(a!, shape), w.over(a!), axisBase(w.over(idx!), shape, axis), axisBase(w.over(upd!), shape, axis), positionOf(a!, shape, axis), ...w.half(a!, shape)], shape);
  const params = [idx!.shape[axis]!, idx!.strides[axis]!, upd!.strides[axis]!, shape[axis]!, ...layout];
  const source = `var a = load_0(u32(offset_of(1u, e)));
  let t = u32(offset_of(4u, e));
  let ib = offset_of(2u, e);
  let ub = offset_of(3u, e);
  let istride = bitcast<i32>(params[1]);
  let ustride = bitcast<i32>(params[2]);
  for (var k = 0u; k < params[0]; k++) {
    if (${norm(idx!.dtype, "load_1(u32(ib + i32(k) * istride))", "params[3]")} == t) {
      let b: ${computeType(out.dtype)} = load_2(u32(ub + i32(k) * ustride));
      a = ${foldOf(mode, out.dtype)};
    }
  }
  return ${storeOf(out.dtype, "a", 5)};`;
  return w.result(run(gpu, "scatterAxis", [a!, idx!, upd!], w.spec, params, source));
}

/**
 * Many updates per column: the columns' targets (u32, [rows, K]) stably
 * argsorted by the sort kernels, then each element binary-searches its run
 * in its row and folds the run in position order (the scan's order: equal results).
 */
function scatterSorted(gpu: WebGpuBackend, [a, idx, upd]: readonly Tensor[], out: OutputSpec, axis: number, mode: ScatterMode, plan: SortedScatterPlan): Tensor {
  const K = idx!.shape[axis]!;
  const rowsShape = plan.columns.shape;
  const targetsLayout = elementwiseLayout([outView(plan.columns, rowsShape), plan.columns], rowsShape);
  const targetsSource = `return pack_uint32(${norm(idx!.dtype, "load_0(u32(offset_of(1u, e)))", "params[0]")});`;
  const targets = run(gpu, "scatterAxis", [plan.columns], { shape: rowsShape, dtype: uint32 }, [out.shape[axis]!, 0, 0, 0, ...targetsLayout], targetsSource);
  const order = sortKernels(gpu).argsort!(new SortIndices(rowsShape.length - 1, null), [targets], { shape: rowsShape, dtype: uint32 });
  const w = scatterShape(out);
  const shape = w.shape;
  const rowStart = w.over({ ...a!, offset: 0, strides: plan.rowStarts });
  const layout = elementwiseLayout([outView(a!, shape), w.over(a!), axisBase(w.over(upd!), shape, axis), positionOf(a!, shape, axis), rowStart, ...w.half(a!, shape)], shape);
  const source = `var a = load_0(u32(offset_of(1u, e)));
  let ub = offset_of(2u, e);
  let t = u32(offset_of(3u, e));
  let row = u32(offset_of(4u, e));
  let K = params[0];
  let ustride = bitcast<i32>(params[1]);
  var lo = 0u;
  var hi = K;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (load_2(row + load_3(row + mid)) < t) { lo = mid + 1u; } else { hi = mid; }
  }
  for (var q = lo; q < K; q++) {
    let k = load_3(row + q);
    if (load_2(row + k) != t) { break; }
    let b: ${computeType(out.dtype)} = load_1(u32(ub + i32(k) * ustride));
    a = ${foldOf(mode, out.dtype)};
  }
  return ${storeOf(out.dtype, "a", 5)};`;
  const result = w.result(run(gpu, "scatterAxis", [a!, upd!, targets, order], w.spec, [K, upd!.strides[axis]!, 0, 0, ...layout], source));
  gpu.release(targets.buffer);
  gpu.release(order.buffer);
  return result;
}

export function scatterAxisKernel(gpu: WebGpuBackend): Kernel {
  return (prim, inputs, out) => {
    const { axis, mode } = prim as ScatterAxis;
    const plan = sizeOf(out.shape) > 0 ? sortedScatterPlan(inputs[1]!, out.shape, axis) : null;
    return plan ? scatterSorted(gpu, inputs, out, axis, mode, plan) : scatterScan(gpu, inputs, out, axis, mode);
  };
}

/** A slice update's steps for its kernel: 1 along a dim of at most one updated element (never taken; a step of up to 2^53 in magnitude no params word holds). */
function usedSteps(step: readonly number[], updateShape: readonly number[]): number[] {
  return step.map((k, d) => (updateShape[d]! <= 1 ? 1 : k));
}

export function sliceUpdateKernel(gpu: WebGpuBackend): Kernel {
  const update: Kernel = (prim, [a, u], out) => {
    const { start, step } = prim as SliceUpdate;
    // 64-bit data: the update of its words (the word dim taken whole)
    if (is64BitInt(out.dtype)) return fromWords(update(new SliceUpdate([...start, 0], [...step, 1]), [wordPairs(a!), wordPairs(u!)], wordsSpec(out)), out);
    const shape = out.shape, nd = shape.length;
    const n = shape.reduce((p, d) => p * d, 1);
    // an uncollapsed layout (the region test needs every dim), then start, step and count per dim
    const params = [0, 0, 0, 0, n, nd, ...shape, 0, ...rowMajorStrides(shape), a!.offset, ...a!.strides, u!.offset, ...u!.strides, ...start, ...usedSteps(step, u!.shape), ...u!.shape];
    const source = `let x = block(3u);
  var inside = true;
  var off = bitcast<i32>(params[block(2u)]);
  for (var d = 0u; d < nd(); d++) {
    let q = i32(idx[d]) - bitcast<i32>(params[x + d]);
    let k = bitcast<i32>(params[x + nd() + d]);
    if (q % k != 0 || q / k < 0 || q / k >= i32(params[x + 2u * nd() + d])) { inside = false; }
    off += (q / k) * bitcast<i32>(params[block(2u) + 1u + d]);
  }
  if (inside) { return pack_${out.dtype.name}(load_1(u32(off))); }
  return pack_${out.dtype.name}(load_0(u32(offset_of(1u, e))));`;
    return run(gpu, "sliceUpdate", [a!, u!], out, params, source);
  };
  return update;
}
