// WebGPU scans through wgsl/scan.wgsl: short lines, or many lines shorter than
// half a tile, get an invocation each; the others a workgroup per tile of 2048
// elements, and when a line has several tiles their totals are taken first,
// scanned (exclusively, by the same code, recursively), and every tile is
// scanned again with its prefix as it is written: a reduce-then-scan
// multi-pass scan (the input read twice, the output written once). Accumulates in f32/i32/u32 words
// (i64/u64 word pairs for int64/uint64, wgsl/int64.wgsl; vec2<f32> pairs for
// complex64 cumsum and cumprod, wgsl/complex.wgsl); narrower output dtypes are
// cast from them afterwards (integers wrap, as the cpu's).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { complex64, float32, int32, int64, intRange, uint32, uint64, type DType } from "../../src/dtype.js";
import type { Scan, ScanOp } from "../../src/primitives/scan.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { computeType, helpersFor, inputDecl, type ComputeType } from "./codegen.js";
import { castResult } from "./elementwise.js";

const WORD_DTYPE: Record<ComputeType, DType> = { f32: float32, i32: int32, u32: uint32, i64: int64, u64: uint64, c64: complex64 };
/** Elements of a line one workgroup scans (wgsl/scan.wgsl TILE). */
const TILE = 2048;
/** Lines this short or shorter get one invocation each. */
const LINE_INVOCATION_MAX = 16;
/** This many lines or more, each shorter than half a tile (which would sit mostly idle), also get one invocation each. */
const MANY_LINES = 4096;

/** Whether each line gets one invocation (wgsl/scan.wgsl mode 2) rather than a workgroup per tile. */
function invocationPerLine(n: number, lines: number): boolean {
  return n <= LINE_INVOCATION_MAX || (n < TILE / 2 && lines >= MANY_LINES);
}

function combineFor(op: ScanOp, t: ComputeType): string {
  if (t === "i64" || t === "u64") return combine64(op, t);
  if (t === "c64") return op === "prod" ? "c_mul(a, b)" : "a + b";
  switch (op) {
    case "sum":
      return "a + b";
    case "prod":
      return "a * b";
    case "max":
      // a the earlier part, b the later: b wins a tie (+-0), MLX's cpu rule; the first NaN stays (maximum_f keeps a)
      return t === "f32" ? "select(b, a, is_nan(a) | f32_lt(b, a))" : "max(a, b)";
    case "min":
      return t === "f32" ? "minimum_f(a, b)" : "min(a, b)";
    case "logaddexp":
      return "mx_logaddexp(a, b)";
  }
}

/** The combines of int64/uint64 accumulators (wgsl/int64.wgsl). */
function combine64(op: ScanOp, t: "i64" | "u64"): string {
  switch (op) {
    case "sum":
      return "w64_add(a, b)";
    case "prod":
      return "w64_mul(a, b)";
    case "max":
      return `select(b, a, ${t}_le(b, a))`;
    case "min":
      return `select(b, a, ${t}_le(a, b))`;
    case "logaddexp":
      throw new Error(`[logcumsumexp] is not defined for ${t === "i64" ? "int64" : "uint64"} accumulators`);
  }
}

/** The int64/uint64 identities: 0, 1, and the dtype's limits for max and min. */
function identity64(op: ScanOp, t: "i64" | "u64"): string {
  if (op === "sum") return "vec2u(0u, 0u)";
  if (op === "prod") return "vec2u(1u, 0u)";
  const signed = t === "i64";
  if (op === "max") return signed ? "vec2u(0u, 0x80000000u)" : "vec2u(0u, 0u)";
  return signed ? "vec2u(0xffffffffu, 0x7fffffffu)" : "vec2u(0xffffffffu, 0xffffffffu)";
}

/** The exclusive scan's first value, in `t`, within `d`'s range (cummax of int8 starts at -128, as the cpu). */
function identityFor(op: ScanOp, t: ComputeType, d: DType): string {
  if (t === "i64" || t === "u64") return identity64(op, t);
  if (t === "c64") return op === "prod" ? "vec2<f32>(1.0, 0.0)" : "vec2<f32>(0.0, 0.0)";
  const lit = (v: number) => (t === "f32" ? `${v}.0` : t === "u32" ? `${v}u` : v === -(2 ** 31) ? "(-2147483647 - 1)" : `${v}`);
  if (op === "sum") return lit(0);
  if (op === "prod") return lit(1);
  if (op === "logaddexp") return "-inf_f32()";
  if (t === "f32") return op === "max" ? "-inf_f32()" : "inf_f32()";
  const [lo, hi] = d.kind === "bool" ? [0, 1] : intRange(d);
  return lit(op === "max" ? lo : hi);
}

interface Lines {
  n: number;
  lines: number;
  /** params words from index 10: kept shape, kept input strides, kept output strides. */
  kept: number[];
  nk: number;
}

