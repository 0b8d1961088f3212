// matmul with NumPy's rules: 1-D operands are promoted to matrices and the
// added axis removed afterwards, batch dimensions broadcast, dtypes promote
// (integers and bool compute in float32, as MLX does; int8 @ int8 and
// uint8 @ uint8 reach the primitive uncast, its float32 result the exact
// integer sums rounded once, so a backend may run them on integer matrix units).

import { MxArray } from "../array.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";
import { float32, int8, isInexact, promoteTypes, uint8 } from "../dtype.js";
import { opError } from "../errors.js";
import { Matmul } from "../primitives/misc.js";
import { BroadcastAxes } from "../primitives/layout.js";
import { broadcastShapes, sameShape } from "../shape.js";
import { inShapelessTrace } from "../compile/shapeless-tracing.js";
import { checkArrayLike, node, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { astype } from "./elementwise.js";
import { broadcastTo, expandDims, squeeze } from "./layout.js";

/**
 * Matrix product with NumPy's rules: a 1-D operand is a row (first) or column
 * (second) vector whose axis is removed from the result, and batch axes
 * broadcast. Integer and bool inputs give float32: int8 @ int8 and
 * uint8 @ uint8 the exact integer sums rounded once (on the webgpu backend
 * they run on the adapter's integer matrix units where it has them), other
 * integers as float32 products.
 * @example
 * ```ts
 * const a = mx.array([[1, 2], [3, 4]]);
 * await mx.matmul(a, mx.array([5, 6])).tolist(); // [17, 39]
 * mx.matmul(mx.zeros([8, 2, 3]), mx.zeros([3, 4])).shape; // [8, 2, 4]
 * ```
 */
export function matmul(x: ArrayLike, y: ArrayLike, o?: OpOptions): MxArray {
  noExtraArguments("matmul", arguments, 3);
  return asOp("matmul", () => {
    checkArrayLike("matmul", x, "first input");
    checkArrayLike("matmul", y, "second input");
    checkOptions("matmul", o);
    const s = opStream("matmul", o, x, y);
    o = { ...o, stream: s };
    let a = toArray("matmul", x, s, undefined, "first input");
    let b = toArray("matmul", y, s, undefined, "second input");
    if (a.ndim === 0 || b.ndim === 0) throw opError("matmul", "inputs must have at least one dimension (use multiply for scalars)", [a, b], "value");
    let d = promoteTypes(a.dtype, b.dtype);
    const eightBitPair = a.dtype === b.dtype && (a.dtype === int8 || a.dtype === uint8);
    if (!isInexact(d) && !eightBitPair) d = float32;
    const aVec = a.ndim === 1, bVec = b.ndim === 1;
    if (aVec) a = expandDims(a, 0, o);
    if (bVec) b = expandDims(b, -1, o);
    const K = a.shape[a.ndim - 1]!;
    if (b.shape[b.ndim - 2] !== K) {
      throw opError("matmul", `inner dimensions differ: ${K} (last axis of the first) vs ${b.shape[b.ndim - 2]} (second to last of the second)`, [a, b], "value");
    }
    const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
    a = astype(a, d, o);
    b = astype(b, d, o);
    // a shapeless trace broadcasts batch axes, even equal ones, by a rule of both operands' shapes (replayed on new shapes)
    const shapeless = batch.length > 0 && inShapelessTrace();
    const batched = (x: MxArray, other: MxArray) =>
      shapeless ? node(new BroadcastAxes(2, "matmul"), [x, other], s) : sameShape(x.shape.slice(0, -2), batch) ? x : broadcastTo(x, [...batch, ...x.shape.slice(-2)], o);
    [a, b] = [batched(a, b), batched(b, a)];
    let out = node(new Matmul(), [a, b], s);
    if (aVec) out = squeeze(out, -2, o);
    if (bVec) out = squeeze(out, -1, o);
    return out;
  });
}
