// 8-bit integer matmul on subgroup matrices (wgsl/matmul-int8.wgsl): where
// the adapter offers Dawn's chromium-experimental-subgroup-matrix with an
// int8 -> int32 (uint8 -> uint32) configuration, int8 @ int8 (uint8 @ uint8)
// runs on the matrix units with exact integer sums, each stored as float32
// rounded once: the reference's result bit for bit. Other shapes, layouts
// and adapters take the float32 kernel.

import type { Tensor } from "../backend.js";
import { int8, uint8, float32 } from "../../src/dtype.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { fixedSubgroupSize } from "./device.js";

/** The subgroup-matrix feature as Dawn names it. */
export const SUBGROUP_MATRIX_FEATURE = "chromium-experimental-subgroup-matrix";

/** One configuration an adapter lists: component and result types, fragment M x N x K. */
interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

/** Fragments per subgroup's tile (rows x columns): 2 x 4 measured fastest of 2x2, 4x2, 2x4, 4x4 on the H200 at 4096. */
const FM = 2, FN = 4;

/**
 * Largest K with no overflow: |a b| <= 2^14 for int8 and a b < 2^16 for
 * uint8, so with K <= 2^15 every partial sum stays below 2^29 (int32) and
 * 2^31 (uint32).
 */
const MAX_K = 2 ** 15;

/** The adapter's configuration for `component` -> `result` (the 16x16 one where there are several), if any. */
function configFor(gpu: WebGpuBackend, component: "i8" | "u8", result: "i32" | "u32"): SubgroupMatrixConfig | undefined {
  if (!gpu.ctx.features.has(SUBGROUP_MATRIX_FEATURE)) return undefined;
  const info = (gpu.ctx.adapter as { info?: { subgroupMatrixConfigs?: SubgroupMatrixConfig[] } }).info;
  const all = (info?.subgroupMatrixConfigs ?? []).filter((c) => c.componentType === component && c.resultComponentType === result);
  return all.find((c) => c.M === 16 && c.N === 16) ?? all[0];
}

/** How an operand is read: its last two dims' leading dimension, whether column-major, and its per-batch stride. */
interface Layout {
  ld: number;
  colMajor: boolean;
  batchStride: number;
}

/**
 * The layout of a [..., R, C] operand whose matrices are row-major (strides
 * [C', 1], C' >= C) or column-major ([1, R'], R' >= R), stacked with one
 * batch stride over the flattened batch (0 where broadcast); undefined for
 * any other layout or an offset or stride the 4-byte words cannot express.
 */
function layoutOf(x: Tensor, batchShape: readonly number[]): Layout | undefined {
  const nd = x.shape.length;
  const [R, C] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const [rs, cs] = [x.strides[nd - 2]!, x.strides[nd - 1]!];
  let colMajor: boolean, ld: number;
  if (cs === 1 && rs >= C) [colMajor, ld] = [false, rs];
  else if (rs === 1 && cs >= R) [colMajor, ld] = [true, cs];
  else return undefined;
  // the batch dims flatten to one stride: all of size 1 (broadcast: stride 0), or the output's
  // batch dims (fewer leading ones allowed) stacked evenly (each stride the next one's span)
  const xb = x.shape.slice(0, -2), xs = x.strides.slice(0, -2);
  let batchStride = 0;
  if (xb.some((d) => d !== 1)) {
    const pad = batchShape.length - xb.length;
    if (pad < 0 || batchShape.slice(0, pad).some((d) => d !== 1) || xb.some((d, i) => d !== batchShape[pad + i])) return undefined;
    let span = -1;
    for (let i = xb.length - 1; i >= 0; i--) {
      if (xb[i] === 1) continue;
      if (span === -1) batchStride = xs[i]!;
      else if (xs[i] !== span) return undefined;
      span = xs[i]! * xb[i]!;
    }
    if (batchStride < 0) return undefined;
  }
  if (x.offset % 4 !== 0 || ld % 4 !== 0 || batchStride % 4 !== 0) return undefined;
  return { ld, colMajor, batchStride };
}

/** A planned launch: the kernel call, its params and workgroups. */
interface Int8Plan {
  call: KernelCall;
  params: number[];
  groups: number;
}

/**
 * wgsl/matmul-int8.wgsl's generated slots: the FM x FN accumulators, the
 * fragments of one K step loaded from the operands in memory (element
 * type T), their multiply-accumulates, and the stores of the tile into
 * workgroup memory (result type R).
 */
