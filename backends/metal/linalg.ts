// The metal kernels of mx.linalg (float32, batched over leading axes):
// cholesky (blocked right-looking: diagonal block in threadgroup memory, the
// panel below by a triangular solve, the trailing matrix by C -= A B),
// solve with a triangle and triInv (blocked substitution), solve and inv
// (blocked LU with partial pivoting, then two triangular solves), and qr
// (Householder, in linalg-qr.ts). A singular matrix or triangle and a
// matrix not positive definite are the cpu's errors. Inputs are first copied
// into contiguous float32 workspaces; results match the cpu reference within
// conformance's metal linalg contract (conformance/contracts.ts).

import type { Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { int32, uint32 } from "../../src/dtype.js";
import { sizeOf } from "../../src/shape.js";
import type { Cholesky, TriInv } from "../../src/primitives/linalg-cholesky.js";
import type { Solve } from "../../src/primitives/linalg-solve.js";
import type { MetalBackend } from "./backend.js";
import { GROUP, LINALG_LIBRARY, NB, at, gemmSub, identity, load, matAt, solveLower, solveUpper, store, transposed, trsmBlock, workspace, type Mat } from "./linalg-blocks.js";
import { qrKernel } from "./linalg-qr.js";
import { firstFailedPivot, firstZeroDiagonal, notPositiveDefiniteMessage, singularMessage, singularTriangleMessage } from "../linalg-errors.js";

/** The number of matrices in `shape`. */
const batchOf = (shape: readonly number[]) => sizeOf(shape.slice(0, -2));

/** `fn` on a float32 workspace of `elements`, released after it (also when it throws). */
function withWorkspace<R>(metal: MetalBackend, elements: number, fn: (w: Tensor) => R): R {
  const w = workspace(metal, elements);
  try {
    return fn(w);
  } finally {
    metal.release(w.buffer);
  }
}

/**
 * The lower Cholesky factor of the symmetric n x n matrices `a` of `w` in
 * place, NB columns at a time: the diagonal block factored, the panel below
 * it solved against its transpose, the trailing lower triangle updated.
 */
function choleskyInPlace(metal: MetalBackend, w: Tensor, batch: number, n: number, a: Mat): void {
  for (let kb = 0; kb < n; kb += NB) {
    const nb = Math.min(NB, n - kb), rest = n - kb - nb;
    metal.run("cholesky", LINALG_LIBRARY, "chol_block", [w], [nb, at(a, kb, kb).off, a.rs, a.bs], { grid: [GROUP, batch, 1], group: [GROUP, 1, 1] });
    if (rest === 0) continue;
    // L21 L11^T = A21, as L11 L21^T = A21^T
    const panel = at(a, kb + nb, kb);
    trsmBlock(metal, "cholesky", w, batch, nb, rest, false, at(a, kb, kb), transposed(panel));
    gemmSub(metal, "cholesky", w, batch, rest, rest, nb, at(a, kb + nb, kb + nb), panel, transposed(panel), "lowerOnly");
  }
}

/** An error for matrix `b` of a batch with an exact zero pivot (the cpu reference's). */
const singular = (b: number) => new Error(singularMessage(b));

/**
 * A X = B in place of `x` (n x k) for the n x n matrices `a` (overwritten by
 * their LU factors), both in `w`: blocked LU with partial pivoting (each
 * panel of NB columns factored over all rows below, its swaps applied to the
 * other columns and to X, U's block row solved, the trailing matrix
 * updated), then the unit-lower and the upper solves. Throws the cpu's error
 * when a pivot is exactly zero (which waits for the device to finish).
 */
function luSolveInPlace(metal: MetalBackend, op: string, w: Tensor, batch: number, n: number, k: number, a: Mat, x: Mat): void {
  const piv = metal.allocOutput({ shape: [batch, n], dtype: int32 });
  const info = metal.allocOutput({ shape: [batch], dtype: uint32 });
  try {
    for (let kb = 0; kb < n; kb += NB) {
      const nb = Math.min(NB, n - kb), rest = n - kb - nb;
      metal.run(op, LINALG_LIBRARY, "lu_panel", [w, piv, info], [n, kb, nb, a.off, a.bs, n], { grid: [GROUP, batch, 1], group: [GROUP, 1, 1] });
      swapRows(metal, op, w, batch, n, kb, nb, a, piv, [kb, kb + nb]);
      swapRows(metal, op, w, batch, k, kb, nb, x, piv, [0, 0]);
      if (rest === 0) continue;
      trsmBlock(metal, op, w, batch, nb, rest, true, at(a, kb, kb), at(a, kb, kb + nb));
      gemmSub(metal, op, w, batch, rest, rest, nb, at(a, kb + nb, kb + nb), at(a, kb + nb, kb), at(a, kb, kb + nb));
    }
    solveLower(metal, op, w, batch, n, k, true, a, x);
    solveUpper(metal, op, w, batch, n, k, false, a, x);
    const host = metal.hostBytes(info.buffer);
    const b = new Uint32Array(host.bytes, host.byteOffset, batch).findIndex((f) => f !== 0);
    if (b >= 0) throw singular(b);
  } finally {
    metal.release(piv.buffer);
    metal.release(info.buffer);
  }
}

/**
 * Throws the cpu's triangle error when one of the `batch` n x n row-major
 * matrices at word 0 of `w` has an exact zero on its diagonal (triInv,
 * solveTriangular: reading them waits for the device).
 */
function checkTriangles(metal: MetalBackend, w: Tensor, batch: number, n: number): void {
  const host = metal.hostBytes(w.buffer);
  const m = new Float32Array(host.bytes, host.byteOffset, batch * n * n);
  const zero = firstZeroDiagonal(Float32Array.from({ length: batch * n }, (_, i) => m[Math.floor(i / n) * n * n + (i % n) * (n + 1)]!), batch, n);
  if (zero) throw new Error(singularTriangleMessage(zero.b, zero.j));
}

/** The swaps of pivots [kb, kb + nb) applied to the `cols` columns of `m` in `w`, except columns [skip0, skip1). */
function swapRows(metal: MetalBackend, op: string, w: Tensor, batch: number, cols: number, kb: number, nb: number, m: Mat, piv: Tensor, [skip0, skip1]: [number, number]): void {
  if (cols === 0) return;
  const p = [cols, kb, nb, m.off, m.rs, m.cs, m.bs, piv.shape[1]!, skip0, skip1];
  metal.run(op, LINALG_LIBRARY, "lu_swap", [w, piv], p, { grid: [cols, batch, 1], group: [Math.min(64, cols), 1, 1] });
}

function choleskyKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out: OutputSpec) => {
    const upper = (prim as Cholesky).upper;
    const n = x!.shape.at(-1)!, batch = batchOf(x!.shape);
    if (batch * n === 0) return metal.allocOutput(out);
    return withWorkspace(metal, batch * n * n, (w) => {
      load(metal, "cholesky", w, 0, x!, upper ? "upper" : "lower");
      choleskyInPlace(metal, w, batch, n, matAt(0, n, n));
      // a pivot not positive (or NaN) on a factor's diagonal: the cpu's error (reading it waits for the device)
      const host = metal.hostBytes(w.buffer);
      const factors = new Float32Array(host.bytes, host.byteOffset, batch * n * n);
      const failed = firstFailedPivot(Float32Array.from({ length: batch * n }, (_, i) => factors[Math.floor(i / n) * n * n + (i % n) * (n + 1)]!), batch, n);
      if (failed) throw new Error(notPositiveDefiniteMessage(failed.b, failed.j));
      return store(metal, "cholesky", out, w, 0, n * n, upper ? "lowerTransposed" : "lower");
    });
  };
}

function triInvKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out: OutputSpec) => {
    const upper = (prim as TriInv).upper;
    const n = x!.shape.at(-1)!, batch = batchOf(x!.shape);
    if (batch * n === 0) return metal.allocOutput(out);
    const size = batch * n * n;
    return withWorkspace(metal, 2 * size, (w) => {
      // an upper triangle's inverse as the cpu's: the transpose of its transpose's (lower) inverse
      load(metal, "triInv", w, 0, x!, "plain");
      identity(metal, "triInv", w, size, batch, n);
      const a = matAt(0, n, n);
      solveLower(metal, "triInv", w, batch, n, n, false, upper ? transposed(a) : a, matAt(size, n, n), true);
      // an exact zero on a diagonal: the cpu's error (the matrices at word 0 are the input's, unchanged)
      checkTriangles(metal, w, batch, n);
      return store(metal, "triInv", out, w, size, n * n, upper ? "lowerTransposed" : "lower");
    });
  };
}

function solveKernel(metal: MetalBackend): Kernel {
  return (prim, [a, b], out: OutputSpec) => {
    const triangle = (prim as Solve).triangle;
    const [n, k] = [b!.shape.at(-2)!, b!.shape.at(-1)!];
    const batch = batchOf(b!.shape);
    if (batch * n * k === 0) return metal.allocOutput(out);
    const size = batch * n * n;
    return withWorkspace(metal, size + batch * n * k, (w) => {
      load(metal, "solve", w, 0, a!, "plain");
      load(metal, "solve", w, size, b!, "plain");
      const [am, xm] = [matAt(0, n, n), matAt(size, n, k)];
      if (triangle !== null) {
        if (triangle === "lower") solveLower(metal, "solve", w, batch, n, k, false, am, xm);
        else solveUpper(metal, "solve", w, batch, n, k, false, am, xm);
        checkTriangles(metal, w, batch, n);
      } else luSolveInPlace(metal, "solve", w, batch, n, k, am, xm);
      return store(metal, "solve", out, w, size, n * k, "plain");
    });
  };
}

function invKernel(metal: MetalBackend): Kernel {
  return (_prim, [a], out: OutputSpec) => {
    const n = a!.shape.at(-1)!, batch = batchOf(a!.shape);
    if (batch * n === 0) return metal.allocOutput(out);
    const size = batch * n * n;
    return withWorkspace(metal, 2 * size, (w) => {
      load(metal, "inv", w, 0, a!, "plain");
      identity(metal, "inv", w, size, batch, n);
      luSolveInPlace(metal, "inv", w, batch, n, n, matAt(0, n, n), matAt(size, n, n));
      return store(metal, "inv", out, w, size, n * n, "plain");
    });
  };
}

/** The metal linalg kernels added to the backend's tables (float32 inputs: the ops accept float32 and float64, and metal holds no float64). */
export function addLinalgKernels(metal: MetalBackend): void {
  const kernels: Record<string, Kernel> = { cholesky: choleskyKernel(metal), triInv: triInvKernel(metal), solve: solveKernel(metal), inv: invKernel(metal) };
  const multi: Record<string, MultiKernel> = { qr: qrKernel(metal) };
  Object.assign(metal.kernels, kernels);
  Object.assign(metal.multiKernels, multi);
}
