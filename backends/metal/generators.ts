// Metal kernels that create data (msl/generators.metal): arange and Threefry
// random bits for a batch of keys, bit-identical to the CPU reference. Float
// arange rounds the exact values of backends/arange-plan.ts (arange_float);
// integer ones step in wrapping 32-bit words, int64 / uint64 ones in 64-bit words.

import type { Kernel } from "../backend.js";
import { is64BitInt } from "../../src/dtype.js";
import type { Arange } from "../../src/primitives/misc.js";
import type { MetalBackend } from "./backend.js";
import { computeType, mslType } from "./msl-types.js";
import { THREADS } from "./elementwise.js";
import { integerArangeWords, keyLocationWords, randomBitsLayout } from "../cpu/generators.js";
import { arangePlanWords } from "../arange-plan.js";

/** An int64 / uint64 arange's [start, step] as 32-bit word pairs (low, high): the reference's integer terms (truncated; no step for one element). */
function wideArangeWords(p: Arange): number[] {
  const first = BigInt(Math.trunc(p.start)), step = p.count > 1 ? BigInt(Math.trunc(p.step)) : 0n;
  const pair = (v: bigint) => [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
  return [...pair(first), ...pair(step)];
}

export function arangeKernel(metal: MetalBackend): Kernel {
  return (prim, _inputs, out) => {
    const p = prim as Arange;
    const t = metal.allocOutput(out);
    if (p.count === 0) return t;
    const d = out.dtype, launch = { threads: p.count, group: THREADS };
    if (d.kind === "float") {
      const lib = { file: "generators", variant: d.name, defines: () => ({ FLOAT_BITS: d.size === 2 ? "ushort" : "uint" }) };
      metal.run("arange", lib, "arange_float", [t], [p.count, ...arangePlanWords(p.start, p.step, p.count, d).map((w) => w | 0)], launch);
      return t;
    }
    const wide = is64BitInt(d);
    const lib = { file: "generators", variant: d.name, defines: () => ({ T: mslType(d), C: computeType(d), ...(wide ? { WIDE: "1" } : {}) }) };
    const words = wide ? wideArangeWords(p) : integerArangeWords(p).map((w) => w | 0);
    metal.run("arange", lib, wide ? "arange_wide" : "arange", [t], [p.count, ...words], launch);
    return t;
  };
}

export function randomBitsKernel(metal: MetalBackend): Kernel {
  return (_prim, [key], out) => {
    const t = metal.allocOutput(out);
    const { keys, bytesPerKey, words, half, odd } = randomBitsLayout(key!, out);
    if (keys * bytesPerKey === 0) return t;
    const params = [keys, words, half, odd, bytesPerKey, ...keyLocationWords(key!)];
    metal.run("randomBits", { file: "generators", variant: "", defines: () => ({}) }, "random_bits", [t, key!], params, { threads: keys * (half + odd), group: THREADS });
    return t;
  };
}
