// Error helpers: every error names the op, the inputs (dtype and shape) and
// what would have been valid, in one format across the library.

import { registeredBackends, unavailableBackends, type BackendName } from "../backends/backend.js";
import { DType } from "./dtype.js";

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
  try {
    return valueText(v);
  } catch {
    // an object whose own code throws when read (a Proxy, a getter): never the error the user sees instead of ours
    return "an object (unreadable)";
  }
}

function valueText(v: unknown): string {
  if (typeof v === "string") return `the string '${v.length > 40 ? `${v.slice(0, 40)}...` : v}'`;
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "function") return "a function";
  if (typeof v === "symbol") return v.toString();
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `a JS array ${listText(v)}`;
  if (isDescribed(v)) return `an mx array ${describe(v)}`;
  const ctor: unknown = (v as { constructor?: { name?: unknown } }).constructor?.name;
  const name = typeof ctor === "string" && ctor ? ctor : "no class";
  if (isDType(v)) return v.name;
  // a class's own text (Device(cpu, 0), a Date); a plain object's is "[object Object]"
  const toText: unknown = (v as { toString?: unknown }).toString;
  if (typeof toText === "function" && toText !== Object.prototype.toString && toText !== Array.prototype.toString) {
    const text: unknown = toText.call(v);
    if (typeof text === "string" && text) {
      const cut = text.length > 60 ? `${text.slice(0, 60)}...` : text;
      return cut.startsWith(`${name}(`) ? cut : `an object (${name}: ${cut})`;
    }
  }
  return `an object (${name})`;
}

function isDType(v: object): v is DType {
  return v instanceof DType;
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
    else if (typeof x === "symbol") shown.push(x.toString());
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

/**
 * The public op whose body runs now: the outermost `duringOp` (composite ops
 * run their body through asOp, src/ops/strict-options.ts), or undefined
 * outside any. Nodes remember it (MxArray.builtBy), so an error raised while
 * they are evaluated names the function the user called, not the step
 * (`[eye]`, not `[equal]`).
 */
let runningOp: string | undefined;

/** The op `duringOp` is running, if any. */
export function currentOp(): string | undefined {
  return runningOp;
}

/**
 * Runs `body` as public op `op`. The outermost call wins: the op the user
 * called stays current through the ops it is built from. An Error thrown
 * inside that starts with another op's `[name] ` is relabelled `[op] `, so the
 * message names the function the user called.
 */
export function duringOp<T>(op: string, body: () => T): T {
  const outer = runningOp;
  if (outer === undefined) runningOp = op;
  try {
    return body();
  } catch (e) {
    throw relabel(e, op);
  } finally {
    runningOp = outer;
  }
}

/**
 * `e` with its leading `[name] ` made `[op] ` (an Error that starts otherwise is
 * left as it is); a backend's label (`[cpu] cannot allocate ...`) stays, after `[op] `.
 */
export function relabel(e: unknown, op: string): unknown {
  if (e instanceof Error) {
    const label = /^\[([^\]]+)\] /.exec(e.message);
    if (label && label[1] !== op) e.message = `[${op}] ${isBackendName(label[1]!) ? e.message : e.message.slice(label[0].length)}`;
  }
  return e;
}

function isBackendName(name: string): boolean {
  return registeredBackends().some((b) => b.name === name) || unavailableBackends().has(name as BackendName);
}
