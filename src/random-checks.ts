// Argument checks shared by the mx.random samplers (internal: what random.ts
// exports becomes mx.random.*, so the checks live here): a PRNG key must be
// a live uint32 array of shape (2,).

import { MxArray } from "./array.js";
import { uint32 } from "./dtype.js";
import { describeValue, opError, type Described } from "./errors.js";
import { positionalOrOptions } from "./ops/matmul-args.js";
import { sameShape } from "./shape.js";
import { isPlainObject } from "./transforms/tree.js";

/**
 * The trailing arguments `rest` of sampler `op` as MLX takes them: its
 * parameters `names`, in MLX's order, positionally (MLX's
 * `normal(shape, dtype, loc, scale, key)`), then optionally an options object
 * holding any of the names not given positionally, `extraKeys` and `stream`
 * (positionalOrOptions reads them; a name given both ways is an error). null
 * is MLX's None: the parameter's default. An argument after the options
 * object is an error.
 */
export function samplerArgs<T extends object>(op: string, rest: readonly unknown[], names: readonly string[], extraKeys: readonly string[] = []): T {
  const given = [...rest];
  while (given.length && given[given.length - 1] === undefined) given.pop();
  const at = given.findIndex((v) => isPlainObject(v));
  const late = at < 0 ? -1 : given.findIndex((v, i) => i > at && v !== undefined);
  if (late >= 0) throw opError(op, `got ${describeValue(given[late])} after the options object; the options come last`, [], "type");
  // no options object: an empty one, so the last positional value (a dtype, a key) is not taken for it
  const p: Record<string, unknown> = positionalOrOptions(op, at < 0 ? [...given, {}] : given, names, extraKeys);
  for (const n of names) if (p[n] === null) delete p[n];
  return p as T;
}

/** Whether `k` has a key's dtype and shape: uint32, (2,). */
export function isKeySpec(k: Described): boolean {
  return k.dtype === uint32 && sameShape(k.shape, [2]);
}

/** Throws, naming `op` and the key, unless `k` is absent or a live uint32 array of shape (2,). */
export function checkKey(op: string, k: unknown): asserts k is MxArray | undefined {
  if (k === undefined) return;
  if (!(k instanceof MxArray) || k.isDisposed || !isKeySpec(k)) {
    throw opError(op, `key must be a uint32 array of shape (2,) (from mx.random.key), got ${describeValue(k)}${k instanceof MxArray && k.isDisposed ? " (disposed)" : ""}`, [], "type");
  }
}
