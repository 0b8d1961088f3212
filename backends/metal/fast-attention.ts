// Metal kernel of mx.fast.scaledDotProductAttention (msl/fast-attention.metal):
// a flash attention with BQ query rows per threadgroup and BK keys per tile,
// sized so the q, K, V and score tiles fit Metal's 32 KiB of threadgroup memory.
// q, k, v and the mask are read through their strides.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import type { ScaledDotProductAttention } from "../../src/primitives/fast-attention.js";
import type { MetalBackend } from "./backend.js";
import { mslType } from "./msl-types.js";

/** Threads per threadgroup. */
const THREADS = 64;
/** float words of threadgroup memory the tiles may take. */
const THREADGROUP_FLOATS = 8192;

const MASK_CODE = { none: 0, causal: 1, additive: 2, bool: 3 } as const;

/** The bits of `v` as a float32, as a signed 32-bit integer (a params word). */
function f32Word(v: number): number {
  return new Int32Array(new Float32Array([v]).buffer)[0]!;
}

const operand = (t: Tensor) => [t.offset, ...t.strides];

export function attentionKernel(metal: MetalBackend): Kernel {
  return (prim, inputs, out: OutputSpec) => {
    const p = (prim as ScaledDotProductAttention).p;
    const [q, k, v] = inputs as [Tensor, Tensor, Tensor];
    const mask = p.mask === "additive" || p.mask === "bool" ? inputs[3]! : null;
    const sinks = p.sinks ? inputs[inputs.length - 1]! : null;
    const [B, Hq, Lq, D] = q.shape as [number, number, number, number];
    const [, Hkv, Lkv] = k.shape as [number, number, number];
    const DV = v.shape[3]!;
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
    const words = [
      Hq, Hkv, Lq, Lkv, blocks, groups,
      ...operand(q), ...operand(k), ...operand(v),
      ...(mask ? operand(mask) : [0, 0, 0, 0, 0]),
      sinks ? sinks.offset : 0, sinks ? sinks.strides[0]! : 0,
      f32Word(p.scale), f32Word(p.lowest),
      D, DV, MASK_CODE[p.mask], p.sinks ? 1 : 0,
    ];
    metal.run(prim.name, { file: "fast-attention", variant, defines: () => defines }, "attention", [t, q, k, v, mask ?? q, sinks ?? q], words, { groups, group: THREADS });
    return t;
  };
}
