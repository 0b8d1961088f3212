// argmax/argmin and max/min of float rows that lie on whole quads of words, a
// group of lanes a row folded by subgroup operations (wgsl/arg-rows.wgsl,
// wgsl/max-rows.wgsl; max/min of short rows through arg-rows, maxShortRows),
// where the device has one subgroup size; and argmax/argmin of long
// segments as rows of their own (argSegments). On the
// H200 (2026-12-03, device time against the copy kernel, against the grouped
// and keyed kernels before): argmax of float32 rows of 256 / 512 / 1024 / 2048 /
// 4096 62 / 46 / 64 / 43 / 87% -> 75 / 97 / 101 / 101 / 101%, of float16 and
// bfloat16 rows of 512 / 1024 / 2048 / 4096 21 / 29 / 24 / 37% -> 54 / 71 /
// 81 / 78%; max/min where measured faster (MAX_ROWS_FROM).

import type { Tensor } from "../backend.js";
import { bfloat16, float16, float32, uint32, type DType } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { fixedSubgroupSize } from "./device.js";

/** The bits of +inf as the kernels' element bits x (16-bit elements in the high half). */
const INF: Record<string, string> = { float32: "0x7f800000", float16: "0x7c000000", bfloat16: "0x7f800000" };

/** Rows shorter than this many bytes keep the other kernels (segments.wgsl, reduce-groups.wgsl). */
const MIN_ROW_BYTES = 1024;

/**
 * max/min take, by default, the rows wgsl/reduce-groups.wgsl would fold (at
 * most 1024 elements, many rows: with its bits), and others longer than
 * MAX_ROWS_FROM elements and of at most MAX_ROWS_BYTES bytes. On the H200
 * (2026-12-03, device time against the copy kernel, alternating twice with
 * the kernels before): grouped float32 rows of 256 / 512 / 1024 77 / 66 / 81%
 * -> 79-81 / 99-100 / 101-102%, float16 and bfloat16 rows of 512 / 1024 29 /
 * 35% -> 53 / 67-69%; keyed float32 rows of 2048 / 4096 63 / 96% -> 103 /
 * 102%, float16 and bfloat16 rows of 2048 / 4096 / 8192 29 / 46 / 65% -> 76 /
 * 74 / 72%; float32 rows of 8192 the same (103%), longer rows slower
 * (float32 16384 104 -> 102%, 16-bit 82 -> 69%). Short rows of few outputs
 * (a workgroup each) were not measured.
 */
const MAX_ROWS_FROM = 1024;
const MAX_ROWS_BYTES = 16384;

/**
 * Lanes a row: one subgroup up to 256 quads a row (float32 rows of 1024,
 * float16 of 2048), two subgroups up to 512, four beyond (the fastest shapes
 * measured on the H200), never fewer than the device's subgroup.
 */
function rowLanes(quads: number, subgroup: number): number {
  return Math.max(subgroup, quads <= 256 ? 32 : quads <= 512 ? 64 : 128);
}

/** How the rows kernels take `x` (merged to [rows, R], each row contiguous), or undefined where they do not. */
interface RowsPlan {
  rows: number;
  lanes: number;
  subgroup: number;
  /** The kernel's steps of eight quads a lane, and whether they are exactly the row's quads. */
  steps: number;
  whole: boolean;
  params: number[];
  /** The slots both kernels share. */
  slots: Record<string, string | number>;
}

/**
 * Quads a lane of a short row (argRows, `short`) reads, about. H100, device time
 * against the copy kernel, argmax of [2097152, 32], quads a lane 1 / 2 / 4 /
 * 8: float32 30 / 82-83 / 90 / 87-88%, float16 45 / 67-68 / 82-83 / 82-83%
 * (wgsl/segments.wgsl before, an invocation a row: 86-87% and 77-78%;
 * bfloat16 72% -> 82-83% at 4).
 */
const SHORT_QUADS_PER_LANE = 4;

/** Lanes a short row of `quads` quads (fewer than MIN_ROW_BYTES): a power of two, about SHORT_QUADS_PER_LANE quads a lane, at most the subgroup. */
function shortRowLanes(quads: number, subgroup: number): number {
  return Math.min(subgroup, 2 ** Math.max(0, Math.floor(Math.log2(quads / SHORT_QUADS_PER_LANE))));
}

/**
 * The plan for `x`, or undefined where these kernels do not take it: not
 * float32/float16/bfloat16, rows not starting on 16 bytes or not a whole
 * number of quads, rows of fewer than MIN_ROW_BYTES (`short`: rows of fewer,
 * and of at least two quads), or a device without one subgroup size.
 */
