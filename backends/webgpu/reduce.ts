// WebGPU reductions through wgsl/reduce.wgsl: sum/prod/max/min/all/any and
// argmax/argmin, one workgroup per output element (long segments of few
// outputs split into chunks folded by a second pass), f32/i32/u32 accumulators
// (NaN-propagating max/min, first NaN for arg-reductions, NumPy's rules);
// outputs narrower than 32 bits are cast from a 32-bit result.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { float32, int32, uint32, type DType } from "../../src/dtype.js";
import type { ArgReduce, Reduce } from "../../src/primitives/reduce.js";
import type { WebGpuBackend } from "./backend.js";
import { computeType, inputDecl, type ComputeType } from "./codegen.js";
import { castResult } from "./elementwise.js";

const WORD_DTYPE: Record<ComputeType, DType> = { f32: float32, i32: int32, u32: uint32 };

/** A chunk gives each of a workgroup's 256 invocations at least 64 elements (fewer barriers per element). */
const MIN_CHUNK = 256 * 64;
/** Chunks over all outputs are capped at about this many workgroups. */
const TARGET_WORKGROUPS = 2048;

/** Chunks per segment: one, or for long segments of few outputs enough to spread them over the GPU. */
function chunksFor(nOut: number, R: number): number {
  return Math.max(1, Math.min(Math.ceil(R / MIN_CHUNK), Math.floor(TARGET_WORKGROUPS / nOut)));
}

/** params for wgsl/reduce.wgsl. */
function reduceParams(x: Tensor, axes: readonly number[], chunksOf: (nOut: number, R: number) => number): { params: Uint32Array; nOut: number; chunks: number } {
  const kept = [...x.shape.keys()].filter((d) => !axes.includes(d));
  const k = collapseDims(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!)]);
  const r = collapseDims(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!)]);
  const nOut = kept.reduce((p, d) => p * x.shape[d]!, 1);
  const R = axes.reduce((p, d) => p * x.shape[d]!, 1);
  const chunks = chunksOf(nOut, R);
  const chunkLen = Math.ceil(R / chunks);
  const words = [nOut, R, k.shape.length, r.shape.length, chunks, chunkLen, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!, x.offset];
  return { params: Uint32Array.from(words, (w) => w >>> 0), nOut, chunks };
}

interface Fold {
  init: string;
  fold: string;
}

function foldFor(op: string, t: ComputeType): Fold {
  const zero = t === "f32" ? "0.0" : t === "i32" ? "0" : "0u";
  const one = t === "f32" ? "1.0" : t === "i32" ? "1" : "1u";
  switch (op) {
    case "sum":
      return { init: zero, fold: "a + b" };
    case "prod":
      return { init: one, fold: "a * b" };
    case "max":
      return t === "f32" ? { init: "-inf_f32()", fold: "maximum_f(a, b)" } : { init: t === "i32" ? "-2147483647 - 1" : "0u", fold: "max(a, b)" };
    case "min":
      return t === "f32" ? { init: "inf_f32()", fold: "minimum_f(a, b)" } : { init: t === "i32" ? "2147483647" : "4294967295u", fold: "min(a, b)" };
    case "all":
      return { init: "1u", fold: "a & b" };
    case "any":
      return { init: "0u", fold: "a | b" };
  }
  throw new Error(`[${op}] is not a reduction`);
}

function betterFor(op: string, v: ComputeType): string {
  const cmp = op === "argmax" ? ">" : "<";
  const tie = `(x == y && xi < yi)`;
  if (v !== "f32") return `(x ${cmp} y) || ${tie}`;
  return `(is_nan(x) && (!is_nan(y) || xi < yi)) || (!is_nan(x) && !is_nan(y) && ((x ${cmp} y) || ${tie}))`;
}

function runReduce(gpu: WebGpuBackend, op: string, x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const isArg = op === "argmax" || op === "argmin";
  const v = computeType(x.dtype);
  const t = isArg ? "u32" : op === "all" || op === "any" ? "u32" : computeType(out.dtype);
  const word = isArg ? uint32 : WORD_DTYPE[t];
  // arg-reductions carry (value, index) pairs that a word of partials cannot hold: one pass
  const { params, nOut, chunks } = reduceParams(x, axes, isArg ? () => 1 : chunksFor);
  const res = gpu.allocOutput({ shape: chunks > 1 ? [nOut, chunks] : out.shape, dtype: word });
  if (nOut > 0) {
    const f = isArg ? { init: "0u", fold: "a" } : foldFor(op, t);
    const lift = op === "all" || op === "any" ? "select(0u, 1u, v != 0u)" : v === t ? "v" : `${t}(v)`;
    gpu.run(
      {
        op,
        file: "reduce",
        helpers: ["dtypes", "math", "strided"],
        key: `${op},${x.dtype.name},${t}`,
        slots: () => ({
          INPUT: inputDecl(0, 2, x.dtype),
          V: v,
          T: t,
          LIFT: lift,
          INIT: f.init,
          FOLD: f.fold,
          ISARG: String(isArg),
          BETTER: isArg ? betterFor(op, v) : "false",
          STORE: t === "u32" ? "r" : "bitcast<u32>(r)",
        }),
      },
      gpu.gpuBuffer(res),
      params,
      [gpu.gpuBuffer(x)],
      nOut * chunks,
    );
  }
  if (chunks > 1) {
    // fold the partials of each output (all/any partials are 0/1 words, folded as any/all of uint32)
    const folded = runReduce(gpu, op, res, [1], out);
    gpu.release(res.buffer);
    return folded;
  }
  return castResult(gpu, res, out);
}

export function reduceKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => {
    const p = prim as Reduce | ArgReduce;
    return runReduce(gpu, p.name, x!, "axes" in p ? p.axes : [p.axis], out);
  };
}
