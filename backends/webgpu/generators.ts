// WebGPU kernels that create data, bit-identical to the CPU reference: arange
// (wgsl/arange-float.wgsl rounds the exact float values of
// backends/arange-plan.ts; wgsl/arange.wgsl integers, wgsl/arange64.wgsl
// int64/uint64) and Threefry random bits for a batch of keys (wgsl/random.wgsl).

import type { Kernel } from "../backend.js";
import type { Arange } from "../../src/primitives/misc.js";
import { is64BitInt } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { computeType, elementsPerWord } from "./codegen.js";
import { integerArangeWords, keyLocationWords, randomBitsLayout } from "../cpu/generators.js";
import { arangePlanWords } from "../arange-plan.js";

export function arangeKernel(gpu: WebGpuBackend): Kernel {
  return (prim, _inputs, out) => {
    const p = prim as Arange;
    const t = gpu.allocOutput(out);
    const d = out.dtype, epw = elementsPerWord(d);
    if (p.count === 0) return t;
    if (is64BitInt(d)) {
      gpu.run({ op: "arange", file: "arange64", helpers: ["dtypes", "int64"], slots: {} }, gpu.gpuBuffer(t), arange64Words(p), [], Math.ceil(p.count / 256));
      return t;
    }
    const groups = Math.ceil(Math.ceil(p.count / epw) / 256);
    if (d.kind === "float") {
      const params = [p.count, ...arangePlanWords(p.start, p.step, p.count, d)];
      gpu.run({ op: "arange", file: "arange-float", helpers: ["dtypes", "int64"], slots: { EPW: epw, BITS: 32 / epw } }, gpu.gpuBuffer(t), params, [], groups);
      return t;
    }
    const slots = { T: computeType(d), EPW: epw, BITS: 32 / epw, PACK: `pack_${d.name}` };
    gpu.run({ op: "arange", file: "arange", helpers: ["dtypes"], slots }, gpu.gpuBuffer(t), [p.count, ...integerArangeWords(p)], [], groups);
    return t;
  };
}

/**
 * params of wgsl/arange64.wgsl: the count, then start and step as 64-bit words
 * (low, high), the reference's integer terms (start and step truncated; a
 * one-element range has no step).
 */
function arange64Words(p: Arange): number[] {
  const first = BigInt.asUintN(64, BigInt(Math.trunc(p.start)));
  const step = p.count > 1 ? BigInt.asUintN(64, BigInt(Math.trunc(p.step))) : 0n;
  const words = (v: bigint) => [Number(v & 0xffffffffn), Number(v >> 32n)];
  return [p.count, ...words(first), ...words(step)];
}

export function randomBitsKernel(gpu: WebGpuBackend): Kernel {
  return (_prim, [key], out) => {
    const t = gpu.allocOutput(out);
    const { keys, bytesPerKey, words, half, odd } = randomBitsLayout(key!, out);
    if (keys * bytesPerKey === 0) return t;
    // one key, or runs of whole words: one invocation per (key, counter); else one per output word
    const layout = keys === 1 ? 0 : bytesPerKey % 4 === 0 ? 1 : 2;
    const outWords = Math.ceil((keys * bytesPerKey) / 4);
    const params = [keys, words, half, odd, bytesPerKey, outWords, ...keyLocationWords(key!)];
    const invocations = layout < 2 ? keys * (half + odd) : outWords;
    gpu.run({ op: "randomBits", file: "random", helpers: [], slots: { LAYOUT: layout } }, gpu.gpuBuffer(t), params, [gpu.gpuBuffer(key!)], Math.ceil(invocations / 256));
    return t;
  };
}
