// Stride arithmetic every backend needs: reading a tensor as a broadcast
// shape, merging dimensions that all operands walk contiguously, the
// row-major test, and a parameter vector's offset and stride.

import type { Tensor } from "./backend.js";
import { sameShape, sizeOf } from "../src/shape.js";

/** `t` read as `shape` by NumPy broadcasting: left-padded, size-1 dims get stride 0 (no reference taken). */
export function broadcastView(t: Tensor, shape: readonly number[]): Tensor {
  const pad = shape.length - t.shape.length;
  if (pad === 0 && t.shape.every((d, i) => d === shape[i])) return t;
  const strides = shape.map((d, i) => (i < pad || (t.shape[i - pad] === 1 && d !== 1) ? 0 : t.strides[i - pad]!));
  return { ...t, shape, strides };
}

/**
 * Merges adjacent dims that every operand walks contiguously and drops size-1
 * dims, so loops run over as few and as long rows as possible.
 */
export function collapseDims(shape: readonly number[], strides: (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const keep = [...shape.keys()].filter((d) => shape[d] !== 1);
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (const d of keep) {
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k]![last] === s[d]! * shape[d]!)) {
      outShape[last]! *= shape[d]!;
      strides.forEach((s, k) => (outStrides[k]![last] = s[d]!));
    } else {
      outShape.push(shape[d]!);
      strides.forEach((s, k) => outStrides[k]!.push(s[d]!));
    }
  }
  return { shape: outShape, strides: outStrides };
}

/** True when `strides` are the row-major strides of `shape` (size-1 dims ignored). */
export function isRowMajor(shape: readonly number[], strides: readonly number[]): boolean {
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== acc) return false;
    acc *= shape[d]!;
  }
  return true;
}

/** Whether every operand is a single element or contiguous in `shape` (elementwiseLayout's one linear dim). */
function allLinear(operands: readonly Tensor[], shape: readonly number[]): boolean {
  for (const x of operands) if (sizeOf(x.shape) !== 1 && !(sameShape(x.shape, shape) && isRowMajor(x.shape, x.strides))) return false;
  return true;
}

/**
 * The layout words of an elementwise kernel over `shape`: [n, ndim, shape,
 * then per operand: offset, strides] (signed, in elements), operands read as
 * broadcast to `shape` and dims merged; when every operand is contiguous in
 * `shape` or a single element, one linear dim.
 */
export function elementwiseLayout(operands: readonly Tensor[], shape: readonly number[]): number[] {
  const n = sizeOf(shape);
  if (allLinear(operands, shape)) {
    const words = [n, 1, n];
    for (const x of operands) words.push(x.offset, n > 1 && sizeOf(x.shape) > 1 ? 1 : 0);
    return words;
  }
  const views = operands.map((x) => broadcastView(x, shape));
  const c = collapseDims(shape, views.map((v) => v.strides));
  const words = [n, c.shape.length, ...c.shape];
  views.forEach((v, k) => words.push(v.offset, ...c.strides[k]!));
  return words;
}

/** Offset and stride of a 0-d or 1-D parameter tensor (stride 0 when it holds one value): how kernels read a weight, bias or offset vector. */
export function offsetAndStride(t: { readonly shape: readonly number[]; readonly strides: readonly number[]; readonly offset: number }): [number, number] {
  return [t.offset, sizeOf(t.shape) === 1 ? 0 : t.strides[0]!];
}
