// The products built on matmul and broadcasting: addmm, inner, outer, vecdot,
// tensordot and kron, with MLX's signatures. Compositions of existing ops, so
// they run on every backend and differentiate through their parts.

import { checkInt } from "../argument-checks.js";
import { MxArray } from "../array.js";
import { bfloat16, complex64, float16, float32, isInexact, promoteTypes } from "../dtype.js";
import { widenedSumDType } from "../primitives/reduce.js";
import { describeValue, opError, shapeStr } from "../errors.js";
import { broadcastShapes } from "../shape.js";
import { checkArrayLike, checkResultShape, opStream, resultType, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { add, astype, multiply } from "./elementwise.js";
import { flatten, reshape, transpose } from "./layout.js";
import { matmul } from "./linalg.js";
import { conjugate } from "./math-extra.js";
import { contractPair, operandPair, positionalOrOptions } from "./matmul-args.js";
import { sum } from "./reduction.js";
import { asOp, noExtraArguments } from "./strict-options.js";

export interface AddmmOptions extends OpOptions {
  /** Factor of the product a @ b (default 1). */
  alpha?: number | undefined;
  /** Factor of c (default 1). */
  beta?: number | undefined;
}

function scalarFactor(op: string, name: string, v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== "number") throw opError(op, `${name} must be a number, got ${describeValue(v)}`, [], "type");
  return v;
}

/**
 * `alpha * (a @ b) + beta * c` (MLX's `addmm`): the product follows matmul's
 * rules (1-D operands, broadcast batches) and `c` must broadcast to its shape.
 * The operands promote to a common inexact dtype; integer and bool operands are
 * an error, as in MLX. Composed of matmul, multiply and add (MLX fuses them into
 * one kernel): float16 and bfloat16 are composed in float32 and rounded once
 * at the end, as MLX's kernel accumulates; float32 and float64 results may
 * round three times. `beta = 0` leaves `c` unread, as BLAS does.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float32);
 * await mx.addmm(mx.array([1, 1], mx.float32), a, a).tolist(); // [[8, 11], [16, 23]]
 * await mx.addmm(mx.ones([2, 2]), a, a, 0.5, 2).tolist(); // [[5.5, 7], [9.5, 13]]
 * await mx.addmm(mx.ones([2, 2]), a, a, { beta: 0 }).tolist(); // [[7, 10], [15, 22]]
 * ```
 */
export function addmm(c: ArrayLike, a: ArrayLike, b: ArrayLike, alpha?: number | AddmmOptions, beta?: number | AddmmOptions, o?: AddmmOptions): MxArray {
  noExtraArguments("addmm", arguments, 6);
  return asOp("addmm", () => {
    const op = "addmm";
    checkArrayLike(op, c, "c");
    checkArrayLike(op, a, "a");
    checkArrayLike(op, b, "b");
    const p = positionalOrOptions(op, [alpha, beta, o], ["alpha", "beta"]);
    const al = scalarFactor(op, "alpha", p.alpha), be = scalarFactor(op, "beta", p.beta);
    const s = opStream(op, p, c, a, b);
    const so = { stream: s };
    const A = toArray(op, a, s, undefined, "a"), B = toArray(op, b, s, undefined, "b"), C = toArray(op, c, s, undefined, "c");
    if (A.ndim === 0 || B.ndim === 0) throw opError(op, "a and b must have at least one dimension", [A, B], "value");
    const d = resultType(C, A, B);
    if (!isInexact(d)) throw opError(op, `only inexact dtypes are supported: c, a and b promote to ${d.name}`, [C, A, B], "type");
    // float16 and bfloat16 are multiplied, scaled and added in float32 and rounded once at the end, as
    // MLX's kernels accumulate and apply alpha and beta: a 16-bit product rounded before beta * c is
    // added would carry its rounding into any cancellation (3 ulp of float16 against NumPy)
    const w = d === float16 || d === bfloat16 ? float32 : d;
    const prod = matmul(astype(A, w, so), astype(B, w, so), so);
    const shape = broadcastShapes(op, C.shape, prod.shape);
    if (shape.join() !== prod.shape.join()) throw opError(op, `c [${C.shape.join(", ")}] must broadcast to the product's shape [${prod.shape.join(", ")}]`, [C, A, B], "value");
    const scaled = al === 1 ? prod : multiply(prod, al, so);
    const total = be === 0 ? scaled : add(scaled, be === 1 ? astype(C, w, so) : multiply(astype(C, w, so), be, so), so);
    return w === d ? total : astype(total, d, so);
  });
}

