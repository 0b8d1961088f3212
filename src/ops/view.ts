// The view op (MLX's `view`, NumPy's `ndarray.view(dtype)`): an array's bytes
// reinterpreted as another dtype, a bitcast. Validates MLX's shape rule and
// builds one View node.

import type { MxArray } from "../array.js";
import { bool, isDType, uint8, type DType } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkViewable, View } from "../primitives/view.js";
import { checkArrayLike, checkResultShape, node, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";
import { notEqual } from "./elementwise.js";

/**
 * `x`'s bytes, in row-major order, read as `dtype` (a bitcast: float32 1 is
 * uint32 0x3f800000). Equal item sizes keep the shape; a narrower `dtype`
 * multiplies the last axis by the size ratio, a wider one divides it (its
 * bytes must divide evenly). A 0-d input only takes a dtype of its own size.
 * bool is 1 byte, complex64 8. A view as bool is canonical, as every bool
 * is: each nonzero byte becomes true, stored as 1 (`notEqual` of the bytes
 * and 0), so every op reads it alike; viewing it back gives 0 and 1 bytes.
 * The result has no gradient, as in MLX.
 * @example
 * ```ts
 * await mx.view(mx.array([1], mx.float32), mx.uint32).tolist(); // [1065353216]
 * await mx.view(mx.array([-1, -128], mx.int8), mx.uint8).tolist(); // [255, 128]
 * await mx.view(mx.array([1, 256], mx.int16), mx.uint8).tolist(); // [1, 0, 0, 1]
 * mx.view(mx.zeros([2, 8], mx.uint8), mx.float32).shape; // [2, 2]
 * ```
 */
export function view(x: ArrayLike, dtype: DType, o?: OpOptions): MxArray {
  noExtraArguments("view", arguments, 3);
  return asOp("view", () => {
    checkOptions("view", o);
    const stream = opStream("view", o, x);
    const a = toArray("view", checkArrayLike("view", x), stream);
    if (!isDType(dtype)) throw opError("view", `dtype must be an mx dtype (e.g. mx.uint32), got ${describeValue(dtype)}`, [a], "type");
    if (a.dtype === dtype) return a;
    checkViewable("view", a, dtype);
    const prim = new View(dtype);
    checkResultShape("view", prim.output([a]).shape, `dtype ${dtype.name} (${dtype.size} byte${dtype.size === 1 ? "" : "s"} for each of ${a.dtype.name}'s ${a.dtype.size})`, [a]);
    if (dtype !== bool) return node(prim, [a], stream);
    // bytes 2 or 255 as bool would read as true here and as 2 or 255 there: each nonzero byte becomes 1
    const bytes = a.dtype === uint8 ? a : node(new View(uint8), [a], stream);
    return notEqual(bytes, 0, { stream });
  });
}