function planRows(gpu: WebGpuBackend, x: Tensor, short = false): RowsPlan | undefined {
  const d: DType = x.dtype;
  if (x.shape.length !== 2 || x.strides[1] !== 1 || (d !== float32 && d !== float16 && d !== bfloat16)) return undefined;
  const subgroup = fixedSubgroupSize(gpu.ctx);
  if (!gpu.ctx.features.has("subgroups") || subgroup === undefined || ![4, 8, 16, 32, 64].includes(subgroup)) return undefined;
  const [rows, R] = x.shape as [number, number];
  const perQuad = 16 / d.size;
  if ((R * d.size < MIN_ROW_BYTES) !== short || R < 2 * perQuad || R % perQuad !== 0 || x.strides[0]! < 0 || x.strides[0]! % perQuad !== 0 || x.offset % perQuad !== 0) return undefined;
  const quads = R / perQuad;
  const lanes = short ? shortRowLanes(quads, subgroup) : rowLanes(quads, subgroup);
  const perWord = 4 / d.size;
  // the loop's trip count a constant (a kernel per count: few, rows of a model come in few lengths)
  const steps = Math.ceil(quads / (8 * lanes));
  const whole = quads === steps * 8 * lanes;
  const slots = {
    ROW_LANES: lanes,
    SUBGROUP: subgroup,
    STEPS: steps,
    WHOLE: String(whole),
    PER_WORD: perWord,
    INF: INF[d.name]!,
    TAKE_WORD: perWord === 1 ? "take(bitcast<i32>(w), e);" : "take(bitcast<i32>(w << 16u), e);\n  take(bitcast<i32>(w & 0xffff0000u), e + 1u);",
  };
  return { rows, lanes, subgroup, steps, whole, params: [rows, quads, x.strides[0]! / perQuad, x.offset / perQuad], slots };
}

/** What runRows passes beyond the plan: the kernel's own `slots` and the output's words. */
interface RowsCall {
  /** Keys the slots the op, dtype and plan do not fix. */
  variant?: string;
  /** Words a row (its [rows, rowWords] output), 1 by default. */
  rowWords?: number;
  /** Params after the plan's. */
  moreParams?: number[];
  /** Helpers after wgsl/row-quads.wgsl and wgsl/row-lanes.wgsl. */
  helpers?: string[];
}

/** Runs `file` for the plan into a new [rows] (or [rows, rowWords]) tensor of `dtype`. */
function runRows(gpu: WebGpuBackend, op: string, file: string, x: Tensor, plan: RowsPlan, dtype: DType, slots: Record<string, string | number>, { variant = "", rowWords = 1, moreParams = [], helpers = [] }: RowsCall = {}): Tensor {
  const out = gpu.allocOutput({ shape: rowWords === 1 ? [plan.rows] : [plan.rows, rowWords], dtype });
  if (plan.rows === 0) return out;
  const call: KernelCall = {
    op,
    file,
    helpers: ["row-quads", "row-lanes", ...helpers],
    key: `${op},${x.dtype.name},${plan.lanes},${plan.subgroup},${plan.steps},${plan.whole},${variant}`,
    slots: () => ({ ...plan.slots, ...slots }),
  };
  gpu.run(call, gpu.gpuBuffer(out), [...plan.params, ...moreParams], [gpu.gpuBuffer(x)], Math.ceil(plan.rows / (256 / plan.lanes)));
  return out;
}

/** A quiet NaN's bits as dtypes.wgsl's pack_<dtype> writes it (the sign apart), for 16-bit rows of arg-rows' VALUES. */
const QUIET_NAN: Record<string, string> = { float32: "0", float16: "0x7e00", bfloat16: "0x7fc0" };

/**
 * wgsl/arg-rows.wgsl's slots for argmax/argmin (`op`; max/min key as them)
 * of `d` rows, writing each row's index (`indices`), its key and index in its
 * segment (`pairs`) or its extreme element (`values`).
 */
function argRowsSlots(op: "argmax" | "argmin", d: DType, writes: "indices" | "pairs" | "values"): Record<string, string> {
  return { ARGKEY: op === "argmax" ? "t - s" : "s - t", PAIRS: String(writes === "pairs"), VALUES: String(writes === "values"), QUIET_NAN: QUIET_NAN[d.name]! };
}

/**
 * argmax/argmin (`op`) of the rows of `x` (merged to [rows, R]) as uint32
 * indices, or undefined where planRows does not take them; `short` rows
 * (fewer than MIN_ROW_BYTES, at least two quads) take a power of two lanes a
 * row within one subgroup, folded by subgroup shuffles.
 */
export function argRows(gpu: WebGpuBackend, op: "argmax" | "argmin", x: Tensor, short = false): Tensor | undefined {
  const plan = planRows(gpu, x, short);
  return plan && runRows(gpu, op, "arg-rows", x, plan, uint32, argRowsSlots(op, x.dtype, "indices"));
}

/**
 * The row length argSegments takes a segment of `R` elements of `d` as: the
 * largest of 2048 to 8192 elements, whole quads, of which R is an even
 * number (wgsl/arg-pairs.wgsl reads two rows' pairs at a time); undefined
 * where there is none. H100, device time against the copy kernel, argmax of
 * 64M elements as rows of 2048 / 4096 / 8192 / 16384 / 32768: float32 98 /
 * 98 / 97-98 / 95-96 / 93%, float16 83-84 / 84 / 83-84 / 73-74 / 80%.
 */
function segmentRowLength(R: number, d: DType): number | undefined {
  const perQuad = 16 / d.size;
  for (let c = 8192; c >= 2048; c -= perQuad) if (R % (2 * c) === 0) return c;
  return undefined;
}

