// divmod: the quotient and remainder of floor division together (MLX's
// `mx.divmod`), computed by one primitive with two outputs.

import type { MxArray } from "../array.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";
import { complex64 } from "../dtype.js";
import { opError } from "../errors.js";
import { DivMod } from "../primitives/divmod.js";
import { broadcastShapes } from "../shape.js";
import { checkArrayLike, nodes, opStream, resultType, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { astype, broadcastTo } from "./index.js";

/**
 * `[floorDivide(a, b), remainder(a, b)]` in one call, with broadcasting and
 * type promotion as the two ops: the remainder takes the divisor's sign
 * (Python's `%`), a float quotient is `floor(divide(a, b))` (MLX's), and
 * integer division by zero gives 0.
 * @example
 * ```ts
 * const [q, r] = mx.divmod(mx.array([7, -7]), 2);
 * await q!.tolist(); // [3, -4]
 * await r!.tolist(); // [1, 1]
 * ```
 */
export function divmod(a: ArrayLike, b: ArrayLike, o?: OpOptions): [MxArray, MxArray] {
  noExtraArguments("divmod", arguments, 3);
  return asOp("divmod", () => {
    checkArrayLike("divmod", a, "first input");
    checkArrayLike("divmod", b, "second input");
    checkOptions("divmod", o);
    const s = opStream("divmod", o, a, b);
    const so = { stream: s };
    const d = resultType(a, b);
    if (d === complex64) throw opError("divmod", "complex64 has no floor division; valid: real dtypes", [], "type");
    const xa = astype(toArray("divmod", a, s, d, "first input"), d, so);
    const ya = astype(toArray("divmod", b, s, d, "second input"), d, so);
    const shape = broadcastShapes("divmod", xa.shape, ya.shape);
    const [q, r] = nodes(new DivMod(), [broadcastTo(xa, shape, so), broadcastTo(ya, shape, so)], s);
    return [q!, r!];
  });
}
