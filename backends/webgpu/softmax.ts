// WebGPU softmax and logsumexp, max subtracted first. logsumexp of many rows
// on whole quads of words takes backends/webgpu/logsumexp-rows.ts. Other
// dense trailing rows that fit in registers are read once as words
// (wgsl/softmax-rows.wgsl: float16/bfloat16 two a word, softmax written in
// the input's dtype; rows folded by subgroup operations where the device has
// one subgroup size, shorter rows several a workgroup); longer dense rows are
// read again for each step (backends/webgpu/softmax-long.ts); other segments
// go through wgsl/softmax.wgsl, a workgroup per segment (float32 results cast
// to narrower floats afterwards).

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { collapseDims } from "../strides.js";
import { float32 } from "../../src/dtype.js";
import type { LogSumExp, Softmax } from "../../src/primitives/reduce.js";
import { rowMajorStrides } from "../../src/shape.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { fixedSubgroupSize } from "./device.js";
import { castResult } from "./elementwise.js";
import { MAX_SEGMENT } from "./reduce.js";
import { runLongRows } from "./softmax-long.js";
import { logsumexpRows, takesLogsumexpRows } from "./logsumexp-rows.js";

/** Segments up to 256 * 16 elements are held in registers, ceil(R / 256) an invocation (a shader each); longer ones are re-read. */
const heldPerInvocation = (R: number): number => Math.min(16, Math.max(1, Math.ceil(R / 256)));

/** Elements of a row wgsl/softmax-rows.wgsl holds per invocation at most (registers). */
const ROW_HELD = 16;

/**
 * Most invocations a row takes on the subgroup path (several rows a
 * workgroup, folded by subgroup operations). Longer rows keep one row a
 * workgroup of 256 folded through workgroup memory: on the H200 that was
 * faster from rows of 2048 float32 on (2497 against 2006 GB/s), the subgroup
 * rows faster below (rows of 512: 2370 against 1318 GB/s).
 */
const SUBGROUP_ROW_LANES = 64;

/** The statements that unpack word `w<i>` into x<i * epw> (and x<i * epw + 1>): both halves of a 16-bit pair at once. */
function unpackWord(dtype: string, i: number, epw: number): string {
  const x = (q: number) => `x${i * epw + q}`;
  if (dtype === "float16") return `let h${i} = unpack2x16float(w${i}); ${x(0)} = h${i}.x; ${x(1)} = h${i}.y;`;
  if (dtype === "bfloat16") return `${x(0)} = bitcast<f32>(w${i} << 16u); ${x(1)} = bitcast<f32>(w${i} & 0xffff0000u);`;
  return `${x(0)} = unpack_${dtype}(w${i}, 0u);`;
}

/** wgsl/softmax-rows.wgsl's statements over the x<j> an invocation holds (`words` words of `epw` elements, `lanes` invocations a row), unrolled. */
function rowStatements(dtype: string, words: number, epw: number, lanes: number): Record<string, string> {
  const js = Array.from({ length: words * epw }, (_, j) => j);
  const wordIndex = Array.from({ length: words }, (_, i) => i);
  // word lane + lanes i with i < words - 1 is always in the row (the row has more than lanes (words - 1) words)
  const inRow = (i: number) => (i < words - 1 ? "" : `lane + ${lanes * i}u < row_words`);
  const word = (i: number, pack: string) => {
    // a 16-bit word's two results by one call of the pair's pack (wgsl/softmax-rows.wgsl pack_pair_unit_<dtype>)
    if (epw === 2 && pack.startsWith("pack_unit_")) return `${pack.replace("pack_unit_", "pack_pair_unit_")}(x${2 * i} * inv, x${2 * i + 1} * inv)`;
    return Array.from({ length: epw }, (_, q) => (q ? `(${pack}(x${i * epw + q} * inv) << ${(32 / epw) * q}u)` : `${pack}(x${i * epw} * inv)`)).join(" | ");
  };
  const stores = (pack: string) => wordIndex.map((i) => (inRow(i) ? `if (${inRow(i)}) { out_words[out_row + ${lanes * i}u] = ${word(i, pack)}; }` : `out_words[out_row + ${lanes * i}u] = ${word(i, pack)};`)).join("\n    ");
  return {
    DECLS: js.map((j) => `var x${j} = 0.0;`).join(" "),
    LOADS: wordIndex.map((i) => `let w${i} = in_words[first + ${inRow(i) ? `min(lane + ${lanes * i}u, row_words - 1u)` : `lane + ${lanes * i}u`}]; ${unpackWord(dtype, i, epw)}`).join("\n    "),
    MAXES: js.map((j) => `m = max(m, x${j}); least = min(least, x${j}); magnitudes = magnitudes + abs(x${j});`).join("\n    "),
    EXPS: js.map((j) => `x${j} = mx_exp(x${j} - mx);`).join("\n      "),
    EXPS_NORMAL: js.map((j) => (epw === 2 ? `x${j} = mx_exp_narrow(x${j} - mx);` : `x${j} = exp_normal(x${j} - mx, one);`)).join("\n      "),
    SUMS: js.map((j) => {
      const cond = inRow(Math.floor(j / epw));
      return cond ? `acc = acc + select(0.0, x${j}, ${cond});` : `acc = acc + x${j};`;
    }).join("\n    "),
    STORES: stores(`pack_${dtype}`),
    STORES_UNIT: stores(`pack_unit_${dtype}`),
  };
}

