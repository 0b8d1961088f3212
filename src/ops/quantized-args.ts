// Argument checks shared by the quantization ops (quantized.ts,
// quantized-qqmm.ts): modes, group sizes and bits as MLX allows them, packed
// weights against their scales, global scales, batch indices. Internal: not
// part of the public namespace.

import { MxArray } from "../array.js";
import { isInteger, uint32 } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkGlobalScaleSpec, checkQuantParams, MICRO, type QuantizationMode, type QuantParams } from "../primitives/quantized.js";
import type { Stream } from "../device.js";
import { arange } from "./creation.js";
import { reshape } from "./layout.js";

/** The microscaling modes: their scales are uint8 bits and they have no biases. */
export type MicroscalingMode = Exclude<QuantizationMode, "affine">;

/** `mode` checked: one of MLX's modes; undefined or null (MLX's None, given positionally) is "affine". */
export function checkMode(op: string, mode: unknown): QuantizationMode {
  if (mode === undefined || mode === null) return "affine";
  if (mode === "affine" || mode === "mxfp4" || mode === "mxfp8" || mode === "nvfp4") return mode;
  throw opError(op, `mode must be 'affine', 'mxfp4', 'mxfp8' or 'nvfp4', got ${describeValue(mode)}`, [], "value");
}

/** The mode, groupSize and bits given (MLX's defaults for those left out), checked. */
export function quantParams(op: string, groupSize: unknown, bits: unknown, mode: unknown): QuantParams {
  const m = checkMode(op, mode);
  const fallback = m === "affine" ? { groupSize: 64, bits: 4 } : MICRO[m];
  return checkQuantParams(op, groupSize ?? fallback.groupSize, bits ?? fallback.bits, m);
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
  checkGlobalScaleSpec(op, g);
  return g;
}

export { checkPacked } from "../primitives/quantized.js";

/** Indices into the flattened batch `batch` of `name`'s array: the given integer array, or all of them in order. */
export function batchIndices(op: string, given: unknown, name: string, batch: readonly number[], s: Stream): MxArray {
  if (given === undefined) return reshape(arange(0, batch.reduce((a, d) => a * d, 1), 1, { dtype: uint32, stream: s }), [...batch], { stream: s });
  const idx = checkArray(op, given, name);
  if (!isInteger(idx.dtype)) throw opError(op, `${name} must be an integer array, got ${idx.dtype.name}`, [idx], "type");
  return idx;
}