/** The contraction of `a` over `axesA` with `b` over `axesB` (normalized, same sizes): free axes of a, then of b. */
function tensordotAxes(a: MxArray, b: MxArray, axesA: number[], axesB: number[], o: { stream: ReturnType<typeof opStream> }): MxArray {
  const freeA = [...a.shape.keys()].filter((i) => !axesA.includes(i));
  const freeB = [...b.shape.keys()].filter((i) => !axesB.includes(i));
  const size = (x: MxArray, axes: number[]) => axes.reduce((n, i) => n * x.shape[i]!, 1);
  const k = size(a, axesA);
  const x = reshape(transpose(a, [...freeA, ...axesA], o), [size(a, freeA), k], o);
  const y = reshape(transpose(b, [...axesB, ...freeB], o), [k, size(b, freeB)], o);
  return reshape(contractPair(x, y, o.stream), [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)], o);
}

/** Axis list `v` (a number or a list) of an input with `ndim` dims, normalized; errors name `op` and `what`. */
function axisList(op: string, v: unknown, ndim: number, what: string): number[] {
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === "number" && Number.isInteger(x))) {
    throw opError(op, `axes for ${what} must be an integer or a list of integers, got ${describeValue(v)}`, [], "type");
  }
  const out = (list as number[]).map((x) => {
    if (x < -ndim || x >= ndim) throw opError(op, `axis ${x} in axes is out of range for ${what} with ${ndim} dimensions`, [], "value");
    return x < 0 ? x + ndim : x;
  });
  if (new Set(out).size !== out.length) throw opError(op, `axes for ${what} repeat an axis: ${describeValue(v)}`, [], "value");
  return out;
}

export type TensordotAxes = number | readonly [number | readonly number[], number | readonly number[]];

export interface TensordotOptions extends OpOptions {
  /** The number of trailing axes of a and leading axes of b to contract (default 2), or the pair of axis lists. */
  axes?: TensordotAxes | undefined;
}

/**
 * Tensor dot product (MLX's `tensordot`): `axes = n` contracts the last n axes
 * of `a` with the first n of `b` (default 2); `axes = [axesA, axesB]` contracts
 * the listed axes pairwise. The result has a's free axes, then b's. Float
 * operands go through matmul; integer and bool ones stay exact (a broadcast
 * multiply and sum, in sum's dtype: int32/uint32 for narrower integers,
 * where NumPy's int8/int16 products wrap).
 * @example
 * ```ts
 * const a = mx.reshape(mx.arange(6, { dtype: mx.float32 }), [2, 3]);
 * await mx.tensordot(a, a, [[1], [1]]).tolist(); // [[5, 14], [14, 50]]
 * await mx.tensordot(a, a, 2).item(); // 55
 * mx.tensordot(a, a, { axes: 0 }).shape; // [2, 3, 2, 3]
 * ```
 */
