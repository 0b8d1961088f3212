// WebGPU kernels of mx.fast.scaledDotProductAttention: with head dims up to
// 128 and rows contiguous along the head dim, 64 query rows and more take the
// blocked flash attention (wgsl/fast-attention-blocked.wgsl), 9 to 63 the
// register-tiled one (wgsl/fast-attention-tiled.wgsl); the rest (a few query
// rows, wide heads, rows strided along the head dim) the general one
// (wgsl/fast-attention.wgsl), its tiles sized to the device's workgroup memory
// (at most 32 KiB of it). q, k, v and the mask are read through their strides.

import type { Kernel, OutputSpec, Tensor } from "../backend.js";
import { attentionOperands, attentionWords, type AttentionOperands } from "../attention-operands.js";
import { float32 } from "../../src/dtype.js";
import type { ScaledDotProductAttention } from "../../src/primitives/fast-attention.js";
import type { WebGpuBackend } from "./backend.js";
import { inputDecl } from "./codegen.js";
import { castResult } from "./elementwise.js";
import { scalarWord } from "../scalar-word.js";

/** Whether 64 query rows and more take the blocked kernel (false: the tiled one, for A/B timings). */
const BLOCKED_ATTENTION = true;
/** Invocations per workgroup of the general kernel. */
const THREADS = 64;
/** Bytes of workgroup memory the tiles may take at most. */
const MAX_WORKGROUP_BYTES = 32768;

/**
 * Rows per workgroup (1 for a single query row, else 16, halved while the q
 * tile would take over half of `floats`), invocations per row, accumulators
 * (vec4s) per invocation, keys per tile (what is left of `floats`, at most 64).
 */
function attentionTiles(Lq: number, D4: number, DV: number, floats: number): { BQ: number; TPR: number; DVT: number; BK: number } {
  let BQ = Lq <= 1 ? 1 : 16;
  while (BQ > 1 && BQ * D4 * 4 > floats / 2) BQ /= 2;
  const TPR = THREADS / BQ;
  const DVT = Math.max(1, Math.ceil(DV / 4 / TPR));
  const BK = Math.min(64, Math.floor((floats - BQ * D4 * 4) / (D4 * 4 + 4 * DVT * TPR + 2 * BQ)));
  return { BQ, TPR, DVT, BK };
}

/** The tiled kernel's vec4s per q/k row (D4), its padded row stride (QS), vec4s per v row (DV4), and its workgroup bytes. */
function tiledShape(D: number, DV: number): { D4: number; QS: number; DV4: number; bytes: number } {
  const D4 = Math.max(1, Math.ceil(D / 4)), DV4 = Math.ceil(DV / 4);
  // an odd row stride (in vec4s) starts the tile's rows in different banks
  const QS = D4 % 2 === 1 ? D4 : D4 + 1;
  return { D4, QS, DV4, bytes: 16 * (32 * QS + 16 * Math.max(QS, DV4)) + 4 * (512 + 128 + 32) };
}

/** Head dims up to 128, q, k and v rows contiguous along the head dim: what the tiled and blocked kernels read. */
function rowsFit(o: AttentionOperands): boolean {
  const unit = (t: Tensor) => t.shape[3] === 1 || t.strides[3] === 1;
  return o.D <= 128 && o.DV <= 128 && unit(o.q) && unit(o.k) && unit(o.v);
}

/** Whether the tiled kernel takes these operands: a block of rows that fits its tiles. */
function tiledFits(o: AttentionOperands, workgroupBytes: number): boolean {
  return o.Lq > 8 && rowsFit(o) && tiledShape(o.D, o.DV).bytes <= workgroupBytes;
}

/** The blocked kernel's workgroup bytes: the Q/K (or V) chunk, P of a 64 x 64 tile, the rows' exchange. */
const BLOCKED_BYTES = 16 * (544 + 1024 + 256);

/** Whether the blocked kernel takes these operands: 64 query rows or more. */
function blockedFits(o: AttentionOperands, workgroupBytes: number): boolean {
  return BLOCKED_ATTENTION && o.Lq >= 64 && rowsFit(o) && BLOCKED_BYTES <= workgroupBytes;
}

