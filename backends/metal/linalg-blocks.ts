// The blocked building blocks of the metal linear algebra (msl/linalg.metal),
// on float32 matrices inside one workspace buffer per op, each described as
// (offset, row stride, column stride, batch stride): loads into the
// workspace, C -= A B, the triangular solve of a diagonal block, and blocked
// triangular solves made of them (an upper triangle is the lower one read
// backwards). Kernels bind the workspace once: no buffer is bound twice.

import type { OutputSpec, Tensor } from "../backend.js";
import { float32 } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { THREADS } from "./elementwise.js";

/** Rows of a diagonal block (the kernels' NB) and right-hand sides a trsm_block threadgroup holds (RHS). */
export const NB = 32;
const RHS = 8;
const TILE = 16;
/** Threads of the kernels with a threadgroup per matrix. */
export const GROUP = 256;

export const LINALG_LIBRARY: LibraryKey = { file: "linalg", variant: "float32", defines: () => ({ T: "float", S: "float" }) };

/** A batch of matrices in a workspace: element (i, j) of item b at off + b bs + i rs + j cs. */
export interface Mat {
  readonly off: number;
  readonly rs: number;
  readonly cs: number;
  readonly bs: number;
}

/** Contiguous R x C matrices from element `off` on. */
export const matAt = (off: number, rows: number, cols: number): Mat => ({ off, rs: cols, cs: 1, bs: rows * cols });

/** A float32 workspace of `elements`. */
export const workspace = (metal: MetalBackend, elements: number): Tensor => metal.allocOutput({ shape: [elements], dtype: float32 });

/** The submatrix of `m` from row r, column c. */
export const at = (m: Mat, r: number, c: number): Mat => ({ ...m, off: m.off + r * m.rs + c * m.cs });

/** `m` transposed. */
export const transposed = (m: Mat): Mat => ({ ...m, rs: m.cs, cs: m.rs });

/** The rows x cols matrix `m` read backwards in both indices (an upper triangle becomes a lower one). */
export const reversed = (m: Mat, rows: number, cols: number): Mat => ({ ...m, off: m.off + (rows - 1) * m.rs + (cols - 1) * m.cs, rs: -m.rs, cs: -m.cs });

/** `m` with its rows in reverse order. */
export const rowsReversed = (m: Mat, rows: number): Mat => ({ ...m, off: m.off + (rows - 1) * m.rs, rs: -m.rs });

const words = (m: Mat) => [m.off, m.rs, m.cs, m.bs];

/** How load_matrix reads a square input: as it is, or symmetric from its lower or upper triangle. */
export type LoadMode = "plain" | "lower" | "upper";

/** The matrices of `x` (any strides, broadcast batches) copied contiguously into `w` from element `at` on. */
export function load(metal: MetalBackend, op: string, w: Tensor, at: number, x: Tensor, mode: LoadMode): void {
  const nd = x.shape.length;
  const [R, C] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const total = sizeOf(x.shape);
  const batch = x.shape.slice(0, -2);
  const p = [total, R, C, ["plain", "lower", "upper"].indexOf(mode), x.offset, x.strides[nd - 2]!, x.strides[nd - 1]!, at, batch.length, ...batch, ...x.strides.slice(0, -2)];
  metal.run(op, LINALG_LIBRARY, "load_matrix", [w, x], p, { threads: total, group: THREADS });
}

/** How store_matrix writes: as it is, the lower or upper triangle (the rest zero), or the lower triangle transposed. */
const STORE_MODES = { plain: 0, lower: 1, upper: 2, lowerTransposed: 3 } as const;

/**
 * An output of spec `out` from the first R rows of the contiguous matrices of `w` at element `at`
 * (batch stride `batchStride`), as `mode` says.
 */
