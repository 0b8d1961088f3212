// The building blocks of the WebGPU linear algebra (wgsl/linalg-*.wgsl): views
// into one float32 workspace buffer (offset and batch, row, column strides in
// words, signed, so a view may be transposed or reversed), the batched strided
// copy, the tiled update C = beta C + alpha A B, the blocked lower-triangular
// solve, and the blocked Cholesky and LU factorizations built from them (their
// panels solved through the inverse of the diagonal block, as a tiled update).

import type { Tensor } from "../backend.js";
import { withRowMajor } from "../row-major.js";
import type { GpuBuffer, WebGpuBackend } from "./backend.js";
import { contiguousCopy } from "./elementwise.js";

/** Rows and columns of the diagonal blocks factored in workgroup memory. */
export const BLOCK = 32;

/** A batch of matrices in a buffer: element (b, i, j) at off + b bs + i rs + j cs (f32 words). */
export interface View {
  off: number;
  bs: number;
  rs: number;
  cs: number;
}

/** The submatrix of `v` from row i0 and column j0. */
export const sub = (v: View, i0: number, j0: number): View => ({ ...v, off: v.off + i0 * v.rs + j0 * v.cs });

/** `v` transposed. */
export const transposed = (v: View): View => ({ ...v, rs: v.cs, cs: v.rs });

/** `v` (rows x cols) with its rows and columns in reverse order. */
export const reversed = (v: View, rows: number, cols: number): View => ({ off: v.off + (rows - 1) * v.rs + (cols - 1) * v.cs, bs: v.bs, rs: -v.rs, cs: -v.cs });

/** `v` (rows x ...) with its rows in reverse order. */
export const rowsReversed = (v: View, rows: number): View => ({ ...v, off: v.off + (rows - 1) * v.rs, rs: -v.rs });

/** The row-major batch of rows x cols matrices at word `off`. */
export const rowMajorView = (off: number, rows: number, cols: number): View => ({ off, bs: rows * cols, rs: cols, cs: 1 });

export const words = (v: View) => [v.off, v.bs, v.rs, v.cs];

/** What the copy writes where its mask holds: the source, its lower or upper triangle, the identity, zeros. */
export type CopyMode = "all" | "lower" | "upper" | "identity" | "zeros" | "within";
const COPY_MODES: readonly CopyMode[] = ["all", "lower", "upper", "identity", "zeros", "within"];

const f32Bits = (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0]!;

/**
 * The linear-algebra kernels of one op on one workspace, whose last part is
 * scratch: a BLOCK x BLOCK inverse and a BLOCK x `scratchCols` panel a matrix.
 */
export class LinalgBlocks {
  private readonly scratchStride: number;
  constructor(
    readonly gpu: WebGpuBackend,
    readonly op: string,
    readonly ws: GPUBuffer,
    readonly batch: number,
    private readonly scratch: number,
    private readonly scratchCols: number,
    /** A buffer other than the workspace, bound where a kernel reads no input. */
    private readonly unread: GPUBuffer,
  ) {
    this.scratchStride = BLOCK * (BLOCK + scratchCols);
  }

  /** One dispatch of wgsl/`file` over `groups` workgroups (none when 0); bindings: `out` (the workspace by default), params, `inputs`. */
  dispatch(file: string, params: number[], groups: number, out = this.ws, inputs: GPUBuffer[] = []): void {
    if (groups > 0) this.gpu.run({ op: this.op, file, helpers: [], slots: {}, key: `${inputs.length}` }, out, params, inputs, groups);
  }

  /** dst(b, i, j) = src(b, i, j) (rows x cols) where `mode` keeps it, else 0 (identity, zeros: src not read). */
  copy(dstBuf: GPUBuffer, dst: View, srcBuf: GPUBuffer, src: View, rows: number, cols: number, mode: CopyMode): void {
    const total = this.batch * rows * cols;
    this.dispatch("linalg-copy", [this.batch, rows, cols, ...words(src), ...words(dst), COPY_MODES.indexOf(mode)], Math.ceil(total / 256), dstBuf, [srcBuf]);
  }

  /** dst = src for two disjoint rows x cols views of the workspace. */
  move(dst: View, src: View, rows: number, cols: number): void {
    this.copy(this.ws, dst, this.unread, src, rows, cols, "within");
  }

  /** The inverse of the nb x nb lower-triangular block `l` (unit diagonal when `unit`), in the scratch (lower triangular, exact zeros above). */
  private blockInverse(l: View, nb: number, unit: boolean): View {
    const inv: View = { off: this.scratch, bs: this.scratchStride, rs: BLOCK, cs: 1 };
    this.copy(this.ws, inv, this.unread, inv, nb, nb, "identity");
    this.diagonalSolve(l, inv, nb, nb, unit, 0);
    return inv;
  }

  /** The scratch panel as rows x ... with row stride `rs`. */
  private panel(rs: number): View {
    return { off: this.scratch + BLOCK * BLOCK, bs: this.scratchStride, rs, cs: 1 };
  }

  /** C = beta C + alpha A B in the workspace (A: m x k, B: k x n); `lowerOnly` skips tiles wholly above C's diagonal. */
  gemm(c: View, a: View, b: View, m: number, n: number, k: number, alpha: number, beta: 0 | 1, lowerOnly = false): void {
    if (m <= 0 || n <= 0) return;
    const tm = Math.ceil(m / 64), tn = Math.ceil(n / 64);
    this.dispatch("linalg-gemm", [this.batch, m, n, k, tm, tn, ...words(a), ...words(b), ...words(c), f32Bits(alpha), beta, lowerOnly ? 1 : 0], this.batch * tm * tn);
  }

