// Argument checks shared by the quantization ops (quantized.ts,
// quantized-qqmm.ts): modes, group sizes and bits as MLX allows them, packed
// weights against their scales, global scales, batch indices. Internal: not
// part of the public namespace.

import { MxArray } from "../array.js";
import { isFloating, isInteger, uint32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import type { QuantizationMode, QuantParams } from "../primitives/quantized.js";
import type { Stream } from "../device.js";
import { arange } from "./creation.js";
import { reshape } from "./layout.js";

/** The microscaling modes: their scales are uint8 bits and they have no biases. */
export type MicroscalingMode = Exclude<QuantizationMode, "affine">;

const GROUP_SIZES = [32, 64, 128];
const BITS = [2, 3, 4, 5, 6, 8];
/** Each microscaling mode's fixed group size and bits. */
const MICRO: Record<MicroscalingMode, { groupSize: number; bits: number }> = { mxfp4: { groupSize: 32, bits: 4 }, mxfp8: { groupSize: 32, bits: 8 }, nvfp4: { groupSize: 16, bits: 4 } };

export function checkMode(op: string, mode: unknown): QuantizationMode {
  if (mode === undefined) return "affine";
  if (mode === "affine" || mode === "mxfp4" || mode === "mxfp8" || mode === "nvfp4") return mode;
  throw opError(op, `mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4', got ${describeValue(mode)}`, [], "value");
}

export function quantParams(op: string, groupSize: unknown, bits: unknown, mode: unknown): QuantParams {
  const m = checkMode(op, mode);
  if (m !== "affine") {
    const want = MICRO[m];
    const g = groupSize ?? want.groupSize, b = bits ?? want.bits;
    if (g !== want.groupSize) throw opError(op, `mode '${m}' requires groupSize ${want.groupSize}, got ${describeValue(g)}`, [], "value");
    if (b !== want.bits) throw opError(op, `mode '${m}' requires bits ${want.bits}, got ${describeValue(b)}`, [], "value");
    return { groupSize: want.groupSize, bits: want.bits, mode: m };
  }
  const g = groupSize ?? 64, b = bits ?? 4;
  if (typeof g !== "number" || !GROUP_SIZES.includes(g)) throw opError(op, `groupSize ${describeValue(g)} is not supported; valid: ${GROUP_SIZES.join(", ")}`, [], "value");
  if (typeof b !== "number" || !BITS.includes(b)) throw opError(op, `bits ${describeValue(b)} is not supported; valid: ${BITS.join(", ")}`, [], "value");
  return { groupSize: g, bits: b, mode: m };
}

/** Biases: an array in affine mode, null (or absent) in the microscaling ones. */
export function checkBiases(op: string, biases: unknown, q: QuantParams): MxArray | null {
  if (q.mode === "affine") {
    if (biases === null || biases === undefined) throw opError(op, "biases must be given in affine mode", [], "value");
    return checkArray(op, biases, "biases");
  }
  if (biases !== null && biases !== undefined) throw opError(op, `biases must be null in mode '${q.mode}' (its groups have a scale only)`, [], "value");
  return null;
}

export function checkArray(op: string, x: unknown, name: string): MxArray {
  if (!(x instanceof MxArray)) throw opError(op, `${name} must be an mx array, got ${describeValue(x)}`, [], "type");
  if (x.isDisposed) throw opError(op, `${name} was disposed and can no longer be used`, [x], "value");
  return x;
}

/** MLX's rule for a global scale: nvfp4 only, one float32 element. */
export function checkGlobalScale(op: string, given: unknown, q: QuantParams): MxArray | null {
  if (given === undefined || given === null) return null;
  if (q.mode !== "nvfp4") throw opError(op, `globalScale is only supported in mode 'nvfp4', got mode '${q.mode}'`, [], "value");
  const g = checkArray(op, given, "globalScale");
  if (g.size !== 1) throw opError(op, `globalScale must be a scalar (one element), got shape [${g.shape.join(", ")}]`, [g], "value");
  if (g.dtype.name !== "float32") throw opError(op, `globalScale must be float32, got ${g.dtype.name}`, [g], "type");
  return g;
}

/** w (packed) against scales and biases: uint32 words, same leading shape, K = words * 32 / bits = groups * groupSize. */
export function checkPacked(op: string, w: MxArray, scales: MxArray, biases: MxArray | null, q: QuantParams): number {
  if (w.dtype.name !== "uint32") throw opError(op, `the quantized weights w must be uint32, got ${w.dtype.name}`, [w], "type");
  if (w.ndim < 2) throw opError(op, `the quantized weights w must have at least 2 dimensions, got ${w.ndim}`, [w], "value");
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (biases) {
    if (!isFloating(scales.dtype) || !isFloating(biases.dtype)) throw opError(op, `scales and biases must be real floating arrays, got ${scales.dtype.name} and ${biases.dtype.name}`, [scales, biases], "type");
    if (!same(scales.shape, biases.shape)) throw opError(op, `scales and biases must have the same shape, got [${scales.shape.join(", ")}] and [${biases.shape.join(", ")}]`, [scales, biases], "value");
  } else if (scales.dtype.name !== "uint8") {
    throw opError(op, `scales must be uint8 (the scale bits) in mode '${q.mode}', got ${scales.dtype.name}`, [scales], "type");
  }
  if (scales.ndim !== w.ndim || !same(scales.shape.slice(0, -1), w.shape.slice(0, -1))) {
    throw opError(op, `scales must have w's shape but for the last axis: w [${w.shape.join(", ")}], scales [${scales.shape.join(", ")}]`, [w, scales], "value");
  }
  const K = (w.shape[w.ndim - 1]! * 32) / q.bits;
  if (!Number.isInteger(K) || K !== scales.shape[scales.ndim - 1]! * q.groupSize) {
    throw opError(op, `w [${w.shape.join(", ")}] and scales [${scales.shape.join(", ")}] do not match groupSize ${q.groupSize} and bits ${q.bits}: the last axis unpacks to ${K} values, the scales cover ${scales.shape[scales.ndim - 1]! * q.groupSize}`, [w, scales], "value");
  }
  return K;
}

/** Indices into the flattened batch `batch` of `name`'s array: the given integer array, or all of them in order. */
export function batchIndices(op: string, given: unknown, name: string, batch: readonly number[], s: Stream): MxArray {
  if (given === undefined) return reshape(arange(0, batch.reduce((a, d) => a * d, 1), 1, { dtype: uint32, stream: s }), [...batch], { stream: s });
  const idx = checkArray(op, given, name);
  if (!isInteger(idx.dtype)) throw opError(op, `${name} must be an integer array, got ${idx.dtype.name}`, [idx], "type");
  return idx;
}

