// CPU kernels that create data from parameters: arange (float64 value
// rounded once; integers wrap like the dtype) and Threefry random bits in
// MLX's layout.

import type { Backend, Kernel } from "../backend.js";
import type { Arange } from "../../src/primitives/misc.js";
import { threefryBytes } from "../../src/threefry.js";
import { castExpr } from "./elementwise.js";
import { H } from "./math.js";
import { allocOutput, wordsOf, type CpuBuffer } from "./tensor.js";
import { float64 } from "../../src/dtype.js";

export function arangeKernel(backend: Backend): Kernel {
  return (prim, _inputs, out) => {
    const p = prim as Arange;
    const { t, w } = allocOutput(backend, out);
    const words = w as unknown as (number | bigint)[];
    if (p.dtype.kind === "int" || p.dtype.kind === "uint") {
      // integers wrap like the dtype's arithmetic (as MLX and NumPy): typed-array stores and asIntN reduce modulo 2^bits
      const big = p.dtype.size === 8 ? (v: number) => (p.dtype.kind === "int" ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : BigInt.asUintN(64, BigInt(Math.trunc(v)))) : undefined;
      for (let i = 0; i < p.count; i++) words[i] = big ? big(p.start + i * p.step) : Math.trunc(p.start + i * p.step);
      return t;
    }
    const conv = new Function("H", `return (a) => ${castExpr(float64, p.dtype)};`)(H) as (a: number) => number | bigint;
    for (let i = 0; i < p.count; i++) words[i] = conv(p.start + i * p.step);
    return t;
  };
}

export function randomBitsKernel(backend: Backend): Kernel {
  return (_prim, [key], out) => {
    const { t } = allocOutput(backend, out);
    const kw = wordsOf(key!) as Uint32Array;
    const k0 = kw[key!.offset]!, k1 = kw[key!.offset + key!.strides[0]!]!;
    const bytes = threefryBytes(k0, k1, t.shape.reduce((s, d) => s * d, 1) * out.dtype.size);
    (t.buffer as CpuBuffer).block.raw(bytes.length).set(bytes);
    return t;
  };
}