  /**
   * B = L^-1 B for the nb x nb lower-triangular block L (nb <= BLOCK; unit
   * diagonal when `unit`) and the nb x ncols B; with `lowerFrom` (B's first
   * row's index in a lower-triangular right-hand side) B's elements above
   * that diagonal stay zero.
   */
  diagonalSolve(l: View, b: View, nb: number, ncols: number, unit: boolean, lowerFrom?: number): void {
    const chunks = Math.ceil(ncols / 8);
    const tri = lowerFrom === undefined ? [0, 0] : [1, lowerFrom];
    this.dispatch("linalg-trsm", [this.batch, nb, ncols, chunks, ...words(l), ...words(b), unit ? 1 : 0, ...tri], this.batch * chunks);
  }

  /**
   * B = L^-1 B for the n x n lower triangle of L and the n x k B by blocks:
   * each diagonal block's rows solved in workgroup memory (by substitution,
   * infinities and NaN from a zero diagonal as the cpu reference's; with
   * `lowerRhs` B is lower triangular, the identity of an inverse, and its
   * zeros above the diagonal stay exact), or with `viaInverse` (k at most the
   * scratch's columns) multiplied by the block's inverse; the rows below
   * updated by tiled products.
   */
  lowerSolve(l: View, b: View, n: number, k: number, unit: boolean, { lowerRhs = false, viaInverse = false } = {}): void {
    if (k === 0) return;
    for (let k0 = 0; k0 < n; k0 += BLOCK) {
      const nb = Math.min(BLOCK, n - k0), rows = sub(b, k0, 0);
      if (viaInverse) {
        const inv = this.blockInverse(sub(l, k0, k0), nb, unit);
        const x = this.panel(this.scratchCols);
        this.gemm(x, inv, rows, nb, k, nb, 1, 0);
        this.move(rows, x, nb, k);
      } else {
        this.diagonalSolve(sub(l, k0, k0), rows, nb, k, unit, lowerRhs ? k0 : undefined);
      }
      this.gemm(sub(b, k0 + nb, 0), sub(l, k0 + nb, k0), rows, n - k0 - nb, k, nb, -1, 1);
    }
  }

  /** The lower Cholesky factor of the n x n lower triangle of `a`, in place (right-looking, by blocks). */
  cholesky(a: View, n: number): void {
    for (let k0 = 0; k0 < n; k0 += BLOCK) {
      const nb = Math.min(BLOCK, n - k0), rest = n - k0 - nb;
      this.dispatch("linalg-cholesky", [this.batch, nb, ...words(sub(a, k0, k0))], this.batch);
      if (rest === 0) break;
      // the panel below: P = A21 L11^-T (rest x nb, in the scratch), then A22 -= P P^T
      const inv = this.blockInverse(sub(a, k0, k0), nb, false);
      const p = this.panel(BLOCK);
      this.gemm(p, sub(a, k0 + nb, k0), transposed(inv), rest, nb, nb, 1, 0);
      this.move(sub(a, k0 + nb, k0), p, rest, nb);
      this.gemm(sub(a, k0 + nb, k0 + nb), p, transposed(p), rest, rest, nb, -1, 1, true);
    }
  }

  /**
   * LU with partial pivoting of the n x n leading block of the n x cols `a`,
   * in place, the interchanges and elimination carried through its columns n
   * .. cols (the right-hand sides); `pivots` holds BLOCK words a matrix, and an
   * exact zero pivot sets the matrix's word at `flags` (which must start at 0).
   */
  luEliminate(a: View, n: number, cols: number, pivots: View, flags: number): void {
    for (let k0 = 0; k0 < n; k0 += BLOCK) {
      const nb = Math.min(BLOCK, n - k0), right = cols - k0 - nb;
      this.dispatch("linalg-lu-panel", [this.batch, n - k0, nb, ...words(sub(a, k0, k0)), pivots.off, pivots.bs, flags], this.batch);
      if (right === 0) continue;
      this.dispatch("linalg-lu-swap", [this.batch, right, nb, ...words(sub(a, k0, k0 + nb)), pivots.off, pivots.bs], Math.ceil((this.batch * right) / 256));
      // U12 = L11^-1 A12 (nb x right, in the scratch), then A22 -= L21 U12
      const inv = this.blockInverse(sub(a, k0, k0), nb, true);
      const u12 = this.panel(this.scratchCols);
      this.gemm(u12, inv, sub(a, k0, k0 + nb), nb, right, nb, 1, 0);
      this.move(sub(a, k0, k0 + nb), u12, nb, right);
      this.gemm(sub(a, k0 + nb, k0 + nb), sub(a, k0 + nb, k0), u12, n - k0 - nb, right, nb, -1, 1);
    }
  }
}

/**
 * `fn` with the row-major inputs and the blocks on a workspace of `size`
 * float32 words followed by the scratch (panels of up to `scratchCols`
 * columns or rows); the workspace is released after.
 */
export function withWorkspace<R>(gpu: WebGpuBackend, op: string, inputs: readonly Tensor[], batch: number, size: number, scratchCols: number, fn: (blocks: LinalgBlocks, xs: Tensor[]) => R): R {
  return withRowMajor(gpu, (t) => contiguousCopy(gpu, t), inputs, (xs) => {
    const ws = gpu.allocate((size + batch * BLOCK * (BLOCK + scratchCols)) * 4);
    const unread = gpu.allocate(4);
    try {
      return fn(new LinalgBlocks(gpu, op, (ws as GpuBuffer).block.buffer, batch, size, scratchCols, (unread as GpuBuffer).block.buffer), xs);
    } finally {
      gpu.release(ws);
      gpu.release(unread);
    }
  });
}

/** The row-major view of tensor `t` as a batch of rows x cols matrices. */
export const tensorView = (t: Tensor, rows: number, cols: number): View => rowMajorView(t.offset, rows, cols);
