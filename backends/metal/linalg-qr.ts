// The metal QR kernel: blocked Householder QR with the cpu reference's
// (LAPACK's) reflector convention. Per panel of NB columns: the reflectors
// (msl/linalg.metal qr_panel, a threadgroup per matrix), their WY form
// I - V T V^T (qr_wy), and the trailing columns updated as
// C -= V (T^T (V^T C)) by three gemm_sub passes; then Q from the identity's
// first k columns, panels last to first, Q -= V (T (V^T Q)); R the upper
// triangle of the first k rows.

import type { MultiKernel, OutputSpec } from "../backend.js";
import { sizeOf } from "../../src/shape.js";
import type { MetalBackend } from "./backend.js";
import { GROUP, LINALG_LIBRARY, NB, gemmSub, identity, load, store, transposed, workspace, type Mat } from "./linalg-blocks.js";

export function qrKernel(metal: MetalBackend): MultiKernel {
  return (_prim, [x], outs: readonly OutputSpec[]) => {
    const [m, n] = [x!.shape.at(-2)!, x!.shape.at(-1)!];
    const k = Math.min(m, n), batch = sizeOf(x!.shape.slice(0, -2));
    if (batch * k === 0) return outs.map((o) => metal.allocOutput(o));
    // one workspace: A (m x n, becoming R and the reflectors), V (m x k), the T blocks (k x NB),
    // the products Y and Z (NB x wide), Q (m x k); per batch item, region after region
    const wide = Math.max(n, k);
    const regions = [m * n, m * k, k * NB, NB * wide, NB * wide, m * k];
    const offsets = regions.map((_, i) => batch * regions.slice(0, i).reduce((s, r) => s + r, 0));
    const [oV, oT, oY, oZ, oQ] = offsets.slice(1) as [number, number, number, number, number];
    const w = workspace(metal, batch * regions.reduce((s, r) => s + r, 0));
    const tau = workspace(metal, batch * k);
    try {
      load(metal, "qr", w, 0, x!, "plain");
      const launch = { grid: [GROUP, batch, 1], group: [GROUP, 1, 1] };
      const vAt = (kb: number): Mat => ({ off: oV + kb * k + kb, rs: k, cs: 1, bs: m * k });
      const tAt = (kb: number): Mat => ({ off: oT + kb * NB, rs: NB, cs: 1, bs: k * NB });
      const prod = (off: number, cols: number): Mat => ({ off, rs: cols, cs: 1, bs: NB * wide });
      for (let kb = 0; kb < k; kb += NB) {
        const nb = Math.min(NB, k - kb), rows = m - kb, cols = n - kb - nb;
        metal.run("qr", LINALG_LIBRARY, "qr_panel", [w, tau], [m, n, m * n, k, kb, kb + nb], launch);
        metal.run("qr", LINALG_LIBRARY, "qr_wy", [w, tau], [m, n, k, kb, nb, m * n, k, oV, m * k, oT, k * NB], launch);
        if (cols === 0) continue;
        // C = (I - V T V^T)^T C for the trailing columns: Y = -V^T C, Z = -T^T Y, C -= V Z
        const c: Mat = { off: kb * n + kb + nb, rs: n, cs: 1, bs: m * n };
        gemmSub(metal, "qr", w, batch, nb, cols, rows, prod(oY, cols), transposed(vAt(kb)), c, "overwrite");
        gemmSub(metal, "qr", w, batch, nb, cols, nb, prod(oZ, cols), transposed(tAt(kb)), prod(oY, cols), "overwrite");
        gemmSub(metal, "qr", w, batch, rows, cols, nb, c, vAt(kb), prod(oZ, cols));
      }
      // Q = H_0 ... H_{k-1} I[:, :k]: panel kb changes rows and columns kb.. only
      identity(metal, "qr", w, oQ, batch, m, k);
      for (let kb = Math.floor((k - 1) / NB) * NB; kb >= 0; kb -= NB) {
        const nb = Math.min(NB, k - kb), rows = m - kb, cols = k - kb;
        const q: Mat = { off: oQ + kb * k + kb, rs: k, cs: 1, bs: m * k };
        gemmSub(metal, "qr", w, batch, nb, cols, rows, prod(oY, cols), transposed(vAt(kb)), q, "overwrite");
        gemmSub(metal, "qr", w, batch, nb, cols, nb, prod(oZ, cols), tAt(kb), prod(oY, cols), "overwrite");
        gemmSub(metal, "qr", w, batch, rows, cols, nb, q, vAt(kb), prod(oZ, cols));
      }
      return [store(metal, "qr", outs[0]!, w, oQ, m * k, "plain"), store(metal, "qr", outs[1]!, w, 0, m * n, "upper")];
    } finally {
      metal.release(w.buffer);
      metal.release(tau.buffer);
    }
  };
}
