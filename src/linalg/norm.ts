// linalg.norm: vector and matrix norms (MLX's mx.linalg.norm, NumPy's
// table of orders). Vector norms and the Frobenius norm are compositions of
// reductions, so they run on every backend; the 2-norm, -2 and the nuclear
// norm of matrices go through svd, which runs on the cpu stream.

import { MxArray } from "../array.js";
import { complex64, float32, is16BitFloat, isInexact } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { abs, astype, notEqual, power, sqrt, square } from "../ops/elementwise.js";
import { expandDims, moveaxis, squeeze } from "../ops/layout.js";
import { max, min, sum } from "../ops/reduction.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { normalizeAxis } from "../shape.js";
import { svd } from "./svd.js";

/** The order of a norm: a number (Infinity and -Infinity included), "fro" (or "f") or "nuc". */
export type NormOrder = number | "fro" | "f" | "nuc";

export interface NormOptions extends OpOptions {
  /** The order (see `norm`); default: the 2-norm of vectors, the Frobenius norm of matrices. */
  ord?: NormOrder | null | undefined;
  /** One axis (vector norms) or two (matrix norms: rows, then columns); default every axis of a 1-D or 2-D array (or, without ord, of the flattened array). */
  axis?: number | readonly number[] | null | undefined;
  /** Keep the normed axes as size-1 dimensions. */
  keepdims?: boolean | undefined;
}

const EXPECTED: Record<string, string> = { ord: 'a number, "fro" or "nuc"', axis: "an integer or a list of one or two integers", keepdims: "a boolean" };

const isOptions = (v: unknown): v is NormOptions => typeof v === "object" && v !== null && !(v instanceof MxArray) && !Array.isArray(v);

/** MLX's positional (ord, axis, keepdims) before the options object, merged into one options object. */
function normOptions(op: string, rest: readonly unknown[]): NormOptions {
  const keys = ["ord", "axis", "keepdims"] as const;
  const at = rest.findIndex(isOptions);
  const positional = at < 0 ? rest : rest.slice(0, at);
  if (positional.length > 3) throw opError(op, `takes at most ord, axis and keepdims before the options, got ${positional.length} positional arguments`, [], "type");
  if (at >= 0 && at < rest.length - 1) throw opError(op, `${keys[at]} must be ${EXPECTED[keys[at]!]}, got an object (the options object comes last)`, [], "type");
  const o: NormOptions = at >= 0 ? { ...(rest[at] as NormOptions) } : {};
  positional.forEach((v, i) => {
    if (v === undefined) return;
    if (o[keys[i]!] !== undefined) throw opError(op, `${keys[i]} was given twice (positionally and in the options)`, [], "type");
    (o as Record<string, unknown>)[keys[i]!] = v;
  });
  return o;
}

/** sqrt(sum |x|^2) over `axes`. */
function l2(x: MxArray, axes: number[], keepdims: boolean, so: OpOptions): MxArray {
  const sq = x.dtype === complex64 ? square(abs(x, so), so) : square(x, so);
  return sqrt(sum(sq, { axis: axes, keepdims, ...so }), so);
}

function vectorNorm(op: string, x: MxArray, ord: number, axis: number, keepdims: boolean, so: OpOptions): MxArray {
  const r = { axis, keepdims, ...so };
  if (ord === 2) return l2(x, [axis], keepdims, so);
  const d = x.dtype === complex64 ? float32 : x.dtype;
  if (ord === 0) return astype(sum(notEqual(x, 0, so), r), d, so);
  const a = abs(x, so);
  if (ord === 1) return sum(a, r);
  if (ord === Infinity) return max(a, r);
  if (ord === -Infinity) return min(a, r);
  if (Number.isNaN(ord)) throw opError(op, "ord must not be NaN", [x], "value");
  return power(sum(power(a, ord, so), r), 1 / ord, so);
}

/** The singular values of the matrices in axes (row, col) of `x`, as the last axis (float16 and bfloat16 through float32, in x's dtype). */
function singularValues(x: MxArray, row: number, col: number, so: OpOptions): MxArray {
  const m = row > col ? moveaxis(moveaxis(x, row, -1, so), col, -1, so) : moveaxis(moveaxis(x, col, -1, so), row, -2, so);
  return is16BitFloat(x.dtype) ? astype(svd(astype(m, float32, so), false, so), x.dtype, so) : svd(m, false, so);
}

function matrixNorm(op: string, x: MxArray, ord: NormOrder, row: number, col: number, keepdims: boolean, so: OpOptions): MxArray {
  const both = [row, col].sort((i, j) => i - j);
  if (ord === "fro" || ord === "f") return l2(x, both, keepdims, so);
  const restore = (v: MxArray) => (keepdims ? expandDims(v, both, so) : v);
  if (ord === "nuc") return restore(sum(singularValues(x, row, col, so), { axis: -1, ...so }));
  if (ord === 2 || ord === -2) {
    const s = singularValues(x, row, col, so);
    return restore(ord === 2 ? max(s, { axis: -1, ...so }) : min(s, { axis: -1, ...so }));
  }
  // ±1: extreme column sums (summed over rows); ±inf: extreme row sums
  const [summed, picked] = ord === 1 || ord === -1 ? [row, col] : ord === Infinity || ord === -Infinity ? [col, row] : [-1, -1];
  if (summed < 0) throw opError(op, `ord ${describeValue(ord)} is not a matrix norm (valid: 1, -1, 2, -2, Infinity, -Infinity, "fro", "nuc")`, [x], "value");
  const sums = sum(abs(x, so), { axis: summed, keepdims: true, ...so });
  const out = (ord as number) > 0 ? max(sums, { axis: picked, keepdims: true, ...so }) : min(sums, { axis: picked, keepdims: true, ...so });
  return keepdims ? out : squeeze(out, both, so);
}

