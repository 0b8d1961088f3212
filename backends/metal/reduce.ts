// Metal reductions (msl/reduce.metal) and softmax / logsumexp
// (msl/softmax.metal), kept and reduced dims merged. Segments of at most 64
// elements get one thread per output element; medium ones of many outputs a
// group of 4 to 32 threads per output element (groups_<op>); longer ones, or
// those of few outputs, one threadgroup per output element, sized to the
// reduced length (32 to 256 threads); long
// segments of few outputs are split into chunks whose partials (in the
// accumulator type) a second reduction folds, as MLX's all-reduce does.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { bool, complex64, float32, int32, int64, sumDType, uint32, uint64, type DType } from "../../src/dtype.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { ArgReduce, LogSumExp, Reduce, Softmax } from "../../src/primitives/reduce.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { computeType, mslType } from "./msl-types.js";
import { THREADS, castResult } from "./elementwise.js";

export const INIT: Record<string, [string, string]> = {
  float: ["-INFINITY", "INFINITY"],
  int: ["(-2147483647 - 1)", "2147483647"],
  uint: ["0u", "0xffffffffu"],
  long: ["(-9223372036854775807l - 1l)", "9223372036854775807l"],
  ulong: ["0ul", "18446744073709551615ul"],
};

/** The reduce library for inputs of `d` whose sums and products give `sumType` (the input's dtype, int32 for bool, or a wider one: Reduce's dtype). */
export function reduceLibrary(d: DType, sumType?: DType): LibraryKey {
  const natural = sumDType(d);
  sumType ??= natural;
  // complex64: sum and prod only (the other reductions refuse it, complex.ts); float2 spelled cfloat for threadgroup arrays
  if (d === complex64) {
    return { file: "reduce", variant: d.name, defines: () => ({ T: "cfloat", V: "cfloat", S: "cfloat", SA: "cfloat", COMPLEX: "1", SA_ONE: "float2(1.0f, 0.0f)" }) };
  }
  return {
    file: "reduce",
    variant: sumType === natural ? d.name : `${d.name}-to-${sumType.name}`,
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

/**
 * Kept and reduced dims of `x` merged: [nOut, R, kdims, rdims, (chunks,
 * chunk length,) kshape, kstrides, rshape, rstrides, offset, ...extra strides].
 */
function segments(x: Tensor, axes: readonly number[], outStrides?: readonly number[], chunksOf?: (nOut: number, R: number) => number): { words: number[]; nOut: number; R: number; chunks: number } {
  const kept = [...x.shape.keys()].filter((d) => !axes.includes(d));
  const strideSets = (dims: number[]) => [dims.map((d) => x.strides[d]!), ...(outStrides ? [dims.map((d) => outStrides[d]!)] : [])];
  const k = collapseDims(kept.map((d) => x.shape[d]!), strideSets(kept));
  const r = collapseDims(axes.map((d) => x.shape[d]!), strideSets([...axes]));
  const nOut = kept.reduce((p, d) => p * x.shape[d]!, 1);
  const R = axes.reduce((p, d) => p * x.shape[d]!, 1);
  const chunks = chunksOf ? chunksOf(nOut, R) : 1;
  const chunkWords = chunksOf ? [chunks, Math.ceil(R / chunks)] : [];
  const words = [nOut, R, k.shape.length, r.shape.length, ...chunkWords, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!, x.offset];
  if (outStrides) words.push(...k.strides[1]!, ...r.strides[1]!);
  return { words, nOut, R, chunks };
}

/** Segments this long or shorter get a thread per output element (no threadgroup memory or barriers). */
export const SEGMENT_THREAD_MAX = 64;

/**
 * Segments longer than SEGMENT_THREAD_MAX and at most this long, of at least
 * GROUPED_MIN_OUTPUTS outputs, get a group of threads per output (groups_<op>);
 * the A/B switch: 64 gives them a threadgroup each.
 */
export const GROUPED_SEGMENT_MAX = 1024;
/** Outputs a reduction needs for the grouped kernel (fewer: a threadgroup each spreads better). */
export const GROUPED_MIN_OUTPUTS = 1024;
/** Elements a lane of the grouped kernel folds, about (its group: 4 to 32 lanes). */
const ELEMENTS_PER_LANE = 16;

/** Lanes per output of groups_<op> for segments of R elements: a power of two, 4 to 32. */
function lanesFor(R: number): number {
  return Math.min(32, Math.max(4, 2 ** Math.ceil(Math.log2(Math.ceil(R / ELEMENTS_PER_LANE)))));
}

/**
 * Lanes per output where `nOut` segments of R elements (in `chunks` chunks)
 * go to groups_<op> (medium segments, many outputs, one chunk), else 0;
 * compile's fused reductions fold in the same order where it applies.
 */
export function groupedLanes(nOut: number, R: number, chunks: number): number {
  return chunks === 1 && R > SEGMENT_THREAD_MAX && R <= GROUPED_SEGMENT_MAX && nOut >= GROUPED_MIN_OUTPUTS ? lanesFor(R) : 0;
}

/** Elements a threadgroup folds at least before a segment is split into chunks. */
const MIN_CHUNK = 256 * 64;
/** Chunks over all outputs are capped at about this many threadgroups. */
const TARGET_GROUPS = 1024;

export function chunksFor(nOut: number, R: number): number {
  return Math.max(1, Math.min(Math.ceil(R / MIN_CHUNK), Math.floor(TARGET_GROUPS / Math.max(1, nOut))));
}

export const ACC_DTYPE = { float: float32, int: int32, uint: uint32, long: int64, ulong: uint64, float2: complex64 } as const;

/** Threads per threadgroup for a segment of R elements: a multiple of 32, at most 256. */
export function groupSize(R: number): number {
  return Math.min(256, Math.max(32, Math.ceil(R / 32) * 32));
}

function runReduce(metal: MetalBackend, op: string, x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const isArg = op === "argmax" || op === "argmin";
  const sumLike = op === "sum" || op === "prod";
  const lib = reduceLibrary(x.dtype, sumLike ? out.dtype : undefined);
  const R = axes.reduce((p, d) => p * x.shape[d]!, 1);
  if (isArg && R >= 2 ** 32) throw new Error(`[${op}] cannot reduce ${R} elements: its uint32 result indexes at most 2^32 - 1 (input shape [${x.shape.join(", ")}])`);
  if (R <= SEGMENT_THREAD_MAX) {
    const { words, nOut } = segments(x, axes, undefined, () => 1);
    if (isArg && R === 0 && nOut > 0) throw new Error(`[${op}] cannot reduce an empty axis (input shape [${x.shape.join(", ")}])`);
    const t = metal.allocOutput(out);
    if (nOut > 0) metal.run(op, lib, `segments_${op}`, [t, x], words, { threads: nOut, group: THREADS });
    return t;
  }
  // arg-reductions carry (value, index) pairs that one partial cannot hold: one pass
  const { words, nOut, chunks } = segments(x, axes, undefined, isArg ? () => 1 : chunksFor);
  const lanes = groupedLanes(nOut, R, chunks);
  if (lanes) {
    const t = metal.allocOutput(out);
    metal.run(op, lib, `groups_${op}`, [t, x], [...words, lanes], { groups: Math.ceil(nOut / (THREADS / lanes)), group: THREADS });
    return t;
  }
  const tg = groupSize(Math.ceil(R / chunks));
  if (chunks === 1) {
    const t = metal.allocOutput(out);
    if (nOut > 0) metal.run(op, lib, `reduce_${op}`, [t, x], words, { groups: nOut, group: tg });
    return t;
  }
  // partials [nOut, chunks] in the accumulator type, folded by a second reduction (all/any partials are 0/1 words)
  const accType = op === "all" || op === "any" ? "uint" : computeType(sumLike ? out.dtype : x.dtype);
  const partial = metal.allocOutput({ shape: [nOut, chunks], dtype: ACC_DTYPE[accType] });
  metal.run(op, lib, `reduce_${op}_acc`, [partial, x], words, { groups: nOut * chunks, group: tg });
  const folded = runReduce(metal, op, partial, [1], { shape: out.shape, dtype: op === "all" || op === "any" ? bool : partial.dtype });
  metal.release(partial.buffer);
  return castResult(metal, folded, out);
}

export function reduceKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out: OutputSpec) => {
    const p = prim as Reduce | ArgReduce;
    return runReduce(metal, p.name, x!, "axes" in p ? p.axes : [p.axis], out);
  };
}

function softmaxLike(metal: MetalBackend, op: "softmax" | "logsumexp", x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const { words, nOut, R } = segments(x, axes, rowMajorStrides(x.shape));
  const t = metal.allocOutput(out);
  // logsumexp of an empty segment is -inf (the kernel writes it); softmax of one has no elements
  if (nOut === 0 || (R === 0 && op === "softmax")) return t;
  const tg = groupSize(R);
  const lib: LibraryKey = { file: "softmax", variant: x.dtype.name, defines: () => ({ T: mslType(x.dtype) }) };
  metal.run(op, lib, op, [t, x], words, { groups: nOut, group: tg });
  return t;
}

export function softmaxKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out) => softmaxLike(metal, "softmax", x!, (prim as Softmax).axes, out);
}

export function logsumexpKernel(metal: MetalBackend): Kernel {
  return (prim, [x], out) => softmaxLike(metal, "logsumexp", x!, (prim as LogSumExp).axes, out);
}