export function tensordot(a: ArrayLike, b: ArrayLike, axes?: TensordotAxes | TensordotOptions, o?: TensordotOptions): MxArray {
  noExtraArguments("tensordot", arguments, 4);
  return asOp("tensordot", () => {
    const op = "tensordot";
    const { A, B, p, s } = operandPair(op, a, b, [axes, o], ["axes"]);
    const so = { stream: s };
    const ax: unknown = p.axes ?? 2;
    let axesA: number[], axesB: number[];
    if (typeof ax === "number") {
      if (!Number.isInteger(ax) || ax < 0) throw opError(op, `axes must be a non-negative integer or a pair of axis lists, got ${describeValue(ax)}`, [], "value");
      if (ax > Math.min(A.ndim, B.ndim)) throw opError(op, `axes ${ax} exceeds the dimensions of a (${A.ndim}) or b (${B.ndim})`, [A, B], "value");
      axesA = [...Array(ax).keys()].map((i) => A.ndim - ax + i);
      axesB = [...Array(ax).keys()];
    } else {
      if (!Array.isArray(ax) || ax.length !== 2) throw opError(op, `axes must be a non-negative integer or a pair of axis lists [axesA, axesB], got ${describeValue(ax)}`, [], "type");
      axesA = axisList(op, ax[0], A.ndim, "a");
      axesB = axisList(op, ax[1], B.ndim, "b");
      if (axesA.length !== axesB.length) throw opError(op, `axes for a and b must have the same length, got ${axesA.length} and ${axesB.length}`, [], "value");
    }
    axesA.forEach((i, j) => {
      if (A.shape[i] !== B.shape[axesB[j]!]) throw opError(op, `a and b must have the same size on the contracted axes: axis ${i} of a is ${A.shape[i]}, axis ${axesB[j]} of b is ${B.shape[axesB[j]!]}`, [A, B], "value");
    });
    return tensordotAxes(A, B, axesA, axesB, so);
  });
}

/**
 * Inner product (MLX's `inner`): of vectors for 1-D inputs, in higher
 * dimensions a sum product over the last axes (the result has a's leading
 * axes, then b's); a 0-d input multiplies. Integers stay exact.
 * @example
 * ```ts
 * await mx.inner(mx.array([1, 2, 3]), mx.array([4, 5, 6])).item(); // 32
 * await mx.inner(mx.array([[1, 0], [0, 2]], mx.float32), mx.array([3, 4], mx.float32)).tolist(); // [3, 8]
 * ```
 */
export function inner(a: ArrayLike, b: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("inner", arguments, 3);
  return asOp("inner", () => {
    const op = "inner";
    const { A, B, s } = operandPair(op, a, b, [o], []);
    if (A.ndim === 0 || B.ndim === 0) return multiply(A, B, { stream: s });
    if (A.shape[A.ndim - 1] !== B.shape[B.ndim - 1]) throw opError(op, `a and b must have the same last dimension, got ${A.shape[A.ndim - 1]} and ${B.shape[B.ndim - 1]}`, [A, B], "value");
    return tensordotAxes(A, B, [A.ndim - 1], [B.ndim - 1], { stream: s });
  });
}

/**
 * Outer product (MLX's `outer`): `a` and `b` are flattened first, the result
 * is `[a.size, b.size]` with `a[i] * b[j]`.
 * @example
 * ```ts
 * await mx.outer(mx.array([1, 2]), mx.array([3, 4, 5])).tolist(); // [[3, 4, 5], [6, 8, 10]]
 * mx.outer(mx.zeros([2, 2]), mx.zeros([3])).shape; // [4, 3]
 * ```
 */
export function outer(a: ArrayLike, b: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("outer", arguments, 3);
  return asOp("outer", () => {
    const op = "outer";
    const { A, B, s } = operandPair(op, a, b, [o], []);
    const so = { stream: s };
    checkResultShape(op, [A.size, B.size], `the inputs flattened (shapes ${shapeStr(A.shape)} and ${shapeStr(B.shape)})`, [A, B]);
    return multiply(reshape(A, [A.size, 1], so), flatten(B, so), so);
  });
}

export interface VecdotOptions extends OpOptions {
  /** The axis of the dot products (default -1). */
  axis?: number | undefined;
}

/**
 * Vector dot products along `axis` (MLX's `vecdot`): `sum(conj(a) * b, axis)`
 * with a and b broadcast against each other. A negative axis counts from the
 * end of each input (and may then pair inputs of different ranks, as NumPy's
 * `vecdot`); a non-negative one names the same axis of both. Integers
 * multiply and sum in sum's dtype (int32/uint32 for narrower ones), so they
 * stay exact until they wrap at that width (MLX's products wrap at the
 * inputs' width: vecdot of uint8 [200] and [2] is 400 here, 144 there).
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]], mx.float32);
 * await mx.vecdot(a, a).tolist(); // [5, 25]
 * await mx.vecdot(a, a, { axis: 0 }).tolist(); // [10, 20]
 * ```
 */
