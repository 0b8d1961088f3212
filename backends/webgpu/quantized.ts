// WebGPU quantized kernels (wgsl/quantized_*.wgsl) in MLX's layouts (affine,
// mxfp4, mxfp8, nvfp4): quantize (a dispatch over the groups per output:
// scales, biases, packed words), dequantize (a thread per value) and the
// quantized matmul, which unpacks weights in registers: one row of x by
// transposed weights takes the matrix-vector kernel (quantized_qmv: a few
// rows per subgroup-sized team, generated straight-line loop bodies, subgroup
// sums), else quantized_qmm (tiles of 8 rows of x).
// Float results are float32 words and scale bits u32 words, cast after.

import type { Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { qmmTiles } from "../quantized-tiles.js";
import { float16, float32, is16BitFloat, uint32, uint8, type DType } from "../../src/dtype.js";
import type { Dequantize, QuantizedMatmul, Quantize, QuantParams } from "../../src/primitives/quantized.js";
import { sizeOf } from "../../src/shape.js";
import { withRowMajor } from "../row-major.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { fixedSubgroupSize } from "./device.js";
import { castResult, contiguousCopy } from "./elementwise.js";
import { kernelFile } from "./kernel-files.js";
import { rowSetup, teamSums, unitsCode, unitValues, type QmvLayout } from "./qmv-codegen.js";

/** `fn` on the inputs made row-major with webgpu's copy kernel. */
const rowMajor = <R>(gpu: WebGpuBackend, inputs: readonly Tensor[], fn: (xs: Tensor[]) => R): R => withRowMajor(gpu, (t) => contiguousCopy(gpu, t), inputs, fn);

const MODE_CODE = { affine: 0, mxfp4: 1, mxfp8: 1, nvfp4: 2 } as const;

/**
 * The GROUPS slot: the scales (input k, binding b) and in affine mode the
 * biases (k + 1, b + 1), read as scale_at(e) and bias_at(e), and decode(code),
 * a code's value (the code itself, or its e2m1 / e4m3 value). An affine code
 * becomes a float as the bits of 2^23 + code less 2^23: exact, and cheaper
 * than a conversion. `globalAt`: nvfp4's global scale is input k + 1 (binding
 * b + 1) at that word: the e4m3 scales are then times globalScale / (448 * 6).
 */
function groupsSlot(q: QuantParams, k: number, binding: number, scales: DType, biases: DType | undefined, globalAt?: string): string {
  if (q.mode === "affine") {
    return `${inputDecl(k, binding, scales)}\n${inputDecl(k + 1, binding + 1, biases!)}
fn scale_at(e: u32) -> f32 { return load_${k}(e); }
fn bias_at(e: u32) -> f32 { return load_${k + 1}(e); }
fn decode(c: u32) -> f32 { return bitcast<f32>(c | 0x4b000000u) - 8388608.0; }`;
  }
  // (div_f, wgsl/quotient.wgsl: correctly rounded as MLX's float32 division; the H100's driver took x / 2688 as x * (1 / 2688), 1 ulp off)
  const global = globalAt === undefined ? "" : ` * div_f(bitcast<f32>(in${k + 1}[${globalAt}]), 2688.0)`;
  return `${inputDecl(k, binding, uint8)}${globalAt === undefined ? "" : `\n@group(0) @binding(${binding + 1}) var<storage, read> in${k + 1}: array<u32>;`}
fn scale_at(e: u32) -> f32 { return ${q.mode === "nvfp4" ? "e4m3_decode" : "e8m0_decode"}(load_${k}(e))${global}; }
fn bias_at(e: u32) -> f32 { return 0.0; }
fn decode(c: u32) -> f32 { return ${q.bits === 8 ? "e4m3_decode" : "e2m1_decode"}(c); }`;
}

const HELPERS = ["dtypes", "quantized_formats"];

/** quantize's ENC slot: no global scale, or nvfp4's 448 * 6 / globalScale (the float32 at binding 3, word params[2]), as MLX's kernel. */
const ENC_ONE = "fn scale_enc() -> f32 { return 1.0; }";
const ENC_GLOBAL = "@group(0) @binding(3) var<storage, read> in1: array<u32>;\nfn scale_enc() -> f32 { return div_f(2688.0, bitcast<f32>(in1[params[2]])); }";

export function quantizeKernel(gpu: WebGpuBackend): MultiKernel {
  return (prim, [w, globalScale], [wqSpec, sSpec, bSpec]) =>
    rowMajor(gpu, [w!], ([x]) => {
      const { groupSize, bits, mode } = (prim as Quantize).q;
      const weights = x!;
      const groups = sizeOf(sSpec!.shape);
      // dispatch OUT writes: 0 the scales, 1 the biases, 2 the words
      const wanted: [number, OutputSpec][] = [[2, wqSpec!], [0, sSpec!], ...(bSpec ? [[1, bSpec] as [number, OutputSpec]] : [])];
      return wanted.map(([out, spec]) => {
        const res = gpu.allocOutput(out === 2 ? spec : { shape: spec.shape, dtype: mode === "affine" ? float32 : uint32 });
        if (groups > 0) {
          gpu.run(
            { op: "quantize", file: "quantized_quantize", helpers: HELPERS, slots: { X: inputDecl(0, 2, weights.dtype), BITS: bits, GS: groupSize, OUT: out, MODE: MODE_CODE[mode], ENC: globalScale ? ENC_GLOBAL : ENC_ONE } },
            gpu.gpuBuffer(res), [groups, weights.offset, globalScale?.offset ?? 0], [weights, ...(globalScale ? [globalScale] : [])].map((t) => gpu.gpuBuffer(t)), Math.ceil(groups / 64),
          );
        }
        return out === 2 ? res : castResult(gpu, res, spec);
      });
    });
}

function dequantizeKernel(gpu: WebGpuBackend): Kernel {
  return (prim, inputs, out: OutputSpec) =>
    rowMajor(gpu, inputs, (xs) => {
      const q = (prim as Dequantize).q;
      const [wq, s, b] = xs as [Tensor, Tensor, Tensor | undefined];
      const n = sizeOf(out.shape), K = out.shape[out.shape.length - 1]!;
      const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
      // outside affine mode a third input is nvfp4's global scale, read at word params[5]
      const globalAt = q.mode !== "affine" && b ? "params[5]" : undefined;
      if (n > 0) {
        gpu.run(
          { op: "dequantize", file: "quantized_dequantize", helpers: HELPERS, slots: { W: inputDecl(0, 2, uint32), GROUPS: groupsSlot(q, 1, 3, s.dtype, globalAt ? undefined : b?.dtype, globalAt), BITS: q.bits, GS: q.groupSize } },
          gpu.gpuBuffer(res), [n, K, wq.shape[wq.shape.length - 1]!, wq.offset, s.offset, b?.offset ?? 0], [wq, s, ...(b ? [b] : [])].map((t) => gpu.gpuBuffer(t)), Math.ceil(n / 256),
        );
      }
      return castResult(gpu, res, out);
    });
}

/**
 * Rows of w each team of the matrix-vector kernel owns: 8 where a unit is at
 * most 4 words, so each x value loaded serves 8 rows (on the H200, loading x
 * bounds the 4-bit product: docs/benchmarks.md), else 4 (the 5 words of a
 * 5-bit unit: fewer registers).
 */
const qmvRows = (unitWords: number): number => (unitWords <= 4 ? 8 : 4);

/** Units whose loads a lane of the matrix-vector kernel issues before using any (its main loop's unroll). */
const QMV_UNROLL = 2;

/**
 * The compact kernels' (a CPU adapter's, WebGpuBackend.compactKernels) rows a
 * team and unroll: the straight-line bodies repeat per row and unit, and were
 * most of the kernel's compile time on lavapipe (one row's arithmetic is the
 * same either way, so are its bits).
 */
const QMV_COMPACT = { rows: 2, unroll: 1 };

/**
 * Most values in a unit of the matrix-vector kernel (more only where whole
 * values need it: 32 for 3 and 5 bits). Each unit's x is held in registers;
 * on the H200, 4-bit units of 16 values (2 words) beat 32 (4 words): 46% /
 * 56% of copy against 40% / 51% (docs/benchmarks.md), 8-bit ones of 16 beat 8.
 */
const QMV_UNIT_VALUES = 16;

/** Invocations per workgroup of the matrix-vector kernel (WG / team teams). */
const QMV_WORKGROUP = 128;

/**
 * The lanes of one team of the matrix-vector kernel: the device's subgroup
 * size where it has one fixed size from 4 to 64 (the team sums by
 * subgroupAdd), else 32 (summed through workgroup memory).
 */
function qmvTeam(gpu: WebGpuBackend): { team: number; subgroups: boolean } {
  const size = fixedSubgroupSize(gpu.ctx);
  const fixed = gpu.ctx.features.has("subgroups") && size !== undefined && [4, 8, 16, 32, 64].includes(size);
  return fixed ? { team: size, subgroups: true } : { team: 32, subgroups: false };
}

/** Words per unit of the matrix-vector kernel: the fewest holding whole values, doubled while the unit holds at most QMV_UNIT_VALUES values within one group. */
function qmvUnitWords(bits: number, groupSize: number): number {
  let words = bits / gcd(bits, 32);
  while ((words * 2 * 32) / bits <= Math.min(QMV_UNIT_VALUES, groupSize)) words *= 2;
  return words;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The X slot: x at binding 2 with x_quad(e, q), x[e + 4q..e + 4q + 3] for e a
 * multiple of 4 in the aligned case: one vec4 (float32) or vec2 (16-bit) word
 * load where x's offset is a multiple of 4 (its rows, K apart, then are too: K
 * is a multiple of 16), else four element loads.
 */
function xQuadSlot(d: DType, aligned: boolean): string {
  if (aligned && d === float32) {
    return `@group(0) @binding(2) var<storage, read> x_quads: array<vec4<u32>>;
fn x_quad(e: u32, q: u32) -> vec4<f32> { return bitcast<vec4<f32>>(x_quads[(e >> 2u) + q]); }`;
  }
  if (aligned && is16BitFloat(d)) {
    const unpack = d === float16 ? "vec4<f32>(unpack2x16float(v.x), unpack2x16float(v.y))" : "vec4<f32>(bitcast<f32>(v.x << 16u), bitcast<f32>(v.x & 0xffff0000u), bitcast<f32>(v.y << 16u), bitcast<f32>(v.y & 0xffff0000u))";
    return `@group(0) @binding(2) var<storage, read> x_quads: array<vec2<u32>>;
fn x_quad(e: u32, q: u32) -> vec4<f32> { let v = x_quads[(e >> 2u) + q]; return ${unpack}; }`;
  }
  return `${inputDecl(0, 2, d)}
fn x_quad(e: u32, q: u32) -> vec4<f32> { let i = e + 4u * q; return vec4<f32>(load_0(i), load_0(i + 1u), load_0(i + 2u), load_0(i + 3u)); }`;
}

/** The W slot: the packed words at binding 3, as vec2/vec4 words (w_vec) when `perLoad` > 1, else u32 words (in1). */
function wSlot(perLoad: number): string {
  return perLoad > 1 ? `@group(0) @binding(3) var<storage, read> w_vec: array<vec${perLoad}<u32>>;` : inputDecl(1, 3, uint32);
}

/** x [batches, 1, K] by transposed w [batches, N, K]: the matrix-vector kernel (wgsl/quantized_qmv.wgsl, loop bodies from qmv-codegen.ts). */
function quantizedMatvec(gpu: WebGpuBackend, p: QuantizedMatmul, [x, w, s, b]: [Tensor, Tensor, Tensor, Tensor | undefined], res: Tensor, batches: number): void {
  const { groupSize, bits } = p.q;
  const nw = w.shape.length;
  const N = w.shape[nw - 2]!, K = x.shape[x.shape.length - 1]!, wpr = w.shape[nw - 1]!;
  const { team, subgroups } = qmvTeam(gpu);
  const unitWords = qmvUnitWords(bits, groupSize);
  // whole units as one vector load where every row's units start at a multiple of the vector's words
  const wordsPerLoad = (unitWords === 2 || unitWords === 4) && w.offset % unitWords === 0 && wpr % unitWords === 0 ? unitWords : 1;
  const xAligned = x.offset % 4 === 0;
  const rows = gpu.compactKernels ? QMV_COMPACT.rows : qmvRows(unitWords);
  const unroll = gpu.compactKernels ? QMV_COMPACT.unroll : QMV_UNROLL;
  const layout: QmvLayout = { bits, groupSize, affine: p.q.mode === "affine", rows, unitWords, wordsPerLoad };
  const rowTiles = Math.ceil(N / ((QMV_WORKGROUP / team) * rows));
  gpu.run(
    {
      op: "quantizedMatmul",
      file: "quantized_qmv",
      helpers: [],
      key: `${[x, w, s, b].map((t) => t?.dtype.name).join(",")}|${p.q.mode}|${bits}|${groupSize}|${team}|${subgroups}|${wordsPerLoad}|${xAligned}`,
      slots: () => ({
        ENABLE: subgroups ? "enable subgroups;" : "",
        HELPERS: HELPERS.map((h) => kernelFile(h)!).join("\n"),
        X: xQuadSlot(x.dtype, xAligned), W: wSlot(wordsPerLoad), GROUPS: groupsSlot(p.q, 2, 4, s.dtype, b?.dtype),
        TEAM: team, ROWS: rows, WG: QMV_WORKGROUP, UNIT: unitValues(layout), UNROLL: unroll,
        SUBGROUP_ARGS: subgroups ? ", @builtin(subgroup_size) sg_size: u32" : "",
        ROW_SETUP: rowSetup(layout), MAIN_UNITS: unitsCode(layout, unroll), TAIL_UNIT: unitsCode(layout, 1), SUMS: teamSums(layout, subgroups),
      }),
    },
    gpu.gpuBuffer(res),
    [N, K, wpr, s.shape[nw - 1]!, batches, rowTiles, x.offset, w.offset, s.offset, b?.offset ?? 0],
    [x, w, s, ...(b ? [b] : [])].map((t) => gpu.gpuBuffer(t)),
    batches * rowTiles,
  );
}

function quantizedMatmulKernel(gpu: WebGpuBackend): Kernel {
  return (prim, inputs, out: OutputSpec) =>
    rowMajor(gpu, inputs, (xs) => {
      const p = prim as QuantizedMatmul;
      const { groupSize, bits } = p.q;
      const [x, w, s, b] = xs as [Tensor, Tensor, Tensor, Tensor | undefined];
      const { rows, groups, params, perBatch, batches } = qmmTiles(x, w, s, out.shape, p.transpose);
      const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
      if (groups > 0 && perBatch === 1 && p.transpose) {
        quantizedMatvec(gpu, p, [x, w, s, b], res, batches);
      } else if (groups > 0) {
        gpu.run(
          {
            op: "quantizedMatmul",
            file: "quantized_qmm",
            helpers: HELPERS,
            slots: { X: inputDecl(0, 2, x.dtype), W: inputDecl(1, 3, uint32), GROUPS: groupsSlot(p.q, 2, 4, s.dtype, b?.dtype), ROWS: rows, BITS: bits, GS: groupSize, TRANSPOSE: String(p.transpose) },
          },
          gpu.gpuBuffer(res),
          [...params, b?.offset ?? 0],
          [x, w, s, ...(b ? [b] : [])].map((t) => gpu.gpuBuffer(t)),
          groups,
        );
      }
      return castResult(gpu, res, out);
    });
}

/** The single-output quantized kernels of the table. */
export function quantizedKernels(gpu: WebGpuBackend): Record<string, Kernel> {
  return { dequantize: dequantizeKernel(gpu), quantizedMatmul: quantizedMatmulKernel(gpu) };
}
