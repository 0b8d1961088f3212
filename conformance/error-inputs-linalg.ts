// Error-input entries of mx.linalg's factorizations, solves, norm and cross
// and of random.multivariateNormal: their arguments, a valid call (on the cpu
// stream, where the factorizations run) and the calls MLX refuses (integer
// dtypes, fewer than two dims, non-square matrices, a GPU stream, right-hand
// sides and shapes of mean and cov that do not match, orders a norm does not
// have, vectors that are not of 2 or 3).

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

/** An op of one matrix and the options (qr, lu, eig, ...), refusing what matrixBad lists. */
const matrixOnly = (name: string, square: boolean): ErrorEntry => ({ name, args: [A, opts()], valid: () => [spd(), cpu], bad: matrixBad(square) });

/** det and slogdet: integers are cast to float32 (as MLX's), half floats computed in float32 (docs/semantics.md, linear algebra). */
const detEntry = (name: string): ErrorEntry => ({
  name,
  args: [A, opts()],
  valid: () => [mx.array([[1, 2], [3, 4]], mx.int32), cpu],
  bad: matrixBad(true).filter((b) => b.label !== "an int32 matrix" && b.label !== "a float16 matrix"),
});

const ENTRIES: readonly ErrorEntry[] = [
  matrixOnly("linalg.qr", false),
  matrixOnly("linalg.luFactor", false),
  matrixOnly("linalg.lu", false),
  matrixOnly("linalg.pinv", false),
  matrixOnly("linalg.eig", true),
  matrixOnly("linalg.eigvals", true),
  detEntry("linalg.det"),
  detEntry("linalg.slogdet"),
  {
    name: "linalg.norm",
    args: [
      arg("array", "a"),
      arg("any", "ord"),
      { ...arg("axis", "axis", "axes"), names: ["axis", "axes"] },
      arg("bool", "keepdims"),
      opts({ ord: arg("any", "ord"), axis: arg("axis", "axis", "axes"), keepdims: arg("bool", "keepdims") }),
    ],
    valid: () => [spd(), "fro", [0, 1], true, cpu],
    bad: [
      { label: "a matrix ord over one axis", args: () => [spd(), "nuc", 0], names: ["ord", "matrix"] },
      { label: "a vector-only ord over two axes", args: () => [spd(), 3, [0, 1]], names: ["ord", "matrix"] },
      { label: "ord without axis on a 3-D array", args: () => [mx.zeros([2, 2, 2]), 2], names: ["a", "1-D", "2-D"] },
      { label: "three axes", args: () => [mx.zeros([2, 2, 2]), null, [0, 1, 2]], names: ["axis"] },
      { label: "the same axis twice", args: () => [spd(), 1, [1, 1]], names: ["axes", "axis"] },
      { label: "the 2-norm of a matrix on a webgpu stream", args: () => [spd(), 2, [0, 1], false, { stream: mx.webgpu }], names: ["cpu", "stream"] },
      { label: "ord given twice", args: () => [spd(), 1, { ord: 2 }], names: ["ord"] },
      { label: "an unknown option", args: () => [spd(), { bogus: 1 }], names: ["bogus", "option"] },
    ],
  },
  {
    name: "linalg.cross",
    args: [arg("array", "a"), arg("array", "b"), arg("axis", "axis"), opts({ axis: arg("axis", "axis") })],
    valid: () => [mx.array([1, 0, 0], mx.float32), mx.array([0, 1, 0], mx.float32), -1, {}],
    bad: [
      { label: "vectors of 4", args: () => [mx.zeros([4]), mx.zeros([4])], names: ["size", "axis"] },
      { label: "an axis of size 1 in b", args: () => [mx.zeros([3]), mx.zeros([1])], names: ["b", "size"] },
      { label: "batches that do not broadcast", args: () => [mx.zeros([2, 3]), mx.zeros([4, 3])], names: ["broadcast", "shapes"] },
      { label: "axis given twice", args: () => [mx.zeros([3]), mx.zeros([3]), 0, { axis: 0 }], names: ["axis"] },
    ],
  },
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

/** The factorizations with webgpu kernels (backends/webgpu/linalg*.ts): a webgpu stream runs them, so it is no bad call. */
const ON_WEBGPU = new Set(["linalg.qr", "linalg.cholesky", "linalg.triInv", "linalg.choleskyInv", "linalg.inv", "linalg.solve", "linalg.solveTriangular"]);

export const LINALG_ERROR_ENTRIES: readonly ErrorEntry[] = ENTRIES.map((e) =>
  ON_WEBGPU.has(e.name) ? { ...e, bad: (e.bad ?? []).filter((b) => b.label !== "a webgpu stream") } : e,
);
