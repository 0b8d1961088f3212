// logsumexp of many float rows that lie on whole quads of words through
// wgsl/logsumexp-rows.wgsl: a group of lanes a row, each lane's (maximum,
// sum of exponentials) kept online over its quads and the lanes' pairs
// merged; backends/webgpu/softmax.ts takes it before its other row kernels.

import type { OutputSpec, Tensor } from "../backend.js";
import { bfloat16, float16, float32, type DType } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";

/**
 * Row lengths (elements) the kernel takes (float32 rows up to 4096, 16-bit
 * rows up to 16384), and the rows a reduction needs (fewer: the other
 * kernels spread them wider). On the H200 (2026-12-04, 64M elements, device
 * time against the copy kernel, two alternating runs, the kernels before in
 * parentheses): float32 rows of 256 / 512 / 1024 / 2048 / 4096 / 8192 /
 * 16384 82 / 83 / 83 / 82 / 79 / 74 / 80% (49 / 68 / 63 / 59 / 77 / 76 /
 * 80%), float16 52 / 72 / 74 / 74 / 71 / 70 / 66% (30 / 46 / 42 / 38 / 53 /
 * 54 / 60%), bfloat16 alike.
 */
const LSE_ROWS_MIN = 256;
const LSE_ROWS_MAX: Record<string, number> = { float32: 4096, float16: 16384, bfloat16: 16384 };
const MIN_ROWS = 1024;
/**
 * Quads a lane reads, about: sixteen, two steps of eight loads in flight.
 * Eight measured slower on the H200: float32 rows of 1024 / 2048 / 4096 79 /
 * 73 / 64% against 83 / 82 / 79%, float16 rows of 1024 / 4096 71 / 65%
 * against 75 / 72%.
 */
const QUADS_PER_LANE = 16;

/** Lanes a row: a power of two from 8 to 128, about QUADS_PER_LANE quads a lane. */
function rowLanes(quads: number): number {
  return Math.min(128, Math.max(8, 2 ** Math.ceil(Math.log2(quads / QUADS_PER_LANE))));
}

/** The rows of a logsumexp: `rows` of `length` elements, `stride` elements apart from `offset`. */
export interface DenseRows {
  rows: number;
  length: number;
  stride: number;
  offset: number;
}

/** Whether the kernel takes logsumexp over `rows` of `dtype` into `out`: float32/float16/bfloat16 into the same dtype, enough rows of a taken length, on whole quads. */
export function takesLogsumexpRows(gpu: WebGpuBackend, dtype: DType, rows: DenseRows, out: OutputSpec): boolean {
  if (!gpu.logsumexpRows || (dtype !== float32 && dtype !== float16 && dtype !== bfloat16) || out.dtype !== dtype) return false;
  const perQuad = 16 / dtype.size;
  const { length, stride, offset } = rows;
  return rows.rows >= MIN_ROWS && length >= LSE_ROWS_MIN && length <= LSE_ROWS_MAX[dtype.name]! && length % perQuad === 0 && stride >= 0 && stride % perQuad === 0 && offset % perQuad === 0;
}

/** The elements of quad `v` (a vec4<u32>) of `d` as WGSL f32 expressions, in index order. */
function quadElements(d: DType, v: string): string[] {
  return ["x", "y", "z", "w"].flatMap((c) => {
    if (d === float32) return [`bitcast<f32>(${v}.${c})`];
    if (d === float16) return [`unpack2x16float(${v}.${c}).x`, `unpack2x16float(${v}.${c}).y`];
    return [`bitcast<f32>(${v}.${c} << 16u)`, `bitcast<f32>(${v}.${c} & 0xffff0000u)`];
  });
}

/** The statements of one step over quads q, q + ROW_LANES, ..., q + 7 ROW_LANES (the kernel header's STEP). */
function stepStatements(d: DType): string {
  const js = Array.from({ length: 8 }, (_, j) => j);
  const at = (j: number) => (j ? `q + ${j}u * ROW_LANES` : "q");
  const lines = [
    ...js.map((j) => `let ok${j} = live && (WHOLE || ${at(j)} < quads);`),
    ...js.map((j) => `var v${j} = vec4<u32>(); if (ok${j}) { v${j} = in_quads[base + ${at(j)}]; }`),
    "var sm = -inf_f32();",
    "var sl = inf_f32();",
  ];
  for (const j of js) {
    const body = quadElements(d, `v${j}`).map((x, e) => `let x${e} = ${x}; sm = max(sm, x${e}); sl = min(sl, x${e}); magnitudes = magnitudes + abs(x${e});`);
    lines.push(`if (ok${j}) { ${body.join(" ")} }`);
  }
  const sums = (exp: (a: string) => string) => js.map((j) => `if (ok${j}) { s = s + ${quadElements(d, `v${j}`).map((x) => `${exp(`${x} - nm`)}`).join(" + ")}; }`);
  lines.push(
    "let nm = max(m, sm);",
    "if (finite_bits(nm)) {",
    "  if (finite_bits(m)) { s = s * mx_exp(m - nm); }",
    "  if (sl - nm >= -86.0) {",
    ...sums((a) => (d === float32 ? `exp_normal(${a}, one)` : `mx_exp_narrow(${a})`)).map((l) => `    ${l}`),
    "  } else {",
    ...sums((a) => `mx_exp(${a})`).map((l) => `    ${l}`),
    "  }",
    "}",
    "m = nm;",
  );
  return lines.join("\n    ");
}

/** logsumexp of `rows` of `x` (takesLogsumexpRows holds) as a [rows] tensor of x's dtype. */
export function logsumexpRows(gpu: WebGpuBackend, x: Tensor, rows: DenseRows): Tensor {
  const d = x.dtype;
  const perQuad = 16 / d.size;
  const out = gpu.allocOutput({ shape: [rows.rows], dtype: d });
  const quads = rows.length / perQuad;
  const lanes = rowLanes(quads);
  // the loop's trip count a constant (a kernel per row length: a model's rows come in few lengths)
  const steps = Math.ceil(quads / (8 * lanes));
  const whole = quads === steps * 8 * lanes;
  const pairs = d !== float32;
  const call: KernelCall = {
    op: "logsumexp",
    file: "logsumexp-rows",
    helpers: ["dtypes", "math", "softmax-row-math", "row-lanes", "row-pairs"],
    key: `${d.name},${lanes},${steps},${whole}`,
    slots: () => ({
      ROW_LANES: lanes,
      STEPS: steps,
      WHOLE: String(whole),
      STEP: stepStatements(d),
      PAIRS: String(pairs),
      PACK: pairs ? `pack_${d.name}(r)` : "0u",
    }),
  };
  gpu.run(call, gpu.gpuBuffer(out), [rows.rows, quads, rows.stride / perQuad, rows.offset / perQuad], [gpu.gpuBuffer(x)], Math.ceil(rows.rows / (256 / lanes)));
  return out;
}
