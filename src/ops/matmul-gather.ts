// The structured matmuls of MLX: gatherMm (operand matrices picked by batch
// indices), blockMaskedMm (products with blocks of the operands and output
// masked) and segmentedMm (one product per segment of the inner dimension).
// MLX runs each as one fused primitive; here each is a faithful composition
// of take, where/multiply and matmul, so it runs and differentiates anywhere.

import { MxArray } from "../array.js";
import type { Stream } from "../device.js";
import { bool, complex64, isFloating, isInteger, uint32, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { broadcastShapes } from "../shape.js";
import { checkArrayLike, opStream, resultType, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { arange } from "./creation.js";
import { astype, greaterEqual, less, logicalAnd, multiply, where } from "./elementwise.js";
import { take } from "./indexing.js";
import { broadcastTo, expandDims, reshape, slice, squeeze } from "./layout.js";
import { matmul } from "./linalg.js";
import { positionalOrOptions } from "./matmul-args.js";
import { asOp, noExtraArguments } from "./strict-options.js";

type So = { stream: Stream };

/** Operands a [..., M, K] and b [..., K, N] of `op` (1-D ones expanded as matmul does) in their common floating dtype. */
function matmulOperands(op: string, a: ArrayLike, b: ArrayLike, s: Stream): { A: MxArray; B: MxArray; aVec: boolean; bVec: boolean; d: DType } {
  let A = toArray(op, a, s, undefined, "a"), B = toArray(op, b, s, undefined, "b");
  if (A.ndim === 0 || B.ndim === 0) throw opError(op, "a and b must have at least one dimension", [A, B], "value");
  const d = resultType(A, B);
  if (!isFloating(d) || d === complex64) throw opError(op, `only real floating dtypes are supported: a and b promote to ${d.name}`, [A, B], "type");
  const aVec = A.ndim === 1, bVec = B.ndim === 1;
  if (aVec) A = expandDims(A, 0, { stream: s });
  if (bVec) B = expandDims(B, -1, { stream: s });
  if (A.shape[A.ndim - 1] !== B.shape[B.ndim - 2]) {
    throw opError(op, `the last dimension of a [${A.shape.join(", ")}] must match the second to last of b [${B.shape.join(", ")}]`, [A, B], "value");
  }
  return { A: astype(A, d, { stream: s }), B: astype(B, d, { stream: s }), aVec, bVec, d };
}

/** `out` without the axes matmulOperands added for 1-D operands. */
function dropVectorAxes(out: MxArray, aVec: boolean, bVec: boolean, o: So): MxArray {
  const axes = [...(aVec ? [out.ndim - 2] : []), ...(bVec ? [out.ndim - 1] : [])];
  return axes.length ? squeeze(out, axes, o) : out;
}

/** Argument `name` of `op` when it is an mx array (not disposed), null or absent. */
function optionalArray(op: string, v: unknown, name: string): MxArray | undefined {
  if (v === undefined || v === null) return undefined;
  if (!(v instanceof MxArray)) throw opError(op, `${name} must be an mx array or null, got ${describeValue(v)}`, [], "type");
  if (v.isDisposed) throw opError(op, `${name} was disposed and can no longer be used`, [v], "value");
  return v;
}

export interface GatherMmOptions extends OpOptions {
  /** Flat indices into a's batch (all but its last two dims); default: every batch in order. */
  lhsIndices?: MxArray | null | undefined;
  /** Flat indices into b's batch; default: every batch in order. */
  rhsIndices?: MxArray | null | undefined;
  /** MLX's hint that the one index array given is sorted (for a faster kernel); the composition's result does not depend on it. */
  sortedIndices?: boolean | undefined;
}

/**
 * Matmul of matrices picked by batch indices (MLX's `gather_mm`): with a of
 * shape [...A, M, K] and b [...B, K, N], element i of the broadcast index shape
 * I is `a[lhsIndices[i]] @ b[rhsIndices[i]]`, the indices flat over A and B;
 * the result is [...I, M, N] (1-D operands as in matmul). Without indices it
 * is matmul. Indices must be integers; negative ones count from the end and
 * out-of-range ones clamp, as `take` does (MLX leaves them undefined). Real
 * floating operands only, as MLX. Composed of take and matmul (MLX has a fused
 * kernel, which `sortedIndices` may speed up there).
 * @example
 * ```ts
 * const experts = mx.stack([mx.eye(2), mx.multiply(mx.eye(2), 2)]); // [2, 2, 2]
 * const x = mx.array([[1, 1]], mx.float32);
 * await mx.gatherMm(x, experts, null, mx.array([1, 0, 1])).tolist(); // [[[2, 2]], [[1, 1]], [[2, 2]]]
 * ```
 */
export function gatherMm(a: ArrayLike, b: ArrayLike, lhsIndices?: MxArray | null | GatherMmOptions, rhsIndices?: MxArray | null | GatherMmOptions, o?: GatherMmOptions): MxArray {
  noExtraArguments("gatherMm", arguments, 5);
  return asOp("gatherMm", () => {
    const op = "gatherMm";
    checkArrayLike(op, a, "a");
    checkArrayLike(op, b, "b");
    const p = positionalOrOptions(op, [lhsIndices, rhsIndices, o], ["lhsIndices", "rhsIndices"], ["sortedIndices"]);
    if (p.sortedIndices !== undefined && typeof p.sortedIndices !== "boolean") throw opError(op, `sortedIndices must be a boolean, got ${describeValue(p.sortedIndices)}`, [], "type");
    const li = optionalArray(op, p.lhsIndices, "lhsIndices"), ri = optionalArray(op, p.rhsIndices, "rhsIndices");
    const s = opStream(op, p, a, b, li, ri);
    const so = { stream: s };
    const { A, B, aVec, bVec } = matmulOperands(op, a, b, s);
    if (!li && !ri) return dropVectorAxes(matmul(A, B, so), aVec, bVec, so);
    const indices = (given: MxArray | undefined, x: MxArray, name: string) => {
      if (given) {
        if (!isInteger(given.dtype)) throw opError(op, `${name} must be an integer array, got ${given.dtype.name}`, [given], "type");
        return given;
      }
      const batch = x.shape.slice(0, -2);
      return reshape(arange(0, batch.reduce((n, d) => n * d, 1), 1, { dtype: uint32, ...so }), batch, so);
    };
    let lhs = indices(li, A, "lhsIndices"), rhs = indices(ri, B, "rhsIndices");
    const shape = broadcastShapes(op, lhs.shape, rhs.shape);
    [lhs, rhs] = [broadcastTo(lhs, shape, so), broadcastTo(rhs, shape, so)];
    const pick = (x: MxArray, idx: MxArray) => take(reshape(x, [-1, ...x.shape.slice(-2)], so), reshape(idx, [-1], so), 0, so);
    const y = matmul(pick(A, lhs), pick(B, rhs), so);
    return dropVectorAxes(reshape(y, [...shape, ...y.shape.slice(-2)], so), aVec, bVec, so);
  });
}

export interface BlockMaskedMmOptions extends OpOptions {
  /** The side of the square blocks the masks cover: 32 or 64 (default 64). */
  blockSize?: number | undefined;
  /** Mask of the output's blocks, [..., ceil(M / bs), ceil(N / bs)]. */
  maskOut?: MxArray | null | undefined;
  /** Mask of a's blocks, [..., ceil(M / bs), ceil(K / bs)]. */
  maskLhs?: MxArray | null | undefined;
  /** Mask of b's blocks, [..., ceil(K / bs), ceil(N / bs)]. */
  maskRhs?: MxArray | null | undefined;
}

/** Block mask `mask` of `op` (argument `name`) broadcast to [...batch, rows, cols] and blown up to [...batch, Y, X]. */
function blockMask(op: string, name: string, mask: MxArray, batch: readonly number[], rows: number, cols: number, Y: number, X: number, bs: number, o: So): MxArray {
  const target = [...batch, rows, cols];
  let shape: number[];
  try {
    shape = broadcastShapes(op, mask.shape, target);
  } catch {
    shape = [];
  }
  if (shape.join() !== target.join()) throw opError(op, `${name} [${mask.shape.join(", ")}] must broadcast to [${target.join(", ")}] (blocks of ${bs})`, [mask], "value");
  const m = reshape(broadcastTo(mask, target, o), [...batch, rows, 1, cols, 1], o);
  const full = reshape(broadcastTo(m, [...batch, rows, bs, cols, bs], o), [...batch, rows * bs, cols * bs], o);
  return slice(full, [...batch.map(() => 0), 0, 0], [...batch, Y, X], undefined, o);
}

/** `x` masked by `mask`: kept or zeroed where the mask is bool, scaled where it holds numbers. */
const applyMask = (x: MxArray, mask: MxArray, useBool: boolean, o: So) => (useBool ? where(astype(mask, bool, o), x, 0, o) : multiply(x, astype(mask, x.dtype, o), o));

/**
 * Matmul with blocks masked (MLX's `block_masked_mm`): the operands and the
 * output are tiled into `blockSize` x `blockSize` blocks (32 or 64, default 64;
 * edge blocks cut short) and each mask holds one entry per block, broadcast over
 * the batch: `maskLhs` [..., ceil(M/bs), ceil(K/bs)] on a, `maskRhs`
 * [..., ceil(K/bs), ceil(N/bs)] on b, `maskOut` [..., ceil(M/bs), ceil(N/bs)] on
 * the product. Bool masks keep or zero a block (a zeroed block is not read, so
 * NaN there does not spread); float masks scale it (operand masks are bool
 * only when both are, as MLX). Without masks it is matmul. Real floating
 * operands only. Composed of broadcasts, where/multiply and matmul (MLX skips
 * masked blocks in a fused kernel).
 * @example
 * ```ts
 * const a = mx.ones([64, 64]);
 * const y = mx.blockMaskedMm(a, a, 32, mx.array([[true, false], [false, true]]));
 * await mx.index(y, 0, 0).item(); // 64
 * await mx.index(y, 0, 40).item(); // 0
 * ```
 */
export function blockMaskedMm(a: ArrayLike, b: ArrayLike, blockSize?: number | BlockMaskedMmOptions, maskOut?: MxArray | null | BlockMaskedMmOptions, maskLhs?: MxArray | null | BlockMaskedMmOptions, maskRhs?: MxArray | null | BlockMaskedMmOptions, o?: BlockMaskedMmOptions): MxArray {
  noExtraArguments("blockMaskedMm", arguments, 7);
  return asOp("blockMaskedMm", () => {
    const op = "blockMaskedMm";
    checkArrayLike(op, a, "a");
    checkArrayLike(op, b, "b");
    const p = positionalOrOptions(op, [blockSize, maskOut, maskLhs, maskRhs, o], ["blockSize", "maskOut", "maskLhs", "maskRhs"]);
    const bs: unknown = p.blockSize ?? 64;
    if (bs !== 32 && bs !== 64) throw opError(op, `blockSize must be 32 or 64, got ${describeValue(bs)}`, [], "value");
    const mo = optionalArray(op, p.maskOut, "maskOut"), ml = optionalArray(op, p.maskLhs, "maskLhs"), mr = optionalArray(op, p.maskRhs, "maskRhs");
    const s = opStream(op, p, a, b, mo, ml, mr);
    const so = { stream: s };
    const { A, B, aVec, bVec } = matmulOperands(op, a, b, s);
    const [M, K] = A.shape.slice(-2) as [number, number];
    const N = B.shape[B.ndim - 1]!;
    const batch = broadcastShapes(op, A.shape.slice(0, -2), B.shape.slice(0, -2));
    const tiles = (n: number) => Math.ceil(n / bs);
    const withVectorAxes = (m: MxArray, axes: number[]) => (axes.length ? expandDims(m, axes, so) : m);
    const outMask = mo && blockMask(op, "maskOut", withVectorAxes(mo, [...(aVec ? [-2] : []), ...(bVec ? [-1] : [])]), batch, tiles(M), tiles(N), M, N, bs, so);
    const operandBool = (ml?.dtype ?? bool) === bool && (mr?.dtype ?? bool) === bool;
    const lhsMask = ml && blockMask(op, "maskLhs", withVectorAxes(ml, aVec ? [-2] : []), batch, tiles(M), tiles(K), M, K, bs, so);
    const rhsMask = mr && blockMask(op, "maskRhs", withVectorAxes(mr, bVec ? [-1] : []), batch, tiles(K), tiles(N), K, N, bs, so);
    const x = lhsMask ? applyMask(A, lhsMask, operandBool, so) : A;
    const y = rhsMask ? applyMask(B, rhsMask, operandBool, so) : B;
    let out = matmul(x, y, so);
    if (outMask) out = applyMask(out, outMask, outMask.dtype === bool, so);
    return dropVectorAxes(out, aVec, bVec, so);
  });
}

/**
 * One matmul per segment of the inner dimension (MLX's `segmented_mm`): a is
 * [M, K], b [K, N], `segments` [..., 2] holds [start, end) offsets into K; the
 * result [..., M, N] holds `a[:, start:end] @ b[start:end, :]` per segment (an
 * empty segment gives zeros). Offsets are read as uint32, as MLX. Real floating
 * operands only. Composed of a segment mask, where and a batched matmul (MLX
 * has a fused kernel).
 * @example
 * ```ts
 * const a = mx.ones([1, 4]);
 * const b = mx.reshape(mx.arange(4, { dtype: mx.float32 }), [4, 1]);
 * await mx.segmentedMm(a, b, mx.array([[0, 2], [2, 4], [0, 4]])).tolist(); // [[[1]], [[5]], [[6]]]
 * ```
 */
export function segmentedMm(a: ArrayLike, b: ArrayLike, segments: MxArray, o?: OpOptions): MxArray {
  noExtraArguments("segmentedMm", arguments, 4);
  return asOp("segmentedMm", () => {
    const op = "segmentedMm";
    checkArrayLike(op, a, "a");
    checkArrayLike(op, b, "b");
    const seg = optionalArray(op, segments, "segments");
    if (!seg) throw opError(op, `segments must be an mx array of shape [..., 2], got ${describeValue(segments)}`, [], "type");
    const p = positionalOrOptions(op, [o], []);
    const s = opStream(op, p, a, b, seg);
    const so = { stream: s };
    const A0 = toArray(op, a, s, undefined, "a"), B0 = toArray(op, b, s, undefined, "b");
    if (A0.ndim !== 2 || B0.ndim !== 2) throw opError(op, `a and b must be matrices (batched matmul is not supported), got ${A0.ndim} and ${B0.ndim} dimensions`, [A0, B0], "value");
    const { A, B } = matmulOperands(op, A0, B0, s);
    if (seg.ndim < 1 || seg.shape[seg.ndim - 1] !== 2) throw opError(op, `segments must have shape [..., 2], got [${seg.shape.join(", ")}]`, [seg], "value");
    if (!isInteger(seg.dtype)) throw opError(op, `segments must be an integer array, got ${seg.dtype.name}`, [seg], "type");
    const K = A.shape[1]!;
    const u = astype(seg, uint32, so);
    const lead = seg.shape.slice(0, -1);
    const start = slice(u, [...lead.map(() => 0), 0], [...lead, 1], undefined, so);
    const end = slice(u, [...lead.map(() => 0), 1], [...lead, 2], undefined, so);
    const k = arange(0, K, 1, { dtype: uint32, ...so });
    const inside = logicalAnd(greaterEqual(k, start, so), less(k, end, so), so); // [..., K]
    return matmul(where(expandDims(inside, -2, so), A, 0, so), B, so);
  });
}