function fragmentCode(T: string, R: string, cfg: SubgroupMatrixConfig, la: Layout, lb: Layout): Record<string, string> {
  const accs: string[] = [], loads: string[] = [], mmas: string[] = [], stores: string[] = [];
  for (let i = 0; i < FM; i++) loads.push(`let a${i} = subgroupMatrixLoad<subgroup_matrix_left<${T}, ${cfg.K}, ${cfg.M}>>(&a, a_at(a_base, row0 + ${i * cfg.M}u, k, lda), ${la.colMajor}, lda);`);
  for (let j = 0; j < FN; j++) loads.push(`let b${j} = subgroupMatrixLoad<subgroup_matrix_right<${T}, ${cfg.N}, ${cfg.K}>>(&b, b_at(b_base, k, col0 + ${j * cfg.N}u, ldb), ${lb.colMajor}, ldb);`);
  for (let i = 0; i < FM; i++) {
    for (let j = 0; j < FN; j++) {
      accs.push(`var acc_${i}_${j} = subgroup_matrix_result<${R}, ${cfg.N}, ${cfg.M}>();`);
      mmas.push(`acc_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, acc_${i}_${j});`);
      stores.push(`subgroupMatrixStore(&tile, ${i * cfg.M * FN * cfg.N + j * cfg.N}u, acc_${i}_${j}, false, TILE_N);`);
    }
  }
  return { ACCS: accs.join("\n  "), LOADS: loads.join("\n    "), MMAS: mmas.join("\n    "), STORES: stores.join("\n  ") };
}

/** The launch of C = A @ B (C of `shape`) on subgroup matrices, or undefined where it does not apply. */
export function int8MatmulPlan(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[]): Int8Plan | undefined {
  const signed = a.dtype === int8 && b.dtype === int8;
  if (!signed && !(a.dtype === uint8 && b.dtype === uint8)) return undefined;
  const cfg = configFor(gpu, signed ? "i8" : "u8", signed ? "i32" : "u32");
  const sg = fixedSubgroupSize(gpu.ctx);
  if (!cfg || sg === undefined) return undefined;
  const nd = shape.length;
  const M = a.shape[a.shape.length - 2]!, K = a.shape[a.shape.length - 1]!, N = b.shape[b.shape.length - 1]!;
  const tileM = FM * cfg.M, tileN = FN * cfg.N;
  if (M % tileM !== 0 || N % tileN !== 0 || K % cfg.K !== 0 || K === 0 || K > MAX_K) return undefined;
  if (shape.reduce((s, d) => s * d, 1) >= 2 ** 32) return undefined;
  const batchShape = shape.slice(0, nd - 2);
  const la = layoutOf(a, batchShape), lb = layoutOf(b, batchShape);
  if (!la || !lb) return undefined;
  const batches = batchShape.reduce((s, d) => s * d, 1);
  const [T, R] = signed ? ["i8", "i32"] : ["u8", "u32"];
  const tilesN = N / tileN, tiles = (M / tileM) * tilesN;
  const call: KernelCall = {
    op: "matmul",
    file: "matmul-int8",
    helpers: [],
    key: `${T}|${cfg.M}x${cfg.N}x${cfg.K}|${sg}|${la.colMajor}|${lb.colMajor}`,
    slots: () => ({
      R, SG: sg, MS: cfg.M, NS: cfg.N, KS: cfg.K, FM, FN, COLMAJOR_A: String(la.colMajor), COLMAJOR_B: String(lb.colMajor),
      ...fragmentCode(T, R, cfg, la, lb),
    }),
  };
  const params = [M, N, K, tilesN, tiles, tiles * batches, a.offset, la.batchStride, b.offset, lb.batchStride, la.ld, lb.ld];
  return { call, params, groups: tiles * batches };
}

/** Runs `plan` into a new float32 tensor of `shape`. */
export function encodeInt8Matmul(gpu: WebGpuBackend, a: Tensor, b: Tensor, shape: readonly number[], plan: Int8Plan): Tensor {
  const res = gpu.allocOutput({ shape, dtype: float32 });
  if (plan.groups > 0) gpu.run(plan.call, gpu.gpuBuffer(res), plan.params, [gpu.gpuBuffer(a), gpu.gpuBuffer(b)], plan.groups);
  return res;
}
