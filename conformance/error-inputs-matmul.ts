// Error-input entries of the matmul family (addmm, inner, outer, vecdot,
// tensordot, kron, einsum, einsumPath, gatherMm, blockMaskedMm, segmentedMm,
// hadamardTransform): their arguments, a valid call, and the calls MLX
// refuses (shapes that do not contract, bad axes, einsum grammar, integer
// operands where MLX wants floats, unsupported block sizes and lengths).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const A = arg("array", "a"), B = arg("array", "b");
const m23 = () => mx.reshape(mx.arange(6, mx.float32), [2, 3]);
const m32 = () => mx.reshape(mx.arange(6, mx.float32), [3, 2]);
const i32 = (v: mx.NestedList) => mx.array(v, mx.int32);
const f32 = (v: mx.NestedList) => mx.array(v, mx.float32);

/** einsum's and einsumPath's operands: an argument past those the subscripts name is read as one more operand. */
const operand = (i: number) => arg("array", `operand ${i}`, "operand", "operands");

export const MATMUL_ERROR_ENTRIES: readonly ErrorEntry[] = [
  {
    name: "addmm",
    args: [arg("array", "c"), A, B, arg("number", "alpha"), arg("number", "beta"), { ...opts({ alpha: arg("number", "alpha"), beta: arg("number", "beta") }), names: ["options", "arguments"] }],
    valid: () => [f32([1, 1]), m23(), m32(), 1, 1, {}],
    bad: [
      { label: "int32 operands", args: () => [i32([1]), i32([[1]]), i32([[1]])], names: ["int32", "inexact"] },
      { label: "a c that does not broadcast to the product", args: () => [mx.zeros([3]), m23(), m32()], names: ["c", "shapes"] },
      { label: "inner dimensions that differ", args: () => [f32(0), m23(), m23()], names: ["inputs", "inner"] },
      { label: "alpha given twice", args: () => [f32(0), m23(), m32(), 2, { alpha: 2 }], names: ["alpha"] },
    ],
  },
  {
    name: "inner",
    args: [A, B, opts()],
    valid: () => [m23(), m23(), {}],
    bad: [{ label: "last dimensions that differ", args: () => [m23(), m32()], names: ["a", "b", "last dimension"] }],
  },
  {
    name: "outer",
    args: [A, B, opts()],
    valid: () => [f32([1, 2]), f32([3, 4, 5]), {}],
  },
  {
    name: "vecdot",
    args: [A, B, arg("axis", "axis"), { ...opts({ axis: arg("axis", "axis") }), names: ["options", "arguments"] }],
    valid: () => [m23(), m23(), -1, {}],
    bad: [
      { label: "sizes along the axis that differ", args: () => [m23(), m32()], names: ["axis", "size"] },
      { label: "a 0-d input", args: () => [f32(1), m23()], names: ["a", "dimension"] },
    ],
  },
  {
    name: "tensordot",
    args: [A, B, arg("any", "axes"), { ...opts({ axes: arg("any", "axes") }), names: ["options", "arguments"] }],
    valid: () => [m23(), m32(), 1, {}],
    bad: [
      { label: "axes past the dimensions", args: () => [m23(), m32(), 3], names: ["axes"] },
      { label: "axis lists of different lengths", args: () => [m23(), m32(), [[0, 1], [0]]], names: ["axes"] },
      { label: "contracted sizes that differ", args: () => [m23(), m32(), [[0], [0]]], names: ["axes", "size"] },
      { label: "a repeated axis", args: () => [m23(), m23(), [[0, 0], [0, 1]]], names: ["axes", "repeat"] },
    ],
  },
  {
    name: "kron",
    args: [A, B, opts()],
    valid: () => [m23(), f32([1, 2]), {}],
    bad: [{ label: "an empty input", args: () => [mx.zeros([0]), m23()], names: ["inputs", "empty"] }],
  },
  {
    name: "einsum",
    args: [arg("any", "subscripts"), operand(0), operand(1), { ...opts(), names: ["options", "operands"] }],
    valid: () => ["ij,jk->ik", m23(), m32(), {}],
    bad: [
      { label: "a digit in a subscript", args: () => ["ij,j1", m23(), m32()], names: ["j1", "subscripts"] },
      { label: "two ellipses in a term", args: () => ["...i...,ij", m23(), m32()], names: ["ellipsis"] },
      { label: "too few operands", args: () => ["ij,jk,kl", m23(), m32()], names: ["subscripts", "operands"] },
      { label: "a term of the wrong rank", args: () => ["ijk,jk", m23(), m32()], names: ["ijk", "subscript"] },
      { label: "sizes that do not broadcast", args: () => ["ij,ij", m23(), m32()], names: ["subscript", "sizes"] },
      { label: "a repeated output letter", args: () => ["ij,jk->ii", m23(), m32()], names: ["output subscript"] },
      { label: "an output letter no input has", args: () => ["ij,jk->iz", m23(), m32()], names: ["output subscript"] },
    ],
  },
  {
    name: "einsumPath",
    args: [arg("any", "subscripts"), operand(0), operand(1)],
    valid: () => ["ij,jk->ik", m23(), m32()],
    bad: [
      { label: "two arrows", args: () => ["ij->i->j", m23()], names: ["subscripts"] },
      { label: "too many operands", args: () => ["ij", m23(), m32()], names: ["subscripts", "operands"] },
    ],
  },
  {
    name: "gatherMm",
    args: [A, B, arg("array", "lhsIndices"), arg("array", "rhsIndices"), { ...opts({ lhsIndices: arg("array", "lhsIndices"), rhsIndices: arg("array", "rhsIndices"), sortedIndices: arg("bool", "sortedIndices") }), names: ["options", "arguments"] }],
    valid: () => [mx.ones([2, 2, 3]), mx.ones([3, 3, 2]), i32([1, 0]), i32([2, 2]), {}],
    bad: [
      { label: "float indices", args: () => [mx.ones([2, 2, 3]), mx.ones([3, 3, 2]), null, f32([0])], names: ["rhsIndices"] },
      { label: "int32 operands", args: () => [mx.ones([2, 2, 3], mx.int32), mx.ones([3, 3, 2], mx.int32), i32([0])], names: ["int32", "floating"] },
      { label: "indices that do not broadcast", args: () => [mx.ones([2, 2, 3]), mx.ones([3, 3, 2]), i32([0, 1]), i32([0, 1, 2])], names: ["shapes", "broadcast"] },
    ],
  },
  {
    name: "blockMaskedMm",
    args: [A, B, arg("int", "blockSize"), arg("array", "maskOut"), arg("array", "maskLhs"), arg("array", "maskRhs"),
      { ...opts({ blockSize: arg("int", "blockSize"), maskOut: arg("array", "maskOut"), maskLhs: arg("array", "maskLhs"), maskRhs: arg("array", "maskRhs") }), names: ["options", "arguments"] }],
    valid: () => [m23(), m32(), 32, mx.array([[true]]), mx.array([[true]]), mx.array([[false]]), {}],
    bad: [
      { label: "block size 16", args: () => [m23(), m32(), 16, mx.array([[true]])], names: ["blockSize"] },
      { label: "a mask of too many blocks", args: () => [m23(), m32(), 32, mx.ones([2, 2], mx.bool)], names: ["maskOut"] },
      { label: "int32 operands", args: () => [i32([[1]]), i32([[1]]), 32, mx.array([[true]])], names: ["int32", "floating"] },
    ],
  },
  {
    name: "segmentedMm",
    args: [A, B, arg("array", "segments"), opts()],
    valid: () => [m23(), m32(), i32([[0, 1], [1, 3]]), {}],
    bad: [
      { label: "segments of shape (2, 3)", args: () => [m23(), m32(), i32([[0, 1, 2], [0, 1, 2]])], names: ["segments"] },
      { label: "float segments", args: () => [m23(), m32(), f32([[0, 1]])], names: ["segments"] },
      { label: "batched operands", args: () => [mx.ones([2, 2, 3]), m32(), i32([[0, 1]])], names: ["a", "matrices"] },
    ],
  },
  {
    name: "hadamardTransform",
    args: [arg("array", "a"), arg("number", "scale"), { ...opts({ scale: arg("number", "scale") }), names: ["options", "arguments"] }],
    valid: () => [mx.ones([2, 16]), 0.5, {}],
    bad: [
      { label: "a length of 6", args: () => [mx.ones([6])], names: ["length"] },
      { label: "a length of 36 (12 * 3, not m * 2^k)", args: () => [mx.ones([36])], names: ["length"] },
      { label: "an empty array", args: () => [mx.zeros([0])], names: ["empty"] },
      { label: "complex64 input", args: () => [mx.zeros([4], mx.complex64)], names: ["complex64"] },
    ],
  },
];
