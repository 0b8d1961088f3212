// Metal scans through msl/scan.metal: short lines, or many lines shorter than
// half a tile, get a thread each; the others a threadgroup per tile of 2048
// elements, and when
// a line has several tiles their totals are scanned (exclusively, by the same
// kernels, recursively) and combined back into the tiles. Accumulates in
// float/int/uint/long/ulong (complex64: float2, sums and products only);
// narrower output dtypes are cast afterwards (integers wrap).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { complex64, float32, int32, int64, intRange, uint32, uint64, type DType } from "../../src/dtype.js";
import type { Scan, ScanOp } from "../../src/primitives/scan.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { MetalBackend } from "./backend.js";
import type { LibraryKey } from "./library.js";
import { computeType, mslType, type ComputeType } from "./msl-types.js";
import { THREADS, castResult } from "./elementwise.js";

const WORD_DTYPE: Record<ComputeType, DType> = { float: float32, int: int32, uint: uint32, long: int64, ulong: uint64, float2: complex64 };

/** Identities of 64-bit accumulators (their limits are not JS numbers): sum, prod, max's (the lowest), min's (the highest). */
const IDENTITY_64: Record<"long" | "ulong", Record<"sum" | "prod" | "max" | "min", string>> = {
  long: { sum: "0l", prod: "1l", max: "(-9223372036854775807l - 1l)", min: "9223372036854775807l" },
  ulong: { sum: "0ul", prod: "1ul", max: "0ul", min: "18446744073709551615ul" },
};
/** The op a user calls for each running op (for errors). */
const SCAN_NAMES: Record<ScanOp, string> = { sum: "cumsum", prod: "cumprod", max: "cummax", min: "cummin", logaddexp: "logcumsumexp" };
/** Elements of a line one threadgroup scans (msl/scan.metal TILE). */
const TILE = 2048;
/** Lines this short or shorter get one thread each. */
const LINE_THREAD_MAX = 16;
/** This many lines or more, each shorter than half a tile (which would sit mostly idle), also get one thread each. */
const MANY_LINES = 4096;

/** The exclusive scan's first value in accumulator `a`, within `d`'s range (cummax of int8 starts at -128, as the cpu). */
function identityFor(op: ScanOp, a: ComputeType, d: DType): string {
  if (a === "float2") {
    // complex64: running sums and products only (MLX orders no running extreme of complex numbers)
    if (op === "sum") return "float2(0.0f, 0.0f)";
    if (op === "prod") return "float2(1.0f, 0.0f)";
    throw new Error(`[${SCAN_NAMES[op]}] is not implemented on backend 'metal' for complex64`);
  }
  if ((a === "long" || a === "ulong") && op !== "logaddexp") return IDENTITY_64[a][op];
  const lit = (v: number) => (a === "float" ? `${v}.0f` : a === "uint" ? `${v}u` : v === -(2 ** 31) ? "(-2147483647 - 1)" : `${v}`);
  if (op === "sum") return lit(0);
  if (op === "prod") return lit(1);
  if (op === "logaddexp") return "(-INFINITY)";
  if (a === "float") return op === "max" ? "(-INFINITY)" : "INFINITY";
  const [lo, hi] = d.kind === "bool" ? [0, 1] : intRange(d);
  return lit(op === "max" ? lo : hi);
}

function scanLibrary(op: ScanOp, input: DType, a: ComputeType, range: DType): LibraryKey {
  const identity = identityFor(op, a, range);
  return {
    file: "scan",
    variant: `${input.name}-${op}-${a}-${identity.replace(/[^\w-]/g, "")}`,
    // complex64 accumulates in cfloat (common.metal's name of float2: a plain type name declares the threadgroup tile)
    defines: () => ({ T: mslType(input), V: computeType(input), A: a === "float2" ? "cfloat" : a, COMBINE: `op_${op}`, IDENTITY: identity }),
  };
}

/** params of msl/scan.metal for `x`'s lines along `axis` (the output row-major). */
function scanParams(x: Tensor, axis: number, tiles: number, reverse: boolean, inclusive: boolean): { words: number[] } {
  const outStrides = rowMajorStrides(x.shape);
  const keptDims = [...x.shape.keys()].filter((d) => d !== axis);
  const k = collapseDims(keptDims.map((d) => x.shape[d]!), [keptDims.map((d) => x.strides[d]!), keptDims.map((d) => outStrides[d]!)]);
  const n = x.shape[axis]!;
  const lines = keptDims.reduce((p, d) => p * x.shape[d]!, 1);
  const words = [n, lines, tiles, k.shape.length, x.strides[axis]!, outStrides[axis]!, x.offset, reverse ? 1 : 0, inclusive ? 1 : 0, ...k.shape, ...k.strides[0]!, ...k.strides[1]!];
  return { words };
}

/** The scan of `x` along `axis` in accumulator type `a`, row-major in `x`'s shape; `range` bounds the identity. */
function scanWords(metal: MetalBackend, op: ScanOp, x: Tensor, axis: number, reverse: boolean, inclusive: boolean, a: ComputeType, range: DType): Tensor {
  const n = x.shape[axis]!;
  const lines = x.shape.reduce((p, d, i) => (i === axis ? p : p * d), 1);
  const perLine = n <= LINE_THREAD_MAX || (n < TILE / 2 && lines >= MANY_LINES);
  const tiles = perLine ? 1 : Math.ceil(n / TILE);
  const { words } = scanParams(x, axis, tiles, reverse, inclusive);
  const res = metal.allocOutput({ shape: x.shape, dtype: WORD_DTYPE[a] });
  if (n * lines === 0) return res;
  const lib = scanLibrary(op, x.dtype, a, range);
  const name = `scan(${op})`;
  if (perLine) {
    metal.run(name, lib, "scan_lines", [res, x], words, { threads: lines, group: THREADS });
    return res;
  }
  const totals = tiles > 1 ? metal.allocOutput({ shape: [lines, tiles], dtype: WORD_DTYPE[a] }) : res;
  metal.run(name, lib, "scan_tile", [res, x, totals], words, { groups: lines * tiles, group: 256 });
  if (tiles === 1) return res;
  const prefix = scanWords(metal, op, totals, 1, false, false, a, range);
  metal.release(totals.buffer);
  metal.run(name, scanLibrary(op, WORD_DTYPE[a], a, range), "scan_fixup", [res, prefix], words, { groups: lines * tiles, group: 256 });
  metal.release(prefix.buffer);
  return res;
}

export function scanKernel(metal: MetalBackend): Kernel {
  return (prim, [x], spec: OutputSpec) => {
    const p = prim as Scan;
    const words = scanWords(metal, p.op, x!, p.axis, p.reverse, p.inclusive, computeType(spec.dtype), spec.dtype);
    return castResult(metal, words, spec);
  };
}
