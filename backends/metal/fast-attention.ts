// Metal kernel of mx.fast.scaledDotProductAttention (msl/fast-attention.metal):
// a flash attention with BQ query rows per threadgroup and BK keys per tile,
// sized so the q, K, V and score tiles fit Metal's 32 KiB of threadgroup memory.
// q, k, v and the mask are read through their strides.

import type { Kernel, OutputSpec } from "../backend.js";
import { attentionOperands, attentionWords } from "../attention-operands.js";
import type { ScaledDotProductAttention } from "../../src/primitives/fast-attention.js";
import type { MetalBackend } from "./backend.js";
import { f32Param } from "./fast.js";
import { mslType } from "./msl-types.js";

/** Threads per threadgroup. */
const THREADS = 64;
/** float words of threadgroup memory the tiles may take. */
const THREADGROUP_FLOATS = 8192;

export function attentionKernel(metal: MetalBackend): Kernel {
  return (prim, inputs, out: OutputSpec) => {
    const o = attentionOperands(prim as ScaledDotProductAttention, inputs);
    const { q, k, v, mask, sinks, B, Hq, Lq, D, DV } = o;
    // rows per threadgroup: 1 for a single query row, else 16, halved while the q tile would take over half the memory
    const DP = Math.max(1, Math.ceil(D / 16)) * 16;
    let BQ = Lq <= 1 ? 1 : 16;
    while (BQ > 1 && BQ * DP > THREADGROUP_FLOATS / 2) BQ /= 2;
    const TPR = THREADS / BQ;
    const DVT = Math.max(1, Math.ceil(DV / TPR));
    const BK = Math.min(64, Math.floor((THREADGROUP_FLOATS - BQ * DP) / (DP + DVT * TPR + 2 * BQ)));
    if (BK < 1) throw new RangeError(`[fast.scaledDotProductAttention] head dims D = ${D} and Dv = ${DV} do not fit one query row and one key's tile in 32 KiB of threadgroup memory`);
    const t = metal.allocOutput(out);
    const blocks = Math.ceil(Lq / BQ);
    const groups = B * Hq * blocks;
    if (groups === 0 || DV === 0) return t;
    const defines = {
      T: mslType(q.dtype), MT: mslType((mask ?? q).dtype),
      DP: String(DP), BQ: String(BQ), TPR: String(TPR), BK: String(BK), DVT: String(DVT),
      QT: String(BQ * DP), KT: String(BK * DP), VT: String(BK * DVT * TPR),
    };
    const variant = Object.values(defines).join("-");
    const words = attentionWords(prim as ScaledDotProductAttention, o, blocks, groups, f32Param);
    metal.run(prim.name, { file: "fast-attention", variant, defines: () => defines }, "attention", [t, q, k, v, mask ?? q, sinks ?? q], words, { groups, group: THREADS });
    return t;
  };
}