export function vecdot(a: ArrayLike, b: ArrayLike, axis?: number | VecdotOptions, o?: VecdotOptions): MxArray {
  noExtraArguments("vecdot", arguments, 4);
  return asOp("vecdot", () => {
    const op = "vecdot";
    const { A, B, p, s } = operandPair(op, a, b, [axis, o], ["axis"]);
    const so = { stream: s };
    if (A.ndim === 0 || B.ndim === 0) throw opError(op, "a and b must have at least one dimension", [A, B], "value");
    const ax = checkInt(op, "axis", p.axis ?? -1);
    const inRange = (n: number) => ax >= -n && ax < n;
    if (!inRange(A.ndim) || !inRange(B.ndim)) throw opError(op, `axis ${ax} is out of range for a (${A.ndim} dimensions) or b (${B.ndim} dimensions)`, [A, B], "value");
    if (ax >= 0 && A.ndim !== B.ndim) throw opError(op, `a non-negative axis needs a and b of the same rank, got ${A.ndim} and ${B.ndim}; use a negative axis`, [A, B], "value");
    const na = ax < 0 ? ax + A.ndim : ax, nb = ax < 0 ? ax + B.ndim : ax;
    if (A.shape[na] !== B.shape[nb]) throw opError(op, `a and b must have the same size along axis ${ax}, got ${A.shape[na]} and ${B.shape[nb]}`, [A, B], "value");
    // integers multiply in sum's dtype (as contractPair), so the products do not wrap at the inputs' width; MLX's wrap there
    const d = promoteTypes(A.dtype, B.dtype);
    const wide = isInexact(d) ? undefined : widenedSumDType(d);
    const [x, y] = wide ? [astype(A, wide, so), astype(B, wide, so)] : [A, B];
    const prod = multiply(x.dtype === complex64 ? conjugate(x, so) : x, y, so);
    return sum(prod, ax < 0 ? ax + prod.ndim : ax, so);
  });
}

/**
 * Kronecker product (MLX's `kron`): for inputs of (right-aligned) shapes
 * `[..., m]` and `[..., n]`, the block array whose block `i` is `a[i] * b`,
 * of shape `[..., m * n]` on every axis. Empty inputs are an error, as in MLX.
 * Composed of reshapes and one broadcast multiply.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]]);
 * await mx.kron(a, mx.array([[0, 5], [6, 7]])).tolist(); // [[0, 5, 0, 10], [6, 7, 12, 14], [0, 15, 0, 20], [18, 21, 24, 28]]
 * await mx.kron(mx.array([1, 10]), mx.array([1, 2, 3])).tolist(); // [1, 2, 3, 10, 20, 30]
 * ```
 */
export function kron(a: ArrayLike, b: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("kron", arguments, 3);
  return asOp("kron", () => {
    const op = "kron";
    const { A, B, s } = operandPair(op, a, b, [o], []);
    const so = { stream: s };
    if (A.size === 0 || B.size === 0) throw opError(op, "inputs cannot be empty", [A, B], "value");
    const nd = Math.max(A.ndim, B.ndim);
    const padded = (x: MxArray) => [...Array(nd - x.ndim).fill(1), ...x.shape] as number[];
    const pa = padded(A), pb = padded(B);
    const result = checkResultShape(op, pa.map((d, i) => d * pb[i]!), `the shapes of a ${shapeStr(A.shape)} and b ${shapeStr(B.shape)}`, [A, B]);
    const x = reshape(A, pa.flatMap((d) => [d, 1]), so);
    const y = reshape(B, pb.flatMap((d) => [1, d]), so);
    return reshape(multiply(x, y, so), result, so);
  });
}