function runBlocked(gpu: WebGpuBackend, prim: ScaledDotProductAttention, o: AttentionOperands, res: Tensor): void {
  const DV4 = Math.ceil(o.DV / 4);
  // keys per V chunk: as many of 64, 32, 16 as fit the Q and K chunks' 544 vec4s
  const VK = [64, 32, 16].find((n) => n * DV4 <= 544)!;
  const blocks = Math.ceil(o.Lq / 64);
  const groups = o.B * o.Hq * blocks;
  const bound = [o.q, o.k, o.v, o.mask ?? o.q, o.sinks ?? o.q];
  const slots = {
    INPUTS: bound.map((t, i) => inputDecl(i, i + 2, t.dtype)).join("\n"),
    DV4, VK,
  };
  const params = attentionWords(prim, o, blocks, groups, (x) => scalarWord(x, float32));
  gpu.run({ op: prim.name, file: "fast-attention-blocked", helpers: ["dtypes", "math", "attention-index"], slots }, gpu.gpuBuffer(res), params, bound.map((t) => gpu.gpuBuffer(t)), groups);
}

function runTiled(gpu: WebGpuBackend, prim: ScaledDotProductAttention, o: AttentionOperands, res: Tensor): void {
  const { D4, QS, DV4 } = tiledShape(o.D, o.DV);
  const blocks = Math.ceil(o.Lq / 32);
  const groups = o.B * o.Hq * blocks;
  const bound = [o.q, o.k, o.v, o.mask ?? o.q, o.sinks ?? o.q];
  const slots = {
    INPUTS: bound.map((t, i) => inputDecl(i, i + 2, t.dtype)).join("\n"),
    D4, QS, DV4, QT: 32 * QS, KV: 16 * Math.max(QS, DV4),
  };
  const params = attentionWords(prim, o, blocks, groups, (x) => scalarWord(x, float32));
  gpu.run({ op: prim.name, file: "fast-attention-tiled", helpers: ["dtypes", "math", "attention-index"], slots }, gpu.gpuBuffer(res), params, bound.map((t) => gpu.gpuBuffer(t)), groups);
}

export function attentionKernel(gpu: WebGpuBackend): Kernel {
  return (prim, inputs, out: OutputSpec) => {
    const o = attentionOperands(prim as ScaledDotProductAttention, inputs);
    const { q, k, v, mask, sinks, B, Hq, Lq, D, DV } = o;
    const workgroupBytes = Math.min(MAX_WORKGROUP_BYTES, gpu.ctx.device.limits.maxComputeWorkgroupStorageSize);
    if (B * Hq * Lq > 0 && DV > 0 && blockedFits(o, workgroupBytes)) {
      const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
      runBlocked(gpu, prim as ScaledDotProductAttention, o, res);
      return castResult(gpu, res, out);
    }
    if (B * Hq * Lq > 0 && DV > 0 && tiledFits(o, workgroupBytes)) {
      const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
      runTiled(gpu, prim as ScaledDotProductAttention, o, res);
      return castResult(gpu, res, out);
    }
    const D4 = Math.max(1, Math.ceil(D / 16)) * 4;
    const floats = workgroupBytes / 4;
    const { BQ, TPR, DVT, BK } = attentionTiles(Lq, D4, DV, floats);
    if (BK < 1) throw new RangeError(`[fast.scaledDotProductAttention] head dims D = ${D} and Dv = ${DV} do not fit one query row and one key's tile in this device's ${floats * 4} bytes of workgroup memory`);
    const res = gpu.allocOutput({ shape: out.shape, dtype: float32 });
    const blocks = Math.ceil(Lq / BQ);
    const groups = B * Hq * blocks;
    if (groups > 0 && DV > 0) {
      const bound = [q, k, v, mask ?? q, sinks ?? q];
      const slots = {
        INPUTS: bound.map((t, i) => inputDecl(i, i + 2, t.dtype)).join("\n"),
        D4, BQ, TPR, BK, DVT,
        QT: BQ * D4, KT: BK * D4, VT: BK * DVT * TPR, ST: BQ * BK,
      };
      const params = attentionWords(prim as ScaledDotProductAttention, o, blocks, groups, (x) => scalarWord(x, float32));
      gpu.run({ op: prim.name, file: "fast-attention", helpers: ["dtypes", "math", "attention-index"], slots }, gpu.gpuBuffer(res), params, bound.map((t) => gpu.gpuBuffer(t)), groups);
    }
    return castResult(gpu, res, out);
  };
}