/** `x`'s lines along `axis`: every dim but the axis merged where they can be, with the row-major output's strides. */
function linesOf(x: Tensor, axis: number): Lines {
  const outStrides = rowMajorStrides(x.shape);
  const keptDims = [...x.shape.keys()].filter((d) => d !== axis);
  const k = collapseDims(keptDims.map((d) => x.shape[d]!), [keptDims.map((d) => x.strides[d]!), keptDims.map((d) => outStrides[d]!)]);
  const lines = keptDims.reduce((p, d) => p * x.shape[d]!, 1);
  return { n: x.shape[axis]!, lines, kept: [...k.shape, ...k.strides[0]!, ...k.strides[1]!], nk: k.shape.length };
}

/**
 * The scan of `x` along `axis` as words of accumulator type `t`, row-major in
 * `x`'s shape; `range` is the output dtype whose limits bound the identity.
 */
function scanWords(gpu: WebGpuBackend, op: ScanOp, x: Tensor, axis: number, reverse: boolean, inclusive: boolean, t: ComputeType, range: DType): Tensor {
  const L = linesOf(x, axis);
  const total = L.n * L.lines;
  const word = WORD_DTYPE[t];
  const wide = t === "i64" || t === "u64";
  const perLine = invocationPerLine(L.n, L.lines);
  const tiles = perLine ? 1 : Math.ceil(L.n / TILE);
  // a line of several tiles: the tiles' totals follow the output in the same buffer
  const res = gpu.allocOutput({ shape: [total + (tiles > 1 ? L.lines * tiles : 0)], dtype: word });
  const out: Tensor = { ...res, shape: x.shape, strides: rowMajorStrides(x.shape) };
  if (total === 0) return out;
  const axisOutStride = rowMajorStrides(x.shape)[axis]!;
  const params = [L.n, L.lines, tiles, L.nk, x.strides[axis]!, axisOutStride, x.offset, total, reverse ? 1 : 0, inclusive ? 1 : 0, ...L.kept];
  const v = computeType(x.dtype);
  const slots = (mode: number, input: DType, inType: ComputeType) => ({
    MODE: String(mode),
    INPUT: inputDecl(0, 2, input),
    PREFIX: mode === 4 ? inputDecl(1, 3, word) : `fn load_1(e: u32) -> ${t} { return identity(); }`,
    V: inType,
    T: t,
    LIFT: inType === t ? "v" : `${t}(v)`,
    COMBINE: combineFor(op, t),
    IDENTITY: identityFor(op, t, range),
    STORE: wide ? "out_words[2u * i] = r.x; out_words[2u * i + 1u] = r.y;" : t === "c64" ? "out_words[2u * i] = bitcast<u32>(r.x); out_words[2u * i + 1u] = bitcast<u32>(r.y);" : `out_words[i] = ${t === "u32" ? "r" : "bitcast<u32>(r)"};`,
  });
  const kernel = (mode: number, input: DType, inType: ComputeType) => ({
    op: `scan(${op})`,
    file: "scan",
    helpers: helpersFor([input, word], ["math", "strided"]),
    key: `${mode},${op},${input.name},${t},${identityFor(op, t, range)}`,
    slots: () => slots(mode, input, inType),
  });
  if (perLine) {
    gpu.run(kernel(2, x.dtype, v), gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], Math.ceil(L.lines / 256));
    return out;
  }
  if (tiles === 1) {
    gpu.run(kernel(0, x.dtype, v), gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], L.lines);
    return out;
  }
  // several tiles a line: the tiles' totals, their exclusive scan, then every tile scanned again with its prefix
  gpu.run(kernel(3, x.dtype, v), gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], L.lines * tiles);
  const totals: Tensor = { buffer: res.buffer, dtype: word, shape: [L.lines, tiles], strides: [tiles, 1], offset: total };
  const prefix = scanWords(gpu, op, totals, 1, false, false, t, range);
  gpu.run(kernel(4, x.dtype, v), gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x), gpu.gpuBuffer(prefix)], L.lines * tiles);
  gpu.release(prefix.buffer);
  return out;
}

export function scanKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], spec: OutputSpec) => {
    const p = prim as Scan;
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (n >= 2 ** 31) throw new RangeError(`[scan] cannot scan ${n} elements on webgpu: its kernels index with 32-bit words (input shape [${x!.shape.join(", ")}])`);
    const t = computeType(spec.dtype);
    // complex64 has running sums and products only (MLX orders it for nothing else here)
    if (t === "c64" && p.op !== "sum" && p.op !== "prod") throw new Error(`[${prim.errorName}] is not implemented on backend 'webgpu' for complex64 (scan ${p.op})`);
    const words = scanWords(gpu, p.op, x!, p.axis, p.reverse, p.inclusive, t, spec.dtype);
    return castResult(gpu, words, spec);
  };
}
