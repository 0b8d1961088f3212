// Metal gatherAxis, scatterAxis and sliceUpdate (msl/indexing.metal): one
// library per data and index dtype (and scatter fold), one thread per output
// element. A scatter folds the updates landing on an element in position
// order without atomics (deterministic): scanning its column when the columns
// are short, else through a stable sort of the columns' targets (sort.ts) and
// a binary search. Index values are wrapped and clamped in the kernel.

import type { Kernel, Tensor } from "../backend.js";
import { uint32, type DType } from "../../src/dtype.js";
import type { GatherAxis, ScatterAxis, ScatterMode, SliceUpdate } from "../../src/primitives/indexing.js";
import { SortIndices } from "../../src/primitives/sort.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import { sortedScatterPlan, type SortedScatterPlan } from "../scatter-columns.js";
import { elementwiseLayout } from "../strides.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { THREADS } from "./elementwise.js";
import { computeType, mslType } from "./msl-types.js";
import { sortKernels } from "./sort.js";

/** The fold of update b into a per compute type (integers in unsigned arithmetic: no signed overflow; float2 is complex64). */
const FOLDS: Record<ScatterMode, Record<string, string>> = {
  set: { float: "b", int: "b", uint: "b", long: "b", ulong: "b", float2: "b" },
  add: { float: "a + b", int: "int(uint(a) + uint(b))", uint: "a + b", long: "long(ulong(a) + ulong(b))", ulong: "a + b", float2: "a + b" },
  multiply: { float: "a * b", int: "int(uint(a) * uint(b))", uint: "a * b", long: "long(ulong(a) * ulong(b))", ulong: "a * b", float2: "cmul(a, b)" },
  // complex64: MLX's order (real part, then imaginary), a NaN in a kept
  maximum: { float: "maximum_f(a, b)", int: "max(a, b)", uint: "max(a, b)", long: "(a >= b ? a : b)", ulong: "(a >= b ? a : b)", float2: "((isnan(a.x) || isnan(a.y) || a.x > b.x || (a.x == b.x && a.y > b.y)) ? a : b)" },
  minimum: { float: "minimum_f(a, b)", int: "min(a, b)", uint: "min(a, b)", long: "(a <= b ? a : b)", ulong: "(a <= b ? a : b)", float2: "((isnan(a.x) || isnan(a.y) || b.x > a.x || (b.x == a.x && b.y > a.y)) ? a : b)" },
};

function library(d: DType, index: DType | null, mode: ScatterMode): LibraryKey {
  // sliceUpdate reads no indices: a fixed index type (the data's may have no integer conversion, as complex64)
  const i = index ?? uint32;
  if (FOLDS[mode][computeType(d)] === undefined) throw new Error(`[scatterAxis] mode '${mode}' is not implemented on backend 'metal' for ${d.name}`);
  return {
    file: "indexing",
    variant: `${d.name}-${i.name}-${mode}`,
    defines: () => ({ T: mslType(d), C: computeType(d), I: mslType(i), I_SIGNED: i.kind === "int" ? "1" : "0", "FOLD(a, b)": FOLDS[mode][computeType(d)]! }),
  };
}

/** `t` read over `shape` with stride 0 along `axis` (each position's base). */
function axisBase(t: Tensor, shape: readonly number[], axis: number): Tensor {
  return { ...t, shape, strides: t.strides.map((s, d) => (d === axis ? 0 : s)) };
}

export function gatherAxisKernel(metal: MetalBackend): Kernel {
  return (prim, [a, idx], out) => {
    const axis = (prim as GatherAxis).axis;
    const t = metal.allocOutput(out);
    const n = sizeOf(out.shape);
    if (n === 0) return t;
    const words = [...elementwiseLayout([t, axisBase(a!, out.shape, axis), idx!], out.shape), a!.shape[axis]!, a!.strides[axis]!];
    metal.run("gatherAxis", library(a!.dtype, idx!.dtype, "set"), "gather_axis", [t, a!, idx!], words, { threads: n, group: THREADS });
    return t;
  };
}

