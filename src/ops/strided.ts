// Memory-layout ops: asStrided (MLX's as_strided, made safe: every index it
// can reach is checked to lie inside the array) and contiguous (a row-major
// buffer, copied only when needed). Built on the AsStrided and Contiguous primitives.

import type { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import { AsStrided, checkStridedView, Contiguous } from "../primitives/strided.js";
import { checkShape, rowMajorStrides } from "../shape.js";
import { checkArrayLike, flatView, opStream, node, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { asOp, checkOptions, noExtraArguments } from "./strict-options.js";

/**
 * A view of `x`'s elements (in row-major order) through element `strides`
 * and a starting `offset`: output element (i0, i1, ...) is flat element
 * `offset + i0 * strides[0] + i1 * strides[1] + ...`. `shape` defaults to
 * `x.shape`, `strides` to the row-major strides of `shape`. Unlike MLX, every
 * element the view can reach must lie inside `x` (else an error), so no read
 * leaves the buffer.
 * @example
 * ```ts
 * const x = mx.arange(6);
 * await mx.asStrided(x, [4, 3], [1, 1]).tolist(); // [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
 * await mx.asStrided(x, [2], [0], 5).tolist(); // [5, 5]
 * ```
 */
export function asStrided(x: ArrayLike, shape?: readonly number[] | null, strides?: readonly number[] | null, offset = 0, o?: OpOptions): MxArray {
  noExtraArguments("asStrided", arguments, 5);
  return asOp("asStrided", () => {
    checkOptions("asStrided", o);
    const stream = opStream("asStrided", o, x);
    const a = toArray("asStrided", checkArrayLike("asStrided", x), stream);
    const sh = shape === undefined || shape === null ? [...a.shape] : [...checkShape("asStrided", shape)];
    if (strides !== undefined && strides !== null && !Array.isArray(strides)) throw opError("asStrided", `strides must be a list of integers, got ${describeValue(strides)}`, [a], "type");
    const st: unknown[] = strides === undefined || strides === null ? rowMajorStrides(sh) : [...strides];
    checkStridedView("asStrided", a.size, sh, st, offset, [a]);
    const flat = flatView(a, stream);
    return node(new AsStrided(sh, st as number[], offset), [flat], stream);
  });
}

/**
 * `x`'s values in a row-major buffer (column-major also accepted with
 * `allowColMajor`): a copy when `x` is a view with another layout (a
 * transpose, a strided slice, a broadcast), else `x`'s own buffer. Values,
 * shape and dtype are unchanged.
 * @example
 * ```ts
 * const t = mx.transpose(mx.array([[1, 2], [3, 4]]));
 * await mx.contiguous(t).tolist(); // [[1, 3], [2, 4]]
 * ```
 */
export function contiguous(x: ArrayLike, allowColMajor = false, o?: OpOptions): MxArray {
  noExtraArguments("contiguous", arguments, 3);
  return asOp("contiguous", () => {
    checkOptions("contiguous", o);
    if (typeof allowColMajor !== "boolean") throw opError("contiguous", `allowColMajor must be a boolean, got ${describeValue(allowColMajor)}`, [], "type");
    const stream = opStream("contiguous", o, x);
    return node(new Contiguous(allowColMajor), [toArray("contiguous", checkArrayLike("contiguous", x), stream)], stream);
  });
}
