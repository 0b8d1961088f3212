// Jacobians and the Hessian (what MLX lacks, MLX issue 1927): jacrev maps the
// vjp over the rows of the identity, jacfwd maps the jvp over its columns;
// both give shape [...output shape, ...input shape]. hessian is jacfwd of
// jacrev. Functions of one array returning one array.

import { MxArray } from "../array.js";
import { isFloating } from "../dtype.js";
import { describeValue } from "../errors.js";
import * as ops from "../ops/index.js";
import { jvpAs, vjpAs } from "./autodiff.js";
import { vmap } from "./vmap.js";

/** A function of one array to one array (what jacrev, jacfwd and hessian take). */
export type UnaryFn = (x: MxArray) => MxArray;

function check(transform: string, fn: UnaryFn, x: MxArray): void {
  if (typeof fn !== "function") throw new TypeError(`[${transform}] fn must be a function, got ${describeValue(fn)}`);
  if (!(x instanceof MxArray)) throw new TypeError(`[${transform}] the argument must be an mx array, got ${describeValue(x)}`);
  if (x.isDisposed) throw new Error(`[${transform}] the argument was disposed and can no longer be used`);
  if (!isFloating(x.dtype)) throw new TypeError(`[${transform}] the argument has dtype ${x.dtype.name}; Jacobians need a float array`);
}

/** The one array `fn` returned, else an error naming the transform. */
function single(transform: string, out: unknown): MxArray {
  if (out instanceof MxArray) return out;
  if (Array.isArray(out)) throw new Error(`[${transform}] the function must return one array, got a list of ${out.length}`);
  throw new TypeError(`[${transform}] the function must return one mx array, got ${describeValue(out)}`);
}

/** The identity over `shape`'s elements, as [n, ...shape]. */
function basis(shape: readonly number[], x: MxArray): MxArray {
  const n = shape.reduce((a, b) => a * b, 1);
  return ops.reshape(ops.eye(n, null, 0, { dtype: x.dtype, stream: x.stream }), [n, ...shape], { stream: x.stream });
}

/**
 * The Jacobian of `fn` (one array to one array) by reverse mode, one vjp per
 * output element: shape `[...output shape, ...input shape]`. Suits functions
 * with fewer outputs than inputs.
 * @example
 * ```ts
 * const f = (x: mx.MxArray) => mx.multiply(x, x);
 * await mx.jacrev(f)(mx.array([1, 2], mx.float32)).tolist(); // [[2, 0], [0, 4]]
 * ```
 */
export function jacrev(fn: UnaryFn): UnaryFn {
  return jacrevAs("jacrev", fn);
}

/** jacrev as `transform` (hessian): the name its checks and its derivative's steps carry. */
function jacrevAs(transform: string, fn: UnaryFn): UnaryFn {
  return (x) => {
    check(transform, fn, x);
    const y = single(transform, fn(x));
    const rows = vmap((ct: MxArray) => vjpAs(transform, fn, [x], [ct])[1][0]!)(basis(y.shape, x));
    return ops.reshape(rows, [...y.shape, ...x.shape], { stream: x.stream });
  };
}

/**
 * The Jacobian of `fn` (one array to one array) by forward mode, one jvp per
 * input element: shape `[...output shape, ...input shape]`. Suits functions
 * with fewer inputs than outputs.
 * @example
 * ```ts
 * const f = (x: mx.MxArray) => mx.multiply(x, x);
 * await mx.jacfwd(f)(mx.array([1, 2], mx.float32)).tolist(); // [[2, 0], [0, 4]]
 * ```
 */
export function jacfwd(fn: UnaryFn): UnaryFn {
  return jacfwdAs("jacfwd", fn);
}

/** jacfwd as `transform` (hessian): the name its checks and its tangents' steps carry. */
function jacfwdAs(transform: string, fn: UnaryFn): UnaryFn {
  return (x) => {
    check(transform, fn, x);
    const checked = (v: MxArray) => single(transform, fn(v)); // a bad result is the transform's error, not jvp's
    const cols = vmap((t: MxArray) => jvpAs(transform, checked, [x], [t])[1][0]!)(basis(x.shape, x));
    const yRank = cols.ndim - 1;
    // [n_in, ...y] -> [...y, ...x]
    const moved = ops.moveaxis(cols, 0, yRank, { stream: x.stream });
    return ops.reshape(moved, [...cols.shape.slice(1), ...x.shape], { stream: x.stream });
  };
}

/**
 * The Hessian of a scalar function of one array (`jacfwd` of `jacrev`): shape
 * `[...input shape, ...input shape]`.
 * @example
 * ```ts
 * const f = (x: mx.MxArray) => mx.sum(mx.power(x, 3));
 * await mx.hessian(f)(mx.array([1, 2], mx.float32)).tolist(); // [[6, 0], [0, 12]]
 * ```
 */
export function hessian(fn: UnaryFn): UnaryFn {
  return (x) => {
    check("hessian", fn, x);
    const y = single("hessian", fn(x));
    if (y.size !== 1) throw new Error(`[hessian] the function must return a scalar (one element), got shape (${y.shape.join(", ")})`);
    return jacfwdAs("hessian", jacrevAs("hessian", (v) => ops.reshape(fn(v), [], { stream: v.stream })))(x);
  };
}
