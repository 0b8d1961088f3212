// Error helpers: every error names the op, the inputs (dtype and shape) and
// what would have been valid, in one format across the library.

import type { DType } from "./dtype.js";

export interface Described {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export function describe(a: Described): string {
  return `${a.dtype.name}(${a.shape.join(", ")}${a.shape.length === 1 ? "," : ""})`;
}

export function shapeStr(shape: readonly number[]): string {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** `[op] message (inputs: ...)`; RangeError for bad values, TypeError for wrong types. */
export function opError(op: string, message: string, inputs: readonly Described[] = [], kind: "type" | "range" | "value" = "value"): Error {
  const ins = inputs.length ? ` (inputs: ${inputs.map(describe).join(", ")})` : "";
  const text = `[${op}] ${message}${ins}`;
  return kind === "type" ? new TypeError(text) : kind === "range" ? new RangeError(text) : new Error(text);
}
