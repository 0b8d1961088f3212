// Error-input entries of the quantization ops (quantize, dequantize,
// quantizedMatmul, gatherQmm, qqmm, gatherQqmm, toFp8, fromFp8): their arguments, a valid call, and the calls MLX refuses
// (unsupported group sizes and bits, integer weights, a last axis that is no
// multiple of the group size, packed weights that do not match their scales,
// x of the wrong inner size, a microscaling mode's group size or bits
// overridden, biases given where the mode has none or missing where it needs them).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const weights = () => mx.reshape(mx.arange(64, mx.float32), [2, 32]);
const packed = () => mx.quantize(weights(), 32, 4);
/** Packed with the defaults (groups of 64, 4 bits). */
const packedDefault = () => mx.quantize(mx.reshape(mx.arange(128, mx.float32), [2, 64]));
const mode = arg("any", "mode");

const qqmmFields = { mode, groupSize: arg("int", "groupSize"), bits: arg("int", "bits"), globalScaleX: arg("array", "globalScaleX"), globalScaleW: arg("array", "globalScaleW") };
const one = () => mx.array(1, mx.float32);

export const QUANTIZED_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "qqmm",
    args: [arg("array", "x"), arg("array", "w"), arg("array", "scales"), opts(qqmmFields)],
    valid: () => [mx.ones([2, 32]), mx.ones([3, 32]), null, { globalScaleX: one(), globalScaleW: one() }],
    bad: [
      { label: "affine mode", args: () => [mx.ones([2, 32]), mx.ones([3, 32]), null, { mode: "affine" }], names: ["mode"] },
      { label: "x of inner size 16 for w of 32", args: () => [mx.ones([2, 16]), mx.ones([3, 32])], names: ["x"] },
      { label: "float64 x", args: () => [mx.ones([2, 32], mx.float64, { stream: mx.cpu }), mx.ones([3, 32], mx.float32, { stream: mx.cpu }), null, { stream: mx.cpu }], names: ["x", "float64"] },
      { label: "batched w", args: () => [mx.ones([2, 32]), mx.ones([2, 3, 32])], names: ["w"] },
      { label: "packed w without scales", args: () => [mx.ones([2, 32]), mx.quantize(mx.ones([3, 32]), undefined, undefined, { mode: "nvfp4" })[0]], names: ["scales"] },
      { label: "scales for a float w", args: () => [mx.ones([2, 32]), mx.ones([3, 32]), mx.ones([3, 2], mx.uint8)], names: ["scales"] },
      { label: "globalScaleX alone", args: () => [mx.ones([2, 32]), mx.ones([3, 32]), null, { globalScaleX: one() }], names: ["globalScaleX", "globalScaleW"] },
      { label: "global scales in mode mxfp8", args: () => [mx.ones([2, 32]), mx.ones([3, 32]), null, { mode: "mxfp8", globalScaleX: one(), globalScaleW: one() }], names: ["globalScale", "nvfp4"] },
    ],
  },
  {
    name: "gatherQqmm",
    args: [arg("array", "x"), arg("array", "w"), arg("array", "scales"),
      opts({ ...qqmmFields, lhsIndices: arg("array", "lhsIndices"), rhsIndices: arg("array", "rhsIndices"), sortedIndices: arg("bool", "sortedIndices") })],
    valid: () => [mx.ones([1, 32]), mx.ones([3, 2, 32]), null, { rhsIndices: mx.array([2, 0], mx.uint32) }],
    bad: [
      { label: "float rhsIndices", args: () => [mx.ones([1, 32]), mx.ones([3, 2, 32]), null, { rhsIndices: mx.array([0.5]) }], names: ["rhsIndices"] },
      { label: "a vector x", args: () => [mx.ones([32]), mx.ones([3, 2, 32])], names: ["x", "dimensions"] },
      { label: "x of inner size 16", args: () => [mx.ones([1, 16]), mx.ones([3, 2, 32]), null, { rhsIndices: mx.array([0], mx.uint32) }], names: ["x"] },
    ],
  },
  {
    name: "toFp8",
    args: [arg("array", "x"), opts()],
    valid: () => [mx.array([1, 500], mx.float32)],
    bad: [
      { label: "int32 input", args: () => [mx.array([1, 2], mx.int32)], names: ["x", "int32"] },
      { label: "complex64 input", args: () => [mx.zeros([2], mx.complex64)], names: ["x", "complex64"] },
    ],
  },
  {
    name: "fromFp8",
    args: [arg("array", "x"), arg("dtype", "dtype"), opts()],
    valid: () => [mx.array([0x38, 0x7f], mx.uint8), mx.float32],
    bad: [
      { label: "float32 codes", args: () => [mx.array([1], mx.float32)], names: ["x", "uint8"] },
      { label: "int32 dtype", args: () => [mx.array([0x38], mx.uint8), mx.int32], names: ["dtype", "int32"] },
    ],
  },
  {
    name: "quantize",
    args: [arg("array", "w"), arg("int", "groupSize"), arg("int", "bits"), opts({ mode, globalScale: arg("array", "globalScale") })],
    valid: () => [weights(), 32, 4, { mode: "affine" }],
    bad: [
      { label: "group size 16", args: () => [weights(), 16, 4], names: ["groupSize"] },
      { label: "7 bits", args: () => [weights(), 32, 7], names: ["bits"] },
      { label: "int32 weights", args: () => [mx.zeros([2, 32], mx.int32), 32, 4], names: ["int32", "w"] },
      { label: "a vector", args: () => [mx.zeros([32]), 32, 4], names: ["w", "dimensions"] },
      { label: "a last axis of 48 for groups of 32", args: () => [mx.zeros([2, 48]), 32, 4], names: ["w", "groupSize"] },
      { label: "mode mxfp4 with groups of 64", args: () => [weights(), 64, 4, { mode: "mxfp4" }], names: ["groupSize", "mode"] },
      { label: "mode mxfp8 with 4 bits", args: () => [weights(), 32, 4, { mode: "mxfp8" }], names: ["bits", "mode"] },
      { label: "mode fp4 (no such mode)", args: () => [weights(), 32, 4, { mode: "fp4" }], names: ["mode"] },
      { label: "a global scale in mode mxfp4", args: () => [weights(), 32, 4, { mode: "mxfp4", globalScale: mx.array(1, mx.float32) }], names: ["globalScale", "nvfp4"] },
      { label: "a float16 global scale", args: () => [weights(), 16, 4, { mode: "nvfp4", globalScale: mx.array(1, mx.float16) }], names: ["globalScale", "float32"] },
      { label: "a global scale of 2 elements", args: () => [weights(), 16, 4, { mode: "nvfp4", globalScale: mx.array([1, 2], mx.float32) }], names: ["globalScale", "scalar"] },
    ],
  },
  {
    name: "dequantize",
    args: [arg("array", "w"), arg("array", "scales"), arg("array", "biases"), arg("int", "groupSize"), arg("int", "bits"), opts({ mode, dtype: arg("dtype", "dtype"), globalScale: arg("array", "globalScale") })],
    valid: () => [...packed(), 32, 4, { dtype: mx.float32 }],
    bad: [
      { label: "float weights", args: () => { const [, s, b] = packed(); return [weights(), s, b, 32, 4]; }, names: ["w", "uint32"] },
      { label: "bits 8 for words packed with 4", args: () => [...packed(), 32, 8], names: ["w", "scales", "bits"] },
      { label: "scales and biases of different shapes", args: () => { const [w, s] = packed(); return [w, s, mx.zeros([2, 2]), 32, 4]; }, names: ["scales", "biases"] },
      { label: "an int32 dtype", args: () => [...packed(), 32, 4, { dtype: mx.int32 }], names: ["dtype"] },
      { label: "affine without biases", args: () => { const [w, s] = packed(); return [w, s, null, 32, 4]; }, names: ["biases"] },
      { label: "mxfp4 with biases", args: () => { const [w, s] = mx.quantize(weights(), 32, 4, { mode: "mxfp4" }); return [w, s, s, 32, 4, { mode: "mxfp4" }]; }, names: ["biases"] },
      { label: "mxfp4 with float scales", args: () => { const [w, s] = mx.quantize(weights(), 32, 4, { mode: "mxfp4" }); return [w, mx.astype(s, mx.float32), null, 32, 4, { mode: "mxfp4" }]; }, names: ["scales", "uint8"] },
    ],
  },
  {
    name: "quantizedMatmul",
    args: [arg("array", "x"), arg("array", "w"), arg("array", "scales"), arg("array", "biases"),
      opts({ transpose: arg("bool", "transpose"), groupSize: arg("int", "groupSize"), bits: arg("int", "bits"), mode })],
    valid: () => [mx.ones([1, 64]), ...packedDefault(), { transpose: true }],
    bad: [
      { label: "x of inner size 16", args: () => [mx.ones([1, 16]), ...packed(), { groupSize: 32, bits: 4 }], names: ["x"] },
      { label: "transpose false with x of inner size 32", args: () => [mx.ones([1, 32]), ...packed(), { groupSize: 32, bits: 4, transpose: false }], names: ["x"] },
      { label: "int32 scales and biases", args: () => { const [w, s, b] = packed(); return [mx.ones([1, 32]), w, mx.astype(s, mx.int32), mx.astype(b, mx.int32), { groupSize: 32, bits: 4 }]; }, names: ["scales", "int32"] },
      { label: "the default group size 64 for groups of 32", args: () => [mx.ones([1, 32]), ...packed()], names: ["w", "scales", "groupSize"] },
      { label: "nvfp4 with biases", args: () => { const [w, s] = mx.quantize(weights(), 16, 4, { mode: "nvfp4" }); return [mx.ones([1, 32]), w, s, s, { mode: "nvfp4" }]; }, names: ["biases"] },
    ],
  },
  {
    name: "gatherQmm",
    args: [arg("array", "x"), arg("array", "w"), arg("array", "scales"), arg("array", "biases"),
      opts({ lhsIndices: arg("array", "lhsIndices"), rhsIndices: arg("array", "rhsIndices"), transpose: arg("bool", "transpose"), groupSize: arg("int", "groupSize"), bits: arg("int", "bits"), mode, sortedIndices: arg("bool", "sortedIndices") })],
    valid: () => [mx.ones([1, 64]), ...mx.quantize(mx.ones([3, 2, 64])), { rhsIndices: mx.array([2, 0], mx.uint32) }],
    bad: [
      { label: "float rhsIndices", args: () => [mx.ones([1, 64]), ...mx.quantize(mx.ones([3, 2, 64])), { rhsIndices: mx.array([0.5]) }], names: ["rhsIndices"] },
      { label: "indices that do not broadcast", args: () => [mx.ones([2, 1, 64]), ...mx.quantize(mx.ones([3, 2, 64])), { lhsIndices: mx.array([0, 1], mx.uint32), rhsIndices: mx.array([0, 1, 2], mx.uint32) }], names: ["lhsIndices", "rhsIndices", "shapes", "broadcast"] },
      { label: "x of inner size 32", args: () => [mx.ones([1, 32]), ...mx.quantize(mx.ones([3, 2, 64])), { rhsIndices: mx.array([0], mx.uint32) }], names: ["x"] },
    ],
  },
];
