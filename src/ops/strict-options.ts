// Guards against silently dropped arguments (issue 13 item 5): an options
// object may hold only the keys its op documents; anything else is an error
// naming the op and the key.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";

/**
 * Throws when `o` is not a plain options object or holds a key outside
 * `allowed` and, for an op (`takesStream`, the default), `stream`.
 */
export function checkOptions(op: string, o: unknown, allowed: readonly string[] = [], takesStream = true): void {
  if (o === undefined) return;
  const valid = takesStream ? [...allowed, "stream"] : allowed;
  if (o === null || typeof o !== "object" || Array.isArray(o) || o instanceof MxArray) {
    throw opError(op, `options must be an object such as { ${valid.join(", ")} }, got ${describeValue(o)}`, [], "type");
  }
  for (const k of Object.keys(o)) {
    if (!valid.includes(k)) throw opError(op, `unknown option '${k}'; valid options: ${valid.join(", ") || "none"}`, [], "type");
  }
}

/**
 * MLX's `op(x, axis, ..., stream=...)` in TypeScript: the options of an op
 * that takes an axis (a number, a list, or null) positionally, followed by
 * an options object, or the options object alone. An axis given both ways
 * must agree; the keys are checked as by checkOptions (`axis` among them).
 */
export function axisThenOptions<T extends { axis?: unknown }>(op: string, axisOrOptions: unknown, options: unknown, allowed: readonly string[]): T {
  const isAxis = (v: unknown) => v === null || typeof v === "number" || Array.isArray(v);
  if (!isAxis(axisOrOptions)) {
    if (options !== undefined) throw opError(op, "got an options object and a further argument; pass the options once", [], "type");
    checkOptions(op, axisOrOptions, allowed);
    return (axisOrOptions ?? {}) as T;
  }
  checkOptions(op, options, allowed);
  const o = (options ?? {}) as T;
  if (o.axis !== undefined && JSON.stringify(o.axis) !== JSON.stringify(axisOrOptions)) {
    throw opError(op, `axis given twice: ${describeValue(axisOrOptions)} and { axis: ${describeValue(o.axis)} }`, [], "value");
  }
  return { ...o, axis: axisOrOptions };
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
