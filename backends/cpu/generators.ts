// CPU kernels that create data from parameters: arange (float64 value
// rounded once; integers exact in the dtype's wrapping arithmetic) and
// Threefry random bits in MLX's layout.

import type { Backend, Kernel } from "../backend.js";
import type { Arange } from "../../src/primitives/misc.js";
import { threefryBytes } from "../../src/threefry.js";
import { castExpr } from "./elementwise.js";
import { H } from "./math.js";
import { allocOutput, wordsOf, type CpuBuffer } from "./tensor.js";
import { float64, type DType } from "../../src/dtype.js";
import { scalarWord } from "../scalar-word.js";

/** The first element and step of an integer arange (the op gives integral ones, MLX's terms); a one-element range has no step. */
function integerTerms(p: Arange): { first: bigint; step: bigint } {
  return { first: BigInt(Math.trunc(p.start)), step: p.count > 1 ? BigInt(Math.trunc(p.step)) : 0n };
}

/** Elements start + i * step of an integer arange in the dtype's wrapping arithmetic. */
function integerArange(p: Arange, words: (number | bigint)[]): void {
  const bits = p.dtype.size * 8;
  const wrap = (v: bigint) => (p.dtype.kind === "int" ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
  const { first, step } = integerTerms(p);
  if (bits === 64) {
    for (let i = 0; i < p.count; i++) words[i] = wrap(first + BigInt(i) * step);
    return;
  }
  // 32 bits and narrower: Math.imul wraps the product exactly, the typed-array store narrows
  const f = Number(BigInt.asIntN(32, first)), s = Number(BigInt.asIntN(32, step));
  for (let i = 0; i < p.count; i++) words[i] = (f + Math.imul(i, s)) | 0;
}

/**
 * arange's 32-bit kernel words for a GPU backend (dtypes of 32 bits or fewer):
 * [start, step, last] as the reference defines them (integers wrapped; floats
 * as float32 bits, the last element start + (count - 1) * step rounded once, as
 * this backend computes it), so a kernel that counts the upper half back from
 * the last element ends where the reference does.
 */
export function arangeWords(p: Arange, d: DType): [number, number, number] {
  if (d.kind === "float") {
    const step = p.count > 1 ? p.step : 0;
    return [scalarWord(p.start, d), scalarWord(step, d), scalarWord(p.count > 1 ? p.start + (p.count - 1) * p.step : p.start, d)];
  }
  const { first, step } = integerTerms(p);
  const word = (v: bigint) => Number(BigInt.asUintN(32, v));
  return [word(first), word(step), word(first + BigInt(Math.max(0, p.count - 1)) * step)];
}

export function arangeKernel(backend: Backend): Kernel {
  return (prim, _inputs, out) => {
    const p = prim as Arange;
    const { t, w } = allocOutput(backend, out);
    const words = w as unknown as (number | bigint)[];
    if (p.dtype.kind === "int" || p.dtype.kind === "uint") {
      integerArange(p, words);
      return t;
    }
    const conv = new Function("H", `return (a) => ${castExpr(float64, p.dtype)};`)(H) as (a: number) => number | bigint;
    // element 0 is start itself (an infinite step of a one-element range gives no NaN)
    for (let i = 0; i < p.count; i++) words[i] = conv(i === 0 ? p.start : p.start + i * p.step);
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
