// hadamardTransform (MLX's hadamard_transform): the Walsh-Hadamard transform
// along the last axis for n = 2^k: k butterfly stages of add and subtract
// (O(n log n)), the output scaled. MLX's lengths m * 2^k with m in {12, 20,
// 28} need its own order-m matrices (from Sloane's library), not shipped here.

import { MxArray } from "../array.js";
import { complex64, float32, isFloating } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { add, astype, multiply, subtract } from "./elementwise.js";
import { concatenate, reshape, split } from "./layout.js";
import { positionalOrOptions } from "./matmul-args.js";
import { asOp } from "./strict-options.js";

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/** n = 2^k with k <= 26 (MLX's limit), or an error naming the op (MLX's m * 2^k lengths say they are not implemented). */
function checkLength(op: string, n: number): void {
  const m = [12, 20, 28].find((f) => n % f === 0 && isPowerOfTwo(n / f));
  if (m !== undefined) {
    throw opError(op, `the last axis has length ${n} = ${m} * 2^${Math.log2(n / m)}: lengths m * 2^k with m in (12, 20, 28) need MLX's order-m Hadamard matrices, which mlx-ts does not ship (not implemented); supported lengths are powers of two`, [], "value");
  }
  if (!isPowerOfTwo(n)) throw opError(op, `the last axis has length ${n}; supported lengths are powers of two`, [], "value");
  if (n > 2 ** 26) throw opError(op, `the last axis has length ${n}; supported lengths are 2^k with k <= 26`, [], "value");
}

export interface HadamardOptions extends OpOptions {
  /** The factor of the output (default 1/sqrt(n), which makes the transform orthonormal). */
  scale?: number | null | undefined;
}

/**
 * The Walsh-Hadamard transform along the last axis (MLX's
 * `hadamard_transform`): `y = (H @ x) * scale` for Sylvester's n x n Hadamard
 * matrix H, n = 2^k (MLX's lengths m * 2^k with m in (12, 20, 28) are not
 * implemented: they need MLX's own order-m matrices). `scale` defaults to 1/sqrt(n). Floating
 * inputs keep their dtype (float16 and bfloat16 computed in float32, rounded
 * once), others become float32; a 0-d input is a transform of length 1.
 * Composed of k add/subtract butterfly stages (MLX has a fused kernel);
 * gradients follow from the parts.
 * @example
 * ```ts
 * await mx.hadamardTransform(mx.array([1, 2, 3, 4], mx.float32), 1).tolist(); // [10, -2, -4, 0]
 * await mx.hadamardTransform(mx.array([3, 1], mx.float32), { scale: 0.5 }).tolist(); // [2, 1]
 * ```
 */
export function hadamardTransform(a: ArrayLike, scale?: number | null | HadamardOptions, o?: HadamardOptions): MxArray {
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
  checkLength(op, n);
  const factor = typeof sc === "number" ? sc : 1 / Math.sqrt(n);
  const out = isFloating(x.dtype) ? x.dtype : float32;
  const work = out.size < 4 ? float32 : out;
  return asOp(op, () => {
    const lead = x.shape.slice(0, -1);
    let y = astype(x, work, so);
    for (let h = 1; h < n; h *= 2) {
      const [u, v] = split(reshape(y, [...lead, n / (2 * h), 2, h], so), 2, { axis: -2, ...so }) as [MxArray, MxArray];
      y = concatenate([add(u, v, so), subtract(u, v, so)], { axis: -2, ...so });
    }
    y = reshape(y, x.shape, so);
    if (factor !== 1) y = multiply(y, factor, so);
    return astype(y, out, so);
  });
}