/** The device's one subgroup size (4 to 64) where it has subgroups, else undefined. */
function rowSubgroup(gpu: WebGpuBackend): number | undefined {
  const size = fixedSubgroupSize(gpu.ctx);
  return gpu.ctx.features.has("subgroups") && size !== undefined && [4, 8, 16, 32, 64].includes(size) ? size : undefined;
}

/**
 * softmax's second chance at the subgroup path for rows the tree would take:
 * up to SOFTMAX_WIDE_HELD elements an invocation, up to SOFTMAX_WIDE_LANES
 * invocations a row. H200, rows of 4096, device time, share of the copy
 * kernel's, against the tree: float32 96% / 92%, float16 80% / 70%,
 * bfloat16 77% / 68% (logsumexp, which writes no row, lost there: float16 46%
 * / 50%, so it keeps the tree).
 */
const SOFTMAX_WIDE_HELD = 32;
const SOFTMAX_WIDE_LANES = 128;

/** The fewest invocations, from one subgroup doubling up to 256, that hold at most `held` elements each of a row of `words` words of `epw` elements. */
function lanesHolding(words: number, epw: number, subgroup: number, held: number): number {
  let lanes = subgroup;
  while (lanes < 256 && Math.ceil(words / lanes) * epw > held) lanes *= 2;
  return lanes;
}

/**
 * A row of `words` words of `epw` elements on the subgroup path (`subgroup`
 * lanes): the invocations per row holding at most ROW_HELD elements each,
 * where that is at most SUBGROUP_ROW_LANES (softmax: else those holding at
 * most SOFTMAX_WIDE_HELD, where that is at most SOFTMAX_WIDE_LANES); else
 * undefined (256 invocations, one row a workgroup, folded through workgroup memory).
 */
function subgroupRowLanes(op: "softmax" | "logsumexp", words: number, epw: number, subgroup: number | undefined): number | undefined {
  if (subgroup === undefined) return undefined;
  const lanes = lanesHolding(words, epw, subgroup, ROW_HELD);
  if (lanes <= SUBGROUP_ROW_LANES) return lanes;
  const wide = lanesHolding(words, epw, subgroup, SOFTMAX_WIDE_HELD);
  return op === "softmax" && wide <= SOFTMAX_WIDE_LANES ? wide : undefined;
}

/**
 * The dense-row kernels, or false where they do not apply: the reduced axes
 * trailing and merging into one of stride 1, R elements (a multiple of the
 * elements per word, every row starting on a word): held in registers up to
 * 256 * ROW_HELD elements, longer rows re-read (backends/webgpu/softmax-long.ts).
 */
