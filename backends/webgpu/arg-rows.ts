// argmax/argmin of float rows that lie on whole quads of words, a group of
// lanes a row folded by subgroup operations (wgsl/arg-rows.wgsl), where the
// device has one subgroup size. On the H200 (2026-12-03, device time against
// the copy kernel, against the grouped and keyed kernels before): float32
// rows of 256 / 512 / 1024 / 2048 / 4096 62 / 46 / 64 / 43 / 87% -> 75 / 97 /
// 101 / 101 / 101%, float16 and bfloat16 rows of 512 / 1024 / 2048 / 4096 21 /
// 29 / 24 / 37% -> 54 / 71 / 81 / 78%.

import type { Tensor } from "../backend.js";
import { bfloat16, float16, float32, uint32, type DType } from "../../src/dtype.js";
import type { WebGpuBackend } from "./backend.js";
import { fixedSubgroupSize } from "./device.js";

/** The bits of +inf as the kernel's element bits x (16-bit elements in the high half). */
const INF: Record<string, string> = { float32: "0x7f800000", float16: "0x7c000000", bfloat16: "0x7f800000" };

/** Rows shorter than this many bytes keep the other kernels (segments.wgsl, reduce-groups.wgsl). */
const MIN_ROW_BYTES = 1024;

/**
 * Lanes a row: one subgroup up to 256 quads a row (float32 rows of 1024,
 * float16 of 2048), two subgroups up to 512, four beyond (the fastest shapes
 * measured on the H200), never fewer than the device's subgroup.
 */
function rowLanes(quads: number, subgroup: number): number {
  return Math.max(subgroup, quads <= 256 ? 32 : quads <= 512 ? 64 : 128);
}

/**
 * argmax/argmin (`op`) of the `rows` rows of `x` (merged to [rows, R], each
 * row contiguous) as uint32 indices, or undefined where this kernel does not
 * take them: not float32/float16/bfloat16, rows not starting on 16 bytes or
 * not a whole number of quads, rows of fewer than MIN_ROW_BYTES, or a device
 * without one subgroup size.
 */
export function argRows(gpu: WebGpuBackend, op: "argmax" | "argmin", x: Tensor): Tensor | undefined {
  const d: DType = x.dtype;
  if (x.shape.length !== 2 || x.strides[1] !== 1 || (d !== float32 && d !== float16 && d !== bfloat16)) return undefined;
  const subgroup = fixedSubgroupSize(gpu.ctx);
  if (!gpu.ctx.features.has("subgroups") || subgroup === undefined || ![4, 8, 16, 32, 64].includes(subgroup)) return undefined;
  const [rows, R] = x.shape as [number, number];
  const perQuad = 16 / d.size;
  if (R * d.size < MIN_ROW_BYTES || R % perQuad !== 0 || x.strides[0]! < 0 || x.strides[0]! % perQuad !== 0 || x.offset % perQuad !== 0) return undefined;
  const quads = R / perQuad;
  const lanes = rowLanes(quads, subgroup);
  const out = gpu.allocOutput({ shape: [rows], dtype: uint32 });
  if (rows === 0) return out;
  const perWord = 4 / d.size;
  // the loop's trip count a constant (a kernel per count: few, rows of a model come in few lengths)
  const steps = Math.ceil(quads / (8 * lanes));
  const whole = quads === steps * 8 * lanes;
  const call = {
    op,
    file: "arg-rows",
    helpers: [],
    key: `${op},${d.name},${lanes},${subgroup},${steps},${whole}`,
    slots: () => ({
      ROW_LANES: lanes,
      STEPS: steps,
      WHOLE: String(whole),
      SUBGROUP: subgroup,
      PER_WORD: perWord,
      INF: INF[d.name]!,
      ARGKEY: op === "argmax" ? "t - s" : "s - t",
      TAKE_WORD: perWord === 1 ? "take(bitcast<i32>(w), e);" : "take(bitcast<i32>(w << 16u), e);\n  take(bitcast<i32>(w & 0xffff0000u), e + 1u);",
    }),
  };
  const params = [rows, quads, x.strides[0]! / perQuad, x.offset / perQuad];
  gpu.run(call, gpu.gpuBuffer(out), params, [gpu.gpuBuffer(x)], Math.ceil(rows / (256 / lanes)));
  return out;
}
