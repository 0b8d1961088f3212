// The contiguous copy of a view on WebGPU, every bit kept: a tiled transpose
// where the output's contiguous dim is read with a stride and another dim is
// the input's contiguous one (by whole words, wgsl/transpose-words.wgsl, where
// the input's packed words line up; else element by element,
// wgsl/transpose.wgsl), else the caller's per-element copy on the view's
// unsigned-integer dtype of the same size.

import type { Tensor } from "../backend.js";
import { bitsOf } from "../dtype-view.js";
import { collapseDims } from "../strides.js";
import { rowMajorStrides, sizeOf } from "../../src/shape.js";
import type { KernelCall, WebGpuBackend } from "./backend.js";
import { elementsPerWord } from "./codegen.js";
import { wordTile, wordTransposeCall } from "./transpose-words.js";

const THREADS = 256;
/** The shortest P and L extents worth a tile (shorter ones leave most of a tile's invocations idle). */
const MIN_EXTENT = 16;

/** The element tile's extents per elements-per-word (8- and 16-bit views whose words do not line up): TP along the input's contiguous dim, TL along the output's. */
const TILES: Record<number, { tp: number; tl: number }> = {
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
    LOAD_ELEM: `return (in_words[e >> ${shift}u] >> ((e & ${epw - 1}u) * ${bits}u)) & ${(2 ** bits - 1).toString()}u;`,
    LOADS: loads.join("\n  "),
    TILE_STORES: tileStores.join("\n  "),
    STORES: [...stores, ...writes].join("\n  "),
  };
}

const calls = new Map<number, KernelCall>();
function transposeCall(epw: number): KernelCall {
  let call = calls.get(epw);
  if (!call) calls.set(epw, (call = { op: "copy", file: "transpose", helpers: ["transpose-tile"], key: `epw${epw}`, slots: () => transposeSlots(epw) }));
  return call;
}

/**
 * Whether the transpose by whole words applies: the packed words of the view
 * line up along P (its contiguous dim), each element of P at the same place
 * in its word for every row and batch index, i.e. the other dims' strides are
 * whole words (always so for 32 bits); and the device holds its tile.
 */
function byWholeWords(gpu: WebGpuBackend, epw: number, inStrides: readonly number[], p: number): boolean {
  return inStrides.every((s, d) => d === p || s % epw === 0) && wordTile(epw).bytes <= gpu.ctx.device.limits.maxComputeWorkgroupStorageSize;
}

/**
 * A row-major copy of `t` through a tiled transpose, or undefined when `t`
 * (its dims merged where both it and the copy walk them contiguously) has its
 * last dim contiguous already, no dim of stride +-1, a dtype of 64 bits, a
 * last dim that packed words would straddle, or extents too short for a tile.
 * The word tile serves every view whose words line up (and whose tile the
 * device's workgroup memory holds: 8-bit needs 16.5 KB), the element tile the other 8- and 16-bit ones.
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
  const byWords = byWholeWords(gpu, epw, inStrides, p);
  const reversed = inStrides[p]! < 0;
  // by words: the tile's first P shifted down to where a word starts (forwards: the offset's place in its word; backwards: its distance from the word's end)
  const shiftP = !byWords ? 0 : reversed ? epw - 1 - (t.offset % epw) : t.offset % epw;
  const tile = byWords ? wordTile(epw) : TILES[epw];
  if (!tile) return undefined;
  const { tp, tl } = tile;
  const tilesP = Math.ceil((shape[p]! + shiftP) / tp);
  const tilesL = Math.ceil(shape[last]! / tl);
  const params = [shape[p]!, shape[last]!, inStrides[last]!, outStrides[p]!, t.offset, batch.length, tilesP, tilesL];
  for (const d of batch) params.push(shape[d]!, inStrides[d]!, outStrides[d]!);
  params.push(inStrides[p]!);
  if (byWords) params.push(shiftP);
  const out = gpu.allocOutput({ shape: t.shape, dtype: t.dtype });
  const groups = tilesP * tilesL * batch.reduce((a, d) => a * shape[d]!, 1);
  if (sizeOf(t.shape) > 0) gpu.run(byWords ? wordTransposeCall(epw, reversed) : transposeCall(epw), gpu.gpuBuffer(out), params, [gpu.gpuBuffer(t)], groups);
  return out;
}

/** A row-major copy of `t`, bit for bit: the tiled transpose where it applies, else `perElement` of `t` viewed as the unsigned dtype of its item size (bitsOf). */
export function layoutCopy(gpu: WebGpuBackend, t: Tensor, perElement: (bits: Tensor) => Tensor): Tensor {
  const tiled = tiledTranspose(gpu, t);
  if (tiled) return tiled;
  return { ...perElement({ ...t, dtype: bitsOf(t.dtype.size) }), dtype: t.dtype };
}
