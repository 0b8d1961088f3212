// linalg.cross: the cross product of 3-vectors (or 2-vectors, read with a
// zero third component) along an axis (MLX's mx.linalg.cross), composed of
// elementwise ops so it runs on every backend.

import { MxArray } from "../array.js";
import { promoteTypes } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "../ops/base.js";
import { zerosLike } from "../ops/creation.js";
import { astype, multiply, negative, subtract } from "../ops/elementwise.js";
import { broadcastTo, concatenate, split } from "../ops/layout.js";
import { asOp, checkOptions, noExtraArguments } from "../ops/strict-options.js";
import { broadcastShapes, normalizeAxis } from "../shape.js";

export interface CrossOptions extends OpOptions {
  /** The axis holding the vectors (size 2 or 3 in both inputs); default -1. */
  axis?: number | undefined;
}

/**
 * The cross product of the vectors along `axis` (default -1, the last) of
 * `a` and `b`; that axis has size 2 or 3 in each, a 2-vector being read with
 * a zero third component (the result's axis then has size 3). The other axes
 * broadcast; the dtype is the inputs' promoted one. Runs on every backend.
 * `axis` may be passed positionally, as in MLX.
 * @example
 * ```ts
 * const x = mx.array([1, 0, 0], mx.float32), y = mx.array([0, 1, 0], mx.float32);
 * await mx.linalg.cross(x, y).tolist(); // [0, 0, 1]
 * await mx.linalg.cross(mx.array([[1, 2], [3, 4]]), mx.array([[5, 6], [7, 8]]), { axis: 1 }).tolist(); // [[0, 0, -4], [0, 0, -4]]
 * ```
 */
export function cross(a: ArrayLike, b: ArrayLike, axis?: number | CrossOptions, options?: CrossOptions): MxArray {
  noExtraArguments("linalg.cross", arguments, 4);
  return asOp("linalg.cross", () => {
    const op = "linalg.cross";
    const isObject = (v: unknown) => typeof v === "object" && v !== null && !(v instanceof MxArray) && !Array.isArray(v);
    const isOpts = isObject(axis);
    if (options !== undefined && !isObject(options)) throw opError(op, `options must be an object such as { stream }, got ${describeValue(options)}`, [], "type");
    if (isOpts && options !== undefined) throw opError(op, `give axis once: ${op}(a, b, axis, { stream }) or ${op}(a, b, { axis, stream }), got a fourth argument ${describeValue(options)}`, [], "type");
    const o: CrossOptions = isOpts ? (axis as CrossOptions) : { ...options, ...(axis === undefined ? {} : { axis: axis as number }) };
    if (!isOpts && axis !== undefined && options?.axis !== undefined) throw opError(op, "axis was given twice (positionally and in the options)", [], "type");
    checkOptions(op, o, ["axis"]);
    checkArrayLike(op, a, "a");
    checkArrayLike(op, b, "b");
    const s = opStream(op, o, a, b);
    const so = { stream: s };
    const x = toArray(op, a, s, undefined, "a"), y = toArray(op, b, s, undefined, "b");
    const ax = o.axis ?? -1;
    const sizeOf = (t: MxArray, name: string) => {
      const d = t.shape[normalizeAxis(op, ax, t.ndim, "axis", [t])]!;
      if (d !== 2 && d !== 3) throw opError(op, `axis ${ax} of ${name} must have size 2 or 3, got ${d}`, [t], "value");
      return d;
    };
    const [na, nb] = [sizeOf(x, "a"), sizeOf(y, "b")];
    const with3 = (t: MxArray) => t.shape.map((d, i) => (i === normalizeAxis(op, ax, t.ndim) ? 3 : d));
    const shape = broadcastShapes(op, with3(x), with3(y));
    const at = ax < 0 ? ax + shape.length : ax;
    const dtype = promoteTypes(x.dtype, y.dtype);
    const parts = (t: MxArray, n: number) => split(broadcastTo(astype(t, dtype, so), shape.map((d, i) => (i === at ? n : d)), so), n, { axis: at, ...so });
    const [a0, a1, a2] = parts(x, na), [b0, b1, b2] = parts(y, nb);
    const mul = (p: MxArray, q: MxArray) => multiply(p, q, so);
    const third = subtract(mul(a0!, b1!), mul(a1!, b0!), so);
    if (!a2 && !b2) {
      const z = zerosLike(third, so);
      return concatenate([z, z, third], { axis: at, ...so });
    }
    const first = !a2 ? mul(a1!, b2!) : !b2 ? negative(mul(a2, b1!), so) : subtract(mul(a1!, b2), mul(a2, b1!), so);
    const second = !a2 ? negative(mul(a0!, b2!), so) : !b2 ? mul(a2, b0!) : subtract(mul(a2, b0!), mul(a0!, b2), so);
    return concatenate([first, second, third], { axis: at, ...so });
  });
}
