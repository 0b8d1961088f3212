// WebGPU quantized kernels (wgsl/quantized_*.wgsl) in MLX's layouts (affine,
// mxfp4, mxfp8, nvfp4): quantize (a dispatch over the groups per output:
// scales, biases, packed words), dequantize (a thread per value) and the
// quantized matmul, which unpacks weights in registers: one row of x by
// transposed weights takes the matrix-vector kernel (quantized_qmv: whole
// words per lane, subgroup sums), else quantized_qmm (tiles of 8 rows of x).
// Float results are float32 words and scale bits u32 words, cast after.

import type { Kernel, MultiKernel, OutputSpec, Tensor } from "../backend.js";
import { qmmTiles } from "../quantized-tiles.js";
import { float32, uint32, uint8, type DType } from "../../src/dtype.js";
import type { Dequantize, QuantizedMatmul, Quantize, QuantParams } from "../../src/primitives/quantized.js";
import { sizeOf } from "../../src/shape.js";
import { withRowMajor } from "../row-major.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult, contiguousCopy } from "./elementwise.js";
import { kernelFile } from "./kernel-files.js";

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
  const global = globalAt === undefined ? "" : ` * (bitcast<f32>(in${k + 1}[${globalAt}]) / 2688.0)`;
  return `${inputDecl(k, binding, uint8)}${globalAt === undefined ? "" : `\n@group(0) @binding(${binding + 1}) var<storage, read> in${k + 1}: array<u32>;`}
fn scale_at(e: u32) -> f32 { return ${q.mode === "nvfp4" ? "e4m3_decode" : "e8m0_decode"}(load_${k}(e))${global}; }
fn bias_at(e: u32) -> f32 { return 0.0; }
fn decode(c: u32) -> f32 { return ${q.bits === 8 ? "e4m3_decode" : "e2m1_decode"}(c); }`;
}

const HELPERS = ["dtypes", "quantized_formats"];

/** quantize's ENC slot: no global scale, or nvfp4's 448 * 6 / globalScale (the float32 at binding 3, word params[2]), as MLX's kernel. */
const ENC_ONE = "fn scale_enc() -> f32 { return 1.0; }";
const ENC_GLOBAL = "@group(0) @binding(3) var<storage, read> in1: array<u32>;\nfn scale_enc() -> f32 { return 2688.0 / bitcast<f32>(in1[params[2]]); }";

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

/** Columns of w each team of the matrix-vector kernel owns. */
const QMV_COLS = 8;

/** Most words a lane of the matrix-vector kernel unpacks per unit (more only where whole values need it: 3, 5, 6 bits). */
const QMV_UNIT_WORDS = 2;

/**
 * The lanes of one team of the matrix-vector kernel: the device's subgroup
 * size where it has one fixed size from 4 to 64 (the team sums by
 * subgroupAdd), else 32 (summed through workgroup memory).
 */
function qmvTeam(gpu: WebGpuBackend): { team: number; subgroups: boolean } {
  const info = (gpu.ctx.adapter as { info?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).info;
  const size = info?.subgroupMinSize;
  const fixed = gpu.ctx.features.has("subgroups") && size !== undefined && size === info?.subgroupMaxSize && [4, 8, 16, 32, 64].includes(size);
  return fixed ? { team: size, subgroups: true } : { team: 32, subgroups: false };
}

/** Words per unit of the matrix-vector kernel: the fewest holding whole values, doubled up to QMV_UNIT_WORDS within one group. */
function qmvUnitWords(bits: number, groupSize: number): number {
  let words = bits / gcd(bits, 32);
  while (words * 2 <= QMV_UNIT_WORDS && (words * 2 * 32) / bits <= groupSize) words *= 2;
  return words;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** The team sums by subgroupAdd, kept only when every team is exactly one full subgroup. */
const SUBGROUP_SUM = `for (var j = 0u; j < COLS; j++) { total[j] = subgroupAdd(acc[j]); }
  let members = subgroupAdd(1u);
  let first_team = subgroupBroadcastFirst(team);
  if (!subgroupAll(sg_size == TEAM && members == TEAM && first_team == team)) { misfit = 1u; }
  by_subgroup = workgroupUniformLoad(&misfit) == 0u;`;

/** x [batches, 1, K] by transposed w [batches, N, K]: the matrix-vector kernel (wgsl/quantized_qmv.wgsl). */
function quantizedMatvec(gpu: WebGpuBackend, p: QuantizedMatmul, [x, w, s, b]: [Tensor, Tensor, Tensor, Tensor | undefined], res: Tensor, batches: number): void {
  const { groupSize, bits } = p.q;
  const nw = w.shape.length;
  const N = w.shape[nw - 2]!, K = x.shape[x.shape.length - 1]!;
  const { team, subgroups } = qmvTeam(gpu);
  const unitWords = qmvUnitWords(bits, groupSize);
  const colTiles = Math.ceil(N / ((256 / team) * QMV_COLS));
  gpu.run(
    {
      op: "quantizedMatmul",
      file: "quantized_qmv",
      helpers: [],
      key: `${[x, w, s, b].map((t) => t?.dtype.name).join(",")}|${p.q.mode}|${bits}|${groupSize}|${team}|${subgroups}`,
      slots: () => ({
        ENABLE: subgroups ? "enable subgroups;" : "",
        HELPERS: HELPERS.map((h) => kernelFile(h)!).join("\n"),
        X: inputDecl(0, 2, x.dtype), W: inputDecl(1, 3, uint32), GROUPS: groupsSlot(p.q, 2, 4, s.dtype, b?.dtype),
        BITS: bits, GS: groupSize, UNIT_WORDS: unitWords, TEAM: team, COLS: QMV_COLS,
        SCRATCH: Math.max(256 * QMV_COLS, ((team + 1) * unitWords * 32) / bits),
        SUBGROUP_ARGS: subgroups ? ", @builtin(subgroup_size) sg_size: u32" : "",
        SUBGROUP_SUM: subgroups ? SUBGROUP_SUM : "",
      }),
    },
    gpu.gpuBuffer(res),
    [N, K, w.shape[nw - 1]!, s.shape[nw - 1]!, batches, colTiles, x.offset, w.offset, s.offset, b?.offset ?? 0],
    [x, w, s, ...(b ? [b] : [])].map((t) => gpu.gpuBuffer(t)),
    batches * colTiles,
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
