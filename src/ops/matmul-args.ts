// Shared plumbing of the matmul family: MLX's positional-or-keyword arguments
// taken positionally or in a trailing options object (each given once), and
// the contraction of two operands that keeps integers exact.

import { MxArray } from "../array.js";
import { isInexact, promoteTypes } from "../dtype.js";
import { describeValue, opError } from "../errors.js";
import type { Stream } from "../device.js";
import { broadcastShapes } from "../shape.js";
import { checkArrayLike, opStream, toArray, type ArrayLike, type OpOptions } from "./base.js";
import { expandDims, slice } from "./layout.js";
import { matmul } from "./linalg.js";
import { add, astype, multiply } from "./elementwise.js";
import { sum } from "./reduction.js";
import { widenedSumDType } from "../primitives/reduce.js";
import { checkOptions } from "./strict-options.js";
import { isPlainObject } from "../transforms/tree.js";

/**
 * The arguments after an op's operands: positional values for `names` in order,
 * optionally followed by an options object (a plain object: a positional
 * dtype, array or list is not one) holding any of `names`, `extraKeys` and
 * `stream`. A name given both ways is an error naming the op and the name.
 */
export function positionalOrOptions(op: string, rest: readonly unknown[], names: readonly string[], extraKeys: readonly string[] = []): Record<string, unknown> & OpOptions {
  const args = [...rest];
  while (args.length && args[args.length - 1] === undefined) args.pop();
  const last = args[args.length - 1];
  const options = isPlainObject(last) ? (args.pop() as Record<string, unknown>) : {};
  if (args.length > names.length) {
    throw opError(op, `takes at most ${names.length} argument${names.length === 1 ? "" : "s"} (${names.join(", ") || "none"}) after its operands and then an options object; got ${describeValue(args[names.length])} as one more`, [], "type");
  }
  checkOptions(op, options, [...names, ...extraKeys]);
  const out: Record<string, unknown> = { ...options };
  args.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i]!;
    if (options[name] !== undefined) throw opError(op, `${name} given twice: ${describeValue(v)} and { ${name}: ${describeValue(options[name])} }`, [], "value");
    out[name] = v;
  });
  return out;
}

/** Two operands `a`, `b` of `op` and its trailing arguments (as positionalOrOptions reads them), on one stream. */
export function operandPair(op: string, a: ArrayLike, b: ArrayLike, rest: readonly unknown[], names: readonly string[]): { A: MxArray; B: MxArray; p: Record<string, unknown> & OpOptions; s: Stream } {
  checkArrayLike(op, a, "a");
  checkArrayLike(op, b, "b");
  const p = positionalOrOptions(op, rest, names);
  const s = opStream(op, p, a, b);
  return { A: toArray(op, a, s, undefined, "a"), B: toArray(op, b, s, undefined, "b"), p, s };
}

/** The most elements of one integer product chunk (the broadcast a * b before its sum over K). */
const CHUNK_ELEMENTS = 2 ** 22;

/**
 * The batched product of `a` [..., M, K] and `b` [..., K, N]: matmul for
 * inexact dtypes; for integers and bool a broadcast multiply summed over K in
 * sum's dtype (int32/uint32 for narrower integers and bool), the operands cast
 * to it first, so products and sums are exact until they wrap at that width
 * (int8 pairs: the exact sums that matmul rounds once to float32), taken in
 * slices of K so no intermediate holds more than CHUNK_ELEMENTS elements.
 */
export function contractPair(a: MxArray, b: MxArray, s: Stream): MxArray {
  const o = { stream: s };
  const d = promoteTypes(a.dtype, b.dtype);
  if (isInexact(d)) return matmul(a, b, o);
  const wide = widenedSumDType(d) ?? d;
  const product = (x: MxArray, y: MxArray) =>
    sum(multiply(expandDims(astype(x, wide, o), -1, o), expandDims(astype(y, wide, o), -3, o), o), -2, o);
  const K = a.shape[a.ndim - 1]!;
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const perK = [...batch, a.shape[a.ndim - 2]!, b.shape[b.ndim - 1]!].reduce((n, d) => n * d, 1);
  const step = Math.max(1, Math.floor(CHUNK_ELEMENTS / Math.max(perK, 1)));
  if (K <= step) return product(a, b);
  let acc: MxArray | undefined;
  for (let k0 = 0; k0 < K; k0 += step) {
    const k1 = Math.min(K, k0 + step);
    const x = slice(a, [...a.shape.slice(0, -1).map(() => 0), k0], [...a.shape.slice(0, -1), k1], undefined, o);
    const y = slice(b, [...b.shape.slice(0, -2).map(() => 0), k0, 0], [...b.shape.slice(0, -2), k1, b.shape[b.ndim - 1]!], undefined, o);
    const part = product(x, y);
    acc = acc ? add(acc, part, o) : part;
  }
  return acc!;
}