/**
 * Vector or matrix norms of `a` (MLX's `norm(a, ord, axis, keepdims)`;
 * each may be passed positionally or in the options). With one axis, the
 * vector norm of order `ord`: 2 (default), 1, Infinity (max |x|),
 * -Infinity (min |x|), 0 (the count of non-zeros), or any other p:
 * sum(|x|^p)^(1/p). With two axis (rows, then columns), the matrix norm:
 * "fro" (default, also "f"), "nuc" (the sum of the singular values), 1 / -1
 * (the largest / smallest column sum of |x|), Infinity / -Infinity (row
 * sums), 2 / -2 (the largest / smallest singular value). Without `axis`,
 * `a` must be 1-D or 2-D when `ord` is given, and without `ord` the 2-norm
 * of the flattened `a` is returned. Integer and bool inputs give float32;
 * float16 and bfloat16 keep their dtype (the singular values through float32);
 * complex64 gives float32 (as NumPy), the orders through the singular values
 * included (MLX's ±2 cast back to complex64).
 * The orders
 * through the singular values run on the cpu stream only (as svd); every
 * other one runs on any stream.
 * @example
 * ```ts
 * const b = mx.array([[-4, -3, -2], [-1, 0, 1], [2, 3, 4]], mx.float32);
 * await mx.linalg.norm(b).item(); // 7.745966911315918
 * await mx.linalg.norm(b, Infinity).item(); // 9
 * await mx.linalg.norm(b, 1, 0).tolist(); // [7, 6, 7]
 * await mx.linalg.norm(b, { ord: -1, keepdims: true }).tolist(); // [[6]]
 * await mx.linalg.norm(b, "nuc", { stream: mx.cpu }).item(); // 9.797959327697754
 * ```
 */
export function norm(
  a: ArrayLike,
  ord?: NormOrder | null | NormOptions,
  axis?: number | readonly number[] | null | NormOptions,
  keepdims?: boolean | NormOptions,
  options?: NormOptions,
): MxArray {
  noExtraArguments("linalg.norm", arguments, 5);
  return asOp("linalg.norm", () => {
    const op = "linalg.norm";
    const rest: unknown[] = [ord, axis, keepdims, options];
    while (rest.length && rest.at(-1) === undefined) rest.pop();
    const o = normOptions(op, rest);
    checkOptions(op, o, ["ord", "axis", "keepdims"]);
    checkArrayLike(op, a, "a");
    const s = opStream(op, o, a);
    const so = { stream: s };
    let x = toArray(op, a, s, undefined, "a");
    if (!isInexact(x.dtype)) x = astype(x, float32, so);
    const keep: unknown = o.keepdims ?? false;
    if (typeof keep !== "boolean") throw opError(op, `keepdims must be a boolean, got ${describeValue(keep)}`, [x], "type");
    const order: unknown = o.ord ?? null;
    if (order !== null && typeof order !== "number" && order !== "fro" && order !== "f" && order !== "nuc") {
      throw opError(op, `ord must be a number, "fro", "f" or "nuc", got ${describeValue(order)}`, [x], "type");
    }
    const axisArg: unknown = o.axis ?? null;
    if (axisArg !== null && typeof axisArg !== "number" && !Array.isArray(axisArg)) throw opError(op, `axis must be an integer or a list of one or two integers, got ${describeValue(axisArg)}`, [x], "type");
    if (axisArg === null && order === null) {
      // over every axis, not of a flattened copy: a view of more than 2^31 - 1 elements has no flat shape
      return l2(x, [...x.shape.keys()], keep, so);
    }
    const axes = axisArg === null ? [...x.shape.keys()] : (typeof axisArg === "number" ? [axisArg] : (axisArg as unknown[])).map((v) => normalizeAxis(op, v, x.ndim, "axis", [x]));
    if (axes.length === 0 || axes.length > 2) {
      throw opError(op, axisArg === null ? `a must be 1-D or 2-D when ord is given without axis, got ${x.ndim} dimensions` : `axis must name one or two axes, got ${axes.length}`, [x], "value");
    }
    if (axes.length === 2 && axes[0] === axes[1]) throw opError(op, `the two axes must differ, got ${describeValue(axisArg)}`, [x], "value");
    if (order === null) return l2(x, [...axes].sort((i, j) => i - j), keep, so);
    if (axes.length === 1) {
      if (typeof order === "string") throw opError(op, `ord "${order}" is a matrix norm: it needs two axes, got one`, [x], "value");
      return vectorNorm(op, x, order, axes[0]!, keep, so);
    }
    return matrixNorm(op, x, order as NormOrder, axes[0]!, axes[1]!, keep, so);
  });
}
