// Metal reductions (msl/reduce.metal) and softmax / logsumexp
// (msl/softmax.metal): one threadgroup per output element, sized to the
// reduced length (32 to 256 threads), kept and reduced dims merged.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { bool, int32, type DType } from "../../src/dtype.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { ArgReduce, LogSumExp, Reduce, Softmax } from "../../src/primitives/reduce.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { computeType, mslType } from "./msl-types.js";

const INIT: Record<string, [string, string]> = {
  float: ["-INFINITY", "INFINITY"],
  int: ["(-2147483647 - 1)", "2147483647"],
  uint: ["0u", "0xffffffffu"],
};

function reduceLibrary(d: DType): LibraryKey {
  const sumType = d === bool ? int32 : d;
  return {
    file: "reduce",
    variant: d.name,
    defines: () => ({
      T: mslType(d),
      V: computeType(d),
      S: mslType(sumType),
      SA: computeType(sumType),
      MAX_INIT: INIT[computeType(d)]![0],
      MIN_INIT: INIT[computeType(d)]![1],
    }),
  };
}

/** Kept and reduced dims of `x` merged: [nOut, R, kdims, rdims, kshape, kstrides, rshape, rstrides, offset, ...extra strides]. */
function segments(x: Tensor, axes: readonly number[], outStrides?: readonly number[]): { words: number[]; nOut: number; R: number } {
  const kept = [...x.shape.keys()].filter((d) => !axes.includes(d));
  const strideSets = (dims: number[]) => [dims.map((d) => x.strides[d]!), ...(outStrides ? [dims.map((d) => outStrides[d]!)] : [])];
  const k = collapseDims(kept.map((d) => x.shape[d]!), strideSets(kept));
  const r = collapseDims(axes.map((d) => x.shape[d]!), strideSets([...axes]));
  const nOut = kept.reduce((p, d) => p * x.shape[d]!, 1);
  const R = axes.reduce((p, d) => p * x.shape[d]!, 1);
  const words = [nOut, R, k.shape.length, r.shape.length, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!, x.offset];
  if (outStrides) words.push(...k.strides[1]!, ...r.strides[1]!);
  return { words, nOut, R };
}

/** Threads per threadgroup for a segment of R elements: a multiple of 32, at most 256. */
function groupSize(R: number): number {
  return Math.min(256, Math.max(32, Math.ceil(R / 32) * 32));
}

export function reduceKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out: OutputSpec) => {
    const p = prim as Reduce | ArgReduce;
    const axes = "axes" in p ? p.axes : [p.axis];
    const { words, nOut, R } = segments(x!, axes);
    const isArg = p.name === "argmax" || p.name === "argmin";
    const t = metal.allocOutput(out);
    if (nOut === 0) return t;
    if (isArg && R === 0) throw new Error(`[${p.name}] cannot reduce an empty axis (input shape [${x!.shape.join(", ")}])`);
    const tg = groupSize(R);
    metal.dispatch(p.name, metal.pipeline(reduceLibrary(x!.dtype), `reduce_${p.name}`), [t, x!], Int32Array.from(words), [nOut * tg], [tg]);
    return t;
  };
}

function softmaxLike(metal: MetalBackend, op: "softmax" | "logsumexp", x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const { words, nOut, R } = segments(x, axes, rowMajorStrides(x.shape));
  const t = metal.allocOutput(out);
  // logsumexp of an empty segment is -inf (the kernel writes it); softmax of one has no elements
  if (nOut === 0 || (R === 0 && op === "softmax")) return t;
  const tg = groupSize(R);
  const lib: LibraryKey = { file: "softmax", variant: x.dtype.name, defines: () => ({ T: mslType(x.dtype) }) };
  metal.dispatch(op, metal.pipeline(lib, op), [t, x], Int32Array.from(words), [nOut * tg], [tg]);
  return t;
}

export function softmaxKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out) => softmaxLike(metal, "softmax", x!, (prim as Softmax).axes, out);
}

export function logsumexpKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out) => softmaxLike(metal, "logsumexp", x!, (prim as LogSumExp).axes, out);
}
