// The inputs of an exported or imported function, as MLX takes them: arrays
// by position, then optionally one plain object of named arrays (MLX's
// keyword arguments, kept sorted by name), or one list of arrays (and the
// object after it); and how a call's inputs are matched against a file's traces.

import { MxArray } from "../array.js";
import { describeValue, opError } from "../errors.js";
import type { SpecRecord, TraceRecord } from "./function-file.js";

export interface CallInputs {
  positional: MxArray[];
  /** [name, array], sorted by name. */
  keywords: [string, MxArray][];
  /** Whether the keywords came as a last object (so the function is called with one). */
  hasKeywords: boolean;
}

/** A plain object (not an array, an mx array or a class instance): keyword inputs, or options. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof MxArray) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

const FORMS = "arrays, then optionally one object of named arrays (keyword inputs); or one list of arrays, then optionally that object";

function checked(op: string, what: string, a: unknown): MxArray {
  if (!(a instanceof MxArray)) throw opError(op, `${what} must be an mx array (inputs are ${FORMS}), got ${describeValue(a)}`, [], "type");
  if (a.isDisposed) throw opError(op, `${what} is a disposed array`, [], "value");
  return a;
}

/** The inputs of a call: `args` as MLX's forms allow (checked, with errors naming `op`). */
export function callInputs(op: string, args: readonly unknown[]): CallInputs {
  let list = [...args];
  // MLX's other forms: one list of arrays, alone or followed by one object of named arrays
  if (Array.isArray(list[0]) && (list.length === 1 || (list.length === 2 && isPlainObject(list[1])))) list = [...(list[0] as unknown[]), ...list.slice(1)];
  const last = list[list.length - 1];
  const hasKeywords = isPlainObject(last);
  if (hasKeywords) list.pop();
  const positional = list.map((a, i) => checked(op, `input ${i}`, a));
  const keywords = hasKeywords ? Object.entries(last).map(([k, a]): [string, MxArray] => [k, checked(op, `keyword input '${k}'`, a)]) : [];
  keywords.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { positional, keywords, hasKeywords };
}

/** The inputs in a trace's order: positional, then keywords by name. */
export const flatInputs = (c: CallInputs): MxArray[] => [...c.positional, ...c.keywords.map(([, a]) => a)];

const specText = (s: SpecRecord, shapeless: boolean) => `${s.dtype}[${shapeless ? s.shape.map(() => "*").join(", ") : s.shape.join(", ")}]`;

/** A trace's inputs as text: `(float32[2, 3], y: int32[4])`. */
export function traceText(t: Pick<TraceRecord, "positional" | "keywords" | "inputs">, shapeless: boolean): string {
  return `(${t.inputs.map((s, i) => (i < t.positional ? "" : `${t.keywords[i - t.positional]}: `) + specText(s, shapeless)).join(", ")})`;
}

/** The record of a call's inputs (its signature). */
export function inputsRecord(c: CallInputs): Pick<TraceRecord, "positional" | "keywords" | "inputs"> {
  return {
    positional: c.positional.length,
    keywords: c.keywords.map(([k]) => k),
    inputs: flatInputs(c).map((a) => ({ dtype: a.dtype.name, shape: [...a.shape] })),
  };
}

/** Whether a trace takes these inputs: the same positional count and keyword names, dtypes, and shapes (ranks when shapeless). */
export function takes(t: Pick<TraceRecord, "positional" | "keywords" | "inputs">, c: Pick<TraceRecord, "positional" | "keywords" | "inputs">, shapeless: boolean): boolean {
  if (t.positional !== c.positional || t.keywords.length !== c.keywords.length || t.keywords.some((k, i) => k !== c.keywords[i])) return false;
  return t.inputs.every((s, i) => {
    const x = c.inputs[i]!;
    return s.dtype === x.dtype && s.shape.length === x.shape.length && (shapeless || s.shape.every((n, j) => n === x.shape[j]));
  });
}
