// WebGPU gatherAxis, scatterAxis and sliceUpdate through wgsl/indexing.wgsl:
// one invocation per output word, each output element computing what it
// holds. A scatter folds the updates landing on an element in position order
// without atomics (deterministic): scanning its column when the columns are
// short, else through a stable sort of the columns' targets (sort.ts) and a
// binary search. Index values are wrapped and clamped in the kernel.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { uint32, type DType } from "../../src/dtype.js";
import type { GatherAxis, ScatterAxis, ScatterMode, SliceUpdate } from "../../src/primitives/indexing.js";
import { SortIndices } from "../../src/primitives/sort.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import { sortedScatterPlan, type SortedScatterPlan } from "../scatter-columns.js";
import { elementwiseLayout } from "../strides.js";
import type { WebGpuBackend } from "./backend.js";
import { perWordDispatch } from "./gather.js";
import { BINARY_WGSL, computeType, wgslExprFor } from "./codegen.js";
import { sortKernels } from "./sort.js";

function run(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], out: OutputSpec, params: number[], source: string): Tensor {
  return perWordDispatch(gpu, "indexing", ["dtypes", "math"], op, inputs, out, params, source);
}

/** The WGSL call that normalizes an index value of dtype `d` on an axis of `n` (an expression) elements. */
function norm(d: DType, v: string, n: string): string {
  return computeType(d) === "i32" ? `norm_i(${v}, ${n})` : `norm_u(${v}, ${n})`;
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
  return (prim, [a, idx], out) => {
    const axis = (prim as GatherAxis).axis;
    const layout = elementwiseLayout([outView(a!, out.shape), axisBase(a!, out.shape, axis), idx!], out.shape);
    const params = [a!.shape[axis]!, a!.strides[axis]!, 0, 0, ...layout];
    const source = `let j = ${norm(idx!.dtype, "load_1(u32(offset_of(2u, e)))", "params[0]")};
  return pack_${out.dtype.name}(load_0(u32(offset_of(1u, e) + i32(j) * bitcast<i32>(params[1]))));`;
    return run(gpu, "gatherAxis", [a!, idx!], out, params, source);
  };
}

/** The axis position as an operand over `shape`: its offset is the element's index along `axis`. */
function positionOf(t: Tensor, shape: readonly number[], axis: number): Tensor {
  return { ...t, offset: 0, strides: shape.map((_, d) => (d === axis ? 1 : 0)) };
}

/** The scatter's fold of update `b` (compute type) into `a`. */
function foldOf(mode: ScatterMode, d: DType): string {
  const fold = mode === "set" ? "b" : wgslExprFor(BINARY_WGSL[mode], d);
  if (!fold) throw new Error(`[scatterAxis] mode ${mode} is not defined for ${d.name} on the WebGPU backend`);
  return fold;
}

/** Few updates per column: each element scans its column's K updates in order. */
function scatterScan(gpu: WebGpuBackend, [a, idx, upd]: readonly Tensor[], out: OutputSpec, axis: number, mode: ScatterMode): Tensor {
  const shape = out.shape;
  const layout = elementwiseLayout([outView(a!, shape), a!, axisBase(idx!, shape, axis), axisBase(upd!, shape, axis), positionOf(a!, shape, axis)], shape);
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
  return pack_${out.dtype.name}(a);`;
  return run(gpu, "scatterAxis", [a!, idx!, upd!], out, params, source);
}

/**
 * Many updates per column: the columns' targets (u32, [rows, K]) stably
 * argsorted by the sort kernels, then each element binary-searches its run
 * in its row and folds the run in position order (the scan's order: equal results).
 */
function scatterSorted(gpu: WebGpuBackend, [a, idx, upd]: readonly Tensor[], out: OutputSpec, axis: number, mode: ScatterMode, plan: SortedScatterPlan): Tensor {
  const shape = out.shape, K = idx!.shape[axis]!;
  const rowsShape = plan.columns.shape;
  const targetsLayout = elementwiseLayout([outView(plan.columns, rowsShape), plan.columns], rowsShape);
  const targetsSource = `return pack_uint32(${norm(idx!.dtype, "load_0(u32(offset_of(1u, e)))", "params[0]")});`;
  const targets = run(gpu, "scatterAxis", [plan.columns], { shape: rowsShape, dtype: uint32 }, [shape[axis]!, 0, 0, 0, ...targetsLayout], targetsSource);
  const order = sortKernels(gpu).argsort!(new SortIndices(rowsShape.length - 1, null), [targets], { shape: rowsShape, dtype: uint32 });
  const rowStart = { ...a!, offset: 0, strides: plan.rowStarts };
  const layout = elementwiseLayout([outView(a!, shape), a!, axisBase(upd!, shape, axis), positionOf(a!, shape, axis), rowStart], shape);
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
  return pack_${out.dtype.name}(a);`;
  const result = run(gpu, "scatterAxis", [a!, upd!, targets, order], out, [K, upd!.strides[axis]!, 0, 0, ...layout], source);
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

export function sliceUpdateKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [a, u], out) => {
    const { start, step } = prim as SliceUpdate;
    const shape = out.shape, nd = shape.length;
    const n = shape.reduce((p, d) => p * d, 1);
    // an uncollapsed layout (the region test needs every dim), then start, step and count per dim
    const params = [0, 0, 0, 0, n, nd, ...shape, 0, ...rowMajorStrides(shape), a!.offset, ...a!.strides, u!.offset, ...u!.strides, ...start, ...step, ...u!.shape];
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
}