/** The axis position as an operand over `shape`: its offset is the element's index along `axis`. */
function positionOf(t: Tensor, shape: readonly number[], axis: number): Tensor {
  return { ...t, offset: 0, strides: shape.map((_, d) => (d === axis ? 1 : 0)) };
}

/** Few updates per column: each element scans its column's K updates in order. */
function scatterScan(metal: MetalBackend, t: Tensor, [a, idx, upd]: readonly Tensor[], axis: number, mode: ScatterMode): void {
  const shape = t.shape;
  const layout = elementwiseLayout([t, a!, axisBase(idx!, shape, axis), axisBase(upd!, shape, axis), positionOf(t, shape, axis)], shape);
  const words = [...layout, idx!.shape[axis]!, idx!.strides[axis]!, upd!.strides[axis]!, shape[axis]!];
  metal.run("scatterAxis", library(a!.dtype, idx!.dtype, mode), "scatter_axis", [t, a!, idx!, upd!], words, { threads: sizeOf(shape), group: THREADS });
}

/**
 * Many updates per column: the columns' targets ([rows, K] uint) stably
 * argsorted by the sort kernels, then each element binary-searches its run
 * in its row and folds the run in position order (the scan's order: equal results).
 */
function scatterSorted(metal: MetalBackend, t: Tensor, [a, idx, upd]: readonly Tensor[], axis: number, mode: ScatterMode, plan: SortedScatterPlan): void {
  const shape = t.shape, K = idx!.shape[axis]!;
  const lib = library(a!.dtype, idx!.dtype, mode);
  const rowsShape = plan.columns.shape;
  const targets = metal.allocOutput({ shape: rowsShape, dtype: uint32 });
  const targetsWords = [...elementwiseLayout([targets, plan.columns], rowsShape), shape[axis]!];
  metal.run("scatterAxis", lib, "scatter_targets", [targets, plan.columns], targetsWords, { threads: plan.rows * K, group: THREADS });
  const order = sortKernels(metal).argsort!(new SortIndices(rowsShape.length - 1, null), [targets], { shape: rowsShape, dtype: uint32 });
  const rowStart = { ...t, offset: 0, strides: plan.rowStarts };
  const layout = elementwiseLayout([t, a!, axisBase(upd!, shape, axis), positionOf(t, shape, axis), rowStart], shape);
  const words = [...layout, K, upd!.strides[axis]!];
  metal.run("scatterAxis", lib, "scatter_sorted", [t, a!, upd!, targets, order], words, { threads: sizeOf(shape), group: THREADS });
  metal.release(targets.buffer);
  metal.release(order.buffer);
}

export function scatterAxisKernel(metal: MetalBackend): Kernel {
  return (prim, inputs, out) => {
    const { axis, mode } = prim as ScatterAxis;
    const t = metal.allocOutput(out);
    if (sizeOf(out.shape) === 0) return t;
    const plan = sortedScatterPlan(inputs[1]!, out.shape, axis);
    if (plan) scatterSorted(metal, t, inputs, axis, mode, plan);
    else scatterScan(metal, t, inputs, axis, mode);
    return t;
  };
}

/**
 * A slice update's steps for its kernel: 1 along a dim of at most one updated
 * element, where the step is never taken (the same region: the index equals
 * start; a step of up to 2^53 in magnitude is no exact kernel parameter).
 */
function usedSteps(step: readonly number[], updateShape: readonly number[]): number[] {
  return step.map((k, d) => (updateShape[d]! <= 1 ? 1 : k));
}

export function sliceUpdateKernel(metal: MetalBackend): Kernel {
  return (prim, [a, u], out) => {
    const { start, step } = prim as SliceUpdate;
    const t = metal.allocOutput(out);
    const n = sizeOf(out.shape);
    if (n === 0) return t;
    const shape = out.shape;
    // uncollapsed: the region test needs every dim
    const words = [n, shape.length, ...shape, 0, ...rowMajorStrides(shape), a!.offset, ...a!.strides, u!.offset, ...u!.strides, ...start, ...usedSteps(step, u!.shape), ...u!.shape];
    metal.run("sliceUpdate", library(a!.dtype, null, "set"), "slice_update", [t, a!, u!], words, { threads: n, group: THREADS });
    return t;
  };
}
