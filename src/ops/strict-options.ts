// Guards against silently dropped arguments (issue 13 item 5): an options
// object may hold only the keys its op documents; anything else is an error
// naming the op and the key.

import { MxArray } from "../array.js";
import { opError } from "../errors.js";

/** Throws when `o` is not a plain options object or holds a key outside `allowed` (`stream` is always allowed). */
export function checkOptions(op: string, o: unknown, allowed: readonly string[] = []): void {
  if (o === undefined) return;
  if (o === null || typeof o !== "object" || Array.isArray(o) || o instanceof MxArray) {
    throw opError(op, `the last argument must be an options object { ${[...allowed, "stream"].join(", ")} }, got ${Array.isArray(o) ? "a list" : o === null ? "null" : typeof o}`, [], "type");
  }
  for (const k of Object.keys(o)) {
    if (k !== "stream" && !allowed.includes(k)) {
      throw opError(op, `unknown option '${k}'; valid options: ${[...allowed, "stream"].join(", ")}`, [], "type");
    }
  }
}

/**
 * Runs the body of composite op `op`: an error raised by an op it is built
 * from is re-labelled with `op`, so the user sees the function they called.
 */
export function asOp<T>(op: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    if (e instanceof Error) {
      const label = /^\[([^\]]+)\] /.exec(e.message);
      if (label && label[1] !== op) e.message = `[${op}] ${e.message.slice(label[0].length)}`;
    }
    throw e;
  }
}
