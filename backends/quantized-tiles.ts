// How the quantized matmul kernels of webgpu and metal split their work: the
// same tiling on both (8 output columns per group with transposed weights, 32
// without; one row of x per group for matrix-vector products, else 8).

import type { Tensor } from "./backend.js";
import { sizeOf } from "../src/shape.js";

/** Rows of x one workgroup or threadgroup computes when x has more than one row per batch. */
const TILE_ROWS = 8;

export interface QmmTiles {
  K: number;
  N: number;
  /** Weight matrices (w's batch), and rows of x per weight matrix. */
  batches: number;
  perBatch: number;
  rows: number;
  rowTiles: number;
  colTiles: number;
  /** Groups to dispatch: batches x rowTiles x colTiles. */
  groups: number;
  /** The kernels' parameter words but the last (the biases' offset, which each backend binds its own way): sizes, tile counts, offsets of x, w and the scales. */
  params: number[];
}

/** The tiling of x [..., K] by the packed w (scales `s`) into `outShape`. */
export function qmmTiles(x: Tensor, w: Tensor, s: Tensor, outShape: readonly number[], transpose: boolean): QmmTiles {
  const nw = w.shape.length;
  const K = x.shape[x.shape.length - 1]!, N = outShape[outShape.length - 1]!;
  const batches = sizeOf(w.shape.slice(0, -2));
  const perBatch = batches === 0 ? 0 : sizeOf(x.shape) / K / batches;
  const rows = perBatch > 1 ? TILE_ROWS : 1;
  const rowTiles = Math.ceil(perBatch / rows), colTiles = Math.ceil(N / (transpose ? 8 : 32));
  const groups = batches * rowTiles * colTiles;
  const params = [perBatch, N, K, w.shape[nw - 1]!, s.shape[nw - 1]!, batches, rowTiles, colTiles, x.offset, w.offset, s.offset];
  return { K, N, batches, perBatch, rows, rowTiles, colTiles, groups, params };
}