/**
 * argmax/argmin (`op`) of merged `x` ([R] or [segments, R], its first `nk`
 * dims kept) whose segments are long, contiguous and back to back, as
 * uint32 indices: each segment taken as rows of its own by
 * wgsl/arg-rows.wgsl (PAIRS: each row's best key and first index), the rows'
 * pairs then folded by wgsl/arg-pairs.wgsl, a workgroup a segment. Undefined
 * where they are not taken so (planRows, segmentRowLength). H100, device
 * time against the copy kernel, argmax of 64M elements: float32 77% (the
 * chunks of wgsl/reduce-keys.wgsl) -> 90%, float16 57% -> 73-74%.
 */
export function argSegments(gpu: WebGpuBackend, op: "argmax" | "argmin", x: Tensor, nk: number): Tensor | undefined {
  if (nk > 1 || x.shape.length !== nk + 1 || x.strides[nk] !== 1) return undefined;
  const R = x.shape[nk]!;
  const segments = nk === 1 ? x.shape[0]! : 1;
  if (nk === 1 && x.strides[0] !== R && segments > 1) return undefined;
  const c = segmentRowLength(R, x.dtype);
  if (c === undefined) return undefined;
  const rows: Tensor = { ...x, shape: [segments * (R / c), c], strides: [c, 1] };
  const plan = planRows(gpu, rows);
  if (!plan) return undefined;
  const pairs = runRows(gpu, op, "arg-rows", rows, plan, uint32, argRowsSlots(op, x.dtype, "pairs"), { variant: "pairs", rowWords: 2, moreParams: [R / c] });
  const out = gpu.allocOutput({ shape: [segments], dtype: uint32 });
  gpu.run({ op, file: "arg-pairs", helpers: [], key: "", slots: {} }, gpu.gpuBuffer(out), [segments, R / c / 2], [gpu.gpuBuffer(pairs)], segments);
  gpu.release(pairs.buffer);
  return out;
}

/**
 * max/min (`op`) of the rows of `x` (merged to [rows, R]) as float32 words,
 * or float16/bfloat16 results packed two a word where `outDtype` is x's
 * 16-bit dtype (no cast dispatch after: H100, device time against the copy
 * kernel, [65536, 1024] float16 and bfloat16 78% -> 85%), with the bits wgsl/reduce.wgsl
 * gives a row of one chunk, or where `groupLanes` is not 0 those
 * wgsl/reduce-groups.wgsl gives with that many lanes a row (the caller says
 * which kernel would fold the rows); undefined where planRows does not take
 * them.
 */
export function maxRows(gpu: WebGpuBackend, op: "max" | "min", x: Tensor, groupLanes = 0, outDtype?: DType): Tensor | undefined {
  // where it was measured faster than the keyed kernel, unless told to take every row (WebGpuBackend.allMaxRows)
  const R = x.shape[x.shape.length - 1] ?? 0;
  if (!gpu.allMaxRows && groupLanes === 0 && (R <= MAX_ROWS_FROM || R * x.dtype.size > MAX_ROWS_BYTES)) return undefined;
  const plan = planRows(gpu, x);
  const pairs = x.dtype !== float32 && outDtype === x.dtype;
  const slots = {
    GROUP_LANES: groupLanes,
    KEY: op === "max" ? "kx" : "~kx",
    KEY_OF_K: op === "max" ? "k" : "~k",
    // max's +0 (K = 0) and min's -0 (~K = ~-1 = 0): the zeros that may tie one of the other sign
    ZERO_TIE: "0",
    VALUE: x.dtype === float16 ? "unpack2x16float(bitcast<u32>(x) >> 16u).x" : "bitcast<f32>(x)",
    PAIRS: String(pairs),
    PACK: pairs ? `pack_${x.dtype.name}(r)` : "0u",
  };
  return plan && runRows(gpu, op, "max-rows", x, plan, pairs ? x.dtype : float32, slots, { variant: `${groupLanes},${pairs}`, helpers: ["row-pairs", ...(pairs ? ["dtypes"] : [])] });
}

/**
 * max/min (`op`) of short rows of `x` (merged to [rows, R]; argRows' short
 * rows) through wgsl/arg-rows.wgsl: the first element of the row's best key,
 * the bits wgsl/segments.wgsl's fold of (key, bits) pairs in index order
 * gives; float32 words, float16/bfloat16 packed two a word. Undefined where
 * planRows does not take the rows, or `outDtype` is not x's dtype. H100,
 * device time against the copy kernel, max of [2097152, 32] against
 * segments.wgsl: float32 83% -> 87%, float16 64% -> 77%, bfloat16 65% -> 77%.
 */
export function maxShortRows(gpu: WebGpuBackend, op: "max" | "min", x: Tensor, outDtype: DType | undefined): Tensor | undefined {
  if (outDtype !== x.dtype) return undefined;
  const plan = planRows(gpu, x, true);
  return plan && runRows(gpu, op, "arg-rows", x, plan, x.dtype, argRowsSlots(op === "max" ? "argmax" : "argmin", x.dtype, "values"), { variant: "values" });
}
