// hadamardTransform (MLX's hadamard_transform): the Hadamard transform along
// the last axis for n = m * 2^k, m in (1, 12, 20, 28): k butterfly stages of
// add and subtract (O(n log n)), then the order-m matrix, the output scaled.

import { MxArray } from "../array.js";
import { complex64, float32, isFloating } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, constant, encodeValues, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { add, astype, multiply, subtract } from "./elementwise.js";
import { HADAMARD_ORDERS, hadamardMatrix, type HadamardOrder } from "./hadamard-matrices.js";
import { concatenate, reshape, split } from "./layout.js";
import { matmul } from "./linalg.js";
import { positionalOrOptions } from "./matmul-args.js";
import { asOp, noExtraArguments } from "./strict-options.js";

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** n = m * 2^k with m in (1, 12, 20, 28) and k <= 26 (MLX's limits) as [m, 2^k], or an error naming the op. */
function decomposeLength(op: string, n: number): [1 | HadamardOrder, number] {
  const m = isPowerOfTwo(n) ? 1 : HADAMARD_ORDERS.find((f) => n % f === 0 && isPowerOfTwo(n / f));
  if (m === undefined) throw opError(op, `the last axis has length ${n}; supported lengths are m * 2^k with m in (1, 12, 20, 28)`, [], "value");
  if (n / m > 2 ** 26) throw opError(op, `the last axis has length ${n} = ${m} * 2^${Math.log2(n / m)}; supported lengths are m * 2^k with k <= 26`, [], "value");
  return [m, n / m];
}

export interface HadamardOptions extends OpOptions {
  /** The factor of the output (default 1/sqrt(n), which makes the transform orthonormal). */
  scale?: number | null | undefined;
}

/**
 * The Hadamard transform along the last axis (MLX's `hadamard_transform`):
 * `y = (H @ x) * scale` for the n x n Hadamard matrix H = kron(H_m, S_2^k),
 * n = m * 2^k with m in (1, 12, 20, 28), S Sylvester's matrix and H_m MLX's
 * order-m matrix (Paley's construction II for 12, Williamson's for 20 and
 * 28). `scale` defaults to 1/sqrt(n). Floating inputs keep their dtype
 * (float16 and bfloat16 computed in float32, rounded once), others become
 * float32; a 0-d input is a transform of length 1. Composed of k
 * add/subtract butterfly stages and a matmul by H_m over the m blocks of
 * 2^k (MLX has fused kernels); gradients follow from the parts.
 * @example
 * ```ts
 * await mx.hadamardTransform(mx.array([1, 2, 3, 4], mx.float32), 1).tolist(); // [10, -2, -4, 0]
 * await mx.hadamardTransform(mx.array([3, 1], mx.float32), { scale: 0.5 }).tolist(); // [2, 1]
 * // n = 12: the first column of H_12
 * const e0 = mx.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], mx.float32);
 * await mx.hadamardTransform(e0, 1).tolist(); // [1, -1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
 * ```
 */
export function hadamardTransform(a: ArrayLike, scale?: number | null | HadamardOptions, o?: HadamardOptions): MxArray {
  noExtraArguments("hadamardTransform", arguments, 3);
  return asOp("hadamardTransform", () => {
    const op = "hadamardTransform";
    checkArrayLike(op, a, "a");
    const p = positionalOrOptions(op, [scale, o], ["scale"]);
    const sc: unknown = p.scale;
    if (sc !== undefined && sc !== null && typeof sc !== "number") throw opError(op, `scale must be a number or null, got ${describeValue(sc)}`, [], "type");
    const s = opStream(op, p, a);
    const so = { stream: s };
    const x = toArray(op, a, s, undefined, "a");
    if (x.size === 0) throw opError(op, "does not support empty arrays", [x], "value");
    if (x.dtype === complex64) throw opError(op, "complex64 is not supported; valid: real dtypes", [x], "type");
    const n = x.ndim > 0 ? x.shape[x.ndim - 1]! : 1;
    const [m, p2] = decomposeLength(op, n);
    const factor = typeof sc === "number" ? sc : 1 / Math.sqrt(n);
    const out = isFloating(x.dtype) ? x.dtype : float32;
    const work = out.size < 4 ? float32 : out;
    // blocks: [..., m, 2^k] (index j * 2^k + i, as kron(H_m, S) orders it)
    const blocks = [...x.shape.slice(0, -1), ...(m !== 1 ? [m] : [])];
    let y = astype(x, work, so);
    for (let h = 1; h < p2; h *= 2) {
      const [u, v] = split(reshape(y, [...blocks, p2 / (2 * h), 2, h], so), 2, { axis: -2, ...so }) as [MxArray, MxArray];
      y = concatenate([add(u, v, so), subtract(u, v, so)], { axis: -2, ...so });
    }
    y = reshape(y, [...blocks, p2], so);
    if (m !== 1) y = matmul(constant(encodeValues(hadamardMatrix(m).flat(), work), [m, m], work, s), y, so);
    y = reshape(y, x.shape, so);
    if (factor !== 1) y = multiply(y, factor, so);
    return astype(y, out, so);
  });
}