function runRows(gpu: WebGpuBackend, op: "softmax" | "logsumexp", x: Tensor, axes: readonly number[], out: OutputSpec): Tensor | false {
  const nd = x.shape.length;
  if (!axes.every((a) => a >= nd - axes.length)) return false;
  const kept = x.shape.slice(0, nd - axes.length);
  const r = collapseDims(x.shape.slice(nd - axes.length), [x.strides.slice(nd - axes.length)]);
  const R = r.shape.reduce((p, d) => p * d, 1);
  const epw = x.dtype.size === 2 ? 2 : 1;
  const k = collapseDims(kept, [x.strides.slice(0, nd - axes.length)]);
  const aligned = x.offset % epw === 0 && k.strides[0]!.every((s) => s % epw === 0);
  if (R === 0 || r.shape.length !== 1 || r.strides[0]![0] !== 1 || R % epw !== 0 || !aligned || R >= MAX_SEGMENT) return false;
  if (x.dtype.kind !== "float" || (op === "softmax" && out.dtype !== x.dtype)) return false;
  const nOut = kept.reduce((p, d) => p * d, 1);
  // logsumexp of many rows on whole quads: a group of lanes a row (backends/webgpu/logsumexp-rows.ts)
  const dense = { rows: nOut, length: R, stride: k.strides[0]![0] ?? R, offset: x.offset };
  if (op === "logsumexp" && k.shape.length <= 1 && takesLogsumexpRows(gpu, x.dtype, dense, out)) {
    return { ...logsumexpRows(gpu, x, dense), shape: out.shape, strides: rowMajorStrides(out.shape) };
  }
  const res = gpu.allocOutput(op === "softmax" ? out : { shape: out.shape, dtype: float32 });
  const params = [nOut, R, k.shape.length, ...k.shape, ...k.strides[0]!, x.offset];
  if (nOut > 0 && Math.ceil(R / epw / 256) * epw > ROW_HELD) {
    // too long for registers: read again for each step (backends/webgpu/softmax-long.ts)
    runLongRows(gpu, op, x, res, nOut, R, epw, params);
  } else if (nOut > 0) {
    const subgroup = rowSubgroup(gpu);
    const sgLanes = subgroupRowLanes(op, R / epw, epw, subgroup);
    const lanes = sgLanes ?? 256;
    const words = Math.ceil(R / epw / lanes);
    const bySubgroup = sgLanes !== undefined && subgroup !== undefined;
    const helpers = bySubgroup ? ["softmax-rows-subgroup", "dtypes", "math", "strided", "softmax-row-math"] : ["dtypes", "math", "strided", "softmax-row-math", "softmax-fold", "softmax-rows-tree"];
    // the kernel's key names what its generated statements depend on, so they are generated only when it is compiled
    const slots = () => ({
      DTYPE: x.dtype.name,
      EPW: epw,
      WORDS: words,
      ROW_LANES: lanes,
      LSE: String(op === "logsumexp"),
      ...(bySubgroup
        ? { SUBGROUP: subgroup, SUBGROUP_ARGS: ", @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32", SG: "vec2u(sg_lane, sg_size)" }
        : { SUBGROUP: 1, SUBGROUP_ARGS: "", SG: "vec2u()" }),
      ...rowStatements(x.dtype.name, words, epw, lanes),
    });
    const key = `${op}|${x.dtype.name}|${words}|${lanes}|${bySubgroup ? subgroup : 0}`;
    gpu.run({ op, file: "softmax-rows", helpers, key, slots }, gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], Math.ceil(nOut / (256 / lanes)));
  }
  return op === "softmax" ? res : castResult(gpu, res, out);
}

function run(gpu: WebGpuBackend, op: "softmax" | "logsumexp", x: Tensor, axes: readonly number[], out: OutputSpec): Tensor {
  const rows = runRows(gpu, op, x, axes, out);
  if (rows) return rows;
  const kept = [...x.shape.keys()].filter((d) => !axes.includes(d));
  const outStrides = rowMajorStrides(x.shape);
  const k = collapseDims(kept.map((d) => x.shape[d]!), [kept.map((d) => x.strides[d]!), kept.map((d) => outStrides[d]!)]);
  const r = collapseDims(axes.map((d) => x.shape[d]!), [axes.map((d) => x.strides[d]!), axes.map((d) => outStrides[d]!)]);
  const nOut = kept.reduce((p, d) => p * x.shape[d]!, 1);
  const R = axes.reduce((p, d) => p * x.shape[d]!, 1);
  if (R >= MAX_SEGMENT) throw new RangeError(`[${op}] cannot reduce ${R} elements per output on webgpu: its kernels index with 32-bit words and take fewer than 2^31 (input shape [${x.shape.join(", ")}])`);
  const params = [nOut, R, k.shape.length, r.shape.length, ...k.shape, ...k.strides[0]!, ...r.shape, ...r.strides[0]!, x.offset, ...k.strides[1]!, ...r.strides[1]!];
  const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
  // logsumexp of an empty segment is -inf (the kernel writes it); softmax of one has no elements
  if (nOut > 0 && (R > 0 || op === "logsumexp")) {
    const held = heldPerInvocation(R);
    const call = { op, file: "softmax", helpers: ["dtypes", "math", "strided", "softmax-fold"], key: `${op}|${x.dtype.name}|${held}`, slots: () => ({ INPUT: inputDecl(0, 2, x.dtype), LSE: String(op === "logsumexp"), HELD: held }) };
    gpu.run(call, gpu.gpuBuffer(res), params, [gpu.gpuBuffer(x)], nOut);
  }
  return castResult(gpu, res, out);
}

export function softmaxKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => run(gpu, "softmax", x!, (prim as Softmax).axes, out);
}

export function logsumexpKernel(gpu: WebGpuBackend): Kernel {
  return (prim, [x], out) => run(gpu, "logsumexp", x!, (prim as LogSumExp).axes, out);
}
