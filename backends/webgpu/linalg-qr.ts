// WebGPU qr in float32, batched: blocked Householder QR in one workspace.
// Each panel of 32 columns is reduced by wgsl/linalg-qr-panel.wgsl, which also
// leaves its reflectors V and the T of their compact WY form; the trailing
// columns get Q_p^T = I - V T^T V^T as three tiled updates, and Q is
// accumulated from the identity by the panels' I - V T V^T, last panel first.

import type { MultiKernel } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { BLOCK, rowMajorView, sub, tensorView, transposed, withWorkspace, words, type LinalgBlocks, type View } from "./linalg-blocks.js";

/**
 * C (rows x cols) = (I - V T' V^T) C with T' = T^T (`transposeT`) or T, through
 * the scratch views w1 and w2 (nb x cols each).
 */
function applyBlockReflector(blocks: LinalgBlocks, c: View, v: View, t: View, rows: number, cols: number, nb: number, w1: View, w2: View, transposeT: boolean): void {
  if (cols === 0) return;
  blocks.gemm(w1, transposed(v), c, nb, cols, rows, 1, 0);
  blocks.gemm(w2, transposeT ? transposed(t) : t, w1, nb, cols, nb, 1, 0);
  blocks.gemm(c, v, w2, rows, cols, nb, -1, 1);
}

export function qrKernel(gpu: WebGpuBackend): MultiKernel {
  return (_prim, [a], [qSpec, rSpec]) => {
    const m = a!.shape.at(-2)!, n = a!.shape.at(-1)!, k = Math.min(m, n), batch = sizeOf(a!.shape.slice(0, -2));
    const q = gpu.allocOutput(qSpec!), r = gpu.allocOutput(rSpec!);
    if (batch * k === 0) return [q, r];
    const panels = Math.ceil(k / BLOCK), wide = Math.max(n, k);
    // the workspace: A (m x n, becoming R), V (m x k), the T blocks (32 x 32 each), Q (m x k), two scratch blocks (32 x max(n, k))
    const aw = rowMajorView(0, m, n);
    const vw = rowMajorView(batch * m * n, m, k);
    const tw = rowMajorView(vw.off + batch * m * k, panels * BLOCK, BLOCK);
    const qw = rowMajorView(tw.off + batch * panels * BLOCK * BLOCK, m, k);
    const w1 = rowMajorView(qw.off + batch * m * k, BLOCK, wide);
    const w2 = rowMajorView(w1.off + batch * BLOCK * wide, BLOCK, wide);
    return withWorkspace(gpu, "linalg.qr", [a!], batch, w2.off + batch * BLOCK * wide, 0, (blocks, [x]) => {
      const xb = gpu.gpuBuffer(x!);
      blocks.copy(blocks.ws, aw, xb, tensorView(x!, m, n), m, n, "all");
      blocks.copy(blocks.ws, qw, xb, tensorView(x!, m, n), m, k, "identity");
      const tOf = (p: number) => sub(tw, p * BLOCK, 0);
      for (let p = 0; p < panels; p++) {
        const j0 = p * BLOCK, nb = Math.min(BLOCK, k - j0), rows = m - j0;
        blocks.dispatch("linalg-qr-panel", [batch, rows, nb, ...words(sub(aw, j0, j0)), ...words(sub(vw, j0, j0)), ...words(tOf(p))], batch);
        applyBlockReflector(blocks, sub(aw, j0, j0 + nb), sub(vw, j0, j0), tOf(p), rows, n - j0 - nb, nb, w1, w2, true);
      }
      for (let p = panels - 1; p >= 0; p--) {
        const j0 = p * BLOCK, nb = Math.min(BLOCK, k - j0);
        applyBlockReflector(blocks, sub(qw, j0, j0), sub(vw, j0, j0), tOf(p), m - j0, k - j0, nb, w1, w2, false);
      }
      blocks.copy(gpu.gpuBuffer(q), tensorView(q, m, k), blocks.ws, qw, m, k, "all");
      blocks.copy(gpu.gpuBuffer(r), tensorView(r, k, n), blocks.ws, aw, k, n, "upper");
      return [q, r];
    });
  };
}
