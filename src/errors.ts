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

/**
 * A value as an error message quotes it: `undefined`, `null`, `NaN`, numbers,
 * `the string 'x'`, `a JS array [1, 2]`, `a function`, `an mx array float32(2,)`,
 * `an object (Foo)`; long lists are cut short.
 */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return `the string '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return v.toString();
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `a JS array ${listText(v)}`;
  if (isDescribed(v)) return `an mx array ${describe(v)}`;
  return `an object (${(v as { constructor?: { name?: string } }).constructor?.name ?? "no class"})`;
}

function isDescribed(v: object): v is Described {
  return Array.isArray((v as Described).shape) && typeof (v as Described).dtype === "object";
}

/** A JS list's elements as JS would print them, nested lists included; holes show as `<hole>`. */
function listText(v: readonly unknown[], depth = 0): string {
  if (depth > 2) return "[...]";
  const shown: string[] = [];
  for (let i = 0; i < Math.min(v.length, 6); i++) {
    const x = v[i];
    if (!(i in v)) shown.push("<hole>");
    else if (Array.isArray(x)) shown.push(listText(x, depth + 1));
    else if (typeof x === "string") shown.push(`'${x}'`);
    else if (x !== null && typeof x === "object") shown.push(isDescribed(x) ? describe(x) : "{...}");
    else shown.push(typeof x === "function" ? "<function>" : typeof x === "bigint" ? `${x}n` : String(x));
  }
  return `[${shown.join(", ")}${v.length > 6 ? ", ..." : ""}]`;
}

/** `[op] message (inputs: ...)`; RangeError for bad values, TypeError for wrong types. */
export function opError(op: string, message: string, inputs: readonly Described[] = [], kind: "type" | "range" | "value" = "value"): Error {
  const ins = inputs.length ? ` (inputs: ${inputs.map(describe).join(", ")})` : "";
  const text = `[${op}] ${message}${ins}`;
  return kind === "type" ? new TypeError(text) : kind === "range" ? new RangeError(text) : new Error(text);
}
