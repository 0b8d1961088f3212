// WebGPU kernel of mx.fast.scaledDotProductAttention (wgsl/fast-attention.wgsl):
// a flash attention with BQ query rows per workgroup and BK keys per tile,
// sized so the q, K, V and score tiles fit the device's workgroup memory (at
// most 32 KiB of it). q, k, v and the mask are read through their strides.

import type { Kernel, OutputSpec } from "../backend.js";
import { attentionOperands, attentionWords } from "../attention-operands.js";
import { float32 } from "../../src/dtype.js";
import type { ScaledDotProductAttention } from "../../src/primitives/fast-attention.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";
import { scalarWord } from "../scalar-word.js";

/** Invocations per workgroup. */
const THREADS = 64;
/** Bytes of workgroup memory the tiles may take at most. */
const MAX_WORKGROUP_BYTES = 32768;

/**
 * Rows per workgroup (1 for a single query row, else 16, halved while the q
 * tile would take over half of `floats`), invocations per row, accumulators
 * (vec4s) per invocation, keys per tile (what is left of `floats`, at most 64).
 */
function attentionTiles(Lq: number, D4: number, DV: number, floats: number): { BQ: number; TPR: number; DVT: number; BK: number } {
  let BQ = Lq <= 1 ? 1 : 16;
  while (BQ > 1 && BQ * D4 * 4 > floats / 2) BQ /= 2;
  const TPR = THREADS / BQ;
  const DVT = Math.max(1, Math.ceil(DV / 4 / TPR));
  const BK = Math.min(64, Math.floor((floats - BQ * D4 * 4) / (D4 * 4 + 4 * DVT * TPR + 2 * BQ)));
  return { BQ, TPR, DVT, BK };
}

export function attentionKernel(gpu: WebGpuBackend): Kernel {
  return (prim, inputs, out: OutputSpec) => {
    const o = attentionOperands(prim as ScaledDotProductAttention, inputs);
    const { q, k, v, mask, sinks, B, Hq, Lq, D, DV } = o;
    const D4 = Math.max(1, Math.ceil(D / 16)) * 4;
    const floats = Math.min(MAX_WORKGROUP_BYTES, gpu.ctx.device.limits.maxComputeWorkgroupStorageSize) / 4;
    const { BQ, TPR, DVT, BK } = attentionTiles(Lq, D4, DV, floats);
    if (BK < 1) throw new RangeError(`[fast.scaledDotProductAttention] head dims D = ${D} and Dv = ${DV} do not fit one query row and one key's tile in this device's ${floats * 4} bytes of workgroup memory`);
    const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
    const blocks = Math.ceil(Lq / BQ);
    const groups = B * Hq * blocks;
    if (groups > 0 && DV > 0) {
      const bound = [q, k, v, mask ?? q, sinks ?? q];
      const slots = {
        INPUTS: bound.map((t, i) => inputDecl(i, i + 2, t.dtype)).join("\n"),
        D4, BQ, TPR, BK, DVT,
        QT: BQ * D4, KT: BK * D4, VT: BK * DVT * TPR, ST: BQ * BK,
      };
      const params = attentionWords(prim as ScaledDotProductAttention, o, blocks, groups, (x) => scalarWord(x, float32));
      gpu.run({ op: prim.name, file: "fast-attention", helpers: ["dtypes", "math"], slots }, gpu.gpuBuffer(res), params, bound.map((t) => gpu.gpuBuffer(t)), groups);
    }
    return castResult(gpu, res, out);
  };
}
