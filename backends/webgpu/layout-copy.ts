// The contiguous copy of a view on WebGPU, every bit kept: a tiled transpose
// (wgsl/transpose.wgsl) where the output's contiguous dim is read with a
// stride and another dim is the input's contiguous one, else the caller's
// per-element copy on the view's unsigned-integer dtype of the same size.

import type { Tensor } from "../backend.js";
import { bitsOf } from "../dtype-view.js";
import { collapseDims } from "../strides.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { elementsPerWord } from "./codegen.js";

const THREADS = 256;
/** The shortest P and L extents worth a tile (shorter ones leave most of a tile's invocations idle). */
const MIN_EXTENT = 16;

/** A tile's extents per elements-per-word: TP along the input's contiguous dim, TL along the output's. */
const TILES: Record<number, { tp: number; tl: number }> = {
  1: { tp: 32, tl: 64 },
  2: { tp: 64, tl: 64 },
  4: { tp: 64, tl: 128 },
};

/** The unrolled phases of wgsl/transpose.wgsl for `epw` elements per word. */
function transposeSlots(epw: number): Record<string, string | number> {
  const { tp, tl } = TILES[epw]!;
  const bits = 32 / epw;
  const wordRows = tl / epw;
  const rowsPerStep = THREADS / tp;
  const loads: string[] = [`let pl = p0 + lid % ${tp}u;`, `let lr = lid / ${tp}u;`, `let load_ok = live && pl < np;`, `let p_off = in_base + i32(pl) * bitcast<i32>(params[8u + 3u * params[5]]);`];
  const tileStores: string[] = [];
  for (let k = 0; k < (wordRows * tp) / THREADS; k++) {
    const parts: string[] = [];
    for (let j = 0; j < epw; j++) {
      const l = `l_${k}_${j}`;
      loads.push(`let ${l} = l0 + (lr + ${k * rowsPerStep}u) * ${epw}u + ${j}u; var x_${k}_${j} = 0u; if (load_ok && ${l} < nl) { x_${k}_${j} = load_elem(u32(p_off + i32(${l}) * sl)); }`);
      parts.push(j === 0 ? `x_${k}_0` : `(x_${k}_${j} << ${j * bits}u)`);
    }
    tileStores.push(`tile[(lr + ${k * rowsPerStep}u) * ${tp + 1}u + lid % ${tp}u] = ${parts.join(" | ")};`);
  }
  const storeRowsPerStep = THREADS / wordRows;
  const stores: string[] = [`let wc = lid % ${wordRows}u;`, `let pr = lid / ${wordRows}u;`, `let lo = l0 + wc * ${epw}u;`, `let store_ok = live && lo < nl;`];
  const writes: string[] = [];
  for (let k = 0; k < tp / storeRowsPerStep; k++) {
    stores.push(`let v_${k} = tile[wc * ${tp + 1}u + pr + ${k * storeRowsPerStep}u];`);
    const p = `(p0 + pr + ${k * storeRowsPerStep}u)`;
    writes.push(`if (store_ok && ${p} < np) { out_words[(out_base + ${p} * op + lo) / ${epw}u] = v_${k}; }`);
  }
  const shift = Math.log2(epw);
  return {
    TILE_WORDS: wordRows * (tp + 1),
    TP: tp,
    TL: tl,
    LOAD_ELEM: epw === 1 ? "return in_words[e];" : `return (in_words[e >> ${shift}u] >> ((e & ${epw - 1}u) * ${bits}u)) & ${(2 ** bits - 1).toString()}u;`,
    LOADS: loads.join("\n  "),
    TILE_STORES: tileStores.join("\n  "),
    STORES: [...stores, ...writes].join("\n  "),
  };
}

const calls = new Map<number, KernelCall>();
function transposeCall(epw: number): KernelCall {
  let call = calls.get(epw);
  if (!call) calls.set(epw, (call = { op: "copy", file: "transpose", helpers: [], key: `epw${epw}`, slots: () => transposeSlots(epw) }));
  return call;
}

/**
 * A row-major copy of `t` through the tiled transpose, or undefined when `t`
 * (its dims merged where both it and the copy walk them contiguously) has its
 * last dim contiguous already, no dim of stride +-1, a dtype of 64 bits, a
 * last dim that packed words would straddle, or extents too short for a tile.
 */
export function tiledTranspose(gpu: WebGpuBackend, t: Tensor): Tensor | undefined {
  if (t.dtype.size > 4) return undefined;
  const epw = elementsPerWord(t.dtype);
  const { shape, strides } = collapseDims(t.shape, [rowMajorStrides(t.shape), t.strides]);
  const [outStrides, inStrides] = strides as [number[], number[]];
  const last = shape.length - 1;
  if (last < 1 || Math.abs(inStrides[last]!) === 1) return undefined;
  const p = inStrides.findIndex((s) => Math.abs(s) === 1);
  if (p < 0 || shape[p]! < MIN_EXTENT || shape[last]! < MIN_EXTENT || shape[last]! % epw !== 0) return undefined;
  const batch = [...shape.keys()].filter((d) => d !== p && d !== last);
  const { tp, tl } = TILES[epw]!;
  const tilesP = Math.ceil(shape[p]! / tp);
  const tilesL = Math.ceil(shape[last]! / tl);
  const params = [shape[p]!, shape[last]!, inStrides[last]!, outStrides[p]!, t.offset, batch.length, tilesP, tilesL];
  for (const d of batch) params.push(shape[d]!, inStrides[d]!, outStrides[d]!);
  params.push(inStrides[p]!);
  const out = gpu.allocOutput({ shape: t.shape, dtype: t.dtype });
  const groups = tilesP * tilesL * batch.reduce((a, d) => a * shape[d]!, 1);
  if (sizeOf(t.shape) > 0) gpu.run(transposeCall(epw), gpu.gpuBuffer(out), params, [gpu.gpuBuffer(t)], groups);
  return out;
}

/** A row-major copy of `t`, bit for bit: the tiled transpose where it applies, else `perElement` of `t` viewed as the unsigned dtype of its item size (bitsOf). */
export function layoutCopy(gpu: WebGpuBackend, t: Tensor, perElement: (bits: Tensor) => Tensor): Tensor {
  const tiled = tiledTranspose(gpu, t);
  if (tiled) return tiled;
  return { ...perElement({ ...t, dtype: bitsOf(t.dtype.size) }), dtype: t.dtype };
}
