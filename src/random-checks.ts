// Argument checks shared by the mx.random samplers (internal: what random.ts
// exports becomes mx.random.*, so the checks live here): a PRNG key must be
// a live uint32 array of shape (2,).

import { MxArray } from "./array.js";
import { uint32 } from "./dtype.js";
import { describeValue, opError, type Described } from "./errors.js";
import { sameShape } from "./shape.js";

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