export function store(metal: MetalBackend, op: string, out: OutputSpec, w: Tensor, at: number, batchStride: number, mode: keyof typeof STORE_MODES): Tensor {
  const t = metal.allocOutput(out);
  const nd = t.shape.length;
  const total = sizeOf(t.shape);
  if (total > 0) metal.run(op, LINALG_LIBRARY, "store_matrix", [t, w], [total, t.shape[nd - 2]!, t.shape[nd - 1]!, STORE_MODES[mode], at, batchStride], { threads: total, group: THREADS });
  return t;
}

/** The first `cols` columns of `batch` n x n identities written contiguously into `w` from element `at` on. */
export function identity(metal: MetalBackend, op: string, w: Tensor, at: number, batch: number, n: number, cols = n): void {
  const total = batch * n * cols;
  metal.run(op, LINALG_LIBRARY, "fill_identity", [w], [total, n, cols, at], { threads: total, group: THREADS });
}

/** How gemmSub writes C: C -= A B, the same skipping C's tiles above its diagonal, or C = -A B. */
export type GemmMode = "subtract" | "lowerOnly" | "overwrite";

/** C -= A B (as `mode` says) for M x K A and K x N B over `batch` items, all in `w`, C apart from A and B. */
export function gemmSub(metal: MetalBackend, op: string, w: Tensor, batch: number, M: number, N: number, K: number, c: Mat, a: Mat, b: Mat, mode: GemmMode = "subtract"): void {
  if (M === 0 || N === 0 || K === 0) return;
  const p = [M, N, K, mode === "lowerOnly" ? 1 : 0, ...words(c), ...words(a), ...words(b), mode === "overwrite" ? 1 : 0];
  metal.run(op, LINALG_LIBRARY, "gemm_sub", [w], p, { grid: [Math.ceil(N / TILE) * TILE, Math.ceil(M / TILE) * TILE, batch], group: [TILE, TILE, 1] });
}

/**
 * L X = B in place for the nb x nb (nb <= NB) lower triangle `l` and the nb x k `x` (unit: L's
 * diagonal taken as 1). `identityFrom`: X is rows identityFrom.. of an identity being inverted,
 * whose entries before the diagonal stay exactly zero.
 */
export function trsmBlock(metal: MetalBackend, op: string, w: Tensor, batch: number, nb: number, k: number, unit: boolean, l: Mat, x: Mat, identityFrom?: number): void {
  if (nb === 0 || k === 0) return;
  const p = [nb, k, unit ? 1 : 0, ...words(l), ...words(x), identityFrom === undefined ? 0 : 1, identityFrom ?? 0];
  metal.run(op, LINALG_LIBRARY, "trsm_block", [w], p, { grid: [Math.ceil(k / RHS) * GROUP, batch, 1], group: [GROUP, 1, 1] });
}

/**
 * L X = B in place for the n x n lower triangle `l` and the n x k `x`, by
 * blocks of NB rows: each diagonal block solved (trsm_block), then the rows
 * below it updated (gemm_sub); `inverting`: X is an identity (see trsmBlock).
 */
export function solveLower(metal: MetalBackend, op: string, w: Tensor, batch: number, n: number, k: number, unit: boolean, l: Mat, x: Mat, inverting = false): void {
  for (let kb = 0; kb < n; kb += NB) {
    const nb = Math.min(NB, n - kb);
    // inverting, the columns from kb + nb on are still zero in these rows and the ones above
    const cols = inverting ? Math.min(k, kb + nb) : k;
    trsmBlock(metal, op, w, batch, nb, cols, unit, at(l, kb, kb), at(x, kb, 0), inverting ? kb : undefined);
    gemmSub(metal, op, w, batch, n - kb - nb, cols, nb, at(x, kb + nb, 0), at(l, kb + nb, kb), at(x, kb, 0));
  }
}

/** U X = B in place for the n x n upper triangle `u`: the lower solve of both read backwards. */
export function solveUpper(metal: MetalBackend, op: string, w: Tensor, batch: number, n: number, k: number, unit: boolean, u: Mat, x: Mat): void {
  solveLower(metal, op, w, batch, n, k, unit, reversed(u, n, n), rowsReversed(x, n));
}
