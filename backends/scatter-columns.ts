// The plan of a sorted scatterAxis on the GPU backends (webgpu, metal): the
// index array's distinct columns (off-axis positions along which it varies;
// a broadcast index array, the embedding gradient's, has one) are stably
// sorted by target once each, and every output element folds its run.

import type { Tensor } from "./backend.js";
import { rowMajorStrides, sizeOf } from "../src/shape.js";

/**
 * When scanning beats sorting (measured on lavapipe): up to this many updates
 * per column (a scan step costs less than a binary-search step) or this much
 * scan work in all (elements times K; the sort's extra dispatches cost more).
 */
const SCAN_MAX_K = 8;
const SCAN_MAX_WORK = 2 ** 18;
/** The sort's padded (target, position) pairs stay below this (webgpu binds them as one buffer of u32 pairs; offsets stay i32). */
const MAX_SORTED_PAIRS = 2 ** 29;

export interface SortedScatterPlan {
  /** The index array read as [...varying off-axis dims, K] (a view: the dims where its stride is 0 dropped). */
  readonly columns: Tensor;
  /** Distinct columns: rows of the [rows, K] sort. */
  readonly rows: number;
  /** Over the output's shape: strides whose offset is the first element of an element's row in the [rows, K] sort. */
  readonly rowStarts: readonly number[];
}

/**
 * The plan for scattering along `axis` of an output of `shape` through index
 * array `idx`, or null when the column scan is the better (or the only
 * representable) algorithm: few updates per column, or a sort too large.
 */
export function sortedScatterPlan(idx: Tensor, shape: readonly number[], axis: number): SortedScatterPlan | null {
  const K = idx.shape[axis]!;
  const n = shape[axis]!;
  if (K <= SCAN_MAX_K || sizeOf(shape) * K < SCAN_MAX_WORK || n >= 2 ** 32) return null;
  const varying = [...shape.keys()].filter((d) => d !== axis && shape[d] !== 1 && idx.strides[d] !== 0);
  const rowShape = varying.map((d) => shape[d]!);
  const rows = sizeOf(rowShape);
  if (rows === 0 || rows * 2 ** Math.ceil(Math.log2(K)) > MAX_SORTED_PAIRS) return null;
  const columns: Tensor = { ...idx, shape: [...rowShape, K], strides: [...varying.map((d) => idx.strides[d]!), idx.strides[axis]!] };
  const rowStride = rowMajorStrides(rowShape);
  const rowStarts = shape.map((_, d) => (varying.includes(d) ? rowStride[varying.indexOf(d)]! * K : 0));
  return { columns, rows, rowStarts };
}
