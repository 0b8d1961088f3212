// Error-input entries of mx.linalg's factorizations and solves and of
// random.multivariateNormal: their arguments, a valid call (on the cpu
// stream, where the factorizations run) and the calls MLX refuses (integer
// dtypes, fewer than two dims, non-square matrices, a GPU stream, right-hand
// sides and shapes of mean and cov that do not match).

import * as mx from "../index.js";
import type { ArgKind, ArgSpec, BadCall, ErrorEntry } from "./error-inputs.js";

const arg = (kind: ArgKind, ...names: string[]): ArgSpec => ({ kind, names });
const opts = (fields: Record<string, ArgSpec> = {}): ArgSpec => ({ kind: "options", names: ["options"], fields: { stream: arg("stream", "stream"), ...fields } });

const cpu = { stream: mx.cpu };
const spd = () => mx.array([[4, 2], [2, 3]], mx.float32);
const A = arg("array", "a");

/** The calls every factorization refuses, on a valid second argument `flag`. */
function matrixBad(square: boolean): BadCall[] {
  return [
    { label: "an int32 matrix", args: () => [mx.array([[1, 0], [0, 1]], mx.int32), cpu], names: ["a", "int32"] },
    { label: "a float16 matrix", args: () => [mx.eye(2, 2, 0, mx.float16), cpu], names: ["a", "float16"] },
    { label: "a vector", args: () => [mx.array([1, 2], mx.float32), cpu], names: ["a", "dimensions"] },
    ...(square ? [{ label: "a 2 x 3 matrix", args: () => [mx.zeros([2, 3]), cpu], names: ["a", "square"] }] : []),
    { label: "a webgpu stream", args: () => [spd(), { stream: mx.webgpu }], names: ["stream", "cpu"] },
  ];
}

/** The calls solve and solveTriangular refuse beyond the matrix checks on a. */
const solveBad: BadCall[] = [
  { label: "a scalar b", args: () => [spd(), mx.array(1, mx.float32), cpu], names: ["b"] },
  { label: "a b of another length", args: () => [spd(), mx.array([1, 2, 3], mx.float32), cpu], names: ["b"] },
  { label: "int32 a and b", args: () => [mx.array([[1, 0], [0, 1]], mx.int32), mx.array([1, 2], mx.int32), cpu], names: ["int32", "promote"] },
  { label: "batches that do not broadcast", args: () => [mx.zeros([2, 2, 2]), mx.zeros([3, 2, 1]), cpu], names: ["broadcast", "shapes"] },
  { label: "a webgpu stream", args: () => [spd(), mx.array([1, 2], mx.float32), { stream: mx.webgpu }], names: ["stream", "cpu"] },
];

/** A factorization `name` with flag `flag` (its kind and a valid value), positional or in the options. */
function entry(name: string, flag: string, kind: ArgKind, value: unknown, square = true): ErrorEntry {
  const a = name === "linalg.choleskyInv" ? arg("array", "L") : A;
  return {
    name,
    args: [a, { ...opts({ [flag]: arg(kind, flag) }), names: [flag, "options"] }],
    valid: () => [spd(), { [flag]: value, ...cpu }],
    bad: [
      ...matrixBad(square),
      { label: `${flag} given twice`, args: () => [spd(), value, { [flag]: value, ...cpu }], names: [flag] },
      { label: "an unknown option", args: () => [spd(), { bogus: 1, ...cpu }], names: ["bogus", "option"] },
    ],
  };
}

export const LINALG_ERROR_ENTRIES: readonly ErrorEntry[] = [
  entry("linalg.cholesky", "upper", "bool", true),
  entry("linalg.triInv", "upper", "bool", false),
  entry("linalg.eigh", "UPLO", "any", "U"),
  entry("linalg.eigvalsh", "UPLO", "any", "L"),
  entry("linalg.svd", "computeUV", "bool", true, false),
  entry("linalg.choleskyInv", "upper", "bool", false),
  {
    name: "linalg.inv",
    args: [A, opts()],
    valid: () => [spd(), cpu],
    bad: matrixBad(true),
  },
  {
    name: "linalg.solve",
    args: [A, arg("array", "b"), opts()],
    valid: () => [spd(), mx.array([1, 2], mx.float32), cpu],
    bad: [
      { label: "a non-square a", args: () => [mx.zeros([2, 3]), mx.zeros([2]), cpu], names: ["a", "square"] },
      { label: "a vector a", args: () => [mx.zeros([2]), mx.zeros([2]), cpu], names: ["a", "dimensions"] },
      ...solveBad,
    ],
  },
  {
    name: "linalg.solveTriangular",
    args: [A, arg("array", "b"), { ...opts({ upper: arg("bool", "upper") }), names: ["upper", "options"] }],
    valid: () => [spd(), mx.array([1, 2], mx.float32), { upper: true, ...cpu }],
    bad: [{ label: "a non-square a", args: () => [mx.zeros([2, 3]), mx.zeros([2]), cpu], names: ["a", "square"] }, ...solveBad],
  },
  {
    name: "random.multivariateNormal",
    args: [arg("array", "mean"), arg("array", "cov"), { ...arg("shape", "shape"), names: ["shape", "options"] }, opts({ key: arg("key", "key"), dtype: arg("dtype", "dtype") })],
    valid: () => [mx.array([0, 1], mx.float32), spd(), [3], { key: mx.random.key(0), ...cpu }],
    bad: [
      { label: "a scalar mean", args: () => [mx.array(0, mx.float32), spd()], names: ["mean"] },
      { label: "a vector cov", args: () => [mx.array([0, 1], mx.float32), mx.array([1, 1], mx.float32)], names: ["cov"] },
      { label: "a non-square cov", args: () => [mx.array([0, 1], mx.float32), mx.zeros([2, 3])], names: ["cov", "square"] },
      { label: "mean and cov of different n", args: () => [mx.array([0, 1, 2], mx.float32), spd()], names: ["mean", "cov"] },
      { label: "a float64 dtype", args: () => [mx.array([0, 1], mx.float32), spd(), [2], { dtype: mx.float64 }], names: ["dtype", "float64"] },
      { label: "a shape that does not broadcast", args: () => [mx.zeros([3, 2]), spd(), [4]], names: ["shape", "broadcast", "shapes"] },
    ],
  },
];
