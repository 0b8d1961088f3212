// mx.random.permutation, as MLX builds it: a random order of n is the argsort
// of n random uint32 bits (stable, so the same key gives MLX's order), and a
// permuted array is that order taken along an axis.

import { MxArray } from "./array.js";
import { describeValue, opError } from "./errors.js";
import { MAX_DIM, normalizeAxis } from "./shape.js";
import { checkArrayLike, opStream } from "./ops/base.js";
import { asOp, noExtraArguments } from "./ops/strict-options.js";
import type { PositionalThen } from "./argument-checks.js";
import { take } from "./ops/indexing.js";
import { argsort } from "./ops/sort.js";
import { bits, type KeyOptions } from "./random.js";
import { checkKey, samplerArgs } from "./random-checks.js";

export interface PermutationOptions extends KeyOptions {
  /** The axis of an array input to shuffle (default 0). */
  axis?: number | undefined;
}

/**
 * A random permutation: of `0..x-1` (uint32) when `x` is a number, else of
 * `x`'s entries along `axis` (default 0). With a `key` the result depends
 * only on the key. MLX's `permutation(x, axis, key)`: axis and key
 * positionally, or in the options.
 * @example
 * ```ts
 * const key = mx.random.key(0);
 * const p = await mx.random.permutation(5, { key }).tolist();
 * [...(p as number[])].sort(); // [0, 1, 2, 3, 4]
 * mx.random.permutation(mx.array([[1, 2], [3, 4]]), 1, { key }).shape; // [2, 2]
 * await mx.arrayEqual(mx.random.permutation(5, null, key), mx.random.permutation(5, { key })).item(); // true
 * ```
 */
export function permutation(x: number | MxArray, ...rest: PositionalThen<[["axis", number], ["key", MxArray]], PermutationOptions>): MxArray {
  noExtraArguments("random.permutation", arguments, 4);
  return asOp("random.permutation", () => {
    const op = "random.permutation";
    const p = samplerArgs<PermutationOptions>(op, rest, ["axis", "key"]);
    checkKey(op, p.key);
    const s = { stream: opStream(op, p, x) };
    if (typeof x === "number") {
      if (!Number.isInteger(x) || x < 0 || x > MAX_DIM) throw opError(op, `x must be an array or a non-negative integer of at most 2^31 - 1, got ${describeValue(x)}`, [], "value");
      // MLX passes its default axis=0 along with a number; 0..x-1 has that one axis
      if (p.axis !== undefined && p.axis !== 0 && p.axis !== -1) throw opError(op, `axis of a number input (a permutation of 0..x-1, one axis) must be 0 or -1, got ${describeValue(p.axis)}`, [], "value");
      return argsort(bits([x], { key: p.key, ...s }), s);
    }
    if (!(x instanceof MxArray)) throw opError(op, `x must be an mx array or a non-negative integer, got ${describeValue(x)}`, [], "type");
    checkArrayLike(op, x, "x");
    if (x.ndim === 0) throw opError(op, "cannot permute a 0-d array", [x], "value");
    const axis = normalizeAxis(op, p.axis ?? 0, x.ndim, "axis", [x]);
    return take(x, permutation(x.shape[axis]!, { key: p.key, ...s }), axis, s);
  });
}
