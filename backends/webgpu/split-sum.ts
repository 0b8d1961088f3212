// The second pass of a product split along K (matmul.ts, matvec.ts): the
// float32 partials [splits, L] added into the float32 result by
// wgsl/split-sum.wgsl, with enough lanes per output quad that a short result
// with many splits still fills the GPU.

import type { Tensor } from "../backend.js";
import type { WebGpuBackend } from "./backend.js";

/** Invocations the pass aims for: a short L's quads take several lanes each until there are this many. */
const TARGET_INVOCATIONS = 2 ** 16;

/** Lanes per quad (1 to 16, at most the split count) for `L` outputs of `splits` partials: a function of the shape alone, so the sum's order is too. */
export function splitSumLanes(L: number, splits: number): number {
  const quads = Math.ceil(L / 4);
  let lanes = 1;
  while (lanes < 16 && 2 * lanes <= splits && quads * lanes < TARGET_INVOCATIONS) lanes *= 2;
  return lanes;
}

/** Encodes res[j] = sum over s of part[s, j] (both float32; part holds splits * L elements, res L). */
export function encodeSplitSum(gpu: WebGpuBackend, res: Tensor, part: Tensor, L: number, splits: number): void {
  const lanes = splitSumLanes(L, splits);
  const aligned = L % 4 === 0;
  gpu.run(
    { op: "matmul", file: "split-sum", helpers: [], key: `${lanes},${aligned}`, slots: { LANES: String(lanes), ALIGNED: String(aligned) } },
    gpu.gpuBuffer(res),
    [L, splits],
    [gpu.gpuBuffer(part), gpu.gpuBuffer(part)],
    Math.ceil((Math.ceil(L / 4) * lanes) / 256),
  );
}
