// WebGPU kernels of mx.linalg in float32, batched over the leading axes:
// cholesky, triInv, solve (triangular and general) and inv, each copying its
// inputs into one workspace and running the blocked algorithms of
// linalg-blocks.ts there (an upper triangle handled as the lower one of the
// reversed or transposed view); qr is linalg-qr.ts. An exact zero LU pivot, a
// Cholesky pivot not positive and a triangle's exact zero diagonal entry are
// errors, as on the cpu.

import type { Kernel, MultiKernel, Tensor } from "../backend.js";
import type { Cholesky, TriInv } from "../../src/primitives/linalg-cholesky.js";
import type { Solve } from "../../src/primitives/linalg-solve.js";
import { sizeOf } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { qrKernel } from "./linalg-qr.js";
import { firstFailedPivot, firstZeroDiagonal, notPositiveDefiniteMessage, singularMessage, singularTriangleMessage } from "../linalg-errors.js";
import { BLOCK, reversed, rowMajorView, rowsReversed, sub, tensorView, transposed, withWorkspace, type LinalgBlocks, type View } from "./linalg-blocks.js";

/**
 * Reads `count` words at `off` of the workspace once the work so far is done
 * and reports `message(words)`, when it gives one, as the error that the next
 * wait of the backend throws (the cpu reference's error).
 */
function reportFromWorkspace(gpu: WebGpuBackend, ws: GPUBuffer, off: number, count: number, message: (words: Float32Array) => string | undefined): void {
  const staging = gpu.ctx.device.createBuffer({ size: count * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  gpu.queue.copy(ws, off * 4, staging, 0, count * 4);
  gpu.queue.submit();
  void staging.mapAsync(GPUMapMode.READ).then(
    () => {
      const text = message(new Float32Array(staging.getMappedRange()));
      staging.unmap();
      staging.destroy();
      if (text !== undefined) gpu.reportError(text);
    },
    () => staging.destroy(),
  );
}

/** Reports the first matrix of the batch whose singular flag (`batch` words at `flags` of the workspace) is set. */
function reportSingular(gpu: WebGpuBackend, op: string, ws: GPUBuffer, flags: number, batch: number): void {
  reportFromWorkspace(gpu, ws, flags, batch, (w) => {
    const b = w.findIndex((v) => v !== 0);
    return b >= 0 ? `[${op}] ${singularMessage(b)}` : undefined;
  });
}

/** Reports the first matrix whose Cholesky factor has a pivot not positive or NaN (the factors' diagonals: `batch` x n words at `diagonals`). */
function reportNotPositiveDefinite(gpu: WebGpuBackend, op: string, ws: GPUBuffer, diagonals: number, batch: number, n: number): void {
  reportFromWorkspace(gpu, ws, diagonals, batch * n, (w) => {
    const failed = firstFailedPivot(w, batch, n);
    return failed ? `[${op}] ${notPositiveDefiniteMessage(failed.b, failed.j)}` : undefined;
  });
}

/**
 * Copies the diagonals of the n x n matrices `t` (a row-major input) to
 * `batch` x n words at `diagonals` of the workspace and reports the first
 * exact zero as the cpu's triangle error (triInv, solveTriangular).
 */
function reportZeroDiagonal(gpu: WebGpuBackend, blocks: LinalgBlocks, op: string, t: Tensor, n: number, diagonals: number): void {
  const v = tensorView(t, n, n);
  blocks.copy(blocks.ws, { off: diagonals, bs: n, rs: 0, cs: 1 }, gpu.gpuBuffer(t), { ...v, rs: 0, cs: v.rs + v.cs }, 1, n, "all");
  reportFromWorkspace(gpu, blocks.ws, diagonals, blocks.batch * n, (w) => {
    const zero = firstZeroDiagonal(w, blocks.batch, n);
    return zero ? `[${op}] ${singularTriangleMessage(zero.b, zero.j)}` : undefined;
  });
}

/** x = A^-1 B for the n x n matrices of `a` and n x k right-hand sides written by `fill`, by blocked LU; written to `out`. */
function luSolve(gpu: WebGpuBackend, op: string, a: Tensor, n: number, k: number, batch: number, out: Tensor, fill: (blocks: LinalgBlocks, rhs: View, a: Tensor) => void, extra: Tensor[] = []): Tensor {
  const w = n + k;
  const aug: View = { off: 0, bs: n * w, rs: w, cs: 1 };
  const pivots: View = { off: batch * n * w, bs: BLOCK, rs: 0, cs: 0 };
  const flags = pivots.off + batch * BLOCK;
  withWorkspace(gpu, op, [a, ...extra], batch, flags + batch, w, (blocks, [x, ...rest]) => {
    const xb = gpu.gpuBuffer(x!);
    blocks.copy(blocks.ws, aug, xb, tensorView(x!, n, n), n, n, "all");
    fill(blocks, sub(aug, 0, n), rest[0] ?? x!);
    blocks.copy(blocks.ws, { off: flags, bs: 1, rs: 0, cs: 0 }, xb, tensorView(x!, 1, 1), 1, 1, "zeros");
    blocks.luEliminate(aug, n, w, pivots, flags);
    // back substitution: U y = z as the lower-triangular solve of the reversed U and z (a zero pivot already flagged)
    blocks.lowerSolve(reversed(aug, n, n), rowsReversed(sub(aug, 0, n), n), n, k, false, { viaInverse: true });
    blocks.copy(gpu.gpuBuffer(out), tensorView(out, n, k), blocks.ws, sub(aug, 0, n), n, k, "all");
    reportSingular(gpu, op, blocks.ws, flags, batch);
  });
  return out;
}

export function linalgKernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return {
    cholesky: (prim, [a], spec) => {
      const upper = (prim as Cholesky).upper;
      const n = a!.shape.at(-1)!, batch = sizeOf(a!.shape.slice(0, -2));
      const out = gpu.allocOutput(spec);
      if (batch * n === 0) return out;
      const m = rowMajorView(0, n, n);
      // the factors, then their diagonals (read back: a pivot not positive or NaN is the cpu's error)
      const diagonals = batch * n * n;
      return withWorkspace(gpu, "linalg.cholesky", [a!], batch, diagonals + batch * n, n, (blocks, [x]) => {
        const v = tensorView(x!, n, n);
        blocks.copy(blocks.ws, m, gpu.gpuBuffer(x!), upper ? transposed(v) : v, n, n, "lower");
        blocks.cholesky(m, n);
        blocks.copy(gpu.gpuBuffer(out), tensorView(out, n, n), blocks.ws, upper ? transposed(m) : m, n, n, upper ? "upper" : "lower");
        blocks.move({ off: diagonals, bs: n, rs: 0, cs: 1 }, { off: 0, bs: n * n, rs: 0, cs: n + 1 }, 1, n);
        reportNotPositiveDefinite(gpu, "linalg.cholesky", blocks.ws, diagonals, batch, n);
        return out;
      });
    },
    triInv: (prim, [a], spec) => {
      const upper = (prim as TriInv).upper;
      const n = a!.shape.at(-1)!, batch = sizeOf(a!.shape.slice(0, -2));
      const out = gpu.allocOutput(spec);
      if (batch * n === 0) return out;
      const l = rowMajorView(0, n, n), x = rowMajorView(batch * n * n, n, n);
      // an upper triangle is the lower one of the reversed matrix, and so is its inverse
      const oriented = (v: View) => (upper ? reversed(v, n, n) : v);
      // the triangle, its inverse, then its diagonal (read back: an exact zero is the cpu's error)
      return withWorkspace(gpu, "linalg.triInv", [a!], batch, 2 * batch * n * n + batch * n, 0, (blocks, [t]) => {
        const tb = gpu.gpuBuffer(t!);
        reportZeroDiagonal(gpu, blocks, "linalg.triInv", t!, n, 2 * batch * n * n);
        blocks.copy(blocks.ws, l, tb, oriented(tensorView(t!, n, n)), n, n, "lower");
        blocks.copy(blocks.ws, x, tb, tensorView(t!, n, n), n, n, "identity");
        blocks.lowerSolve(l, x, n, n, false, { lowerRhs: true });
        blocks.copy(gpu.gpuBuffer(out), tensorView(out, n, n), blocks.ws, oriented(x), n, n, upper ? "upper" : "lower");
        return out;
      });
    },
    solve: (prim, [a, b], spec) => {
      const triangle = (prim as Solve).triangle;
      const n = b!.shape.at(-2)!, k = b!.shape.at(-1)!, batch = sizeOf(b!.shape.slice(0, -2));
      const out = gpu.allocOutput(spec);
      if (batch * n * k === 0) return out;
      if (triangle === null) {
        return luSolve(gpu, "linalg.solve", a!, n, k, batch, out, (blocks, rhs, y) => blocks.copy(blocks.ws, rhs, gpu.gpuBuffer(y), tensorView(y, n, k), n, k, "all"), [b!]);
      }
      const upper = triangle === "upper";
      const l = rowMajorView(0, n, n), x = rowMajorView(batch * n * n, n, k);
      return withWorkspace(gpu, "linalg.solveTriangular", [a!, b!], batch, batch * n * (n + k) + batch * n, 0, (blocks, [t, y]) => {
        reportZeroDiagonal(gpu, blocks, "linalg.solveTriangular", t!, n, batch * n * (n + k));
        blocks.copy(blocks.ws, l, gpu.gpuBuffer(t!), upper ? reversed(tensorView(t!, n, n), n, n) : tensorView(t!, n, n), n, n, "lower");
        blocks.copy(blocks.ws, x, gpu.gpuBuffer(y!), upper ? rowsReversed(tensorView(y!, n, k), n) : tensorView(y!, n, k), n, k, "all");
        blocks.lowerSolve(l, x, n, k, false);
        blocks.copy(gpu.gpuBuffer(out), tensorView(out, n, k), blocks.ws, upper ? rowsReversed(x, n) : x, n, k, "all");
        return out;
      });
    },
    inv: (_prim, [a], spec) => {
      const n = a!.shape.at(-1)!, batch = sizeOf(a!.shape.slice(0, -2));
      const out = gpu.allocOutput(spec);
      if (batch * n === 0) return out;
      return luSolve(gpu, "linalg.inv", a!, n, n, batch, out, (blocks, rhs, x) => blocks.copy(blocks.ws, rhs, gpu.gpuBuffer(x), tensorView(x, n, n), n, n, "identity"));
    },
  };
}

export function linalgMultiKernels(gpu: WebGpuBackend): Record<string, MultiKernel> {
  return { qr: qrKernel(gpu) };
}
